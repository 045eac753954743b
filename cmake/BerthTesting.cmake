# File: cmake/BerthTesting.cmake — berth_add_gtest(): the one way a tests/*/CMakeLists.txt declares a GoogleTest binary.
#
#   berth_add_gtest(NAME config_test SOURCES config_test.cpp LIBS berth_config
#                   [DEFINITIONS BERTH_SOURCE_DIR="${PROJECT_SOURCE_DIR}" ...]
#                   [LABELS e2e] [TIMEOUT 300] [DEPENDS berth] [COROUTINES])
#
# Links GTest::gtest_main, discovers the tests with DISCOVERY_TIMEOUT 60 (a loaded 2-core machine can be slow to
# list them) and sets LABELS/TIMEOUT on every discovered test. COROUTINES adds -Wno-mismatched-new-delete on GCC:
# GCC bug 109224 reports a false mismatch in asio coroutine frames. DEPENDS names executables the tests run as
# child processes (built before the test binary).
function(berth_add_gtest)
  cmake_parse_arguments(PARSE_ARGV 0 arg "COROUTINES" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;DEFINITIONS;DEPENDS")
  if(NOT arg_NAME OR NOT arg_SOURCES)
    message(FATAL_ERROR "berth_add_gtest: NAME and SOURCES are required")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "berth_add_gtest(${arg_NAME}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  add_executable(${arg_NAME} ${arg_SOURCES})
  target_link_libraries(${arg_NAME} PRIVATE ${arg_LIBS} GTest::gtest_main)
  if(arg_DEFINITIONS)
    target_compile_definitions(${arg_NAME} PRIVATE ${arg_DEFINITIONS})
  endif()
  if(arg_COROUTINES AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${arg_NAME} PRIVATE -Wno-mismatched-new-delete)
  endif()
  if(arg_DEPENDS)
    add_dependencies(${arg_NAME} ${arg_DEPENDS})
  endif()
  set(properties)
  if(arg_TIMEOUT)
    list(APPEND properties TIMEOUT ${arg_TIMEOUT})
  endif()
  if(arg_LABELS)
    list(APPEND properties LABELS ${arg_LABELS})
  endif()
  if(properties)
    gtest_discover_tests(${arg_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES ${properties})
  else()
    gtest_discover_tests(${arg_NAME} DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
