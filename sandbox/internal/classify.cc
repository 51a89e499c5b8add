#include "sandbox/internal/classify.h"

#include <signal.h>
#include <string.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace verdict::sandbox::internal {
namespace {

// Why a run got kTimeLimit for CPU: the measured time when it is over the limit, else the
// RLIMIT_CPU signal that stopped it (the kernel's count, in whole seconds, can run ahead of the
// sampled one), never a measured time under the limit as if it were over.
std::string CpuLimitDetail(int64_t cpu_ms, int64_t limit_ms, int64_t rlimit_s, int signal) {
  if (cpu_ms > limit_ms) return absl::StrCat("cpu ", cpu_ms, " ms > ", limit_ms, " ms");
  return absl::StrCat("cpu limit ", limit_ms, " ms: ", signal == SIGXCPU ? "SIGXCPU" : "SIGKILL",
                      " at RLIMIT_CPU ", rlimit_s, " s (", cpu_ms, " ms measured)");
}

}  // namespace

int64_t CpuLimitSeconds(const RunLimits& lim) {
  return std::max<int64_t>(1, (lim.cpu_ms + 999) / 1000);
}

void Classify(const RunLimits& lim, const Outcome& o, RunResult* result) {
  const int64_t cpu_s = CpuLimitSeconds(lim);
  const bool failed = !(result->signal == 0 && result->exit_code == 0);
  const std::string& err = result->stderr_data;
  const bool oom_text =
      absl::StrContains(err, "MemoryError") || absl::StrContains(err, "bad_alloc") ||
      absl::StrContains(err, "Cannot allocate memory") || absl::StrContains(err, "out of memory");
  if (o.output_limit) {
    result->status = RunStatus::kOutputLimit;
    result->detail = absl::StrCat("stdout over ", lim.stdout_bytes, " bytes");
  } else if (o.wall_limit) {
    result->status = RunStatus::kTimeLimit;
    result->detail = absl::StrCat("wall ", lim.wall_ms, " ms");
  } else if (o.cpu_watch_hit || result->signal == SIGXCPU || result->cpu_ms > lim.cpu_ms ||
             (result->signal == SIGKILL && result->cpu_ms >= cpu_s * 1000)) {
    result->status = RunStatus::kTimeLimit;
    result->cpu_limit_hit = true;
    result->detail = CpuLimitDetail(result->cpu_ms, lim.cpu_ms, cpu_s, result->signal);
  } else if (result->signal == SIGXFSZ) {
    result->status = RunStatus::kOutputLimit;
    result->detail = absl::StrCat("file over ", lim.file_bytes, " bytes (SIGXFSZ)");
  } else if (!o.work_dir_over.empty() && (failed || !o.work_dir_tmpfs)) {
    // A full tmpfs matters when a write failed on it (the program failed); without the tmpfs,
    // being over is the fault whatever the exit.
    result->status = RunStatus::kOutputLimit;
    result->detail = o.work_dir_over;
  } else if (!failed) {
    result->status = RunStatus::kOk;
  } else if (o.cgroup_oom) {
    result->status = RunStatus::kMemoryLimit;
    result->detail = "cgroup memory limit (OOM kill)";
  } else if (oom_text || result->peak_memory_bytes >= lim.memory_bytes / 10 * 9) {
    // An address-space limit shows up as a failed allocation: the runtime's out-of-memory
    // message, or a crash at the limit.
    result->status = RunStatus::kMemoryLimit;
    result->detail = oom_text ? "allocation failed (address-space limit)" : "peak memory at limit";
  } else if (result->signal != 0) {
    result->status = RunStatus::kSignaled;
    result->detail = absl::StrCat("signal ", result->signal, " (", strsignal(result->signal), ")");
  } else {
    result->status = RunStatus::kRuntimeError;
    result->detail = absl::StrCat("exit code ", result->exit_code);
  }
}

}  // namespace verdict::sandbox::internal
