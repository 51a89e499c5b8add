// Languages as data: how a source file is named, compiled and run.
#ifndef VERDICT_SANDBOX_TOOLCHAIN_H_
#define VERDICT_SANDBOX_TOOLCHAIN_H_

#include <string>
#include <string_view>
#include <vector>

#include "sandbox/runner.h"

namespace verdict::sandbox {

struct Toolchain {
  // Canonical name: "python3", "cpp17", "cpp20", "c", "javascript".
  std::string name;
  // Names accepted for it (fence info strings, request fields), lower case.
  std::vector<std::string> aliases;
  // File name of the source in the work dir ("main.py").
  std::string source_name;
  // Compile command run in the sandbox, in the work dir; empty for interpreted languages.
  // Placeholders: {src} source file name, {out} output binary name.
  std::vector<std::string> compile_argv;
  // Name of the compiled binary in the work dir.
  std::string binary_name = "main";
  // Run command. Placeholders: {src} source file name (in the work dir), {bin} absolute path of
  // the compiled binary (from the compile cache).
  std::vector<std::string> run_argv;
  // Limits of the compile step (compilers need more memory and processes than programs).
  RunLimits compile_limits;
  // Precompiled header: when a source includes `pch_header`, the compile cache first builds it
  // once with `pch_argv` (placeholder {out}: the .gch file name) and compiles with -I to it.
  // Empty: no precompiled header.
  std::string pch_header;
  std::vector<std::string> pch_argv;
  // Memory of the run is at least this (some runtimes reserve address space at start), bytes.
  int64_t min_memory_bytes = 0;
};

// The table of toolchains whose executables exist on this machine:
//   python3    /usr/bin/python3 -S -B {src}           (no site-packages: fast start)
//   cpp17      g++ -std=gnu++17 -O2 -pipe (+ -lcrypto as-needed, for HumanEval-X CPP/162),
//              precompiled bits/stdc++.h when g++ 12's header is present
//   cpp20      g++ -std=gnu++20 -O2 -pipe
//   c          gcc -std=gnu17 -O2 -pipe -lm
//   javascript /usr/bin/node {src}
std::vector<Toolchain> DefaultToolchains();

// Finds a toolchain by name or alias (case-insensitive); null if none.
const Toolchain* FindToolchain(const std::vector<Toolchain>& table, std::string_view name);

// `argv` with {src}, {out}, {bin} replaced.
std::vector<std::string> ExpandArgv(const std::vector<std::string>& argv, const Toolchain& tc,
                                    std::string_view binary_path);

}  // namespace verdict::sandbox

#endif  // VERDICT_SANDBOX_TOOLCHAIN_H_
