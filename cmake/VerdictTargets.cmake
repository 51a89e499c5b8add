# Helpers that give every Verdict target the same warnings and layout.

# Warnings for our own code only (generated code and dependencies are left alone).
function(verdict_warnings target)
  # -Wno-restrict: GCC 12 reports impossible std::string memcpy overlaps at -O2 (GCC bug 105329).
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter
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

# verdict_fuzzer(NAME name SRCS ... LIB library CORPUS dir): a fuzz target for a reader of
# untrusted text (STYLE.md rule 8), whose LLVMFuzzerTestOneInput tests `library`.
#  - ${name}_replay (always built, any compiler): runs every file of `dir` through the entry point
#    as the ctest ${name}_corpus_replay, so CI replays the seeds and any crash reproducer added.
#  - ${name} (-DVERDICT_FUZZ=ON, clang only): the libFuzzer binary. The library's sources are
#    compiled again with coverage and ASan/UBSan instrumentation (${library}_fuzz), so the code
#    under test is instrumented while the rest of the build stays as configured.
#      cmake -S . -B build/fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
#            -DVERDICT_FUZZ=ON -DVERDICT_CUDA=OFF -DVERDICT_BUILD_BENCH=OFF
#      cmake --build build/fuzz --target NAME
#      build/fuzz/tests/.../NAME -max_total_time=600 -timeout=5 NEW_CORPUS_DIR CORPUS_DIR
option(VERDICT_FUZZ "Build libFuzzer targets (needs clang)" OFF)
function(verdict_fuzzer)
  cmake_parse_arguments(A "" "NAME;LIB;CORPUS" "SRCS" ${ARGN})
  add_executable(${A_NAME}_replay ${A_SRCS} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cc)
  target_link_libraries(${A_NAME}_replay PRIVATE ${A_LIB})
  target_include_directories(${A_NAME}_replay PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  verdict_warnings(${A_NAME}_replay)
  add_test(NAME ${A_NAME}_corpus_replay COMMAND ${A_NAME}_replay ${A_CORPUS})
  set_tests_properties(${A_NAME}_corpus_replay PROPERTIES TIMEOUT 120)
  if(NOT VERDICT_FUZZ)
    return()
  endif()
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "VERDICT_FUZZ=ON needs clang (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  set(fuzz_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined
                 -fno-omit-frame-pointer -g)
  if(NOT TARGET ${A_LIB}_fuzz)
    # The library under test, instrumented: the same sources, include paths and dependencies.
    get_target_property(lib_dir ${A_LIB} SOURCE_DIR)
    get_target_property(lib_rel_srcs ${A_LIB} SOURCES)
    get_target_property(lib_deps ${A_LIB} LINK_LIBRARIES)
    set(lib_srcs)
    foreach(src IN LISTS lib_rel_srcs)
      cmake_path(ABSOLUTE_PATH src BASE_DIRECTORY ${lib_dir})
      list(APPEND lib_srcs ${src})
    endforeach()
    add_library(${A_LIB}_fuzz STATIC ${lib_srcs})
    target_include_directories(${A_LIB}_fuzz PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
    target_link_libraries(${A_LIB}_fuzz PUBLIC ${lib_deps})
    target_compile_options(${A_LIB}_fuzz PRIVATE -fsanitize=fuzzer-no-link ${fuzz_flags})
  endif()
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_LIB}_fuzz)
  target_compile_options(${A_NAME} PRIVATE -fsanitize=fuzzer ${fuzz_flags})
  target_link_options(${A_NAME} PRIVATE -fsanitize=fuzzer ${fuzz_flags})
  verdict_warnings(${A_NAME})
endfunction()
