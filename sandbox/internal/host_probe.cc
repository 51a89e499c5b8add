#include "sandbox/internal/host_probe.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace verdict::sandbox::internal {
namespace {

// Runs `fn` in a forked child; true when it exits 0.
template <typename Fn>
bool InChild(Fn fn) {
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) _exit(fn() ? 0 : 1);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

bool ProbeSeccomp(const std::string& filter) {
  sock_fprog prog{static_cast<unsigned short>(filter.size() / sizeof(sock_filter)),
                  reinterpret_cast<sock_filter*>(const_cast<char*>(filter.data()))};
  return InChild([&] {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) return false;
    return socket(AF_INET, SOCK_STREAM, 0) < 0 && errno == EACCES;
  });
}

}  // namespace verdict::sandbox::internal
