#include "sandbox/fake_runner.h"

namespace verdict::sandbox {

void FakeRunner::AddRule(Matcher match, Responder respond) {
  absl::MutexLock lock(&mu_);
  rules_.emplace_back(std::move(match), std::move(respond));
}

void FakeRunner::SetDefault(Responder respond) {
  absl::MutexLock lock(&mu_);
  default_ = std::move(respond);
}

absl::StatusOr<RunResult> FakeRunner::Run(const RunRequest& request, const CancelFlag* cancel) {
  if (cancel != nullptr && cancel->cancelled()) return absl::CancelledError("run cancelled");
  Responder respond;
  {
    absl::MutexLock lock(&mu_);
    requests_.push_back(request);
    for (auto& [match, r] : rules_) {
      if (match(request)) {
        respond = r;
        break;
      }
    }
    if (!respond) respond = default_;
  }
  if (!respond) return RunResult{};
  return respond(request);
}

RunnerInfo FakeRunner::Info() const { return RunnerInfo{"fake", {"scripted"}, {}, true}; }

std::vector<RunRequest> FakeRunner::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

int FakeRunner::run_count() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(requests_.size());
}

}  // namespace verdict::sandbox
