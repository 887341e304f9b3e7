// SPDX-License-Identifier: MIT
#include "mlstack/frameworks/mapped_gpu_code.hpp"

#include <set>
#include <string>

namespace mlstack::frameworks {

void add_mapped_gpu_code(const BinaryReader& reader, facts::LoaderFacts& loader) {
  std::set<std::string> seen;
  for (const facts::LoadScenario& s : loader.scenarios) {
    for (const facts::MappedLibrary& m : s.libraries) {
      const std::string& file = m.real_path.empty() ? m.path : m.real_path;
      if (m.library.empty() || m.library == "libstdcxx" || file.empty() ||
          !seen.insert(file).second) {
        continue;
      }
      auto code = reader.gpu_code(file);
      if (!code) {
        loader.problems.push_back(to_string(code.error()));
        continue;
      }
      if (code->sass_entries + code->ptx_entries > 0) {
        code->path = file;
        loader.gpu_code.push_back(std::move(*code));
      }
    }
  }
}

}  // namespace mlstack::frameworks
