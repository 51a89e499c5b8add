#include "verifier/code/harness_pair.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
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
    absl::MutexLock lock(&mu_, absl::Condition(this, &PairGate::HasRoom));
    ++in_use_;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    --in_use_;
  }

 private:
  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_use_ < capacity_; }

  absl::Mutex mu_;
  int in_use_ ABSL_GUARDED_BY(mu_) = 0;
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
  static auto* gates ABSL_PT_GUARDED_BY(mu) =
      new absl::flat_hash_map<std::pair<const sandbox::Runner*, int>, std::unique_ptr<PairGate>>;
  absl::MutexLock lock(&mu);
  std::unique_ptr<PairGate>& g = (*gates)[{&runner, slots}];
  if (g == nullptr) g = std::make_unique<PairGate>(slots == 0 ? 1 << 20 : slots / 2);
  return g.get();
}

// Waits until one of `fds` is readable, `timeout_ms` passed (-1: none) or `cancel` fired.
// Returns the index of a readable fd, -1 on timeout, -2 on cancel.
int WaitAny(std::initializer_list<int> fds, int64_t timeout_ms, const sandbox::CancelFlag* cancel) {
  pollfd p[4];
  int n = 0;
  for (int fd : fds) p[n++] = {fd, POLLIN, 0};
  const int cancel_i = n;
  if (cancel != nullptr && cancel->fd() >= 0) p[n++] = {cancel->fd(), POLLIN, 0};
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    if (cancel != nullptr && cancel->cancelled()) return -2;
    const int64_t elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count();
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

// Whether an eventfd or pipe is readable now.
bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

// Reads `fd` (blocking: the harness shares its file description) into `buf` until it holds a
// full line, `timeout_ms` passed (-1: none), `cancel` fired or `stop1` or `stop2` is readable.
// Returns 1 for a line, 0 at the end of the pipe, -1 on timeout, -2 on cancel, -3 on a stop.
int ReadLine(int fd, std::string* buf, int64_t timeout_ms, int stop1, int stop2,
             const sandbox::CancelFlag* cancel) {
  constexpr size_t kMaxLine = 16 << 20;
  const auto start = std::chrono::steady_clock::now();
  while (buf->find('\n') == std::string::npos) {
    if (buf->size() > kMaxLine) return 1;  // passed on truncated: the harness rejects it
    int64_t left = -1;
    if (timeout_ms >= 0) {
      left = timeout_ms - std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
      if (left <= 0) return -1;
    }
    const int woke = WaitAny({fd, stop1, stop2}, left, cancel);
    if (woke < 0) return woke;
    if (woke > 0) return -3;
    char chunk[65536];
    const ssize_t got = read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return 0;
    buf->append(chunk, got);
  }
  return 1;
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

  // to_candidate: harness -> candidate (requests); to_harness: candidate -> harness (replies,
  // the first two lines of which, "started" and the hello, the judge reads); hello: judge ->
  // harness.
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  Fd req_r(p[0]), req_w(p[1]);
  if (pipe2(p, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  Fd rep_r(p[0]), rep_w(p[1]);
  if (pipe2(p, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  Fd hello_r(p[0]), hello_w(p[1]);
  Fd c_done(eventfd(0, EFD_CLOEXEC)), h_done(eventfd(0, EFD_CLOEXEC));
  if (c_done.get() < 0 || h_done.get() < 0) return absl::InternalError("eventfd failed");

  // Each run in a thread of its own; its ends of the pipes close as soon as it is over, so that
  // the other side reads the end of the channel instead of waiting for what cannot come.
  RunRequest c = candidate;
  if (options.candidate_channel_fds) {
    c.extra_fds = {req_r.get(), rep_w.get()};
  } else {
    c.stdin_fd = req_r.get();
    c.stdout_fd = rep_w.get();
  }
  sandbox::CancelFlag stop_candidate, stop_harness;
  absl::StatusOr<RunResult> c_result = absl::InternalError("candidate not run");
  std::thread candidate_thread([&] {
    c_result = runner.Run(c, &stop_candidate);
    req_r.reset();
    rep_w.reset();
    uint64_t one = 1;
    (void)!write(c_done.get(), &one, sizeof one);
  });
  RunRequest h = harness;
  h.extra_fds = {rep_r.get(), req_w.get(), hello_r.get()};
  absl::StatusOr<RunResult> h_result = absl::InternalError("harness not run");
  std::thread harness_thread([&] {
    h_result = runner.Run(h, &stop_harness);
    uint64_t one = 1;
    (void)!write(h_done.get(), &one, sizeof one);
  });
  auto stop_all_and_join = [&] {
    stop_candidate.Cancel();
    stop_harness.Cancel();
    candidate_thread.join();
    harness_thread.join();
  };

  // The candidate's load time counts from its "started" line (its slot wait and interpreter
  // start-up do not count), to its hello.
  PairResult out;
  std::string buf;
  int r = ReadLine(rep_r.get(), &buf, -1, c_done.get(), h_done.get(), cancel);
  if (r == 1) {
    buf.erase(0, buf.find('\n') + 1);
    r = ReadLine(rep_r.get(), &buf, options.hello_wait_ms, c_done.get(), h_done.get(), cancel);
  }
  if (r == 1) {
    if (options.harness_nonblocking) {
      for (int fd : {rep_r.get(), req_w.get()}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    const size_t nl = buf.find('\n');
    buf.resize(nl == std::string::npos ? buf.size() : nl);
    buf.push_back('\n');
    // The hello may be more than a pipe holds: written as the harness reads, until it ends.
    // Our own copy of the read end stays open, so a harness that died means no SIGPIPE.
    fcntl(hello_w.get(), F_SETFL, O_NONBLOCK);
    for (std::string_view rest = buf; !rest.empty();) {
      const ssize_t w = write(hello_w.get(), rest.data(), rest.size());
      if (w > 0) {
        rest.remove_prefix(w);
        continue;
      }
      if (w < 0 && errno != EAGAIN && errno != EINTR) break;
      pollfd pf[2] = {{hello_w.get(), POLLOUT, 0}, {h_done.get(), POLLIN, 0}};
      if (poll(pf, 2, 100) > 0 && (pf[1].revents & POLLIN)) break;
      if (cancel != nullptr && cancel->cancelled()) break;
    }
    hello_w.reset();
    // Until the harness ends (its own timers bound a stuck candidate) or a cancel.
    if (WaitAny({h_done.get()}, -1, cancel) == -2) {
      stop_all_and_join();
      return absl::CancelledError("run cancelled");
    }
  } else if (r == -2) {
    stop_all_and_join();
    return absl::CancelledError("run cancelled");
  } else if (r == -1) {
    out.hello_timeout = true;
  }
  // A harness that ended before its hello (it could not start, or hit its backstop) says why.
  // A candidate that ended first explains the failure better.
  const bool harness_ran = r == 1 || (r == -3 && !Readable(c_done.get()) && Readable(h_done.get()));
  hello_w.reset();
  if (!harness_ran) {
    // Its run may not have handed rep_r and req_w to the sandbox yet (it may still wait for a
    // slot): closed now, their numbers could be reused by another thread's file before the
    // runner passes them on (a run given a stranger's descriptor, or a send that fails with
    // EBADF). They close only once its Run has returned.
    stop_harness.Cancel();
    harness_thread.join();
  }
  // A live candidate now reads the end of its input and exits.
  req_w.reset();
  rep_r.reset();
  if (!out.hello_timeout) WaitAny({c_done.get()}, options.candidate_grace_ms, nullptr);
  stop_candidate.Cancel();
  candidate_thread.join();
  if (harness_thread.joinable()) harness_thread.join();
  if (harness_ran) {
    if (!h_result.ok()) return h_result.status();
    out.harness_ran = true;
    out.harness = *std::move(h_result);
  } else if (!h_result.ok() && h_result.status().code() != absl::StatusCode::kCancelled) {
    return h_result.status();
  }
  if (!c_result.ok() && c_result.status().code() != absl::StatusCode::kCancelled) {
    return c_result.status();
  }
  out.candidate_ended = c_result.ok();
  if (c_result.ok()) out.candidate = *std::move(c_result);
  return out;
}

}  // namespace verdict::code
