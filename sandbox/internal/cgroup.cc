#include "sandbox/internal/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "sandbox/internal/fd.h"

namespace verdict::sandbox::internal {
namespace {

bool WriteFile(const std::string& path, absl::string_view value) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  return fd.ok() && WriteAll(fd.get(), std::string_view(value.data(), value.size()));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of `key` in a "key value" per line file (memory.events, memory.oom_control).
int64_t KeyedValue(const std::string& text, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> kv = absl::StrSplit(line, ' ');
    int64_t v = 0;
    if (kv.size() == 2 && kv[0] == key && absl::SimpleAtoi(kv[1], &v)) return v;
  }
  return 0;
}

struct Mount {
  std::string root, point;
};

// Mount point of the cgroup2 hierarchy (`controller` empty) or of the v1 hierarchy holding
// `controller`; empty point when there is none.
Mount FindMount(absl::string_view controller) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // id parent major:minor root point options [optional...] - fstype source superoptions
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    size_t dash = 0;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (f.size() < 5 || dash + 3 >= f.size()) continue;
    const std::string& type = f[dash + 1];
    const bool v1_match = type == "cgroup" && absl::StrContains(absl::StrCat(",", f[dash + 3], ","),
                                                                absl::StrCat(",", controller, ","));
    if (controller.empty() ? type == "cgroup2" : v1_match) {
      return {f[3], f[4]};
    }
  }
  return {};
}

// Our own cgroup inside the hierarchy of `controller` ("" = v2), from /proc/self/cgroup.
std::string OwnPath(absl::string_view controller) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (f.size() != 3) continue;
    bool match = controller.empty() ? f[0] == "0" && f[1].empty()
                                    : absl::StrContains(absl::StrCat(",", f[1], ","),
                                                        absl::StrCat(",", controller, ","));
    if (match) return f[2];
  }
  return "";
}

// Absolute directory of our cgroup in a hierarchy, "" when not mounted.
std::string OwnDir(absl::string_view controller) {
  Mount m = FindMount(controller);
  if (m.point.empty()) return "";
  std::string path = OwnPath(controller);
  // Without a cgroup namespace a container sees host paths but mounts only its subtree.
  if (m.root != "/" && absl::StartsWith(path, m.root)) path = path.substr(m.root.size());
  if (path == "/") path.clear();
  return m.point + path;
}

// Removes verdict-<pid> directories of processes that no longer exist (best effort).
void RemoveStale(const std::string& parent) {
  DIR* d = opendir(parent.c_str());
  if (d == nullptr) return;
  std::vector<std::string> stale;
  while (dirent* e = readdir(d)) {
    int pid = 0;
    absl::string_view name = e->d_name;
    if (!absl::StartsWith(name, "verdict-")) continue;
    name.remove_prefix(8);
    name = name.substr(0, name.find('-'));  // verdict-<pid>-<n>
    if (absl::SimpleAtoi(name, &pid) && pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) {
      stale.push_back(parent + "/" + e->d_name);
    }
  }
  closedir(d);
  for (const std::string& dir : stale) {
    if (DIR* sd = opendir(dir.c_str())) {
      std::vector<std::string> subs;
      while (dirent* e = readdir(sd)) {
        if (e->d_name[0] == 's') subs.push_back(dir + "/" + e->d_name);
      }
      closedir(sd);
      for (const std::string& s : subs) rmdir(s.c_str());
    }
    rmdir(dir.c_str());
  }
}

// Cgroup directories to remove when the process exits, also when a runner is never destroyed
// (runners usually live as long as the process). rmdir only removes empty cgroups.
absl::Mutex exit_mu;
std::vector<std::string>* exit_dirs = nullptr;  // children before parents

void RemoveAtExit() {
  absl::MutexLock lock(&exit_mu);
  for (auto it = exit_dirs->rbegin(); it != exit_dirs->rend(); ++it) rmdir(it->c_str());
}

void RemoveAtExit(const std::string& dir) {
  absl::MutexLock lock(&exit_mu);
  if (exit_dirs == nullptr) {
    exit_dirs = new std::vector<std::string>();
    atexit(+[] { RemoveAtExit(); });
  }
  exit_dirs->push_back(dir);
}

}  // namespace

absl::StatusOr<std::unique_ptr<CgroupSlots>> CgroupSlots::Create(int num_slots) {
  std::unique_ptr<CgroupSlots> c(new CgroupSlots());
  std::string v2 = OwnDir("");
  std::string mem_parent, pids_parent;
  std::string why;
  if (!v2.empty() && absl::StrContains(ReadFile(v2 + "/cgroup.controllers"), "memory") &&
      absl::StrContains(ReadFile(v2 + "/cgroup.controllers"), "pids")) {
    c->v2_ = true;
    mem_parent = pids_parent = v2;
  } else {
    mem_parent = OwnDir("memory");
    pids_parent = OwnDir("pids");
    if (mem_parent.empty() || pids_parent.empty()) {
      return absl::UnavailableError(
          v2.empty() ? "no cgroup2 hierarchy and no v1 memory+pids hierarchies mounted"
                     : "cgroup2 lacks the memory/pids controllers and no v1 hierarchies hold them");
    }
  }
  // One directory per runner: two runners of one process must not share slots.
  static std::atomic<int> counter{0};
  const std::string leaf = absl::StrCat("/verdict-", getpid(), "-", counter.fetch_add(1));
  for (const std::string& parent : c->v2_ ? std::vector<std::string>{mem_parent}
                                          : std::vector<std::string>{mem_parent, pids_parent}) {
    RemoveStale(parent);
    if (mkdir((parent + leaf).c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::UnavailableError(
          absl::StrCat("cannot create ", parent + leaf, " (", strerror(errno), "): not delegated"));
    }
    c->roots_.push_back(parent + leaf);
    RemoveAtExit(parent + leaf);
  }
  if (c->v2_ && !WriteFile(mem_parent + leaf + "/cgroup.subtree_control", "+memory +pids")) {
    return absl::UnavailableError(absl::StrCat("cannot enable memory,pids in ", mem_parent + leaf,
                                               "/cgroup.subtree_control (", strerror(errno), ")"));
  }
  c->description_ = c->v2_ ? "cgroup_v2(memory,pids)" : "cgroup_v1(memory,pids)";
  c->slots_.resize(num_slots);
  for (int i = 0; i < num_slots; ++i) {
    Slot& s = c->slots_[i];
    s.memory_dir = absl::StrCat(mem_parent, leaf, "/s", i);
    s.pids_dir = absl::StrCat(pids_parent, leaf, "/s", i);
    for (const std::string& dir : c->v2_ ? std::vector<std::string>{s.memory_dir}
                                         : std::vector<std::string>{s.memory_dir, s.pids_dir}) {
      if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return absl::UnavailableError(absl::StrCat("cannot create ", dir, ": ", strerror(errno)));
      }
      s.procs.push_back(dir + "/cgroup.procs");
      RemoveAtExit(dir);
    }
  }
  // A child joins slot 0 under limits, then exits: the runner's children can use them.
  c->Prepare(0, int64_t{64} << 20, 8);
  pid_t pid = fork();
  if (pid < 0) return absl::UnavailableError("fork failed");
  if (pid == 0) {
    for (const std::string& p : c->slots_[0].procs) {
      int fd = open(p.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write(fd, "0", 1) != 1) _exit(1);
      close(fd);
    }
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  c->Finish(0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::UnavailableError(absl::StrCat("a child cannot join ", c->slots_[0].procs[0]));
  }
  return c;
}

CgroupSlots::~CgroupSlots() {
  for (Slot& s : slots_) {
    if (s.peak_fd >= 0) close(s.peak_fd);
    rmdir(s.memory_dir.c_str());
    if (s.pids_dir != s.memory_dir) rmdir(s.pids_dir.c_str());
  }
  for (const std::string& r : roots_) rmdir(r.c_str());
}

int64_t CgroupSlots::OomKills(const Slot& s) const {
  return KeyedValue(ReadFile(s.memory_dir + (v2_ ? "/memory.events" : "/memory.oom_control")),
                    "oom_kill");
}

void CgroupSlots::Prepare(int slot, int64_t memory_bytes, int64_t processes) {
  Slot& s = slots_[slot];
  const std::string mem = std::to_string(memory_bytes);
  if (v2_) {
    WriteFile(s.memory_dir + "/memory.max", mem);
    WriteFile(s.memory_dir + "/memory.swap.max", "0");
    // Since Linux 6.12 a write resets the peak as seen through this descriptor.
    if (s.peak_fd >= 0) close(s.peak_fd);
    s.peak_fd = open((s.memory_dir + "/memory.peak").c_str(), O_RDWR | O_CLOEXEC);
    if (s.peak_fd >= 0 && !WriteAll(s.peak_fd, "0")) {
      close(s.peak_fd);
      s.peak_fd = -1;
    }
  } else {
    WriteFile(s.memory_dir + "/memory.limit_in_bytes", mem);
    WriteFile(s.memory_dir + "/memory.max_usage_in_bytes", "0");
  }
  WriteFile(s.pids_dir + "/pids.max", std::to_string(processes));
  s.oom_kills_before = OomKills(s);
}

CgroupSlots::Usage CgroupSlots::Finish(int slot) {
  Slot& s = slots_[slot];
  Usage u;
  std::string peak;
  if (v2_) {
    if (s.peak_fd >= 0) {
      char buf[32];
      ssize_t n = pread(s.peak_fd, buf, sizeof buf - 1, 0);
      if (n > 0) peak.assign(buf, n);
      close(s.peak_fd);
      s.peak_fd = -1;
    }
  } else {
    peak = ReadFile(s.memory_dir + "/memory.max_usage_in_bytes");
  }
  int64_t v = 0;
  if (absl::SimpleAtoi(absl::StripAsciiWhitespace(peak), &v)) u.peak_memory_bytes = v;
  u.oom_killed = OomKills(s) > s.oom_kills_before;
  return u;
}

}  // namespace verdict::sandbox::internal
