// The Linux Runner. Every run's child is forked by the launcher (internal/launcher.h), a small
// process forked from the server at start-up (StartSandboxLauncher), as the server's own child
// (CLONE_PARENT): a spawn costs the same whatever the server's size, and the server waits for
// the run, reads its rusage and kills its group as before. The containment steps, one per
// mechanism, are numbered in the order they are applied: 1 and 8 are the runner's, before and
// during the run; 2-7 run in the child between its fork and its execve, as async-signal-safe
// system calls, in this order (with the descriptors and the work dir set between 4 and 5, and
// the address-space part of 5 after 6); a failed step comes back as an error naming it.
//
//  1. Private work dir: a fresh directory `<work_root>/r<N>-<slot>`, mode 0700, owned by the
//     run's uid, inside `work_root` (mode 0711: no listing). Removed (recursively, without
//     following links) after the run, whatever happened. Its size cap (`work_dir_bytes`,
//     `work_dir_files`): where the runner may mount (root with CAP_SYS_ADMIN, probed once) the
//     dir is a tmpfs of that size and inode count (ENOSPC past it; its pages count in the run's
//     memory cgroup); elsewhere (unprivileged, a pod without CAP_SYS_ADMIN) it is measured after
//     the run, so the disk holds what the program writes within its time limit (each file
//     capped by RLIMIT_FSIZE). Over the cap is kOutputLimit ("work dir ...").
//  2. Session and process group: the child calls setsid(), so it leads a fresh session and
//     process group with no controlling terminal (no /dev/tty, no TIOCSTI into the terminal of
//     whoever runs the server); at the end the whole group gets SIGKILL and every member is
//     reaped (the runner process is a child subreaper, so orphans come back). setsid/setpgid
//     are denied by seccomp, so no descendant can leave the group. Should the server die
//     mid-run, the program gets SIGKILL (parent-death signal), init of a pid namespace too
//     (which ends the namespace); without one, what the program forked is killed by uid and
//     session by the launcher as the server dies (internal/uid_range.h). Not covered: the
//     launcher killed with the server (SIGKILL to both), and a runner without per-slot uids
//     and without a pid namespace (not root, a mount namespace alone: not seen on the hosts we
//     know).
//  3. cgroup, where the host allows it (use_cgroups): one per slot, v2 or v1, with the run's
//     memory (`memory_bytes`, for all its processes together, page cache and tmpfs included)
//     and process count (`processes`) limits; its peak memory is the run's
//     `peak_memory_bytes`, and an OOM kill there is kMemoryLimit.
//  4. Namespaces, where the host allows them (probed once at start; LinuxRunnerOptions::
//     use_namespaces): the child unshares new pid, net and mount namespaces and forks the
//     run's init process into them (as the runner's own child, CLONE_PARENT), plus a user
//     namespace when the runner is not root (as root the per-slot uid of step 6 does that job
//     and the program keeps no capabilities). Mount namespace: a root
//     of its own, built on a tmpfs and entered with pivot_root (the host's root detached), made
//     read-only and nosuid. It holds the toolchains' directories bound read-only (/usr, /bin,
//     /sbin, /lib*; /etc's ld.so.cache, localtime, alternatives, passwd, group, nsswitch.conf,
//     ssl/openssl.cnf, ssl/certs), /dev/{null,zero,full,random,urandom} and the /dev/{fd,stdin,
//     stdout,stderr} links, a private tmpfs on /tmp and /dev/shm (size `file_bytes`), the work
//     dir bound writable at its own path, paths the command line names outside those (a cached
//     binary) bound read-only, and a fresh /proc showing only the run's processes (the host's
//     without a pid namespace). Nothing else of the host: not /root, /home, /work (datasets),
//     /var, /run (the server's sockets), /sys, other runs' dirs. Net namespace: only a loopback
//     device that is down. Pid namespace: init (pid 1) writes "verdict-init" over its copy of
//     the server's command line (/proc/1/cmdline), forks the program and reports its wait
//     status; when init exits the kernel kills the rest.
//     Without a mount namespace (the Kubernetes configuration), Landlock restricts the view
//     where the kernel has it (use_landlock; the ABI is probed at start): the same shown paths
//     read-only, the device nodes, the work dir read-write, the command line's paths read-only,
//     of the host's /proc only the child's own /proc/<pid> (the program's /proc/self after the
//     exec; not its children's) and /proc/{cpuinfo,meminfo,stat,loadavg,uptime,version}
//     read-only; nothing else, so not other processes' /proc (the server's command line), /tmp,
//     /var/tmp, /dev/shm (POSIX semaphores fail with EACCES), /run, datasets or home
//     directories. With ABI 6+ signals and abstract sockets are scoped to the run too. Without
//     Landlock, /tmp, /var/tmp, /dev/shm and /run/lock stay writable during the run, and what
//     the slot uid left at the top of those is removed after the run (umask 077 keeps it
//     private while it lasts); with Landlock there is nothing to remove, and no scan is made.
//  5. rlimits: CPU (seconds, rounded up; SIGXCPU then SIGKILL), address space, stack, file size,
//     open files, processes, no core files. The address space is `memory_bytes`, or, where a
//     memory cgroup (step 3) limits what the run uses, `memory_bytes` + `processes` x the stack
//     size: glibc reserves a stack of RLIMIT_STACK per thread, and against `memory_bytes` alone
//     a program could start only ~7 threads (without a cgroup that remains so). The
//     address-space limit is set after step 6, just before step 7 (see ChildSetup in
//     internal/launcher.cc).
//  6. Unprivileged uid: when the runner has CAP_SETUID, the child drops to a uid of its own
//     slot (`first_uid + slot`, gid the same, no supplementary groups). The range is claimed
//     at creation with per-uid flocks under `uid_lock_dir`, so no other runner on the host, in
//     this process or another, uses the same uids (taken: the next range). Per-run uids make
//     RLIMIT_NPROC a per-run limit, make other runs' work dirs unreadable, and (only when seccomp
//     is off, so setsid() could leave the group) let a final sweep of /proc kill and reap every
//     process of that uid.
//  7. seccomp (libseccomp, built once, loaded with no_new_privs): denies socket() of every
//     family, AF_UNIX included (no network; no Unix socket of the host, by path or abstract),
//     and socketpair() but AF_UNIX stream/seqpacket (a datagram pair could sendto() host
//     sockets); where the run has its own mount, net and pid namespaces, AF_UNIX socket() and
//     every AF_UNIX socketpair() are allowed (multiprocessing.Manager): no host socket file is
//     in its root (the work dir, private /tmp and /dev/shm, read-only toolchains), abstract
//     names are per net namespace, its /proc has no host process's root to reach through; io_uring
//     (it would make those calls out of the filter's sight), memfd_secret, the TIOCSTI and
//     TIOCLINUX ioctls, ptrace, mount/umount/pivot_root, kernel modules, bpf, kexec, reboot, swap,
//     perf_event_open, keyctl, userfaultfd, process_vm_*, setsid/setpgid, unshare/setns,
//     namespace-creating clone flags, clock/time setting; clone3 returns ENOSYS (glibc falls back
//     to clone, whose flags can be checked). Everything else is allowed.
//  8. Limits watched by the runner: wall clock (poll on a pidfd), CPU time of the main process
//     to the millisecond (/proc/<pid>/stat every 20 ms once half the CPU budget has elapsed;
//     RLIMIT_CPU only counts whole seconds), stdout size (read concurrently with stderr,
//     capped), cancellation (eventfd of the CancelFlag).
// RunnerInfo lists the steps in use and, for the others, why not ("pid_namespace: disabled by
// configuration"). Steps 1, 2 and 5-8 contain a program alone (the Kubernetes case: no
// namespaces, no cgroups); 3 and 4 are a second wall.
//
// Thread safety: Run may be called from many threads; each run takes one uid slot, so at most
// `max_parallel_runs` run at once (others wait); the launcher clones one child at a time.
#ifndef VERDICT_SANDBOX_LINUX_RUNNER_H_
#define VERDICT_SANDBOX_LINUX_RUNNER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "sandbox/runner.h"

namespace verdict::sandbox {

struct LinuxRunnerOptions {
  // Parent of all work dirs; created if missing. Default "/tmp/verdict-sandbox".
  std::string work_root = "/tmp/verdict-sandbox";
  // First uid/gid of the per-run uid range; slot i runs as first_uid + i. When another runner
  // on this host (in any process) holds one of those uids, or a live process in sight runs as
  // one, the next range of `max_parallel_runs` uids is taken instead (see `uid_lock_dir`);
  // RunnerInfo names the range used. Default 61000.
  int first_uid = 61000;
  // Where runners that drop to per-slot uids hold them: an flock on `<dir>/<uid>` per uid for
  // the runner's lifetime, so two servers on one host (Kubernetes pods of one node share uids)
  // never run programs as the same uid. Created root-only (0700). Servers coordinate only
  // through the same directory: containers sharing a kernel (pods of one node: RLIMIT_NPROC
  // counts per uid kernel-wide) must share it: the shipped manifests mount the node's
  // /run/verdict-uids (hostPath) there. Default empty: "/run/verdict-uids", or where /run
  // cannot be written (a read-only root filesystem without that mount) "verdict-uids" beside
  // `work_root`, which RunnerInfo then names as not shared with other containers.
  std::string uid_lock_dir;
  // Number of uid slots = most runs at once. Default 64.
  int max_parallel_runs = 64;
  // Drop to the slot uid when running as root. Default true.
  bool drop_privileges = true;
  // Apply the seccomp filter. Default true (false only for tests of the other layers).
  bool use_seccomp = true;
  // Use user/pid/net/mount namespaces where the host allows them. Default true.
  bool use_namespaces = true;
  // Without a mount namespace, restrict the program's view of the host's files with Landlock
  // where the kernel has it (step 4). Default true.
  bool use_landlock = true;
  // Limit each run's memory and processes with a cgroup where the host allows it. Default true.
  // The environment variable VERDICT_SANDBOX_NO_NAMESPACES=1 (or "true") turns this and
  // `use_namespaces` off in every runner of the process, for hosts such as Kubernetes pods
  // where they are not wanted (`verdict serve --sandbox-no-namespaces` sets it).
  bool use_cgroups = true;
  // Refuse to create a runner when rlimits, process-group kill, seccomp or the private work
  // dir are missing (the work dir is private when the program gets a uid of its own, as root,
  // or a mount namespace, through a user namespace when not root). Default true.
  bool require_minimum_layers = true;
};

// Forks the sandbox launcher now: the small process that forks every run's child (see
// internal/launcher.h), so that a spawn costs the same whatever the server's size. Call it first
// in main(), before threads, gRPC and large allocations: the launcher is a copy of the process
// as it is then. Without the call, the first CreateLinuxRunner forks it (RunnerInfo says
// which). One launcher per process; it exits when the process does. Error: socketpair or fork
// failed.
absl::Status StartSandboxLauncher();

// Detects what the host allows and builds the seccomp filter. Errors: kFailedPrecondition when
// minimum layers are missing and required; kInternal when the work root cannot be created.
absl::StatusOr<std::unique_ptr<Runner>> CreateLinuxRunner(const LinuxRunnerOptions& options);

}  // namespace verdict::sandbox

#endif  // VERDICT_SANDBOX_LINUX_RUNNER_H_
