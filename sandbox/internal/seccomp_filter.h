// Builds the sandbox's seccomp filter as raw BPF (struct sock_filter array, native arch), so a
// forked child can load it with prctl() alone: no allocation between fork and exec.
#ifndef VERDICT_SANDBOX_INTERNAL_SECCOMP_FILTER_H_
#define VERDICT_SANDBOX_INTERNAL_SECCOMP_FILTER_H_

#include <string>

#include "absl/status/statusor.h"

namespace verdict::sandbox::internal {

// The filter program bytes (a multiple of sizeof(struct sock_filter)). The denied calls are
// listed in linux_runner.h step 7.
absl::StatusOr<std::string> BuildSeccompFilter();

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_SECCOMP_FILTER_H_
