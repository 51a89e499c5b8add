// Reads the shared math conformance set (../shared/data/math/conformance.jsonl) in place: one
// labelled gold/prediction pair per line. Used by the conformance test and bench/math.
#ifndef VERDICT_TESTS_VERIFIER_MATH_CONFORMANCE_DATA_H_
#define VERDICT_TESTS_VERIFIER_MATH_CONFORMANCE_DATA_H_

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "simdjson.h"

namespace verdict::math::testing {

struct ConformanceRow {
  int line = 0;             // 1-based line in the file
  std::string gold;         // the reference answer
  std::string pred;         // a bare answer or a whole model response
  bool expected = false;    // the label: equivalent or not
  std::string category;     // "fraction", "hack", ...
  std::string style;        // "cot", "boxed", "bare", ...
  std::string pred_answer;  // the answer inside `pred`, for reports
  bool ambiguous = false;   // reasonable graders may differ; reported, not asserted
};

// Returns the rows of `path`, or an empty vector with `*error` set when the file cannot be read
// or a line is not an object with the required fields.
inline std::vector<ConformanceRow> ReadConformance(const std::string& path, std::string* error) {
  std::vector<ConformanceRow> rows;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open " + path;
    return {};
  }
  simdjson::dom::parser parser;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    simdjson::dom::element root;
    ConformanceRow row;
    row.line = line_no;
    std::string_view gold, pred, category, style, pred_answer;
    bool expected = false;
    if (parser.parse(line).get(root) != simdjson::SUCCESS || !root.is_object() ||
        root["gold"].get(gold) != simdjson::SUCCESS ||
        root["pred"].get(pred) != simdjson::SUCCESS ||
        root["expected"].get(expected) != simdjson::SUCCESS ||
        root["category"].get(category) != simdjson::SUCCESS) {
      std::ostringstream msg;
      msg << path << ":" << line_no << ": need an object with gold, pred, expected, category";
      *error = msg.str();
      return {};
    }
    row.gold = gold;
    row.pred = pred;
    row.expected = expected;
    row.category = category;
    if (root["style"].get(style) == simdjson::SUCCESS) row.style = style;
    if (root["pred_answer"].get(pred_answer) == simdjson::SUCCESS) row.pred_answer = pred_answer;
    bool ambiguous = false;
    if (root["ambiguous"].get(ambiguous) == simdjson::SUCCESS) row.ambiguous = ambiguous;
    rows.push_back(std::move(row));
  }
  if (rows.empty()) *error = path + " holds no rows";
  return rows;
}

}  // namespace verdict::math::testing

#endif  // VERDICT_TESTS_VERIFIER_MATH_CONFORMANCE_DATA_H_
