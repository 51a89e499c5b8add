#include "sandbox/internal/uid_range.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace verdict::sandbox::internal {

absl::StatusOr<UidRange> UidRange::Claim(const std::string& dir, int first, int count) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::InternalError(absl::StrCat("uid lock dir ", dir, ": errno ", errno));
  }
  UniqueFd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!dir_fd.ok() || fstat(dir_fd.get(), &st) != 0 || st.st_uid != geteuid() ||
      (st.st_mode & 022) != 0) {
    // Another user's (or a writable) dir could let someone else hold our uids' locks.
    return absl::InternalError(absl::StrCat("uid lock dir ", dir, " not ours or writable"));
  }
  constexpr int kNobody = 65534;
  for (int start = first; start + count <= kNobody; start += count) {
    UidRange range;
    range.first_ = start;
    for (int uid = start; uid < start + count; ++uid) {
      UniqueFd fd(openat(dir_fd.get(), std::to_string(uid).c_str(),
                         O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!fd.ok()) return absl::InternalError(absl::StrCat("uid lock ", uid, ": errno ", errno));
      if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) break;  // held elsewhere: the next range
      range.locks_.push_back(std::move(fd));
    }
    if (static_cast<int>(range.locks_.size()) == count) return range;
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("no free range of ", count, " uids from ", first, " below ", kNobody));
}

}  // namespace verdict::sandbox::internal
