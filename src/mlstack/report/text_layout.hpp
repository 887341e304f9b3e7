// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Layout helpers of the terminal report: wrapping to a width, and the `pip install` fix
/// commands findings give, parsed so that they can be merged. Pure.
namespace mlstack::report {

/// Display columns of UTF-8 text: one per code point (no East Asian width tables); colour
/// codes (`ESC [ ... m`, only the report's own: other text is escaped) take none.
[[nodiscard]] std::size_t columns(std::string_view text) noexcept;

/// `text` as lines of at most `width` columns: the first starts with `first`, the others with
/// `next`; lines break at spaces (a word longer than a line stays whole, so that a path can
/// be copied). Text that holds line breaks is pre-formatted (a parse error with its caret
/// line): each of its lines is kept as it is, the later ones after `next`. Every line ends
/// with `\n`. Escape control characters first (text::escape_controls).
[[nodiscard]] std::string wrap(std::string_view first, std::string_view next,
                               std::string_view text, std::size_t width);

/// A fix of the form `PY -m pip install [--force-reinstall] 'REQ' ['REQ' ...]`, as the
/// package findings write it.
struct PipInstall {
  std::string python;                 // `python`, `/venv/bin/python`
  bool force_reinstall = false;
  std::vector<std::string> requirements;  // unquoted: `protobuf<3.20,>=3.9.2`
};

/// The fix as a PipInstall; nullopt for any other text (prose, `pip uninstall`, `&&`).
[[nodiscard]] std::optional<PipInstall> parse_pip_install(std::string_view fix);

/// `PY -m pip install [--force-reinstall] 'a' 'b'`: the command again, requirements quoted.
[[nodiscard]] std::vector<std::string> command_words(const PipInstall& install);

/// The installs merged per interpreter, in first-appearance order: all `--force-reinstall`
/// requirements of one interpreter in one install, all others in another; requirements of
/// one name merged into one (`numpy>=2.0`, `numpy<2.6` and `numpy` as `numpy<2.6,>=2.0`,
/// extras joined), except those with a URL or a marker, which are only deduplicated.
[[nodiscard]] std::vector<PipInstall> merge_installs(const std::vector<PipInstall>& installs);

/// One shell command per interpreter: its merged installs joined with `&&` (the reinstall
/// first), as words (`&&` is a word).
[[nodiscard]] std::vector<std::vector<std::string>> merged_commands(
    const std::vector<PipInstall>& installs);

/// A command's words on lines of at most `width` columns: `first` before the first line,
/// `next` before the others, each line but the last ending with ` \` (a shell line
/// continuation, so the lines can be pasted as one command).
[[nodiscard]] std::string wrap_command(std::string_view first, std::string_view next,
                                       const std::vector<std::string>& words, std::size_t width);

}  // namespace mlstack::report
