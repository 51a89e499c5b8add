// Namespaces for the Linux runner: what the host allows (probed once at start) and the
// child-side setup of a run's namespaces (async-signal-safe: it runs between fork and exec).
//
// A run with namespaces: the spawned child unshares new pid/net/mount (and, when the runner is
// not root, user) namespaces and forks an init process into them; init sets up the mount
// namespace, mounts a fresh /proc, forks the program (pid 2) and reports its wait status. When
// init exits, the kernel kills whatever is left in the pid namespace.
#ifndef VERDICT_SANDBOX_INTERNAL_NAMESPACES_H_
#define VERDICT_SANDBOX_INTERNAL_NAMESPACES_H_

#include <string>
#include <vector>

namespace verdict::sandbox::internal {

// What the probes found; each `*_why` says why a namespace is not usable ("" when it is).
struct NamespaceSupport {
  bool user = false, pid = false, net = false, mount = false;
  std::string user_why, pid_why, net_why, mount_why;
  // The mount namespace can be made read-only recursively (mount_setattr, Linux >= 5.12).
  bool read_only_root = false;
  // Namespaces other than user need a user namespace (the runner is not root).
  bool need_user = false;
};

// Probes each namespace in a short-lived child (as root: unshare(flag); otherwise
// unshare(CLONE_NEWUSER | flag)), then the whole mount plan in one child.
NamespaceSupport ProbeNamespaces();

// A directory or file that stays visible in the run's mount namespace at the same path,
// although it lies under a private tmpfs (/tmp, /dev/shm): the work dir (writable) and paths
// the command line names (read-only, e.g. a cached binary).
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
  bool read_only_root = false;
  const char* tmpfs_options = nullptr;  // "size=...,nr_inodes=...,mode=1777"
  const char* private_dirs[2] = {nullptr, nullptr};
  int num_private_dirs = 0;
  static constexpr int kMaxKept = 8;
  KeptPath kept[kMaxKept] = {};
  int num_kept = 0;
  bool pid = false;  // the caller is pid 1 of a new pid namespace: mount a fresh /proc
};

// The private tmpfs directories of this host ("/tmp", "/dev/shm" where they exist).
std::vector<std::string> PrivateDirs();

// Child side, in the new namespaces: maps the user namespace, builds the mount namespace (all
// mounts read-only and nosuid, a private tmpfs on each private dir, kept paths bound back, the
// work dir writable) and mounts /proc. Returns 0, or a non-zero step number with errno set.
int EnterNamespaces(const NamespacePlan& plan);

// Drops every capability for good (bounding set, effective/permitted/inheritable, ambient):
// the program runs as root of its user namespace and must not keep its capabilities.
bool DropAllCapabilities();

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_NAMESPACES_H_
