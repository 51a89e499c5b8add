#include "verifier/code/harness_pair.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace verdict::code {
namespace {

using sandbox::RunRequest;
using sandbox::RunResult;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Pairs in flight on one runner, at most half its slots.
class PairGate {
 public:
  explicit PairGate(int capacity) : capacity_(capacity) {}
  void Acquire() {
    absl::MutexLock lock(&mu_, absl::Condition(
                                   +[](PairGate* g) { return g->in_use_ < g->capacity_; }, this));
    ++in_use_;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    --in_use_;
  }

 private:
  absl::Mutex mu_;
  int in_use_ = 0;
  const int capacity_;
};

// One gate per (runner, slot count); never freed (a handful per process).
absl::StatusOr<PairGate*> GateFor(sandbox::Runner& runner) {
  const int slots = runner.Info().max_parallel_runs;
  if (slots == 1) {
    return absl::FailedPreconditionError(
        "a harness pair needs two sandbox slots; the runner has one");
  }
  static absl::Mutex mu;
  static auto* gates =
      new absl::flat_hash_map<std::pair<const sandbox::Runner*, int>, std::unique_ptr<PairGate>>;
  absl::MutexLock lock(&mu);
  std::unique_ptr<PairGate>& g = (*gates)[{&runner, slots}];
  if (g == nullptr) g = std::make_unique<PairGate>(slots == 0 ? 1 << 20 : slots / 2);
  return g.get();
}

// Waits until one of `fds` is readable, `timeout_ms` passed (-1: none) or `cancel` fired.
// Returns the index of a readable fd, -1 on timeout, -2 on cancel.
int WaitAny(std::initializer_list<int> fds, int64_t timeout_ms,
            const sandbox::CancelFlag* cancel) {
  pollfd p[4];
  int n = 0;
  for (int fd : fds) p[n++] = {fd, POLLIN, 0};
  const int cancel_i = n;
  if (cancel != nullptr && cancel->fd() >= 0) p[n++] = {cancel->fd(), POLLIN, 0};
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    if (cancel != nullptr && cancel->cancelled()) return -2;
    const int64_t elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start).count();
    int64_t left = timeout_ms < 0 ? 1 << 30 : timeout_ms - elapsed;
    if (left <= 0) return -1;
    // Without an eventfd the cancel flag is polled.
    if (cancel != nullptr && cancel->fd() < 0) left = std::min<int64_t>(left, 10);
    int r = poll(p, n, static_cast<int>(std::min<int64_t>(left, 1 << 30)));
    if (r < 0 && errno != EINTR) return -1;
    // POLLIN only: a pipe whose writer closed (POLLHUP alone) holds no hello.
    for (int i = 0; r > 0 && i < cancel_i; ++i) {
      if (p[i].revents & POLLIN) return i;
    }
  }
}

}  // namespace

absl::StatusOr<PairResult> RunHarnessPair(sandbox::Runner& runner, const RunRequest& candidate,
                                          const RunRequest& harness, const PairOptions& options,
                                          const sandbox::CancelFlag* cancel) {
  absl::StatusOr<PairGate*> gate = GateFor(runner);
  if (!gate.ok()) return gate.status();
  (*gate)->Acquire();
  struct Release {
    PairGate* g;
    ~Release() { g->Release(); }
  } release{*gate};

  // to_candidate: harness -> candidate (requests); to_harness: candidate -> harness (replies).
  int to_candidate[2], to_harness[2];
  if (pipe2(to_candidate, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  Fd req_r(to_candidate[0]), req_w(to_candidate[1]);
  if (pipe2(to_harness, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  Fd rep_r(to_harness[0]), rep_w(to_harness[1]);
  Fd done(eventfd(0, EFD_CLOEXEC));
  if (done.get() < 0) return absl::InternalError("eventfd failed");

  RunRequest c = candidate;
  c.stdin_fd = req_r.get();
  c.stdout_fd = rep_w.get();
  sandbox::CancelFlag stop_candidate;
  absl::StatusOr<RunResult> c_result = absl::InternalError("candidate not run");
  // The candidate's ends are closed as soon as its run is over, so that the harness reads the
  // end of the channel instead of waiting for a reply that cannot come.
  std::thread candidate_thread([&] {
    c_result = runner.Run(c, &stop_candidate);
    req_r.reset();
    rep_w.reset();
    uint64_t one = 1;
    (void)!write(done.get(), &one, sizeof one);
  });
  auto finish = [&] { candidate_thread.join(); };

  PairResult out;
  const int woke = WaitAny({rep_r.get(), done.get()}, options.hello_wait_ms, cancel);
  if (woke != 0) {
    stop_candidate.Cancel();
    finish();
    if (woke == -2) return absl::CancelledError("run cancelled");
    if (!c_result.ok() && c_result.status().code() != absl::StatusCode::kCancelled) {
      return c_result.status();
    }
    out.hello_timeout = woke == -1;
    out.candidate_ended = c_result.ok();
    if (c_result.ok()) out.candidate = *std::move(c_result);
    return out;
  }

  RunRequest h = harness;
  h.extra_fds = {rep_r.get(), req_w.get()};
  absl::StatusOr<RunResult> h_result = runner.Run(h, cancel);
  // A live candidate now reads the end of its input and exits.
  req_w.reset();
  rep_r.reset();
  WaitAny({done.get()}, options.candidate_grace_ms, nullptr);
  stop_candidate.Cancel();
  finish();
  if (!h_result.ok()) return h_result.status();
  if (!c_result.ok() && c_result.status().code() != absl::StatusCode::kCancelled) {
    return c_result.status();
  }
  out.harness_ran = true;
  out.harness = *std::move(h_result);
  out.candidate_ended = c_result.ok();
  if (c_result.ok()) out.candidate = *std::move(c_result);
  return out;
}

}  // namespace verdict::code
