// Compile once per distinct (toolchain, compile command, source): later requests for the same
// key get the cached binary (or the cached compile error) without running the compiler.
//
// Thread safety: all methods may be called concurrently. Concurrent requests for one key compile
// once; the others wait for that result. Binaries live in `dir` (mode 0711, files 0755, readable
// by the sandbox uids) until the cache is destroyed or the entry is evicted; private ones
// (CompileExtras::private_binary) in its subdirectory `private` (mode 0700: the server's uid
// only).
#ifndef VERDICT_SANDBOX_COMPILE_CACHE_H_
#define VERDICT_SANDBOX_COMPILE_CACHE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "sandbox/runner.h"
#include "sandbox/toolchain.h"

namespace verdict::sandbox {

struct CompileCacheOptions {
  // Parent directory for cached binaries; each cache creates (and removes on destruction) its own
  // subdirectory in it.
  // Default "/tmp/verdict-compile-cache".
  std::string dir = "/tmp/verdict-compile-cache";
  // Entries kept; when full, the whole cache is dropped (simple and bounded). Default 4096.
  int64_t max_entries = 4096;
};

struct CompileOutcome {
  // True when the compiler exited 0 and produced the binary.
  bool ok = false;
  // Absolute path of the binary (when ok).
  std::string binary_path;
  // Compiler stderr (capped) when !ok, and the sandbox status of the compile run.
  std::string diagnostics;
  RunStatus compile_status = RunStatus::kOk;
  // True when served from the cache; compile_wall_ms is then that of the original compile.
  bool cache_hit = false;
  double compile_wall_ms = 0;
};

// Optional parts of one compile request.
struct CompileExtras {
  // The binary holds what a sandboxed program must not read (a trusted test harness's expected
  // values): it is written where only the server's uid can read it, and a run must get a copy
  // in its own work dir (`InputFile`), never its path. Part of the key.
  bool private_binary = false;
  // Code compiled before `source`, as if it were its first lines: built once per toolchain and
  // text into a precompiled header named `prelude_name` (a plain file name ending in ".h") when
  // the toolchain has precompiled headers, else (or when that build fails) pasted in front of
  // the source. Part of the key. It must not hold anything secret (the header is readable by
  // the sandbox uids).
  std::string prelude;
  std::string prelude_name = "verdict_prelude.h";
};

struct CompileCacheStats {
  int64_t hits = 0;
  int64_t misses = 0;
};

class CompileCache {
 public:
  static absl::StatusOr<std::unique_ptr<CompileCache>> Create(const CompileCacheOptions& options);
  virtual ~CompileCache() = default;

  // Compiles `source` with `toolchain` through `runner` (the compiler runs sandboxed), or
  // returns the cached outcome. A compile error is an outcome (ok=false), not an error; errors
  // are infrastructure failures and cancellation, and are not cached.
  absl::StatusOr<CompileOutcome> Compile(const Toolchain& toolchain, std::string_view source,
                                         Runner& runner, const CancelFlag* cancel) {
    return CompileWith(toolchain, source, runner, cancel, CompileExtras{});
  }
  absl::StatusOr<CompileOutcome> Compile(const Toolchain& toolchain, std::string_view source,
                                         Runner& runner, const CancelFlag* cancel,
                                         const CompileExtras& extras) {
    return CompileWith(toolchain, source, runner, cancel, extras);
  }
  virtual CompileCacheStats stats() const = 0;

 protected:
  virtual absl::StatusOr<CompileOutcome> CompileWith(const Toolchain& toolchain,
                                                     std::string_view source, Runner& runner,
                                                     const CancelFlag* cancel,
                                                     const CompileExtras& extras) = 0;
};

}  // namespace verdict::sandbox

#endif  // VERDICT_SANDBOX_COMPILE_CACHE_H_
