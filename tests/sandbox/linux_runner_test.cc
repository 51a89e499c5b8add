// Black-box tests of the Linux runner: ordinary programs get the documented RunResult.
#include "sandbox/linux_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "sandbox/internal/launcher.h"
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
  auto res =
      SharedRunner().Run(Python("import sys\nprint('x', file=sys.stderr)\nsys.exit(3)\n"), nullptr);
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
  auto res = SharedRunner().Run(
      Python("import sys\nwhile True: sys.stdout.write('x' * 65536)\n", l), nullptr);
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
// kernel's nr_open) comes back on the run's status pipe with its stage and errno.
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
  struct sigaction ign {
  }, old_pipe{};
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
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
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

// A descriptor that is not open (a caller's bug, or a race that closed it) fails its own run
// at the launcher's send (EBADF: nothing was sent, the stream is in step); the launcher stays,
// and the next run works. (It used to count as the launcher gone: no code ran until restart.)
TEST(LinuxRunner, ClosedExtraFdFailsItsRunAndNothingElse) {
  int closed = 900;
  while (fcntl(closed, F_GETFD) != -1) ++closed;
  RunRequest r = Shell("true");
  r.extra_fds = {closed};
  auto bad = SharedRunner().Run(r, nullptr);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(bad.status().message().find("Bad file descriptor"), std::string::npos) << bad.status();
  EXPECT_EQ(bad.status().message().find("is gone"), std::string::npos) << bad.status();
  auto good = SharedRunner().Run(Shell("echo ok"), nullptr);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->stdout_data, "ok\n");
}

TEST(LinuxRunner, InfoStatesTheSlotCount) {
  EXPECT_EQ(SharedRunner().Info().max_parallel_runs, testing::kSlots);
}

// Issue 15: runs are forked by the launcher, a small process of their own, yet the program is
// this process's child (it waits for it, and the group kill and reaping work as before).
TEST(Launcher, ForksRunsAsChildrenOfTheServer) {
  auto launcher = internal::Launcher::Get();
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  EXPECT_NE((*launcher)->pid(), getpid());
  std::atomic<bool> done{false};
  std::thread run([&] {
    auto r = SharedRunner().Run(Shell("sleep 1"), nullptr);
    EXPECT_TRUE(r.ok() && r->status == RunStatus::kOk) << r.status();
    done = true;
  });
  bool seen = false;  // a child of this process that is not the launcher
  while (!done && !seen) {
    for (pid_t p : testing::ChildPids()) seen |= p != (*launcher)->pid();
    usleep(1000);
  }
  run.join();
  EXPECT_TRUE(seen);
}

// Forks a copy of this process that runs `body`, writes an int it returns to a pipe and exits;
// returns that int (-1000 when the copy failed).
template <typename Body>
int InAForkedCopy(Body body) {
  SharedRunner();  // created here: the copy inherits it, as a forked server would
  int fds[2];
  if (pipe(fds) != 0) return -1000;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const int v = body();
    (void)!write(fds[1], &v, sizeof v);
    _exit(0);
  }
  close(fds[1]);
  int v = -1000;
  if (read(fds[0], &v, sizeof v) != sizeof v) v = -1000;
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return v;
}

// Waits up to 10 s for `pid`, a child of this process (the subreaper) by now, to exit.
bool ExitsSoon(pid_t pid) {
  for (int i = 0; i < 1000; ++i) {
    const pid_t r = waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD && kill(pid, 0) != 0)) return true;
    usleep(10000);
  }
  return false;
}

// A forked copy of the server gets a launcher of its own (the parent's socket is the parent's),
// runs code with it, and its launcher dies with it.
TEST(Launcher, DiesWithTheServerAndAForkedCopyGetsItsOwn) {
  const pid_t parents = internal::Launcher::Get().value()->pid();
  const int copys = InAForkedCopy([] {
    auto r = SharedRunner().Run(Shell("echo hi"), nullptr);
    if (!r.ok() || r->stdout_data != "hi\n") return -1;
    return static_cast<int>(internal::Launcher::Get().value()->pid());
  });
  ASSERT_GT(copys, 0);
  EXPECT_NE(copys, parents);
  // Orphaned when the copy exited, the launcher came to this process (a subreaper) and exited.
  EXPECT_TRUE(ExitsSoon(copys));
  // The parent's launcher is untouched.
  auto r = SharedRunner().Run(Shell("echo still"), nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stdout_data, "still\n");
}

// When the server dies (SIGKILL: no destructor runs), its launcher and the run it was in dies
// with it: nothing of the run is left.
TEST(Launcher, ARunDiesWithTheServer) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  SharedRunner();
  const pid_t copy = fork();
  if (copy == 0) {
    close(fds[0]);
    // The copy's launcher, from its main thread (as StartSandboxLauncher in a main()).
    const pid_t launcher = internal::Launcher::Get().value()->pid();
    // The program itself sleeps (not a shell's child: without a pid namespace, what a program
    // forks does not get the parent-death signal).
    std::thread([] {
      (void)SharedRunner().Run(Python("import time\ntime.sleep(60)\n"), nullptr);
    }).detach();
    auto run_process = [&] {
      for (pid_t p : testing::ChildPids()) {
        if (p != launcher) return p;
      }
      return 0;
    };
    for (int i = 0; i < 1000 && run_process() == 0; ++i) usleep(10000);
    usleep(200000);  // past the spawn (a pid namespace's setup child is gone): the run is underway
    const pid_t both[2] = {launcher, run_process()};
    (void)!write(fds[1], both, sizeof both);
    kill(getpid(), SIGKILL);
  }
  close(fds[1]);
  pid_t both[2] = {0, 0};
  ASSERT_EQ(read(fds[0], both, sizeof both), static_cast<ssize_t>(sizeof both));
  close(fds[0]);
  int status = 0;
  waitpid(copy, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  // Both came to this process (a subreaper) and exited.
  EXPECT_TRUE(ExitsSoon(both[0])) << "launcher " << both[0];
  EXPECT_GT(both[1], 0);
  EXPECT_TRUE(ExitsSoon(both[1])) << "run " << both[1];
  // What the dead copy could not clean up: its run's work dir (and its tmpfs).
  for (const auto& e : std::filesystem::directory_iterator(testing::TestWorkRoot())) {
    umount2(e.path().c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(e.path(), ec);
  }
}

// A forked copy of this process (which inherits the shared runner) starts a run with the runner
// `setup` returns, whose program forks a child that sleeps, and dies by SIGKILL (with its
// launcher, by one signal to their process group, when `launcher_too`); returns the slot-uid
// processes it counted then (-1 on failure).
template <typename Setup>
int CopyDiesDuringARunThatForked(Setup setup, bool launcher_too) {
  SharedRunner();
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t copy = fork();
  if (copy == 0) {
    close(fds[0]);
    if (launcher_too) setpgid(0, 0);  // the launcher, forked in `setup`, joins this group
    Runner* runner = setup();
    testing::CountRunner(*runner);
    std::thread([runner] {
      (void)runner->Run(Python("import os, time\nif os.fork() == 0:\n    os.close(1); os.close(2)\n"
                               "    time.sleep(60)\n    os._exit(0)\ntime.sleep(60)\n"),
                        nullptr);
    }).detach();
    int n = 0;  // the program and its child
    for (int i = 0; i < 1000 && (n = testing::CountSandboxProcesses()) < 2; ++i) usleep(10000);
    const int counted[3] = {n, testing::FirstUidOf(*runner), runner->Info().max_parallel_runs};
    (void)!write(fds[1], counted, sizeof counted);
    kill(launcher_too ? -getpid() : getpid(), SIGKILL);
  }
  close(fds[1]);
  int counted[3] = {-1, -1, 0};
  if (read(fds[0], counted, sizeof counted) != sizeof counted) counted[0] = -1;
  close(fds[0]);
  waitpid(copy, nullptr, 0);
  testing::CountUids(counted[1], counted[2]);  // the copy's runner's range, counted here too
  return counted[0];
}

// Slot-uid processes left after up to 10 s, reaping those that came to this process (a
// subreaper), then removes the work dirs the dead copy left.
int SandboxProcessesLeftSoon() {
  int left = -1;
  for (int i = 0; i < 1000 && (left = testing::CountSandboxProcesses()) > 0; ++i) {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {}
    usleep(10000);
  }
  while (waitpid(-1, nullptr, WNOHANG) > 0) {}
  for (const auto& e : std::filesystem::directory_iterator(testing::TestWorkRoot())) {
    umount2(e.path().c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(e.path(), ec);
  }
  return left;
}

// Issue 15: without a pid namespace, what a program forks gets no parent-death signal: when the
// server died, a program's child lived on, as the slot uid. The launcher kills the processes of
// the uids it ran programs as when the server dies.
TEST(Launcher, WhatARunForkedDiesWithTheServer) {
  if (!testing::Active("uid_drop")) {
    GTEST_SKIP() << "not root: runs have no uid of their own to count (a pid namespace, needed "
                    "then, ends them with its init)";
  }
  const int during = CopyDiesDuringARunThatForked(
      [] {
        (void)internal::Launcher::Get();  // the copy's own launcher, from its main thread
        return &SharedRunner();
      },
      /*launcher_too=*/false);
  EXPECT_GE(during, 2);
  EXPECT_EQ(SandboxProcessesLeftSoon(), 0);
}

// Issue 15: the same when the launcher dies with the server (one SIGKILL to their process
// group: a shell's job kill, `timeout -s KILL`): the launcher's reaper, in a session of its
// own, kills what the run left.
TEST(Launcher, WhatARunForkedDiesWithTheServerAndItsLauncher) {
  if (!testing::Active("uid_drop")) {
    GTEST_SKIP() << "not root: runs have no uid of their own to count (a pid namespace, needed "
                    "then, ends them with its init)";
  }
  const int during = CopyDiesDuringARunThatForked(
      [] {
        (void)internal::Launcher::Get();
        return &SharedRunner();
      },
      /*launcher_too=*/true);
  EXPECT_GE(during, 2);
  EXPECT_EQ(SandboxProcessesLeftSoon(), 0);
}

// A launcher that died is an error naming it, never a hang or a verdict.
TEST(Launcher, AGoneLauncherIsAClearError) {
  const int code = InAForkedCopy([] {
    auto first = SharedRunner().Run(Shell("true"), nullptr);
    if (!first.ok()) return -2;
    const pid_t launcher = internal::Launcher::Get().value()->pid();
    kill(launcher, SIGKILL);
    auto r = SharedRunner().Run(Shell("true"), nullptr);
    if (r.ok()) return -3;
    if (r.status().message().find("sandbox launcher") == std::string::npos ||
        r.status().message().find("killed by signal 9") == std::string::npos) {
      fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return -4;
    }
    return static_cast<int>(r.status().code());
  });
  EXPECT_EQ(code, static_cast<int>(absl::StatusCode::kInternal));
}

}  // namespace
}  // namespace verdict::sandbox
