// SPDX-License-Identifier: MIT
#pragma once

#include <libelf.h>
#include <string>

namespace mlstack::cudalibs::detail {

/// DT_SONAME from an open libelf handle; empty when there is none. `problem` says why.
[[nodiscard]] std::string soname_of(Elf* elf, std::string& problem);

}  // namespace mlstack::cudalibs::detail
