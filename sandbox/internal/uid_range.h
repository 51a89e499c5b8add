// Per-server uid ranges that cannot collide across processes on one host.
//
// Every Linux runner that drops to per-slot uids claims its range here: uids
// first + k * count ... first + k * count + count - 1 for the smallest k whose uids no other
// runner of any process on this host holds. A uid is held by an flock on `<dir>/<uid>` (dir
// created root-only, 0700), taken with LOCK_NB and kept while the UidRange lives; the kernel
// drops it when the process ends however it ends, so a crashed server frees its range. Locks
// are per uid, not per range, so runners with different `count`s never overlap either.
#ifndef VERDICT_SANDBOX_INTERNAL_UID_RANGE_H_
#define VERDICT_SANDBOX_INTERNAL_UID_RANGE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/internal/fd.h"

namespace verdict::sandbox::internal {

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
