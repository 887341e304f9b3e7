// SPDX-License-Identifier: MIT
#include "mlstack/pep440/version.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/pep440/detail/python_space.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <utility>

namespace mlstack::pep440 {
namespace {

constexpr bool is_separator(char c) noexcept { return c == '.' || c == '_' || c == '-'; }

struct Spelling {
  std::string_view text;
  Version::PreKind kind;
};

// In the order of packaging's regex alternation: the first spelling that matches wins.
constexpr std::array k_pre_spellings{
    Spelling{"alpha", Version::PreKind::a},    Spelling{"a", Version::PreKind::a},
    Spelling{"beta", Version::PreKind::b},     Spelling{"b", Version::PreKind::b},
    Spelling{"preview", Version::PreKind::rc}, Spelling{"pre", Version::PreKind::rc},
    Spelling{"c", Version::PreKind::rc},       Spelling{"rc", Version::PreKind::rc},
};
constexpr std::array<std::string_view, 3> k_post_spellings{"post", "rev", "r"};

/// A cursor over the version text; errors point into the caller's whole input.
class Scanner {
 public:
  Scanner(std::string_view text, std::string_view input, std::size_t offset) noexcept
      : m_text(text), m_input(input), m_offset(offset) {}

  [[nodiscard]] std::size_t pos() const noexcept { return m_pos; }
  void seek(std::size_t pos) noexcept { m_pos = pos; }
  [[nodiscard]] bool at_end() const noexcept { return m_pos >= m_text.size(); }
  [[nodiscard]] char at(std::size_t i) const noexcept {
    return i < m_text.size() ? m_text[i] : '\0';
  }
  [[nodiscard]] char peek() const noexcept { return at(m_pos); }

  [[nodiscard]] std::size_t digits_at(std::size_t i) const noexcept {
    std::size_t n = 0;
    while (text::is_ascii_digit(at(i + n))) {
      ++n;
    }
    return n;
  }
  [[nodiscard]] std::size_t alnums_at(std::size_t i) const noexcept {
    std::size_t n = 0;
    while (text::is_ascii_alnum(at(i + n))) {
      ++n;
    }
    return n;
  }
  [[nodiscard]] bool keyword_at(std::size_t i, std::string_view word) const noexcept {
    return i + word.size() <= m_text.size() && text::iequals(m_text.substr(i, word.size()), word);
  }

  /// The value of the `n` digits at `i`. Past Python's limit on `int()` digits it is 0 and
  /// the first such number is remembered: packaging raises on it only once its regex has
  /// matched the whole version, so `error_if_too_long` is asked at the end.
  [[nodiscard]] Number number(std::size_t i, std::size_t n) {
    if (n <= k_python_int_max_str_digits) {
      return Number::from_digits(m_text.substr(i, n));
    }
    if (!m_too_long) {
      m_too_long = std::pair{i, n};
    }
    return {};
  }
  [[nodiscard]] std::optional<Error> error_if_too_long() const {
    if (!m_too_long) {
      return std::nullopt;
    }
    const auto [i, n] = *m_too_long;
    Error e = make_parse_error(python_int_digits_error(n), std::string(m_input), m_offset + i, n);
    e.code = ErrorCode::unsupported;
    return e;
  }

  [[nodiscard]] std::string found(std::size_t i) const {
    if (i >= m_text.size()) {
      return "end of input";
    }
    return "`" + std::string(m_text.substr(i, detail::utf8_char_length(m_text, i))) + "`";
  }
  [[nodiscard]] Error error(std::string expected, std::size_t i) const {
    return make_parse_error("expected " + std::move(expected) + ", found " + found(i),
                            std::string(m_input), m_offset + i, 1);
  }

 private:
  std::string_view m_text;
  std::string_view m_input;
  std::size_t m_offset;
  std::size_t m_pos = 0;
  std::optional<std::pair<std::size_t, std::size_t>> m_too_long;  // position, digit count
};

// An optional `SEP? word SEP? N?` group (pre, post and dev): the length of the spelling matched
// and the number, or nothing when the group does not start here. Separators are taken greedily
// as packaging's possessive regex does.
struct Tagged {
  std::size_t spelling = 0;  // index into the spellings
  Number number;
  std::size_t end = 0;
};

template <class Spellings, class Text>
std::optional<Tagged> scan_tagged(Scanner& s, const Spellings& spellings, Text spelling_text) {
  std::size_t i = s.pos();
  if (is_separator(s.at(i))) {
    ++i;
  }
  for (std::size_t k = 0; k < spellings.size(); ++k) {
    const std::string_view word = spelling_text(spellings[k]);
    if (!s.keyword_at(i, word)) {
      continue;
    }
    Tagged t;
    t.spelling = k;
    i += word.size();
    if (is_separator(s.at(i))) {
      ++i;
    }
    if (const std::size_t n = s.digits_at(i); n > 0) {
      t.number = s.number(i, n);
      i += n;
    }
    t.end = i;
    return t;
  }
  return std::nullopt;
}

void append_release(std::string& out, const Number& epoch, const std::vector<Number>& r,
                    std::size_t count) {
  if (!epoch.is_zero()) {
    epoch.append_to(out);
    out += '!';
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) {
      out += '.';
    }
    r[i].append_to(out);
  }
}

void append_suffixes(std::string& out, const Version& v) {
  if (const auto& pre = v.pre()) {
    constexpr std::array<std::string_view, 3> k_names{"a", "b", "rc"};
    out += k_names[static_cast<std::size_t>(pre->kind)];
    pre->number.append_to(out);
  }
  if (const auto& post = v.post()) {
    out += ".post";
    post->append_to(out);
  }
  if (const auto& dev = v.dev()) {
    out += ".dev";
    dev->append_to(out);
  }
}

// The suffix of packaging's `_cmpkey`, compared in place (no copies of the numbers); see the
// comment on `operator<=>` in the header.
int pre_rank(const Version& v) noexcept {
  if (v.pre()) {
    return static_cast<int>(v.pre()->kind);
  }
  return (!v.post() && v.dev()) ? -1 : 3;  // a dev-only release sorts before every a/b/rc
}

std::strong_ordering compare_optional(const std::optional<Number>& a,
                                      const std::optional<Number>& b) noexcept {
  static const Number k_zero;
  return (a ? *a : k_zero) <=> (b ? *b : k_zero);
}

std::strong_ordering compare_suffix(const Version& a, const Version& b) noexcept {
  if (const auto c = pre_rank(a) <=> pre_rank(b); c != 0) {
    return c;
  }
  if (a.pre() && b.pre()) {  // same rank: both have a pre-release of the same kind
    if (const auto c = a.pre()->number <=> b.pre()->number; c != 0) {
      return c;
    }
  }
  // post_rank (0 none, 1 some) then post_n
  if (const auto c = a.post().has_value() <=> b.post().has_value(); c != 0) {
    return c;
  }
  if (const auto c = compare_optional(a.post(), b.post()); c != 0) {
    return c;
  }
  // dev_rank (0 some, 1 none) then dev_n
  if (const auto c = b.dev().has_value() <=> a.dev().has_value(); c != 0) {
    return c;
  }
  return compare_optional(a.dev(), b.dev());
}

std::strong_ordering compare_release(const std::vector<Number>& a,
                                     const std::vector<Number>& b) noexcept {
  static const Number k_zero;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const Number& x = i < a.size() ? a[i] : k_zero;
    const Number& y = i < b.size() ? b[i] : k_zero;
    if (const auto c = x <=> y; c != 0) {
      return c;
    }
  }
  return std::strong_ordering::equal;
}

std::strong_ordering compare_local(const std::vector<Version::LocalSegment>& a,
                                   const std::vector<Version::LocalSegment>& b) noexcept {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto& x = a[i];
    const auto& y = b[i];
    if (x.is_number != y.is_number) {
      return x.is_number ? std::strong_ordering::greater : std::strong_ordering::less;
    }
    const auto c = x.is_number ? x.number <=> y.number : x.text.compare(y.text) <=> 0;
    if (c != 0) {
      return c;
    }
  }
  return a.size() <=> b.size();
}

}  // namespace

namespace detail {

Result<Version> parse_version_exact(std::string_view text, std::string_view input,
                                    std::size_t offset, bool* too_long) {
  Scanner s(text, input, offset);
  Version v;
  v.m_release.reserve(4);
  if (s.peek() == 'v' || s.peek() == 'V') {
    s.seek(1);
  }
  std::size_t n = s.digits_at(s.pos());
  if (n == 0) {
    return unexpected(s.error("version number", s.pos()));
  }
  if (s.at(s.pos() + n) == '!') {
    v.m_epoch = s.number(s.pos(), n);
    s.seek(s.pos() + n + 1);
    n = s.digits_at(s.pos());
    if (n == 0) {
      return unexpected(s.error("release number after `!`", s.pos()));
    }
  }
  while (true) {
    v.m_release.push_back(s.number(s.pos(), n));
    s.seek(s.pos() + n);
    if (s.peek() != '.' || !text::is_ascii_digit(s.at(s.pos() + 1))) {
      break;
    }
    s.seek(s.pos() + 1);
    n = s.digits_at(s.pos());
  }

  auto pre = scan_tagged(s, k_pre_spellings, [](const Spelling& x) { return x.text; });
  if (pre) {
    v.m_pre = Version::Pre{k_pre_spellings[pre->spelling].kind, std::move(pre->number)};
    s.seek(pre->end);
  }

  // The implicit post-release `1.0-1` is tried before the spelled forms.
  if (s.peek() == '-' && (n = s.digits_at(s.pos() + 1)) > 0) {
    v.m_post = s.number(s.pos() + 1, n);
    s.seek(s.pos() + 1 + n);
  } else {
    auto post = scan_tagged(s, k_post_spellings, [](std::string_view x) { return x; });
    if (post) {
      v.m_post = std::move(post->number);
      s.seek(post->end);
    }
  }

  constexpr std::array<std::string_view, 1> k_dev{"dev"};
  auto dev = scan_tagged(s, k_dev, [](std::string_view x) { return x; });
  if (dev) {
    v.m_dev = std::move(dev->number);
    s.seek(dev->end);
  }

  if (s.peek() == '+') {
    s.seek(s.pos() + 1);
    while (true) {
      n = s.alnums_at(s.pos());
      if (n == 0) {
        const std::string after(1, s.at(s.pos() - 1));
        return unexpected(s.error("local version segment after `" + after + "`", s.pos()));
      }
      const std::string_view part = text.substr(s.pos(), n);
      Version::LocalSegment seg{false, {}, {}};
      if (s.digits_at(s.pos()) == n) {
        seg.is_number = true;
        seg.number = s.number(s.pos(), n);
      } else {
        seg.text = text::to_lower(part);
      }
      v.m_local.push_back(std::move(seg));
      s.seek(s.pos() + n);
      if (!is_separator(s.peek())) {
        break;
      }
      s.seek(s.pos() + 1);
    }
  }

  if (!s.at_end()) {
    return unexpected(s.error("end of version", s.pos()));
  }
  if (auto error = s.error_if_too_long()) {
    if (too_long == nullptr) {
      return unexpected(std::move(*error));
    }
    *too_long = true;
  }
  return v;
}

}  // namespace detail

Result<Version> Version::parse(std::string_view text) {
  const std::string_view stripped = detail::python_strip(text);
  const auto offset = static_cast<std::size_t>(stripped.data() - text.data());
  if (stripped.empty()) {
    return unexpected(
        make_parse_error("expected version, found end of input", std::string(text), text.size()));
  }
  return detail::parse_version_exact(stripped, text, offset);
}

const Number& Version::epoch() const noexcept { return m_epoch; }
const std::vector<Number>& Version::release() const noexcept { return m_release; }
std::uint64_t Version::release_part(std::size_t i) const noexcept {
  return i < m_release.size() ? m_release[i].saturated() : 0;
}
const std::optional<Version::Pre>& Version::pre() const noexcept { return m_pre; }
const std::optional<Number>& Version::post() const noexcept { return m_post; }
const std::optional<Number>& Version::dev() const noexcept { return m_dev; }
const std::vector<Version::LocalSegment>& Version::local() const noexcept { return m_local; }

bool Version::is_prerelease() const noexcept { return m_pre.has_value() || m_dev.has_value(); }
bool Version::is_postrelease() const noexcept { return m_post.has_value(); }
bool Version::is_devrelease() const noexcept { return m_dev.has_value(); }

std::string Version::to_string() const {
  std::string out = public_version();
  if (!m_local.empty()) {
    out += '+';
    out += local_string();
  }
  return out;
}

std::string Version::base_version() const {
  std::string out;
  append_release(out, m_epoch, m_release, m_release.size());
  return out;
}

std::string Version::public_version() const {
  std::string out;
  out.reserve(16);
  append_release(out, m_epoch, m_release, m_release.size());
  append_suffixes(out, *this);
  return out;
}

std::string Version::local_string() const {
  std::string out;
  for (const auto& seg : m_local) {
    if (!out.empty()) {
      out += '.';
    }
    if (seg.is_number) {
      seg.number.append_to(out);
    } else {
      out += seg.text;
    }
  }
  return out;
}

std::string Version::canonical_string() const {
  std::size_t count = m_release.size();
  while (count > 1 && m_release[count - 1].is_zero()) {
    --count;
  }
  std::string out;
  append_release(out, m_epoch, m_release, count);
  append_suffixes(out, *this);
  if (!m_local.empty()) {
    out += '+';
    out += local_string();
  }
  return out;
}

Version Version::with_dev(std::uint64_t dev) const {
  Version out;
  out.m_epoch = m_epoch;
  out.m_release = m_release;
  out.m_pre = m_pre;
  out.m_post = m_post;
  out.m_dev = dev;
  return out;
}

std::strong_ordering Version::compare_public(const Version& a, const Version& b) noexcept {
  if (const auto c = a.m_epoch <=> b.m_epoch; c != 0) {
    return c;
  }
  if (const auto c = compare_release(a.m_release, b.m_release); c != 0) {
    return c;
  }
  return compare_suffix(a, b);
}

std::strong_ordering operator<=>(const Version& a, const Version& b) noexcept {
  if (const auto c = Version::compare_public(a, b); c != 0) {
    return c;
  }
  return compare_local(a.m_local, b.m_local);
}

bool operator==(const Version& a, const Version& b) noexcept { return (a <=> b) == 0; }

}  // namespace mlstack::pep440
