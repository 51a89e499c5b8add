#include "sandbox/internal/seccomp_filter.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace verdict::sandbox::internal {
namespace {

// Calls that an untrusted program never needs; each fails with EPERM.
constexpr const char* kDenied[] = {
    "ptrace",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "init_module",
    "finit_module",
    "delete_module",
    "bpf",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "userfaultfd",
    "process_vm_readv",
    "process_vm_writev",
    "setsid",
    "setpgid",
    "unshare",
    "setns",
    "acct",
    "quotactl",
    "iopl",
    "ioperm",
    "open_by_handle_at",
    "name_to_handle_at",
    "syslog",
    "clock_settime",
    "settimeofday",
    "adjtimex",
    "clock_adjtime",
    "fanotify_init",
    "lookup_dcookie",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "mount_setattr",
    "personality",
    "vhangup",
    "sethostname",
    "setdomainname",
    "kcmp",
    "pidfd_getfd",
    // io_uring performs socket(), connect() and file calls in the kernel, out of this filter's
    // sight: a program reached a host TCP port with it.
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    // Memory hidden from the kernel's own dumps; a program has no use for it.
    "memfd_secret",
};

// ioctl requests denied whatever the descriptor: TIOCSTI pushes keystrokes into a terminal's
// input (as if typed by its user), TIOCLINUX does that and more on a virtual console.
constexpr unsigned long kDeniedIoctls[] = {TIOCSTI, TIOCLINUX};

}  // namespace

absl::StatusOr<std::string> BuildSeccompFilter(bool unix_sockets) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return absl::InternalError("seccomp_init failed");
  auto fail = [&](const char* what, int rc) {
    seccomp_release(ctx);
    return absl::InternalError(absl::StrCat("seccomp: ", what, ": ", -rc));
  };
  int rc;
  for (const char* name : kDenied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this kernel/arch
    if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0)) < 0) return fail(name, rc);
  }
  for (unsigned long request : kDeniedIoctls) {
    // The request is an int in the kernel: compare the low 32 bits only.
    if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                               SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, request))) < 0) {
      return fail("ioctl", rc);
    }
  }
  // No socket() of any family: no network, and no Unix socket either, so neither the host's
  // path sockets (a world-writable one outside /tmp was reachable) nor its abstract ones (no net
  // namespace in the Kubernetes configuration) can be connected to. In a run's own mount, net
  // and pid namespaces, Unix sockets reach only the run's (multiprocessing.Manager needs them).
  rc = unix_sockets ? seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
                                       SCMP_A0(SCMP_CMP_NE, AF_UNIX))
                    : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 0);
  if (rc < 0) return fail("socket", rc);
  // socketpair() stays (Python's multiprocessing.Pipe, asyncio, libuv need it), AF_UNIX only,
  // and, where the host's sockets can be named, connection-oriented only: an AF_UNIX datagram
  // socket (SOCK_RAW is one too) can sendto() any named or abstract datagram socket of the
  // host although it was made by socketpair().
  if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socketpair), 1,
                             SCMP_A0(SCMP_CMP_NE, AF_UNIX))) < 0) {
    return fail("socketpair", rc);
  }
  for (scmp_datum_t type : {SOCK_DGRAM, SOCK_RAW}) {
    if (unix_sockets) break;
    // The type argument also carries SOCK_NONBLOCK and SOCK_CLOEXEC: compare its low 4 bits.
    if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socketpair), 1,
                               SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfu, type))) < 0) {
      return fail("socketpair", rc);
    }
  }
  // No new namespaces through clone flags; clone3 passes flags in memory, so make glibc fall
  // back to clone.
  for (uint64_t flag : {CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC,
                        CLONE_NEWUTS, CLONE_NEWCGROUP}) {
    if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                               SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag))) < 0) {
      return fail("clone", rc);
    }
  }
  if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0)) < 0) {
    return fail("clone3", rc);
  }
  int fd = memfd_create("verdict-seccomp", MFD_CLOEXEC);
  if (fd < 0) return fail("memfd_create", -errno);
  if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
    close(fd);
    return fail("export", rc);
  }
  seccomp_release(ctx);
  std::string bpf;
  off_t size = lseek(fd, 0, SEEK_END);
  lseek(fd, 0, SEEK_SET);
  bpf.resize(size > 0 ? size : 0);
  size_t got = 0;
  while (got < bpf.size()) {
    ssize_t n = read(fd, bpf.data() + got, bpf.size() - got);
    if (n <= 0) break;
    got += n;
  }
  close(fd);
  if (got != bpf.size() || bpf.empty()) return absl::InternalError("seccomp: short BPF read");
  return bpf;
}

}  // namespace verdict::sandbox::internal
