// The verdict of a finished run (linux_runner.h, after step 8): from what the runner saw and the
// program's exit, the RunStatus and its detail. A pure function, tested by table.
#ifndef VERDICT_SANDBOX_INTERNAL_CLASSIFY_H_
#define VERDICT_SANDBOX_INTERNAL_CLASSIFY_H_

#include <cstdint>
#include <string>

#include "sandbox/runner.h"

namespace verdict::sandbox::internal {

// What the runner saw of a finished run besides what RunResult holds (exit code, signal,
// cpu_ms, peak memory, stderr).
struct Outcome {
  bool output_limit = false;    // stdout over `stdout_bytes`
  bool wall_limit = false;      // the wall clock ran out
  bool cpu_watch_hit = false;   // the watch saw the program over `cpu_ms`
  bool cgroup_oom = false;      // the run's cgroup OOM-killed a process
  bool work_dir_tmpfs = false;  // the work dir was a tmpfs with the cap
  std::string work_dir_over;    // why the work dir is over its cap; "" when it is not
};

// RLIMIT_CPU for `lim.cpu_ms`: whole seconds, rounded up, at least 1.
int64_t CpuLimitSeconds(const RunLimits& lim);

// The classification of a finished run, most specific first: sets `result->status`,
// `cpu_limit_hit` and `detail` from `o` and the result's exit code, signal, cpu_ms, peak memory
// and stderr. Output limit, then wall clock, then CPU (the watch, SIGXCPU, a measured time over
// the limit, or SIGKILL at RLIMIT_CPU's whole seconds), then SIGXFSZ, then a work dir over its
// cap (a full tmpfs counts only when the program failed), then success, then memory (the
// cgroup's OOM kill, a runtime's out-of-memory message, or a peak at 90% of the limit), then
// another signal, then a non-zero exit.
void Classify(const RunLimits& lim, const Outcome& o, RunResult* result);

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_CLASSIFY_H_
