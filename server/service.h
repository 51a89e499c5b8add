// The gRPC service verdict.v1.RewardService (callback API). Handlers only translate proto <->
// domain (server/convert.h) and Status <-> grpc::Status; scoring is the Scorer's.
#ifndef VERDICT_SERVER_SERVICE_H_
#define VERDICT_SERVER_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/message_lite.h"
#include "grpcpp/support/byte_buffer.h"
#include "rewards/scorer.h"
#include "rewards/types.h"
#include "server/batch.h"
#include "server/metrics.h"
#include "verdict/v1/verdict.grpc.pb.h"

namespace verdict {

// `message` serialised into one flat slice, with the sizes computed once: gRPC's generic path
// computes them twice (once to size its buffer, again inside SerializeToZeroCopyStream) and
// writes through a stream; for a large message that was a tenth of the cost outside scoring
// (#16). Used for `verdict score --server`'s requests (the server's Score replies are written
// from the results, AppendGroupResultWire).
// RESOURCE_EXHAUSTED for a message over 2 GiB.
absl::Status SerializeFlat(const google::protobuf::MessageLite& message, grpc::ByteBuffer* out);

struct ServiceOptions {
  // Spec for fields a request leaves unset.
  RewardSpec default_spec;
  // Completions being scored at once across all calls. A unary call that would go past it fails
  // with RESOURCE_EXHAUSTED; a streamed group that would gets a RESOURCE_EXHAUSTED group error.
  // Default 1,000,000.
  int64_t max_inflight_samples = 1'000'000;
  // Groups of one stream being scored at once; the stream's next group is read only when fewer
  // are in flight (back-pressure). Default 64.
  int stream_window_groups = 64;
  // Reported by GetInfo.
  int64_t max_message_bytes = 0;
  int worker_threads = 0;
  // Active sandbox layers; empty when code execution is off.
  std::vector<std::string> sandbox_layers;
  // The effective configuration as JSON, for GetInfo.
  std::string effective_config;
};

// Score and ScoreStream take their messages as bytes and parse them here: gRPC's own parse
// failure answers UNIMPLEMENTED with an empty message (and ends a stream as if the client had
// half-closed), where the contract says INVALID_ARGUMENT, saying why.
using RewardServiceBase = v1::RewardService::WithRawCallbackMethod_Score<
    v1::RewardService::WithRawCallbackMethod_ScoreStream<
        v1::RewardService::WithCallbackMethod_GetInfo<v1::RewardService::Service>>>;

class RewardServiceImpl final : public RewardServiceBase {
 public:
  // `scorer` must outlive the service.
  RewardServiceImpl(const Scorer* scorer, ServiceOptions options);

  // verdict.v1.ScoreRequest -> ScoreResponse.
  grpc::ServerUnaryReactor* Score(grpc::CallbackServerContext* context,
                                  const grpc::ByteBuffer* request,
                                  grpc::ByteBuffer* response) override;
  // verdict.v1.ScoreStreamRequest* -> GroupResult*.
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* ScoreStream(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* GetInfo(grpc::CallbackServerContext* context,
                                    const v1::GetInfoRequest* request,
                                    v1::ServerInfo* response) override;

  const Scorer& scorer() const { return *scorer_; }
  const ServiceOptions& options() const { return options_; }
  InflightBudget& budget() { return budget_; }
  Metrics& metrics() { return metrics_; }
  BatchContext batch_context() { return {scorer_, &budget_, &metrics_, options_.default_spec}; }
  // Calls in progress (all methods and transports), for /metrics.
  std::atomic<int64_t>& inflight_calls() { return inflight_calls_; }

 private:
  const Scorer* scorer_;
  ServiceOptions options_;
  InflightBudget budget_;
  Metrics metrics_;
  std::atomic<int64_t> inflight_calls_{0};
};

}  // namespace verdict

#endif  // VERDICT_SERVER_SERVICE_H_
