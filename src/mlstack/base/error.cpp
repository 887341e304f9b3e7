// SPDX-License-Identifier: MIT
#include "mlstack/base/error.hpp"

#include <cstdio>
#include <cstdlib>

#include "mlstack/base/assert.hpp"

namespace mlstack {

Error make_error(ErrorCode code, std::string message) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

Error make_parse_error(std::string message, std::string input, std::size_t begin,
                       std::size_t length) {
  Error e = make_error(ErrorCode::parse, std::move(message));
  e.span = SourceSpan{std::move(input), begin, length == 0 ? 1 : length};
  return e;
}

Error with_context(Error e, std::string where) {
  e.context.push_back(std::move(where));
  return e;
}

std::string to_string(const Error& e) {
  std::string out;
  for (auto it = e.context.rbegin(); it != e.context.rend(); ++it) {
    out += *it;
    out += ": ";
  }
  out += e.message;
  return out;
}

std::string render(const Error& e) {
  std::string out = to_string(e);
  if (e.span) {
    const SourceSpan& s = *e.span;
    out += "\n    ";
    out += s.input;
    out += "\n    ";
    const std::size_t begin = s.begin > s.input.size() ? s.input.size() : s.begin;
    out.append(begin, ' ');
    out.append(s.length, '^');
  }
  return out;
}

namespace detail {
void assertion_failed(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "mlstack: internal error: assertion `%s` failed at %s:%d\n", expr, file,
               line);
  std::abort();
}
}  // namespace detail

}  // namespace mlstack
