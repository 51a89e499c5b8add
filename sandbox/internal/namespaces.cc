#include "sandbox/internal/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
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

// mkdir of every ancestor of `path`; those that exist are left alone. Mode 0111 for the
// parents of kept paths: the program (root of its user namespace, without capabilities, when
// the runner is not root) can pass through but neither list nor write them.
bool MakeParents(const char* path, mode_t mode) {
  char buf[4096];
  size_t len = strlen(path);
  if (len >= sizeof buf) return false;
  memcpy(buf, path, len + 1);
  for (size_t i = 1; i < len; ++i) {
    if (buf[i] != '/') continue;
    buf[i] = '\0';
    if (mkdir(buf, mode) != 0 && errno != EEXIST) return false;
    buf[i] = '/';
  }
  return true;
}

// Where the run's root is built before pivot_root: a tmpfs mounted over /tmp in the run's mount
// namespace (the host's /tmp there is out of sight afterwards; kept paths under it were opened
// before).
constexpr char kStage[] = "/tmp";

// kStage + path into `out` (size 4096); false when too long. No allocation (child side).
bool Staged(const char* path, char* out) {
  const size_t a = sizeof kStage - 1, b = strlen(path);
  if (a + b + 1 > 4096) return false;
  memcpy(out, kStage, a);
  memcpy(out + a, path, b + 1);
  return true;
}

// The mount point for a bind mount: a directory or an empty file.
bool MakeMountPoint(const char* path, bool is_dir, mode_t parent_mode) {
  if (!MakeParents(path, parent_mode)) return false;
  if (is_dir) return mkdir(path, 0755) == 0 || errno == EEXIST;
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
  if (fd < 0) return errno == EEXIST;
  close(fd);
  return true;
}

// Binds `src` on `dst` (recursively for a directory), then remounts it nosuid, read-only unless
// `writable`, keeping nodev/noexec where the source has them (a user namespace locks them).
bool Bind(const char* src, const char* dst, bool is_dir, bool writable) {
  if (mount(src, dst, nullptr, MS_BIND | (is_dir ? MS_REC : 0), nullptr) != 0) return false;
  struct statfs fs;
  if (statfs(dst, &fs) != 0) return false;
  // ST_NODEV and ST_NOEXEC have the values of MS_NODEV and MS_NOEXEC.
  unsigned long flags = MS_REMOUNT | MS_BIND | MS_NOSUID | (fs.f_flags & (MS_NODEV | MS_NOEXEC));
  if (!writable) flags |= MS_RDONLY;
  return mount(nullptr, dst, nullptr, flags, nullptr) == 0;
}

std::string Why(const char* what) { return absl::StrCat(what, " (", strerror(errno), ")"); }

}  // namespace

std::vector<std::string> PrivateDirs() { return {"/tmp", "/dev/shm"}; }

std::unique_ptr<RootView> PlanRootView() {
  auto view = std::make_unique<RootView>();
  auto keep = [&](std::string s) {
    view->strings.push_back(std::make_unique<std::string>(std::move(s)));
    return view->strings.back()->c_str();
  };
  auto show = [&](const char* path, bool writable) {
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlink(path, target, sizeof target - 1);
      if (n <= 0) return;
      view->shown.push_back({keep(path), keep(std::string(target, n)), false, false});
    } else if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)) {
      view->shown.push_back({keep(path), nullptr, S_ISDIR(st.st_mode), writable});
    }
  };
  for (const char* p :
       {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/ld.so.cache",
        "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/timezone",
        "/etc/alternatives", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
        "/etc/ssl/openssl.cnf", "/etc/ssl/certs"}) {
    show(p, false);
  }
  for (const char* p : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"}) {
    show(p, true);
  }
  for (auto [link, target] : {std::pair{"/dev/fd", "/proc/self/fd"},
                              {"/dev/stdin", "/proc/self/fd/0"},
                              {"/dev/stdout", "/proc/self/fd/1"},
                              {"/dev/stderr", "/proc/self/fd/2"}}) {
    view->shown.push_back({link, target, false, false});
  }
  return view;
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
  if (!p.mount) return 0;
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 2;
  int fds[NamespacePlan::kMaxKept];
  for (int i = 0; i < p.num_kept; ++i) {
    fds[i] = open(p.kept[i].path, O_PATH | O_CLOEXEC | (p.kept[i].is_dir ? O_DIRECTORY : 0));
    if (fds[i] < 0) return 3;
  }
  if (mount("tmpfs", kStage, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=4096,mode=0755") !=
      0) {
    return 4;
  }
  char dst[4096];
  for (int i = 0; i < p.num_shown; ++i) {
    const ShownPath& s = p.shown[i];
    if (!Staged(s.path, dst) || !MakeParents(dst, 0755)) return 5;
    if (s.link_target != nullptr) {
      if (symlink(s.link_target, dst) != 0) return 5;
    } else if (!MakeMountPoint(dst, s.is_dir, 0755) || !Bind(s.path, dst, s.is_dir, s.writable)) {
      return 6;
    }
  }
  for (const char* dir : {"/tmp", "/dev/shm"}) {
    if (!Staged(dir, dst) || !MakeMountPoint(dst, true, 0755)) return 7;
    if (mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, p.tmpfs_options) != 0) return 7;
  }
  for (int i = 0; i < p.num_kept; ++i) {
    const KeptPath& k = p.kept[i];
    char src[64];
    FdPath(fds[i], src);
    if (!Staged(k.path, dst) || !MakeMountPoint(dst, k.is_dir, 0111)) return 8;
    if (!Bind(src, dst, false, k.writable)) return 9;
    close(fds[i]);
  }
  if (!Staged("/proc", dst) || !MakeMountPoint(dst, true, 0755)) return 10;
  // A fresh /proc needs a pid namespace of our own; without one, the host's (toolchains read
  // /proc/self).
  if (p.pid ? mount("proc", dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0
            : mount("/proc", dst, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    return 10;
  }
  // The root itself read-only: nothing can be created outside /tmp, /dev/shm and the work dir.
  if (mount(nullptr, kStage, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
            nullptr) != 0) {
    return 11;
  }
  // pivot_root(".", "."): the old root ends up on top of the new one, and is detached at once.
  if (chdir(kStage) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 ||
      umount2(".", MNT_DETACH) != 0 || chdir("/") != 0) {
    return 12;
  }
  return 0;
}

ArgArea OwnArgArea() {
  char buf[4096];
  int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return {};
  buf[n] = '\0';
  const char* p = strrchr(buf, ')');  // the command name may hold spaces and parentheses
  if (p == nullptr) return {};
  // After ") ": field 3 (state) onwards; arg_start and arg_end are fields 48 and 49.
  p += 2;
  for (int field = 3; field < 48 && p != nullptr; ++field) {
    p = strchr(p, ' ');
    if (p != nullptr) ++p;
  }
  unsigned long long start = 0, end = 0;
  if (p == nullptr || sscanf(p, "%llu %llu", &start, &end) != 2 || end <= start) return {};
  return {reinterpret_cast<char*>(start), static_cast<size_t>(end - start)};
}

void HideCommandLine(const ArgArea& area) {
  static const char kName[] = "verdict-init";
  if (area.start == nullptr || area.size < sizeof kName) return;
  memset(area.start, 0, area.size);
  memcpy(area.start, kName, sizeof kName);
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
    for (auto [ok, why] :
         {std::pair{&s.pid, &s.pid_why}, {&s.net, &s.net_why}, {&s.mount, &s.mount_why}}) {
      *ok = false;
      *why = "needs a user namespace (not root)";
    }
  }
  if (!s.mount) return s;

  // The whole mount plan once, in a pid namespace as a run uses it: a writable kept directory,
  // a read-only root of its own where the toolchains are and the host's other files are not, a
  // private /tmp whose files do not appear outside, a fresh /proc.
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
  const std::unique_ptr<RootView> view = PlanRootView();
  NamespacePlan p;
  p.user = s.need_user;
  p.uid_map = uid_map.c_str();
  p.gid_map = gid_map.c_str();
  p.mount = true;
  p.shown = view->shown.data();
  p.num_shown = static_cast<int>(view->shown.size());
  p.tmpfs_options = tmpfs.c_str();
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
      while (waitpid(child, &st, 0) < 0 && errno == EINTR) {}
      return WIFEXITED(st) ? WEXITSTATUS(st) : 22;
    }
    if (int step = EnterNamespaces(p); step != 0) _exit(30 + step);
    int fd = open(inside.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) _exit(23);
    close(fd);
    fd = open("/tmp/verdict-probe-private", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) _exit(24);
    close(fd);
    if (open("/verdict-probe-ro", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) >= 0 || errno != EROFS) {
      _exit(25);
    }
    struct stat st;
    if (stat("/usr/bin", &st) != 0 || stat("/proc/self/fd", &st) != 0) _exit(26);
    _exit(0);
  });
  struct stat st;
  const bool leaked = stat("/tmp/verdict-probe-private", &st) == 0;
  unlink("/tmp/verdict-probe-private");
  unlink("/verdict-probe-ro");
  const bool wrote = stat(inside.c_str(), &st) == 0;
  unlink(inside.c_str());
  rmdir(dir.c_str());
  if (rc == 0 && !leaked && wrote) {
    s.read_only_root = true;
    return s;
  }
  s.mount = false;
  s.mount_why = absl::StrCat("mount plan failed (step ", rc, leaked ? ", /tmp not private" : "",
                             wrote ? "" : ", work dir not writable", ")");
  return s;
}

}  // namespace verdict::sandbox::internal
