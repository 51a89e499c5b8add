// How many cores this process may use: the fewest of the machine's cores, the CPU affinity
// mask, and the cgroup's CPU quota (v2 cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us),
// rounded up. A Kubernetes pod with `limits.cpu: 8` on a 64-core node gets 8, not 64.
#ifndef VERDICT_SERVER_CORES_H_
#define VERDICT_SERVER_CORES_H_

#include <optional>
#include <string_view>

namespace verdict {

// At least 1. Reads /proc/self/cgroup and /sys/fs/cgroup; never fails (a file it cannot read
// sets no limit).
int UsableCores();

// The cores a CPU quota allows: ceil(quota / period) from cgroup v2's cpu.max ("max 100000" is
// no limit) or v1's two numbers (quota -1 is no limit); nullopt when there is no limit or the
// text is malformed. Pure; exposed for tests.
std::optional<int> CoresFromCpuMax(std::string_view cpu_max);
std::optional<int> CoresFromCfs(std::string_view quota_us, std::string_view period_us);

}  // namespace verdict

#endif  // VERDICT_SERVER_CORES_H_
