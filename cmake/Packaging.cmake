# SPDX-License-Identifier: MIT
# The Debian package (`make deb`: `cpack -G DEB` in the build folder; docs/install.md). What
# `cmake --install` puts under the prefix (/usr): bin/mlstack, lib/mlstack/libmlstack-onnx.so
# (the ONNX reader plugin, found as ../lib/mlstack/ from the binary) and the licence and docs
# in share/doc/mlstack. dpkg-shlibdeps computes Depends from the binary's and the plugin's
# DT_NEEDED (libc6, libelf1; libonnx1, libprotobuf32, libstdc++6 for the plugin). The
# libraries mlstack opens with dlopen are not DT_NEEDED, so they are named here: libarchive13
# (zip archives on sys.path, image archives) and ICU (non-ASCII names) are Recommends; NVML
# comes with the NVIDIA driver (not a Debian dependency: the driver is installed its own way).
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION share/doc/mlstack RENAME copyright)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/install.md
        DESTINATION share/doc/mlstack)

set(MLSTACK_DEB_MAINTAINER "mlstack maintainers <mlstack@invalid>"
    CACHE STRING "The Maintainer field of the Debian package (`Name <address>`)")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mlstack)
set(CPACK_PACKAGE_VENDOR "the mlstack authors")
set(CPACK_PACKAGE_CONTACT "${MLSTACK_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "one healthy Python environment for several deep-learning frameworks")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "one healthy Python environment for several deep-learning frameworks\n\
mlstack reads a Python environment from its files, without importing a framework, and\n\
says what is wrong and how to fix it: pip check (the same output, faster), doctor (the\n\
driver and GPUs, each framework's CUDA build, the CUDA libraries each one loads), plan,\n\
run, image (layered images with locks) and compare (do two tensor files agree).")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # a RelWithDebInfo binary is ~100 MB with its debug sections
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # mlstack_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MLSTACK_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libarchive13, libicu72, python3")
include(CPack)
