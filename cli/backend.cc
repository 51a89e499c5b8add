#include "cli/backend.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/thread_pool.h"
#include "cli/result_json.h"
#include "cli/result_wire.h"
#include "google/protobuf/arena.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "sandbox/linux_runner.h"
#include "server/convert.h"
#include "server/service.h"
#include "verdict/v1/verdict.grpc.pb.h"

namespace verdict::cli {
namespace {

// Where a batch's results live (both backends, so that they cost the same to read and drop).
std::shared_ptr<google::protobuf::Arena> NewBatchArena() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 64 << 10;
  options.max_block_size = 1 << 20;
  return std::make_shared<google::protobuf::Arena>(options);
}

ScorerOptions OptionsWith(sandbox::Runner* runner) {
  ScorerOptions options;
  options.runner = runner;
  return options;
}

// The views of `response`, which lives on `arena`.
BatchResults ViewsOf(std::shared_ptr<google::protobuf::Arena> arena,
                     const v1::ScoreResponse& response) {
  auto batch = std::make_shared<ResultBatch>();
  batch->groups.resize(static_cast<size_t>(response.groups_size()));
  for (int i = 0; i < response.groups_size(); ++i) {
    GroupViewOf(response.groups(i), &batch->groups[static_cast<size_t>(i)]);
  }
  batch->owner = std::move(arena);
  return batch;
}

// The result form both backends produce: no effective spec (the output does not print it) and
// packed components (the --server path asks the server for the same).
constexpr ResultForm kForm{.with_spec = false, .packed_components = true};

class InProcessBackend final : public ScoreBackend {
 public:
  InProcessBackend(RewardSpec spec, size_t threads, bool enable_code)
      : spec_(spec), enable_code_(enable_code), pool_(threads), scorer_(&pool_) {}

  void Submit(std::vector<v1::Group> groups, BatchDone done) override {
    std::vector<Scorer::BatchGroup> batch(groups.size());
    for (size_t i = 0; i < groups.size(); ++i) {
      auto group = std::make_shared<Group>();
      batch[i].error = TakeGroupFromProto(&groups[i], spec_, group.get());
      batch[i].group = std::move(group);
    }
    ScorerFor(batch).ScoreBatch(
        std::move(batch), nullptr,
        [done = std::move(done)](std::vector<GroupResult> results) mutable {
          auto arena = NewBatchArena();
          auto* out = google::protobuf::Arena::CreateMessage<v1::ScoreResponse>(arena.get());
          out->mutable_groups()->Reserve(static_cast<int>(results.size()));
          for (GroupResult& r : results) {
            GroupResultToProto(std::move(r), out->add_groups(), kForm);
          }
          std::move(done)(ViewsOf(std::move(arena), *out));
        });
  }

  size_t concurrency() const override { return pool_.num_threads() * 2 + 2; }

 private:
  // The sandbox runner is created at the first batch with a code group: its host probes fork
  // processes that a run without code does not need. Until then, and for good when it cannot be
  // created, `scorer_` (no runner) refuses code groups with FAILED_PRECONDITION as a server
  // without a sandbox does.
  const Scorer& ScorerFor(const std::vector<Scorer::BatchGroup>& batch) {
    absl::MutexLock lock(&mu_);
    if (code_scorer_) return *code_scorer_;
    if (!enable_code_ || runner_tried_) return scorer_;
    const bool has_code = std::any_of(batch.begin(), batch.end(), [](const auto& g) {
      return g.error.ok() && std::holds_alternative<CodeReference>(g.group->reference);
    });
    if (!has_code) return scorer_;
    runner_tried_ = true;
    absl::StatusOr<std::unique_ptr<sandbox::Runner>> runner =
        sandbox::CreateLinuxRunner(sandbox::LinuxRunnerOptions{});
    if (!runner.ok()) return scorer_;  // code groups report why they cannot run
    runner_ = *std::move(runner);
    code_scorer_.emplace(&pool_, OptionsWith(runner_.get()));
    return *code_scorer_;
  }

  const RewardSpec spec_;
  const bool enable_code_;
  absl::Mutex mu_;
  bool runner_tried_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<sandbox::Runner> runner_;  // outlives the pool's tasks, which may use it
  ThreadPool pool_;
  const Scorer scorer_;
  std::optional<Scorer> code_scorer_ ABSL_GUARDED_BY(mu_);
};

class GrpcBackend final : public ScoreBackend {
 public:
  GrpcBackend(std::shared_ptr<grpc::Channel> channel, v1::RewardSpec spec, size_t concurrency,
              absl::Duration timeout)
      : stub_(std::move(channel)), spec_(std::move(spec)), calls_(concurrency), timeout_(timeout) {}

  void Submit(std::vector<v1::Group> groups, BatchDone done) override {
    calls_.Schedule([this, groups = std::move(groups), done = std::move(done)]() mutable {
      v1::ScoreRequest request;
      for (v1::Group& g : groups) *request.add_groups() = std::move(g);
      *request.mutable_spec() = spec_;
      request.set_omit_effective_spec(!kForm.with_spec);
      request.set_packed_components(kForm.packed_components);
      grpc::ClientContext context;
      if (timeout_ > absl::ZeroDuration()) {
        context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
      }
      grpc::ByteBuffer reply;
      grpc::Status status = Call(&context, request, &reply);
      if (!status.ok()) {
        std::move(done)(absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                     absl::StrCat("Score call failed: ", status.error_message())));
        return;
      }
      std::move(done)(Read(&reply));
    });
  }

  size_t concurrency() const override { return calls_.num_threads() * 2; }

 private:
  // The Score call, with the request serialised as the server serialises its responses: into
  // one flat slice, sizes computed once (the generated stub computes them twice and writes
  // through a stream). Blocks until the call ends.
  grpc::Status Call(grpc::ClientContext* context, const v1::ScoreRequest& request,
                    grpc::ByteBuffer* reply) {
    grpc::ByteBuffer request_bytes;
    if (absl::Status s = SerializeFlat(request, &request_bytes); !s.ok()) {
      return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
    }
    grpc::CompletionQueue cq;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
        stub_.PrepareUnaryCall(context, score_method_, request_bytes, &cq);
    call->StartCall();
    grpc::Status status;
    call->Finish(reply, &status, this);
    void* tag = nullptr;
    bool ok = false;
    if (!cq.Next(&tag, &ok) || tag != this) {  // the one event: Finish, always delivered
      return grpc::Status(grpc::StatusCode::INTERNAL, "the Score call's queue closed early");
    }
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {}
    return status;
  }

  // The reply's results. Read from its bytes where ReadScoreResponse can (the response
  // message cost the client ~15% of its instructions to parse, #16); else parsed as the stub
  // would, on an arena: an older server sends the components map instead (the output is the
  // same); a newer one may know fields or components this build does not, which must not
  // vanish from the output.
  static absl::StatusOr<BatchResults> Read(grpc::ByteBuffer* reply) {
    struct Owner {
      grpc::Slice bytes;
      google::protobuf::Arena arena;
    };
    auto owner = std::make_shared<Owner>();
    grpc::Status flat = reply->TrySingleSlice(&owner->bytes);
    if (!flat.ok()) flat = reply->DumpToSingleSlice(&owner->bytes);
    if (flat.ok()) {
      auto batch = std::make_shared<ResultBatch>();
      std::string_view bytes(reinterpret_cast<const char*>(owner->bytes.begin()),
                             owner->bytes.size());
      if (ReadScoreResponse(bytes, &owner->arena, &batch->groups)) {
        batch->owner = std::move(owner);
        return batch;
      }
    }
    auto arena = NewBatchArena();
    auto* response = google::protobuf::Arena::CreateMessage<v1::ScoreResponse>(arena.get());
    grpc::Status parsed =
        grpc::SerializationTraits<v1::ScoreResponse>::Deserialize(reply, response);
    if (!parsed.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(parsed.error_code()),
                          absl::StrCat("Score call failed: ", parsed.error_message()));
    }
    if (absl::Status known = KnownPackedComponents(*response); !known.ok()) return known;
    return ViewsOf(std::move(arena), *response);
  }

  const std::string score_method_ =
      absl::StrCat("/", v1::RewardService::service_full_name(), "/Score");
  grpc::GenericStub stub_;
  v1::RewardSpec spec_;
  ThreadPool calls_;  // blocking calls; a thread each
  absl::Duration timeout_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ScoreBackend>> MakeInProcessBackend(const v1::RewardSpec& spec,
                                                                   size_t threads,
                                                                   bool enable_code) {
  absl::StatusOr<RewardSpec> resolved = ResolveSpec(RewardSpec{}, spec);
  if (!resolved.ok()) return resolved.status();
  return std::make_unique<InProcessBackend>(*resolved, threads, enable_code);
}

absl::StatusOr<std::unique_ptr<ScoreBackend>> MakeGrpcBackend(const std::string& address,
                                                              const v1::RewardSpec& spec,
                                                              size_t concurrency,
                                                              absl::Duration timeout) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  // Every backend a name resolves to gets calls (a headless Service: every pod), and a
  // server's connection-age GOAWAY makes the channel re-resolve, finding new replicas.
  args.SetLoadBalancingPolicyName("round_robin");
  auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(10)))) {
    return absl::UnavailableError(absl::StrCat("cannot connect to ", address));
  }
  return std::make_unique<GrpcBackend>(std::move(channel), spec, concurrency == 0 ? 4 : concurrency,
                                       timeout);
}

}  // namespace verdict::cli
