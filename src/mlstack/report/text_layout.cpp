// SPDX-License-Identifier: MIT
#include "mlstack/report/text_layout.hpp"

#include <algorithm>
#include <map>

#include "mlstack/pep508/requirement.hpp"

namespace mlstack::report {
namespace {

constexpr std::string_view k_pip_install = " -m pip install ";
constexpr std::string_view k_force = "--force-reinstall ";

// The longest prefix of `text` that fits in `room` columns.
std::size_t bytes_for_columns(std::string_view text, std::size_t room) {
  std::size_t cols = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
      if (cols == room) {
        return i;
      }
      ++cols;
    }
  }
  return text.size();
}

void wrap_line(std::string& out, std::string_view first, std::string_view next,
               std::string_view text, std::size_t width) {
  std::string_view prefix = first;
  while (true) {
    const std::size_t room =
        width > columns(prefix) ? width - columns(prefix) : std::size_t{1};
    if (columns(text) <= room) {
      out.append(prefix).append(text) += '\n';
      return;
    }
    // Break at the last space that leaves the line within the room, else at the first
    // space after it (a long word stays whole).
    const std::size_t fit = bytes_for_columns(text, room);
    std::size_t space = text.rfind(' ', fit);
    if (space == std::string_view::npos || space == 0) {
      space = text.find(' ', fit);
      if (space == std::string_view::npos) {
        out.append(prefix).append(text) += '\n';
        return;
      }
    }
    out.append(prefix).append(text.substr(0, space)) += '\n';
    text.remove_prefix(space);
    while (text.starts_with(' ')) {
      text.remove_prefix(1);
    }
    if (text.empty()) {
      return;
    }
    prefix = next;
  }
}

// Requirements of one name as one (`numpy>=2.0` and `numpy<2.6` as `numpy<2.6,>=2.0`), in
// first-appearance order. Requirements with a URL or a marker, or that do not parse, stay
// as they are.
std::vector<std::string> merge_requirements(const std::vector<std::string>& requirements) {
  struct Merged {
    std::string name;
    std::vector<std::string> extras;
    std::string specifiers;
  };
  std::vector<std::string> out;
  std::map<std::string, std::size_t> slot;  // normalized name -> index in `merged`
  std::vector<Merged> merged;
  std::vector<std::optional<std::size_t>> order;  // per output: a merged index, or none
  for (const std::string& text : requirements) {
    auto r = pep508::Requirement::parse(text);
    if (!r || r->url() || r->marker()) {
      if (std::find(out.begin(), out.end(), text) == out.end()) {
        out.push_back(text);
        order.emplace_back();
      }
      continue;
    }
    const std::string key = r->package_name().str();
    auto [it, added] = slot.emplace(key, merged.size());
    if (added) {
      merged.push_back(Merged{r->name(), {}, {}});
      out.emplace_back();
      order.emplace_back(it->second);
    }
    Merged& m = merged[it->second];
    for (const std::string& e : r->extras()) {
      if (std::find(m.extras.begin(), m.extras.end(), e) == m.extras.end()) {
        m.extras.push_back(e);
      }
    }
    const std::string spec = r->specifier().to_string();
    if (!spec.empty()) {
      m.specifiers += (m.specifiers.empty() ? "" : ",") + spec;
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (!order[i]) {
      continue;
    }
    Merged& m = merged[*order[i]];
    std::sort(m.extras.begin(), m.extras.end());
    std::string text = m.name;
    if (!m.extras.empty()) {
      text += "[";
      for (std::size_t e = 0; e < m.extras.size(); ++e) {
        text += (e == 0 ? "" : ",") + m.extras[e];
      }
      text += "]";
    }
    auto set = pep440::SpecifierSet::parse(m.specifiers);
    text += set ? set->to_string() : m.specifiers;
    out[i] = std::move(text);
  }
  return out;
}

}  // namespace

std::size_t columns(std::string_view text) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      // A colour code (`ESC [ 1;31 m`) takes no column.
      i += 2;
      while (i < text.size() && !(text[i] >= '@' && text[i] <= '~')) {
        ++i;
      }
      continue;
    }
    n += (static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U ? 1U : 0U;
  }
  return n;
}

std::string wrap(std::string_view first, std::string_view next, std::string_view text,
                 std::size_t width) {
  std::string out;
  if (text.find('\n') != std::string_view::npos) {
    std::string_view prefix = first;
    while (true) {
      const std::size_t nl = text.find('\n');
      out.append(prefix).append(text.substr(0, nl)) += '\n';
      if (nl == std::string_view::npos) {
        break;
      }
      text.remove_prefix(nl + 1);
      prefix = next;
    }
    return out;
  }
  wrap_line(out, first, next, text, width);
  return out;
}

std::optional<PipInstall> parse_pip_install(std::string_view fix) {
  const std::size_t at = fix.find(k_pip_install);
  if (at == std::string_view::npos || at == 0) {
    return std::nullopt;
  }
  PipInstall install;
  install.python = std::string(fix.substr(0, at));
  if (install.python.find_first_of("'\"&;|") != std::string::npos) {
    return std::nullopt;
  }
  std::string_view rest = fix.substr(at + k_pip_install.size());
  if (rest.starts_with(k_force)) {
    install.force_reinstall = true;
    rest.remove_prefix(k_force.size());
  }
  while (!rest.empty()) {
    if (!rest.starts_with('\'')) {
      return std::nullopt;
    }
    const std::size_t close = rest.find('\'', 1);
    if (close == std::string_view::npos || close == 1) {
      return std::nullopt;
    }
    install.requirements.emplace_back(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(' ') || rest.size() == 1) {
        return std::nullopt;
      }
      rest.remove_prefix(1);
    }
  }
  if (install.requirements.empty()) {
    return std::nullopt;
  }
  return install;
}

std::vector<std::string> command_words(const PipInstall& install) {
  std::vector<std::string> words = {install.python, "-m", "pip", "install"};
  if (install.force_reinstall) {
    words.emplace_back("--force-reinstall");
  }
  for (const std::string& r : install.requirements) {
    words.push_back("'" + r + "'");
  }
  return words;
}

std::vector<PipInstall> merge_installs(const std::vector<PipInstall>& installs) {
  std::vector<PipInstall> merged;
  for (const PipInstall& in : installs) {
    auto it = std::find_if(merged.begin(), merged.end(), [&in](const PipInstall& m) {
      return m.python == in.python && m.force_reinstall == in.force_reinstall;
    });
    if (it == merged.end()) {
      merged.push_back(PipInstall{in.python, in.force_reinstall, {}});
      it = std::prev(merged.end());
    }
    it->requirements.insert(it->requirements.end(), in.requirements.begin(),
                            in.requirements.end());
  }
  for (PipInstall& m : merged) {
    m.requirements = merge_requirements(m.requirements);
  }
  return merged;
}

std::vector<std::vector<std::string>> merged_commands(const std::vector<PipInstall>& installs) {
  const std::vector<PipInstall> merged = merge_installs(installs);
  std::vector<std::string> pythons;
  for (const PipInstall& m : merged) {
    if (std::find(pythons.begin(), pythons.end(), m.python) == pythons.end()) {
      pythons.push_back(m.python);
    }
  }
  std::vector<std::vector<std::string>> commands;
  for (const std::string& python : pythons) {
    std::vector<std::string> words;
    for (const bool force : {true, false}) {
      for (const PipInstall& m : merged) {
        if (m.python == python && m.force_reinstall == force) {
          if (!words.empty()) {
            words.emplace_back("&&");
          }
          const std::vector<std::string> w = command_words(m);
          words.insert(words.end(), w.begin(), w.end());
        }
      }
    }
    commands.push_back(std::move(words));
  }
  return commands;
}

std::string wrap_command(std::string_view first, std::string_view next,
                         const std::vector<std::string>& words, std::size_t width) {
  std::string out(first);
  std::size_t used = columns(first);
  bool line_has_word = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::size_t need = columns(words[i]) + (line_has_word ? 1 : 0);
    // Keep room for ` \` at the end of a line that is continued.
    const bool last = i + 1 == words.size();
    if (line_has_word && used + need + (last ? 0 : 2) > width) {
      out += " \\\n";
      out += next;
      used = columns(next);
      line_has_word = false;
    }
    if (line_has_word) {
      out += ' ';
      ++used;
    }
    out += words[i];
    used += columns(words[i]);
    line_has_word = true;
  }
  out += '\n';
  return out;
}

}  // namespace mlstack::report
