# SPDX-License-Identifier: MIT
# mlstack_module(NAME SOURCES a.cpp ... DEPS other_module ... [LIBS extra_libs ...])
# Each src/mlstack/<module> is one static library `mlstack_<module>` that links only the
# modules it may use (docs/ARCHITECTURE.md, checked by tools/check_layering.py).
function(mlstack_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;LIBS" ${ARGN})
  add_library(mlstack_${name} STATIC ${M_SOURCES})
  target_include_directories(mlstack_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(mlstack_${name} PRIVATE mlstack_warnings)
  foreach(dep IN LISTS M_DEPS)
    target_link_libraries(mlstack_${name} PUBLIC mlstack_${dep})
  endforeach()
  if(M_LIBS)
    if(MLSTACK_FMT_TARGET)  # cmake/StaticRuntime.cmake: fmt may come from a static library
      list(TRANSFORM M_LIBS REPLACE "^fmt::fmt$" "${MLSTACK_FMT_TARGET}")
    endif()
    target_link_libraries(mlstack_${name} PUBLIC ${M_LIBS})
  endif()
endfunction()

# mlstack_unit_test(MODULE SOURCES ... [DEPS ...]): one GoogleTest binary per module.
function(mlstack_unit_test module)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(test_${module} ${T_SOURCES})
  target_link_libraries(test_${module} PRIVATE mlstack_${module} mlstack_warnings GTest::gtest_main)
  foreach(dep IN LISTS T_DEPS)
    target_link_libraries(test_${module} PRIVATE mlstack_${dep})
  endforeach()
  target_compile_definitions(test_${module} PRIVATE
    MLSTACK_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  gtest_discover_tests(test_${module} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "MLSTACK_TEST_DATA_DIR=${PROJECT_SOURCE_DIR}/tests/data")
endfunction()
