// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "mlstack/base/text.hpp"
#include "mlstack/report/report.hpp"
#include "mlstack/report/text_layout.hpp"

/// The terminal report's output buffer, shared by its parts (text_report.cpp,
/// text_loader.cpp): every string from the environment goes through it, escaped and wrapped.
namespace mlstack::report::detail {

class Writer {
 public:
  explicit Writer(const TextOptions& options) : m_options(options) {}

  /// A bold section heading (mlstack's own words).
  void heading(std::string_view text) { m_out += paint("1", text) + "\n"; }

  /// `first` + `text` wrapped, later lines after `next`; `text` is escaped.
  void line(std::string_view first, std::string_view next, std::string_view text) {
    m_out += wrap(first, next, text::escape_controls(text), m_options.width);
  }
  /// A line with a hanging indent as wide as `first`.
  void line(std::string_view first, std::string_view text) {
    line(first, std::string(columns(first), ' '), text);
  }
  // `first` may hold this renderer's own colour codes; columns() does not count them.
  void blank() { m_out += '\n'; }
  /// A pre-laid-out piece (wrap_command's output) whose words were escaped.
  void raw(std::string_view text) { m_out += text; }

  [[nodiscard]] std::string paint(std::string_view code, std::string_view s) const {
    if (m_options.color == Color::never) {
      return std::string(s);
    }
    return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
  }
  [[nodiscard]] std::size_t width() const { return m_options.width; }
  [[nodiscard]] const std::string& text() const { return m_out; }

 private:
  const TextOptions& m_options;
  std::string m_out;
};

/// The loader's prediction: per import order, the tracked libraries it maps (text_loader.cpp).
void render_loader(const facts::LoaderFacts& loader, Writer& w);

/// The probes: per import order, status, wall time, versions and devices (text_loader.cpp).
void render_probes(const facts::ProbeFacts& probes, Writer& w);

}  // namespace mlstack::report::detail
