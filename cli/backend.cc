#include "cli/backend.h"

#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/thread_pool.h"
#include "grpcpp/grpcpp.h"
#include "sandbox/linux_runner.h"
#include "server/convert.h"
#include "verdict/v1/verdict.grpc.pb.h"

namespace verdict::cli {
namespace {

ScorerOptions OptionsWith(sandbox::Runner* runner) {
  ScorerOptions options;
  options.runner = runner;
  return options;
}

class InProcessBackend final : public ScoreBackend {
 public:
  InProcessBackend(RewardSpec spec, size_t threads, std::unique_ptr<sandbox::Runner> runner)
      : spec_(spec), runner_(std::move(runner)), pool_(threads),
        scorer_(&pool_, OptionsWith(runner_.get())) {}

  void Submit(std::vector<v1::Group> groups, BatchDone done) override {
    // Mirrors the server's Score call: the batch is scored concurrently, batch-scaled
    // advantages are finished across it, then every result is put on the wire form.
    struct Job {
      std::vector<GroupResult> results;
      std::atomic<size_t> remaining{0};
      BatchDone done;
    };
    auto job = std::make_shared<Job>();
    job->results.resize(groups.size());
    job->remaining.store(groups.size() + 1);
    job->done = std::move(done);
    auto finish_one = [job]() {
      if (job->remaining.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
      std::vector<GroupResult*> batch;
      for (GroupResult& r : job->results) batch.push_back(&r);
      Scorer::FinishBatch(std::move(batch));
      std::vector<v1::GroupResult> out(job->results.size());
      for (size_t i = 0; i < out.size(); ++i) GroupResultToProto(std::move(job->results[i]), &out[i]);
      std::move(job->done)(std::move(out));
    };
    for (size_t i = 0; i < groups.size(); ++i) {
      auto group = std::make_shared<Group>();
      if (absl::Status s = GroupFromProto(groups[i], spec_, group.get()); !s.ok()) {
        job->results[i].group_id = groups[i].id();
        job->results[i].error = std::move(s);
        finish_one();
        continue;
      }
      scorer_.ScoreAsync(std::move(group), nullptr, [job, i, finish_one](GroupResult r) {
        job->results[i] = std::move(r);
        finish_one();
      });
    }
    finish_one();
  }

  size_t concurrency() const override { return pool_.num_threads() * 2 + 2; }

 private:
  RewardSpec spec_;
  std::unique_ptr<sandbox::Runner> runner_;
  ThreadPool pool_;
  Scorer scorer_;
};

class GrpcBackend final : public ScoreBackend {
 public:
  GrpcBackend(std::shared_ptr<grpc::Channel> channel, v1::RewardSpec spec, size_t concurrency,
              absl::Duration timeout)
      : stub_(v1::RewardService::NewStub(channel)), spec_(std::move(spec)),
        calls_(concurrency), timeout_(timeout) {}

  void Submit(std::vector<v1::Group> groups, BatchDone done) override {
    calls_.Schedule([this, groups = std::move(groups), done = std::move(done)]() mutable {
      v1::ScoreRequest request;
      for (v1::Group& g : groups) *request.add_groups() = std::move(g);
      *request.mutable_spec() = spec_;
      grpc::ClientContext context;
      if (timeout_ > absl::ZeroDuration()) {
        context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
      }
      v1::ScoreResponse response;
      grpc::Status status = stub_->Score(&context, request, &response);
      if (!status.ok()) {
        std::move(done)(absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                     absl::StrCat("Score call failed: ", status.error_message())));
        return;
      }
      std::vector<v1::GroupResult> results(
          std::make_move_iterator(response.mutable_groups()->begin()),
          std::make_move_iterator(response.mutable_groups()->end()));
      std::move(done)(std::move(results));
    });
  }

  size_t concurrency() const override { return calls_.num_threads() * 2; }

 private:
  std::unique_ptr<v1::RewardService::Stub> stub_;
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
  std::unique_ptr<sandbox::Runner> runner;
  if (enable_code) {
    absl::StatusOr<std::unique_ptr<sandbox::Runner>> r =
        sandbox::CreateLinuxRunner(sandbox::LinuxRunnerOptions{});
    if (r.ok()) runner = *std::move(r);  // else code groups report why they cannot run
  }
  return std::make_unique<InProcessBackend>(*resolved, threads, std::move(runner));
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
