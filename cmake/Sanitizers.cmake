# SPDX-License-Identifier: MIT
if(MLSTACK_SANITIZE AND MLSTACK_FUZZ)
  message(FATAL_ERROR "MLSTACK_FUZZ already builds with ASan and UBSan; leave MLSTACK_SANITIZE off")
endif()
if(MLSTACK_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
# The `fuzz` preset (clang): every object carries libFuzzer's coverage instrumentation and
# ASan + UBSan; tests/fuzz links its targets with -fsanitize=fuzzer, the other executables
# (unit tests, mlstack) run as usual under the sanitizers.
if(MLSTACK_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MLSTACK_FUZZ needs clang (libFuzzer); use the `fuzz` preset")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
