// math_bench: Verdict's math verifier on the shared conformance set, single thread.
// Verifies every gold/prediction pair (VerifyAnswer(pred, {gold}), extraction included) N times
// and reports pairs/second, median and p99 latency per pair, and agreement with the labels on the
// unambiguous rows. bench/math/run.sh runs Math-Verify on the same pairs in the same run and
// prints the ratio. The last line of output is one JSON object (the same fields as
// mathverify_peer.py's).
//   math_bench [--file PATH] [--iterations N] [--disagreements]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tests/verifier/math/conformance_data.h"
#include "verifier/math/verify.h"

namespace {

using Clock = std::chrono::steady_clock;

double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t k = std::min(sorted.size() - 1, static_cast<size_t>(q * sorted.size()));
  return sorted[k];
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = VERDICT_SHARED_DIR "/data/math/conformance.jsonl";
  int iterations = 200;
  bool show_disagreements = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--file" && i + 1 < argc) {
      path = argv[++i];
    } else if (arg == "--iterations" && i + 1 < argc) {
      iterations = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--disagreements") {
      show_disagreements = true;
    } else {
      std::fprintf(stderr, "usage: %s [--file PATH] [--iterations N] [--disagreements]\n", argv[0]);
      return 2;
    }
  }
  std::string error;
  const std::vector<verdict::math::testing::ConformanceRow> rows =
      verdict::math::testing::ReadConformance(path, &error);
  if (rows.empty()) {
    std::fprintf(stderr, "math_bench: %s\n", error.c_str());
    return 1;
  }
  std::vector<std::vector<std::string>> golds;
  golds.reserve(rows.size());
  for (const auto& row : rows) golds.push_back({row.gold});

  // Accuracy from one pass (the verifier is deterministic); it also warms the caches.
  int n = 0, agree = 0, ambiguous = 0, ambiguous_agree = 0, hack_accepted = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto v = verdict::math::VerifyAnswer(rows[i].pred, golds[i]);
    const bool got = v.outcome == verdict::math::Outcome::kCorrect;
    const bool same = got == rows[i].expected;
    if (rows[i].ambiguous) {
      ++ambiguous;
      ambiguous_agree += same;
    } else {
      ++n;
      agree += same;
      if (show_disagreements && !same) {
        std::fprintf(stderr, "  disagree [%s/%s] gold %s pred_answer %s expected %d got %s (%s)\n",
                     rows[i].category.c_str(), rows[i].style.c_str(), rows[i].gold.c_str(),
                     rows[i].pred_answer.c_str(), rows[i].expected,
                     std::string(verdict::math::OutcomeName(v.outcome)).c_str(), v.reason.c_str());
      }
    }
    if (rows[i].category == "hack" && got) ++hack_accepted;
  }

  std::vector<double> latencies_ms;
  latencies_ms.reserve(rows.size() * iterations);
  size_t sink = 0;  // keeps the calls observable
  const auto start = Clock::now();
  for (int it = 0; it < iterations; ++it) {
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto t0 = Clock::now();
      const auto v = verdict::math::VerifyAnswer(rows[i].pred, golds[i]);
      const auto t1 = Clock::now();
      sink += static_cast<size_t>(v.outcome) + v.canonical.size();
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
  }
  const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const double pairs_per_s = latencies_ms.size() / wall_s;
  const double median = Percentile(latencies_ms, 0.5);
  const double p99 = Percentile(latencies_ms, 0.99);
  const double accuracy = n == 0 ? 0 : static_cast<double>(agree) / n;

  std::fprintf(stderr,
               "verdict: %zu pairs in %.2f s, %.0f pairs/s, median %.4f ms, p99 %.4f ms, "
               "max %.4f ms, accuracy %d/%d = %.1f%%, hack rows accepted %d (sink %zu)\n",
               latencies_ms.size(), wall_s, pairs_per_s, median, p99, latencies_ms.back(), agree, n,
               100 * accuracy, hack_accepted, sink % 10);
  std::printf(
      "{\"impl\": \"verdict\", \"rows\": %zu, \"iterations\": %d, \"pairs\": %zu, "
      "\"pairs_per_s\": %.3f, \"median_ms\": %.6f, \"p99_ms\": %.6f, \"max_ms\": %.6f, "
      "\"unambiguous\": %d, \"agree\": %d, \"accuracy\": %.6f, \"ambiguous\": %d, "
      "\"ambiguous_agree\": %d, \"hack_accepted\": %d}\n",
      rows.size(), iterations, latencies_ms.size(), pairs_per_s, median, p99, latencies_ms.back(),
      n, agree, accuracy, ambiguous, ambiguous_agree, hack_accepted);
  return 0;
}
