// Linux Runner: spawns with Boost.Process (error codes, no exceptions); the containment steps
// of linux_runner.h run in a Boost.Process extension between its fork and its execve, as
// async-signal-safe system calls (the server is multi-threaded).
#include "sandbox/linux_runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <utility>
#include <vector>

// Boost.Process offers use_vfork only where the feature macros predate POSIX.1-2008 (which
// dropped vfork); glibc has it, and the runner needs it (see ChildSetup).
#define BOOST_POSIX_HAS_VFORK 1
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "sandbox/internal/cgroup.h"
#include "sandbox/internal/fd.h"
#include "sandbox/internal/host_probe.h"
#include "sandbox/internal/namespaces.h"
#include "sandbox/internal/seccomp_filter.h"
#include "sandbox/internal/uid_range.h"
#include "sandbox/internal/work_dir.h"

namespace verdict::sandbox {
namespace {

using internal::UniqueFd;

double NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Failure stages a child reports through Boost.Process's exec-error pipe before _exit(127).
enum ChildStage : int { kStageDup, kStageChdir, kStageRlimit, kStageUid, kStageSeccomp,
                        kStageCgroup, kStageNamespaces, kStageFork, kStageCaps, kStageUnshare };
constexpr const char* kStageNames[] = {"dup2",        "chdir",  "setrlimit",
                                       "uid drop",    "seccomp", "cgroup join",
                                       "namespaces",  "fork",    "capabilities",
                                       "unshare"};

struct ChildPlan {
  int stdin_fd, stdout_fd, stderr_fd;
  const int* extra_fds;  // become 3, 4, ...
  int num_extra_fds;
  int status_fd;    // pid namespace: init and the program report a failed step here; else -1
  pid_t* init_pid;  // pid namespace: where the vforked child leaves init's pid
  const char* work_dir;
  rlimit limits[7];
  int resources[7];
  int num_limits;
  bool drop_uid;
  uid_t uid;
  bool drop_caps;  // root of a user namespace: no capabilities for the program
  const sock_fprog* filter;  // null: no seccomp
  const char* const* cgroup_procs;  // files to write "0" into (join the slot's cgroups)
  int num_cgroup_procs;
  const internal::NamespacePlan* ns;  // null: no namespaces
  int result_fd;  // pid namespace: init writes the program's wait status here
  internal::ArgArea server_args;  // pid namespace: init's copy of the server's argv strings
};

// Boost.Process carries only an error code from the child to the parent, so a failed setup
// step encodes its stage and step above errno's range: kSetupError + (stage * 100 + step) *
// 4096 + errno. Values below kSetupError are Boost.Process's own (fork, execve: errno).
constexpr int kSetupError = 1 << 24;

int SetupErrorCode(int stage, int step) {
  return kSetupError + (stage * 100 + step) * 4096 + (errno & 4095);
}

// Why a spawn failed, from the code ChildFail or Boost.Process reported.
std::string SpawnError(const std::error_code& ec, bool forked, const std::string& program) {
  const int v = ec.value();
  if (v < kSetupError) {
    return absl::StrCat(forked ? absl::StrCat("exec ", program) : "spawn", " failed: ", strerror(v));
  }
  const int stage = (v - kSetupError) / 4096 / 100, step = (v - kSetupError) / 4096 % 100;
  return absl::StrCat("sandbox setup failed at ",
                      stage >= 0 && stage < static_cast<int>(std::size(kStageNames))
                          ? kStageNames[stage] : "?",
                      step > 0 ? absl::StrCat(" step ", step) : "", ": ", strerror(v % 4096));
}

// Pid 1 of the run's pid namespace: reaps everything (orphans come to it) until the program
// itself is reaped, reports its wait status and exits, which kills what is left.
[[noreturn]] void InitMain(pid_t program, int result_fd) {
  syscall(SYS_close_range, 0u, static_cast<unsigned>(result_fd) - 1, 0u);
  syscall(SYS_close_range, static_cast<unsigned>(result_fd) + 1, ~0u, 0u);
  while (true) {
    int status = 0;
    pid_t r = wait4(-1, &status, __WALL, nullptr);
    if (r == program) {
      (void)!write(result_fd, &status, sizeof status);
      _exit(0);
    }
    if (r < 0 && errno != EINTR) _exit(1);
  }
}

// Step 2: a session of its own, which is also a process group of its own (killed as a whole),
// and has no controlling terminal: the program cannot open /dev/tty or push keystrokes into the
// terminal of whoever runs the server or `verdict score` (TIOCSTI). The vforked child is never
// a group leader, so setsid() cannot fail.
void LeaveTerminal() { setsid(); }

// The containment steps, in the child Boost.Process vforked (it shares the server's memory
// until its execve), before that execve: system calls only, no allocation, nothing written but
// its stack, errno and the executor's error code.
//
// With a pid namespace the vforked child unshares the namespaces and forks init (pid 1 of the
// new pid namespace) as a child of the runner (CLONE_PARENT), hands init's pid back through the
// shared memory and exits, so the runner's thread goes on at once. Init (a copy of the server's
// memory: one page-table copy per run) builds the mount namespace and vforks the program
// (pid 2), which finishes the steps and makes the executor's execve itself. Init and the
// program do not share the server's memory: they report a failed step on the plan's status
// pipe instead of through the executor.
template <typename Executor>
void ChildSetup(const ChildPlan& p, Executor& exec) {
  bool copy = false;  // init or the program of a pid namespace
  int status_fd = p.status_fd;
  auto fail = [&](int stage, int step = 0) {
    const int code = SetupErrorCode(stage, step);
    if (copy) {
      (void)!write(status_fd, &code, sizeof code);
    } else {
      exec.set_error(std::error_code(code, std::system_category()), "sandbox setup");
    }
    _exit(127);
  };
  // The server's signal handlers must not run here (this memory is the server's): the parent
  // blocked every signal around the vfork; reset the dispositions, unblock just before exec.
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  }
  LeaveTerminal();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  for (int i = 0; i < p.num_cgroup_procs; ++i) {
    int fd = open(p.cgroup_procs[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) fail(kStageCgroup);
    close(fd);
  }
  if (p.ns != nullptr) {
    if (unshare(p.ns->clone_flags) != 0) fail(kStageUnshare);
    if (p.ns->pid) {
      const pid_t init =
          static_cast<pid_t>(syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0));
      if (init < 0) fail(kStageFork);
      if (init > 0) {
        *p.init_pid = init;  // shared memory: the runner reads it when we are gone
        _exit(0);
      }
      copy = true;
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
    }
    if (int step = internal::EnterNamespaces(*p.ns); step != 0) fail(kStageNamespaces, step);
    if (p.ns->pid) {
      internal::HideCommandLine(p.server_args);
      // We are init; the program is our child (pid 2), in a group of its own. vfork: the
      // program borrows init's memory (init's own copy) until its execve, which it makes itself
      // below: it must not return into frames init still uses.
      const pid_t program = vfork();
      if (program < 0) fail(kStageFork);
      if (program > 0) InitMain(program, p.result_fd);
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
    }
  }
  umask(077);
  // Extra descriptors become 3, 4, ...: first copied above those numbers (a source, or the
  // status pipe, may sit on one of them).
  const unsigned first_free = 3u + static_cast<unsigned>(p.num_extra_fds);
  int extra[RunRequest::kMaxExtraFds];
  for (int i = 0; i < p.num_extra_fds; ++i) {
    if ((extra[i] = fcntl(p.extra_fds[i], F_DUPFD_CLOEXEC, first_free)) < 0) fail(kStageDup);
  }
  if (copy && p.num_extra_fds > 0 &&
      (status_fd = fcntl(status_fd, F_DUPFD_CLOEXEC, first_free)) < 0) {
    fail(kStageDup);
  }
  if (dup2(p.stdin_fd, 0) < 0 || dup2(p.stdout_fd, 1) < 0 || dup2(p.stderr_fd, 2) < 0) {
    fail(kStageDup);
  }
  for (int i = 0; i < p.num_extra_fds; ++i) {
    if (dup2(extra[i], 3 + i) < 0) fail(kStageDup);
  }
  // Everything else closes at exec (the status pipe must stay open until then). Before
  // Linux 5.11 (no CLOSE_RANGE_CLOEXEC) close now.
  if (syscall(SYS_close_range, first_free, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
    const int to = static_cast<int>(first_free);
    if (copy && (dup2(status_fd, to) < 0 || fcntl(to, F_SETFD, FD_CLOEXEC) != 0)) fail(kStageDup);
    status_fd = to;
    syscall(SYS_close_range, copy ? first_free + 1 : first_free, ~0u, 0u);
  }
  if (chdir(p.work_dir) != 0) fail(kStageChdir);
  for (int i = 0; i < p.num_limits; ++i) {
    if (p.resources[i] == RLIMIT_AS) continue;  // last, below
    if (setrlimit(p.resources[i], &p.limits[i]) != 0) fail(kStageRlimit);
  }
  if (p.drop_uid) {
    // Raw system calls: glibc's wrappers signal every thread it believes exists (setxid), and
    // in a vforked or raw-forked child it still believes in the server's threads.
    if (syscall(SYS_setgroups, 0, nullptr) != 0 ||
        syscall(SYS_setresgid, p.uid, p.uid, p.uid) != 0 ||
        syscall(SYS_setresuid, p.uid, p.uid, p.uid) != 0) {
      fail(kStageUid);
    }
  }
  if (p.drop_caps && !internal::DropAllCapabilities()) fail(kStageCaps);
  // The address-space limit comes last before the filter (lowering a limit needs no
  // capability): this child runs on the stack of the thread that spawned it, and a stack page it
  // first touches once RLIMIT_AS is set faults if the spawner's address space is already over
  // the limit (a server's thread arenas, ASan's shadow: a SIGSEGV before the execve, seen in CI).
  for (int i = 0; i < p.num_limits; ++i) {
    if (p.resources[i] == RLIMIT_AS && setrlimit(p.resources[i], &p.limits[i]) != 0) {
      fail(kStageRlimit);
    }
  }
  if (p.filter != nullptr) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, p.filter) != 0) {
      fail(kStageSeccomp);
    }
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (copy) {
    // The program of a pid namespace (vforked by init): its own execve, retried while the
    // binary is still open for writing elsewhere (ETXTBSY: the compile cache's fresh binary
    // in a child another thread forked, for microseconds).
    execve(exec.exe, exec.cmd_line, exec.env);
    for (int i = 0; i < 200 && errno == ETXTBSY; ++i) {
      timespec ms{0, 1000000};
      nanosleep(&ms, nullptr);
      execve(exec.exe, exec.cmd_line, exec.env);
    }
    const int code = errno;
    (void)!write(status_fd, &code, sizeof code);
    _exit(127);
  }
}

// The Boost.Process extension that runs ChildSetup between vfork and execve and records the pid
// of a child whose setup or exec failed (Boost.Process returns an empty child then; it must
// still be reaped).
struct Containment : boost::process::extend::handler {
  const ChildPlan* plan;
  pid_t* failed_pid;
  template <typename Executor>
  void on_exec_setup(Executor& exec) const {
    ChildSetup(*plan, exec);
  }
  template <typename Executor>
  void on_error(Executor& exec, const std::error_code&) const {
    *failed_pid = exec.pid;
  }
};

// Passes the request's environment exactly as given (bp::env would go through a map).
struct ExactEnv : boost::process::extend::handler {
  char** envp;
  template <typename Executor>
  void on_setup(Executor& exec) const {
    exec.env = envp;
  }
};

// Step 4's RLIMIT_AS. glibc gives every thread a stack of RLIMIT_STACK (64 MiB by default),
// reserved, not used: against an address-space limit of `memory_bytes` (512 MiB) a program could
// not start an eighth thread. Where the run's cgroup limits the memory it really uses, the
// address space gets room for a full stack per allowed process or thread on top (huge
// reservations still fail, touching more than `memory_bytes` is an OOM kill); without a cgroup
// the address space is the only memory limit and stays `memory_bytes`.
int64_t AddressSpaceLimit(const RunLimits& lim, int64_t stack_bytes, bool memory_cgroup) {
  if (!memory_cgroup) return lim.memory_bytes;
  return lim.memory_bytes + std::min<int64_t>(lim.processes, 256) * stack_bytes;
}

// Why a run got kTimeLimit for CPU: the measured time when it is over the limit, else the
// RLIMIT_CPU signal that stopped it (the kernel's count, in whole seconds, can run ahead of the
// sampled one), never a measured time under the limit as if it were over.
std::string CpuLimitDetail(int64_t cpu_ms, int64_t limit_ms, int64_t rlimit_s, int signal) {
  if (cpu_ms > limit_ms) return absl::StrCat("cpu ", cpu_ms, " ms > ", limit_ms, " ms");
  return absl::StrCat("cpu limit ", limit_ms, " ms: ", signal == SIGXCPU ? "SIGXCPU" : "SIGKILL",
                      " at RLIMIT_CPU ", rlimit_s, " s (", cpu_ms, " ms measured)");
}

// The first child of `pid` (for init: the program of a pid namespace); 0 when there is none.
pid_t OnlyChild(pid_t pid) {
  char path[64], buf[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  ssize_t got = fd.ok() ? read(fd.get(), buf, sizeof buf - 1) : -1;
  if (got <= 0) return 0;
  buf[got] = 0;
  return atoi(buf);
}

// CPU time (user + system) of a live process from /proc/<pid>/stat, ms; -1 if unreadable.
int64_t ProcCpuMs(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return -1;
  ssize_t n = read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return -1;
  buf[n] = 0;
  const char* p = strrchr(buf, ')');  // the command name may hold spaces and parentheses
  if (p == nullptr) return -1;
  unsigned long long utime = 0, stime = 0;
  // Fields after ')': state(3) ... utime(14) stime(15).
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) {
    return -1;
  }
  static const long ticks = sysconf(_SC_CLK_TCK);
  return static_cast<int64_t>((utime + stime) * 1000 / ticks);
}

// Peak resident size (VmHWM) of a live process, bytes; 0 if unreadable.
int64_t ProcPeakRssBytes(pid_t pid) {
  char path[64], buf[2048];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return 0;
  ssize_t n = read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return 0;
  buf[n] = 0;
  const char* p = strstr(buf, "VmHWM:");
  long long kb = 0;
  if (p == nullptr || sscanf(p + 6, "%lld", &kb) != 1) return 0;
  return kb * 1024;
}

bool SafeName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

absl::Status WriteFileAt(const std::string& path, const std::string& content, int mode) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd.ok()) return absl::InternalError(absl::StrCat("create ", path, ": errno ", errno));
  if (!internal::WriteAll(fd.get(), content)) {
    return absl::InternalError(absl::StrCat("write ", path, ": errno ", errno));
  }
  return absl::OkStatus();
}

// Reads a regular file without following a link the program may have planted.
bool ReadCollected(const std::string& path, int64_t max_bytes, std::string* out) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st;
  if (!fd.ok() || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > max_bytes) {
    return false;
  }
  out->resize(st.st_size);
  size_t got = 0;
  while (got < out->size()) {
    ssize_t n = read(fd.get(), out->data() + got, out->size() - got);
    if (n <= 0) break;
    got += n;
  }
  out->resize(got);
  return true;
}

// What CreateLinuxRunner decided to use beyond the options.
struct Layers {
  bool drop_uid = false;
  int clone_flags = 0;  // CLONE_NEW*; 0: no namespaces
  bool user_ns = false, pid_ns = false, mount_ns = false;
  std::unique_ptr<internal::CgroupSlots> cgroups;  // null: none
  std::unique_ptr<internal::UidRange> uids;  // with drop_uid: the range this runner holds
  bool work_dir_tmpfs = false;  // the work dir is a tmpfs with the run's size cap
};

class LinuxRunner final : public Runner {
 public:
  LinuxRunner(LinuxRunnerOptions options, std::string filter, Layers layers, RunnerInfo info)
      : options_(std::move(options)), filter_bytes_(std::move(filter)),
        drop_uid_(layers.drop_uid), layers_(std::move(layers)), info_(std::move(info)),
        root_view_(layers_.mount_ns ? internal::PlanRootView() : nullptr) {
    filter_.len = filter_bytes_.size() / sizeof(sock_filter);
    filter_.filter = reinterpret_cast<sock_filter*>(filter_bytes_.data());
    for (int i = options_.max_parallel_runs - 1; i >= 0; --i) free_slots_.push_back(i);
  }

  absl::StatusOr<RunResult> Run(const RunRequest& request, const CancelFlag* cancel) override;
  RunnerInfo Info() const override {
    RunnerInfo info = info_;
    info.max_parallel_runs = options_.max_parallel_runs;
    return info;
  }

 private:
  int AcquireSlot() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(+[](std::vector<int>* v) { return !v->empty(); }, &free_slots_));
    int slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  void ReleaseSlot(int slot) {
    absl::MutexLock lock(&mu_);
    free_slots_.push_back(slot);
  }
  // Kills every process of the slot's uid (including any that left the group), then reaps the
  // group.
  void KillAll(pid_t pgid, uid_t uid);
  // Fills the mount part of `plan` for one run; `storage` keeps its strings alive.
  void PlanMounts(const RunRequest& request, const std::string& work_dir,
                  internal::NamespacePlan* plan, std::vector<std::string>* storage) const;
  // Without a mount namespace: removes what the slot uid left at the top of the shared
  // temporary directories.
  void SweepSharedTmp(uid_t uid) const;
  // Step 1's size cap: why the work dir is over `work_dir_bytes`/`work_dir_files` (a full
  // tmpfs, or measured after the run without one); "" when it is not.
  std::string WorkDirOverCap(const std::string& work_dir, const RunLimits& lim) const;

  const LinuxRunnerOptions options_;
  std::string filter_bytes_;
  sock_fprog filter_{};
  const bool drop_uid_;
  const Layers layers_;
  const RunnerInfo info_;
  const std::unique_ptr<internal::RootView> root_view_;  // with a mount namespace
  const internal::ArgArea server_args_ = internal::OwnArgArea();
  const std::string uid_map_ = absl::StrCat("0 ", geteuid(), " 1");
  const std::string gid_map_ = absl::StrCat("0 ", getegid(), " 1");
  std::atomic<uint64_t> counter_{0};
  absl::Mutex mu_;
  std::vector<int> free_slots_;
};

// Pids of processes (zombies included) whose real uid is `uid`.
std::vector<pid_t> PidsOfUid(uid_t uid) {
  std::vector<pid_t> pids;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return pids;
  while (dirent* e = readdir(proc)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    struct stat st;
    char path[300];
    snprintf(path, sizeof path, "/proc/%.255s", e->d_name);
    // /proc/<pid> is owned by the process's effective uid; good enough for a sandbox uid that
    // cannot change uids.
    if (stat(path, &st) == 0 && st.st_uid == uid) pids.push_back(atoi(e->d_name));
  }
  closedir(proc);
  return pids;
}

void LinuxRunner::KillAll(pid_t pgid, uid_t uid) {
  kill(-pgid, SIGKILL);
  // Without seccomp a process can leave the group with setsid(); then sweep by uid: kill every
  // process of the slot uid and reap those that were re-parented to us (we are a subreaper).
  // With seccomp nothing can leave, and a fork racing the group kill fails on the pending
  // SIGKILL, so the group kill is enough.
  if (drop_uid_ && !options_.use_seccomp) {
    for (int round = 0; round < 50; ++round) {
      std::vector<pid_t> pids = PidsOfUid(uid);
      if (pids.empty()) break;
      for (pid_t p : pids) kill(p, SIGKILL);
      for (pid_t p : pids) {
        while (waitpid(p, nullptr, __WALL) < 0 && errno == EINTR) {
        }
      }
      if (round > 0) sched_yield();
    }
  }
  // The runner is a child subreaper: orphans of the group are its children now.
  while (true) {
    pid_t r = waitpid(-pgid, nullptr, __WALL);
    if (r > 0 || (r < 0 && errno == EINTR)) continue;
    break;
  }
}

void LinuxRunner::PlanMounts(const RunRequest& request, const std::string& work_dir,
                             internal::NamespacePlan* plan,
                             std::vector<std::string>* storage) const {
  plan->mount = true;
  plan->shown = root_view_->shown.data();
  plan->num_shown = static_cast<int>(root_view_->shown.size());
  storage->push_back(absl::StrCat("size=", std::max<int64_t>(request.limits.file_bytes, 1 << 20),
                                  ",nr_inodes=4096,mode=1777"));
  plan->tmpfs_options = storage->back().c_str();
  plan->kept[plan->num_kept++] = {work_dir.c_str(), true, true};
  // Paths the command line names outside the shown ones (a cached binary, a precompiled-header
  // dir) stay visible, read-only: the server chose them.
  for (const std::string& arg : request.argv) {
    if (plan->num_kept == internal::NamespacePlan::kMaxKept) break;
    bool shown = false;
    for (const internal::ShownPath& s : root_view_->shown) {
      shown |= arg == s.path || absl::StartsWith(arg, absl::StrCat(s.path, "/"));
    }
    struct stat st;
    if (shown || arg.empty() || arg[0] != '/' || absl::StrContains(arg, "/..") ||
        lstat(arg.c_str(), &st) != 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
      continue;
    }
    plan->kept[plan->num_kept++] = {arg.c_str(), S_ISDIR(st.st_mode), false};
  }
}

std::string LinuxRunner::WorkDirOverCap(const std::string& work_dir,
                                        const RunLimits& lim) const {
  const std::string cap = absl::StrCat(lim.work_dir_bytes, " bytes or ", lim.work_dir_files,
                                       " files");
  if (layers_.work_dir_tmpfs) {
    return internal::WorkDirTmpfsFull(work_dir) ? absl::StrCat("work dir full (", cap, ")") : "";
  }
  const internal::WorkDirUsage used = internal::MeasureWorkDir(work_dir);
  if (used.bytes <= lim.work_dir_bytes && used.files <= lim.work_dir_files) return "";
  return absl::StrCat("work dir over ", cap, ": ", used.bytes, " bytes in ", used.files,
                      " files");
}

void LinuxRunner::SweepSharedTmp(uid_t uid) const {
  for (const char* dir : {"/tmp", "/var/tmp", "/dev/shm", "/run/lock"}) {
    DIR* d = opendir(dir);
    if (d == nullptr) continue;
    std::vector<std::string> owned;
    while (dirent* e = readdir(d)) {
      struct stat st;
      if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_uid == uid &&
          std::string_view(e->d_name) != "." && std::string_view(e->d_name) != "..") {
        owned.push_back(absl::StrCat(dir, "/", e->d_name));
      }
    }
    closedir(d);
    for (const std::string& path : owned) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  }
}

absl::StatusOr<RunResult> LinuxRunner::Run(const RunRequest& request, const CancelFlag* cancel) {
  if (request.argv.empty() || request.argv[0].empty() || request.argv[0][0] != '/') {
    return absl::InvalidArgumentError("argv[0] must be an absolute path");
  }
  for (const InputFile& f : request.files) {
    if (!SafeName(f.name)) return absl::InvalidArgumentError(absl::StrCat("bad file name ", f.name));
  }
  if (request.extra_fds.size() > static_cast<size_t>(RunRequest::kMaxExtraFds)) {
    return absl::InvalidArgumentError("too many extra_fds");
  }
  for (int fd : request.extra_fds) {
    if (fd < 0) return absl::InvalidArgumentError("negative extra fd");
  }
  if (cancel != nullptr && cancel->cancelled()) return absl::CancelledError("run cancelled");
  const RunLimits& lim = request.limits;
  const int slot = AcquireSlot();
  struct SlotGuard {
    LinuxRunner* r;
    int slot;
    ~SlotGuard() { r->ReleaseSlot(slot); }
  } slot_guard{this, slot};
  const uid_t uid = options_.first_uid + slot;

  // Step 1: private work dir.
  std::string work_dir;
  for (int attempt = 0;; ++attempt) {  // skip names left behind by a crashed process
    work_dir = absl::StrCat(options_.work_root, "/r", counter_.fetch_add(1), "-", slot);
    if (mkdir(work_dir.c_str(), 0700) == 0) break;
    if (errno != EEXIST || attempt == 100) {
      return absl::InternalError(absl::StrCat("mkdir ", work_dir, ": errno ", errno));
    }
  }
  struct DirGuard {
    std::string path;
    bool tmpfs = false;
    ~DirGuard() {
      if (tmpfs) internal::UnmountWorkDir(path);
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } dir_guard{work_dir};
  if (layers_.work_dir_tmpfs) {
    absl::Status s = internal::MountWorkDirTmpfs(work_dir, lim.work_dir_bytes, lim.work_dir_files,
                                                 drop_uid_ ? uid : geteuid());
    if (!s.ok()) return s;
    dir_guard.tmpfs = true;
  }
  for (const InputFile& f : request.files) {
    absl::Status s = WriteFileAt(work_dir + "/" + f.name, f.content, f.executable ? 0555 : 0444);
    if (!s.ok()) return s;
  }
  if (drop_uid_ && chown(work_dir.c_str(), uid, uid) != 0) {
    return absl::InternalError(absl::StrCat("chown ", work_dir, ": errno ", errno));
  }

  UniqueFd stdin_fd;
  if (request.stdin_fd < 0) {
    stdin_fd.reset(memfd_create("verdict-stdin", MFD_CLOEXEC));
    if (!stdin_fd.ok() || !internal::WriteAll(stdin_fd.get(), request.stdin_data) ||
        lseek(stdin_fd.get(), 0, SEEK_SET) != 0) {
      return absl::InternalError(absl::StrCat("stdin memfd: errno ", errno));
    }
  }
  // With a pid namespace: init reports the program's wait status on res, and a failed setup
  // step of init or the program on st.
  UniqueFd out_r, out_w, err_r, err_w, res_r, res_w, st_r, st_w;
  if (!internal::MakePipe(&out_r, &out_w) || !internal::MakePipe(&err_r, &err_w) ||
      (layers_.pid_ns &&
       (!internal::MakePipe(&res_r, &res_w) || !internal::MakePipe(&st_r, &st_w)))) {
    return absl::InternalError(absl::StrCat("pipe: errno ", errno));
  }

  // Everything the child needs is prepared here: it must not allocate.
  std::vector<std::string> env = request.env;
  if (env.empty()) {
    env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=" + work_dir, "TMPDIR=" + work_dir};
  }
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  ChildPlan plan{};
  plan.stdin_fd = request.stdin_fd >= 0 ? request.stdin_fd : stdin_fd.get();
  plan.stdout_fd = request.stdout_fd >= 0 ? request.stdout_fd : out_w.get();
  plan.stderr_fd = err_w.get();
  plan.extra_fds = request.extra_fds.data();
  plan.num_extra_fds = static_cast<int>(request.extra_fds.size());
  plan.work_dir = work_dir.c_str();
  auto add_limit = [&](int resource, int64_t soft, int64_t hard) {
    plan.resources[plan.num_limits] = resource;
    plan.limits[plan.num_limits++] = rlimit{static_cast<rlim_t>(soft), static_cast<rlim_t>(hard)};
  };
  const int64_t cpu_s = std::max<int64_t>(1, (lim.cpu_ms + 999) / 1000);
  add_limit(RLIMIT_CPU, cpu_s, cpu_s + 1);
  const int64_t stack = lim.stack_bytes > 0 ? lim.stack_bytes : lim.memory_bytes;
  const int64_t address_space = AddressSpaceLimit(lim, stack, layers_.cgroups != nullptr);
  add_limit(RLIMIT_AS, address_space, address_space);
  add_limit(RLIMIT_STACK, stack, stack);
  add_limit(RLIMIT_FSIZE, lim.file_bytes, lim.file_bytes);
  add_limit(RLIMIT_NOFILE, lim.open_files, lim.open_files);
  add_limit(RLIMIT_CORE, 0, 0);
  if (drop_uid_) add_limit(RLIMIT_NPROC, lim.processes, lim.processes);
  plan.drop_uid = drop_uid_;
  plan.uid = uid;
  plan.drop_caps = layers_.user_ns;
  plan.filter = options_.use_seccomp ? &filter_ : nullptr;
  std::vector<const char*> cgroup_procs;
  if (layers_.cgroups != nullptr) {
    // Init of a pid namespace counts as one of the run's processes.
    layers_.cgroups->Prepare(slot, lim.memory_bytes, lim.processes + (layers_.pid_ns ? 1 : 0));
    for (const std::string& f : layers_.cgroups->ProcsFiles(slot)) {
      cgroup_procs.push_back(f.c_str());
    }
  }
  plan.cgroup_procs = cgroup_procs.data();
  plan.num_cgroup_procs = static_cast<int>(cgroup_procs.size());
  internal::NamespacePlan ns;
  std::vector<std::string> ns_storage;
  ns_storage.reserve(4);
  if (layers_.clone_flags != 0) {
    ns.clone_flags = layers_.clone_flags;
    ns.user = layers_.user_ns;
    ns.uid_map = uid_map_.c_str();
    ns.gid_map = gid_map_.c_str();
    ns.pid = layers_.pid_ns;
    if (layers_.mount_ns) PlanMounts(request, work_dir, &ns, &ns_storage);
    plan.ns = &ns;
  }
  plan.result_fd = res_w.get();
  plan.server_args = server_args_;

  pid_t init_pid = 0;
  plan.status_fd = layers_.pid_ns ? st_w.get() : -1;
  plan.init_pid = &init_pid;
  auto give_up = [&](pid_t failed, std::string why, bool exhausted) -> absl::Status {
    if (failed > 0) KillAll(failed, uid);
    if (layers_.cgroups != nullptr) layers_.cgroups->Finish(slot);
    return exhausted ? absl::ResourceExhaustedError(why) : absl::InternalError(why);
  };

  const std::vector<std::string> args(request.argv.begin() + 1, request.argv.end());
  const double start_ms = NowMs();
  pid_t pid = -1;
  for (int attempt = 0;; ++attempt) {
    pid_t failed = -1;
    std::error_code ec;
    // vfork: no copy of the server's page tables; this thread waits until the child's execve
    // (or, with a pid namespace, until init is forked). No signal handler may run in the child.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    boost::process::child child(boost::process::exe = request.argv[0],
                                boost::process::args = args, boost::process::posix::use_vfork,
                                ExactEnv{{}, envp.data()}, Containment{{}, &plan, &failed}, ec);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (!ec) {
      pid = child.id();
      child.detach();  // waited for below with wait4 (rusage), not by bp::child
      break;
    }
    // ETXTBSY: a binary just written by the compile cache can still be open for writing in a
    // child forked by another thread that has not reached its exec yet. That lasts microseconds.
    if (ec.value() == ETXTBSY && attempt < 200) {
      if (failed > 0) KillAll(failed, uid);
      timespec ms{0, 1000000};
      nanosleep(&ms, nullptr);
      continue;
    }
    return give_up(failed, SpawnError(ec, failed > 0, request.argv[0]), failed < 0);
  }
  if (layers_.pid_ns) {
    // The vforked child is gone (reap it); init, our child too, took over.
    while (waitpid(pid, nullptr, __WALL) < 0 && errno == EINTR) {
    }
    if (init_pid <= 0) return give_up(-1, "sandbox setup: no init process", false);
    pid = init_pid;
    st_w.reset();
    int code = 0;
    ssize_t n;
    while ((n = read(st_r.get(), &code, sizeof code)) < 0 && errno == EINTR) {
    }
    if (n > 0) {
      return give_up(pid, SpawnError(std::error_code(code, std::system_category()),
                                     code < kSetupError, request.argv[0]),
                     false);
    }
  }
  setpgid(pid, pid);  // also in the parent, so the group exists before we ever signal it
  out_w.reset();
  err_w.reset();
  res_w.reset();
  stdin_fd.reset();

  // The program: the child itself, or (pid namespace) init's only child. 0 when it is gone.
  const pid_t program = layers_.pid_ns ? OnlyChild(pid) : pid;

  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.ok()) {
    KillAll(pid, uid);
    return absl::InternalError(absl::StrCat("pidfd_open: errno ", errno));
  }
  fcntl(out_r.get(), F_SETFL, O_NONBLOCK);
  fcntl(err_r.get(), F_SETFL, O_NONBLOCK);

  RunResult result;
  bool output_limit = false, wall_limit = false, cancelled = false, exited = false;
  bool cpu_watch_hit = false;  // RLIMIT_CPU counts whole seconds; the watch enforces cpu_ms
  int64_t watched_cpu_ms = 0;  // the watch's last reading of the program's CPU time
  const double deadline = start_ms + lim.wall_ms;
  // Without a memory cgroup the program's peak comes from ru_maxrss, which also holds the
  // resident size of the server the child was spawned from (its exec saves the old memory's
  // high-water mark); below that, the peak is sampled from /proc at 1, 2, 4, 8... ms.
  const bool sample_rss = layers_.cgroups == nullptr && program > 0;
  double next_rss_sample = 1;
  int64_t sampled_peak = 0;
  char buf[65536];
  // Reads what is available; returns false at EOF.
  auto drain = [&](int fd, std::string* dst, int64_t cap, bool* truncated) {
    while (true) {
      ssize_t r = read(fd, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return r < 0;  // EAGAIN: open; 0: EOF
      int64_t room = cap - static_cast<int64_t>(dst->size());
      if (r > room) {
        dst->append(buf, std::max<int64_t>(room, 0));
        *truncated = true;
      } else {
        dst->append(buf, r);
      }
    }
  };
  bool out_open = request.stdout_fd < 0, err_open = true;
  while (!exited) {
    pollfd fds[4];
    int nfds = 0;
    fds[nfds++] = {pidfd.get(), POLLIN, 0};
    int out_i = -1, err_i = -1, cancel_i = -1;
    if (out_open) { out_i = nfds; fds[nfds++] = {out_r.get(), POLLIN, 0}; }
    if (err_open) { err_i = nfds; fds[nfds++] = {err_r.get(), POLLIN, 0}; }
    if (cancel != nullptr && cancel->fd() >= 0) {
      cancel_i = nfds;
      fds[nfds++] = {cancel->fd(), POLLIN, 0};
    }
    double left = deadline - NowMs();
    if (left <= 0) { wall_limit = true; break; }
    int timeout = static_cast<int>(left) + 1;
    if (cancel != nullptr && cancel->fd() < 0) timeout = std::min(timeout, 10);
    const double elapsed = NowMs() - start_ms;
    const bool watch_cpu = elapsed >= lim.cpu_ms / 2;
    timeout = std::min(timeout, watch_cpu ? 20 : static_cast<int>(lim.cpu_ms / 2 - elapsed) + 1);
    if (sample_rss) {
      timeout = std::min(timeout, std::max(0, static_cast<int>(next_rss_sample - elapsed) + 1));
    }
    int r = poll(fds, nfds, timeout);
    if (r < 0 && errno != EINTR) break;
    if (cancel != nullptr && cancel->cancelled()) { cancelled = true; break; }
    (void)cancel_i;
    if (out_i >= 0 && fds[out_i].revents) {
      out_open = drain(out_r.get(), &result.stdout_data, lim.stdout_bytes, &result.stdout_truncated);
      if (result.stdout_truncated) { output_limit = true; break; }
    }
    if (err_i >= 0 && fds[err_i].revents) {
      err_open = drain(err_r.get(), &result.stderr_data, lim.stderr_bytes, &result.stderr_truncated);
    }
    if (fds[0].revents) {
      exited = true;
      continue;
    }
    if (sample_rss && NowMs() - start_ms >= next_rss_sample) {
      sampled_peak = std::max(sampled_peak, ProcPeakRssBytes(program));
      while (next_rss_sample <= NowMs() - start_ms) next_rss_sample *= 2;
    }
    if (watch_cpu && program > 0 && (watched_cpu_ms = ProcCpuMs(program)) > lim.cpu_ms) {
      cpu_watch_hit = true;
      break;
    }
  }
  if (!exited) {
    // The program's group first, so that init (pid namespace) reaps the program and reports.
    if (program > 0) kill(-program, SIGKILL);
    if (layers_.pid_ns && program <= 0) kill(pid, SIGKILL);
  }
  int wstatus = 0;
  rusage ru{};
  while (wait4(pid, &wstatus, __WALL, &ru) < 0 && errno == EINTR) {
  }
  result.wall_ms = NowMs() - start_ms;
  if (layers_.pid_ns) {
    // Init's rusage covers the children it reaped (the program); the status is the program's.
    int program_status = 0;
    if (read(res_r.get(), &program_status, sizeof program_status) == sizeof program_status) {
      wstatus = program_status;
    } else if (WIFEXITED(wstatus)) {
      wstatus = SIGKILL;  // init died without a report: treat as killed
    }
  }
  KillAll(pid, uid);
  // Every writer is dead now: take what is left in the pipes.
  if (!output_limit) {
    drain(out_r.get(), &result.stdout_data, lim.stdout_bytes, &result.stdout_truncated);
    output_limit = result.stdout_truncated;
  }
  drain(err_r.get(), &result.stderr_data, lim.stderr_bytes, &result.stderr_truncated);
  for (const std::string& name : request.collect) {
    InputFile f{name, "", false};
    if (SafeName(name) &&
        ReadCollected(work_dir + "/" + name, request.max_collect_bytes, &f.content)) {
      result.files.push_back(std::move(f));
    }
  }
  if (drop_uid_ && !layers_.mount_ns) SweepSharedTmp(uid);
  const std::string work_dir_over = WorkDirOverCap(work_dir, lim);
  internal::CgroupSlots::Usage cg;
  if (layers_.cgroups != nullptr) cg = layers_.cgroups->Finish(slot);
  if (cancelled) return absl::CancelledError("run cancelled");

  // The rusage of a process killed mid-tick can read lower than the /proc reading that had it
  // killed: report the larger, so that a CPU-limit detail never shows time under the limit.
  result.cpu_ms = std::max<int64_t>(watched_cpu_ms,
                                    (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                                        (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000);
  // The program's own peak: the cgroup's, or ru_maxrss when it is above the server's own peak
  // (then it is the program's), or else the sampled one (a lower bound).
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  const int64_t maxrss_bytes = static_cast<int64_t>(ru.ru_maxrss) * 1024;
  const bool maxrss_is_program = ru.ru_maxrss > self.ru_maxrss;
  result.peak_memory_bytes = cg.peak_memory_bytes > 0 ? cg.peak_memory_bytes
                             : maxrss_is_program     ? maxrss_bytes
                                                     : sampled_peak;
  if (WIFEXITED(wstatus)) result.exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) result.signal = WTERMSIG(wstatus);

  // Classification, most specific first.
  const bool failed = !(WIFEXITED(wstatus) && result.exit_code == 0);
  const bool oom_text = absl::StrContains(result.stderr_data, "MemoryError") ||
                        absl::StrContains(result.stderr_data, "bad_alloc") ||
                        absl::StrContains(result.stderr_data, "Cannot allocate memory") ||
                        absl::StrContains(result.stderr_data, "out of memory");
  if (output_limit) {
    result.status = RunStatus::kOutputLimit;
    result.detail = absl::StrCat("stdout over ", lim.stdout_bytes, " bytes");
  } else if (wall_limit) {
    result.status = RunStatus::kTimeLimit;
    result.detail = absl::StrCat("wall ", lim.wall_ms, " ms");
  } else if (cpu_watch_hit || result.signal == SIGXCPU || result.cpu_ms > lim.cpu_ms ||
             (result.signal == SIGKILL && result.cpu_ms >= cpu_s * 1000)) {
    result.status = RunStatus::kTimeLimit;
    result.cpu_limit_hit = true;
    result.detail = CpuLimitDetail(result.cpu_ms, lim.cpu_ms, cpu_s, result.signal);
  } else if (result.signal == SIGXFSZ) {
    result.status = RunStatus::kOutputLimit;
    result.detail = absl::StrCat("file over ", lim.file_bytes, " bytes (SIGXFSZ)");
  } else if (!work_dir_over.empty() && (failed || !layers_.work_dir_tmpfs)) {
    // A full tmpfs matters when a write failed on it (the program failed); without the tmpfs,
    // being over is the fault whatever the exit.
    result.status = RunStatus::kOutputLimit;
    result.detail = work_dir_over;
  } else if (!failed) {
    result.status = RunStatus::kOk;
  } else if (cg.oom_killed) {
    result.status = RunStatus::kMemoryLimit;
    result.detail = "cgroup memory limit (OOM kill)";
  } else if (oom_text || result.peak_memory_bytes >= lim.memory_bytes / 10 * 9) {
    // An address-space limit shows up as a failed allocation: the runtime's out-of-memory
    // message, or a crash at the limit.
    result.status = RunStatus::kMemoryLimit;
    result.detail = oom_text ? "allocation failed (address-space limit)" : "peak memory at limit";
  } else if (result.signal != 0) {
    result.status = RunStatus::kSignaled;
    result.detail = absl::StrCat("signal ", result.signal, " (", strsignal(result.signal), ")");
  } else {
    result.status = RunStatus::kRuntimeError;
    result.detail = absl::StrCat("exit code ", result.exit_code);
  }
  return result;
}

// The capabilities a per-slot uid needs that the effective set lacks, comma-separated ("" when
// all are there): SETUID/SETGID to become the slot's uid, CHOWN to give it its work dir,
// DAC_OVERRIDE to fill, read and remove that dir, KILL to kill its processes.
std::string MissingUidCapabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return "capabilities (capget failed)";
  std::string missing;
  for (auto [cap, name] : {std::pair{CAP_SETUID, "CAP_SETUID"}, std::pair{CAP_SETGID, "CAP_SETGID"},
                           std::pair{CAP_CHOWN, "CAP_CHOWN"},
                           std::pair{CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE"},
                           std::pair{CAP_KILL, "CAP_KILL"}}) {
    if ((data[cap / 32].effective & (1u << (cap % 32))) == 0) {
      absl::StrAppend(&missing, missing.empty() ? "" : ", ", name);
    }
  }
  return missing;
}

bool EnvSaysNoNamespaces() {
  const char* v = getenv("VERDICT_SANDBOX_NO_NAMESPACES");
  return v != nullptr && (std::string_view(v) == "1" || std::string_view(v) == "true");
}

// Namespaces and cgroups: what the host allows (namespaces probed once per process) and the
// options want, reported either way.
void AddOptionalLayers(const LinuxRunnerOptions& options, Layers* layers, RunnerInfo* info) {
  const bool env_off = EnvSaysNoNamespaces();
  const char* off_why = env_off ? "disabled by VERDICT_SANDBOX_NO_NAMESPACES"
                                : "disabled by configuration";
  if (options.use_namespaces && !env_off) {
    static const internal::NamespaceSupport* const support =
        new internal::NamespaceSupport(internal::ProbeNamespaces());
    const internal::NamespaceSupport& ns = *support;
    const bool need_user = ns.need_user;
    if (need_user && ns.user && (ns.pid || ns.net || ns.mount)) {
      layers->user_ns = true;
      layers->clone_flags |= CLONE_NEWUSER;
      info->active_layers.push_back("user_namespace(runner uid as root, no capabilities)");
    } else if (!need_user) {
      info->missing_layers.push_back(absl::StrCat(
          "user_namespace: ", ns.user ? "available, " : "", "not needed (root: per-slot uid)"));
    } else {
      info->missing_layers.push_back("user_namespace: " + ns.user_why);
    }
    if (ns.pid) {
      layers->pid_ns = true;
      layers->clone_flags |= CLONE_NEWPID;
      info->active_layers.push_back("pid_namespace(init reaps, kills the rest on exit)");
    } else {
      info->missing_layers.push_back("pid_namespace: " + ns.pid_why);
    }
    if (ns.net) {
      layers->clone_flags |= CLONE_NEWNET;
      info->active_layers.push_back("net_namespace(no interfaces up)");
    } else {
      info->missing_layers.push_back("net_namespace: " + ns.net_why);
    }
    if (ns.mount) {
      layers->mount_ns = true;
      layers->clone_flags |= CLONE_NEWNS;
      info->active_layers.push_back(
          absl::StrCat("mount_namespace(own_root,toolchains_read_only,private_tmp,private_dev_shm,"
                       "minimal_dev", ns.pid ? ",own_proc)" : ",host_proc)"));
    } else {
      info->missing_layers.push_back("mount_namespace: " + ns.mount_why);
    }
  } else {
    for (const char* name :
         {"user_namespace", "pid_namespace", "net_namespace", "mount_namespace"}) {
      info->missing_layers.push_back(absl::StrCat(name, ": ", off_why));
    }
  }
  if (!layers->mount_ns) {
    info->active_layers.push_back(layers->drop_uid
                                      ? "shared_tmp_swept(umask 077, slot uid's files removed)"
                                      : "umask 077");
  }
  if (options.use_cgroups && !env_off) {
    absl::StatusOr<std::unique_ptr<internal::CgroupSlots>> cg =
        internal::CgroupSlots::Create(options.max_parallel_runs);
    if (cg.ok()) {
      layers->cgroups = *std::move(cg);
      info->active_layers.push_back(layers->cgroups->description());
    } else {
      info->missing_layers.push_back(absl::StrCat("cgroup: ", cg.status().message()));
    }
  } else {
    info->missing_layers.push_back(absl::StrCat("cgroup: ", off_why));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Runner>> CreateLinuxRunner(const LinuxRunnerOptions& options) {
  if (options.max_parallel_runs < 1) return absl::InvalidArgumentError("max_parallel_runs < 1");
  std::error_code ec;
  std::filesystem::create_directories(options.work_root, ec);
  if (ec || chmod(options.work_root.c_str(), 0711) != 0) {
    return absl::InternalError(absl::StrCat("cannot create work root ", options.work_root));
  }
  RunnerInfo info;
  info.name = "linux";
  std::string filter;
  bool seccomp_ok = false;
  if (options.use_seccomp) {
    absl::StatusOr<std::string> f = internal::BuildSeccompFilter();
    if (f.ok()) {
      filter = *std::move(f);
      seccomp_ok = internal::ProbeSeccomp(filter);
    }
  }
  const bool as_root = options.drop_privileges && geteuid() == 0;
  // Root without the capabilities a per-slot uid needs (a container that dropped them) would
  // fail every run on chown, or never kill one that overruns: say so at start instead.
  const std::string missing_caps = as_root ? MissingUidCapabilities() : "";
  const bool drop_uid = as_root && missing_caps.empty();
  LinuxRunnerOptions copy = options;
  std::unique_ptr<internal::UidRange> uids;
  if (drop_uid) {
    std::vector<std::string> lock_dirs = {options.uid_lock_dir};
    if (options.uid_lock_dir.empty()) {
      std::string root = options.work_root;
      while (root.size() > 1 && root.back() == '/') root.pop_back();
      const size_t slash = root.rfind('/');
      lock_dirs = {"/run/verdict-uids",
                   (slash == std::string::npos || slash == 0 ? std::string("")
                                                              : root.substr(0, slash)) +
                       "/verdict-uids"};
    }
    absl::StatusOr<internal::UidRange> claimed = absl::InternalError("no uid lock dir");
    for (const std::string& dir : lock_dirs) {
      claimed = internal::UidRange::Claim(dir, options.first_uid, options.max_parallel_runs);
      if (claimed.ok() || claimed.status().code() != absl::StatusCode::kInternal) {
        copy.uid_lock_dir = dir;
        break;
      }
    }
    if (!claimed.ok()) return claimed.status();
    uids = std::make_unique<internal::UidRange>(*std::move(claimed));
    copy.first_uid = uids->first();
  }
  // Orphans of a run are re-parented to us so they can be reaped (no zombies).
  const bool subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
  info.active_layers.push_back(subreaper ? "process_group_kill+subreaper" : "process_group_kill");
  if (drop_uid) {
    info.active_layers.push_back(absl::StrCat("uid_drop(", copy.first_uid, "+slot, held under ",
                                              copy.uid_lock_dir, ")"));
  } else {
    info.missing_layers.push_back(
        as_root ? absl::StrCat("uid_drop: root without ", missing_caps,
                               " (needs CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_KILL)")
                : "uid_drop: not root or disabled (RLIMIT_NPROC is not per run)");
  }
  info.active_layers.push_back("rlimits(cpu,as,stack,fsize,nofile,core" +
                               std::string(drop_uid ? ",nproc)" : ")"));
  if (seccomp_ok) {
    info.active_layers.push_back(
        "seccomp(no_sockets,no_io_uring,no_tiocsti,no_ptrace,no_mount,no_modules,no_bpf,"
        "no_setsid)");
  } else {
    info.missing_layers.push_back(options.use_seccomp ? "seccomp: filter cannot be loaded"
                                                      : "seccomp: disabled by options");
  }
  Layers layers;
  layers.drop_uid = drop_uid;
  layers.uids = std::move(uids);
  AddOptionalLayers(options, &layers, &info);
  // The work dir is private when the program runs as another uid, or sees only its own dir in
  // a mount namespace. Neither (a runner that is not root, without namespaces): the program
  // runs as the server's uid, reaches its files and other runs' dirs, and can signal it.
  const bool private_dir = drop_uid || layers.mount_ns;
  if (private_dir) {
    info.active_layers.insert(info.active_layers.begin(), "private_work_dir");
  } else {
    info.missing_layers.push_back(
        "private_work_dir: the program would run as the server's own uid (not root, no mount "
        "namespace)");
  }
  layers.work_dir_tmpfs = internal::ProbeWorkDirTmpfs(options.work_root);
  info.active_layers.push_back(layers.work_dir_tmpfs
                                   ? "work_dir_cap(tmpfs: work_dir_bytes, work_dir_files)"
                                   : "work_dir_cap(checked after the run: cannot mount a tmpfs)");
  info.active_layers.push_back("wall_time_watch");
  info.active_layers.push_back("output_cap");
  info.minimum_layers_present = seccomp_ok && subreaper && private_dir;
  if (!info.minimum_layers_present && options.require_minimum_layers) {
    return absl::FailedPreconditionError(absl::StrCat(
        "sandbox minimum layers missing (rlimits, process-group kill, seccomp, private work dir); "
        "not available: ", absl::StrJoin(info.missing_layers, "; ")));
  }
  if (!seccomp_ok) copy.use_seccomp = false;
  return std::unique_ptr<Runner>(
      new LinuxRunner(copy, std::move(filter), std::move(layers), std::move(info)));
}

}  // namespace verdict::sandbox
