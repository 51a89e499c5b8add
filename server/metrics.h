// Prometheus metrics of the server, rendered in the text exposition format. Base units
// (seconds), `_total` counters, and only low-cardinality labels (method, code, verifier,
// verdict). Thread-safe.
#ifndef VERDICT_SERVER_METRICS_H_
#define VERDICT_SERVER_METRICS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "rewards/types.h"

namespace verdict {

class Metrics {
 public:
  // One finished call of `method` ("Score", "ScoreStream", "GetInfo", "http_score", ...) with
  // status `code` (google.rpc.Code number) after `seconds`.
  void RecordCall(std::string_view method, int code, double seconds);
  // The samples of one scored group, by verifier ("math", "rules_only", ...) and verdict.
  void RecordGroup(const Group& group, const GroupResult& result);
  void RecordGroupError(int code);

  // The exposition text; gauges are read by the caller and passed in.
  std::string Render(int64_t inflight_samples, int64_t inflight_calls, size_t queue_depth) const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // cumulative counts per bound (kBounds), +Inf last
    double sum = 0;
    uint64_t count = 0;
  };

  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> calls_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> latency_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, uint64_t> samples_ ABSL_GUARDED_BY(mu_);
  std::map<int, uint64_t> group_errors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace verdict

#endif  // VERDICT_SERVER_METRICS_H_
