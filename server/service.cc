#include "server/service.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <stop_token>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/arena.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/proto_buffer_writer.h"
#include "rewards/advantages.h"
#include "server/convert.h"
#include "server/log.h"

namespace verdict {
namespace {

// The one place where absl::Status becomes grpc::Status (the codes share their numbers).
grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

template <typename Message>
absl::Status Parse(const grpc::ByteBuffer& bytes, Message* message) {
  grpc::ByteBuffer copy(bytes);  // Deserialize consumes its buffer; the copy shares the slices
  if (grpc::SerializationTraits<Message>::Deserialize(&copy, message).ok()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "the message is not a valid ", Message::descriptor()->full_name(),
      " (a field of the wrong wire type, a truncated message, or a string that is not UTF-8)"));
}

// The call's outcome for metrics and the reply: gRPC cancels a call whose deadline passed the
// same way as one the client cancelled, so the deadline tells the two apart.
absl::Status Outcome(const absl::Status& s, std::chrono::system_clock::time_point deadline) {
  if (absl::IsCancelled(s) && deadline != std::chrono::system_clock::time_point::max() &&
      absl::Now() + absl::Milliseconds(5) >= absl::FromChrono(deadline)) {
    return absl::DeadlineExceededError("the call's deadline passed before it was scored");
  }
  return s;
}

// The code a finished call is counted under: what was sent, unless the call was cancelled (by
// the client, its deadline or the transport) before or while that was sent, which the client
// sees as CANCELLED or DEADLINE_EXCEEDED. A stream is counted in OnDone, which gRPC runs after
// OnCancel: a client's cancel can end its reads (as a half-close would) before OnCancel comes.
int RecordedCode(grpc::StatusCode sent, bool cancelled,
                 std::chrono::system_clock::time_point deadline) {
  if (cancelled && (sent == grpc::StatusCode::OK || sent == grpc::StatusCode::CANCELLED)) {
    return static_cast<int>(Outcome(absl::CancelledError(""), deadline).code());
  }
  return static_cast<int>(sent);
}

// The call's cancellation: stopped by OnCancel through `stop`, bounded by the call's deadline.
std::shared_ptr<const Cancellation> CancellationFor(const grpc::CallbackServerContext* context,
                                                    const std::stop_source& stop) {
  auto c = std::make_shared<Cancellation>();
  c->stop = stop.get_token();
  auto deadline = context->deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    c->deadline = absl::FromChrono(deadline);
  }
  return c;
}

google::protobuf::ArenaOptions ArenaOptionsForBatch() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 64 << 10;
  options.max_block_size = 1 << 20;
  return options;
}

// Hands `*wire` (a response's bytes) to `out` without a copy: the slice owns the string.
absl::Status TakeWire(std::string* wire, grpc::ByteBuffer* out) {
  if (wire->size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the message is ", wire->size(), " bytes; a message holds at most 2 GiB"));
  }
  auto* owned = new std::string(std::move(*wire));
  grpc::Slice slice(
      owned->data(), owned->size(), [](void* s) { delete static_cast<std::string*>(s); }, owned);
  *out = grpc::ByteBuffer(&slice, 1);
  return absl::OkStatus();
}

// Unary Score: ScoreBatchToWire does the work; this reactor only maps its status onto the call and
// the call's cancellation onto the batch. Owned by gRPC from creation until OnDone.
class ScoreCall final : public grpc::ServerUnaryReactor {
 public:
  ScoreCall(RewardServiceImpl* service, grpc::CallbackServerContext* context,
            const grpc::ByteBuffer* request, grpc::ByteBuffer* response)
      : service_(service),
        cancel_(CancellationFor(context, stop_)),
        deadline_(context->deadline()),
        out_(response),
        start_(absl::Now()) {
    service_->inflight_calls().fetch_add(1);
    if (absl::Status parsed = Parse(*request, request_); !parsed.ok()) {
      Done(parsed);
      return;
    }
    ScoreBatchToWire(service_->batch_context(), request_, cancel_, &wire_,
                     [this](absl::Status s) { Done(std::move(s)); });
  }

  void OnCancel() override {
    cancelled_.store(true);
    stop_.request_stop();
  }
  void OnDone() override { delete this; }

 private:
  void Done(absl::Status s) {
    s = Outcome(s, deadline_);
    if (s.ok()) s = TakeWire(&wire_, out_);
    // Counted now, not in OnDone, so a client that reads /metrics after its reply sees it.
    const int code =
        RecordedCode(static_cast<grpc::StatusCode>(s.code()), cancelled_.load(), deadline_);
    service_->metrics().RecordCall("Score", code, absl::ToDoubleSeconds(absl::Now() - start_));
    service_->inflight_calls().fetch_sub(1);
    Finish(ToGrpc(s));  // the last thing done: OnDone may delete `this` after it
  }

  RewardServiceImpl* const service_;
  std::stop_source stop_;  // requested by OnCancel; declared before cancel_, which takes a token
  const std::shared_ptr<const Cancellation> cancel_;
  const std::chrono::system_clock::time_point deadline_;
  grpc::ByteBuffer* const out_;
  const absl::Time start_;
  std::atomic<bool> cancelled_{false};
  // The request lives in an arena: a batch is ~10 allocations per sample otherwise, and freeing
  // them one by one was the largest service-only cost (#16).
  google::protobuf::Arena arena_{ArenaOptionsForBatch()};
  v1::ScoreRequest* const request_ =
      google::protobuf::Arena::CreateMessage<v1::ScoreRequest>(&arena_);
  std::string wire_;  // the response's bytes, written without a message (ScoreBatchToWire)
};

// Bidirectional ScoreStream. Reads a group, starts scoring it, and reads the next while fewer
// than `stream_window_groups` are in flight; results are written as they finish, one write at a
// time. Ends when the client half-closes and every group has been answered.
//
// Concurrency: gRPC reactions and pool callbacks decide what to do next under `mu_` (Decide) and
// act after releasing it, so no gRPC operation is started while holding the lock.
class ScoreStreamCall final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  ScoreStreamCall(RewardServiceImpl* service, grpc::CallbackServerContext* context)
      : service_(service),
        cancel_(CancellationFor(context, stop_)),
        deadline_(context->deadline()),
        stream_spec_(service->options().default_spec),
        start_(absl::Now()) {
    service_->inflight_calls().fetch_add(1);
    {
      absl::MutexLock lock(&mu_);
      read_pending_ = true;
    }
    StartRead(&read_buffer_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Actions actions;
      {
        absl::MutexLock lock(&mu_);
        read_pending_ = false;
        reads_done_ = true;
        actions = Decide();
      }
      Act(actions);
      return;
    }
    HandleRequest();
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      read_pending_ = false;
      actions = Decide();
    }
    Act(actions);
  }

  void OnWriteDone(bool ok) override {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) broken_ = true;  // the client went away: drop what is left to write
      actions = Decide();
    }
    Act(actions);
  }

  void OnCancel() override {
    cancelled_.store(true);
    stop_.request_stop();
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      broken_ = true;
      actions = Decide();
    }
    Act(actions);
  }

  void OnDone() override {
    service_->metrics().RecordCall("ScoreStream", RecordedCode(sent_, cancelled_.load(), deadline_),
                                   absl::ToDoubleSeconds(absl::Now() - start_));
    delete this;
  }

 private:
  struct Actions {
    bool read = false;
    const grpc::ByteBuffer* write = nullptr;
    bool finish = false;
    grpc::Status status;
  };

  void HandleRequest() {
    request_.Clear();
    if (absl::Status parsed = Parse(read_buffer_, &request_); !parsed.ok()) {
      // The message cannot be matched to a group id: the error result has none. The stream goes
      // on, as it does for a group with a bad spec.
      auto result = std::make_unique<v1::GroupResult>();
      ErrorGroupResult("", parsed, result.get());
      Enqueue(std::move(result));
      return;
    }
    // Stream-level spec applies from this message on.
    if (request_.has_spec()) {
      absl::StatusOr<RewardSpec> spec =
          ResolveSpec(service_->options().default_spec, request_.spec());
      if (!spec.ok()) {
        auto result = std::make_unique<v1::GroupResult>();
        ErrorGroupResult(request_.group().id(), spec.status(), result.get());
        Enqueue(std::move(result));
        return;
      }
      stream_spec_ = *spec;
    }
    if (!request_.has_group()) return;
    const v1::Group& in = request_.group();
    auto group = std::make_shared<Group>();
    if (absl::Status s = TakeGroupFromProto(request_.mutable_group(), stream_spec_, group.get());
        !s.ok()) {
      auto result = std::make_unique<v1::GroupResult>();
      ErrorGroupResult(in.id(), s, result.get());
      Enqueue(std::move(result));
      return;
    }
    if (EffectiveScale(group->spec) == AdvantageScale::kBatchStd) {
      auto result = std::make_unique<v1::GroupResult>();
      ErrorGroupResult(in.id(),
                       absl::InvalidArgumentError(
                           "batch-scaled advantages (REINFORCE++-baseline or scale BATCH_STD) need "
                           "the unary Score call: ScoreStream scores groups one at a time"),
                       result.get());
      Enqueue(std::move(result));
      return;
    }
    const int64_t samples = static_cast<int64_t>(group->completions.size());
    if (!service_->budget().TryAcquire(samples)) {
      auto result = std::make_unique<v1::GroupResult>();
      ErrorGroupResult(in.id(),
                       absl::ResourceExhaustedError(absl::StrCat(
                           "server busy: ", service_->budget().used(), " of ",
                           service_->budget().limit(), " completions in flight; resend the group")),
                       result.get());
      Enqueue(std::move(result));
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      ++inflight_;
    }
    service_->scorer().ScoreAsync(group, cancel_, [this, samples, group](GroupResult r) {
      service_->budget().Release(samples);
      if (r.error.ok()) {
        service_->metrics().RecordGroup(*group, r);
      } else {
        service_->metrics().RecordGroupError(static_cast<int>(r.error.code()));
      }
      auto result = std::make_unique<v1::GroupResult>();
      GroupResultToProto(std::move(r), result.get());
      Actions actions;
      {
        absl::MutexLock lock(&mu_);
        --inflight_;
        if (!broken_) queue_.push_back(std::move(result));
        actions = Decide();
      }
      Act(actions);  // the last thing this callback does: `this` may be deleted after Finish
    });
  }

  // Called from OnReadDone's thread while read_pending_ is still true, so Decide() cannot finish.
  void Enqueue(std::unique_ptr<v1::GroupResult> result) {
    absl::MutexLock lock(&mu_);
    if (!broken_) queue_.push_back(std::move(result));
  }

  Actions Decide() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Actions a;
    if (finished_) return a;
    if (broken_) queue_.clear();
    if (!writing_ && !queue_.empty()) {
      bool own = false;
      write_buffer_.Clear();
      (void)grpc::SerializationTraits<v1::GroupResult>::Serialize(*queue_.front(), &write_buffer_,
                                                                  &own);
      queue_.pop_front();
      writing_ = true;
      a.write = &write_buffer_;
    }
    if (!read_pending_ && !reads_done_ && !broken_ &&
        inflight_ < service_->options().stream_window_groups) {
      read_pending_ = true;
      a.read = true;
    }
    if (!read_pending_ && (reads_done_ || broken_) && inflight_ == 0 && queue_.empty() &&
        !writing_) {
      finished_ = true;
      a.finish = true;
      a.status = ToGrpc(Outcome(cancel_->Check(), deadline_));
    }
    return a;
  }

  void Act(const Actions& a) {
    if (a.write != nullptr) StartWrite(a.write);
    if (a.read) StartRead(&read_buffer_);
    if (a.finish) {
      sent_ = a.status.error_code();
      service_->inflight_calls().fetch_sub(1);
      Finish(a.status);
    }
  }

  RewardServiceImpl* const service_;
  std::stop_source stop_;  // requested by OnCancel; declared before cancel_, which takes a token
  const std::shared_ptr<const Cancellation> cancel_;
  const std::chrono::system_clock::time_point deadline_;
  grpc::ByteBuffer read_buffer_;    // touched only between StartRead and OnReadDone's handling
  v1::ScoreStreamRequest request_;  // likewise
  RewardSpec stream_spec_;          // likewise, only on the reading side
  const absl::Time start_;
  std::atomic<bool> cancelled_{false};
  grpc::StatusCode sent_ = grpc::StatusCode::OK;  // written before Finish, read in OnDone

  absl::Mutex mu_;
  std::deque<std::unique_ptr<v1::GroupResult>> queue_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer write_buffer_ ABSL_GUARDED_BY(mu_);  // the one write in flight
  int inflight_ ABSL_GUARDED_BY(mu_) = 0;
  bool read_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

absl::Status SerializeFlat(const google::protobuf::MessageLite& message, grpc::ByteBuffer* out) {
  const size_t size = message.ByteSizeLong();
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the message is ", size, " bytes; a message holds at most 2 GiB"));
  }
  grpc::Slice slice(size);
  message.SerializeWithCachedSizesToArray(const_cast<uint8_t*>(slice.begin()));
  *out = grpc::ByteBuffer(&slice, 1);
  return absl::OkStatus();
}

RewardServiceImpl::RewardServiceImpl(const Scorer* scorer, ServiceOptions options)
    : scorer_(scorer), options_(std::move(options)), budget_(options_.max_inflight_samples) {}

grpc::ServerUnaryReactor* RewardServiceImpl::Score(grpc::CallbackServerContext* context,
                                                   const grpc::ByteBuffer* request,
                                                   grpc::ByteBuffer* response) {
  return new ScoreCall(this, context, request, response);
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* RewardServiceImpl::ScoreStream(
    grpc::CallbackServerContext* context) {
  return new ScoreStreamCall(this, context);
}

grpc::ServerUnaryReactor* RewardServiceImpl::GetInfo(grpc::CallbackServerContext* context,
                                                     const v1::GetInfoRequest* request,
                                                     v1::ServerInfo* response) {
  response->set_version(VERDICT_VERSION);
  response->add_verifiers("math");
  response->add_verifiers("rules_only");
  response->add_verifiers("instructions");
  if (!options_.sandbox_layers.empty()) response->add_verifiers("code");
  for (const std::string& layer : options_.sandbox_layers) response->add_sandbox_layers(layer);
  v1::Limits* limits = response->mutable_limits();
  limits->set_max_message_bytes(options_.max_message_bytes);
  limits->set_max_inflight_samples(options_.max_inflight_samples);
  limits->set_max_completion_bytes(static_cast<int64_t>(scorer_->options().max_completion_bytes));
  limits->set_max_completions_per_group(
      static_cast<int64_t>(scorer_->options().max_completions_per_group));
  *response->mutable_default_spec() = SpecToProto(options_.default_spec);
  response->set_worker_threads(options_.worker_threads);
  response->set_effective_config(options_.effective_config);
  metrics_.RecordCall("GetInfo", 0, 0);
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace verdict
