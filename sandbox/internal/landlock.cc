#include "sandbox/internal/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace verdict::sandbox::internal {
namespace {

// Access rights by ABI (linux/landlock.h; Debian's header predates some of them).
constexpr uint64_t kAbi1Fs = (1ULL << 13) - 1;            // EXECUTE ... MAKE_SYM
constexpr uint64_t kRefer = 1ULL << 13;                   // ABI 2
constexpr uint64_t kTruncate = 1ULL << 14;                // ABI 3
constexpr uint64_t kIoctlDev = 1ULL << 15;                // ABI 5
constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;  // ABI 6
constexpr uint64_t kScopeSignal = 1ULL << 1;              // ABI 6
constexpr uint64_t kExecute = 1ULL << 0, kWriteFile = 1ULL << 1, kReadFile = 1ULL << 2,
                   kReadDir = 1ULL << 3;
// What a rule on a file (not a directory) may hold.
constexpr uint64_t kFileRights = kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;

// What the run may read of the host's /proc: its own directory ("/proc/self" is opened, so the
// rule is on /proc/<pid>, the pid the program keeps across its exec) and the system-wide files
// runtimes read (node: cpuinfo, meminfo, stat; glibc's CPU count falls back to stat).
constexpr const char* kProcFiles[] = {"/proc/self",   "/proc/cpuinfo", "/proc/meminfo",
                                      "/proc/stat",   "/proc/loadavg", "/proc/uptime",
                                      "/proc/version"};

// The kernel's struct landlock_ruleset_attr as of ABI 6; older kernels read a prefix.
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

uint64_t HandledFs(int abi) {
  uint64_t fs = kAbi1Fs;
  if (abi >= 2) fs |= kRefer;
  if (abi >= 3) fs |= kTruncate;
  if (abi >= 5) fs |= kIoctlDev;
  return fs;
}

// Allows `access` beneath `path` (a file: the file rights of it). A path missing on this host
// is skipped.
bool Allow(int ruleset, const char* path, uint64_t access) {
  const int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;
  struct stat st;
  bool ok = fstat(fd, &st) == 0;
  if (ok && !S_ISDIR(st.st_mode)) access &= kFileRights;
  if (ok && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
    landlock_path_beneath_attr rule{};
    rule.allowed_access = access;
    rule.parent_fd = fd;
    ok = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) == 0;
  }
  close(fd);
  return ok;
}

}  // namespace

int ProbeLandlock(std::string* why) {
  const long abi =
      syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi > 0) return static_cast<int>(abi);
  *why = errno == EOPNOTSUPP ? "disabled in this kernel (not in the lsm= list)"
         : errno == ENOSYS   ? "not built into this kernel"
                             : absl::StrCat("landlock_create_ruleset: errno ", errno);
  return 0;
}

int RestrictWithLandlock(const NamespacePlan& view, int abi) {
  RulesetAttr attr{HandledFs(abi), 0, abi >= 6 ? kScopeAbstractUnixSocket | kScopeSignal : 0};
  // Sockets are seccomp's (no socket() at all), so no network rights are handled.
  const size_t size = abi >= 6 ? sizeof attr : sizeof attr.handled_access_fs;
  const int ruleset = static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, size, 0));
  if (ruleset < 0) return 1;
  const uint64_t all = attr.handled_access_fs;
  const uint64_t read_only = kExecute | kReadFile | kReadDir;
  const uint64_t device = kReadFile | kWriteFile | (all & (kTruncate | kIoctlDev));
  int step = 0;
  for (int i = 0; i < view.num_shown && step == 0; ++i) {
    const ShownPath& s = view.shown[i];
    if (s.link_target != nullptr) continue;
    if (!Allow(ruleset, s.path, s.writable ? device : read_only)) step = 2;
  }
  // Of the host's /proc (no pid namespace here to give the run its own), only this process's
  // directory, which stays the program's across the exec (/proc/self: node reads maps and
  // cgroup, shells /dev/fd), and the system-wide files runtimes read for the machine's size;
  // not /proc itself (no listing) nor any other process (command lines of the server, the host,
  // other runs). /dev/shm is not writable: POSIX semaphores (sem_open) fail with EACCES.
  for (const char* path : kProcFiles) {
    if (step == 0 && !Allow(ruleset, path, read_only)) step = 2;
  }
  for (int i = 0; i < view.num_kept && step == 0; ++i) {
    const KeptPath& k = view.kept[i];
    if (!Allow(ruleset, k.path, k.writable ? all : read_only)) step = 3;
  }
  if (step == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) step = 4;
  if (step == 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) step = 5;
  const int saved = errno;
  close(ruleset);
  errno = saved;
  return step;
}

}  // namespace verdict::sandbox::internal
