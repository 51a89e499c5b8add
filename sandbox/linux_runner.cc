// Linux Runner: the runner's side of a run (linux_runner.h steps 1 and 8: work dir, pipes,
// the watch, classification); the launcher process (internal/launcher.h) forks the child that
// runs the containment steps, as the server's own child.
#include "sandbox/linux_runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <poll.h>
#include <sched.h>
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
#include <atomic>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "sandbox/internal/cgroup.h"
#include "sandbox/internal/classify.h"
#include "sandbox/internal/fd.h"
#include "sandbox/internal/host_probe.h"
#include "sandbox/internal/landlock.h"
#include "sandbox/internal/launcher.h"
#include "sandbox/internal/namespaces.h"
#include "sandbox/internal/seccomp_filter.h"
#include "sandbox/internal/uid_range.h"
#include "sandbox/internal/work_dir.h"

namespace verdict::sandbox {
namespace {

using internal::CpuLimitSeconds;
using internal::Outcome;
using internal::UniqueFd;

double NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Step 5's RLIMIT_AS. glibc gives every thread a stack of RLIMIT_STACK (64 MiB by default),
// reserved, not used: against an address-space limit of `memory_bytes` (512 MiB) a program could
// not start an eighth thread. Where the run's cgroup limits the memory it really uses, the
// address space gets room for a full stack per allowed process or thread on top (huge
// reservations still fail, touching more than `memory_bytes` is an OOM kill); without a cgroup
// the address space is the only memory limit and stays `memory_bytes`.
int64_t AddressSpaceLimit(const RunLimits& lim, int64_t stack_bytes, bool memory_cgroup) {
  if (!memory_cgroup) return lim.memory_bytes;
  return lim.memory_bytes + std::min<int64_t>(lim.processes, 256) * stack_bytes;
}

// Reads what is available from a non-blocking pipe into `dst`, up to `cap` bytes (the rest is
// dropped and `truncated` set); returns false at EOF.
bool Drain(int fd, std::string* dst, int64_t cap, bool* truncated) {
  char buf[65536];
  while (true) {
    const ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r < 0;  // EAGAIN: open; 0: EOF
    const int64_t room = cap - static_cast<int64_t>(dst->size());
    if (r > room) {
      dst->append(buf, std::max<int64_t>(room, 0));
      *truncated = true;
    } else {
      dst->append(buf, r);
    }
  }
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
  std::unique_ptr<internal::UidRange> uids;        // with drop_uid: the range this runner holds
  bool work_dir_tmpfs = false;  // the work dir is a tmpfs with the run's size cap
  int landlock_abi = 0;         // without a mount namespace: Landlock's ABI; 0: no Landlock
};

// The private work dir of one run (step 1): unmounted and removed, whatever happened, when
// this goes out of scope.
struct WorkDir {
  std::string path;  // "" until created
  bool tmpfs = false;
  WorkDir() = default;
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  ~WorkDir() {
    if (path.empty()) return;
    if (tmpfs) internal::UnmountWorkDir(path);
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// The runner's descriptors of one run.
struct RunPipes {
  UniqueFd stdin_memfd;   // holds `stdin_data` (when no `stdin_fd` was given)
  UniqueFd out_r, out_w;  // stdout
  UniqueFd err_r, err_w;  // stderr
  UniqueFd st_r, st_w;    // status: a failed setup step, init's pid (StatusMessage)
  UniqueFd res_r, res_w;  // pid namespace: init reports the program's wait status
};

// What the watch (step 8) saw.
struct Watched {
  bool exited = false;  // the main process (program or init) exited by itself
  bool output_limit = false, wall_limit = false, cancelled = false;
  bool cpu_watch_hit = false;  // RLIMIT_CPU counts whole seconds; the watch enforces cpu_ms
  int64_t watched_cpu_ms = 0;  // the watch's last reading of the program's CPU time
  int64_t sampled_peak = 0;    // VmHWM sampled at 1, 2, 4, 8... ms (no memory cgroup)
};

absl::Status ValidateRequest(const RunRequest& request);

class LinuxRunner final : public Runner {
 public:
  LinuxRunner(LinuxRunnerOptions options, std::string filter, Layers layers, RunnerInfo info)
      : options_(std::move(options)),
        filter_bytes_(std::move(filter)),
        drop_uid_(layers.drop_uid),
        layers_(std::move(layers)),
        info_(std::move(info)),
        root_view_(layers_.mount_ns || layers_.landlock_abi > 0 ? internal::PlanRootView()
                                                                : nullptr) {
    absl::MutexLock lock(&mu_);
    for (int i = options_.max_parallel_runs - 1; i >= 0; --i) free_slots_.push_back(i);
  }

  // The steps, in order: a slot, MakeWorkDir, MakePipes, PlanChild, Spawn, Watch, the kill and
  // reap, Classify.
  absl::StatusOr<RunResult> Run(const RunRequest& request, const CancelFlag* cancel) override;
  RunnerInfo Info() const override {
    RunnerInfo info = info_;
    info.max_parallel_runs = options_.max_parallel_runs;
    return info;
  }

 private:
  int AcquireSlot() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::vector<int>* v) ABSL_NO_THREAD_SAFETY_ANALYSIS { return !v->empty(); },
        &free_slots_));
    int slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  void ReleaseSlot(int slot) {
    absl::MutexLock lock(&mu_);
    free_slots_.push_back(slot);
  }
  // Step 1: creates the run's work dir (a tmpfs with the cap where the runner can mount), writes
  // the input files, gives it to the slot uid.
  absl::Status MakeWorkDir(const RunRequest& request, int slot, uid_t uid, WorkDir* dir);
  // The run's stdin memfd (from `stdin_data`) and pipes.
  absl::Status MakePipes(const RunRequest& request, RunPipes* pipes) const;
  // Everything the child needs for steps 2-7, as the launcher's message.
  std::string PlanChild(const RunRequest& request, const std::string& work_dir, int slot,
                        uid_t uid) const;
  // Has the launcher clone the child and waits until the program has exec'd; returns the
  // run's main process (the program, or init of a pid namespace), the server's child. On
  // failure every process it started is killed and reaped, and the slot's cgroup finished.
  absl::StatusOr<pid_t> Spawn(const RunRequest& request, const std::string& plan, RunPipes* pipes,
                              int slot, uid_t uid);
  // Step 8: reads stdout/stderr into `result` until the main process exits, a limit is hit or
  // the run is cancelled.
  Watched Watch(const RunRequest& request, pid_t program, int pidfd, RunPipes* pipes,
                const CancelFlag* cancel, double start_ms, RunResult* result) const;
  // Kills every process of the slot's uid (including any that left the group), then reaps the
  // group.
  void KillAll(pid_t pgid, uid_t uid);
  // Fills the paths of `plan` the run sees (shown and kept), its strings in `w`'s message.
  void PlanView(const RunRequest& request, const std::string& work_dir,
                internal::NamespacePlan* plan, internal::PlanWriter* w) const;
  // Without a mount namespace: removes what the slot uid left at the top of the shared
  // temporary directories.
  void SweepSharedTmp(uid_t uid) const;
  // Step 1's size cap: why the work dir is over `work_dir_bytes`/`work_dir_files` (a full
  // tmpfs, or measured after the run without one); "" when it is not.
  std::string WorkDirOverCap(const std::string& work_dir, const RunLimits& lim) const;

  const LinuxRunnerOptions options_;
  const std::string filter_bytes_;  // the seccomp filter (sock_filter array)
  const bool drop_uid_;
  const Layers layers_;
  const RunnerInfo info_;
  // With a mount namespace or Landlock.
  const std::unique_ptr<internal::RootView> root_view_;
  const internal::ArgArea server_args_ = internal::OwnArgArea();
  const std::string uid_map_ = absl::StrCat("0 ", geteuid(), " 1");
  const std::string gid_map_ = absl::StrCat("0 ", getegid(), " 1");
  std::atomic<uint64_t> counter_{0};
  absl::Mutex mu_;
  std::vector<int> free_slots_ ABSL_GUARDED_BY(mu_);
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
        while (waitpid(p, nullptr, __WALL) < 0 && errno == EINTR) {}
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

void LinuxRunner::PlanView(const RunRequest& request, const std::string& work_dir,
                           internal::NamespacePlan* plan, internal::PlanWriter* w) const {
  using internal::PlanWriter;
  std::vector<internal::ShownPath> shown = root_view_->shown;
  for (internal::ShownPath& p : shown) {
    p.path = PlanWriter::Ptr<const char>(w->AddString(p.path));
    if (p.link_target != nullptr) {
      p.link_target = PlanWriter::Ptr<const char>(w->AddString(p.link_target));
    }
  }
  plan->shown = PlanWriter::Ptr<const internal::ShownPath>(w->AddBytes(
      shown.data(), shown.size() * sizeof(internal::ShownPath), alignof(internal::ShownPath)));
  plan->num_shown = static_cast<int>(shown.size());
  auto keep = [&](const std::string& path, bool is_dir, bool writable) {
    plan->kept[plan->num_kept++] = {PlanWriter::Ptr<const char>(w->AddString(path)), is_dir,
                                    writable};
  };
  keep(work_dir, true, true);
  // Paths the command line names outside the shown ones (a cached binary, a precompiled-header
  // dir) stay visible, read-only: the server chose them.
  for (const std::string& arg : request.argv) {
    if (plan->num_kept == internal::NamespacePlan::kMaxKept) break;
    bool is_shown = false;
    for (const internal::ShownPath& s : root_view_->shown) {
      is_shown |= arg == s.path || absl::StartsWith(arg, absl::StrCat(s.path, "/"));
    }
    struct stat st;
    if (is_shown || arg.empty() || arg[0] != '/' || absl::StrContains(arg, "/..") ||
        lstat(arg.c_str(), &st) != 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
      continue;
    }
    keep(arg, S_ISDIR(st.st_mode), false);
  }
}

std::string LinuxRunner::WorkDirOverCap(const std::string& work_dir, const RunLimits& lim) const {
  const std::string cap =
      absl::StrCat(lim.work_dir_bytes, " bytes or ", lim.work_dir_files, " files");
  if (layers_.work_dir_tmpfs) {
    return internal::WorkDirTmpfsFull(work_dir) ? absl::StrCat("work dir full (", cap, ")") : "";
  }
  const internal::WorkDirUsage used = internal::MeasureWorkDir(work_dir);
  if (used.bytes <= lim.work_dir_bytes && used.files <= lim.work_dir_files) return "";
  return absl::StrCat("work dir over ", cap, ": ", used.bytes, " bytes in ", used.files, " files");
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

absl::Status ValidateRequest(const RunRequest& request) {
  if (request.argv.empty() || request.argv[0].empty() || request.argv[0][0] != '/') {
    return absl::InvalidArgumentError("argv[0] must be an absolute path");
  }
  for (const InputFile& f : request.files) {
    if (!SafeName(f.name))
      return absl::InvalidArgumentError(absl::StrCat("bad file name ", f.name));
  }
  if (request.extra_fds.size() > static_cast<size_t>(RunRequest::kMaxExtraFds)) {
    return absl::InvalidArgumentError("too many extra_fds");
  }
  for (int fd : request.extra_fds) {
    if (fd < 0) return absl::InvalidArgumentError("negative extra fd");
  }
  return absl::OkStatus();
}

absl::Status LinuxRunner::MakeWorkDir(const RunRequest& request, int slot, uid_t uid,
                                      WorkDir* dir) {
  for (int attempt = 0;; ++attempt) {  // skip names left behind by a crashed process
    dir->path = absl::StrCat(options_.work_root, "/r", counter_.fetch_add(1), "-", slot);
    if (mkdir(dir->path.c_str(), 0700) == 0) break;
    if (errno != EEXIST || attempt == 100) {
      const int e = errno;
      dir->path.clear();
      return absl::InternalError(absl::StrCat("mkdir ", options_.work_root, "/r*: errno ", e));
    }
  }
  const RunLimits& lim = request.limits;
  if (layers_.work_dir_tmpfs) {
    absl::Status s = internal::MountWorkDirTmpfs(dir->path, lim.work_dir_bytes, lim.work_dir_files,
                                                 drop_uid_ ? uid : geteuid());
    if (!s.ok()) return s;
    dir->tmpfs = true;
  }
  for (const InputFile& f : request.files) {
    absl::Status s = WriteFileAt(dir->path + "/" + f.name, f.content, f.executable ? 0555 : 0444);
    if (!s.ok()) return s;
  }
  if (drop_uid_ && chown(dir->path.c_str(), uid, uid) != 0) {
    return absl::InternalError(absl::StrCat("chown ", dir->path, ": errno ", errno));
  }
  return absl::OkStatus();
}

absl::Status LinuxRunner::MakePipes(const RunRequest& request, RunPipes* p) const {
  if (request.stdin_fd < 0) {
    p->stdin_memfd.reset(memfd_create("verdict-stdin", MFD_CLOEXEC));
    if (!p->stdin_memfd.ok() || !internal::WriteAll(p->stdin_memfd.get(), request.stdin_data) ||
        lseek(p->stdin_memfd.get(), 0, SEEK_SET) != 0) {
      return absl::InternalError(absl::StrCat("stdin memfd: errno ", errno));
    }
  }
  if (!internal::MakePipe(&p->out_r, &p->out_w) || !internal::MakePipe(&p->err_r, &p->err_w) ||
      !internal::MakePipe(&p->st_r, &p->st_w) ||
      (layers_.pid_ns && !internal::MakePipe(&p->res_r, &p->res_w))) {
    return absl::InternalError(absl::StrCat("pipe: errno ", errno));
  }
  return absl::OkStatus();
}

std::string LinuxRunner::PlanChild(const RunRequest& request, const std::string& work_dir, int slot,
                                   uid_t uid) const {
  const RunLimits& lim = request.limits;
  internal::PlanWriter w;
  using internal::PlanWriter;
  internal::ChildPlan plan{};
  plan.exe = PlanWriter::Ptr<const char>(w.AddString(request.argv[0]));
  plan.argv = PlanWriter::Ptr<char* const>(w.AddStrings(request.argv));
  std::vector<std::string> env = request.env;
  if (env.empty()) {
    env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=" + work_dir, "TMPDIR=" + work_dir};
  }
  plan.envp = PlanWriter::Ptr<char* const>(w.AddStrings(env));
  plan.work_dir = PlanWriter::Ptr<const char>(w.AddString(work_dir));
  auto add_limit = [&](int resource, int64_t soft, int64_t hard) {
    plan.resources[plan.num_limits] = resource;
    plan.limits[plan.num_limits++] = rlimit{static_cast<rlim_t>(soft), static_cast<rlim_t>(hard)};
  };
  const int64_t cpu_s = CpuLimitSeconds(lim);
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
  if (options_.use_seccomp) {
    sock_fprog filter{};
    filter.len = static_cast<unsigned short>(filter_bytes_.size() / sizeof(sock_filter));
    filter.filter =
        PlanWriter::Ptr<sock_filter>(w.AddBytes(filter_bytes_.data(), filter_bytes_.size(), 8));
    plan.filter = PlanWriter::Ptr<const sock_fprog>(w.Add(filter));
  }
  if (layers_.cgroups != nullptr) {
    const std::vector<std::string> procs = layers_.cgroups->ProcsFiles(slot);
    plan.cgroup_procs = PlanWriter::Ptr<const char* const>(w.AddStrings(procs));
    plan.num_cgroup_procs = static_cast<int>(procs.size());
  }
  if (layers_.clone_flags != 0) {
    internal::NamespacePlan ns;
    ns.clone_flags = layers_.clone_flags;
    ns.user = layers_.user_ns;
    ns.uid_map = PlanWriter::Ptr<const char>(w.AddString(uid_map_));
    ns.gid_map = PlanWriter::Ptr<const char>(w.AddString(gid_map_));
    ns.pid = layers_.pid_ns;
    if (layers_.mount_ns) {
      ns.mount = true;
      PlanView(request, work_dir, &ns, &w);
      const int64_t tmpfs_bytes = std::max<int64_t>(request.limits.file_bytes, 1 << 20);
      ns.tmpfs_options = PlanWriter::Ptr<const char>(
          w.AddString(absl::StrCat("size=", tmpfs_bytes, ",nr_inodes=4096,mode=1777")));
    }
    plan.ns = PlanWriter::Ptr<const internal::NamespacePlan>(w.Add(ns));
  }
  if (layers_.landlock_abi > 0) {
    internal::NamespacePlan view;
    PlanView(request, work_dir, &view, &w);
    plan.landlock = PlanWriter::Ptr<const internal::NamespacePlan>(w.Add(view));
    plan.landlock_abi = layers_.landlock_abi;
  }
  plan.server_args = server_args_;
  plan.num_extra_fds = static_cast<int>(request.extra_fds.size());
  plan.has_result_fd = layers_.pid_ns;
  return w.Finish(plan);
}

absl::StatusOr<pid_t> LinuxRunner::Spawn(const RunRequest& request, const std::string& plan,
                                         RunPipes* pipes, int slot, uid_t uid) {
  auto give_up = [&](pid_t failed, absl::Status why) {
    if (failed > 0) KillAll(failed, uid);
    if (layers_.cgroups != nullptr) layers_.cgroups->Finish(slot);
    return why;
  };
  absl::StatusOr<internal::Launcher*> launcher = internal::Launcher::Get();
  if (!launcher.ok()) return give_up(-1, launcher.status());
  std::vector<int> fds = {request.stdin_fd >= 0 ? request.stdin_fd : pipes->stdin_memfd.get(),
                          request.stdout_fd >= 0 ? request.stdout_fd : pipes->out_w.get(),
                          pipes->err_w.get(), pipes->st_w.get()};
  if (layers_.pid_ns) fds.push_back(pipes->res_w.get());
  fds.insert(fds.end(), request.extra_fds.begin(), request.extra_fds.end());
  absl::StatusOr<pid_t> child = (*launcher)->Spawn(plan, fds);
  // The status pipe reaches EOF once the program has exec'd, or every setup process is gone.
  pipes->st_w.reset();
  if (!child.ok()) return give_up(-1, child.status());
  pid_t init = 0;
  int failed_code = -1;
  internal::StatusMessage m;
  while (true) {
    const ssize_t n = read(pipes->st_r.get(), &m, sizeof m);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof m)) break;
    if (m.kind == internal::StatusMessage::kInitPid) init = m.value;
    if (m.kind == internal::StatusMessage::kFailed) failed_code = m.value;
  }
  pid_t pid = *child;
  if (layers_.pid_ns) {
    // The cloned child only forked init and exited (reaped here); init, the server's child too,
    // took over.
    while (waitpid(*child, nullptr, __WALL) < 0 && errno == EINTR) {}
    pid = init;
  }
  if (failed_code >= 0) {
    return give_up(pid, absl::InternalError(internal::SpawnError(failed_code, request.argv[0])));
  }
  if (pid <= 0) return give_up(-1, absl::InternalError("sandbox setup: no init process"));
  return pid;
}

Watched LinuxRunner::Watch(const RunRequest& request, pid_t program, int pidfd, RunPipes* pipes,
                           const CancelFlag* cancel, double start_ms, RunResult* result) const {
  const RunLimits& lim = request.limits;
  Watched w;
  const double deadline = start_ms + lim.wall_ms;
  // Without a memory cgroup the program's peak comes from ru_maxrss, which also holds the
  // resident size of the process the program was forked from (its exec keeps the old memory's
  // high-water mark); below that, the peak is sampled from /proc at 1, 2, 4, 8... ms.
  const bool sample_rss = layers_.cgroups == nullptr && program > 0;
  double next_rss_sample = 1;
  bool out_open = request.stdout_fd < 0, err_open = true;
  const int out_fd = pipes->out_r.get(), err_fd = pipes->err_r.get();
  fcntl(out_fd, F_SETFL, O_NONBLOCK);
  fcntl(err_fd, F_SETFL, O_NONBLOCK);
  bool exited = false;
  while (!exited) {
    pollfd fds[4];
    int nfds = 0;
    fds[nfds++] = {pidfd, POLLIN, 0};
    int out_i = -1, err_i = -1;
    if (out_open) {
      out_i = nfds;
      fds[nfds++] = {out_fd, POLLIN, 0};
    }
    if (err_open) {
      err_i = nfds;
      fds[nfds++] = {err_fd, POLLIN, 0};
    }
    if (cancel != nullptr && cancel->fd() >= 0) fds[nfds++] = {cancel->fd(), POLLIN, 0};
    const double left = deadline - NowMs();
    if (left <= 0) {
      w.wall_limit = true;
      break;
    }
    int timeout = static_cast<int>(left) + 1;
    if (cancel != nullptr && cancel->fd() < 0) timeout = std::min(timeout, 10);
    const double elapsed = NowMs() - start_ms;
    const bool watch_cpu = elapsed >= lim.cpu_ms / 2;
    timeout = std::min(timeout, watch_cpu ? 20 : static_cast<int>(lim.cpu_ms / 2 - elapsed) + 1);
    if (sample_rss) {
      timeout = std::min(timeout, std::max(0, static_cast<int>(next_rss_sample - elapsed) + 1));
    }
    const int r = poll(fds, nfds, timeout);
    if (r < 0 && errno != EINTR) break;
    if (cancel != nullptr && cancel->cancelled()) {
      w.cancelled = true;
      break;
    }
    if (out_i >= 0 && fds[out_i].revents) {
      out_open = Drain(out_fd, &result->stdout_data, lim.stdout_bytes, &result->stdout_truncated);
      if (result->stdout_truncated) {
        w.output_limit = true;
        break;
      }
    }
    if (err_i >= 0 && fds[err_i].revents) {
      err_open = Drain(err_fd, &result->stderr_data, lim.stderr_bytes, &result->stderr_truncated);
    }
    if (fds[0].revents) {
      exited = true;
      continue;
    }
    if (sample_rss && NowMs() - start_ms >= next_rss_sample) {
      w.sampled_peak = std::max(w.sampled_peak, ProcPeakRssBytes(program));
      while (next_rss_sample <= NowMs() - start_ms) next_rss_sample *= 2;
    }
    if (watch_cpu && program > 0 && (w.watched_cpu_ms = ProcCpuMs(program)) > lim.cpu_ms) {
      w.cpu_watch_hit = true;
      break;
    }
  }
  w.exited = exited;
  return w;
}

absl::StatusOr<RunResult> LinuxRunner::Run(const RunRequest& request, const CancelFlag* cancel) {
  if (absl::Status s = ValidateRequest(request); !s.ok()) return s;
  if (cancel != nullptr && cancel->cancelled()) return absl::CancelledError("run cancelled");
  const RunLimits& lim = request.limits;
  const int slot = AcquireSlot();
  struct SlotGuard {
    LinuxRunner* r;
    int slot;
    ~SlotGuard() { r->ReleaseSlot(slot); }
  } slot_guard{this, slot};
  const uid_t uid = options_.first_uid + slot;

  WorkDir work_dir;  // step 1
  if (absl::Status s = MakeWorkDir(request, slot, uid, &work_dir); !s.ok()) return s;
  RunPipes pipes;
  if (absl::Status s = MakePipes(request, &pipes); !s.ok()) return s;
  if (layers_.cgroups != nullptr) {
    // Init of a pid namespace counts as one of the run's processes.
    layers_.cgroups->Prepare(slot, lim.memory_bytes, lim.processes + (layers_.pid_ns ? 1 : 0));
  }
  const std::string plan = PlanChild(request, work_dir.path, slot, uid);
  const double start_ms = NowMs();
  absl::StatusOr<pid_t> spawned = Spawn(request, plan, &pipes, slot, uid);
  if (!spawned.ok()) return spawned.status();
  const pid_t pid = *spawned;  // the program, or (pid namespace) init
  pipes.out_w.reset();
  pipes.err_w.reset();
  pipes.res_w.reset();
  pipes.stdin_memfd.reset();

  // The program: the child itself, or (pid namespace) init's only child. 0 when it is gone.
  const pid_t program = layers_.pid_ns ? OnlyChild(pid) : pid;
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.ok()) {
    const int e = errno;
    KillAll(pid, uid);
    if (layers_.cgroups != nullptr) layers_.cgroups->Finish(slot);
    return absl::InternalError(absl::StrCat("pidfd_open: errno ", e));
  }
  RunResult result;
  const Watched watched =
      Watch(request, program, pidfd.get(), &pipes, cancel, start_ms, &result);  // step 8
  if (!watched.exited) {
    // The program's group first, so that init (pid namespace) reaps the program and reports.
    if (program > 0) kill(-program, SIGKILL);
    if (layers_.pid_ns && program <= 0) kill(pid, SIGKILL);
  }
  int wstatus = 0;
  rusage ru{};
  while (wait4(pid, &wstatus, __WALL, &ru) < 0 && errno == EINTR) {}
  result.wall_ms = NowMs() - start_ms;
  if (layers_.pid_ns) {
    // Init's rusage covers the children it reaped (the program); the status is the program's.
    int program_status = 0;
    if (read(pipes.res_r.get(), &program_status, sizeof program_status) == sizeof program_status) {
      wstatus = program_status;
    } else if (WIFEXITED(wstatus)) {
      wstatus = SIGKILL;  // init died without a report: treat as killed
    }
  }
  KillAll(pid, uid);
  // Every writer is dead now: take what is left in the pipes.
  Outcome outcome;
  outcome.output_limit = watched.output_limit;
  if (!outcome.output_limit) {
    Drain(pipes.out_r.get(), &result.stdout_data, lim.stdout_bytes, &result.stdout_truncated);
    outcome.output_limit = result.stdout_truncated;
  }
  Drain(pipes.err_r.get(), &result.stderr_data, lim.stderr_bytes, &result.stderr_truncated);
  for (const std::string& name : request.collect) {
    InputFile f{name, "", false};
    if (SafeName(name) &&
        ReadCollected(work_dir.path + "/" + name, request.max_collect_bytes, &f.content)) {
      result.files.push_back(std::move(f));
    }
  }
  // Under Landlock the program could create nothing there: no scan of /tmp (thousands of
  // entries on a shared host) per run.
  if (drop_uid_ && !layers_.mount_ns && layers_.landlock_abi == 0) SweepSharedTmp(uid);
  outcome.work_dir_over = WorkDirOverCap(work_dir.path, lim);
  internal::CgroupSlots::Usage cg;
  if (layers_.cgroups != nullptr) cg = layers_.cgroups->Finish(slot);
  if (watched.cancelled) return absl::CancelledError("run cancelled");

  // The rusage of a process killed mid-tick can read lower than the /proc reading that had it
  // killed: report the larger, so that a CPU-limit detail never shows time under the limit.
  result.cpu_ms = std::max<int64_t>(watched.watched_cpu_ms,
                                    (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                                        (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000);
  // The program's own peak: the cgroup's, or else ru_maxrss (or the sampled peak, a lower
  // bound, if that is higher). The run was cloned from the small launcher, not from the server,
  // so ru_maxrss is the program's own peak, at most the launcher's resident size for a program
  // smaller than that (it was compared with the server's peak when runs were forked from the
  // server; an ASan server's peak then hid every program's and left only the sampled bound).
  const int64_t maxrss_bytes = static_cast<int64_t>(ru.ru_maxrss) * 1024;
  result.peak_memory_bytes = cg.peak_memory_bytes > 0
                                 ? cg.peak_memory_bytes
                                 : std::max<int64_t>(maxrss_bytes, watched.sampled_peak);
  if (WIFEXITED(wstatus)) result.exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) result.signal = WTERMSIG(wstatus);
  outcome.wall_limit = watched.wall_limit;
  outcome.cpu_watch_hit = watched.cpu_watch_hit;
  outcome.cgroup_oom = cg.oom_killed;
  outcome.work_dir_tmpfs = layers_.work_dir_tmpfs;
  Classify(lim, outcome, &result);
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
  for (auto [cap, name] :
       {std::pair{CAP_SETUID, "CAP_SETUID"}, std::pair{CAP_SETGID, "CAP_SETGID"},
        std::pair{CAP_CHOWN, "CAP_CHOWN"}, std::pair{CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE"},
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
  const char* off_why =
      env_off ? "disabled by VERDICT_SANDBOX_NO_NAMESPACES" : "disabled by configuration";
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
      info->missing_layers.push_back(absl::StrCat("user_namespace: ", ns.user ? "available, " : "",
                                                  "not needed (root: per-slot uid)"));
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
                       "minimal_dev",
                       ns.pid ? ",own_proc)" : ",host_proc)"));
    } else {
      info->missing_layers.push_back("mount_namespace: " + ns.mount_why);
    }
  } else {
    for (const char* name :
         {"user_namespace", "pid_namespace", "net_namespace", "mount_namespace"}) {
      info->missing_layers.push_back(absl::StrCat(name, ": ", off_why));
    }
  }
  if (layers->mount_ns) {
    info->missing_layers.push_back("landlock: not needed (mount namespace)");
  } else if (!options.use_landlock) {
    info->missing_layers.push_back("landlock: disabled by configuration");
  } else {
    std::string why;
    layers->landlock_abi = internal::ProbeLandlock(&why);
    if (layers->landlock_abi > 0) {
      info->active_layers.push_back(
          absl::StrCat("landlock(abi ", layers->landlock_abi,
                       ": toolchains read-only, work dir read-write, no other host path",
                       layers->landlock_abi >= 6 ? ", signals and abstract sockets scoped)" : ")"));
    } else {
      info->missing_layers.push_back("landlock: " + why);
    }
  }
  if (!layers->mount_ns) {
    info->active_layers.push_back(layers->drop_uid && layers->landlock_abi == 0
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

absl::Status StartSandboxLauncher() { return internal::Launcher::StartEarly(); }

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
    absl::StatusOr<std::string> f = internal::BuildSeccompFilter(/*unix_sockets=*/false);
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
      lock_dirs = {
          "/run/verdict-uids",
          (slash == std::string::npos || slash == 0 ? std::string("") : root.substr(0, slash)) +
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
    // Locks beside the work root (a read-only root: /run could not be written) are this
    // container's own: servers in other containers on the host do not see them.
    const bool fallback = options.uid_lock_dir.empty() && copy.uid_lock_dir != "/run/verdict-uids";
    info.active_layers.push_back(absl::StrCat(
        "uid_drop(", copy.first_uid, "+slot, uids ", copy.first_uid, "-",
        copy.first_uid + options.max_parallel_runs - 1, " held under ", copy.uid_lock_dir,
        fallback ? ", not shared with other containers: mount the node's /run/verdict-uids "
                   "(hostPath) at /run/verdict-uids so that pods of one node never share uids)"
                 : ")"));
  } else {
    info.missing_layers.push_back(
        as_root
            ? absl::StrCat("uid_drop: root without ", missing_caps,
                           " (needs CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_KILL)")
            : "uid_drop: not root or disabled (RLIMIT_NPROC is not per run)");
  }
  info.active_layers.push_back("rlimits(cpu,as,stack,fsize,nofile,core" +
                               std::string(drop_uid ? ",nproc)" : ")"));
  Layers layers;
  layers.drop_uid = drop_uid;
  layers.uids = std::move(uids);
  AddOptionalLayers(options, &layers, &info);
  // Unix sockets where the run cannot name one of the host's: its own root (no host socket
  // file in it), net namespace (abstract names are per net namespace) and pid namespace (no
  // /proc/<pid>/root of a host process to reach the host's root through).
  bool unix_sockets = false;
  if (seccomp_ok && layers.mount_ns && layers.pid_ns && (layers.clone_flags & CLONE_NEWNET)) {
    absl::StatusOr<std::string> f = internal::BuildSeccompFilter(/*unix_sockets=*/true);
    if (f.ok() && internal::ProbeSeccomp(*f)) {
      filter = *std::move(f);
      unix_sockets = true;
    }
  }
  if (seccomp_ok) {
    info.active_layers.push_back(
        absl::StrCat("seccomp(", unix_sockets ? "unix_sockets_of_the_run_only" : "no_sockets",
                     ",no_io_uring,no_tiocsti,no_ptrace,no_mount,no_modules,no_bpf,no_setsid)"));
  } else {
    info.missing_layers.push_back(options.use_seccomp ? "seccomp: filter cannot be loaded"
                                                      : "seccomp: disabled by options");
  }
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
  // The launcher forks every run's child; started here if main() did not start it early.
  absl::StatusOr<internal::Launcher*> launcher = internal::Launcher::Get();
  if (!launcher.ok()) return launcher.status();
  info.active_layers.push_back(absl::StrCat(
      (*launcher)->early()
          ? "launcher(forked at start-up: spawn cost independent of the server's size"
          : "launcher(forked late, at the first runner: spawn cost grows with the process's size "
            "then; call StartSandboxLauncher first in main",
      (*launcher)->death_signal()
          ? ")"
          : "; not from the main thread: runs get no parent-death signal)"));
  info.active_layers.push_back("wall_time_watch");
  info.active_layers.push_back("output_cap");
  info.minimum_layers_present = seccomp_ok && subreaper && private_dir;
  if (!info.minimum_layers_present && options.require_minimum_layers) {
    return absl::FailedPreconditionError(absl::StrCat(
        "sandbox minimum layers missing (rlimits, process-group kill, seccomp, private work dir); "
        "not available: ",
        absl::StrJoin(info.missing_layers, "; ")));
  }
  if (!seccomp_ok) copy.use_seccomp = false;
  return std::unique_ptr<Runner>(
      new LinuxRunner(copy, std::move(filter), std::move(layers), std::move(info)));
}

}  // namespace verdict::sandbox
