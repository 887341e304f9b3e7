// SPDX-License-Identifier: MIT
// load_kb: the embedded files' rows (serialized at build time, see flat.hpp) plus the user's
// files, which the caller read. It lives in mlstack_kb, with the generated embedded_kb.cpp;
// mlstack_kb_core, which mlstack-kbc links to generate that file, has everything else.
#include "mlstack/kb/flat.hpp"
#include "mlstack/kb/kb.hpp"

#include <string>
#include <utility>
#include <vector>

namespace mlstack::kb {

Result<Kb> load_kb(const std::vector<KbFile>& user_files) {
  Kb kb;
  // Validated when it was generated (mlstack-kbc fails the build on any KB error), so an
  // error here would be a build problem rather than bad input.
  MLSTACK_TRY_ASSIGN(std::vector<FlatFile> files, deserialize(embedded_rows()));
  const std::vector<EmbeddedFile>& embedded = embedded_files();
  MLSTACK_ASSERT(files.size() == embedded.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    MLSTACK_ASSERT(files[i].name == embedded[i].name);
    files[i].text = embedded[i].text;  // for error messages only
    if (auto ok = add_kb_rows(kb, files[i]); !ok) {
      return unexpected(std::move(ok).error());
    }
  }
  for (const KbFile& file : user_files) {
    if (auto ok = add_kb_text(kb, file.name, file.text); !ok) {
      return unexpected(std::move(ok).error());
    }
  }
  if (auto ok = validate(kb); !ok) {
    return unexpected(std::move(ok).error());
  }
  return kb;
}

Result<Kb> load_embedded_kb_file(std::string_view name) {
  Kb kb;
  MLSTACK_TRY_ASSIGN(std::vector<FlatFile> files, deserialize(embedded_rows()));
  const std::vector<EmbeddedFile>& embedded = embedded_files();
  MLSTACK_ASSERT(files.size() == embedded.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (files[i].name != name) {
      continue;
    }
    files[i].text = embedded[i].text;
    if (auto ok = add_kb_rows(kb, files[i]); !ok) {
      return unexpected(std::move(ok).error());
    }
  }
  return kb;
}

}  // namespace mlstack::kb
