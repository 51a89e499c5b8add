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
#include <memory>

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

// The real uid and session of the live process `pid` (a /proc entry's name); false for
// zombies, processes gone and unreadable entries.
bool ReadStatus(int proc_fd, const char* pid, long* uid, long* sid) {
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
  *uid = Field(buf, "\nUid:\t");
  *sid = Field(buf, "\nNSsid:\t");
  return *uid >= 0;
}

// Calls `f(pid, uid, sid)` for each live process in /proc (one scan). Allocates nothing.
template <typename F>
void ForEachProcess(F f) {
  const int proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (proc_fd < 0) return;
  alignas(dirent64) char buf[16384];
  long n;
  while ((n = syscall(SYS_getdents64, proc_fd, buf, sizeof buf)) > 0) {
    for (long off = 0; off < n;) {
      const dirent64* d = reinterpret_cast<const dirent64*>(buf + off);
      off += d->d_reclen;
      if (d->d_name[0] < '1' || d->d_name[0] > '9') continue;
      long uid, sid;
      if (!ReadStatus(proc_fd, d->d_name, &uid, &sid)) continue;
      pid_t pid = 0;
      for (const char* c = d->d_name; *c >= '0' && *c <= '9'; ++c) pid = pid * 10 + (*c - '0');
      f(pid, uid, sid);
    }
  }
  close(proc_fd);
}

// One scan of /proc: SIGKILL to each live process that matches; returns how many.
int KillOnce(const UidSet& uids, const PidSet* sessions) {
  int killed = 0;
  ForEachProcess([&](pid_t pid, long uid, long sid) {
    if (!uids.Has(static_cast<uint32_t>(uid))) return;
    if (sessions != nullptr && (sid < 0 || !sessions->Has(static_cast<uint32_t>(sid)))) return;
    if (kill(pid, SIGKILL) == 0) ++killed;
  });
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
  // Uids a live process already runs as are another server's (one whose lock dir is not this
  // one, with its processes in sight: the same pid namespace) or a leftover: not claimed.
  auto in_use = std::make_unique<UidSet>();
  ForEachProcess([&](pid_t, long uid, long) { in_use->Add(static_cast<uint32_t>(uid)); });
  constexpr int kNobody = 65534;
  for (int start = first; start + count <= kNobody; start += count) {
    bool busy = false;
    for (int uid = start; uid < start + count && !busy; ++uid) busy = in_use->Has(uid);
    if (busy) continue;
    UidRange range;
    range.first_ = start;
    for (int uid = start; uid < start + count; ++uid) {
      UniqueFd fd(openat(dir_fd.get(), std::to_string(uid).c_str(),
                         O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!fd.ok()) return absl::InternalError(absl::StrCat("uid lock ", uid, ": errno ", errno));
      if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) break;  // held elsewhere: the next range
      range.locks_.push_back(std::move(fd));
    }
    // Nothing still running as these uids is killed here: servers whose lock dirs differ, with
    // processes out of each other's sight (pods without a shared hostPath), can hold the same
    // uids, and a claim that killed would end another server's runs.
    if (static_cast<int>(range.locks_.size()) == count) return range;
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("no free range of ", count, " uids from ", first, " below ", kNobody));
}

}  // namespace verdict::sandbox::internal
