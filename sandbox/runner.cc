#include "sandbox/runner.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace verdict::sandbox {

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
