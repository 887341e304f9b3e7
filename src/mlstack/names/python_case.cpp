// SPDX-License-Identifier: MIT
#include "mlstack/names/python_case.hpp"

#include "mlstack/base/text.hpp"
#include "mlstack/names/package_name.hpp"

#include <algorithm>
#include <atomic>
#include <dlfcn.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/uvernum.h>

namespace mlstack::names {
namespace {

// ICU's C functions carry its major version (`u_strToLower_72`, U_DISABLE_RENAMING is off in
// Debian's build): the header's macro gives the name to look up.
#define MLSTACK_ICU_STR2(x) #x
#define MLSTACK_ICU_SYMBOL(f) MLSTACK_ICU_STR2(f)

// The soname of the libicu-dev the build used (Debian 12: libicu72).
constexpr const char* k_library = "libicuuc.so." U_ICU_VERSION_SHORT;

// The ICU functions used, looked up once with dlopen/dlsym: the types come from ICU's headers
// (a signature change is a compile error) and nothing is linked, so a run whose names are all
// ASCII does not load ICU and its libraries at start-up (about 1-2 ms).
struct Icu {
  decltype(&::u_strToLower) str_to_lower = nullptr;
  decltype(&::u_hasBinaryProperty) has_binary_property = nullptr;
  decltype(&::u_tolower) to_lower = nullptr;
  decltype(&::u_toupper) to_upper = nullptr;
  std::string load_error;  // non-empty when the library or a symbol is missing
};

template <class F>
void lookup(void* handle, const char* name, F& out, std::string& error) {
  // POSIX guarantees that a dlsym result converts to a function pointer.
  out = reinterpret_cast<F>(::dlsym(handle, name));
  if (out == nullptr && error.empty()) {
    error = std::string(k_library) + " has no `" + name + "`";
  }
}

std::atomic<bool> g_icu_needed{false};

const Icu& icu() {
  g_icu_needed = true;
  static const Icu lib = [] {
    Icu l;
    void* handle = ::dlopen(k_library, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      l.load_error = std::string(k_library) + " could not be loaded (" +
                     (why != nullptr ? why : "unknown dlopen error") +
                     "); install Debian's libicu" U_ICU_VERSION_SHORT;
      return l;
    }
    lookup(handle, MLSTACK_ICU_SYMBOL(u_strToLower), l.str_to_lower, l.load_error);
    lookup(handle, MLSTACK_ICU_SYMBOL(u_hasBinaryProperty), l.has_binary_property, l.load_error);
    lookup(handle, MLSTACK_ICU_SYMBOL(u_tolower), l.to_lower, l.load_error);
    lookup(handle, MLSTACK_ICU_SYMBOL(u_toupper), l.to_upper, l.load_error);
    return l;  // the handle stays open for the life of the process
  }();
  return lib;
}

bool is_ascii(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// A byte that is not part of valid UTF-8 becomes U+DC80..U+DCFF, as Python's surrogateescape.
constexpr char32_t k_escape_base = 0xDC00;

// Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF), as Python decodes.
std::u32string decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const text::Utf8Char c = text::decode_utf8(s, i);
    if (c.length == 0) {
      out.push_back(k_escape_base + static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    out.push_back(c.code_point);
    i += c.length;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp >= k_escape_base + 0x80 && cp <= k_escape_base + 0xFF) {
    out.push_back(static_cast<char>(cp - k_escape_base));  // an escaped byte, as it was
  } else if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0U | (cp >> 6U)));
    out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0U | (cp >> 12U)));
    out.push_back(static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
  } else {
    out.push_back(static_cast<char>(0xF0U | (cp >> 18U)));
    out.push_back(static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
  }
}

void append_utf16(std::u16string& out, char32_t cp) {
  if (cp < 0x10000) {
    out.push_back(static_cast<char16_t>(cp));  // a lone (escape) surrogate too
  } else {
    out.push_back(static_cast<char16_t>(0xD800U + ((cp - 0x10000U) >> 10U)));
    out.push_back(static_cast<char16_t>(0xDC00U + ((cp - 0x10000U) & 0x3FFU)));
  }
}

// ICU's full lowercase of the root locale for `cps[begin, end)`, which holds no capital sigma
// (the only context-dependent mapping of the root locale), appended to `out`.
void lower_run(const Icu& lib, const std::u32string& cps, std::size_t begin, std::size_t end,
               std::u32string& out) {
  if (begin == end) {
    return;
  }
  std::u16string src;
  for (std::size_t i = begin; i < end; ++i) {
    append_utf16(src, cps[i]);
  }
  std::u16string dst(src.size() * 3 + 4, u'\0');
  UErrorCode status = U_ZERO_ERROR;
  int32_t n = lib.str_to_lower(dst.data(), static_cast<int32_t>(dst.size()), src.data(),
                               static_cast<int32_t>(src.size()), "", &status);
  if (status == U_BUFFER_OVERFLOW_ERROR) {
    dst.assign(static_cast<std::size_t>(n) + 1, u'\0');
    status = U_ZERO_ERROR;
    n = lib.str_to_lower(dst.data(), static_cast<int32_t>(dst.size()), src.data(),
                         static_cast<int32_t>(src.size()), "", &status);
  }
  if (U_FAILURE(status)) {
    out.append(cps, begin, end - begin);  // cannot happen with a large enough buffer
    return;
  }
  for (int32_t i = 0; i < n;) {
    const char16_t u = dst[static_cast<std::size_t>(i)];
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n && dst[static_cast<std::size_t>(i) + 1] >= 0xDC00 &&
        dst[static_cast<std::size_t>(i) + 1] <= 0xDFFF) {
      const char16_t low = dst[static_cast<std::size_t>(i) + 1];
      out.push_back(0x10000U + ((static_cast<char32_t>(u) - 0xD800U) << 10U) + (low - 0xDC00U));
      i += 2;
    } else {
      out.push_back(u);
      ++i;
    }
  }
}

// CPython's `handle_capital_sigma`: U+03A3 at `i` is final when
// \p{cased} \p{case-ignorable}* U+03A3 !(\p{case-ignorable}* \p{cased}).
bool is_final_sigma(const Icu& lib, const std::u32string& cps, std::size_t i) {
  const auto ignorable = [&](char32_t c) {
    return lib.has_binary_property(static_cast<UChar32>(c), UCHAR_CASE_IGNORABLE) != 0;
  };
  const auto cased = [&](char32_t c) {
    return lib.has_binary_property(static_cast<UChar32>(c), UCHAR_CASED) != 0;
  };
  std::size_t j = i;
  while (j > 0 && ignorable(cps[j - 1])) {
    --j;
  }
  if (j == 0 || !cased(cps[j - 1])) {
    return false;
  }
  j = i + 1;
  while (j < cps.size() && ignorable(cps[j])) {
    ++j;
  }
  return j == cps.size() || !cased(cps[j]);
}

std::string lower_without_icu(std::string_view text) { return text::to_lower(text); }

bool is_ascii_alnum32(char32_t c) noexcept {
  return c < 0x80 && text::is_ascii_alnum(static_cast<char>(c));
}

}  // namespace

std::string python_lower(std::string_view text) {
  if (is_ascii(text)) {
    return text::to_lower(text);
  }
  const Icu& lib = icu();
  if (!lib.load_error.empty()) {
    return lower_without_icu(text);
  }
  const std::u32string cps = decode(text);
  std::u32string lowered;
  lowered.reserve(cps.size() + 4);
  std::size_t run = 0;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (cps[i] == 0x03A3) {  // GREEK CAPITAL LETTER SIGMA
      lower_run(lib, cps, run, i, lowered);
      lowered.push_back(is_final_sigma(lib, cps, i) ? 0x03C2 : 0x03C3);
      run = i + 1;
    }
  }
  lower_run(lib, cps, run, cps.size(), lowered);
  std::string out;
  out.reserve(text.size() + 4);
  for (const char32_t c : lowered) {
    append_utf8(out, c);
  }
  return out;
}

bool matches_pip_name_pattern(std::string_view name) {
  if (!name.empty() && name.back() == '\n') {
    name.remove_suffix(1);  // `$` also matches before a final newline
  }
  if (is_ascii(name)) {
    return is_valid_project_name(name);  // the same pattern, and the hot path
  }
  const std::u32string cps = decode(name);
  const Icu* lib = &icu();
  // `[A-Z0-9]` with re.IGNORECASE: `re` lowercases the character (simple mapping) and also
  // accepts the lowercase letters whose uppercase is in the class (`ı`, `ſ`).
  const auto alnum = [&](char32_t c) {
    if (c < 0x80) {
      return is_ascii_alnum32(c);
    }
    if (!lib->load_error.empty()) {
      return false;
    }
    const auto lower = static_cast<char32_t>(lib->to_lower(static_cast<UChar32>(c)));
    if (lower < 0x80) {
      return is_ascii_alnum32(lower);
    }
    const auto upper = static_cast<char32_t>(lib->to_upper(static_cast<UChar32>(lower)));
    return upper < 0x80 && text::is_ascii_alpha(static_cast<char>(upper));
  };
  const auto separator = [](char32_t c) { return c == '.' || c == '_' || c == '-'; };
  if (!alnum(cps.front()) || !alnum(cps.back())) {
    return false;
  }
  return std::all_of(cps.begin(), cps.end(), [&](char32_t c) { return alnum(c) || separator(c); });
}

std::optional<std::string> unicode_case_error() {
  if (!g_icu_needed) {
    return std::nullopt;
  }
  const Icu& lib = icu();
  if (lib.load_error.empty()) {
    return std::nullopt;
  }
  return lib.load_error;
}

}  // namespace mlstack::names
