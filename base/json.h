// JSON string literals for the JSON that Verdict writes by hand (logs, JSONL results, HTTP
// errors). Pure functions, safe to call from any thread.
#ifndef VERDICT_BASE_JSON_H_
#define VERDICT_BASE_JSON_H_

#include <string>
#include <string_view>

namespace verdict {

// Appends `s` to `out` as a JSON string literal (quotes included): '"', '\\' and control
// characters escaped, every other byte copied (callers repair invalid UTF-8 first if it matters).
void AppendJsonString(std::string_view s, std::string* out);

// `s` as a JSON string literal (quotes included).
std::string JsonString(std::string_view s);

}  // namespace verdict

#endif  // VERDICT_BASE_JSON_H_
