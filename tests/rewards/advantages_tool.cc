// Test tool: reads a batch of groups (component values by wire name, which samples were scored)
// and an advantage spec with a weight per component as JSON on stdin, runs FinishGroup on each
// group and FinishBatch on the batch (rewards/internal/finish.h), and prints one JSON line per
// group:
//   {"advantages": [...], "mean": m, "std": s, "zero_variance": b}
// advantages_numpy_test.py compares it with an independent numpy implementation.
#include <iostream>
#include <iterator>
#include <string>

#include "rewards/internal/finish.h"
#include "rewards/spec.h"
#include "simdjson.h"

namespace verdict {
namespace {

AdvantageEstimator Estimator(std::string_view name) {
  if (name == "dr_grpo") return AdvantageEstimator::kDrGrpo;
  if (name == "rloo") return AdvantageEstimator::kRloo;
  if (name == "reinforce_pp_baseline") return AdvantageEstimator::kReinforcePlusPlusBaseline;
  if (name == "none") return AdvantageEstimator::kNone;
  return AdvantageEstimator::kGrpo;
}

AdvantageScale Scale(std::string_view name) {
  if (name == "group") return AdvantageScale::kGroupStd;
  if (name == "batch") return AdvantageScale::kBatchStd;
  if (name == "none") return AdvantageScale::kNone;
  return AdvantageScale::kDefault;
}

int Main() {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(input);
  RewardSpec spec;
  spec.estimator = Estimator(std::string_view(root["estimator"]));
  spec.scale = Scale(std::string_view(root["scale"]));
  spec.std_kind =
      std::string_view(root["std"]) == "population" ? StdKind::kPopulation : StdKind::kSample;
  spec.epsilon = double(root["epsilon"]);
  spec.normalize_components = bool(root["normalize_components"]);
  for (auto [name, weight] : root["weights"].get_object()) {
    std::optional<Component> c = ComponentNamed(name);
    if (!c) {
      std::cerr << "unknown component " << name << "\n";
      return 2;
    }
    ComponentWeight(spec, *c) = double(weight);
  }
  std::vector<GroupResult> results;
  for (simdjson::dom::element g : root["groups"].get_array()) {
    GroupResult r;
    r.spec = spec;
    simdjson::dom::array scored = g["scored"];
    for (bool s : scored) {
      SampleResult sample;
      sample.verdict = Verdict::kWrongAnswer;
      if (!s) {
        sample.verdict = Verdict::kError;
        sample.error = absl::InternalError("not scored");
      }
      r.samples.push_back(std::move(sample));
    }
    for (auto [name, values] : g["components"].get_object()) {
      std::optional<Component> named = ComponentNamed(name);
      if (!named) {
        std::cerr << "unknown component " << name << "\n";
        return 2;
      }
      const Component c = *named;
      size_t i = 0;
      for (double v : values.get_array()) {
        r.samples[i].components.emplace_back(c, v);
        r.samples[i].reward += ComponentWeight(spec, c) * v;
        ++i;
      }
    }
    internal::FinishGroup(&r);
    results.push_back(std::move(r));
  }
  std::vector<GroupResult*> batch;
  for (GroupResult& r : results) batch.push_back(&r);
  internal::FinishBatch(batch);
  std::cout.precision(17);
  for (const GroupResult& r : results) {
    std::cout << "{\"advantages\":[";
    for (size_t i = 0; i < r.samples.size(); ++i)
      std::cout << (i ? "," : "") << r.samples[i].advantage;
    std::cout << "],\"mean\":" << r.stats.mean << ",\"std\":" << r.stats.std
              << ",\"zero_variance\":" << (r.stats.zero_variance ? "true" : "false") << "}\n";
  }
  return 0;
}

}  // namespace
}  // namespace verdict

int main() { return verdict::Main(); }
