// Per-slot cgroups for the Linux runner: a memory limit and a process limit for the whole run
// (every process it starts, page cache and tmpfs included), its peak memory and whether the
// kernel's OOM killer fired. cgroup v2 (memory + pids delegated to our cgroup) or v1 (the
// memory and pids hierarchies, as on hosts that still mount them).
//
// Layout: <our cgroup>/verdict-<pid>-<n>/s<slot> (n counts runners of the process), created at
// start, removed by the destructor or at process exit; directories left by a process killed
// earlier are removed when found.
//
// Thread safety: Prepare/Finish of one slot are called by the thread holding that slot only.
#ifndef VERDICT_SANDBOX_INTERNAL_CGROUP_H_
#define VERDICT_SANDBOX_INTERNAL_CGROUP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace verdict::sandbox::internal {

class CgroupSlots {
 public:
  // Creates one cgroup per slot and checks that a child can join it. Errors (kUnavailable) say
  // why cgroups cannot be used on this host: the caller reports the reason and runs without.
  static absl::StatusOr<std::unique_ptr<CgroupSlots>> Create(int num_slots);
  ~CgroupSlots();

  // "cgroup_v2(memory,pids)" or "cgroup_v1(memory,pids)".
  const std::string& description() const { return description_; }

  // Sets the slot's limits for the next run and resets its peak and OOM counters.
  void Prepare(int slot, int64_t memory_bytes, int64_t processes);
  // The files a child writes "0" into to join the slot (stable C strings, valid for the
  // lifetime of this object; at most 2).
  const std::vector<std::string>& ProcsFiles(int slot) const { return slots_[slot].procs; }

  struct Usage {
    int64_t peak_memory_bytes = -1;  // -1: not available
    bool oom_killed = false;         // the kernel killed a process of the run at the limit
  };
  // After every process of the run is gone.
  Usage Finish(int slot);

 private:
  struct Slot {
    std::string memory_dir, pids_dir;  // the same directory for v2
    std::vector<std::string> procs;
    int peak_fd = -1;  // v2: memory.peak opened and reset for this run
    int64_t oom_kills_before = 0;
  };
  CgroupSlots() = default;
  int64_t OomKills(const Slot& s) const;

  bool v2_ = false;
  std::string description_;
  std::vector<std::string> roots_;  // verdict-<pid> directories, removed last
  std::vector<Slot> slots_;
};

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_CGROUP_H_
