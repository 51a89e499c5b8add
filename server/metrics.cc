#include "server/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace verdict {
namespace {

constexpr double kBounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr size_t kNumBounds = sizeof(kBounds) / sizeof(kBounds[0]);

std::string_view VerifierOf(const Group& g) {
  if (std::holds_alternative<MathReference>(g.reference)) return "math";
  if (std::holds_alternative<CodeReference>(g.reference)) return "code";
  if (std::holds_alternative<RulesOnly>(g.reference)) return "rules_only";
  return "none";
}

}  // namespace

void Metrics::RecordCall(std::string_view method, int code, double seconds) {
  absl::MutexLock lock(&mu_);
  ++calls_[{std::string(method), code}];
  Histogram& h = latency_[std::string(method)];
  if (h.buckets.empty()) h.buckets.assign(kNumBounds + 1, 0);
  for (size_t i = 0; i < kNumBounds; ++i) {
    if (seconds <= kBounds[i]) ++h.buckets[i];
  }
  ++h.buckets[kNumBounds];
  h.sum += seconds;
  ++h.count;
}

void Metrics::RecordGroup(const Group& group, const GroupResult& result) {
  absl::MutexLock lock(&mu_);
  std::string verifier(VerifierOf(group));
  for (const SampleResult& s : result.samples) {
    ++samples_[{verifier, std::string(VerdictName(s.verdict))}];
  }
}

void Metrics::RecordGroupError(int code) {
  absl::MutexLock lock(&mu_);
  ++group_errors_[code];
}

std::string Metrics::Render(int64_t inflight_samples, int64_t inflight_calls,
                            size_t queue_depth) const {
  absl::MutexLock lock(&mu_);
  std::string out;
  out += "# HELP verdict_calls_total Calls finished, by method and status code.\n";
  out += "# TYPE verdict_calls_total counter\n";
  for (const auto& [key, n] : calls_) {
    absl::StrAppendFormat(&out, "verdict_calls_total{method=\"%s\",code=\"%d\"} %d\n", key.first,
                          key.second, n);
  }
  out += "# HELP verdict_call_duration_seconds Call latency, by method.\n";
  out += "# TYPE verdict_call_duration_seconds histogram\n";
  for (const auto& [method, h] : latency_) {
    for (size_t i = 0; i < kNumBounds; ++i) {
      absl::StrAppendFormat(&out, "verdict_call_duration_seconds_bucket{method=\"%s\",le=\"%g\"} %d\n",
                            method, kBounds[i], h.buckets[i]);
    }
    absl::StrAppendFormat(&out, "verdict_call_duration_seconds_bucket{method=\"%s\",le=\"+Inf\"} %d\n",
                          method, h.buckets[kNumBounds]);
    absl::StrAppendFormat(&out, "verdict_call_duration_seconds_sum{method=\"%s\"} %.9g\n", method, h.sum);
    absl::StrAppendFormat(&out, "verdict_call_duration_seconds_count{method=\"%s\"} %d\n", method, h.count);
  }
  out += "# HELP verdict_samples_total Samples scored, by verifier and verdict.\n";
  out += "# TYPE verdict_samples_total counter\n";
  for (const auto& [key, n] : samples_) {
    absl::StrAppendFormat(&out, "verdict_samples_total{verifier=\"%s\",verdict=\"%s\"} %d\n",
                          key.first, key.second, n);
  }
  out += "# HELP verdict_group_errors_total Groups that could not be scored, by status code.\n";
  out += "# TYPE verdict_group_errors_total counter\n";
  for (const auto& [code, n] : group_errors_) {
    absl::StrAppendFormat(&out, "verdict_group_errors_total{code=\"%d\"} %d\n", code, n);
  }
  out += "# HELP verdict_inflight_samples Completions being scored now.\n";
  out += "# TYPE verdict_inflight_samples gauge\n";
  absl::StrAppendFormat(&out, "verdict_inflight_samples %d\n", inflight_samples);
  out += "# HELP verdict_inflight_calls Calls in progress.\n";
  out += "# TYPE verdict_inflight_calls gauge\n";
  absl::StrAppendFormat(&out, "verdict_inflight_calls %d\n", inflight_calls);
  out += "# HELP verdict_queue_depth Scoring tasks waiting for a thread.\n";
  out += "# TYPE verdict_queue_depth gauge\n";
  absl::StrAppendFormat(&out, "verdict_queue_depth %d\n", queue_depth);
  return out;
}

}  // namespace verdict
