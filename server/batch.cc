#include "server/batch.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/convert.h"

namespace verdict {
namespace {

struct BatchJob {
  BatchContext context;
  v1::ScoreResponse* response;
  std::shared_ptr<const Cancellation> cancel;
  absl::AnyInvocable<void(absl::Status) &&> done;
  std::vector<std::shared_ptr<Group>> groups;
  std::vector<GroupResult> results;
  int64_t samples = 0;
  std::atomic<size_t> remaining{0};

  void Finish() {
    std::vector<GroupResult*> batch;
    for (GroupResult& r : results) batch.push_back(&r);
    Scorer::FinishBatch(std::move(batch));
    response->mutable_groups()->Reserve(static_cast<int>(results.size()));
    for (size_t i = 0; i < results.size(); ++i) {
      if (context.metrics != nullptr) {
        if (results[i].error.ok()) {
          context.metrics->RecordGroup(*groups[i], results[i]);
        } else {
          context.metrics->RecordGroupError(static_cast<int>(results[i].error.code()));
        }
      }
      GroupResultToProto(std::move(results[i]), response->add_groups());
    }
    context.budget->Release(samples);
    absl::Status live = cancel ? cancel->Check() : absl::OkStatus();
    std::move(done)(std::move(live));
  }

  void DoneOne() {
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) Finish();
  }
};

}  // namespace

bool InflightBudget::TryAcquire(int64_t n) {
  int64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (used + n > limit_) return false;
  } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_acq_rel));
  return true;
}

void ScoreBatch(const BatchContext& context, const v1::ScoreRequest& request,
                std::shared_ptr<const Cancellation> cancel, v1::ScoreResponse* response,
                absl::AnyInvocable<void(absl::Status) &&> done) {
  absl::StatusOr<RewardSpec> spec = ResolveSpec(context.default_spec, request.spec());
  if (!spec.ok()) {
    std::move(done)(spec.status());
    return;
  }
  int64_t samples = 0;
  for (const v1::Group& g : request.groups()) samples += g.completions_size();
  if (!context.budget->TryAcquire(samples)) {
    const int64_t limit = context.budget->limit();
    std::move(done)(absl::ResourceExhaustedError(
        samples > limit
            ? absl::StrCat("request has ", samples, " completions; the server scores at most ",
                           limit, " at once: split the request")
            : absl::StrCat("server busy: ", context.budget->used(), " of ", limit,
                           " completions in flight; retry with backoff")));
    return;
  }
  auto job = std::make_shared<BatchJob>();
  job->context = context;
  job->response = response;
  job->cancel = std::move(cancel);
  job->done = std::move(done);
  job->samples = samples;
  const int n = request.groups_size();
  job->groups.resize(n);
  job->results.resize(n);  // slots, filled concurrently
  // One extra count held by this loop, so the batch cannot finish under it.
  job->remaining.store(n + 1, std::memory_order_relaxed);
  for (int i = 0; i < n; ++i) {
    const v1::Group& in = request.groups(i);
    job->groups[i] = std::make_shared<Group>();
    if (absl::Status s = GroupFromProto(in, *spec, job->groups[i].get()); !s.ok()) {
      job->results[i].group_id = in.id();
      job->results[i].error = std::move(s);
      job->DoneOne();
      continue;
    }
    // Once cancelled (client gone, deadline, shutdown grace over), the rest is not queued: a
    // large batch would otherwise hold the pool for each of its groups.
    if (job->cancel != nullptr) {
      if (absl::Status live = job->cancel->Check(); !live.ok()) {
        job->results[i].group_id = in.id();
        job->results[i].error = std::move(live);
        job->DoneOne();
        continue;
      }
    }
    context.scorer->ScoreAsync(job->groups[i], job->cancel, [job, i](GroupResult result) {
      job->results[i] = std::move(result);
      job->DoneOne();
    });
  }
  job->DoneOne();
}

}  // namespace verdict
