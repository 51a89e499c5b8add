// `verdict filter`: rejection sampling for SFT data (DeepSeek-R1, stage 3). Reads the output of
// `verdict score` and keeps a completion only if it is correct, well-formatted, consistent in
// language, has no code block and no overlong paragraph in its reasoning, and was not truncated.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/json.h"
#include "base/utf8.h"
#include "cli/commands.h"
#include "cli/filter_rules.h"
#include "rewards/language.h"
#include "rewards/shaping.h"
#include "simdjson.h"

namespace verdict::cli {
namespace {

constexpr char kHelp[] = R"(usage: verdict filter --input scored.jsonl --output sft.jsonl [options]

Keeps the completions of a `verdict score` output that make good fine-tuning data. Each kept
completion becomes one line {"id", "prompt", "completion", "gold"}; every dropped one is counted
under its first failing rule (and written with its reason to --rejected FILE if given).

  --input FILE               output of `verdict score` ("-" = stdin)
  --output FILE              kept completions ("-" = stdout, the default)
  --rejected FILE            dropped completions with "reason"
  --min-language X           least language-consistency proportion (default 0.95; needs the
                             "language" component, else the rule is skipped)
  --max-paragraph-chars N    longest paragraph of the reasoning, in characters (default 3000)
  --allow-code               keep reasoning that contains ``` code blocks
  --id-field, --prompt-field, --gold-field, --completions-field, --completion-field,
  --result-field             as for `verdict score`

rules, in order: not_scored, not_correct, bad_format, truncated, language, code_in_reasoning,
long_paragraph
exit codes: 0 done; 1 could not run; 2 usage; 3 some lines could not be read
)";

struct Rules {
  double min_language = 0.95;
  int64_t max_paragraph_chars = 3000;
  bool allow_code = false;
};

// The first rule `completion` with `result` breaks, or "" to keep it.
std::string DropReason(std::string_view completion, simdjson::dom::element result,
                       const Rules& rules) {
  std::string_view verdict;
  if (result["verdict"].get(verdict) != simdjson::SUCCESS) return "not_scored";
  if (verdict != "CORRECT") return "not_correct";
  bool format_ok = false;
  if (result["format"]["ok"].get(format_ok) != simdjson::SUCCESS || !format_ok) return "bad_format";
  bool truncated = false;
  if (result["truncated"].get(truncated) == simdjson::SUCCESS && truncated) return "truncated";
  double language;
  if (result["components"]["language"].get(language) == simdjson::SUCCESS &&
      language < rules.min_language) {
    return "language";
  }
  std::string_view cot = ChainOfThought(completion);
  if (!rules.allow_code && cot.find("```") != std::string_view::npos) return "code_in_reasoning";
  if (LongestParagraph(cot) > rules.max_paragraph_chars) return "long_paragraph";
  return "";
}

}  // namespace

int RunFilter(const std::vector<std::string>& args) {
  FlagSpec fs;
  fs.value_flags = {
      "input",       "output",       "rejected",   "min-language",      "max-paragraph-chars",
      "id-field",    "prompt-field", "gold-field", "completions-field", "completion-field",
      "result-field"};
  fs.bool_flags = {"allow-code", "help"};
  absl::StatusOr<Flags> flags = Flags::Parse(args, fs);
  if (!flags.ok() || flags->Has("help") || !flags->Has("input")) {
    if (!flags.ok())
      std::fprintf(stderr, "verdict filter: %s\n", std::string(flags.status().message()).c_str());
    std::fputs(kHelp, flags.ok() && flags->Has("help") ? stdout : stderr);
    return flags.ok() && flags->Has("help") ? kExitOk : kExitUsage;
  }
  Rules rules;
  auto min_language = flags->GetDouble("min-language", rules.min_language);
  auto max_paragraph = flags->GetInt("max-paragraph-chars", rules.max_paragraph_chars);
  if (!min_language.ok() || !max_paragraph.ok()) {
    std::fprintf(
        stderr, "verdict filter: %s\n",
        std::string((!min_language.ok() ? min_language.status() : max_paragraph.status()).message())
            .c_str());
    return kExitUsage;
  }
  rules.min_language = *min_language;
  rules.max_paragraph_chars = *max_paragraph;
  rules.allow_code = flags->Has("allow-code");
  const std::string id_f = flags->Get("id-field", "id"),
                    prompt_f = flags->Get("prompt-field", "prompt"),
                    gold_f = flags->Get("gold-field", "gold"),
                    list_f = flags->Get("completions-field", "completions"),
                    one_f = flags->Get("completion-field", "completion"),
                    result_f = flags->Get("result-field", "verdict");

  std::ifstream in_file;
  std::istream* in = &std::cin;
  if (flags->Get("input") != "-") {
    in_file.open(flags->Get("input"), std::ios::binary);
    if (!in_file) {
      std::fprintf(stderr, "verdict filter: cannot open --input %s\n", flags->Get("input").c_str());
      return kExitFailure;
    }
    in = &in_file;
  }
  std::ofstream out_file, rejected_file;
  std::ostream* out = &std::cout;
  if (flags->Get("output", "-") != "-") {
    out_file.open(flags->Get("output"), std::ios::binary | std::ios::trunc);
    out = &out_file;
  }
  if (flags->Has("rejected"))
    rejected_file.open(flags->Get("rejected"), std::ios::binary | std::ios::trunc);
  if (!*out || (flags->Has("rejected") && !rejected_file)) {
    std::fprintf(stderr, "verdict filter: cannot open an output file\n");
    return kExitFailure;
  }

  simdjson::dom::parser parser;
  std::map<std::string, int64_t> reasons;
  int64_t kept = 0, total = 0, bad_lines = 0, line_no = 0;
  std::string line, record;
  auto emit = [&](simdjson::dom::element root, std::string_view completion,
                  simdjson::dom::element result) {
    ++total;
    std::string reason = DropReason(completion, result, rules);
    record.clear();
    record.push_back('{');
    auto field = [&](const char* key, simdjson::dom::element e) {
      if (record.size() > 1) record.push_back(',');
      AppendJsonString(key, &record);
      record.push_back(':');
      record.append(simdjson::minify(e));
    };
    simdjson::dom::element e;
    if (root[id_f].get(e) == simdjson::SUCCESS) field("id", e);
    if (root[prompt_f].get(e) == simdjson::SUCCESS) field("prompt", e);
    if (record.size() > 1) record.push_back(',');
    record.append("\"completion\":");
    AppendJsonString(completion, &record);
    if (root[gold_f].get(e) == simdjson::SUCCESS) field("gold", e);
    if (reason.empty()) {
      ++kept;
      *out << record << "}\n";
    } else {
      ++reasons[reason];
      if (rejected_file) {
        record.append(",\"reason\":");
        AppendJsonString(reason, &record);
        rejected_file << record << "}\n";
      }
    }
  };
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (!IsValidUtf8(line)) line = RepairUtf8(line);
    simdjson::dom::element root, result, completions;
    if (parser.parse(line).get(root) != simdjson::SUCCESS || !root.is_object() ||
        root[result_f].get(result) != simdjson::SUCCESS) {
      ++bad_lines;
      std::fprintf(stderr, "verdict filter: line %lld: not a line of `verdict score` output\n",
                   static_cast<long long>(line_no));
      continue;
    }
    simdjson::dom::element sample;
    std::string_view text;
    if (result["sample"].get(sample) == simdjson::SUCCESS) {  // one completion per line
      simdjson::dom::element c;
      if (root[one_f].get(c) == simdjson::SUCCESS &&
          (c.get(text) == simdjson::SUCCESS || c["text"].get(text) == simdjson::SUCCESS)) {
        emit(root, text, sample);
      }
      continue;
    }
    simdjson::dom::array samples;
    if (root[list_f].get(completions) != simdjson::SUCCESS || !completions.is_array() ||
        result["samples"].get(samples) != simdjson::SUCCESS) {
      // A group that could not be scored: all of its completions are dropped as not scored.
      if (root[list_f].get(completions) == simdjson::SUCCESS && completions.is_array()) {
        for (simdjson::dom::element c : completions.get_array()) {
          if (c.get(text) != simdjson::SUCCESS && c["text"].get(text) != simdjson::SUCCESS)
            text = {};
          emit(root, text, result);  // result has no "verdict": not_scored
        }
      }
      continue;
    }
    auto s = samples.begin();
    for (simdjson::dom::element c : completions.get_array()) {
      if (s == samples.end()) break;
      if (c.get(text) != simdjson::SUCCESS && c["text"].get(text) != simdjson::SUCCESS) text = {};
      emit(root, text, *s);
      ++s;
    }
  }
  std::string summary = absl::StrFormat("kept %d of %d completions (%.2f%%)\n", kept, total,
                                        total ? 100.0 * kept / total : 0.0);
  for (const auto& [reason, n] : reasons) {
    absl::StrAppendFormat(&summary, "  dropped %-18s %8d  (%.2f%%)\n", reason, n,
                          100.0 * n / total);
  }
  if (bad_lines) absl::StrAppendFormat(&summary, "  unreadable lines   %8d\n", bad_lines);
  std::fputs(summary.c_str(), stderr);
  out->flush();
  return bad_lines ? kExitRejected : kExitOk;
}

}  // namespace verdict::cli
