// SPDX-License-Identifier: MIT
#include "mlstack/kb/kb.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

namespace mlstack::kb {
namespace {

template <class Rows>
void collect(const Rows& rows, std::vector<const Entry*>& out) {
  for (const auto& row : rows) {
    out.push_back(&row.entry);
  }
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return unexpected(make_error(ErrorCode::io, path + ": cannot open KB file"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return unexpected(make_error(ErrorCode::io, path + ": cannot read KB file"));
  }
  return text.str();
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

Result<Kb> load_kb(const std::vector<std::string>& user_files) {
  Kb kb;
  for (const EmbeddedFile& f : embedded_files()) {
    if (auto ok = add_kb_text(kb, f.name, f.text); !ok) {
      return unexpected(std::move(ok).error());
    }
  }
  for (const std::string& path : user_files) {
    MLSTACK_TRY_ASSIGN(std::string text, read_file(path));
    if (auto ok = add_kb_text(kb, path, text); !ok) {
      return unexpected(std::move(ok).error());
    }
  }
  if (auto ok = validate(kb); !ok) {
    return unexpected(std::move(ok).error());
  }
  return kb;
}

}  // namespace mlstack::kb
