#include "server/batch.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/convert.h"

namespace verdict {

bool InflightBudget::TryAcquire(int64_t n) {
  int64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (used + n > limit_) return false;
  } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_acq_rel));
  return true;
}

namespace {

// ScoreBatch of `request`; with `take_texts` (then `request` itself), its completion texts are
// moved out rather than copied. The results go to `response`, or with `wire` (then `response`
// is null) to its wire bytes.
void ScoreBatchImpl(const BatchContext& context, const v1::ScoreRequest& request,
                    v1::ScoreRequest* take_texts, std::shared_ptr<const Cancellation> cancel,
                    v1::ScoreResponse* response, std::string* wire,
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
  std::vector<Scorer::BatchGroup> batch(request.groups_size());
  std::vector<std::shared_ptr<const Group>> groups(batch.size());  // for the metrics
  for (size_t i = 0; i < batch.size(); ++i) {
    auto group = std::make_shared<Group>();
    const int g = static_cast<int>(i);
    batch[i].error = take_texts != nullptr
                         ? TakeGroupFromProto(take_texts->mutable_groups(g), *spec, group.get())
                         : GroupFromProto(request.groups(g), *spec, group.get());
    groups[i] = group;
    batch[i].group = std::move(group);
  }
  context.scorer->ScoreBatch(
      std::move(batch), cancel,
      [context, cancel, response, wire, samples, groups = std::move(groups),
       form = ResultFormOf(request),
       done = std::move(done)](std::vector<GroupResult> results) mutable {
        if (response != nullptr) {
          response->mutable_groups()->Reserve(static_cast<int>(results.size()));
        } else {
          wire->clear();
          // Room for a sample's result (100-200 bytes for math) and then some: one allocation.
          wire->reserve(static_cast<size_t>(samples) * 256 + results.size() * 64);
        }
        for (size_t i = 0; i < results.size(); ++i) {
          if (context.metrics != nullptr) {
            if (results[i].error.ok()) {
              context.metrics->RecordGroup(*groups[i], results[i]);
            } else {
              context.metrics->RecordGroupError(static_cast<int>(results[i].error.code()));
            }
          }
          if (response != nullptr) {
            GroupResultToProto(std::move(results[i]), response->add_groups(), form);
          } else {
            AppendGroupResultWire(std::move(results[i]), form, wire);
          }
        }
        context.budget->Release(samples);
        absl::Status live = cancel ? cancel->Check() : absl::OkStatus();
        std::move(done)(std::move(live));
      });
}

}  // namespace

void ScoreBatch(const BatchContext& context, const v1::ScoreRequest& request,
                std::shared_ptr<const Cancellation> cancel, v1::ScoreResponse* response,
                absl::AnyInvocable<void(absl::Status) &&> done) {
  ScoreBatchImpl(context, request, nullptr, std::move(cancel), response, nullptr, std::move(done));
}

void ScoreBatch(const BatchContext& context, v1::ScoreRequest* request,
                std::shared_ptr<const Cancellation> cancel, v1::ScoreResponse* response,
                absl::AnyInvocable<void(absl::Status) &&> done) {
  ScoreBatchImpl(context, *request, request, std::move(cancel), response, nullptr, std::move(done));
}

void ScoreBatchToWire(const BatchContext& context, v1::ScoreRequest* request,
                      std::shared_ptr<const Cancellation> cancel, std::string* wire,
                      absl::AnyInvocable<void(absl::Status) &&> done) {
  ScoreBatchImpl(context, *request, request, std::move(cancel), nullptr, wire, std::move(done));
}

}  // namespace verdict
