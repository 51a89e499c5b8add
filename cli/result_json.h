// JSON rendering of results for the CLI's output files. Fixed key order (components sorted by
// name), shortest round-trip numbers, so in-process and --server runs write identical bytes.
#ifndef VERDICT_CLI_RESULT_JSON_H_
#define VERDICT_CLI_RESULT_JSON_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "verdict/v1/verdict.pb.h"

namespace verdict::cli {

void AppendNumber(double value, std::string* out);  // NaN and infinities become null
void AppendSampleJson(const v1::SampleResult& sample, std::string* out);
void AppendStatsJson(const v1::GroupStats& stats, std::string* out);
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
using NamedComponents = std::vector<std::pair<std::string_view, double>>;
void ComponentsOf(const v1::SampleResult& sample, NamedComponents* out);

// OK when every sample's packed components are well formed (as many values as ids, each id a
// Component this build knows); else INTERNAL naming the first bad one.
absl::Status KnownPackedComponents(const v1::ScoreResponse& response);

}  // namespace verdict::cli

#endif  // VERDICT_CLI_RESULT_JSON_H_
