// Reads rollout files (JSONL) into groups, streaming: memory is bounded by one group.
//
// Two shapes, with configurable field names:
//  - list:     one line per group, {"id", "prompt", "gold", "completions": [text | {text,
//              num_tokens, finish_reason}, ...]}
//  - per-line: one line per completion, {"id", "prompt", "gold", "completion"}; consecutive
//              lines with the same id form a group.
// "gold" is a string, a number, or a list of acceptable answers; "code" is a code reference;
// "instructions" a list of instruction constraints. Unknown fields are kept in the
// raw line (and so in the output) and otherwise ignored.
#ifndef VERDICT_CLI_JSONL_INPUT_H_
#define VERDICT_CLI_JSONL_INPUT_H_

#include <cstdint>
#include <deque>
#include <istream>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "verdict/v1/verdict.pb.h"

namespace simdjson::dom {
class parser;
}

namespace verdict::cli {

struct InputOptions {
  std::string id_field = "id";
  std::string prompt_field = "prompt";
  std::string gold_field = "gold";
  // A code reference: the JSON form of verdict.v1.CodeReference, e.g. {"language": "python3",
  // "tests": [{"input": "1 2", "expected": "3"}]}. Used when the line has no gold answer.
  std::string code_field = "code";
  // Instruction constraints: a list of verdict.v1.Constraint in JSON, IFEval's kwargs beside the
  // id, e.g. [{"id": "length_constraints:number_words", "num_words": 300, "relation":
  // "less than"}]. Used when the line has no gold answer and no code reference.
  std::string instructions_field = "instructions";
  std::string completions_field = "completions";  // list shape
  std::string completion_field = "completion";    // per-line shape
  std::string prompt_tokens_field = "prompt_tokens";
  std::string num_tokens_field = "num_tokens";
  std::string finish_reason_field = "finish_reason";
  // Groups have no gold answer: score format and other rules only. Default false (a group
  // without gold is then an error, reported per group).
  bool rules_only = false;
};

// One group read from the input, or one line that could not be read.
struct InputUnit {
  int64_t first_line = 0;          // 1-based line number of the unit's first line
  std::vector<std::string> lines;  // the raw JSON lines (invalid UTF-8 repaired)
  bool per_line = false;           // true: lines[i] holds completion i
  v1::Group group;                 // valid when error is OK
  absl::Status error;              // the line is not a usable JSON object (group not set)
};

class JsonlGroupReader {
 public:
  // Does not own `in`.
  JsonlGroupReader(std::istream* in, InputOptions options);
  ~JsonlGroupReader();

  // Next unit in input order; false at the end of the input.
  bool Next(InputUnit* unit);

  // Problems that did not stop a line from being scored ("line 7: invalid UTF-8 replaced").
  std::vector<std::string> TakeWarnings();
  int64_t lines_read() const { return line_no_; }

 private:
  void ReadLine(const std::string& raw);
  void FlushPending();

  std::istream* in_;
  InputOptions options_;
  int64_t line_no_ = 0;
  std::deque<InputUnit> ready_;
  bool has_pending_ = false;  // a per-line group still collecting lines
  InputUnit pending_;
  std::unordered_set<std::string> closed_ids_;
  std::vector<std::string> warnings_;
  std::unique_ptr<simdjson::dom::parser> parser_;  // reused: its buffers grow to the longest line
};

}  // namespace verdict::cli

#endif  // VERDICT_CLI_JSONL_INPUT_H_
