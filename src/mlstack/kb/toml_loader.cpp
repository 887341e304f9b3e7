// SPDX-License-Identifier: MIT
// The toml++ adapter: the only file that includes toml++. It is compiled header-only with
// TOML_EXCEPTIONS=0 (see CMakeLists.txt), so no exception leaves it and the binary does not
// need libtomlplusplus.so at run time.
#include "mlstack/base/text.hpp"
#include "mlstack/kb/kb.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlstack::kb {
namespace {

// Positions are 1-based as toml++ reports them.
struct Where {
  long line = 0;
  long column = 0;
};

class FileContext {
 public:
  FileContext(std::string_view name, std::string_view text)
      : m_name(name), m_lines(text::split_lines(text)) {}

  [[nodiscard]] const std::string& name() const noexcept { return m_name; }

  [[nodiscard]] std::string_view line_text(long line) const {
    if (line < 1 || static_cast<std::size_t>(line) > m_lines.size()) {
      return {};
    }
    return m_lines[static_cast<std::size_t>(line - 1)];
  }

  // `name:line:column: message` and the line with a caret under `length` characters.
  [[nodiscard]] Error error(Where w, std::string message, std::size_t length = 1) const {
    const std::size_t col = w.column > 0 ? static_cast<std::size_t>(w.column - 1) : 0;
    Error e = make_parse_error(std::move(message), std::string(line_text(w.line)), col, length);
    return with_context(std::move(e),
                        m_name + ":" + std::to_string(w.line) + ":" + std::to_string(w.column));
  }

  // Maps an error inside a string value (the expression or template) to the file: the
  // value starts at `w` (its opening quote). Exact for literal strings ('...', '''...''') and
  // for basic strings without escapes.
  [[nodiscard]] Error relocate(Where w, Error inner) const {
    std::size_t offset = inner.span ? inner.span->begin : 0;
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
    (void)offset;
    return error({line_no, column}, std::move(inner.message), length);
  }

 private:
  std::string m_name;
  std::vector<std::string_view> m_lines;
};

Where where_of(const toml::node& n) {
  const auto& b = n.source().begin;
  return {static_cast<long>(b.line), static_cast<long>(b.column)};
}

// Reads the keys of one `[[kind]]` table, remembering which were used so that unknown keys
// (typos) are errors.
class TableReader {
 public:
  TableReader(const FileContext& file, const toml::table& table, std::string_view kind)
      : m_file(file), m_table(table), m_kind(kind) {}

  Result<std::optional<std::string>> optional_string(std::string_view key) {
    m_used.insert(std::string(key));
    const toml::node* n = m_table.get(key);
    if (n == nullptr) {
      return std::optional<std::string>();
    }
    if (!n->is_string()) {
      return unexpected(
          m_file.error(where_of(*n), "expected a string for `" + std::string(key) + "`"));
    }
    return std::optional<std::string>(n->as_string()->get());
  }

  Result<std::string> string(std::string_view key) {
    MLSTACK_TRY_ASSIGN(auto v, optional_string(key));
    if (!v) {
      return unexpected(missing(key));
    }
    return *v;
  }

  Result<bool> boolean(std::string_view key) {
    m_used.insert(std::string(key));
    const toml::node* n = m_table.get(key);
    if (n == nullptr) {
      return unexpected(missing(key));
    }
    if (!n->is_boolean()) {
      return unexpected(
          m_file.error(where_of(*n), "expected `true` or `false` for `" + std::string(key) + "`"));
    }
    return n->as_boolean()->get();
  }

  Result<long> integer(std::string_view key) {
    m_used.insert(std::string(key));
    const toml::node* n = m_table.get(key);
    if (n == nullptr) {
      return unexpected(missing(key));
    }
    if (!n->is_integer()) {
      return unexpected(
          m_file.error(where_of(*n), "expected an integer for `" + std::string(key) + "`"));
    }
    return static_cast<long>(n->as_integer()->get());
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
    return KbVersion{std::move(v).value(), text};
  }

  Result<std::vector<std::string>> strings(std::string_view key) {
    m_used.insert(std::string(key));
    std::vector<std::string> out;
    const toml::node* n = m_table.get(key);
    if (n == nullptr) {
      return out;
    }
    const toml::array* a = n->as_array();
    if (a == nullptr) {
      return unexpected(m_file.error(
          where_of(*n), "expected an array of strings for `" + std::string(key) + "`"));
    }
    for (const toml::node& el : *a) {
      if (!el.is_string()) {
        return unexpected(
            m_file.error(where_of(el), "expected a string in `" + std::string(key) + "`"));
      }
      out.push_back(el.as_string()->get());
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
      return unexpected(m_file.relocate(where_of(*m_table.get(key)), std::move(r).error()));
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
    e.line = where_of(*m_table.get("id")).line;
    if (e.id.empty() || !std::all_of(e.id.begin(), e.id.end(), [](char c) {
          return text::is_ascii_alnum(c) || c == '-' || c == '_' || c == '.';
        })) {
      return unexpected(
          m_file.error(where_of(*m_table.get("id")),
                       "invalid id `" + e.id + "`; use letters, digits, `-`, `_`, `.`"));
    }
    if (text::trim(e.source).empty()) {
      return unexpected(m_file.error(where_of(*m_table.get("source")), "`source` is empty"));
    }
    static const std::set<std::string> k_grades = {"", "V", "V-dev", "S", "S-weak", "U"};
    if (!k_grades.contains(e.grade)) {
      return unexpected(
          m_file.error(where_of(*m_table.get("grade")),
                       "expected `grade` V, V-dev, S, S-weak or U, found `" + e.grade + "`"));
    }
    if (e.grade == "U" && e.verified) {
      return unexpected(m_file.error(where_of(*m_table.get("verified")),
                                     "an entry graded U cannot be `verified = true`"));
    }
    return e;
  }

  Result<void> finish() const {
    for (const auto& [key, value] : m_table) {
      if (!m_used.contains(std::string(key.str()))) {
        return unexpected(m_file.error(
            where_of(value), "unknown key `" + std::string(key.str()) + "` in [[" + m_kind + "]]"));
      }
    }
    return {};
  }

  [[nodiscard]] Where where(std::string_view key) const { return where_of(*m_table.get(key)); }
  [[nodiscard]] Where where_table() const { return where_of(m_table); }

 private:
  Error missing(std::string_view key) const {
    return m_file.error(where_of(m_table),
                        "missing key `" + std::string(key) + "` in [[" + m_kind + "]]");
  }

  const FileContext& m_file;
  const toml::table& m_table;
  std::string m_kind;
  std::set<std::string> m_used;
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
  return unexpected(f.error(w,
                            "expected `for_each` framework, device, framework_device or "
                            "framework_pair, found `" +
                                s + "`"));
}

// Which names a rule's for_each binds.
bool binds(ForEach fe, Binding b) {
  switch (b) {
    case Binding::framework:
      return fe == ForEach::framework || fe == ForEach::framework_device ||
             fe == ForEach::framework_pair;
    case Binding::other:
      return fe == ForEach::framework_pair;
    case Binding::device:
      return fe == ForEach::device || fe == ForEach::framework_device;
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
  }
  return "";
}

Result<void> check_bindings(const FileContext& f, TableReader& r, const Rule& rule) {
  for (Binding b : {Binding::framework, Binding::other, Binding::device}) {
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

Result<void> read_table(const FileContext& f, std::string_view kind, const toml::table& t, Kb& kb) {
  TableReader r(f, t, kind);
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
    MLSTACK_TRY_ASSIGN(row.archs, r.strings("archs"));
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
  }
  return r.finish();
}

constexpr std::string_view k_kinds[] = {
    "toolkit", "minor_version_compat", "arch_floor", "forward_compat", "gpu", "release", "knob",
    "rule"};

}  // namespace

Result<void> add_kb_text(Kb& kb, std::string_view name, std::string_view text) {
  const FileContext file(name, text);
  toml::parse_result parsed = toml::parse(text, std::string(name));
  if (!parsed) {
    const toml::parse_error& err = parsed.error();
    const Where w{static_cast<long>(err.source().begin.line),
                  static_cast<long>(err.source().begin.column)};
    return unexpected(file.error(w, std::string(err.description())));
  }
  const toml::table& root = parsed.table();
  for (const auto& [key, value] : root) {
    const std::string_view kind = key.str();
    if (std::find(std::begin(k_kinds), std::end(k_kinds), kind) == std::end(k_kinds)) {
      return unexpected(file.error(where_of(value),
                                   "unknown table `" + std::string(kind) +
                                       "`; expected [[toolkit]], [[minor_version_compat]], "
                                       "[[arch_floor]], [[forward_compat]], [[gpu]], [[release]], "
                                       "[[knob]] or [[rule]]"));
    }
    const toml::array* rows = value.as_array();
    if (rows == nullptr || !rows->is_array_of_tables()) {
      return unexpected(
          file.error(where_of(value), "expected `[[" + std::string(kind) + "]]` tables"));
    }
    for (const toml::node& row : *rows) {
      if (auto ok = read_table(file, kind, *row.as_table(), kb); !ok) {
        return unexpected(std::move(ok).error());
      }
    }
  }
  kb.files.emplace_back(name);
  return {};
}

}  // namespace mlstack::kb
