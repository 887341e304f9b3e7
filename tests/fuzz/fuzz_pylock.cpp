// SPDX-License-Identifier: MIT
// libFuzzer target: `check --lock FILE`: the TOML text check, toml++ 3.3.0, the PEP 751
// reader, and the lock checks for CPython 3.11 on linux-x86_64.
#include "mlstack/lockfile/pylock.hpp"
#include "mlstack/pyenv/synthesize.hpp"
#include "mlstack/tags/supported_tags.hpp"

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto facts = mlstack::pyenv::synthesize_facts("3.11", "linux-x86_64", {});
  static const auto tags = mlstack::tags::SupportedTags::from_facts(facts->tags);
  static const mlstack::pep508::MarkerEnvironment env(facts->markers);
  const std::string_view text = mlstack::fuzz::as_text(data, size);
  auto lock = mlstack::lockfile::read_pylock(text, "pylock.toml");
  if (!lock) {
    (void)mlstack::render(lock.error());
    return 0;
  }
  const auto check = mlstack::lockfile::check_lock(*lock, env, &*tags);
  MLSTACK_FUZZ_CHECK(check.installed.size() <= lock->packages.size());
  const auto set = mlstack::lockfile::to_resolved_set(*lock, check, "pylock.toml");
  MLSTACK_FUZZ_CHECK(set.inventory.dists.size() == check.installed.size());
  return 0;
}
