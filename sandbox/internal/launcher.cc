// The launcher process, the child it clones for each run (the containment steps of
// linux_runner.h), and the runner's side of the socket. See launcher.h.
#include "sandbox/internal/launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <type_traits>

#include "absl/base/const_init.h"
#include "absl/strings/str_cat.h"
#include "sandbox/internal/landlock.h"
#include "sandbox/internal/uid_range.h"

namespace verdict::sandbox::internal {
namespace {

// Failure stages a child reports on the status pipe before _exit(127).
enum ChildStage : int {
  kStageDup,
  kStageChdir,
  kStageRlimit,
  kStageUid,
  kStageSeccomp,
  kStageCgroup,
  kStageNamespaces,
  kStageFork,
  kStageCaps,
  kStageUnshare,
  kStageLandlock
};
constexpr const char* kStageNames[] = {"dup2",         "chdir",       "setrlimit",  "uid drop",
                                       "seccomp",      "cgroup join", "namespaces", "fork",
                                       "capabilities", "unshare",     "landlock"};

// A failed setup step is reported as kSetupError + (stage * 100 + step) * 4096 + errno; values
// below kSetupError are an execve's errno.
constexpr int kSetupError = 1 << 24;

int SetupErrorCode(int stage, int step) {
  return kSetupError + (stage * 100 + step) * 4096 + (errno & 4095);
}

constexpr uint32_t kMagic = 0x76726474;  // "vrdt"
// Largest message (argv, env, paths, seccomp filter); execve's own limit is about this size.
constexpr size_t kMaxMessage = size_t{4} << 20;
constexpr int kMaxFds = 5 + ChildPlan::kMaxExtraFds;

struct WireHeader {
  uint32_t magic;
  uint32_t size;
};

void Report(int fd, int kind, int value) {
  const StatusMessage m{kind, value};
  (void)!write(fd, &m, sizeof m);
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
// terminal of whoever runs the server or `verdict score` (TIOCSTI). The cloned child is never
// a group leader, so setsid() cannot fail.
void LeaveTerminal() { setsid(); }

// Step 3: joins the slot's cgroups, so that init and the program are in them.
bool JoinCgroups(const ChildPlan& p) {
  for (int i = 0; i < p.num_cgroup_procs; ++i) {
    const int fd = open(p.cgroup_procs[i], O_WRONLY | O_CLOEXEC);
    const bool ok = fd >= 0 && write(fd, "0", 1) == 1;
    if (fd >= 0) close(fd);
    if (!ok) return false;
  }
  return true;
}

// Step 5 (all but the address space when `address_space` is false, then only it).
bool SetLimits(const ChildPlan& p, bool address_space) {
  for (int i = 0; i < p.num_limits; ++i) {
    if ((p.resources[i] == RLIMIT_AS) != address_space) continue;
    if (setrlimit(p.resources[i], &p.limits[i]) != 0) return false;
  }
  return true;
}

// Step 6. Raw system calls: glibc's wrappers signal every thread it believes exists (setxid),
// and in a child of a process forked from the multi-threaded server it still believes in them.
bool DropUid(uid_t uid) {
  return syscall(SYS_setgroups, 0, nullptr) == 0 && syscall(SYS_setresgid, uid, uid, uid) == 0 &&
         syscall(SYS_setresuid, uid, uid, uid) == 0;
}

// Step 7, with no_new_privs (needed to load a filter without CAP_SYS_ADMIN).
bool LoadSeccomp(const sock_fprog* filter) {
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, filter) == 0;
}

// The program's descriptors: stdin/stdout/stderr, the extra ones as 3, 4, ..., the status pipe
// above them until the exec; everything else closes at the exec. Returns the status pipe's new
// number, -1 on failure.
int ArrangeFds(const ChildPlan& p, int status_fd) {
  // Extra descriptors become 3, 4, ...: first copied above those numbers (a source, or the
  // status pipe, may sit on one of them).
  const unsigned first_free = 3u + static_cast<unsigned>(p.num_extra_fds);
  int extra[ChildPlan::kMaxExtraFds];
  for (int i = 0; i < p.num_extra_fds; ++i) {
    if ((extra[i] = fcntl(p.extra_fds[i], F_DUPFD_CLOEXEC, first_free)) < 0) return -1;
  }
  if ((status_fd = fcntl(status_fd, F_DUPFD_CLOEXEC, first_free)) < 0) return -1;
  if (dup2(p.stdin_fd, 0) < 0 || dup2(p.stdout_fd, 1) < 0 || dup2(p.stderr_fd, 2) < 0) return -1;
  for (int i = 0; i < p.num_extra_fds; ++i) {
    if (dup2(extra[i], 3 + i) < 0) return -1;
  }
  // Everything else closes at exec (the status pipe must stay open until then). Before
  // Linux 5.11 (no CLOSE_RANGE_CLOEXEC) close now.
  if (syscall(SYS_close_range, first_free, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
    const int to = static_cast<int>(first_free);
    if (dup2(status_fd, to) < 0 || fcntl(to, F_SETFD, FD_CLOEXEC) != 0) return -1;
    status_fd = to;
    syscall(SYS_close_range, first_free + 1, ~0u, 0u);
  }
  return status_fd;
}

// The write end of the reaper's pipe (see ReaperMain); -1: no reaper yet.
int g_reaper_fd = -1;

// The child the launcher cloned for one run (the server's child: CLONE_PARENT). It runs the
// containment steps of linux_runner.h in their numbered order: 2 (session), 3 (joins the
// cgroup, so init and the program are in it), 4 (namespaces: with a pid namespace it forks
// init, as the server's child too, reports init's pid and exits; init builds the mount
// namespace and vforks the program, which goes on below), then in the program: the descriptors
// and the work dir, 5 (the rlimits but the address space), 6 (the uid drop, after the rlimits it
// must not be able to raise), 5's address space (after 6, last before the filter: a stack page
// first touched under the limit could fault), 7 (seccomp last: it denies calls the others
// make), and the exec. System calls only: init and the program share memory until the
// program's execve.
[[noreturn]] void ChildSetup(const ChildPlan& p) {
  // Only the launcher may hold it: a pid namespace's init never execs, and would keep the
  // reaper from seeing the launcher's end.
  if (g_reaper_fd >= 0) close(g_reaper_fd);
  int status_fd = p.status_fd;
  auto fail = [&](int stage, int step = 0) {
    Report(status_fd, StatusMessage::kFailed, SetupErrorCode(stage, step));
    _exit(127);
  };
  // No handler of the server's (copied into the launcher) may run here; the launcher blocks
  // every signal, unblocked just before the exec.
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  }
  // Dies with the server (its parent, through CLONE_PARENT), also when the server died just
  // before the prctl.
  LeaveTerminal();
  if (p.death_signal) prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != p.server_pid) _exit(127);
  if (!JoinCgroups(p)) fail(kStageCgroup);
  if (p.ns != nullptr) {
    if (unshare(p.ns->clone_flags) != 0) fail(kStageUnshare);
    if (p.ns->pid) {
      const pid_t init = static_cast<pid_t>(syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0));
      if (init < 0) fail(kStageFork);
      if (init > 0) {
        Report(status_fd, StatusMessage::kInitPid, init);
        _exit(0);
      }
      setpgid(0, 0);
      // Init's parent is the server too (outside its pid namespace: getppid() reads 0 here).
      if (p.death_signal) prctl(PR_SET_PDEATHSIG, SIGKILL);
    }
    if (int step = EnterNamespaces(*p.ns); step != 0) fail(kStageNamespaces, step);
    if (p.ns->pid) {
      HideCommandLine(p.server_args);
      // We are init; the program is our child (pid 2), in a group of its own. vfork: the
      // program borrows init's memory until its execve, which it makes below: it must not
      // return into frames init still uses.
      const pid_t program = vfork();
      if (program < 0) fail(kStageFork);
      if (program > 0) InitMain(program, p.result_fd);
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // with init (whose death also ends the namespace)
    }
  }
  umask(077);
  const int moved_status_fd = ArrangeFds(p, status_fd);
  if (moved_status_fd < 0) fail(kStageDup);
  status_fd = moved_status_fd;
  if (chdir(p.work_dir) != 0) fail(kStageChdir);
  if (!SetLimits(p, /*address_space=*/false)) fail(kStageRlimit);
  if (p.drop_uid) {
    if (!DropUid(p.uid)) fail(kStageUid);
    // A change of uid clears the parent-death signal: set it again, for the parent we have
    // (init of a pid namespace, else the server, checked once more).
    const bool under_init = p.ns != nullptr && p.ns->pid;
    if (under_init || p.death_signal) prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (!under_init && getppid() != p.server_pid) _exit(127);
  }
  if (p.drop_caps && !DropAllCapabilities()) fail(kStageCaps);
  if (p.landlock != nullptr) {
    if (int step = RestrictWithLandlock(*p.landlock, p.landlock_abi); step != 0) {
      fail(kStageLandlock, step);
    }
  }
  if (!SetLimits(p, /*address_space=*/true)) fail(kStageRlimit);
  if (p.filter != nullptr && !LoadSeccomp(p.filter)) fail(kStageSeccomp);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Retried while the binary is still open for writing elsewhere (ETXTBSY: the compile cache's
  // fresh binary in a process that has not reached its exec yet, for microseconds).
  execve(p.exe, p.argv, p.envp);
  for (int i = 0; i < 200 && errno == ETXTBSY; ++i) {
    timespec ms{0, 1000000};
    nanosleep(&ms, nullptr);
    execve(p.exe, p.argv, p.envp);
  }
  Report(status_fd, StatusMessage::kFailed, errno);
  _exit(127);
}

// Turns `count` offsets stored at `array` (count < 0: up to a 0) into pointers into `base`;
// false when one points outside the message.
bool FixArray(char* base, size_t size, const void* array, int count) {
  char* a = static_cast<char*>(const_cast<void*>(array));
  for (int i = 0; count < 0 || i < count; ++i, a += sizeof(uintptr_t)) {
    if (a + sizeof(uintptr_t) > base + size) return false;
    uintptr_t v;
    memcpy(&v, a, sizeof v);
    if (v == 0 && count < 0) return true;
    if (v >= size) return false;
    if (v != 0) v += reinterpret_cast<uintptr_t>(base);
    memcpy(a, &v, sizeof v);
  }
  return true;
}

// Turns one offset into a pointer into `base`; false when it points outside the message.
template <typename T>
bool FixPointer(char* base, size_t size, T*& ptr) {
  const uintptr_t off = reinterpret_cast<uintptr_t>(ptr);
  if (off >= size) return false;
  if (off != 0) ptr = reinterpret_cast<T*>(base + off);
  return true;
}

// The same for the pointers of a NamespacePlan (a mount plan, or Landlock's view).
bool FixView(char* base, size_t size, NamespacePlan* ns) {
  auto fix = [&](auto*& ptr) { return FixPointer(base, size, ptr); };
  if (!fix(ns->uid_map) || !fix(ns->gid_map) || !fix(ns->tmpfs_options) || !fix(ns->shown) ||
      ns->num_kept < 0 || ns->num_kept > NamespacePlan::kMaxKept || ns->num_shown < 0) {
    return false;
  }
  ShownPath* shown = const_cast<ShownPath*>(ns->shown);
  for (int i = 0; i < ns->num_shown; ++i) {
    if (reinterpret_cast<char*>(shown + i + 1) > base + size || !fix(shown[i].path) ||
        !fix(shown[i].link_target)) {
      return false;
    }
  }
  for (int i = 0; i < ns->num_kept; ++i) {
    if (!fix(ns->kept[i].path)) return false;
  }
  return true;
}

// Turns the offsets of a received plan into pointers into `base`; false when one points
// outside the message.
bool FixUp(char* base, size_t size, ChildPlan* p) {
  auto fix = [&](auto*& ptr) { return FixPointer(base, size, ptr); };
  if (base[size - 1] != '\0' || !fix(p->exe) || !fix(p->argv) || !fix(p->envp) ||
      !fix(p->work_dir) || !fix(p->filter) || !fix(p->cgroup_procs) || !fix(p->ns) ||
      !fix(p->landlock) || p->argv == nullptr || p->envp == nullptr ||
      !FixArray(base, size, p->argv, -1) || !FixArray(base, size, p->envp, -1) ||
      (p->num_cgroup_procs > 0 && (p->cgroup_procs == nullptr ||
                                   !FixArray(base, size, p->cgroup_procs, p->num_cgroup_procs)))) {
    return false;
  }
  if (p->filter != nullptr && !fix(const_cast<sock_fprog*>(p->filter)->filter)) return false;
  return (p->ns == nullptr || FixView(base, size, const_cast<NamespacePlan*>(p->ns))) &&
         (p->landlock == nullptr || FixView(base, size, const_cast<NamespacePlan*>(p->landlock)));
}

// The slot uids the launcher ran programs as, and the runs' sessions (each child it clones
// starts one, which no process of the run can leave): when the server dies, what those
// programs forked (without a pid namespace no parent-death signal reaches it) is killed by uid
// and session. The session keeps a forked copy of the server, which shares its runner's uids,
// from killing the runs of the server it was copied from. Static: the launcher allocates
// nothing.
UidSet g_run_uids;
PidSet g_run_sessions;

// The reaper: a process the launcher forks at its first run with a slot uid, in a session of
// its own (a kill of the server's process group, or its terminal's hangup, does not reach it).
// The launcher writes it each such run's uid and session; when its pipe reaches EOF (the
// launcher is gone: it exited after the server, or was killed with it, SIGKILL to both) it
// kills what those runs left, then exits. Without it, a process a program forked (no
// parent-death signal without a pid namespace) would outlive a server killed with its launcher.
struct ReaperRecord {
  uint32_t uid;
  uint32_t session;
};

[[noreturn]] void ReaperMain(int fd) {
  setsid();
  syscall(SYS_close_range, 3u, static_cast<unsigned>(fd) - 1, 0u);
  syscall(SYS_close_range, static_cast<unsigned>(fd) + 1, ~0u, 0u);
  ReaperRecord r;
  ssize_t n;
  while ((n = read(fd, &r, sizeof r)) == sizeof r || (n < 0 && errno == EINTR)) {
    if (n < 0) continue;
    g_run_uids.Add(r.uid);
    g_run_sessions.Add(r.session);
  }
  KillProcessesOfUids(g_run_uids, &g_run_sessions);
  _exit(0);
}

// Tells the reaper (forked now if there is none) of a run as `uid` in `session`. A reaper
// that could not be forked, or died, leaves the launcher's own kill at the server's death.
void TellTheReaper(uid_t uid, pid_t session) {
  if (g_reaper_fd < 0) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    const long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) {
      close(fds[1]);
      ReaperMain(fds[0]);
    }
    close(fds[0]);
    if (pid < 0) {
      close(fds[1]);
      return;
    }
    g_reaper_fd = fds[1];
  }
  const ReaperRecord r{static_cast<uint32_t>(uid), static_cast<uint32_t>(session)};
  while (write(g_reaper_fd, &r, sizeof r) < 0 && errno == EINTR) {}
}

// One run: the plan in `buf`, its descriptors; the child's pid, or -errno.
int64_t LaunchOne(char* buf, size_t size, const int* fds, int nfds, pid_t server,
                  bool death_signal) {
  ChildPlan* p = reinterpret_cast<ChildPlan*>(buf);
  if (size < sizeof(ChildPlan) || !FixUp(buf, size, p)) return -EPROTO;
  if (p->num_extra_fds < 0 || p->num_extra_fds > ChildPlan::kMaxExtraFds ||
      nfds != 4 + (p->has_result_fd ? 1 : 0) + p->num_extra_fds) {
    return -EBADF;
  }
  int i = 0;
  p->stdin_fd = fds[i++];
  p->stdout_fd = fds[i++];
  p->stderr_fd = fds[i++];
  p->status_fd = fds[i++];
  p->result_fd = p->has_result_fd ? fds[i++] : -1;
  for (int e = 0; e < p->num_extra_fds; ++e) p->extra_fds[e] = fds[i++];
  p->server_pid = server;
  p->death_signal = death_signal;
  if (p->drop_uid) g_run_uids.Add(p->uid);
  // The server's child, not ours: it waits for it, and orphans go to it (a subreaper).
  const long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) ChildSetup(*p);
  if (pid > 0 && p->drop_uid) {
    g_run_sessions.Add(static_cast<uint32_t>(pid));
    TellTheReaper(p->uid, static_cast<pid_t>(pid));
  }
  return pid < 0 ? -errno : pid;
}

bool ReadFull(int fd, char* dst, size_t size) {
  while (size > 0) {
    const ssize_t n = read(fd, dst, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    dst += n;
    size -= n;
  }
  return true;
}

bool WriteFull(int fd, const char* src, size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, src, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    src += n;
    size -= n;
  }
  return true;
}

// The server is gone (its end of the socket closed, or the parent-death signal came): the
// processes its runs forked die too, then the launcher.
[[noreturn]] void EndWithTheServer() {
  KillProcessesOfUids(g_run_uids, &g_run_sessions);
  _exit(0);
}

// The launcher's life: one message, one clone, one answer, until the server's end closes or
// the server dies.
[[noreturn]] void LauncherMain(int sock, pid_t parent, bool death_signal) {
  // No handler of the server's may run here, and a Ctrl-C for the server's process group must
  // not end the launcher before the server has finished its runs: every signal is blocked (the
  // children unblock them before their exec); the launcher ends on EOF, on the parent-death
  // signal (read from a signalfd, so that it can end the runs' leftovers first) or SIGKILL.
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  // Only the socket (and the signalfd) stays open: none of the server's descriptors (listening
  // sockets, files being written) is held by the launcher or reaches a run; stdio is /dev/null.
  sock = fcntl(sock, F_DUPFD_CLOEXEC, 3);
  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (sock < 0 || null_fd < 0) _exit(1);
  for (int fd = 0; fd < 3; ++fd) dup2(null_fd, fd);
  syscall(SYS_close_range, 3u, static_cast<unsigned>(sock) - 1, 0u);
  syscall(SYS_close_range, static_cast<unsigned>(sock) + 1, ~0u, 0u);
  sigset_t death;
  sigemptyset(&death);
  sigaddset(&death, SIGRTMAX);
  const int death_fd = death_signal ? signalfd(-1, &death, SFD_CLOEXEC) : -1;
  if (death_fd >= 0) {
    prctl(PR_SET_PDEATHSIG, SIGRTMAX);
    if (getppid() != parent) _exit(0);  // the server died before the line above (no runs yet)
  }
  void* mem = mmap(nullptr, kMaxMessage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) _exit(1);
  char* buf = static_cast<char*>(mem);
  while (true) {
    pollfd waits[2] = {{sock, POLLIN, 0}, {death_fd, POLLIN, 0}};
    if (poll(waits, death_fd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR) _exit(1);
    if (death_fd >= 0 && waits[1].revents != 0) EndWithTheServer();
    if (waits[0].revents == 0) continue;
    WireHeader h{};
    iovec iov{&h, sizeof h};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = recvmsg(sock, &msg, MSG_WAITALL | MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof h)) EndWithTheServer();  // EOF: the server is gone
    int fds[kMaxFds];
    int nfds = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      const int count = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      for (int i = 0; i < count; ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        if (nfds < kMaxFds) {
          fds[nfds++] = fd;
        } else {
          close(fd);
        }
      }
    }
    // A message we cannot read to its end leaves the stream out of step: stop (the runner
    // reports the launcher as gone).
    if (h.magic != kMagic || h.size > kMaxMessage || !ReadFull(sock, buf, h.size)) _exit(2);
    const int64_t reply = (msg.msg_flags & MSG_CTRUNC) != 0
                              ? -EMFILE
                              : LaunchOne(buf, h.size, fds, nfds, parent, death_signal);
    for (int i = 0; i < nfds; ++i) close(fds[i]);
    if (!WriteFull(sock, reinterpret_cast<const char*>(&reply), sizeof reply)) _exit(0);
  }
}

ABSL_CONST_INIT absl::Mutex g_mu(absl::kConstInit);
Launcher* g_launcher ABSL_GUARDED_BY(g_mu) = nullptr;

}  // namespace

PlanWriter::PlanWriter() : buf_(sizeof(ChildPlan), '\0') {}

size_t PlanWriter::AddBytes(const void* data, size_t size, size_t align) {
  buf_.resize((buf_.size() + align - 1) / align * align, '\0');
  const size_t offset = buf_.size();
  buf_.append(static_cast<const char*>(data), size);
  return offset;
}

size_t PlanWriter::AddString(std::string_view s) {
  const size_t offset = buf_.size();
  buf_.append(s);
  buf_.push_back('\0');
  return offset;
}

size_t PlanWriter::AddStrings(const std::vector<std::string>& strings) {
  std::vector<uint64_t> offsets;
  for (const std::string& s : strings) offsets.push_back(AddString(s));
  offsets.push_back(0);
  return AddBytes(offsets.data(), offsets.size() * sizeof(uint64_t), alignof(char*));
}

std::string PlanWriter::Finish(const ChildPlan& plan) {
  memcpy(buf_.data(), &plan, sizeof plan);
  buf_.push_back('\0');  // the launcher checks that the last byte ends a string
  return std::move(buf_);
}

std::string SpawnError(int code, const std::string& program) {
  if (code < kSetupError) return absl::StrCat("exec ", program, " failed: ", strerror(code));
  const int stage = (code - kSetupError) / 4096 / 100, step = (code - kSetupError) / 4096 % 100;
  return absl::StrCat(
      "sandbox setup failed at ",
      stage >= 0 && stage < static_cast<int>(std::size(kStageNames)) ? kStageNames[stage] : "?",
      step > 0 ? absl::StrCat(" step ", step) : "", ": ", strerror(code % 4096));
}

absl::StatusOr<Launcher*> Launcher::Start(bool early) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return absl::InternalError(absl::StrCat("sandbox launcher: socketpair: ", strerror(errno)));
  }
  const pid_t parent = getpid();
  // PR_SET_PDEATHSIG follows the thread that forked: only the main thread lives as long as the
  // process. From another thread the launcher relies on the socket's EOF alone.
  const bool main_thread = syscall(SYS_gettid) == parent;
  // A raw fork: no atfork handlers (gRPC's) run in a process that may be multi-threaded.
  const long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) {
    close(sv[0]);
    LauncherMain(sv[1], parent, main_thread);
  }
  const int fork_errno = errno;
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    return absl::InternalError(absl::StrCat("sandbox launcher: fork: ", strerror(fork_errno)));
  }
  return new Launcher(sv[0], static_cast<pid_t>(pid), early, main_thread);
}

absl::StatusOr<Launcher*> Launcher::Get() {
  absl::MutexLock lock(&g_mu);
  if (g_launcher != nullptr && g_launcher->owner_ == getpid()) return g_launcher;
  if (g_launcher != nullptr) {
    // A forked copy of the process: the socket is the parent's launcher's; leave it to the
    // parent (the copy's messages would interleave with the parent's).
    g_launcher->AbandonInFork();
    g_launcher = nullptr;  // leaked on purpose: its mutex may be held by a thread that is gone
  }
  absl::StatusOr<Launcher*> l = Start(/*early=*/false);
  if (l.ok()) g_launcher = *l;
  return l;
}

void Launcher::AbandonInFork() {
  close(sock_);  // not locked: a thread of the parent, absent here, may have held mu_
}

absl::Status Launcher::StartEarly() {
  absl::MutexLock lock(&g_mu);
  if (g_launcher != nullptr && g_launcher->owner_ == getpid()) return absl::OkStatus();
  absl::StatusOr<Launcher*> l = Start(/*early=*/true);
  if (!l.ok()) return l.status();
  g_launcher = *l;
  return absl::OkStatus();
}

absl::StatusOr<pid_t> Launcher::Spawn(const std::string& message, const std::vector<int>& fds) {
  if (message.size() > kMaxMessage) {
    return absl::InvalidArgumentError(absl::StrCat("run request of ", message.size(),
                                                   " bytes (argv, env, paths) over the launcher's ",
                                                   kMaxMessage));
  }
  if (fds.size() > static_cast<size_t>(kMaxFds)) {
    return absl::InvalidArgumentError("too many descriptors for the launcher");
  }
  absl::MutexLock lock(&mu_);
  int64_t reply = 0;
  if (!gone_) {
    WireHeader h{kMagic, static_cast<uint32_t>(message.size())};
    iovec iov{&h, sizeof h};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    ssize_t n;
    while ((n = sendmsg(sock_, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {}
    const int send_errno = n < 0 ? errno : 0;
    // A stream socket's sendmsg that failed sent nothing: unless the launcher's end is gone,
    // the stream is still in step, and the error is this request's (EBADF: a descriptor that
    // is not open; ENOMEM, ENOBUFS, ETOOMANYREFS: the kernel's limits on descriptors in
    // flight), not the launcher's.
    if (n < 0 && send_errno != EPIPE && send_errno != ECONNRESET && send_errno != ENOTCONN) {
      return absl::InternalError(absl::StrCat(
          "sandbox launcher: sendmsg of the run's descriptors: ", strerror(send_errno)));
    }
    const auto failed = [](const char* call) {
      return absl::StrCat(call, ": ", errno != 0 ? strerror(errno) : "end of stream");
    };
    errno = send_errno;
    if (n != static_cast<ssize_t>(sizeof h)) {
      gone_why_ = n < 0 ? failed("sendmsg") : absl::StrCat("sendmsg: sent ", n, " bytes");
    } else if (!WriteFull(sock_, message.data(), message.size())) {
      gone_why_ = failed("send");
    } else if (errno = 0; !ReadFull(sock_, reinterpret_cast<char*>(&reply), sizeof reply)) {
      gone_why_ = failed("read");
    }
    if (!gone_why_.empty()) {
      // Its socket closes as it exits: give it a moment to become a zombie, to say why. Once:
      // the next calls find it reaped.
      int status = 0;
      pid_t r = 0;
      for (int i = 0; i < 100 && (r = waitpid(pid_, &status, WNOHANG)) == 0; ++i) {
        timespec ms{0, 1000000};
        nanosleep(&ms, nullptr);
      }
      gone_why_ = absl::StrCat(
          r == pid_ && WIFEXITED(status)     ? absl::StrCat("exit code ", WEXITSTATUS(status))
          : r == pid_ && WIFSIGNALED(status) ? absl::StrCat("killed by signal ", WTERMSIG(status))
          : r == 0                           ? std::string("it still runs")
                                             : std::string("its status is not ours to read"),
          " (", gone_why_, ")");
      gone_ = true;
    }
  }
  if (gone_) {
    return absl::InternalError(absl::StrCat("sandbox launcher (pid ", pid_,
                                            ") is gone: ", gone_why_,
                                            "; no code can run until the server restarts"));
  }
  if (reply < 0) {
    const std::string why = absl::StrCat("sandbox launcher: clone: ", strerror(-reply));
    return reply == -EAGAIN ? absl::ResourceExhaustedError(why) : absl::InternalError(why);
  }
  return static_cast<pid_t>(reply);
}

}  // namespace verdict::sandbox::internal
