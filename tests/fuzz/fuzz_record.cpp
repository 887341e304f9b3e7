// SPDX-License-Identifier: MIT
// libFuzzer target: a RECORD file read as Python's csv.reader over str.splitlines() (the
// first field of each row, its declared size and hash), and each path's root, as doctor
// reads RECORDs for shared objects and clashing files. The reader must end, and each row
// must move forward.
#include "mlstack/metadata/wheel_file.hpp"
#include "mlstack/pyenv/record_files.hpp"

#include "fuzz_check.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = mlstack::fuzz::as_text(data, size);
  mlstack::metadata::RecordReader reader(text);
  std::size_t rows = 0;
  while (const auto path = reader.next()) {
    MLSTACK_FUZZ_CHECK(++rows <= size + 1);
    (void)reader.size();
    (void)reader.hash();
    (void)mlstack::pyenv::detail::record_root(*path);
  }
  (void)reader.only_ascii();
  (void)mlstack::pyenv::detail::record_prefix(text.substr(0, text.find('\n')));
  return 0;
}
