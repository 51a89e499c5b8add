#include "sandbox/internal/uid_range.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace verdict::sandbox::internal {

namespace {

// Parses the number after `key` (e.g. "\nUid:\t") in `status`; -1 when it is not there.
long Field(const char* status, const char* key) {
  const char* p = strstr(status, key);
  if (p == nullptr) return -1;
  long v = 0;
  for (p += strlen(key); *p >= '0' && *p <= '9'; ++p) v = v * 10 + (*p - '0');
  return v;
}

// Whether the live process `pid` (a /proc entry's name) has its real uid in `uids` and, with
// `sessions`, its session in it. Zombies, processes gone and unreadable entries: false.
bool Matches(int proc_fd, const char* pid, const UidSet& uids, const PidSet* sessions) {
  char path[64] = {};
  size_t n = 0;
  while (pid[n] != '\0' && n < 32) {
    path[n] = pid[n];
    ++n;
  }
  memcpy(path + n, "/status", 8);
  const int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  const ssize_t got = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (got <= 0) return false;
  buf[got] = '\0';
  const char* state = strstr(buf, "\nState:\t");
  if (state == nullptr || state[8] == 'Z' || state[8] == 'X') return false;
  const long uid = Field(buf, "\nUid:\t"), sid = Field(buf, "\nNSsid:\t");
  return uid >= 0 && uids.Has(static_cast<uint32_t>(uid)) &&
         (sessions == nullptr || (sid >= 0 && sessions->Has(static_cast<uint32_t>(sid))));
}

// One scan of /proc: SIGKILL to each live process that matches; returns how many.
int KillOnce(const UidSet& uids, const PidSet* sessions) {
  const int proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (proc_fd < 0) return 0;
  int killed = 0;
  alignas(dirent64) char buf[16384];
  long n;
  while ((n = syscall(SYS_getdents64, proc_fd, buf, sizeof buf)) > 0) {
    for (long off = 0; off < n;) {
      const dirent64* d = reinterpret_cast<const dirent64*>(buf + off);
      off += d->d_reclen;
      if (d->d_name[0] < '1' || d->d_name[0] > '9') continue;
      if (!Matches(proc_fd, d->d_name, uids, sessions)) continue;
      pid_t pid = 0;
      for (const char* c = d->d_name; *c >= '0' && *c <= '9'; ++c) pid = pid * 10 + (*c - '0');
      if (kill(pid, SIGKILL) == 0) ++killed;
    }
  }
  close(proc_fd);
  return killed;
}

}  // namespace

int KillProcessesOfUids(const UidSet& uids, const PidSet* sessions) {
  int total = 0;
  for (int round = 0; round < 100; ++round) {
    const int killed = KillOnce(uids, sessions);
    if (killed == 0) break;
    total += killed;
    timespec ms{0, 1000000};  // let the killed ones die before the next scan
    nanosleep(&ms, nullptr);
  }
  return total;
}

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
    // Nothing still running as these uids is killed here: servers whose lock dirs differ (pods
    // with a read-only root keep theirs in an emptyDir) can hold the same uids, and a claim that
    // killed would end another server's runs.
    if (static_cast<int>(range.locks_.size()) == count) return range;
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("no free range of ", count, " uids from ", first, " below ", kNobody));
}

}  // namespace verdict::sandbox::internal
