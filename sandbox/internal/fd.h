// Small owning file-descriptor helpers for the sandbox's .cc files.
#ifndef VERDICT_SANDBOX_INTERNAL_FD_H_
#define VERDICT_SANDBOX_INTERNAL_FD_H_

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <string_view>

namespace verdict::sandbox::internal {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

inline bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(n);
  }
  return true;
}

inline bool MakePipe(UniqueFd* r, UniqueFd* w) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  r->reset(fds[0]);
  w->reset(fds[1]);
  return true;
}

}  // namespace verdict::sandbox::internal

#endif  // VERDICT_SANDBOX_INTERNAL_FD_H_
