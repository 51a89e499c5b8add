#include "sandbox/internal/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace verdict::sandbox::internal {
namespace {

// Runs `fn` in a forked child; returns its exit code (-1 when it did not exit).
template <typename Fn>
int InChild(Fn fn) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) _exit(fn());
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool WriteString(const char* path, const char* s) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  size_t n = strlen(s);
  bool ok = write(fd, s, n) == static_cast<ssize_t>(n);
  close(fd);
  return ok;
}

// "/proc/self/fd/<fd>" without snprintf (not async-signal-safe).
void FdPath(int fd, char* out) {
  static const char kPrefix[] = "/proc/self/fd/";
  memcpy(out, kPrefix, sizeof kPrefix - 1);
  char digits[16];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + fd % 10);
    fd /= 10;
  } while (fd > 0);
  char* p = out + sizeof kPrefix - 1;
  while (n > 0) *p++ = digits[--n];
  *p = '\0';
}

// mkdir of every ancestor of `path`; those that exist are left alone. Mode 0111: the program
// (root of its user namespace, without capabilities, when the runner is not root) can pass
// through but neither list nor write them.
bool MakeParents(const char* path) {
  char buf[4096];
  size_t len = strlen(path);
  if (len >= sizeof buf) return false;
  memcpy(buf, path, len + 1);
  for (size_t i = 1; i < len; ++i) {
    if (buf[i] != '/') continue;
    buf[i] = '\0';
    if (mkdir(buf, 0111) != 0 && errno != EEXIST) return false;
    buf[i] = '/';
  }
  return true;
}

std::string Why(const char* what) { return absl::StrCat(what, " (", strerror(errno), ")"); }

}  // namespace

std::vector<std::string> PrivateDirs() {
  std::vector<std::string> out;
  for (const char* d : {"/tmp", "/dev/shm"}) {
    struct stat st;
    if (stat(d, &st) == 0 && S_ISDIR(st.st_mode)) out.push_back(d);
  }
  return out;
}

int EnterNamespaces(const NamespacePlan& p) {
  if (p.user) {
    // Unprivileged: only our own uid/gid can be mapped, and only once setgroups is denied.
    if (!WriteString("/proc/self/setgroups", "deny") && errno != ENOENT) return 1;
    if (!WriteString("/proc/self/uid_map", p.uid_map) ||
        !WriteString("/proc/self/gid_map", p.gid_map)) {
      return 1;
    }
  }
  if (p.mount) {
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 2;
    int fds[NamespacePlan::kMaxKept];
    for (int i = 0; i < p.num_kept; ++i) {
      fds[i] = open(p.kept[i].path, O_PATH | O_CLOEXEC | (p.kept[i].is_dir ? O_DIRECTORY : 0));
      if (fds[i] < 0) return 3;
    }
    if (p.read_only_root) {
      mount_attr attr{};
      attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID;
      if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof attr) != 0) {
        return 4;
      }
    }
    for (int i = 0; i < p.num_private_dirs; ++i) {
      if (mount("tmpfs", p.private_dirs[i], "tmpfs", MS_NOSUID | MS_NODEV, p.tmpfs_options) != 0) {
        return 5;
      }
    }
    for (int i = 0; i < p.num_kept; ++i) {
      const KeptPath& k = p.kept[i];
      if (!MakeParents(k.path)) return 6;
      if (k.is_dir) {
        if (mkdir(k.path, 0711) != 0 && errno != EEXIST) return 7;
      } else {
        int fd = open(k.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
        if (fd >= 0) {
          close(fd);
        } else if (errno != EEXIST && errno != EROFS && errno != EACCES) {
          return 7;
        }
      }
      char src[64];
      FdPath(fds[i], src);
      if (mount(src, k.path, nullptr, MS_BIND, nullptr) != 0) return 8;
      unsigned long flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV;
      if (!k.writable) flags |= MS_RDONLY;
      if (mount(nullptr, k.path, nullptr, flags, nullptr) != 0) return 9;
      close(fds[i]);
    }
  }
  if (p.pid && p.mount) {
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) return 10;
  }
  return 0;
}

bool DropAllCapabilities() {
  for (int cap = 0; cap < 64; ++cap) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return false;
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  return syscall(SYS_capset, &header, data) == 0;
}

NamespaceSupport ProbeNamespaces() {
  NamespaceSupport s;
  s.need_user = geteuid() != 0;
  const int user_flag = s.need_user ? CLONE_NEWUSER : 0;
  auto probe = [&](int flag, bool* ok, std::string* why) {
    int err = 0;
    int pipefd[2];
    if (pipe(pipefd) != 0) return;
    int rc = InChild([&] {
      close(pipefd[0]);
      int r = unshare(flag | user_flag);
      int e = errno;
      (void)!write(pipefd[1], &e, sizeof e);
      return r == 0 ? 0 : 1;
    });
    close(pipefd[1]);
    if (rc != 0) (void)!read(pipefd[0], &err, sizeof err);
    close(pipefd[0]);
    *ok = rc == 0;
    if (!*ok) *why = absl::StrCat("unshare failed (", strerror(err), ")");
  };
  probe(CLONE_NEWUSER, &s.user, &s.user_why);
  probe(CLONE_NEWPID, &s.pid, &s.pid_why);
  probe(CLONE_NEWNET, &s.net, &s.net_why);
  probe(CLONE_NEWNS, &s.mount, &s.mount_why);
  if (s.need_user && !s.user) {
    for (auto [ok, why] : {std::pair{&s.pid, &s.pid_why}, {&s.net, &s.net_why},
                           {&s.mount, &s.mount_why}}) {
      *ok = false;
      *why = "needs a user namespace (not root)";
    }
  }
  if (!s.mount) return s;

  // The whole mount plan once, in a pid namespace as a run uses it: a writable kept directory,
  // a read-only root, a private /tmp whose files do not appear outside, a fresh /proc.
  char tmpl[] = "/tmp/verdict-probe-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    s.mount = false;
    s.mount_why = Why("mkdtemp in /tmp");
    return s;
  }
  const std::string dir = tmpl;
  const std::string uid_map = absl::StrCat("0 ", geteuid(), " 1");
  const std::string gid_map = absl::StrCat("0 ", getegid(), " 1");
  const std::string tmpfs = "size=1048576,nr_inodes=64,mode=1777";
  std::vector<std::string> priv = PrivateDirs();
  for (bool ro : {true, false}) {
    NamespacePlan p;
    p.user = s.need_user;
    p.uid_map = uid_map.c_str();
    p.gid_map = gid_map.c_str();
    p.mount = true;
    p.read_only_root = ro;
    p.tmpfs_options = tmpfs.c_str();
    for (const std::string& d : priv) p.private_dirs[p.num_private_dirs++] = d.c_str();
    p.kept[p.num_kept++] = {dir.c_str(), true, true};
    p.pid = s.pid;
    const std::string inside = dir + "/w";
    int rc = InChild([&] {
      if (unshare(CLONE_NEWNS | (s.pid ? CLONE_NEWPID : 0) | user_flag) != 0) return 20;
      // pid namespaces take effect for children: the plan (with /proc) runs in one.
      pid_t child = fork();
      if (child < 0) return 21;
      if (child > 0) {
        int st = 0;
        while (waitpid(child, &st, 0) < 0 && errno == EINTR) {
        }
        return WIFEXITED(st) ? WEXITSTATUS(st) : 22;
      }
      if (int step = EnterNamespaces(p); step != 0) _exit(30 + step);
      int fd = open(inside.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) _exit(23);
      close(fd);
      fd = open("/tmp/verdict-probe-private", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) _exit(24);
      close(fd);
      if (ro && (open("/verdict-probe-ro", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) >= 0 ||
                 errno != EROFS)) {
        _exit(25);
      }
      _exit(0);
    });
    struct stat st;
    const bool leaked = stat("/tmp/verdict-probe-private", &st) == 0;
    unlink("/tmp/verdict-probe-private");
    unlink("/verdict-probe-ro");
    const bool wrote = stat(inside.c_str(), &st) == 0;
    unlink(inside.c_str());
    if (rc == 0 && !leaked && wrote) {
      s.read_only_root = ro;
      s.mount_why.clear();
      break;
    }
    // Tried again without the read-only root; unusable after that.
    s.mount_why = absl::StrCat("mount plan failed (step ", rc, leaked ? ", /tmp not private" : "",
                               wrote ? "" : ", work dir not writable", ")");
    if (!ro) s.mount = false;
  }
  rmdir(dir.c_str());
  return s;
}

}  // namespace verdict::sandbox::internal
