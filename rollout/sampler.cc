#include "rollout/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "rollout/philox.h"

namespace verdict::rollout {

absl::Status ValidateSamplingParams(const SamplingParams& p) {
  if (!(p.temperature >= 0.0f) || !std::isfinite(p.temperature)) {
    return absl::InvalidArgumentError(
        absl::StrCat("temperature must be >= 0, got ", p.temperature));
  }
  if (!(p.min_p >= 0.0f && p.min_p <= 1.0f)) {
    return absl::InvalidArgumentError(absl::StrCat("min_p must be in [0, 1], got ", p.min_p));
  }
  if (p.top_k < 0) {
    return absl::InvalidArgumentError(absl::StrCat("top_k must be >= 0, got ", p.top_k));
  }
  if (!(p.top_p > 0.0f && p.top_p <= 1.0f)) {
    return absl::InvalidArgumentError(absl::StrCat("top_p must be in (0, 1], got ", p.top_p));
  }
  return absl::OkStatus();
}

SamplingParams NormalizeSamplingParams(SamplingParams p) {
  if (p.temperature < kGreedyTemperature) p.temperature = 0.0f;
  return p;
}

namespace {

// Steps 1-4 with lazy ordering: kept[0, sorted) is in draw order and every element after it
// ranks below them; the rest is ordered only when a walk reaches it. For peaked distributions
// this touches a few hundred of the V tokens instead of sorting all of them.
struct Prepared {
  std::vector<double> q;  // softmax(z / T)
  std::vector<int32_t> kept;
  size_t sorted = 0;
  bool id_order = true;  // kept is ascending by id (nothing sorted yet)
  double sum = 0.0;      // S: sum of q over the final kept set, in token-id order
  double log_normaliser = 0.0;
  double max_scaled = 0.0;
  int32_t argmax = 0;
  bool greedy = false;

  bool Before(int32_t a, int32_t b) const { return q[a] > q[b] || (q[a] == q[b] && a < b); }
  void SortPrefix(size_t m) {
    m = std::min(m, kept.size());
    if (m <= sorted) return;
    auto cmp = [this](int32_t a, int32_t b) { return Before(a, b); };
    if (m < kept.size()) std::nth_element(kept.begin() + sorted, kept.begin() + m, kept.end(), cmp);
    std::sort(kept.begin() + sorted, kept.begin() + m, cmp);
    sorted = m;
    id_order = false;
  }
  // Makes sure position i is in draw order.
  void Reach(size_t i) {
    if (i >= sorted) SortPrefix(std::max<size_t>({i + 1, 2 * sorted, 256}));
  }
  double SumInIdOrder() const {
    if (id_order) {
      double s = 0.0;
      for (int32_t t : kept) s += q[t];
      return s;
    }
    std::vector<int32_t> ids = kept;
    std::sort(ids.begin(), ids.end());
    double s = 0.0;
    for (int32_t t : ids) s += q[t];
    return s;
  }
};

Prepared Prepare(absl::Span<const float> logits, const SamplingParams& params) {
  const SamplingParams p = NormalizeSamplingParams(params);
  Prepared r;
  const int32_t v = static_cast<int32_t>(logits.size());
  for (int32_t i = 1; i < v; ++i) {
    if (logits[i] > logits[r.argmax]) r.argmax = i;
  }
  const double inv_t = p.temperature > 0 ? 1.0 / static_cast<double>(p.temperature) : 1.0;
  r.max_scaled = static_cast<double>(logits[r.argmax]) * inv_t;
  r.q.resize(v);
  double sum = 0.0;
  for (int32_t i = 0; i < v; ++i) {
    r.q[i] = std::exp(static_cast<double>(logits[i]) * inv_t - r.max_scaled);
    sum += r.q[i];
  }
  r.log_normaliser = r.max_scaled + std::log(sum);
  if (p.temperature == 0.0f) {
    r.greedy = true;
    return r;
  }
  for (double& x : r.q) x /= sum;
  const double q_max = r.q[r.argmax];
  r.kept.reserve(v);
  for (int32_t i = 0; i < v; ++i) {
    if (p.min_p > 0.0f && r.q[i] < static_cast<double>(p.min_p) * q_max) continue;
    r.kept.push_back(i);
  }
  if (p.top_k > 0 && static_cast<size_t>(p.top_k) < r.kept.size()) {
    r.SortPrefix(p.top_k);
    r.kept.resize(p.top_k);
  }
  if (p.top_p < 1.0f) {
    const double total = r.SumInIdOrder();
    double running = 0.0;
    size_t n = 0;
    while (n < r.kept.size()) {
      r.Reach(n);
      running += r.q[r.kept[n]];
      ++n;
      if (running / total >= static_cast<double>(p.top_p)) break;
    }
    r.kept.resize(std::max<size_t>(n, 1));
    r.sorted = std::min(r.sorted, r.kept.size());
  }
  r.sum = r.SumInIdOrder();
  return r;
}

}  // namespace

KeptSet ComputeKeptSet(absl::Span<const float> logits, const SamplingParams& p) {
  KeptSet out;
  if (logits.empty()) return out;
  Prepared r = Prepare(logits, p);
  out.log_normaliser = r.log_normaliser;
  out.max_scaled = r.max_scaled;
  if (r.greedy) {
    out.tokens = {r.argmax};
    out.probs = {1.0};
    return out;
  }
  r.SortPrefix(r.kept.size());
  out.tokens = r.kept;
  for (int32_t t : r.kept) out.probs.push_back(r.q[t]);
  return out;
}

float RawLogprob(absl::Span<const float> logits, int32_t token) {
  float mx = -INFINITY;
  for (float z : logits) mx = std::max(mx, z);
  double sum = 0.0;
  for (float z : logits) sum += std::exp(static_cast<double>(z) - mx);
  return static_cast<float>(static_cast<double>(logits[token]) - mx - std::log(sum));
}

bool HasNaN(absl::Span<const float> logits) {
  for (float z : logits) {
    if (z != z) return true;
  }
  return false;
}

SampledToken Sample(absl::Span<const float> logits, const SamplingParams& p, const SampleKey& key) {
  SampledToken out;
  if (logits.empty()) return out;
  Prepared r = Prepare(logits, p);
  if (r.greedy) {
    out.token = r.argmax;
  } else if (r.kept.size() == 1) {
    out.token = r.kept[0];
  } else {
    const double target =
        static_cast<double>(SamplerUniform(key.seed, key.group, key.sample, key.position)) * r.sum;
    double running = 0.0;
    for (size_t i = 0; i < r.kept.size(); ++i) {
      r.Reach(i);
      running += r.q[r.kept[i]];
      if (running > target) {
        out.token = r.kept[i];
        break;
      }
    }
    if (out.token < 0) {  // rounding left u*S beyond the running sum: the last kept token
      r.SortPrefix(r.kept.size());
      out.token = r.kept.back();
    }
  }
  const double inv_t = r.greedy ? 1.0 : 1.0 / static_cast<double>(p.temperature);
  out.logprob =
      static_cast<float>(static_cast<double>(logits[out.token]) * inv_t - r.log_normaliser);
  out.raw_logprob = inv_t == 1.0 ? out.logprob : RawLogprob(logits, out.token);
  return out;
}

}  // namespace verdict::rollout
