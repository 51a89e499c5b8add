// A scripted Runner for unit tests: each call is answered by the first rule whose matcher
// accepts the request, else by a default result. Records every request it saw. Thread-safe.
#ifndef VERDICT_SANDBOX_FAKE_RUNNER_H_
#define VERDICT_SANDBOX_FAKE_RUNNER_H_

#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sandbox/runner.h"

namespace verdict::sandbox {

class FakeRunner final : public Runner {
 public:
  using Matcher = std::function<bool(const RunRequest&)>;
  using Responder = std::function<absl::StatusOr<RunResult>(const RunRequest&)>;

  // Requests accepted by `match` are answered by `respond`, in the order rules were added.
  void AddRule(Matcher match, Responder respond);
  // Answer for requests no rule matches. Default: kOk with empty output.
  void SetDefault(Responder respond);

  absl::StatusOr<RunResult> Run(const RunRequest& request, const CancelFlag* cancel) override;
  RunnerInfo Info() const override;

  std::vector<RunRequest> requests() const;
  int run_count() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::pair<Matcher, Responder>> rules_ ABSL_GUARDED_BY(mu_);
  Responder default_ ABSL_GUARDED_BY(mu_);
  std::vector<RunRequest> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace verdict::sandbox

#endif  // VERDICT_SANDBOX_FAKE_RUNNER_H_
