#include "sandbox/runner.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace verdict::sandbox {

std::string_view RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kOk: return "ok";
    case RunStatus::kRuntimeError: return "runtime_error";
    case RunStatus::kSignaled: return "signaled";
    case RunStatus::kTimeLimit: return "time_limit";
    case RunStatus::kMemoryLimit: return "memory_limit";
    case RunStatus::kOutputLimit: return "output_limit";
  }
  return "unknown";
}

CancelFlag::CancelFlag() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

CancelFlag::~CancelFlag() {
  if (fd_ >= 0) close(fd_);
}

void CancelFlag::Cancel() {
  cancelled_.store(true, std::memory_order_release);
  if (fd_ >= 0) {
    uint64_t one = 1;
    (void)!write(fd_, &one, sizeof one);
  }
}

}  // namespace verdict::sandbox
