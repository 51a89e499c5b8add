// libFuzzer target for cli/jsonl_input: the rollout files `verdict score` reads are untrusted
// JSONL. The input is read as a whole file, once with the default options and once rules-only.
// Checked: no crash; units come in line order; every kept line is valid UTF-8 (repaired); a
// unit without error holds a group with one completion per line in the per-line shape, and a
// unit with an error holds no group.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <utility>

#include "base/utf8.h"
#include "cli/jsonl_input.h"

namespace {

void ReadAll(const std::string& text, verdict::cli::InputOptions options) {
  std::istringstream in(text);
  verdict::cli::JsonlGroupReader reader(&in, std::move(options));
  verdict::cli::InputUnit unit;
  int64_t last_line = 0;
  while (reader.Next(&unit)) {
    if (unit.first_line <= last_line || unit.first_line > reader.lines_read()) std::abort();
    last_line = unit.first_line;
    if (unit.lines.empty()) std::abort();
    for (const std::string& line : unit.lines) {
      if (!verdict::IsValidUtf8(line)) std::abort();
    }
    if (unit.error.ok()) {
      if (unit.per_line && unit.group.completions_size() != static_cast<int>(unit.lines.size())) {
        std::abort();
      }
    } else if (unit.group.completions_size() != 0 || unit.error.message().empty()) {
      std::abort();
    }
  }
  (void)reader.TakeWarnings();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ReadAll(text, verdict::cli::InputOptions{});
  verdict::cli::InputOptions rules_only;
  rules_only.rules_only = true;
  rules_only.completions_field = "c";
  rules_only.completion_field = "t";
  ReadAll(text, rules_only);
  return 0;
}
