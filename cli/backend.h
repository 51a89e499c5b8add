// Where `verdict score` sends its groups: the Scorer in this process, or a running server.
#ifndef VERDICT_CLI_BACKEND_H_
#define VERDICT_CLI_BACKEND_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/result_json.h"
#include "rewards/scorer.h"
#include "verdict/v1/verdict.pb.h"

namespace verdict::cli {

// One result per group of a batch, in order, as views (cli/result_json.h) into memory that
// `owner` keeps: the response message (in-process; an arena), or with --server the response's
// wire bytes and the few sub-messages parsed from them, so that reading and dropping a
// response costs no allocation or free per field.
struct ResultBatch {
  std::vector<GroupView> groups;
  std::shared_ptr<const void> owner;
};
using BatchResults = std::shared_ptr<const ResultBatch>;
using BatchDone = absl::AnyInvocable<void(absl::StatusOr<BatchResults>) &&>;

class ScoreBackend {
 public:
  virtual ~ScoreBackend() = default;
  // Scores `groups` under `spec` (unset fields: the backend's defaults). `done` runs once, on any
  // thread, with one result per group in order, or the error that stopped the whole batch.
  virtual void Submit(std::vector<v1::Group> groups, BatchDone done) = 0;
  // Groups that may usefully be in flight at once.
  virtual size_t concurrency() const = 0;
};

// Scores with a Scorer on a pool in this process, resolving specs exactly as the server does.
// With `enable_code`, a Linux sandbox runner is created for code groups (as `verdict serve`
// does), at the first batch that has one; without one, code groups fail with
// FAILED_PRECONDITION.
absl::StatusOr<std::unique_ptr<ScoreBackend>> MakeInProcessBackend(const v1::RewardSpec& spec,
                                                                   size_t threads,
                                                                   bool enable_code = true);

// Sends unary Score calls to `address` ("host:port" or "unix:/path"), `concurrency` at a time.
// `timeout` zero = no deadline.
absl::StatusOr<std::unique_ptr<ScoreBackend>> MakeGrpcBackend(const std::string& address,
                                                              const v1::RewardSpec& spec,
                                                              size_t concurrency,
                                                              absl::Duration timeout);

}  // namespace verdict::cli

#endif  // VERDICT_CLI_BACKEND_H_
