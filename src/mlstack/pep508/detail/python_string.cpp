// SPDX-License-Identifier: MIT
#include "mlstack/pep508/detail/python_string.hpp"

#include "mlstack/base/text.hpp"

#include <algorithm>
#include <cstdint>

namespace mlstack::pep508::detail {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80U) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800U) {
    out += static_cast<char>(0xC0U | (cp >> 6U));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else if (cp < 0x10000U) {
    out += static_cast<char>(0xE0U | (cp >> 12U));
    out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else {
    out += static_cast<char>(0xF0U | (cp >> 18U));
    out += static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU));
    out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  }
}

}  // namespace

bool decode_python_string(std::string_view token, std::string& out) {
  if (token.size() < 2) {
    return false;
  }
  const std::string_view body = token.substr(1, token.size() - 2);
  // Nearly every marker value has no escape and no character Python rejects: it is its own
  // value.
  if (std::none_of(body.begin(), body.end(),
                   [](char c) { return c == '\\' || c == '\0' || c == '\n' || c == '\r'; })) {
    out.assign(body);
    return true;
  }
  out.clear();
  out.reserve(body.size());
  std::size_t i = 0;
  while (i < body.size()) {
    const char c = body[i];
    if (c == '\0' || c == '\n' || c == '\r') {
      return false;
    }
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 >= body.size()) {
      return false;  // the backslash escapes the closing quote: unterminated
    }
    const char e = body[i + 1];
    i += 2;
    switch (e) {
      case '\n':
        break;
      case '\r':
        if (i < body.size() && body[i] == '\n') {
          ++i;
        }
        break;
      case '\\':
      case '\'':
      case '"':
        out += e;
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
      case 'u':
      case 'U': {
        const std::size_t digits = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < digits; ++k) {
          if (i + k >= body.size() || text::hex_digit_value(body[i + k]) < 0) {
            return false;
          }
          cp = (cp << 4U) | static_cast<std::uint32_t>(text::hex_digit_value(body[i + k]));
        }
        if (cp > 0x10FFFFU) {
          return false;
        }
        i += digits;
        append_utf8(out, cp);
        break;
      }
      case 'N':
        return false;
      default:
        if (e >= '0' && e <= '7') {
          std::uint32_t cp = static_cast<std::uint32_t>(e - '0');
          for (int k = 0; k < 2 && i < body.size() && body[i] >= '0' && body[i] <= '7'; ++k) {
            cp = cp * 8U + static_cast<std::uint32_t>(body[i] - '0');
            ++i;
          }
          append_utf8(out, cp);
        } else {
          out += '\\';
          --i;  // the escaped character is kept as it is, and read again as a plain one
        }
        break;
    }
  }
  return true;
}

}  // namespace mlstack::pep508::detail
