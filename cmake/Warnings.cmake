# SPDX-License-Identifier: MIT
# mlstack_warnings: linked PRIVATE by our own targets only (ccache style).
add_library(mlstack_warnings INTERFACE)
target_compile_options(mlstack_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough -Wextra-semi -Wold-style-cast
  -Wformat=2 -Wconversion -Wsign-conversion)
if(MLSTACK_WERROR)
  target_compile_options(mlstack_warnings INTERFACE -Werror)
endif()
target_compile_definitions(mlstack_warnings INTERFACE $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
