// Runs a trusted harness and the candidate it tests as two sandboxed processes joined by two
// pipes, like an interactive judge: the candidate's stdin and stdout are the pipes (or its fds
// 3 and 4: PairOptions::candidate_channel_fds), the harness gets them as fds 3 (replies from the
// candidate) and 4 (requests to it), and the candidate's hello on fd 5.
//
// Both start at once. The candidate's first line ("started", after its interpreter's start-up)
// and second (its hello, once the solution is loaded) are read here: the load may take
// `hello_wait_ms` from the first, which excludes any wait for a sandbox slot. The hello is then
// passed to the harness, which times the test itself from there: the runs' own wall limits are
// only backstops. When the harness ends, the pipes close (a live candidate then reads the end
// of its input and exits) and the candidate is stopped. Pairs of one Runner are limited to
// half its slots (RunnerInfo::max_parallel_runs), so that pairs holding one slot while waiting
// for their second cannot take every slot.
//
// Errors (never a verdict): kCancelled when `cancel` fired; kFailedPrecondition for a runner
// with one slot; the runner's own errors. Thread-safe.
#ifndef VERDICT_VERIFIER_CODE_HARNESS_PAIR_H_
#define VERDICT_VERIFIER_CODE_HARNESS_PAIR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "sandbox/runner.h"

namespace verdict::code {

// The two programs of one pair (python_harness.h, js_harness.h): each is its run's main source
// file, beside the solution (candidate) or the test file (harness, where there is one); the
// harness reads `harness_stdin`.
struct PairPrograms {
  std::string candidate_source;
  std::string harness_source;
  std::string test_file;  // empty: none
  std::string harness_stdin;
};

struct PairOptions {
  // Most time the candidate may take from its first line to its hello (to load the solution),
  // ms. Default 5000.
  int64_t hello_wait_ms = 5000;
  // After the harness ended, how long the candidate may take to end by itself (it reads the
  // end of its input and exits, or it was dying already) before it is stopped, ms. Its own
  // status and usage are known only when it ends by itself. Default 500.
  int64_t candidate_grace_ms = 500;
  // The harness's ends of the channel (its fds 3 and 4) become non-blocking once the hello is
  // read, for a harness that cannot poll (node's synchronous fs): a read or write that would
  // block returns EAGAIN, so the harness's own timer can stop a wait for a stuck candidate.
  // Default false.
  bool harness_nonblocking = false;
  // The candidate's channel is its fds 3 (requests) and 4 (replies) instead of its stdin and
  // stdout, which stay a normal run's (empty stdin, captured stdout): for a candidate server
  // that cannot move its own descriptors (node has no dup2), so that a solution reading stdin
  // or printing does not touch the channel. Default false.
  bool candidate_channel_fds = false;
};

struct PairResult {
  // The harness ran (it got the hello, or ended by itself before); else `harness` is empty.
  bool harness_ran = false;
  // The candidate sent nothing within `hello_wait_ms` and was stopped.
  bool hello_timeout = false;
  // The candidate's run ended by itself (it exited, crashed or hit a limit); else it was
  // stopped by the pair and `candidate` is empty.
  bool candidate_ended = false;
  sandbox::RunResult candidate;
  sandbox::RunResult harness;
};

absl::StatusOr<PairResult> RunHarnessPair(sandbox::Runner& runner,
                                          const sandbox::RunRequest& candidate,
                                          const sandbox::RunRequest& harness,
                                          const PairOptions& options,
                                          const sandbox::CancelFlag* cancel);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_HARNESS_PAIR_H_
