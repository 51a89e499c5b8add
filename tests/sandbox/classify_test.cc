// Table test of Classify: every status, the order of the checks where several apply, and the
// detail strings. No process runs: the rows are what the runner could have seen.
#include "sandbox/internal/classify.h"

#include <signal.h>

#include <string>

#include "gtest/gtest.h"

namespace verdict::sandbox::internal {
namespace {

struct Row {
  const char* name;
  Outcome seen;
  int exit_code;  // -1 when signalled
  int signal;
  int64_t cpu_ms;
  int64_t peak_memory_bytes;
  const char* stderr_data;
  RunStatus status;
  bool cpu_limit_hit;
  const char* detail;
};

constexpr int64_t kMiB = int64_t{1} << 20;

Outcome Seen(bool output_limit, bool wall_limit, bool cpu_watch_hit, bool cgroup_oom = false,
             bool work_dir_tmpfs = false, std::string work_dir_over = "") {
  return Outcome{output_limit, wall_limit,     cpu_watch_hit,
                 cgroup_oom,   work_dir_tmpfs, std::move(work_dir_over)};
}

TEST(Classify, EveryStatusWithItsDetail) {
  // Limits: cpu 2000 ms (RLIMIT_CPU 2 s), wall 3000 ms, memory 100 MiB, stdout 1000 bytes,
  // files 2000 bytes.
  RunLimits lim;
  lim.cpu_ms = 2000;
  lim.wall_ms = 3000;
  lim.memory_bytes = 100 * kMiB;
  lim.stdout_bytes = 1000;
  lim.file_bytes = 2000;
  const Outcome none = Seen(false, false, false);
  const std::string over = "work dir over 10 bytes or 5 files: 11 bytes in 1 files";
  const Row rows[] = {
      {"exit 0", none, 0, 0, 10, kMiB, "", RunStatus::kOk, false, ""},
      {"exit 0 with MemoryError printed", none, 0, 0, 10, kMiB, "MemoryError", RunStatus::kOk,
       false, ""},
      {"exit 1", none, 1, 0, 10, kMiB, "Traceback", RunStatus::kRuntimeError, false, "exit code 1"},
      {"exit 255", none, 255, 0, 10, kMiB, "", RunStatus::kRuntimeError, false, "exit code 255"},
      {"SIGSEGV", none, -1, SIGSEGV, 10, kMiB, "", RunStatus::kSignaled, false,
       "signal 11 (Segmentation fault)"},
      {"SIGABRT", none, -1, SIGABRT, 10, kMiB, "", RunStatus::kSignaled, false,
       "signal 6 (Aborted)"},
      {"SIGKILL under the CPU limit", none, -1, SIGKILL, 1400, kMiB, "", RunStatus::kSignaled,
       false, "signal 9 (Killed)"},
      {"stdout over the cap", Seen(true, false, false), 0, 0, 10, kMiB, "", RunStatus::kOutputLimit,
       false, "stdout over 1000 bytes"},
      {"stdout cap before the wall clock", Seen(true, true, true), -1, SIGKILL, 2000, kMiB, "",
       RunStatus::kOutputLimit, false, "stdout over 1000 bytes"},
      {"wall clock", Seen(false, true, false), -1, SIGKILL, 20, kMiB, "", RunStatus::kTimeLimit,
       false, "wall 3000 ms"},
      {"wall clock before the CPU watch", Seen(false, true, true), -1, SIGKILL, 1600, kMiB, "",
       RunStatus::kTimeLimit, false, "wall 3000 ms"},
      {"CPU watch", Seen(false, false, true), -1, SIGKILL, 2020, kMiB, "", RunStatus::kTimeLimit,
       true, "cpu 2020 ms > 2000 ms"},
      {"CPU measured over, exited 0", none, 0, 0, 2001, kMiB, "", RunStatus::kTimeLimit, true,
       "cpu 2001 ms > 2000 ms"},
      {"SIGXCPU with rusage under the limit", none, -1, SIGXCPU, 1990, kMiB, "",
       RunStatus::kTimeLimit, true,
       "cpu limit 2000 ms: SIGXCPU at RLIMIT_CPU 2 s (1990 ms measured)"},
      {"SIGKILL at RLIMIT_CPU's hard limit", none, -1, SIGKILL, 2000, kMiB, "",
       RunStatus::kTimeLimit, true,
       "cpu limit 2000 ms: SIGKILL at RLIMIT_CPU 2 s (2000 ms measured)"},
      {"CPU before memory", Seen(false, false, true, true), -1, SIGKILL, 2100, 100 * kMiB,
       "MemoryError", RunStatus::kTimeLimit, true, "cpu 2100 ms > 2000 ms"},
      {"SIGXFSZ", none, -1, SIGXFSZ, 10, kMiB, "", RunStatus::kOutputLimit, false,
       "file over 2000 bytes (SIGXFSZ)"},
      {"work dir over the cap (measured), exit 0", Seen(false, false, false, false, false, over), 0,
       0, 10, kMiB, "", RunStatus::kOutputLimit, false, over.c_str()},
      {"full tmpfs, exit 0: the program coped", Seen(false, false, false, false, true, "full"), 0,
       0, 10, kMiB, "", RunStatus::kOk, false, ""},
      {"full tmpfs, exit 1", Seen(false, false, false, false, true, "work dir full (x)"), 1, 0, 10,
       kMiB, "OSError: No space left", RunStatus::kOutputLimit, false, "work dir full (x)"},
      {"cgroup OOM kill", Seen(false, false, false, true), -1, SIGKILL, 10, 100 * kMiB, "",
       RunStatus::kMemoryLimit, false, "cgroup memory limit (OOM kill)"},
      {"cgroup OOM kill of a child, exit 0", Seen(false, false, false, true), 0, 0, 10, 100 * kMiB,
       "", RunStatus::kOk, false, ""},
      {"MemoryError", none, 1, 0, 10, 5 * kMiB, "Traceback\nMemoryError\n", RunStatus::kMemoryLimit,
       false, "allocation failed (address-space limit)"},
      {"bad_alloc abort", none, -1, SIGABRT, 10, 5 * kMiB,
       "terminate called after throwing an instance of 'std::bad_alloc'", RunStatus::kMemoryLimit,
       false, "allocation failed (address-space limit)"},
      {"node out of memory", none, 134, 0, 10, 5 * kMiB,
       "FATAL ERROR: invalid array length Allocation failed - JavaScript heap out of memory",
       RunStatus::kMemoryLimit, false, "allocation failed (address-space limit)"},
      {"crash at 90% of the memory limit", none, -1, SIGSEGV, 10, 90 * kMiB, "",
       RunStatus::kMemoryLimit, false, "peak memory at limit"},
      {"crash just under 90%", none, -1, SIGSEGV, 10, 90 * kMiB - 4096 * 1024, "",
       RunStatus::kSignaled, false, "signal 11 (Segmentation fault)"},
  };
  for (const Row& row : rows) {
    RunResult r;
    r.exit_code = row.exit_code;
    r.signal = row.signal;
    r.cpu_ms = row.cpu_ms;
    r.peak_memory_bytes = row.peak_memory_bytes;
    r.stderr_data = row.stderr_data;
    Classify(lim, row.seen, &r);
    EXPECT_EQ(r.status, row.status) << row.name << ": " << r.detail;
    EXPECT_EQ(r.cpu_limit_hit, row.cpu_limit_hit) << row.name;
    EXPECT_EQ(r.detail, row.detail) << row.name;
  }
}

TEST(Classify, CpuLimitSecondsRoundsUpToAtLeastOne) {
  for (auto [ms, s] : {std::pair<int64_t, int64_t>{1, 1},
                       {999, 1},
                       {1000, 1},
                       {1001, 2},
                       {1500, 2},
                       {2000, 2},
                       {0, 1}}) {
    RunLimits lim;
    lim.cpu_ms = ms;
    EXPECT_EQ(CpuLimitSeconds(lim), s) << ms;
  }
}

}  // namespace
}  // namespace verdict::sandbox::internal
