// The launcher: a small process, forked from the server at start-up (before it grows: gRPC,
// thread pools, datasets), that does every fork of a sandboxed run, so that a spawn costs the
// same whatever the server's size (DESIGN.md §6). A fork copies the page tables of the process
// it is made from: from a server holding 1 GiB that was ~65 ms per run; from the launcher it is
// the launcher's few megabytes.
//
// Protocol: the runner sends one message per run over a socketpair (a ChildPlan flattened by
// PlanWriter) with the run's descriptors attached (SCM_RIGHTS); the launcher clones a child with
// CLONE_PARENT, so the child is the *server's* child (it waits for it, reads its rusage, kills
// its group; orphans come back to the server, a subreaper), and answers with the child's pid.
// The child runs the containment steps (ChildSetup) and execs the program. A failed step, and
// with a pid namespace init's pid, come to the runner on the plan's status pipe (StatusMessage);
// the pipe reaches EOF when the program has exec'd.
//
// The launcher is single-threaded and, from the fork on, makes system calls only (no
// allocation, no locks): it may be forked from a multi-threaded process. It exits when the
// server's end of the socket closes (the server died), and, when started from the main thread,
// on the server's death by PR_SET_PDEATHSIG (a blocked signal read from a signalfd; checked
// against a parent that died first). Before it exits it kills every process of the slot uids
// it ran programs as: without a pid namespace, what a program forked gets no parent-death
// signal and would outlive the server (uid_range.h). Should the launcher die with the server
// (SIGKILL to their process group), its reaper does that: a process forked at the first run
// with a slot uid, in a session of its own, told each such run's uid and session over a pipe,
// that kills what they left when the pipe reaches EOF. (Killing every process of the server at
// once, reaper included, is the container's to handle: a pod's pid namespace ends with it.)
#ifndef VERDICT_SANDBOX_INTERNAL_LAUNCHER_H_
#define VERDICT_SANDBOX_INTERNAL_LAUNCHER_H_

#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "sandbox/internal/namespaces.h"

namespace verdict::sandbox::internal {

// Everything a spawned child needs, prepared by the runner. On the wire every pointer holds an
// offset into the message (0: null); the launcher turns them back into pointers.
struct ChildPlan {
  const char* exe;
  char* const* argv;  // null-terminated
  char* const* envp;  // null-terminated
  const char* work_dir;
  static constexpr int kMaxLimits = 7;
  rlimit limits[kMaxLimits];
  int resources[kMaxLimits];
  int num_limits;
  bool drop_uid;
  uid_t uid;
  bool drop_caps;                   // root of a user namespace: no capabilities for the program
  const sock_fprog* filter;         // null: no seccomp
  const char* const* cgroup_procs;  // files to write "0" into (join the slot's cgroups)
  int num_cgroup_procs;
  const NamespacePlan* ns;  // null: no namespaces
  // Without a mount namespace: the paths Landlock lets the program see (its shown and kept
  // paths; nothing is mounted), under ABI `landlock_abi`. Null: no Landlock.
  const NamespacePlan* landlock;
  int landlock_abi;
  // Init's copy of the server's argv strings (pid namespace): an address of the server's, valid
  // in the launcher and its children, which are copies of it.
  ArgArea server_args;
  // Descriptors, in the order of the message's SCM_RIGHTS: stdin, stdout, stderr, the status
  // pipe, with a pid namespace the result pipe (init writes the program's wait status there),
  // then the extra descriptors that become 3, 4, ...; the launcher fills in its numbers.
  static constexpr int kMaxExtraFds = 8;
  int num_extra_fds;
  bool has_result_fd;
  int stdin_fd, stdout_fd, stderr_fd, status_fd, result_fd;
  int extra_fds[kMaxExtraFds];
  // Set by the launcher: the server's pid, and whether the run's processes get SIGKILL when the
  // server dies (PR_SET_PDEATHSIG; it follows the thread that forked the launcher, so only when
  // that was the main thread, which lives as long as the server).
  pid_t server_pid;
  bool death_signal;
};

// Builds the wire form of a ChildPlan: fields that point somewhere are set from the offsets
// the Add* calls return (via Ptr), the plan itself last (Finish).
class PlanWriter {
 public:
  PlanWriter();
  size_t AddString(std::string_view s);
  // A null-terminated array of strings.
  size_t AddStrings(const std::vector<std::string>& strings);
  size_t AddBytes(const void* data, size_t size, size_t align);
  template <typename T>
  size_t Add(const T& value) {
    return AddBytes(&value, sizeof value, alignof(T));
  }
  template <typename T>
  static T* Ptr(size_t offset) {
    return reinterpret_cast<T*>(offset);
  }
  // Writes `plan` at offset 0 and returns the message.
  std::string Finish(const ChildPlan& plan);

 private:
  std::string buf_;
};

// What a child writes on the status pipe (8 bytes: one atomic pipe write).
struct StatusMessage {
  enum Kind : int { kInitPid = 1, kFailed = 2 };
  int kind;
  int value;  // kInitPid: init's pid (in the server's pid namespace); kFailed: SetupErrorCode
};

// Why a spawn failed, from a kFailed value: the step and errno, or the exec's errno.
std::string SpawnError(int code, const std::string& program);

// The process's launcher. Thread-safe; one per process (a forked copy of the server that runs
// code gets one of its own, started then).
class Launcher {
 public:
  // The launcher of this process, started now if StartEarly was not called (then it is a copy
  // of the process as it is now, and spawn cost grows with it). Error: the fork failed.
  static absl::StatusOr<Launcher*> Get();
  // Starts it now; see StartSandboxLauncher in linux_runner.h.
  static absl::Status StartEarly();

  // Sends `message` (PlanWriter's) with `fds` attached; returns the pid of the cloned child
  // (the server's child). Errors: the launcher is gone (kInternal, names its exit), clone
  // failed (kResourceExhausted for EAGAIN, else kInternal).
  absl::StatusOr<pid_t> Spawn(const std::string& message, const std::vector<int>& fds);

  pid_t pid() const { return pid_; }
  // Whether it was forked by StartEarly (a small copy), not on first use.
  bool early() const { return early_; }
  // Whether it, and the runs, die with the process by PR_SET_PDEATHSIG: only when forked from
  // the main thread (the signal follows the forking thread). Either way the launcher exits when
  // the process's end of its socket closes.
  bool death_signal() const { return death_signal_; }

 private:
  Launcher(int sock, pid_t pid, bool early, bool death_signal)
      : sock_(sock), pid_(pid), early_(early), death_signal_(death_signal) {}
  static absl::StatusOr<Launcher*> Start(bool early);
  // In a forked copy of the process: closes the copy of the parent's socket.
  void AbandonInFork() ABSL_NO_THREAD_SAFETY_ANALYSIS;

  absl::Mutex mu_;
  int sock_ ABSL_GUARDED_BY(mu_);
  bool gone_ ABSL_GUARDED_BY(mu_) = false;
  // The call that found it gone and its error ("read: EOF", "sendmsg: No buffer space").
  std::string gone_why_ ABSL_GUARDED_BY(mu_);
  const pid_t pid_;
  const bool early_;
  const bool death_signal_;
  const pid_t owner_ = getpid();  // a forked copy of the server needs a launcher of its own
};

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_LAUNCHER_H_
