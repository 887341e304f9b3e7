// SPDX-License-Identifier: MIT
// Reads a KB file's rows (flat.hpp) into a `Kb`: the checks and error messages of every
// `[[kind]]`, whether the rows came from toml++ (a user's file) or from the blob serialized at
// build time (the embedded files).
#include "mlstack/kb/detail/table_reader.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/kb/flat.hpp"
#include "mlstack/kb/kb.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlstack::kb {
namespace detail {

std::string_view FileContext::line_text(long line) const {
  if (line < 1) {
    return {};
  }
  const std::vector<std::string_view> lines = text::split_lines(m_text);
  if (static_cast<std::size_t>(line) > lines.size()) {
    return {};
  }
  return lines[static_cast<std::size_t>(line - 1)];
}

Error FileContext::error(Where w, std::string message, std::size_t length) const {
  const std::size_t col = w.column > 0 ? static_cast<std::size_t>(w.column - 1) : 0;
  Error e = make_parse_error(std::move(message), std::string(line_text(w.line)), col, length);
  return with_context(std::move(e),
                      m_name + ":" + std::to_string(w.line) + ":" + std::to_string(w.column));
}

Error FileContext::relocate(Where w, Error inner) const {
  const std::size_t offset = inner.span ? inner.span->begin : 0;
  const std::size_t length = inner.span ? inner.span->length : 1;
  const std::string_view line = line_text(w.line);
  const std::size_t start = w.column > 0 ? static_cast<std::size_t>(w.column - 1) : 0;
  long line_no = w.line;
  long column = w.column + 1;
  const std::string_view rest = start < line.size() ? line.substr(start) : std::string_view{};
  const bool triple = rest.starts_with("'''") || rest.starts_with("\"\"\"");
  if (triple) {
    column = w.column + 3;
    if (rest.size() == 3) {  // a newline right after the quotes is not part of the value
      ++line_no;
      column = 1;
    }
  }
  const std::string& input = inner.span ? inner.span->input : std::string();
  for (std::size_t i = 0; i < offset && i < input.size(); ++i) {
    if (input[i] == '\n') {
      ++line_no;
      column = 1;
    } else {
      ++column;
    }
  }
  return error({line_no, column}, std::move(inner.message), length);
}

namespace {

constexpr std::string_view k_kinds[] = {
    "toolkit", "minor_version_compat", "arch_floor", "forward_compat", "gpu", "release", "knob",
    "base_image", "pin", "launch", "rule"};

// Reads the keys of one `[[kind]]` row, remembering which were used so that unknown keys
// (typos) are errors.
class TableReader {
 public:
  TableReader(const FileContext& file, const FlatRow& row)
      : m_file(file), m_row(row), m_kind(row.kind), m_used(row.fields.size(), false) {}

  Result<std::optional<std::string>> optional_string(std::string_view key) {
    const FlatValue* n = use(key);
    if (n == nullptr) {
      return std::optional<std::string>();
    }
    if (n->kind != FlatValue::Kind::string) {
      return unexpected(m_file.error(n->where, "expected a string for `" + std::string(key) + "`"));
    }
    return std::optional<std::string>(std::string(n->text));
  }

  Result<std::string> string(std::string_view key) {
    MLSTACK_TRY_ASSIGN(auto v, optional_string(key));
    if (!v) {
      return unexpected(missing(key));
    }
    return std::move(*v);
  }

  Result<bool> boolean(std::string_view key) {
    const FlatValue* n = use(key);
    if (n == nullptr) {
      return unexpected(missing(key));
    }
    if (n->kind != FlatValue::Kind::boolean) {
      return unexpected(
          m_file.error(n->where, "expected `true` or `false` for `" + std::string(key) + "`"));
    }
    return n->integer != 0;
  }

  Result<bool> optional_boolean(std::string_view key) {
    if (find(key) == m_row.fields.size()) {
      return false;
    }
    return boolean(key);
  }

  Result<pep440::SpecifierSet> specifier_set(std::string_view key) {
    MLSTACK_TRY_ASSIGN(std::string text, string(key));
    auto set = pep440::SpecifierSet::parse(text);
    if (!set) {
      Error inner = std::move(set).error();
      inner.message = "invalid specifier set `" + text + "` for `" + std::string(key) + "`: " +
                      inner.message;
      return unexpected(m_file.relocate(where(key), std::move(inner)));
    }
    return std::move(set).value();
  }

  Result<long> integer(std::string_view key) {
    const FlatValue* n = use(key);
    if (n == nullptr) {
      return unexpected(missing(key));
    }
    if (n->kind != FlatValue::Kind::integer) {
      return unexpected(
          m_file.error(n->where, "expected an integer for `" + std::string(key) + "`"));
    }
    return static_cast<long>(n->integer);
  }

  Result<KbVersion> version(std::string_view key) {
    MLSTACK_TRY_ASSIGN(std::string text, string(key));
    auto v = pep440::Version::parse(text);
    if (!v) {
      Error inner = std::move(v).error();
      inner.message =
          "invalid version `" + text + "` for `" + std::string(key) + "`: " + inner.message;
      return unexpected(m_file.relocate(where(key), std::move(inner)));
    }
    return KbVersion{std::move(v).value(), std::move(text)};
  }

  Result<std::vector<std::string>> strings(std::string_view key) {
    std::vector<std::string> out;
    const FlatValue* n = use(key);
    if (n == nullptr) {
      return out;
    }
    if (n->kind != FlatValue::Kind::array) {
      return unexpected(
          m_file.error(n->where, "expected an array of strings for `" + std::string(key) + "`"));
    }
    out.reserve(n->items.size());
    for (const FlatValue& el : n->items) {
      if (el.kind != FlatValue::Kind::string) {
        return unexpected(
            m_file.error(el.where, "expected a string in `" + std::string(key) + "`"));
      }
      out.emplace_back(el.text);
    }
    return out;
  }

  // An expression or template value, with errors relocated into the file.
  template <class T>
  Result<T> parsed(std::string_view key, bool required) {
    MLSTACK_TRY_ASSIGN(auto text, optional_string(key));
    if (!text) {
      if (required) {
        return unexpected(missing(key));
      }
      text = std::string();
    }
    auto r = T::parse(*text);
    if (!r) {
      return unexpected(m_file.relocate(where(key), std::move(r).error()));
    }
    return std::move(r).value();
  }

  Result<Entry> entry() {
    Entry e;
    MLSTACK_TRY_ASSIGN(e.id, string("id"));
    MLSTACK_TRY_ASSIGN(e.source, string("source"));
    MLSTACK_TRY_ASSIGN(e.verified, boolean("verified"));
    MLSTACK_TRY_ASSIGN(auto grade, optional_string("grade"));
    MLSTACK_TRY_ASSIGN(auto note, optional_string("note"));
    e.grade = grade.value_or("");
    e.note = note.value_or("");
    e.file = m_file.name();
    e.line = where("id").line;
    if (e.id.empty() || !std::all_of(e.id.begin(), e.id.end(), [](char c) {
          return text::is_ascii_alnum(c) || c == '-' || c == '_' || c == '.';
        })) {
      return unexpected(m_file.error(
          where("id"), "invalid id `" + e.id + "`; use letters, digits, `-`, `_`, `.`"));
    }
    if (text::trim(e.source).empty()) {
      return unexpected(m_file.error(where("source"), "`source` is empty"));
    }
    constexpr std::string_view k_grades[] = {"", "V", "V-dev", "S", "S-weak", "U"};
    if (std::find(std::begin(k_grades), std::end(k_grades), e.grade) == std::end(k_grades)) {
      return unexpected(m_file.error(
          where("grade"), "expected `grade` V, V-dev, S, S-weak or U, found `" + e.grade + "`"));
    }
    if (e.grade == "U" && e.verified) {
      return unexpected(
          m_file.error(where("verified"), "an entry graded U cannot be `verified = true`"));
    }
    return e;
  }

  // The first unused key in toml++'s order, which the rows keep.
  Result<void> finish() const {
    for (std::size_t i = 0; i < m_row.fields.size(); ++i) {
      if (!m_used[i]) {
        const auto& [key, value] = m_row.fields[i];
        return unexpected(m_file.error(
            value.where, "unknown key `" + std::string(key) + "` in [[" + m_kind + "]]"));
      }
    }
    return {};
  }

  // Where the value of `key` begins; the row's header when there is no such key (callers ask
  // only for keys they have read).
  [[nodiscard]] Where where(std::string_view key) const {
    const std::size_t i = find(key);
    return i < m_row.fields.size() ? m_row.fields[i].second.where : m_row.where;
  }
  [[nodiscard]] Where where_table() const { return m_row.where; }

 private:
  [[nodiscard]] std::size_t find(std::string_view key) const {
    std::size_t i = 0;
    while (i < m_row.fields.size() && m_row.fields[i].first != key) {
      ++i;
    }
    return i;
  }

  // The value of `key`, marked as used, or null.
  const FlatValue* use(std::string_view key) {
    const std::size_t i = find(key);
    if (i == m_row.fields.size()) {
      return nullptr;
    }
    m_used[i] = true;
    return &m_row.fields[i].second;
  }

  [[nodiscard]] Error missing(std::string_view key) const {
    return m_file.error(m_row.where,
                        "missing key `" + std::string(key) + "` in [[" + m_kind + "]]");
  }

  const FileContext& m_file;
  const FlatRow& m_row;
  std::string m_kind;
  std::vector<bool> m_used;
};

Result<rules::Severity> parse_severity(const FileContext& f, Where w, const std::string& s) {
  if (s == "error") {
    return rules::Severity::error;
  }
  if (s == "warning") {
    return rules::Severity::warning;
  }
  if (s == "info") {
    return rules::Severity::info;
  }
  return unexpected(f.error(w, "expected `severity` error, warning or info, found `" + s + "`"));
}

Result<ForEach> parse_for_each(const FileContext& f, Where w, const std::string& s) {
  if (s.empty()) {
    return ForEach::once;
  }
  if (s == "framework") {
    return ForEach::framework;
  }
  if (s == "device") {
    return ForEach::device;
  }
  if (s == "framework_device") {
    return ForEach::framework_device;
  }
  if (s == "framework_pair") {
    return ForEach::framework_pair;
  }
  if (s == "framework_library") {
    return ForEach::framework_library;
  }
  return unexpected(f.error(w,
                            "expected `for_each` framework, device, framework_device, "
                            "framework_pair or framework_library, found `" +
                                s + "`"));
}

// Which names a rule's for_each binds.
bool binds(ForEach fe, Binding b) {
  switch (b) {
    case Binding::framework:
      return fe == ForEach::framework || fe == ForEach::framework_device ||
             fe == ForEach::framework_pair || fe == ForEach::framework_library;
    case Binding::other:
      return fe == ForEach::framework_pair;
    case Binding::device:
      return fe == ForEach::device || fe == ForEach::framework_device;
    case Binding::library:
      return fe == ForEach::framework_library;
  }
  return false;
}

std::string_view binding_name(Binding b) {
  switch (b) {
    case Binding::framework:
      return "framework";
    case Binding::other:
      return "other";
    case Binding::device:
      return "device";
    case Binding::library:
      return "library";
  }
  return "";
}

std::string_view binding_hint(Binding b) {
  switch (b) {
    case Binding::framework:
      return "framework";
    case Binding::other:
      return "framework_pair";
    case Binding::device:
      return "device";
    case Binding::library:
      return "framework_library";
  }
  return "";
}

Result<void> check_bindings(const FileContext& f, TableReader& r, const Rule& rule) {
  for (Binding b : {Binding::framework, Binding::other, Binding::device, Binding::library}) {
    if (binds(rule.for_each, b)) {
      continue;
    }
    const std::string message = "`" + std::string(binding_name(b)) +
                                "` is not bound here; add `for_each = \"" +
                                std::string(binding_hint(b)) + "\"`";
    if (const Node* n = rule.when.first_use(b)) {
      Error inner = make_parse_error(message, rule.when.text(), n->begin, n->length);
      return unexpected(f.relocate(r.where("when"), std::move(inner)));
    }
    const std::pair<const char*, const Template*> templates[] = {
        {"title", &rule.title}, {"why", &rule.why}, {"fix", &rule.fix}};
    for (const auto& [key, t] : templates) {
      if (t->uses(b)) {
        return unexpected(f.error(r.where(key), message));
      }
    }
  }
  return {};
}

Result<void> read_rule(const FileContext& f, TableReader& r, Kb& kb) {
  Rule rule;
  MLSTACK_TRY_ASSIGN(rule.entry, r.entry());
  const bool upper = std::all_of(rule.entry.id.begin(), rule.entry.id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || text::is_ascii_digit(c) || c == '-';
  });
  if (!upper || rule.entry.id.find('-') == std::string::npos) {
    return unexpected(f.error(r.where("id"),
                              "rule ids are upper case with a prefix, such as "
                              "`GPU-DRIVER-TOO-OLD`; found `" +
                                  rule.entry.id + "`"));
  }
  MLSTACK_TRY_ASSIGN(std::string severity, r.string("severity"));
  MLSTACK_TRY_ASSIGN(rule.severity, parse_severity(f, r.where("severity"), severity));
  MLSTACK_TRY_ASSIGN(auto for_each, r.optional_string("for_each"));
  MLSTACK_TRY_ASSIGN(
      rule.for_each,
      parse_for_each(f, for_each ? r.where("for_each") : r.where_table(), for_each.value_or("")));
  MLSTACK_TRY_ASSIGN(rule.when, r.parsed<Expression>("when", true));
  if (rule.when.type() != Type::boolean) {
    return unexpected(f.error(r.where("when"), "expected a boolean expression for `when`, found " +
                                                   std::string(to_string(rule.when.type()))));
  }
  MLSTACK_TRY_ASSIGN(rule.title, r.parsed<Template>("title", true));
  MLSTACK_TRY_ASSIGN(rule.why, r.parsed<Template>("why", true));
  MLSTACK_TRY_ASSIGN(rule.fix, r.parsed<Template>("fix", false));
  if (auto ok = check_bindings(f, r, rule); !ok) {
    return unexpected(std::move(ok).error());
  }
  if (!rule.entry.verified && rule.severity != rules::Severity::info) {
    return unexpected(f.error(r.where("severity"),
                              "an unverified rule (`verified = false`) must have severity info"));
  }
  kb.rules.push_back(std::move(rule));
  return {};
}

Result<void> read_table(const FileContext& f, const FlatRow& table, Kb& kb) {
  const std::string_view kind = table.kind;
  TableReader r(f, table);
  if (kind == "rule") {
    if (auto ok = read_rule(f, r, kb); !ok) {
      return unexpected(std::move(ok).error());
    }
    return r.finish();
  }
  MLSTACK_TRY_ASSIGN(Entry e, r.entry());
  if (kind == "toolkit") {
    ToolkitDriver row{std::move(e), {}, {}};
    MLSTACK_TRY_ASSIGN(row.toolkit, r.version("toolkit"));
    MLSTACK_TRY_ASSIGN(row.min_driver, r.version("min_driver"));
    kb.toolkits.push_back(std::move(row));
  } else if (kind == "minor_version_compat") {
    MinorVersionCompat row{std::move(e), 0, {}};
    MLSTACK_TRY_ASSIGN(long major, r.integer("cuda_major"));
    row.cuda_major = static_cast<int>(major);
    MLSTACK_TRY_ASSIGN(row.min_driver, r.version("min_driver"));
    kb.minor_version_compat.push_back(std::move(row));
  } else if (kind == "arch_floor") {
    ArchFloor row{std::move(e), {}, {}};
    MLSTACK_TRY_ASSIGN(row.toolkit, r.version("toolkit"));
    MLSTACK_TRY_ASSIGN(row.min_compute_capability, r.version("min_compute_capability"));
    kb.arch_floors.push_back(std::move(row));
  } else if (kind == "forward_compat") {
    ForwardCompat row{std::move(e), {}, {}};
    MLSTACK_TRY_ASSIGN(row.eligible, r.string("eligible"));
    MLSTACK_TRY_ASSIGN(row.package, r.string("package"));
    kb.forward_compat.push_back(std::move(row));
  } else if (kind == "gpu") {
    GpuModel row{std::move(e), {}, {}, {}};
    MLSTACK_TRY_ASSIGN(row.pattern, r.string("pattern"));
    MLSTACK_TRY_ASSIGN(row.compute_capability, r.version("compute_capability"));
    MLSTACK_TRY_ASSIGN(auto segment, r.optional_string("segment"));
    row.segment = segment.value_or("");
    kb.gpus.push_back(std::move(row));
  } else if (kind == "release") {
    FrameworkRelease row;
    row.entry = std::move(e);
    MLSTACK_TRY_ASSIGN(row.framework, r.string("framework"));
    MLSTACK_TRY_ASSIGN(std::string versions, r.string("versions"));
    auto set = pep440::SpecifierSet::parse(versions);
    if (!set) {
      Error inner = std::move(set).error();
      inner.message = "invalid specifier set `" + versions + "` for `versions`: " + inner.message;
      return unexpected(f.relocate(r.where("versions"), std::move(inner)));
    }
    row.versions = std::move(set).value();
    MLSTACK_TRY_ASSIGN(auto variant, r.optional_string("variant"));
    MLSTACK_TRY_ASSIGN(auto cuda, r.optional_string("cuda"));
    MLSTACK_TRY_ASSIGN(auto cudnn, r.optional_string("cudnn"));
    MLSTACK_TRY_ASSIGN(auto nccl, r.optional_string("nccl"));
    MLSTACK_TRY_ASSIGN(auto python, r.optional_string("python"));
    MLSTACK_TRY_ASSIGN(auto numpy, r.optional_string("numpy"));
    MLSTACK_TRY_ASSIGN(auto index_url, r.optional_string("index_url"));
    MLSTACK_TRY_ASSIGN(row.archs, r.strings("archs"));
    MLSTACK_TRY_ASSIGN(row.pypi, r.optional_boolean("pypi"));
    MLSTACK_TRY_ASSIGN(auto libraries, r.optional_string("libraries"));
    row.libraries = libraries.value_or("");
    if (!row.libraries.empty() && row.libraries != "bundled" && row.libraries != "system" &&
        row.libraries != "wheels") {
      return unexpected(f.error(r.where("libraries"),
                                "expected `libraries` bundled, system or wheels, found `" +
                                    row.libraries + "`"));
    }
    row.index_url = index_url.value_or("");
    row.variant = variant.value_or("");
    row.cuda = cuda.value_or("");
    row.cudnn = cudnn.value_or("");
    row.nccl = nccl.value_or("");
    row.python = python.value_or("");
    row.numpy = numpy.value_or("");
    kb.releases.push_back(std::move(row));
  } else if (kind == "knob") {
    MemoryKnob row{std::move(e), {}, {}, {}, {}, {}};
    MLSTACK_TRY_ASSIGN(row.framework, r.string("framework"));
    MLSTACK_TRY_ASSIGN(row.kind, r.string("kind"));
    MLSTACK_TRY_ASSIGN(row.name, r.string("name"));
    MLSTACK_TRY_ASSIGN(auto values, r.optional_string("values"));
    MLSTACK_TRY_ASSIGN(row.effect, r.string("effect"));
    row.values = values.value_or("");
    kb.memory.push_back(std::move(row));
  } else if (kind == "base_image") {
    BaseImage row;
    row.entry = std::move(e);
    MLSTACK_TRY_ASSIGN(row.image, r.string("image"));
    MLSTACK_TRY_ASSIGN(row.os, r.string("os"));
    MLSTACK_TRY_ASSIGN(auto python, r.optional_string("python"));
    MLSTACK_TRY_ASSIGN(row.python_installed, r.optional_boolean("python_installed"));
    MLSTACK_TRY_ASSIGN(auto cuda, r.optional_string("cuda"));
    MLSTACK_TRY_ASSIGN(auto cudnn, r.optional_string("cudnn"));
    row.python = python.value_or("");
    row.cuda = cuda.value_or("");
    row.cudnn = cudnn.value_or("");
    kb.base_images.push_back(std::move(row));
  } else if (kind == "pin") {
    Pin row;
    row.entry = std::move(e);
    MLSTACK_TRY_ASSIGN(row.framework, r.string("framework"));
    MLSTACK_TRY_ASSIGN(row.versions, r.specifier_set("versions"));
    MLSTACK_TRY_ASSIGN(row.package, r.string("package"));
    MLSTACK_TRY_ASSIGN(row.required, r.specifier_set("requires"));
    MLSTACK_TRY_ASSIGN(row.declared, r.boolean("declared"));
    MLSTACK_TRY_ASSIGN(row.why, r.string("why"));
    kb.pins.push_back(std::move(row));
  } else if (kind == "launch") {
    LaunchSetting row;
    row.entry = std::move(e);
    MLSTACK_TRY_ASSIGN(row.framework, r.string("framework"));
    MLSTACK_TRY_ASSIGN(auto versions, r.optional_string("versions"));
    if (versions) {
      auto set = pep440::SpecifierSet::parse(*versions);
      if (!set) {
        Error inner = std::move(set).error();
        inner.message =
            "invalid specifier set `" + *versions + "` for `versions`: " + inner.message;
        return unexpected(f.relocate(r.where("versions"), std::move(inner)));
      }
      row.versions = std::move(set).value();
    }
    MLSTACK_TRY_ASSIGN(row.name, r.string("name"));
    MLSTACK_TRY_ASSIGN(auto value, r.optional_string("value"));
    MLSTACK_TRY_ASSIGN(auto group, r.optional_string("group"));
    MLSTACK_TRY_ASSIGN(row.why, r.string("why"));
    row.value = value.value_or("");
    row.group = group.value_or(row.name);
    kb.launch.push_back(std::move(row));
  }
  return r.finish();
}

}  // namespace

Error unknown_table(const FileContext& file, Where w, std::string_view kind) {
  return file.error(w, "unknown table `" + std::string(kind) +
                           "`; expected [[toolkit]], [[minor_version_compat]], "
                           "[[arch_floor]], [[forward_compat]], [[gpu]], [[release]], "
                           "[[knob]], [[base_image]], [[pin]], [[launch]] or [[rule]]");
}

bool is_known_kind(std::string_view kind) noexcept {
  return std::find(std::begin(k_kinds), std::end(k_kinds), kind) != std::end(k_kinds);
}

Result<void> read_rows(Kb& kb, const FileContext& file, const std::vector<FlatRow>& rows) {
  for (const FlatRow& row : rows) {
    if (!is_known_kind(row.kind)) {
      return unexpected(unknown_table(file, row.where, row.kind));
    }
    if (auto ok = read_table(file, row, kb); !ok) {
      return unexpected(std::move(ok).error());
    }
  }
  return {};
}

}  // namespace detail

Result<void> add_kb_rows(Kb& kb, const FlatFile& file) {
  const detail::FileContext context(file.name, file.text);
  if (auto ok = detail::read_rows(kb, context, file.rows); !ok) {
    return unexpected(std::move(ok).error());
  }
  kb.files.emplace_back(file.name);
  return {};
}

}  // namespace mlstack::kb
