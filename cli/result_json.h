// JSON rendering of results for the CLI's output files. Fixed key order (components sorted by
// name), shortest round-trip numbers, so in-process and --server runs write identical bytes.
#ifndef VERDICT_CLI_RESULT_JSON_H_
#define VERDICT_CLI_RESULT_JSON_H_

#include <string>
#include <string_view>

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

}  // namespace verdict::cli

#endif  // VERDICT_CLI_RESULT_JSON_H_
