# cw_module(<name> SOURCES ... DEPS ...): one module = one folder = one static library cw_<name>, with
# public headers in include/ and its *_test.cpp files collected into cw_<name>_tests.
set(CW_WARNINGS -Wall -Wextra -Wpedantic -Werror)

function(cw_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;TEST_DEPS" ${ARGN})
  add_library(cw_${name} STATIC ${ARG_SOURCES})
  add_library(cw::${name} ALIAS cw_${name})
  target_include_directories(cw_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                        PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_compile_options(cw_${name} PRIVATE ${CW_WARNINGS})
  target_link_libraries(cw_${name} PUBLIC ${ARG_DEPS})
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*_test.cpp)
  if(CW_BUILD_TESTS AND tests)
    add_executable(cw_${name}_tests ${tests})
    target_include_directories(cw_${name}_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
    target_compile_options(cw_${name}_tests PRIVATE ${CW_WARNINGS})
    target_link_libraries(cw_${name}_tests PRIVATE cw_${name} ${ARG_TEST_DEPS} GTest::gtest_main)
    gtest_discover_tests(cw_${name}_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30)
  endif()
endfunction()
