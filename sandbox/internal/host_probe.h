// Start-up probes of what the host allows (each runs in a short-lived forked child).
#ifndef VERDICT_SANDBOX_INTERNAL_HOST_PROBE_H_
#define VERDICT_SANDBOX_INTERNAL_HOST_PROBE_H_

#include <string>

namespace verdict::sandbox::internal {

// True when a child can load `filter` (raw BPF) and a denied call then fails.
bool ProbeSeccomp(const std::string& filter);

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_HOST_PROBE_H_
