// Builds the sandbox's seccomp filter as raw BPF (struct sock_filter array, native arch), so a
// forked child can load it with prctl() alone: no allocation between fork and exec.
#ifndef VERDICT_SANDBOX_INTERNAL_SECCOMP_FILTER_H_
#define VERDICT_SANDBOX_INTERNAL_SECCOMP_FILTER_H_

#include <string>

#include "absl/status/statusor.h"

namespace verdict::sandbox::internal {

// The filter program bytes (a multiple of sizeof(struct sock_filter)). The denied calls are
// listed in linux_runner.h step 7. With `unix_sockets`, socket() of AF_UNIX and socketpair()
// of every AF_UNIX type are allowed: only for a run in its own mount, net and pid namespaces,
// where no socket of the host can be named (its files are not in the run's root, abstract
// names are per net namespace, /proc shows only the run's processes).
absl::StatusOr<std::string> BuildSeccompFilter(bool unix_sockets);

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_SECCOMP_FILTER_H_
