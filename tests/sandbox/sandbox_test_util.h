// Shared helpers for black-box sandbox tests: one real runner per test binary, host-state probes.
#ifndef VERDICT_TESTS_SANDBOX_SANDBOX_TEST_UTIL_H_
#define VERDICT_TESTS_SANDBOX_SANDBOX_TEST_UTIL_H_

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sandbox/linux_runner.h"

namespace verdict::sandbox::testing {

inline constexpr int kFirstUid = 61000;
inline constexpr int kSlots = 16;

// One root per test binary (not per process), so repeated runs leave nothing new behind; per
// uid, so the unprivileged configuration does not meet root's.
inline std::string TestWorkRoot() {
  return absl::StrCat("/tmp/verdict-sandbox-test-", program_invocation_short_name,
                      geteuid() == 0 ? "" : absl::StrCat("-uid", geteuid()));
}

// A directory outside /tmp, /usr and the work root, readable by every uid, standing for the
// host's private files (datasets with expected outputs, home directories, sockets): a program
// must not reach what is in it. Created on first use, mode 0755.
inline std::string HostSecretDir() {
  static const std::string dir = [] {
    const char* name = program_invocation_short_name;
    std::string d = geteuid() == 0
                        ? absl::StrCat("/var/lib/verdict-test-secret-", name)
                        : absl::StrCat("/var/tmp/verdict-test-secret-", name, "-uid", geteuid());
    mkdir(d.c_str(), 0755);
    chmod(d.c_str(), 0755);
    return d;
  }();
  return dir;
}

// The first slot uid of a runner (RunnerInfo's "uid_drop(<first>+slot..."); -1 without one.
inline int FirstUidOf(const Runner& runner) {
  for (const std::string& l : runner.Info().active_layers) {
    if (l.rfind("uid_drop(", 0) == 0) return atoi(l.c_str() + 9);
  }
  return -1;
}

// The uid ranges of the runners this process made (SharedRunner, and those given to
// CountRunner or CountUids): CountSandboxProcesses counts only these, so that servers and other
// test binaries on the host, which hold other ranges, are never counted.
inline std::vector<std::pair<int, int>>& CountedRanges() {
  static auto* ranges = new std::vector<std::pair<int, int>>;
  return *ranges;
}
inline void CountUids(int first, int count) {
  const std::pair<int, int> range(first, count);
  auto& ranges = CountedRanges();
  if (first >= 0 && std::find(ranges.begin(), ranges.end(), range) == ranges.end()) {
    ranges.push_back(range);
  }
}
inline void CountRunner(const Runner& runner) {
  CountUids(FirstUidOf(runner), runner.Info().max_parallel_runs);
}

inline Runner& SharedRunner() {
  static Runner* runner = [] {
    LinuxRunnerOptions o;
    o.work_root = TestWorkRoot();
    o.first_uid = kFirstUid;
    o.max_parallel_runs = kSlots;
    auto r = CreateLinuxRunner(o);
    if (!r.ok()) {
      fprintf(stderr, "CreateLinuxRunner: %s\n", std::string(r.status().message()).c_str());
      // Not root and no user namespaces on this host: the unprivileged configuration cannot
      // contain a program, and the runner refuses it. ctest counts exit code 77 as skipped.
      if (geteuid() != 0 && r.status().code() == absl::StatusCode::kFailedPrecondition) exit(77);
      abort();
    }
    Runner* shared = r->release();
    CountRunner(*shared);
    return shared;
  }();
  return *runner;
}

// Whether the shared runner uses a containment layer (RunnerInfo::active_layers prefix).
inline bool Active(const std::string& layer) {
  for (const std::string& l : SharedRunner().Info().active_layers) {
    if (l.rfind(layer, 0) == 0) return true;
  }
  return false;
}

// Processes alive on the host whose real uid is a slot uid of a counted runner (CountedRanges).
inline int CountSandboxProcesses() {
  int count = 0;
  DIR* d = opendir("/proc");
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream status(absl::StrCat("/proc/", e->d_name, "/status"));
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Uid:", 0) == 0) {
        int uid = std::stoi(line.substr(4));
        for (const auto& [first, n] : CountedRanges()) {
          if (uid >= first && uid < first + n) ++count;
        }
        break;
      }
    }
  }
  closedir(d);
  return count;
}

// The children of this process (all its threads'), in ascending order.
inline std::vector<pid_t> ChildPids() {
  std::vector<pid_t> pids;
  DIR* d = opendir("/proc/self/task");
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream in(absl::StrCat("/proc/self/task/", e->d_name, "/children"));
    pid_t pid;
    while (in >> pid) pids.push_back(pid);
  }
  closedir(d);
  std::sort(pids.begin(), pids.end());
  return pids;
}

inline int CountOpenFds() {
  int count = 0;
  DIR* d = opendir("/proc/self/fd");
  while (readdir(d) != nullptr) ++count;
  closedir(d);
  return count;
}

// Mounts visible to this process: a run's mount namespace must not leak any.
inline int CountMounts() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  int count = 0;
  while (std::getline(in, line)) ++count;
  return count;
}

// Resident memory of this process, bytes.
inline int64_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

inline int CountEntries(const std::string& dir) {
  int count = 0;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return -1;
  while (dirent* e = readdir(d)) {
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") ++count;
  }
  closedir(d);
  return count;
}

inline RunRequest Python(std::string code, RunLimits limits = {}) {
  RunRequest r;
  r.argv = {"/usr/bin/python3", "-S", "-B", "main.py"};
  r.files.push_back({"main.py", std::move(code), false});
  r.limits = limits;
  return r;
}

inline RunRequest Shell(std::string script, RunLimits limits = {}) {
  RunRequest r;
  r.argv = {"/bin/sh", "-c", std::move(script)};
  r.limits = limits;
  return r;
}

}  // namespace verdict::sandbox::testing

#endif  // VERDICT_TESTS_SANDBOX_SANDBOX_TEST_UTIL_H_
