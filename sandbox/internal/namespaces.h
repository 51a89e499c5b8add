// Namespaces for the Linux runner: what the host allows (probed once at start) and the
// child-side setup of a run's namespaces (async-signal-safe: it runs between fork and exec).
//
// A run with namespaces: the spawned child unshares new pid/net/mount (and, when the runner is
// not root, user) namespaces and forks an init process into them; init builds the mount
// namespace (a root of its own, with a fresh /proc), forks the program (pid 2) and reports its
// wait status. When init exits, the kernel kills whatever is left in the pid namespace.
#ifndef VERDICT_SANDBOX_INTERNAL_NAMESPACES_H_
#define VERDICT_SANDBOX_INTERNAL_NAMESPACES_H_

#include <memory>
#include <string>
#include <vector>

namespace verdict::sandbox::internal {

// What the probes found; each `*_why` says why a namespace is not usable ("" when it is).
struct NamespaceSupport {
  bool user = false, pid = false, net = false, mount = false;
  std::string user_why, pid_why, net_why, mount_why;
  // The run's own root can be built (tmpfs, bind mounts, pivot_root): true whenever `mount` is.
  bool read_only_root = false;
  // Namespaces other than user need a user namespace (the runner is not root).
  bool need_user = false;
};

// A host path shown in the run's own root at the same path: a toolchain directory or an /etc
// file (read-only), a device node (/dev/null: writable), or a symbolic link made anew with the
// same target (/bin -> usr/bin, /dev/stdin -> /proc/self/fd/0).
struct ShownPath {
  const char* path;
  const char* link_target;  // non-null: a symbolic link, not a bind mount
  bool is_dir;
  bool writable;
};

// What every run of a runner sees of the host, planned once: the ShownPaths that exist here.
struct RootView {
  std::vector<ShownPath> shown;
  std::vector<std::unique_ptr<std::string>> strings;  // owns what `shown` points to
};

// The toolchains' directories (/usr, /bin, /sbin, /lib*: symbolic links kept as links), the
// /etc files they read (ld.so.cache, localtime, alternatives, passwd, group, nsswitch.conf,
// ssl/openssl.cnf and ssl/certs), /dev/{null,zero,full,random,urandom} and the /dev/{fd,stdin,
// stdout,stderr} links. Nothing else of the host: not /root, /home, /work, /srv, /mnt, /var,
// /run, /sys, other runs' dirs.
std::unique_ptr<RootView> PlanRootView();

// Probes each namespace in a short-lived child (as root: unshare(flag); otherwise
// unshare(CLONE_NEWUSER | flag)), then the whole mount plan in one child.
NamespaceSupport ProbeNamespaces();

// A directory or file that stays visible in the run's own root at the same path: the work dir
// (writable) and paths the command line names outside the shown ones (read-only, e.g. a cached
// binary).
struct KeptPath {
  const char* path;
  bool is_dir;
  bool writable;
};

// Everything the child needs, prepared by the parent (the child must not allocate).
struct NamespacePlan {
  int clone_flags = 0;  // CLONE_NEW* for unshare(); 0: no namespaces
  bool user = false;
  const char* uid_map = nullptr;  // "0 <uid> 1"
  const char* gid_map = nullptr;
  bool mount = false;
  const ShownPath* shown = nullptr;  // the RootView's paths
  int num_shown = 0;
  // Private /tmp and /dev/shm: "size=...,nr_inodes=...,mode=1777".
  const char* tmpfs_options = nullptr;
  static constexpr int kMaxKept = 8;
  KeptPath kept[kMaxKept] = {};
  int num_kept = 0;
  bool pid = false;  // the caller is pid 1 of a new pid namespace: mount a fresh /proc
};

// The private tmpfs directories of the run's root: "/tmp" and "/dev/shm".
std::vector<std::string> PrivateDirs();

// Child side, in the new namespaces: maps the user namespace; with a mount namespace, builds the
// run's own root on a tmpfs over /tmp (the shown paths, bound read-only; a private tmpfs on /tmp
// and /dev/shm; the kept paths bound back; /proc: a fresh one with a pid namespace, else the
// host's), makes it read-only and pivot_root()s into it, the old root detached. Returns 0, or a
// non-zero step number with errno set.
int EnterNamespaces(const NamespacePlan& plan);

// Where a process's command line lies in its memory (what /proc/<pid>/cmdline shows).
struct ArgArea {
  char* start = nullptr;
  size_t size = 0;
};

// This process's (from /proc/self/stat); empty when unreadable.
ArgArea OwnArgArea();

// Child side, in init (pid 1 of the run's pid namespace, a forked copy of the server): writes
// "verdict-init" over its copy of the server's command line, which the program would otherwise
// read in /proc/1/cmdline (flags, paths of datasets).
void HideCommandLine(const ArgArea& area);

// Drops every capability for good (bounding set, effective/permitted/inheritable, ambient):
// the program runs as root of its user namespace and must not keep its capabilities.
bool DropAllCapabilities();

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_NAMESPACES_H_
