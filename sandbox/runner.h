// Runner: runs one untrusted program under limits and reports what happened.
//
// Contract (DESIGN.md §4, §6):
//  - A program's own failure (non-zero exit, signal, time, memory or output limit) is a
//    `RunResult` with a `RunStatus`, never an error. An `absl::Status` error means the
//    infrastructure failed (cannot create the work dir, fork failed, ...) or the run was
//    cancelled (`absl::StatusCode::kCancelled`): the caller must not score it.
//  - `Run` is thread-safe: any number of threads may call it at once on one Runner.
//  - When `Run` returns, every process the run started is dead and reaped and its private work
//    directory is removed (see linux_runner.h for the list of containment steps).
#ifndef VERDICT_SANDBOX_RUNNER_H_
#define VERDICT_SANDBOX_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace verdict::sandbox {

// Limits of one run. Every field states its unit and default.
struct RunLimits {
  // CPU time of the main process (user + system), ms. Default 2000.
  int64_t cpu_ms = 2000;
  // Wall-clock time from exec to exit, ms. Default 5000.
  int64_t wall_ms = 5000;
  // Memory, bytes. With a memory cgroup: what the whole run uses (all processes, page cache,
  // tmpfs), and each process's address space (RLIMIT_AS) is this plus `processes` (at most
  // 256) times the stack size, room for thread stacks that are reserved, not used. Without a
  // cgroup: RLIMIT_AS of each process. Default 512 MiB.
  int64_t memory_bytes = int64_t{512} << 20;
  // Stack size (RLIMIT_STACK), bytes; 0 means "same as memory_bytes". glibc also uses it as the
  // default thread stack size, so a huge value breaks multi-threaded runtimes. Default 64 MiB.
  int64_t stack_bytes = int64_t{64} << 20;
  // Processes/threads alive at once for the run's uid (RLIMIT_NPROC). Default 64.
  int64_t processes = 64;
  // Bytes of stdout kept; one more byte ends the run with kOutputLimit. Default 16 MiB.
  int64_t stdout_bytes = int64_t{16} << 20;
  // Bytes of stderr kept; the rest is discarded and `stderr_truncated` set. Default 64 KiB.
  int64_t stderr_bytes = int64_t{64} << 10;
  // Largest file the program may write (RLIMIT_FSIZE), bytes. Default 64 MiB.
  int64_t file_bytes = int64_t{64} << 20;
  // Open file descriptors (RLIMIT_NOFILE). Default 64.
  int64_t open_files = 64;
  // Bytes the work dir may hold (input files included), all files together; going over is
  // kOutputLimit. A tmpfs of that size where the runner may mount (its pages count in the run's
  // memory cgroup), else checked after the run (linux_runner.h step 1). Default 256 MiB.
  int64_t work_dir_bytes = int64_t{256} << 20;
  // Files and directories the work dir may hold (input files included); going over is
  // kOutputLimit, enforced like `work_dir_bytes`. Default 4096.
  int64_t work_dir_files = 4096;
};

// A file written into the private work directory before the program starts (read-only for it).
struct InputFile {
  std::string name;  // relative name, no "/" or ".."
  std::string content;
  bool executable = false;
};

struct RunRequest {
  // argv[0] must be an absolute path (no PATH search).
  std::vector<std::string> argv;
  // Environment, "KEY=value". Empty means PATH=/usr/bin:/bin, LANG=C.UTF-8, HOME and TMPDIR = the
  // work dir.
  std::vector<std::string> env;
  // Fed to the program's stdin (from an in-memory file, never blocks).
  std::string stdin_data;
  std::vector<InputFile> files;
  // Names of files in the work dir to read back after the run (e.g. a compiled binary). A file
  // that is missing is absent from `RunResult::files`. Each is read up to `max_collect_bytes`.
  std::vector<std::string> collect;
  int64_t max_collect_bytes = int64_t{256} << 20;
  RunLimits limits;
  // Descriptors of the caller to hand to the program (for a pair of runs that talk over pipes,
  // such as a trusted test harness and the candidate it calls). Not owned: the caller keeps and
  // closes them; the program gets its own copies, and the runner's copies are closed before
  // `Run` returns. -1 (default) keeps the behaviour above: stdin from `stdin_data`, stdout
  // captured in `RunResult::stdout_data`. With `stdout_fd` set, `stdout_data` stays empty and
  // `stdout_bytes` is not enforced (the reader of the descriptor must bound what it reads).
  int stdin_fd = -1;
  int stdout_fd = -1;
  // Become the program's descriptors 3, 4, ... in order (at most kMaxExtraFds); every other
  // descriptor of the runner is closed in the program.
  static constexpr int kMaxExtraFds = 8;
  std::vector<int> extra_fds;
};

enum class RunStatus {
  kOk,            // exited with code 0
  kRuntimeError,  // exited with a non-zero code (`exit_code`)
  kSignaled,      // killed by a signal it did not get from us (`signal`)
  kTimeLimit,     // CPU (`cpu_limit_hit`) or wall-clock limit exceeded; killed
  kMemoryLimit,   // address-space limit hit, or the run's cgroup OOM-killed a process (`detail`)
  kOutputLimit,   // stdout over `stdout_bytes`, a file over `file_bytes` (SIGXFSZ; killed), or
                  // the work dir over `work_dir_bytes` or `work_dir_files`
};

// What happened in one run, field by field.
struct RunResult {
  RunStatus status = RunStatus::kOk;
  // Exit code when the main process exited (0..255), -1 when it was signalled.
  int exit_code = -1;
  // Signal that ended the main process, 0 when it exited.
  int signal = 0;
  // For kTimeLimit: true when the CPU limit was hit, false when the wall limit was.
  bool cpu_limit_hit = false;
  // CPU time (user + system) of the main process and its reaped children, ms.
  int64_t cpu_ms = 0;
  // Wall-clock time from fork to exit of the main process, ms (fractional for fast programs).
  double wall_ms = 0;
  // Peak memory, bytes: of the whole run (all processes, page cache, tmpfs) when the runner has
  // a cgroup (memory.peak / memory.max_usage_in_bytes). Without one, the largest ru_maxrss of
  // the program and the children it reaped when that is above the server's own peak resident
  // size (ru_maxrss also holds the memory of the process the program was spawned from); below
  // it, the program's VmHWM sampled at 1, 2, 4, 8... ms: a lower bound, 0 for a run too short
  // to be sampled.
  int64_t peak_memory_bytes = 0;
  // stdout, at most `stdout_bytes`; `stdout_truncated` is true when the program wrote more.
  std::string stdout_data;
  bool stdout_truncated = false;
  // stderr, at most `stderr_bytes`; `stderr_truncated` is true when the program wrote more.
  std::string stderr_data;
  bool stderr_truncated = false;
  // Files named in `RunRequest::collect` that existed after the run, in request order.
  std::vector<InputFile> files;
  // One line for a person: why the status was chosen ("SIGXCPU", "wall 5000 ms", ...).
  std::string detail;
};

// Set by another thread to stop a request: every run that sees it kills its processes at once
// and returns kCancelled. Cheap to check; `fd()` is an eventfd a runner may poll (-1 if none).
class CancelFlag {
 public:
  CancelFlag();
  ~CancelFlag();
  CancelFlag(const CancelFlag&) = delete;
  CancelFlag& operator=(const CancelFlag&) = delete;

  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  int fd() const { return fd_; }

 private:
  std::atomic<bool> cancelled_{false};
  int fd_ = -1;
};

// What a runner reports about itself (shown by the server's GetInfo).
struct RunnerInfo {
  std::string name;  // "linux", "fake"
  // Containment steps active for every run, in the order they are applied.
  std::vector<std::string> active_layers;
  // Steps detected as unavailable or not used, each with the reason ("cgroup: v2 not delegated").
  std::vector<std::string> missing_layers;
  // True when rlimits, process-group kill, seccomp and private work dir are all active.
  bool minimum_layers_present = false;
  // Most runs that can be in flight at once (a run beyond that waits for a slot); 0 when there
  // is no such limit. Callers that hold one run while starting another (a harness pair) must
  // keep the number of such pairs at most half of it, or they can wait on each other.
  int max_parallel_runs = 0;
};

class Runner {
 public:
  virtual ~Runner() = default;
  // Runs `request` to completion (or limit, or cancellation). `cancel` may be null.
  virtual absl::StatusOr<RunResult> Run(const RunRequest& request, const CancelFlag* cancel) = 0;
  virtual RunnerInfo Info() const = 0;
};

}  // namespace verdict::sandbox

#endif  // VERDICT_SANDBOX_RUNNER_H_
