#include "sandbox/internal/seccomp_filter.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace verdict::sandbox::internal {
namespace {

// Calls that an untrusted program never needs; each fails with EPERM.
constexpr const char* kDenied[] = {
    "ptrace", "mount", "umount2", "pivot_root", "chroot", "init_module", "finit_module",
    "delete_module", "bpf", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff",
    "perf_event_open", "keyctl", "add_key", "request_key", "userfaultfd", "process_vm_readv",
    "process_vm_writev", "setsid", "setpgid", "unshare", "setns", "acct", "quotactl",
    "iopl", "ioperm", "open_by_handle_at", "name_to_handle_at", "syslog", "clock_settime",
    "settimeofday", "adjtimex", "clock_adjtime", "fanotify_init", "lookup_dcookie",
    "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr",
    "personality", "vhangup", "sethostname", "setdomainname", "kcmp", "pidfd_getfd",
};

}  // namespace

absl::StatusOr<std::string> BuildSeccompFilter() {
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
  // Only AF_UNIX sockets (local pipes some runtimes use); no network of any family.
  if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
                             SCMP_A0(SCMP_CMP_NE, AF_UNIX))) < 0) {
    return fail("socket", rc);
  }
  if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socketpair), 1,
                             SCMP_A0(SCMP_CMP_NE, AF_UNIX))) < 0) {
    return fail("socketpair", rc);
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
