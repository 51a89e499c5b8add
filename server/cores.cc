#include "server/cores.h"

#include <sched.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/strings.h"

namespace verdict {
namespace {

std::string ReadSmallFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::optional<int> Quota(int64_t quota, int64_t period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  return static_cast<int>(std::max<int64_t>(1, (quota + period - 1) / period));
}

// The cgroup path of this process for a v2 hierarchy ("0::/path") or a v1 controller list
// containing `controller`.
std::string CgroupPath(const std::string& self_cgroup, std::string_view controller) {
  for (absl::string_view line : absl::StrSplit(self_cgroup, '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (f.size() != 3) continue;
    if (controller.empty() ? f[0] == "0" && f[1].empty()
                           : absl::c_linear_search(absl::StrSplit(f[1], ','), ToAbsl(controller))) {
      return std::string(f[2]);
    }
  }
  return "";
}

}  // namespace

std::optional<int> CoresFromCpuMax(std::string_view cpu_max) {
  std::vector<absl::string_view> f =
      absl::StrSplit(absl::StripAsciiWhitespace(ToAbsl(cpu_max)), ' ', absl::SkipEmpty());
  int64_t quota = 0, period = 0;
  if (f.size() != 2 || f[0] == "max" || !absl::SimpleAtoi(f[0], &quota) ||
      !absl::SimpleAtoi(f[1], &period)) {
    return std::nullopt;
  }
  return Quota(quota, period);
}

std::optional<int> CoresFromCfs(std::string_view quota_us, std::string_view period_us) {
  int64_t quota = 0, period = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(ToAbsl(quota_us)), &quota) ||
      !absl::SimpleAtoi(absl::StripAsciiWhitespace(ToAbsl(period_us)), &period)) {
    return std::nullopt;
  }
  return Quota(quota, period);
}

int UsableCores() {
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) cores = std::min(cores, CPU_COUNT(&set));
  const std::string self = ReadSmallFile("/proc/self/cgroup");
  std::optional<int> quota;
  if (std::string v2 = CgroupPath(self, ""); !v2.empty() || self.rfind("0::", 0) == 0) {
    quota = CoresFromCpuMax(ReadSmallFile("/sys/fs/cgroup" + v2 + "/cpu.max"));
    if (!quota) quota = CoresFromCpuMax(ReadSmallFile("/sys/fs/cgroup/cpu.max"));
  }
  if (!quota) {
    std::string v1 = CgroupPath(self, "cpu");
    for (const std::string& dir : {"/sys/fs/cgroup/cpu" + v1, std::string("/sys/fs/cgroup/cpu"),
                                   "/sys/fs/cgroup/cpu,cpuacct" + v1}) {
      quota = CoresFromCfs(ReadSmallFile(dir + "/cpu.cfs_quota_us"),
                           ReadSmallFile(dir + "/cpu.cfs_period_us"));
      if (quota) break;
    }
  }
  if (quota) cores = std::min(cores, *quota);
  return std::max(1, cores);
}

}  // namespace verdict
