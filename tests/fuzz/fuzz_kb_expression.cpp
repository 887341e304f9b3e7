// SPDX-License-Identifier: MIT
// libFuzzer target: the KB rule language. The first byte picks what the rule iterates over,
// the rest is a `when` expression; a second expression after a NUL byte is a template. Each
// parses (with the depth limit: no stack overflow however deep the input nests), and a
// boolean `when` whose names the iteration binds runs as a rule, with the embedded KB's
// tables, over a small fixed stack (torch and TensorFlow builds, one H100, two libraries).
#include "mlstack/facts/build_facts.hpp"
#include "mlstack/facts/gpu_facts.hpp"
#include "mlstack/facts/inventory.hpp"
#include "mlstack/facts/python_facts.hpp"
#include "mlstack/kb/evaluate.hpp"
#include "mlstack/kb/expression.hpp"
#include "mlstack/kb/kb.hpp"

#include "fuzz_check.hpp"

#include <string>
#include <utility>

namespace {

namespace kb = mlstack::kb;
namespace facts = mlstack::facts;

facts::InstalledDist dist(std::string name, std::string version) {
  facts::InstalledDist d;
  d.location = "/venv/lib/python3.11/site-packages";
  d.info_path = d.location + "/" + name + "-" + version + ".dist-info";
  d.canonical_name = std::move(name);
  d.raw_name = d.canonical_name;
  d.version_text = std::move(version);
  return d;
}

facts::FrameworkBuild build(std::string name, std::string version, std::string cuda) {
  facts::FrameworkBuild b;
  b.name = name;
  b.distribution = name;
  b.version = std::move(version);
  b.cuda = {std::move(cuda), name + "/version.py"};
  b.cudnn = {"9.1.0.70", "METADATA"};
  b.gpu_build = true;
  b.archs = {"sm_80", "sm_90", "compute_90"};
  facts::LibraryUse use;
  use.library = "cudnn";
  use.major = "9";
  use.need = {"9.1", "METADATA"};
  use.how = "wheel";
  use.version = {"9.1.0.70", "dist-info"};
  use.users = {name};
  b.libraries.push_back(use);
  return b;
}

struct Stack {
  facts::PythonFacts python;
  facts::Inventory inventory;
  facts::GpuFacts gpu;
  facts::BuildFacts builds;
  kb::Environment environment{{"TF_FORCE_GPU_ALLOW_GROWTH", "true"}};
  kb::Kb kb;

  Stack() {
    python.version = "3.11.7";
    python.executable = "/venv/bin/python";
    inventory.dists = {dist("torch", "2.5.1"), dist("tensorflow", "2.18.0"),
                       dist("protobuf", "5.28.3"), dist("numpy", "2.1.3")};
    gpu.driver_present = true;
    gpu.driver_version = "550.54.15";
    gpu.cuda_driver_api_version = "12.4";
    gpu.source = "nvml";
    facts::GpuDevice h100;
    h100.name = "NVIDIA H100 80GB HBM3";
    h100.compute_capability = "9.0";
    gpu.devices.push_back(h100);
    builds.frameworks = {build("torch", "2.5.1", "12.4"), build("tensorflow", "2.18.0", "12.5")};
    facts::CudaLibrary cudnn;
    cudnn.name = "cudnn";
    cudnn.version = "9.1.0.70";
    cudnn.origin = "wheel";
    builds.cuda_libraries = {cudnn};
    kb = kb::load_kb({}).value();
    kb.rules.clear();
  }
};

// What `for_each` binds (table_reader.cpp's `binds`).
bool binds(kb::ForEach fe, kb::Binding b) {
  switch (b) {
    case kb::Binding::framework:
      return fe == kb::ForEach::framework || fe == kb::ForEach::framework_device ||
             fe == kb::ForEach::framework_pair || fe == kb::ForEach::framework_library;
    case kb::Binding::other:
      return fe == kb::ForEach::framework_pair;
    case kb::Binding::device:
      return fe == kb::ForEach::device || fe == kb::ForEach::framework_device;
    case kb::Binding::library:
      return fe == kb::ForEach::framework_library;
  }
  return false;
}

template <class Parsed>
bool bound(const Parsed& p, kb::ForEach fe) {
  for (const kb::Binding b :
       {kb::Binding::framework, kb::Binding::other, kb::Binding::device, kb::Binding::library}) {
    if (p.uses(b) && !binds(fe, b)) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  constexpr kb::ForEach k_for_each[] = {
      kb::ForEach::once,           kb::ForEach::framework,
      kb::ForEach::device,         kb::ForEach::framework_device,
      kb::ForEach::framework_pair, kb::ForEach::framework_library};
  const kb::ForEach for_each = k_for_each[data[0] % std::size(k_for_each)];
  const std::string_view rest = mlstack::fuzz::as_text(data + 1, size - 1);
  const std::size_t nul = rest.find('\0');
  const std::string_view when_text = rest.substr(0, nul);
  const std::string_view title_text =
      nul == std::string_view::npos ? std::string_view("{framework.name}") : rest.substr(nul + 1);
  auto when = kb::Expression::parse(when_text);
  auto title = kb::Template::parse(title_text);
  if (!when) {
    (void)mlstack::render(when.error());
  }
  if (!title) {
    (void)mlstack::render(title.error());
  }
  if (!when || !title || when->type() != kb::Type::boolean || !bound(*when, for_each) ||
      !bound(*title, for_each)) {
    return 0;
  }
  static Stack stack;
  kb::Rule rule;
  rule.entry.id = "FUZZ-RULE";
  rule.entry.source = "fuzz";
  rule.entry.verified = true;
  rule.severity = mlstack::rules::Severity::warning;
  rule.for_each = for_each;
  rule.when = std::move(*when);
  rule.title = std::move(*title);
  rule.why = *kb::Template::parse("why");
  stack.kb.rules.assign(1, std::move(rule));
  const auto findings = kb::evaluate(stack.kb, kb::KbInput{stack.python, stack.inventory, stack.gpu,
                                                           stack.builds, &stack.environment});
  for (const auto& f : findings) {
    MLSTACK_FUZZ_CHECK(f.id == "FUZZ-RULE");
  }
  return 0;
}
