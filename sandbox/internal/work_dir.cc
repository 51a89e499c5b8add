#include "sandbox/internal/work_dir.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace verdict::sandbox::internal {

bool ProbeWorkDirTmpfs(const std::string& work_root) {
  std::string tmpl = work_root + "/probe-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return false;
  const bool ok = MountWorkDirTmpfs(tmpl, 1 << 20, 16, static_cast<int>(geteuid())).ok();
  if (ok) UnmountWorkDir(tmpl);
  rmdir(tmpl.c_str());
  return ok;
}

absl::Status MountWorkDirTmpfs(const std::string& path, int64_t bytes, int64_t files, int owner) {
  const std::string options = absl::StrCat("size=", std::max<int64_t>(bytes, 4096),
                                           ",nr_inodes=", std::max<int64_t>(files, 2),
                                           ",mode=0700,uid=", owner, ",gid=", owner);
  if (mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("mount tmpfs on ", path, ": errno ", errno));
  }
  return absl::OkStatus();
}

void UnmountWorkDir(const std::string& path) { umount2(path.c_str(), MNT_DETACH); }

bool WorkDirTmpfsFull(const std::string& path) {
  struct statfs fs;
  if (statfs(path.c_str(), &fs) != 0) return false;
  return fs.f_bavail == 0 || fs.f_ffree == 0;
}

WorkDirUsage MeasureWorkDir(const std::string& path) {
  WorkDirUsage usage;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    ++usage.files;
    std::error_code size_ec;
    if (it->symlink_status(size_ec).type() == std::filesystem::file_type::regular) {
      const auto size = it->file_size(size_ec);
      if (!size_ec) usage.bytes += static_cast<int64_t>(size);
    }
  }
  return usage;
}

}  // namespace verdict::sandbox::internal
