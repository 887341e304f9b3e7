// SPDX-License-Identifier: MIT
#include "mlstack/html/html.hpp"

#include "mlstack/base/text.hpp"

namespace mlstack::html {

std::string escape(std::string_view raw) {
  const std::string s = text::escape_controls(raw);
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const text::Utf8Char u = text::decode_utf8(s, i);
      if (u.length == 0) {
        out += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
        ++i;
      } else {
        out.append(s, i, u.length);
        i += u.length;
      }
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
    ++i;
  }
  return out;
}

}  // namespace mlstack::html
