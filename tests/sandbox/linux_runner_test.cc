// Black-box tests of the Linux runner: ordinary programs get the documented RunResult.
#include "sandbox/linux_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace verdict::sandbox {
namespace {

using testing::Python;
using testing::SharedRunner;
using testing::Shell;

TEST(LinuxRunner, ReportsMinimumLayersAndWhatIsMissing) {
  RunnerInfo info = SharedRunner().Info();
  EXPECT_EQ(info.name, "linux");
  EXPECT_TRUE(info.minimum_layers_present);
  std::string all;
  for (const std::string& l : info.active_layers) all += l + ";";
  EXPECT_NE(all.find("seccomp"), std::string::npos) << all;
  EXPECT_NE(all.find("rlimits"), std::string::npos) << all;
  EXPECT_NE(all.find("private_work_dir"), std::string::npos) << all;
  EXPECT_NE(all.find("process_group_kill"), std::string::npos) << all;
  EXPECT_FALSE(info.missing_layers.empty());
}

TEST(LinuxRunner, EchoesStdinToStdout) {
  RunRequest r = Python("import sys\nsys.stdout.write(sys.stdin.read().upper())\n");
  r.stdin_data = "hello\nworld\n";
  auto res = SharedRunner().Run(r, nullptr);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, RunStatus::kOk);
  EXPECT_EQ(res->exit_code, 0);
  EXPECT_EQ(res->stdout_data, "HELLO\nWORLD\n");
  EXPECT_GT(res->wall_ms, 0);
  EXPECT_GT(res->peak_memory_bytes, 1 << 20);
}

TEST(LinuxRunner, LargeStdinAndStdoutFlowWithoutDeadlock) {
  RunRequest r = Python("import sys\nsys.stdout.write(sys.stdin.read())\n");
  r.stdin_data = std::string(3 << 20, 'a');
  auto res = SharedRunner().Run(r, nullptr);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, RunStatus::kOk);
  EXPECT_EQ(res->stdout_data.size(), size_t{3} << 20);
}

TEST(LinuxRunner, NonZeroExitIsRuntimeError) {
  auto res = SharedRunner().Run(Python("import sys\nprint('x', file=sys.stderr)\nsys.exit(3)\n"),
                                nullptr);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, RunStatus::kRuntimeError);
  EXPECT_EQ(res->exit_code, 3);
  EXPECT_EQ(res->stderr_data, "x\n");
}

TEST(LinuxRunner, SegfaultIsSignaled) {
  auto res = SharedRunner().Run(Python("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n"),
                                nullptr);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, RunStatus::kSignaled);
  EXPECT_EQ(res->signal, 11);
  EXPECT_EQ(res->exit_code, -1);
}

TEST(LinuxRunner, CpuLoopIsCpuTimeLimit) {
  RunLimits l;
  l.cpu_ms = 500;
  l.wall_ms = 10000;
  auto res = SharedRunner().Run(Python("while True: pass\n", l), nullptr);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, RunStatus::kTimeLimit);
  EXPECT_TRUE(res->cpu_limit_hit);
  EXPECT_LT(res->cpu_ms, 800);  // enforced to the millisecond, not at RLIMIT_CPU's 1 s
  EXPECT_GE(res->cpu_ms, 500);
}

TEST(LinuxRunner, SleepPastWallLimitIsKilledAtTheLimit) {
  RunLimits l;
  l.wall_ms = 300;
  auto res = SharedRunner().Run(Shell("sleep 30", l), nullptr);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, RunStatus::kTimeLimit);
  EXPECT_FALSE(res->cpu_limit_hit);
  EXPECT_GE(res->wall_ms, 300);
  EXPECT_LT(res->wall_ms, 1500);
  EXPECT_EQ(testing::CountSandboxProcesses(), 0);
}

TEST(LinuxRunner, OutputFloodIsOutputLimitWithCappedStdout) {
  RunLimits l;
  l.stdout_bytes = 1 << 20;
  auto res = SharedRunner().Run(Python("import sys\nwhile True: sys.stdout.write('x' * 65536)\n", l),
                                nullptr);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, RunStatus::kOutputLimit);
  EXPECT_TRUE(res->stdout_truncated);
  EXPECT_EQ(res->stdout_data.size(), size_t{1} << 20);
}

TEST(LinuxRunner, StderrFloodIsTruncatedAndFlagged) {
  RunLimits l;
  l.stderr_bytes = 1000;
  auto res = SharedRunner().Run(Python("import sys\nsys.stderr.write('e' * 100000)\n", l), nullptr);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, RunStatus::kOk);
  EXPECT_TRUE(res->stderr_truncated);
  EXPECT_EQ(res->stderr_data.size(), 1000u);
}

TEST(LinuxRunner, HugeAllocationIsMemoryLimit) {
  RunLimits l;
  l.memory_bytes = 256 << 20;
  auto res = SharedRunner().Run(Python("x = bytearray(64 << 30)\n", l), nullptr);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, RunStatus::kMemoryLimit) << res->detail << res->stderr_data;
}

TEST(LinuxRunner, CollectsNamedFilesAndRemovesWorkDir) {
  RunRequest r = Shell("printf abc > out.txt; ln -s /etc/shadow leak");
  r.collect = {"out.txt", "missing", "leak"};
  auto res = SharedRunner().Run(r, nullptr);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->files.size(), 1u);
  EXPECT_EQ(res->files[0].name, "out.txt");
  EXPECT_EQ(res->files[0].content, "abc");
  EXPECT_EQ(testing::CountEntries(testing::TestWorkRoot()), 0);
}

TEST(LinuxRunner, RejectsRelativeProgramPath) {
  RunRequest r;
  r.argv = {"python3"};
  auto res = SharedRunner().Run(r, nullptr);
  EXPECT_EQ(res.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LinuxRunner, MissingProgramIsAnErrorNotAVerdict) {
  RunRequest r;
  r.argv = {"/nonexistent/prog"};
  auto res = SharedRunner().Run(r, nullptr);
  EXPECT_EQ(res.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(res.status().message().find("exec /nonexistent/prog"), std::string::npos)
      << res.status();
  EXPECT_NE(res.status().message().find("No such file"), std::string::npos) << res.status();
}

// A containment step that fails in the child (here setrlimit: more open files than the
// kernel's nr_open) comes back through Boost.Process's error pipe with its stage and errno.
TEST(LinuxRunner, FailedSetupStepIsAnErrorNamingTheStep) {
  RunRequest r;
  r.argv = {"/bin/true"};
  r.limits.open_files = int64_t{1} << 40;
  auto res = SharedRunner().Run(r, nullptr);
  EXPECT_EQ(res.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(res.status().message().find("sandbox setup failed at setrlimit"), std::string::npos)
      << res.status();
  // The runner is still usable, and the failed child was reaped.
  r.limits = RunLimits{};
  auto ok = SharedRunner().Run(r, nullptr);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->status, RunStatus::kOk);
}

// The child is spawned from this process, and its exec records this process's resident size
// in the child's ru_maxrss: a large server must not make every crash look like a memory limit,
// nor a small program report the server's size as its peak.
TEST(LinuxRunner, ServerMemoryIsNotCountedAsTheProgramsPeak) {
  std::vector<char> ballast(512 << 20);
  for (size_t i = 0; i < ballast.size(); i += 4096) ballast[i] = 1;
  RunLimits l;
  l.memory_bytes = 512 << 20;
  auto res = SharedRunner().Run(
      Python("import os, signal, time\ntime.sleep(0.05)\nos.kill(os.getpid(), signal.SIGSEGV)\n",
             l),
      nullptr);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, RunStatus::kSignaled) << res->detail;
  EXPECT_LT(res->peak_memory_bytes, int64_t{100} << 20);
  EXPECT_GT(res->peak_memory_bytes, 1 << 20);  // sampled while it slept
  EXPECT_EQ(ballast[4096], 1);
}

// The program starts with default signal dispositions and nothing blocked, whatever the
// server ignores (SIGPIPE, typically) or blocks in the calling thread.
TEST(LinuxRunner, ProgramStartsWithDefaultSignals) {
  struct sigaction ign {}, old_pipe {};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, &old_pipe);
  sigset_t usr1, old_mask;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &usr1, &old_mask);
  RunRequest r;
  r.argv = {"/bin/cat", "/proc/self/status"};
  auto res = SharedRunner().Run(r, nullptr);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_NE(res->stdout_data.find("SigBlk:\t0000000000000000\n"), std::string::npos)
      << res->stdout_data;
  EXPECT_NE(res->stdout_data.find("SigIgn:\t0000000000000000\n"), std::string::npos)
      << res->stdout_data;
}

TEST(LinuxRunner, CancelKillsTheRunAtOnce) {
  CancelFlag cancel;
  RunLimits l;
  l.wall_ms = 30000;
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel.Cancel();
  });
  auto start = std::chrono::steady_clock::now();
  auto res = SharedRunner().Run(Shell("sleep 30", l), &cancel);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start).count();
  t.join();
  EXPECT_EQ(res.status().code(), absl::StatusCode::kCancelled);
  EXPECT_LT(ms, 2000);
  EXPECT_EQ(testing::CountSandboxProcesses(), 0);
}

// Reads a pipe to EOF.
std::string ReadAll(int fd) {
  std::string s;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) s.append(buf, n);
  return s;
}

TEST(LinuxRunner, StdinAndStdoutFdsReplaceTheCapturedStreams) {
  int in[2], out[2];
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  ASSERT_EQ(write(in[1], "abc\n", 4), 4);
  close(in[1]);
  RunRequest r = Python("import sys\nsys.stdout.write(sys.stdin.read().upper())\n");
  r.stdin_data = "ignored";
  r.stdin_fd = in[0];
  r.stdout_fd = out[1];
  auto res = SharedRunner().Run(r, nullptr);
  close(in[0]);
  close(out[1]);  // the runner's copies are closed: the caller's was the last writer
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, RunStatus::kOk) << res->stderr_data;
  EXPECT_EQ(res->stdout_data, "");
  EXPECT_EQ(ReadAll(out[0]), "ABC\n");
  close(out[0]);
}

TEST(LinuxRunner, ExtraFdsBecome3And4AndNothingElseIsInherited) {
  int a[2], b[2];
  ASSERT_EQ(pipe2(a, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(b, O_CLOEXEC), 0);
  ASSERT_EQ(write(a[1], "ping", 4), 4);
  close(a[1]);
  // fd 3 is the read end of `a`, fd 4 the write end of `b`; 5 and above are closed.
  RunRequest r = Python(
      "import os\nmsg = os.read(3, 100)\nos.write(4, msg + b' pong')\n"
      "open_fds = sorted(int(x) for x in os.listdir('/proc/self/fd'))\n"
      "print([f for f in open_fds if f > 2 and f not in (3, 4)] == [open_fds[-1]])\n");
  r.extra_fds = {a[0], b[1]};
  auto res = SharedRunner().Run(r, nullptr);
  close(a[0]);
  close(b[1]);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, RunStatus::kOk) << res->stderr_data;
  EXPECT_EQ(ReadAll(b[0]), "ping pong");
  // The one other descriptor is the one listdir itself opened on /proc/self/fd.
  EXPECT_EQ(res->stdout_data, "True\n");
  close(b[0]);
}

TEST(LinuxRunner, TooManyOrNegativeExtraFdsAreInvalidArgument) {
  RunRequest r = Shell("true");
  r.extra_fds.assign(RunRequest::kMaxExtraFds + 1, 0);
  EXPECT_EQ(SharedRunner().Run(r, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
  r.extra_fds = {-1};
  EXPECT_EQ(SharedRunner().Run(r, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LinuxRunner, InfoStatesTheSlotCount) {
  EXPECT_EQ(SharedRunner().Info().max_parallel_runs, testing::kSlots);
}

}  // namespace
}  // namespace verdict::sandbox
