// Per-server uid ranges that cannot collide across processes on one host.
//
// Every Linux runner that drops to per-slot uids claims its range here: uids
// first + k * count ... first + k * count + count - 1 for the smallest k whose uids no other
// runner of any process on this host holds and no live process in sight runs as (a server
// with another lock dir in the same pid namespace, a leftover of a dead one). A uid is held by an
// flock on `<dir>/<uid>` (dir created root-only, 0700), taken with LOCK_NB and kept while the
// UidRange lives; the kernel drops it when the process ends however it ends, so a crashed server
// frees its range. Locks are per uid, not per range, so runners with different `count`s never
// overlap either.
//
// Processes of a run that outlive their server: without a pid namespace, what a program forks
// does not get the parent-death signal. When the server dies its launcher kills every process
// of the uids it ran programs as in sessions it started (UidSet, KillProcessesOfUids); should
// the launcher die with it, the launcher's reaper does (launcher.h). A claim never kills:
// servers whose lock dirs differ can hold the same uids, and a claim that killed would end
// another server's runs.
#ifndef VERDICT_SANDBOX_INTERNAL_UID_RANGE_H_
#define VERDICT_SANDBOX_INTERNAL_UID_RANGE_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/internal/fd.h"

namespace verdict::sandbox::internal {

// A set of ids below `kLimit`, one bit each. No allocation: the launcher holds two.
template <uint32_t kLimitValue>
class IdSet {
 public:
  static constexpr uint32_t kLimit = kLimitValue;
  void Add(uint32_t id) {
    if (id < kLimit) bits_[id / 64] |= uint64_t{1} << (id % 64);
  }
  bool Has(uint32_t id) const { return id < kLimit && (bits_[id / 64] >> (id % 64)) & 1; }

 private:
  uint64_t bits_[kLimit / 64] = {};
};
using UidSet = IdSet<65536>;    // uids below nobody's
using PidSet = IdSet<4194304>;  // every pid (PID_MAX_LIMIT on 64-bit)

// Sends SIGKILL to every live process (zombies aside) whose real uid is in `uids` and, when
// `sessions` is given, whose session is in it, scanning /proc again until a scan finds none (a
// fork may race a scan; at most 100 scans). Uid and session from /proc/<pid>/status: a
// process that made itself non-dumpable owns no /proc entry of its own. Async-signal-safe (no
// allocation); returns the number of signals sent.
int KillProcessesOfUids(const UidSet& uids, const PidSet* sessions);

class UidRange {
 public:
  // Errors: kInternal when `dir` cannot be created or opened; kResourceExhausted when every
  // range up to uid 65533 is taken (65534 is nobody; uids above it are left alone too).
  static absl::StatusOr<UidRange> Claim(const std::string& dir, int first, int count);

  int first() const { return first_; }

 private:
  int first_ = 0;
  std::vector<UniqueFd> locks_;
};

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_UID_RANGE_H_
