# Helpers that give every Verdict target the same warnings and layout.

# Warnings for our own code only (generated code and dependencies are left alone).
function(verdict_warnings target)
  # -Wno-restrict: GCC 12 reports impossible std::string memcpy overlaps at -O2 (GCC bug 105329).
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare
                                           $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
  if(VERDICT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# verdict_library(NAME name SRCS ... [DEPS ...] [PRIVATE_DEPS ...]): a library rooted at the
# source tree so includes read "verifier/math/verify.h". DEPS are what its public headers include
# (its users get them too); PRIVATE_DEPS are used by its .cc files only, so their include paths
# and definitions stay out of its users' compiles (a static library still links them).
function(verdict_library)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${A_NAME} STATIC ${A_SRCS})
  target_include_directories(${A_NAME} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${A_NAME} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
  verdict_warnings(${A_NAME})
endfunction()

# verdict_test(NAME name SRCS ... DEPS ... [LABELS ...] [TIMEOUT s]): a GoogleTest binary
# registered with ctest. Label slow or exhaustive tests "slow"; the default run excludes them.
function(verdict_test)
  cmake_parse_arguments(A "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_include_directories(${A_NAME} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_compile_definitions(${A_NAME} PRIVATE
      VERDICT_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      VERDICT_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
      VERDICT_BINARY_DIR="${PROJECT_BINARY_DIR}")
  verdict_warnings(${A_NAME})
  add_test(NAME ${A_NAME} COMMAND ${A_NAME})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  set_tests_properties(${A_NAME} PROPERTIES TIMEOUT ${A_TIMEOUT})
  if(A_LABELS)
    set_tests_properties(${A_NAME} PROPERTIES LABELS "${A_LABELS}")
  endif()
endfunction()

