// Start-up probes of what the host allows (each runs in a short-lived forked child).
#ifndef VERDICT_SANDBOX_INTERNAL_HOST_PROBE_H_
#define VERDICT_SANDBOX_INTERNAL_HOST_PROBE_H_

#include <string>
#include <vector>

namespace verdict::sandbox::internal {

// True when a child can load `filter` (raw BPF) and a denied call then fails.
bool ProbeSeccomp(const std::string& filter);

// One line per optional layer this runner does not use, saying whether the host offers it:
// "user_namespace: available, not used", "cgroup_v2: not delegated (...)".
std::vector<std::string> ProbeUnusedLayers();

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_HOST_PROBE_H_
