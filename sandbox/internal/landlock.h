// Landlock for the Linux runner: without a mount namespace (a Kubernetes pod), the run's view of
// the host's files is restricted in the child instead: the toolchains' directories and /etc
// files read-only, a few device nodes, the work dir read-write, of /proc only the program's own
// directory and a few system-wide files, nothing else (no datasets, no home directories, no
// other process's /proc, no /tmp, /var/tmp, /dev/shm, /run). The ABI is detected at run time.
#ifndef VERDICT_SANDBOX_INTERNAL_LANDLOCK_H_
#define VERDICT_SANDBOX_INTERNAL_LANDLOCK_H_

#include <string>

#include "sandbox/internal/namespaces.h"

namespace verdict::sandbox::internal {

// The kernel's Landlock ABI version (1, 2, ...), or 0 with `why` set when there is none.
int ProbeLandlock(std::string* why);

// Child side (async-signal-safe): restricts this process and its descendants to `view`'s shown
// paths (read-only; device nodes read-write; links skipped: their targets are shown) and kept
// paths (the work dir read-write, others read-only), /proc/self and the system-wide /proc files
// runtimes read (read-only), with signals and abstract Unix sockets scoped to the run where the
// ABI has scopes (6+). Sets no_new_privs. Returns 0, or a non-zero step number with errno set.
int RestrictWithLandlock(const NamespacePlan& view, int abi);

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_LANDLOCK_H_
