// SPDX-License-Identifier: MIT
// The toml++ adapter: the only file that includes toml++. It is compiled header-only with
// TOML_EXCEPTIONS=0 (see CMakeLists.txt), so no exception leaves it and the binary does not
// need libtomlplusplus.so at run time. It turns the parse tree into rows (flat.hpp), which
// table_reader.cpp reads into the Kb; the embedded files took this path at build time
// (mlstack-kbc), a user's `--kb` file takes it at run time.
#include "mlstack/kb/detail/table_reader.hpp"
#include "mlstack/base/toml_text.hpp"
#include "mlstack/kb/flat.hpp"
#include "mlstack/kb/kb.hpp"

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlstack::kb {
namespace {

Where where_of(const toml::node& n) {
  const auto& b = n.source().begin;
  return {static_cast<long>(b.line), static_cast<long>(b.column)};
}

FlatValue to_flat(const toml::node& n) {
  FlatValue v;
  v.where = where_of(n);
  if (const auto* s = n.as_string()) {
    v.kind = FlatValue::Kind::string;
    v.text = s->get();
  } else if (const auto* b = n.as_boolean()) {
    v.kind = FlatValue::Kind::boolean;
    v.integer = b->get() ? 1 : 0;
  } else if (const auto* i = n.as_integer()) {
    v.kind = FlatValue::Kind::integer;
    v.integer = i->get();
  } else if (const auto* a = n.as_array()) {
    v.kind = FlatValue::Kind::array;
    v.items.reserve(a->size());
    for (const toml::node& el : *a) {
      v.items.push_back(to_flat(el));
    }
  }
  return v;
}

// The row of one `[[kind]]` table; toml++ iterates its keys in sorted order.
FlatRow to_row(std::string_view kind, const toml::table& t) {
  FlatRow row;
  row.kind = kind;
  row.where = where_of(t);
  row.fields.reserve(t.size());
  for (const auto& [key, value] : t) {
    row.fields.emplace_back(key.str(), to_flat(value));
  }
  return row;
}

}  // namespace

Result<void> add_kb_text(Kb& kb, std::string_view name, std::string_view text,
                         const std::function<void(const FlatFile&)>& on_rows) {
  const detail::FileContext file(name, text);
  // What toml++ 3.3.0 does not handle safely never reaches it.
  if (auto ok = text::check_toml_text(name, text); !ok) {
    return unexpected(std::move(ok).error());
  }
  toml::parse_result parsed = toml::parse(text, std::string(name));
  if (!parsed) {
    const toml::parse_error& err = parsed.error();
    const Where w{static_cast<long>(err.source().begin.line),
                  static_cast<long>(err.source().begin.column)};
    return unexpected(file.error(w, std::string(err.description())));
  }
  // Root kinds in toml++'s (alphabetical) order. A bad root key stops the rows there; its
  // error comes after any error in the rows before it, as when the tree was read directly.
  FlatFile flat{name, text, {}};
  std::optional<Error> stop;
  for (const auto& [key, value] : parsed.table()) {
    const std::string_view kind = key.str();
    if (!detail::is_known_kind(kind)) {
      stop = detail::unknown_table(file, where_of(value), kind);
      break;
    }
    const toml::array* rows = value.as_array();
    if (rows == nullptr || !rows->is_array_of_tables()) {
      stop = file.error(where_of(value), "expected `[[" + std::string(kind) + "]]` tables");
      break;
    }
    for (const toml::node& row : *rows) {
      flat.rows.push_back(to_row(kind, *row.as_table()));
    }
  }
  if (auto ok = detail::read_rows(kb, file, flat.rows); !ok) {
    return unexpected(std::move(ok).error());
  }
  if (stop) {
    return unexpected(std::move(*stop));
  }
  kb.files.emplace_back(name);
  if (on_rows) {
    on_rows(flat);
  }
  return {};
}

Result<void> add_kb_text(Kb& kb, std::string_view name, std::string_view text) {
  return add_kb_text(kb, name, text, nullptr);
}

}  // namespace mlstack::kb
