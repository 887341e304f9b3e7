# SPDX-License-Identifier: MIT
# Start-up cost: a dynamically linked mlstack spends ~1.5 ms of a ~10 ms `check` in ld.so
# binding libstdc++ and libfmt symbols. With MLSTACK_STATIC_RUNTIME (default ON, OFF under
# the sanitizers) the executable links libstdc++ and libgcc statically and fmt from a
# static library built here (Debian has no libfmt.a). glibc stays dynamic: NVML and the
# probes dlopen libraries, which needs the shared libc.
#
#   MLSTACK_FMT_TARGET            what modules link for fmt (mlstack_module maps fmt::fmt to it)
#   mlstack_static_runtime(TGT)   adds -static-libstdc++ -static-libgcc to an executable
if(MLSTACK_SANITIZE)
  set(_mlstack_static_default OFF)
else()
  set(_mlstack_static_default ON)
endif()
option(MLSTACK_STATIC_RUNTIME "Link libstdc++, libgcc and fmt statically" ${_mlstack_static_default})

if(MLSTACK_STATIC_RUNTIME AND NOT TARGET mlstack_fmt)
  add_library(mlstack_fmt STATIC ${CMAKE_CURRENT_LIST_DIR}/fmt_static.cpp)
  get_target_property(_mlstack_fmt_includes fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
  target_include_directories(mlstack_fmt SYSTEM PUBLIC ${_mlstack_fmt_includes})
  set(MLSTACK_FMT_TARGET mlstack_fmt)
elseif(NOT MLSTACK_STATIC_RUNTIME)
  set(MLSTACK_FMT_TARGET fmt::fmt)
endif()

function(mlstack_static_runtime target)
  if(MLSTACK_STATIC_RUNTIME)
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc -Wl,--as-needed)
  endif()
endfunction()
