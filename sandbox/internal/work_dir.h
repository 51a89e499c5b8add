// The size cap of a run's work dir (RunLimits::work_dir_bytes, work_dir_files).
//
// Where the runner may mount (root with CAP_SYS_ADMIN in its mount namespace; probed once), the
// work dir is a tmpfs of its own with that size and inode count: a program that fills it gets
// ENOSPC, and its pages count in the run's memory cgroup (tmpfs pages are charged to the
// writer). Elsewhere (an unprivileged runner, a pod without CAP_SYS_ADMIN) the cap is checked
// after the run: the disk holds what the program writes within its time limit, each file
// capped by RLIMIT_FSIZE, and the run is judged over the cap afterwards.
#ifndef VERDICT_SANDBOX_INTERNAL_WORK_DIR_H_
#define VERDICT_SANDBOX_INTERNAL_WORK_DIR_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace verdict::sandbox::internal {

// Whether a tmpfs can be mounted (and unmounted) in a fresh directory under `work_root`.
bool ProbeWorkDirTmpfs(const std::string& work_root);

// Mounts a tmpfs of `bytes` and `files` inodes (the root dir is one) on the empty dir `path`,
// mode 0700, owned by uid/gid `owner`. Unmount with UnmountWorkDir.
absl::Status MountWorkDirTmpfs(const std::string& path, int64_t bytes, int64_t files, int owner);

// Detaches the tmpfs at `path` (its memory is freed once nothing holds it).
void UnmountWorkDir(const std::string& path);

// A tmpfs work dir with less than a page or no inode left: a write failed on the cap.
bool WorkDirTmpfsFull(const std::string& path);

struct WorkDirUsage {
  int64_t bytes = 0;  // sizes of regular files, not following links
  int64_t files = 0;  // entries of every kind below `path`
};

// Walks the work dir after the run (no tmpfs: the check after the fact).
WorkDirUsage MeasureWorkDir(const std::string& path);

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_WORK_DIR_H_
