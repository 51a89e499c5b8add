#include "cli/jsonl_input.h"

#include <charconv>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/utf8.h"
#include "google/protobuf/util/json_util.h"
#include "simdjson.h"

namespace verdict::cli {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Text of a scalar (string, number, bool) field; false for objects, arrays and null.
bool ScalarText(element e, std::string* out) {
  switch (e.type()) {
    case element_type::STRING: *out = std::string(std::string_view(e.get_string())); return true;
    case element_type::INT64: *out = std::to_string(int64_t(e.get_int64())); return true;
    case element_type::UINT64: *out = std::to_string(uint64_t(e.get_uint64())); return true;
    case element_type::DOUBLE: {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), double(e.get_double()));
      *out = std::string(buf, end);
      return true;
    }
    case element_type::BOOL: *out = bool(e.get_bool()) ? "true" : "false"; return true;
    default: return false;
  }
}

absl::Status FieldError(int64_t line, const std::string& field, const char* what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": field '", field, "' ", what));
}

// Reads the completion `e` (a string or an object) into `c`.
absl::Status ReadCompletion(element e, const InputOptions& o, int64_t line, v1::Completion* c) {
  if (e.is_string()) {
    c->set_text(std::string(std::string_view(e.get_string())));
    return absl::OkStatus();
  }
  if (!e.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, ": a completion must be a string or an object with \"text\""));
  }
  std::string_view text;
  if (e["text"].get(text) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, ": a completion object needs a string \"text\""));
  }
  c->set_text(std::string(text));
  int64_t tokens;
  if (e[o.num_tokens_field].get(tokens) == simdjson::SUCCESS) c->set_num_tokens(tokens);
  std::string_view finish;
  if (e[o.finish_reason_field].get(finish) == simdjson::SUCCESS) {
    c->set_finish_reason(std::string(finish));
  }
  simdjson::dom::array ids;
  if (e["token_ids"].get(ids) == simdjson::SUCCESS) {
    for (simdjson::dom::element id : ids) {
      int64_t v;
      if (id.get(v) != simdjson::SUCCESS) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line, ": \"token_ids\" must be a list of integers"));
      }
      c->add_token_ids(v);
    }
  }
  return absl::OkStatus();
}

// Fills the group-level fields (id, prompt, reference) from `obj`.
absl::Status ReadGroupFields(element obj, const InputOptions& o, int64_t line, v1::Group* g) {
  std::string text;
  element e;
  if (obj[o.id_field].get(e) == simdjson::SUCCESS && ScalarText(e, &text)) g->set_id(text);
  if (obj[o.prompt_field].get(e) == simdjson::SUCCESS) {
    if (!e.is_string()) return FieldError(line, o.prompt_field, "must be a string");
    g->set_prompt(std::string(std::string_view(e.get_string())));
  }
  int64_t prompt_tokens;
  if (obj[o.prompt_tokens_field].get(prompt_tokens) == simdjson::SUCCESS) {
    g->set_prompt_tokens(prompt_tokens);
  }
  if (o.rules_only) {
    g->mutable_rules_only();
    return absl::OkStatus();
  }
  if (obj[o.gold_field].get(e) != simdjson::SUCCESS || e.is_null()) {
    if (obj[o.code_field].get(e) == simdjson::SUCCESS && e.is_object()) {
      auto parsed =
          google::protobuf::util::JsonStringToMessage(simdjson::minify(e), g->mutable_code());
      if (!parsed.ok()) {
        return FieldError(
            line, o.code_field,
            ("is not a verdict.v1.CodeReference: " + parsed.message().ToString()).c_str());
      }
    } else if (obj[o.instructions_field].get(e) == simdjson::SUCCESS && !e.is_null()) {
      if (!e.is_array()) return FieldError(line, o.instructions_field, "must be a list");
      auto parsed = google::protobuf::util::JsonStringToMessage(
          absl::StrCat("{\"constraints\":", simdjson::minify(e), "}"), g->mutable_instructions());
      if (!parsed.ok()) {
        const std::string what =
            "is not a list of verdict.v1.Constraint: " + parsed.message().ToString();
        return FieldError(line, o.instructions_field, what.c_str());
      }
    }
    return absl::OkStatus();  // no reference: the Scorer reports it for the group
  }
  v1::MathReference* math = g->mutable_math();
  if (e.is_array()) {
    for (element item : e.get_array()) {
      if (!ScalarText(item, &text)) {
        return FieldError(line, o.gold_field, "must be a string, a number or a list of them");
      }
      math->add_gold_answers(text);
    }
  } else if (ScalarText(e, &text)) {
    math->add_gold_answers(text);
  } else {
    return FieldError(line, o.gold_field, "must be a string, a number or a list of them");
  }
  return absl::OkStatus();
}

}  // namespace

JsonlGroupReader::JsonlGroupReader(std::istream* in, InputOptions options)
    : in_(in), options_(std::move(options)), parser_(std::make_unique<simdjson::dom::parser>()) {}

JsonlGroupReader::~JsonlGroupReader() = default;

std::vector<std::string> JsonlGroupReader::TakeWarnings() { return std::exchange(warnings_, {}); }

void JsonlGroupReader::FlushPending() {
  if (!has_pending_) return;
  closed_ids_.insert(pending_.group.id());
  ready_.push_back(std::move(pending_));
  pending_ = InputUnit();
  has_pending_ = false;
}

void JsonlGroupReader::ReadLine(const std::string& raw_in) {
  ++line_no_;
  std::string raw = raw_in;
  if (!raw.empty() && raw.back() == '\r') raw.pop_back();
  if (raw.find_first_not_of(" \t") == std::string::npos) return;  // blank lines are skipped
  if (!IsValidUtf8(raw)) {
    raw = RepairUtf8(raw);
    warnings_.push_back(absl::StrCat("line ", line_no_, ": invalid UTF-8 replaced with U+FFFD"));
  }
  simdjson::dom::parser& parser = *parser_;
  element root;
  InputUnit unit;
  unit.first_line = line_no_;
  unit.lines.push_back(raw);
  if (auto err = parser.parse(raw).get(root); err != simdjson::SUCCESS || !root.is_object()) {
    unit.error = absl::InvalidArgumentError(absl::StrCat(
        "line ", line_no_, ": ",
        err != simdjson::SUCCESS ? absl::StrCat("invalid JSON (", simdjson::error_message(err), ")")
                                 : std::string("not a JSON object")));
    FlushPending();
    ready_.push_back(std::move(unit));
    return;
  }
  element completions;
  if (root[options_.completions_field].get(completions) == simdjson::SUCCESS) {
    // List shape: the line is a whole group.
    FlushPending();
    absl::Status s = ReadGroupFields(root, options_, line_no_, &unit.group);
    if (s.ok() && !completions.is_array()) {
      s = FieldError(line_no_, options_.completions_field, "must be an array");
    }
    if (s.ok()) {
      for (element c : completions.get_array()) {
        s = ReadCompletion(c, options_, line_no_, unit.group.add_completions());
        if (!s.ok()) break;
      }
    }
    if (!s.ok()) {
      unit.error = s;
      unit.group.Clear();
    }
    ready_.push_back(std::move(unit));
    return;
  }
  element completion;
  if (root[options_.completion_field].get(completion) != simdjson::SUCCESS) {
    unit.error = absl::InvalidArgumentError(
        absl::StrCat("line ", line_no_, ": no '", options_.completions_field, "' list and no '",
                     options_.completion_field, "' field"));
    FlushPending();
    ready_.push_back(std::move(unit));
    return;
  }
  // Per-line shape: extend the pending group or start a new one.
  v1::Group fields;
  absl::Status s = ReadGroupFields(root, options_, line_no_, &fields);
  v1::Completion c;
  if (s.ok()) s = ReadCompletion(completion, options_, line_no_, &c);
  if (!s.ok()) {
    unit.error = s;
    FlushPending();
    ready_.push_back(std::move(unit));
    return;
  }
  if (has_pending_ && pending_.group.id() == fields.id()) {
    pending_.lines.push_back(std::move(raw));
    *pending_.group.add_completions() = std::move(c);
    return;
  }
  FlushPending();
  if (closed_ids_.count(fields.id())) {
    warnings_.push_back(absl::StrCat("line ", line_no_, ": group '", fields.id(),
                                     "' resumes after other groups; its lines from here on are "
                                     "scored as a separate group"));
  }
  unit.per_line = true;
  unit.group = std::move(fields);
  *unit.group.add_completions() = std::move(c);
  pending_ = std::move(unit);
  has_pending_ = true;
}

bool JsonlGroupReader::Next(InputUnit* unit) {
  std::string line;
  while (ready_.empty()) {
    if (!std::getline(*in_, line)) {
      FlushPending();
      break;
    }
    ReadLine(line);
  }
  if (ready_.empty()) return false;
  *unit = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

}  // namespace verdict::cli
