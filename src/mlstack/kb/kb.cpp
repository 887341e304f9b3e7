// SPDX-License-Identifier: MIT
#include "mlstack/kb/kb.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace mlstack::kb {
namespace {

template <class Rows>
void collect(const Rows& rows, std::vector<const Entry*>& out) {
  for (const auto& row : rows) {
    out.push_back(&row.entry);
  }
}

}  // namespace

Result<void> validate(const Kb& kb) {
  std::vector<const Entry*> entries;
  collect(kb.toolkits, entries);
  collect(kb.minor_version_compat, entries);
  collect(kb.arch_floors, entries);
  collect(kb.forward_compat, entries);
  collect(kb.gpus, entries);
  collect(kb.releases, entries);
  collect(kb.memory, entries);
  collect(kb.base_images, entries);
  collect(kb.pins, entries);
  collect(kb.launch, entries);
  collect(kb.rules, entries);
  std::map<std::string, const Entry*> seen;
  for (const Entry* e : entries) {
    auto [it, fresh] = seen.emplace(e->id, e);
    if (!fresh) {
      const Entry* first = it->second;
      // Report the later one, in load order.
      auto rank = [&kb](const Entry* x) {
        const auto f = std::find(kb.files.begin(), kb.files.end(), x->file);
        return std::pair(f - kb.files.begin(), x->line);
      };
      const bool e_later = rank(e) > rank(first);
      const Entry* later = e_later ? e : first;
      const Entry* earlier = e_later ? first : e;
      return unexpected(with_context(
          make_error(ErrorCode::invalid_data, "duplicate id `" + e->id + "`, first defined at " +
                                                  earlier->file + ":" +
                                                  std::to_string(earlier->line)),
          later->file + ":" + std::to_string(later->line)));
    }
  }
  return {};
}

}  // namespace mlstack::kb
