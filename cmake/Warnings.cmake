# SPDX-License-Identifier: MIT
# mlstack_warnings: linked PRIVATE by our own targets only (ccache style).
add_library(mlstack_warnings INTERFACE)
target_compile_options(mlstack_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wextra-semi -Wold-style-cast
  -Wformat=2 -Wconversion -Wsign-conversion)
# GCC 12 reports -Wnull-dereference false positives inside libstdc++'s inlined std::string
# code at -O2 (seen here in CLI11 and fmt call sites), so it is on only for newer GCC and Clang.
if(NOT (CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13))
  target_compile_options(mlstack_warnings INTERFACE -Wnull-dereference)
endif()
if(MLSTACK_WERROR)
  target_compile_options(mlstack_warnings INTERFACE -Werror)
endif()
target_compile_definitions(mlstack_warnings INTERFACE $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
