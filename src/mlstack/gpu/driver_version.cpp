// SPDX-License-Identifier: MIT
#include "mlstack/gpu/driver_version.hpp"

#include "mlstack/base/text.hpp"

#include <fmt/format.h>

#include <limits>
#include <optional>

namespace mlstack::gpu {
namespace {

constexpr std::string_view k_nvrm_prefix = "NVRM version:";

// A whitespace-separated word of `line` and where it starts.
struct Word {
  std::string_view text;
  std::size_t begin = 0;
};

std::vector<Word> words(std::string_view line) {
  std::vector<Word> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && text::is_ascii_space(line[i])) {
      ++i;
    }
    const std::size_t begin = i;
    while (i < line.size() && !text::is_ascii_space(line[i])) {
      ++i;
    }
    if (i > begin) {
      out.push_back(Word{line.substr(begin, i - begin), begin});
    }
  }
  return out;
}

std::string shown(std::string_view word) {
  return word.empty() ? std::string("end of line") : fmt::format("`{}`", word);
}

}  // namespace

Result<DriverVersion> DriverVersion::parse(std::string_view input) {
  DriverVersion v;
  std::size_t i = 0;
  while (true) {
    const std::size_t begin = i;
    std::uint64_t value = 0;
    while (i < input.size() && text::is_ascii_digit(input[i])) {
      value = value * 10 + static_cast<std::uint64_t>(input[i] - '0');
      if (value > std::numeric_limits<std::uint32_t>::max()) {
        return unexpected(make_parse_error("driver version component is too large",
                                           std::string(input), begin, i - begin + 1));
      }
      ++i;
    }
    if (i == begin) {
      const std::string_view found = i < input.size() ? input.substr(i, 1) : std::string_view();
      return unexpected(make_parse_error(
          fmt::format("expected a digit in driver version, found {}", shown(found)),
          std::string(input), i));
    }
    v.m_parts.push_back(static_cast<std::uint32_t>(value));
    if (i == input.size()) {
      break;
    }
    if (input[i] != '.') {
      return unexpected(make_parse_error(
          fmt::format("expected `.` or end of driver version, found `{}`", input.substr(i, 1)),
          std::string(input), i));
    }
    ++i;
  }
  if (v.m_parts.size() < 2) {
    return unexpected(make_parse_error(
        fmt::format("expected a driver version such as `580.159.04`, found `{}`", input),
        std::string(input), 0, input.size()));
  }
  v.m_text = std::string(input);
  return v;
}

std::string_view to_string(KernelModuleFlavor flavor) noexcept {
  switch (flavor) {
    case KernelModuleFlavor::proprietary:
      return "proprietary";
    case KernelModuleFlavor::open:
      return "open";
  }
  return "proprietary";
}

Result<KernelModuleInfo> parse_proc_driver_version(std::string_view content) {
  std::optional<std::string_view> line;
  for (std::string_view candidate : text::split_lines(content)) {
    if (candidate.starts_with(k_nvrm_prefix)) {
      line = candidate;
      break;
    }
  }
  if (!line) {
    const std::vector<std::string_view> lines = text::split_lines(content);
    const std::string first = lines.empty() ? std::string() : std::string(lines.front());
    return unexpected(make_parse_error(
        fmt::format("expected a line beginning with `{}`, found {}", k_nvrm_prefix,
                    first.empty() ? std::string("no such line") : fmt::format("`{}`", first)),
        first, 0, first.size()));
  }
  const std::string input(*line);
  const std::vector<Word> ws = words(std::string_view(input).substr(k_nvrm_prefix.size()));
  const auto at = [&](std::size_t i) { return i < ws.size() ? ws[i].text : std::string_view(); };
  const auto pos = [&](std::size_t i) {
    return k_nvrm_prefix.size() +
           (i < ws.size() ? ws[i].begin : input.size() - k_nvrm_prefix.size());
  };
  const auto expected = [&](std::string_view what, std::size_t i) {
    return unexpected(make_parse_error(fmt::format("expected {}, found {}", what, shown(at(i))),
                                       input, pos(i), std::max<std::size_t>(at(i).size(), 1)));
  };
  if (at(0) != "NVIDIA" || at(1) != "UNIX") {
    return expected("`NVIDIA UNIX`", at(0) != "NVIDIA" ? 0 : 1);
  }
  KernelModuleInfo info;
  std::size_t i = 2;
  if (at(i) == "Open") {
    // "Open Kernel Module for ARCH"
    if (at(i + 1) != "Kernel" || at(i + 2) != "Module" || at(i + 3) != "for") {
      return expected("`Open Kernel Module for`", i);
    }
    if (at(i + 4).empty()) {
      return expected("an architecture", i + 4);
    }
    info.flavor = KernelModuleFlavor::open;
    info.architecture = std::string(at(i + 4));
    i += 5;
  } else {
    // "ARCH Kernel Module"
    if (at(i).empty()) {
      return expected("an architecture", i);
    }
    if (at(i + 1) != "Kernel" || at(i + 2) != "Module") {
      return expected("`Kernel Module`", at(i + 1) != "Kernel" ? i + 1 : i + 2);
    }
    info.flavor = KernelModuleFlavor::proprietary;
    info.architecture = std::string(at(i));
    i += 3;
  }
  auto version = DriverVersion::parse(at(i));
  if (!version) {
    return expected("a driver version such as `580.159.04`", i);
  }
  info.version = std::move(version).value();
  return info;
}

Result<DriverVersion> parse_sys_module_version(std::string_view content) {
  return DriverVersion::parse(text::trim(content));
}

std::string format_cuda_driver_version(int version) {
  if (version <= 0) {
    return {};
  }
  return fmt::format("{}.{}", version / 1000, version % 1000 / 10);
}

std::string driver_version_of_nvml_version(std::string_view nvml_version) {
  auto parsed = DriverVersion::parse(text::trim(nvml_version));
  if (!parsed) {
    return {};
  }
  // CUDA majors are below 100 and driver branches above (`13.580.159.04`).
  constexpr std::uint32_t k_first_driver_branch = 100;
  const std::string_view spelled = parsed->text();
  if (parsed->parts().size() >= 3 && parsed->major() < k_first_driver_branch) {
    return std::string(spelled.substr(spelled.find('.') + 1));
  }
  return std::string(spelled);
}

}  // namespace mlstack::gpu
