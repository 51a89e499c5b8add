# Every dependency comes from Debian's packages (scripts/install-deps.sh); nothing is downloaded.
find_package(Threads REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(simdjson CONFIG REQUIRED)
find_package(GTest CONFIG REQUIRED)
find_package(benchmark CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# ICU (rewards/, verifier/instruct/). Found here, at the top, so that the imported target is
# visible in every folder (the fuzz builds link copies of those libraries from tests/).
pkg_check_modules(ICU_UC REQUIRED IMPORTED_TARGET icu-uc)

find_library(GMP_LIBRARY gmp REQUIRED)
find_library(GMPXX_LIBRARY gmpxx REQUIRED)
find_library(MPFR_LIBRARY mpfr REQUIRED)
find_path(GMP_INCLUDE_DIR gmp.h REQUIRED)
find_path(MPFR_INCLUDE_DIR mpfr.h REQUIRED)
add_library(verdict_gmp INTERFACE)
target_link_libraries(verdict_gmp INTERFACE ${MPFR_LIBRARY} ${GMPXX_LIBRARY} ${GMP_LIBRARY})
target_include_directories(verdict_gmp INTERFACE ${GMP_INCLUDE_DIR} ${MPFR_INCLUDE_DIR})

find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
find_program(PROTOC protoc REQUIRED)
