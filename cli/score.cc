// `verdict score`: score a JSONL rollout file, in-process or through a server, streaming with
// bounded memory and writing results in input order.
#include <unistd.h>

#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/json.h"
#include "cli/backend.h"
#include "cli/commands.h"
#include "cli/jsonl_input.h"
#include "cli/result_json.h"

namespace verdict::cli {
namespace {

constexpr char kHelp[] = R"(usage: verdict score --input FILE [--output FILE] [options]

Scores a JSONL file of rollout groups. Each output line is the input line with a "verdict"
member added (the group's results; for one-completion-per-line input, that sample's result).
Lines that cannot be read are reported on stderr with their line number and written as
{"verdict_error": {...}, "raw": "<line>"}; the rest are scored.

  --input FILE          JSONL input ("-" = stdin)
  --output FILE         JSONL output ("-" = stdout, the default)
  --server ADDR         score through a running server (host:port or unix:/path)
  --threads N           scoring threads in-process (default: one per core)
  --concurrency N       calls in flight with --server (default 4)
  --timeout-ms MS       deadline per call with --server (default none)
  --batch-groups N      groups per batch (default 16; 64 with --server, fewer and larger
                        calls, unless advantages are batch-scaled: a batch is then the
                        whitening unit and stays 16 either way)
  --rules-only          no gold answers: score format and rules only
  --code-field NAME     code reference, JSON of verdict.v1.CodeReference (default code)
  --instructions-field NAME  instruction constraints, a JSON list of verdict.v1.Constraint
                        (default instructions)
  --no-code             do not create a sandbox; code groups are refused
  --id-field NAME       (default id)      --prompt-field NAME (default prompt)
  --gold-field NAME     (default gold)    --completions-field NAME (default completions)
  --completion-field NAME   one completion per line, grouped by consecutive id (default completion)
  --result-field NAME   name of the member added to each line (default verdict)
  --quiet               no progress bar and no summary

exit codes: 0 all scored; 1 could not run; 2 usage; 3 some lines or groups rejected
)";

struct Batch {
  std::vector<InputUnit> units;
  absl::StatusOr<BatchResults> results;
  bool done = false;
};

// Running totals for the end-of-run summary.
struct Summary {
  int64_t groups = 0, group_errors = 0, samples = 0, sample_errors = 0;
  int64_t with_accuracy = 0, correct = 0, with_format = 0, format_ok = 0, zero_variance = 0;
  int64_t rejected_lines = 0;
  double reward_sum = 0;
  std::map<std::string, std::pair<double, int64_t>> components;  // sum, count
  std::map<int, std::pair<double, int64_t>> pass_at_k;           // sum, groups
  int64_t majority_groups = 0, majority_correct = 0;

  void Add(const GroupView& g) {
    ++groups;
    if (g.error != nullptr) {
      ++group_errors;
      return;
    }
    const v1::GroupStats& stats = *g.stats;
    if (stats.zero_variance()) ++zero_variance;
    for (const auto& [k, v] : stats.pass_at_k()) {
      pass_at_k[k].first += v;
      ++pass_at_k[k].second;
    }
    if (stats.has_majority() && stats.majority().count() > 0) {
      ++majority_groups;
      majority_correct += stats.majority().correct();
    }
    for (const SampleView& s : g.samples) {
      ++samples;
      if (s.error != nullptr) {
        ++sample_errors;
        continue;
      }
      reward_sum += s.reward;
      for (const auto& [name, value] : s.components) {
        auto& [sum, count] = components[std::string(name)];
        sum += value;
        ++count;
      }
      if (s.verdict != v1::NOT_CHECKED) {
        ++with_accuracy;
        if (s.verdict == v1::CORRECT) ++correct;
      }
      const FormatView format = s.format.value_or(FormatView{});
      if (format.template_name != "none") {
        ++with_format;
        if (format.ok) ++format_ok;
      }
    }
  }

  void Print(double seconds) const {
    int64_t scored = samples - sample_errors;
    auto pct = [](int64_t a, int64_t b) { return b ? 100.0 * a / b : 0.0; };
    std::string out =
        absl::StrFormat("scored %d samples in %d groups in %.2f s (%.0f samples/s)\n", samples,
                        groups, seconds, seconds > 0 ? samples / seconds : 0.0);
    absl::StrAppendFormat(&out, "  mean reward        %.4f\n", scored ? reward_sum / scored : 0.0);
    for (const auto& [name, sc] : components) {
      absl::StrAppendFormat(&out, "  mean %-13s %.4f\n", name,
                            sc.second ? sc.first / sc.second : 0.0);
    }
    if (with_accuracy) {
      absl::StrAppendFormat(&out, "  accuracy           %.2f%% (%d of %d)\n",
                            pct(correct, with_accuracy), correct, with_accuracy);
    }
    if (with_format) {
      absl::StrAppendFormat(&out, "  format ok          %.2f%% (%d of %d)\n",
                            pct(format_ok, with_format), format_ok, with_format);
    }
    absl::StrAppendFormat(&out, "  zero-variance      %.2f%% of groups\n",
                          pct(zero_variance, groups - group_errors));
    for (const auto& [k, sc] : pass_at_k) {
      absl::StrAppendFormat(&out, "  pass@%-13d %.4f (mean over %d groups)\n", k,
                            sc.second ? sc.first / sc.second : 0.0, sc.second);
    }
    if (majority_groups) {
      absl::StrAppendFormat(&out, "  maj@k accuracy     %.2f%% (%d of %d groups)\n",
                            pct(majority_correct, majority_groups), majority_correct,
                            majority_groups);
    }
    if (group_errors || sample_errors || rejected_lines) {
      absl::StrAppendFormat(&out, "  rejected           %d lines, %d groups, %d samples\n",
                            rejected_lines, group_errors, sample_errors);
    }
    std::fputs(out.c_str(), stderr);
  }
};

class Writer {
 public:
  Writer(std::ostream* out, std::string result_field)
      : out_(out), field_(std::move(result_field)) {}

  // Writes one finished batch; returns false on a fatal call error.
  bool Write(Batch& batch, Summary* summary, std::string* fatal) {
    if (!batch.results.ok()) {
      *fatal = std::string(batch.results.status().message());
      return false;
    }
    size_t next = 0, expected = 0;
    for (const InputUnit& u : batch.units) expected += u.error.ok();
    if ((*batch.results)->groups.size() != expected) {
      *fatal = absl::StrCat("the backend returned ", (*batch.results)->groups.size(),
                            " group results for ", expected, " groups");
      return false;
    }
    std::string line, json;
    for (InputUnit& u : batch.units) {
      if (!u.error.ok()) {
        ++summary->rejected_lines;
        std::fprintf(stderr, "verdict score: %s\n", std::string(u.error.message()).c_str());
        json.clear();
        json.append("{\"verdict_error\":");
        AppendErrorJson(static_cast<int>(u.error.code()), std::string(u.error.message()), &json);
        json.append(",\"raw\":");
        AppendJsonString(u.lines[0], &json);
        json.append("}\n");
        *out_ << json;
        continue;
      }
      const GroupView& r = (*batch.results)->groups[next++];
      summary->Add(r);
      if (r.error != nullptr) {
        std::fprintf(stderr, "verdict score: line %lld: %s\n", static_cast<long long>(u.first_line),
                     r.error->message().c_str());
      }
      if (!u.per_line || r.error != nullptr) {
        json.clear();
        AppendGroupResultJson(r, &json);
        for (const std::string& raw : u.lines) *out_ << AddMember(raw, field_, json) << '\n';
        continue;
      }
      if (r.samples.size() != u.lines.size()) {
        *fatal = absl::StrCat("the backend returned ", r.samples.size(), " samples for ",
                              u.lines.size(), " completions (line ", u.first_line, ")");
        return false;
      }
      for (size_t i = 0; i < u.lines.size(); ++i) {
        json.clear();
        json.append("{\"group_id\":");
        AppendJsonString(r.group_id, &json);
        json.append(",\"sample\":");
        AppendSampleJson(r.samples[i], &json);
        json.append(",\"stats\":");
        AppendStatsJson(*r.stats, &json);
        json.push_back('}');
        *out_ << AddMember(u.lines[i], field_, json) << '\n';
      }
    }
    return true;
  }

 private:
  std::ostream* out_;
  std::string field_;
};

// A --server call has fixed costs a batch in this process does not (thread wake-ups on both
// sides, HTTP/2 framing, a response arena): 64 groups a call took a third of the context
// switches of 16 and ~2% of the service's instructions (bench/server/cpu_ratio.py, #16). With
// batch-scaled advantages the batch is the whitening unit, so both paths keep 16 and write the
// same advantages.
int64_t DefaultBatchGroups(bool server, const v1::RewardSpec& spec) {
  const v1::AdvantageSpec& a = spec.advantage();
  const bool batch_scaled = a.estimator() == v1::ADVANTAGE_ESTIMATOR_REINFORCE_PP_BASELINE ||
                            a.scale() == v1::ADVANTAGE_SCALE_BATCH_STD;
  return server && !batch_scaled ? 64 : 16;
}

}  // namespace

int RunScore(const std::vector<std::string>& args) {
  FlagSpec fs;
  fs.value_flags = {"input",
                    "output",
                    "server",
                    "threads",
                    "concurrency",
                    "timeout-ms",
                    "batch-groups",
                    "id-field",
                    "prompt-field",
                    "gold-field",
                    "completions-field",
                    "completion-field",
                    "result-field",
                    "code-field",
                    "instructions-field"};
  fs.bool_flags = {"rules-only", "quiet", "help", "no-code"};
  AddSpecFlags(&fs);
  absl::StatusOr<Flags> flags = Flags::Parse(args, fs);
  if (!flags.ok() || flags->Has("help") || !flags->Has("input")) {
    if (!flags.ok())
      std::fprintf(stderr, "verdict score: %s\n", std::string(flags.status().message()).c_str());
    std::fputs(kHelp, stderr);
    std::fputs(kSpecFlagsHelp, stderr);
    return flags.ok() && flags->Has("help") ? kExitOk : kExitUsage;
  }
  absl::StatusOr<v1::RewardSpec> spec = SpecFromFlags(*flags);
  absl::StatusOr<int64_t> threads = flags->GetInt("threads", 0);
  absl::StatusOr<int64_t> concurrency = flags->GetInt("concurrency", 4);
  absl::StatusOr<int64_t> timeout_ms = flags->GetInt("timeout-ms", 0);
  absl::StatusOr<int64_t> batch_groups = flags->GetInt(
      "batch-groups", spec.ok() ? DefaultBatchGroups(flags->Has("server"), *spec) : 16);
  for (const absl::Status& s : {spec.status(), threads.status(), concurrency.status(),
                                timeout_ms.status(), batch_groups.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "verdict score: %s\n", std::string(s.message()).c_str());
      return kExitUsage;
    }
  }
  if (*batch_groups < 1 || *threads < 0 || *concurrency < 1) {
    std::fprintf(stderr, "verdict score: --batch-groups and --concurrency must be >= 1\n");
    return kExitUsage;
  }

  InputOptions in_options;
  in_options.id_field = flags->Get("id-field", in_options.id_field);
  in_options.prompt_field = flags->Get("prompt-field", in_options.prompt_field);
  in_options.gold_field = flags->Get("gold-field", in_options.gold_field);
  in_options.completions_field = flags->Get("completions-field", in_options.completions_field);
  in_options.completion_field = flags->Get("completion-field", in_options.completion_field);
  in_options.rules_only = flags->Has("rules-only");
  in_options.code_field = flags->Get("code-field", in_options.code_field);
  in_options.instructions_field = flags->Get("instructions-field", in_options.instructions_field);

  std::ifstream in_file;
  std::istream* in = &std::cin;
  if (flags->Get("input") != "-") {
    in_file.open(flags->Get("input"), std::ios::binary);
    if (!in_file) {
      std::fprintf(stderr, "verdict score: cannot open --input %s\n", flags->Get("input").c_str());
      return kExitFailure;
    }
    in = &in_file;
  }
  std::ofstream out_file;
  std::ostream* out = &std::cout;
  std::string output = flags->Get("output", "-");
  if (output != "-") {
    out_file.open(output, std::ios::binary | std::ios::trunc);
    if (!out_file) {
      std::fprintf(stderr, "verdict score: cannot open --output %s\n", output.c_str());
      return kExitFailure;
    }
    out = &out_file;
  }

  absl::StatusOr<std::unique_ptr<ScoreBackend>> backend =
      flags->Has("server")
          ? MakeGrpcBackend(flags->Get("server"), *spec, static_cast<size_t>(*concurrency),
                            absl::Milliseconds(*timeout_ms))
          : MakeInProcessBackend(*spec, static_cast<size_t>(*threads), !flags->Has("no-code"));
  if (!backend.ok()) {
    std::fprintf(stderr, "verdict score: %s\n", std::string(backend.status().message()).c_str());
    return backend.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                                         : kExitFailure;
  }

  const bool quiet = flags->Has("quiet");
  const bool progress = !quiet && isatty(STDERR_FILENO);
  JsonlGroupReader reader(in, in_options);
  Writer writer(out, flags->Get("result-field", "verdict"));
  Summary summary;
  absl::Mutex mu;
  std::deque<std::shared_ptr<Batch>> window;  // submitted, in input order
  const size_t max_window = (*backend)->concurrency();
  const absl::Time start = absl::Now();
  absl::Time last_progress = start;
  std::string fatal;

  auto submit = [&](std::shared_ptr<Batch> batch) {
    std::vector<v1::Group> groups;
    for (InputUnit& u : batch->units) {
      if (u.error.ok()) groups.push_back(std::move(u.group));
    }
    (*backend)->Submit(std::move(groups), [&mu, batch](auto results) {
      absl::MutexLock lock(&mu);
      batch->results = std::move(results);
      batch->done = true;
    });
    window.push_back(std::move(batch));
  };
  // Writes finished batches from the front; with `block`, waits for the front one.
  auto drain = [&](bool block) -> bool {
    while (!window.empty()) {
      std::shared_ptr<Batch> front = window.front();
      {
        absl::MutexLock lock(&mu);
        if (block) mu.Await(absl::Condition(&front->done));
        if (!front->done) return true;
      }
      window.pop_front();
      if (!writer.Write(*front, &summary, &fatal)) return false;
      for (const std::string& w : reader.TakeWarnings())
        std::fprintf(stderr, "verdict score: %s\n", w.c_str());
      if (progress && absl::Now() - last_progress > absl::Milliseconds(200)) {
        last_progress = absl::Now();
        double secs = absl::ToDoubleSeconds(last_progress - start);
        std::fprintf(stderr, "\r  %lld groups  %lld samples  %.0f samples/s   ",
                     static_cast<long long>(summary.groups),
                     static_cast<long long>(summary.samples),
                     secs > 0 ? summary.samples / secs : 0.0);
      }
      if (!block) continue;
      block = false;
    }
    return true;
  };

  auto batch = std::make_shared<Batch>();
  InputUnit unit;
  bool ok = true;
  while (ok && reader.Next(&unit)) {
    batch->units.push_back(std::move(unit));
    unit = InputUnit();
    if (batch->units.size() < static_cast<size_t>(*batch_groups)) continue;
    submit(std::exchange(batch, std::make_shared<Batch>()));
    ok = drain(false);
    while (ok && window.size() >= max_window) ok = drain(true);
  }
  if (ok && !batch->units.empty()) submit(batch);
  while (ok && !window.empty()) ok = drain(true);
  // On a fatal error, wait for batches still in flight: their callbacks reference `mu`.
  for (auto& b : window) {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&b->done));
  }
  for (const std::string& w : reader.TakeWarnings())
    std::fprintf(stderr, "verdict score: %s\n", w.c_str());
  out->flush();
  if (progress) std::fputs("\n", stderr);
  if (!ok) {
    std::fprintf(stderr, "verdict score: %s\n", fatal.c_str());
    return kExitFailure;
  }
  if (!*out) {
    std::fprintf(stderr, "verdict score: writing the output failed\n");
    return kExitFailure;
  }
  if (!quiet) summary.Print(absl::ToDoubleSeconds(absl::Now() - start));
  return summary.rejected_lines || summary.group_errors ? kExitRejected : kExitOk;
}

}  // namespace verdict::cli
