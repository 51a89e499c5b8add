// `verdict check`: one-off or whole-file math answer checking, with explanations.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/json.h"
#include "base/utf8.h"
#include "cli/commands.h"
#include "cli/result_json.h"
#include "simdjson.h"
#include "verifier/math/verify.h"

namespace verdict::cli {
namespace {

constexpr char kHelp[] = R"(usage: verdict check [POLICIES] GOLD ANSWER
       verdict check [POLICIES] --jsonl FILE [--output FILE] [--gold-field gold] [--pred-field pred]

Checks whether ANSWER (a bare answer or a whole response) is equivalent to GOLD and explains
how it was read. With --jsonl, reads one JSON object per line and writes each line back with
"equivalent" (true, false, or null when undecided), "verdict", "extracted", "canonical" and
"reason" added. A gold field may be a string or a list of acceptable answers. Every non-blank
input line gets exactly one output line: one that cannot be read is written as
{"verdict_error": {...}, "raw": "<line>"} and reported on stderr.

policies (README "Math answers"):
  --decimal-policy rounded[:N]|exact   decimals against exact values (default rounded:4)
  --percent-policy number_or_fraction|number|fraction   25% against 25 / 0.25

exit codes (GOLD ANSWER form): 0 equivalent; 1 not equivalent; 2 usage; 3 undecided
exit codes (--jsonl form): 0 all lines checked; 1 could not run; 2 usage; 3 some lines rejected
)";

absl::StatusOr<math::MathOptions> OptionsFromFlags(const Flags& flags) {
  math::MathOptions o;
  if (flags.Has("decimal-policy")) {
    const std::string& p = flags.Get("decimal-policy");
    int digits = 0;
    if (p == "exact") {
      o.compare.decimal = math::DecimalPolicy::kExact;
    } else if (p == "rounded") {
      o.compare.decimal = math::DecimalPolicy::kRoundedAtWrittenPrecision;
    } else if (p.rfind("rounded:", 0) == 0 && absl::SimpleAtoi(p.substr(8), &digits) &&
               digits >= 1) {
      o.compare.decimal = math::DecimalPolicy::kRoundedAtWrittenPrecision;
      o.compare.min_significant_digits = digits;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--decimal-policy wants exact, rounded or rounded:N, got '", p, "'"));
    }
  }
  if (flags.Has("percent-policy")) {
    const std::string& p = flags.Get("percent-policy");
    if (p == "number_or_fraction")
      o.compare.percent = math::PercentPolicy::kNumberOrFraction;
    else if (p == "number")
      o.compare.percent = math::PercentPolicy::kNumber;
    else if (p == "fraction")
      o.compare.percent = math::PercentPolicy::kFraction;
    else {
      return absl::InvalidArgumentError(absl::StrCat(
          "--percent-policy wants number_or_fraction, number or fraction, got '", p, "'"));
    }
  }
  return o;
}

int CheckFile(const Flags& flags, const math::MathOptions& options) {
  std::ifstream in(flags.Get("jsonl"), std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "verdict check: cannot open %s\n", flags.Get("jsonl").c_str());
    return kExitFailure;
  }
  std::ofstream out_file;
  std::ostream* out = &std::cout;
  if (flags.Get("output", "-") != "-") {
    out_file.open(flags.Get("output"), std::ios::binary | std::ios::trunc);
    if (!out_file) {
      std::fprintf(stderr, "verdict check: cannot open %s\n", flags.Get("output").c_str());
      return kExitFailure;
    }
    out = &out_file;
  }
  const std::string gold_field = flags.Get("gold-field", "gold");
  const std::string pred_field = flags.Get("pred-field", "pred");
  simdjson::dom::parser parser;
  std::string line;
  int64_t line_no = 0, rejected = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // as `verdict score`
    if (!IsValidUtf8(line)) line = RepairUtf8(line);
    simdjson::dom::element root;
    std::vector<std::string> golds;
    std::string_view pred;
    std::string error;
    if (auto err = parser.parse(line).get(root); err != simdjson::SUCCESS) {
      // Includes a lone surrogate escape ("\ud800"), which is not a character.
      error = absl::StrCat("invalid JSON (", simdjson::error_message(err), ")");
    } else if (!root.is_object() || root[pred_field].get(pred) != simdjson::SUCCESS) {
      error = absl::StrCat("need an object with string '", gold_field, "' and '", pred_field, "'");
    } else {
      simdjson::dom::element g;
      if (root[gold_field].get(g) != simdjson::SUCCESS) {
        error = absl::StrCat("no '", gold_field, "' member");
      } else if (g.is_string()) {
        golds.emplace_back(std::string_view(g.get_string()));
      } else if (g.is_array()) {
        for (auto item : g.get_array()) {
          std::string_view s;
          if (item.get(s) == simdjson::SUCCESS) golds.emplace_back(s);
        }
      } else {
        error = absl::StrCat("'", gold_field, "' must be a string or a list of strings");
      }
    }
    if (!error.empty()) {
      // Every input line gets one output line, so outputs can be zipped with inputs: an unreadable
      // line is written as {"verdict_error": {...}, "raw": "<line>"}, like `verdict score` does.
      ++rejected;
      error = absl::StrCat("line ", line_no, ": ", error);
      std::fprintf(stderr, "verdict check: %s\n", error.c_str());
      std::string json = "{\"verdict_error\":";
      AppendErrorJson(static_cast<int>(absl::StatusCode::kInvalidArgument), error, &json);
      json.append(",\"raw\":");
      AppendJsonString(line, &json);
      *out << json << "}\n";
      continue;
    }
    math::MathVerdict v = math::VerifyAnswer(pred, golds, options);
    std::string l = line;
    const char* eq = v.outcome == math::Outcome::kCorrect     ? "true"
                     : v.outcome == math::Outcome::kUndecided ? "null"
                                                              : "false";
    l = AddMember(l, "equivalent", eq);
    std::string s;
    AppendJsonString(math::OutcomeName(v.outcome), &s);
    l = AddMember(l, "verdict", s);
    s.clear();
    AppendJsonString(RepairUtf8(v.extracted), &s);
    l = AddMember(l, "extracted", s);
    s.clear();
    AppendJsonString(RepairUtf8(v.canonical), &s);
    l = AddMember(l, "canonical", s);
    s.clear();
    AppendJsonString(RepairUtf8(v.reason), &s);
    l = AddMember(l, "reason", s);
    *out << l << '\n';
  }
  return rejected ? kExitRejected : kExitOk;
}

}  // namespace

int RunCheck(const std::vector<std::string>& args) {
  FlagSpec fs;
  fs.value_flags = {"jsonl",      "output",         "gold-field",
                    "pred-field", "decimal-policy", "percent-policy"};
  fs.bool_flags = {"help"};
  absl::StatusOr<Flags> flags = Flags::Parse(args, fs);
  if (!flags.ok()) {
    std::fprintf(stderr, "verdict check: %s\n%s", std::string(flags.status().message()).c_str(),
                 kHelp);
    return kExitUsage;
  }
  if (flags->Has("help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  absl::StatusOr<math::MathOptions> options = OptionsFromFlags(*flags);
  if (!options.ok()) {
    std::fprintf(stderr, "verdict check: %s\n", std::string(options.status().message()).c_str());
    return kExitUsage;
  }
  if (flags->Has("jsonl")) return CheckFile(*flags, *options);
  if (flags->positional().size() != 2) {
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  std::vector<std::string> golds = {flags->positional()[0]};
  math::MathVerdict v = math::VerifyAnswer(flags->positional()[1], golds, *options);
  std::printf("verdict:   %s\n", std::string(math::OutcomeName(v.outcome)).c_str());
  std::printf("extracted: %s  (from %s)\n", v.extracted.c_str(),
              std::string(math::AnswerSourceName(v.source)).c_str());
  std::printf("read as:   %s\n", v.canonical.c_str());
  std::printf("reason:    %s\n", v.reason.c_str());
  switch (v.outcome) {
    case math::Outcome::kCorrect: return 0;
    case math::Outcome::kUndecided: return 3;
    default: return 1;
  }
}

}  // namespace verdict::cli
