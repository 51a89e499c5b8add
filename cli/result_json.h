// JSON rendering of results for the CLI's output files. Fixed key order (components sorted by
// name), shortest round-trip numbers, so in-process and --server runs write identical bytes.
#ifndef VERDICT_CLI_RESULT_JSON_H_
#define VERDICT_CLI_RESULT_JSON_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "verdict/v1/verdict.pb.h"

namespace verdict::cli {

// A sample's components, sorted by name (at most one per Component with the packed form).
using NamedComponents = absl::InlinedVector<std::pair<std::string_view, double>, 8>;

// What the output and the summary read of a SampleResult / GroupResult, pointing into memory
// that outlives the view: a parsed message (SampleViewOf, GroupViewOf), or the wire bytes of a
// --server response read without building messages (cli/result_wire.h). One writer for both,
// so that in-process and --server output stay the same bytes.
struct MathView {
  std::string_view extracted, source, canonical;
  int32_t matched_gold = 0;
};
struct FormatView {
  bool ok = false;
  std::string_view template_name, problem;  // template_name "" when the sample has no format
  bool think_prefilled = false;
};
struct SampleView {
  double reward = 0, advantage = 0;
  int verdict = 0;  // a v1::Verdict value
  std::string_view reason;
  NamedComponents components;
  int64_t length = 0;
  bool truncated = false;
  const v1::ErrorStatus* error = nullptr;  // null: none (and likewise below)
  std::optional<MathView> math;
  std::optional<FormatView> format;
  const v1::CodeDetails* code = nullptr;
  const v1::InstructionDetails* instructions = nullptr;
  const v1::LanguageDetails* language = nullptr;
};
struct GroupView {
  std::string_view group_id;
  const v1::ErrorStatus* error = nullptr;
  std::vector<SampleView> samples;
  const v1::GroupStats* stats = &v1::GroupStats::default_instance();
};
void SampleViewOf(const v1::SampleResult& sample, SampleView* out);
void GroupViewOf(const v1::GroupResult& group, GroupView* out);

void AppendNumber(double value, std::string* out);  // NaN and infinities become null
void AppendSampleJson(const SampleView& sample, std::string* out);
void AppendSampleJson(const v1::SampleResult& sample, std::string* out);
void AppendStatsJson(const v1::GroupStats& stats, std::string* out);
void AppendGroupResultJson(const GroupView& group, std::string* out);
void AppendGroupResultJson(const v1::GroupResult& group, std::string* out);
void AppendErrorJson(int code, std::string_view message, std::string* out);

// Returns the JSON object `object_line` with `"key": value_json` added as its last member.
// `object_line` must be a JSON object (it was parsed before).
std::string AddMember(std::string_view object_line, std::string_view key,
                      std::string_view value_json);

std::string_view VerdictName(v1::Verdict verdict);

// A sample's components, sorted by name, from either wire form: the `components` map, or the
// packed lists a server sends for ScoreRequest.packed_components (ids in range; the --server
// backend refuses a response with one it does not know, see KnownPackedComponents). The names
// point into the sample or a static table.
void ComponentsOf(const v1::SampleResult& sample, NamedComponents* out);

// OK when every sample's packed components are well formed (as many values as ids, each id a
// Component this build knows); else INTERNAL naming the first bad one.
absl::Status KnownPackedComponents(const v1::ScoreResponse& response);

}  // namespace verdict::cli

#endif  // VERDICT_CLI_RESULT_JSON_H_
