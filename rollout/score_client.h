// Client of RewardService.ScoreStream: groups are queued and written by a sender thread, so
// generation never waits on the network; results are delivered by a reader thread as the server
// scores them (any order, matched by group_id). The only rollout code that sees grpcpp is the .cc.
#ifndef VERDICT_ROLLOUT_SCORE_CLIENT_H_
#define VERDICT_ROLLOUT_SCORE_CLIENT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "verdict/v1/verdict.pb.h"

namespace verdict::rollout {

class ScoreStreamClient {
 public:
  // Called on the client's reader thread, once per result.
  using ResultCallback = std::function<void(v1::GroupResult)>;

  // Opens the stream to `address` (host:port, insecure channel). UNAVAILABLE when the server
  // cannot be reached within `connect_timeout`.
  static absl::StatusOr<std::unique_ptr<ScoreStreamClient>> Connect(const std::string& address,
                                                                    ResultCallback on_result,
                                                                    absl::Duration connect_timeout);
  virtual ~ScoreStreamClient() = default;

  // Queues a group; returns at once. Thread-safe.
  virtual void Send(v1::Group group) = 0;

  // Half-closes after every queued group is written, waits for the remaining results, and
  // returns the call's status (as absl::Status, same code numbers).
  virtual absl::Status Finish() = 0;
};

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_SCORE_CLIENT_H_
