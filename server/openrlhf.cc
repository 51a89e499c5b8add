#include "server/openrlhf.h"

#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "simdjson.h"

namespace verdict {
namespace {

constexpr std::string_view kFullwidthBar = "\xEF\xBD\x9C";  // U+FF5C, DeepSeek's token bars

constexpr std::string_view kNamedTokens[] = {
    "<s>", "</s>", "<eos>", "<bos>", "<pad>", "<unk>", "<end_of_turn>", "<start_of_turn>", "[PAD]"};

// Tokens a tokenizer puts before the text (BOS) or that left padding leaves there.
constexpr std::string_view kBosTokens[] = {"<s>",
                                           "<bos>",
                                           "<pad>",
                                           "<|begin_of_text|>",
                                           "<|endoftext|>",
                                           "<|startoftext|>",
                                           "<|pad|>",
                                           "<\xEF\xBD\x9C"
                                           "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"};

bool IsInnerName(std::string_view inner) {
  if (inner.empty() || inner.size() > 64) return false;
  for (char c : inner) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '<' || c == '>') return false;
  }
  return true;
}

std::string_view StripTrailingSpace(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

// A label as gold answers: a string, a number (its JSON text), or a list of those.
absl::Status AppendGolds(simdjson::dom::element label, v1::MathReference* math) {
  switch (label.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view text;
      if (label.get(text) != simdjson::SUCCESS) return absl::InternalError("unreadable label");
      math->add_gold_answers(std::string(text));
      return absl::OkStatus();
    }
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      math->add_gold_answers(simdjson::minify(label));
      return absl::OkStatus();
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array list;
      if (label.get(list) != simdjson::SUCCESS) return absl::InternalError("unreadable label");
      for (simdjson::dom::element x : list) {
        if (x.type() == simdjson::dom::element_type::ARRAY) {
          return absl::InvalidArgumentError("a label list holds strings or numbers, not lists");
        }
        if (absl::Status s = AppendGolds(x, math); !s.ok()) return s;
      }
      if (math->gold_answers_size() == 0) {
        return absl::InvalidArgumentError("the label is an empty list: no gold answer to check");
      }
      return absl::OkStatus();
    }
    case simdjson::dom::element_type::NULL_VALUE:
      return absl::InvalidArgumentError(
          "the label is null: no gold answer to check (fix the dataset's label column, or send "
          "no \"labels\" for rules-only scoring)");
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("the label is a JSON ", label.is_bool() ? "boolean" : "object",
                       "; a label is a string, a number or a list of them"));
  }
}

}  // namespace

bool IsSpecialToken(std::string_view t) {
  for (std::string_view named : kNamedTokens) {
    if (t == named) return true;
  }
  if (t.size() >= 4 && t.starts_with("<|") && t.ends_with("|>")) {
    return IsInnerName(t.substr(2, t.size() - 4));
  }
  const size_t bar = kFullwidthBar.size();
  if (t.size() >= 2 + 2 * bar && t.front() == '<' && t.back() == '>' &&
      t.substr(1, bar) == kFullwidthBar && t.substr(t.size() - 1 - bar, bar) == kFullwidthBar) {
    return IsInnerName(t.substr(1 + bar, t.size() - 2 - 2 * bar));
  }
  return false;
}

std::string_view StripTrailingSpecialTokens(std::string_view text) {
  for (;;) {
    std::string_view s = StripTrailingSpace(text);
    if (s.empty()) return text;
    const char open = s.back() == '>' ? '<' : s.back() == ']' ? '[' : '\0';
    if (open == '\0') return text;
    const size_t start = s.rfind(open);
    if (start == std::string_view::npos || !IsSpecialToken(s.substr(start))) return text;
    text = s.substr(0, start);
  }
}

std::string_view StripLeadingBosTokens(std::string_view text) {
  for (bool again = true; again;) {
    again = false;
    for (std::string_view bos : kBosTokens) {
      if (text.starts_with(bos)) {
        text.remove_prefix(bos.size());
        while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.front()))) {
          text.remove_prefix(1);
        }
        again = true;
      }
    }
  }
  return text;
}

absl::StatusOr<std::string_view> ResponseAfterPrompt(std::string_view query,
                                                     std::string_view prompt) {
  std::string_view q = StripLeadingBosTokens(query);
  std::string_view p = StripLeadingBosTokens(prompt);
  if (q.starts_with(p)) return q.substr(p.size());
  // The prompt decoded from tokens can differ in its first characters (a BOS this file does not
  // know, a space a sentencepiece decoder adds after it): then it is inside the query.
  const size_t at = q.find(p);
  if (at == std::string_view::npos) {
    return absl::NotFoundError(
        "its prompt does not occur in the query, so the response cannot be told from the "
        "prompt (send prompts exactly as the chat template produced them)");
  }
  return q.substr(at + p.size());
}

absl::StatusOr<OpenRlhfBatch> ParseOpenRlhfRequest(std::string_view body) {
  const absl::Status shape = absl::InvalidArgumentError(
      "body must be {\"query\": [...], \"prompts\": [...], \"labels\": [...]} "
      "(prompts and labels optional)");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array queries, prompts, labels;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS ||
      root["query"].get(queries) != simdjson::SUCCESS) {
    return shape;
  }
  // A key that is present must be a list; null is read as absent (OpenRLHF sends what its
  // dataset had).
  simdjson::dom::element e;
  const bool has_prompts = root["prompts"].get(e) == simdjson::SUCCESS && !e.is_null();
  const bool has_labels = root["labels"].get(e) == simdjson::SUCCESS && !e.is_null();
  if ((has_prompts && root["prompts"].get(prompts) != simdjson::SUCCESS) ||
      (has_labels && root["labels"].get(labels) != simdjson::SUCCESS)) {
    return shape;
  }
  if ((has_prompts && prompts.size() != queries.size()) ||
      (has_labels && labels.size() != queries.size())) {
    return absl::InvalidArgumentError("\"prompts\" and \"labels\" must be as long as \"query\"");
  }
  OpenRlhfBatch batch;
  batch.where.reserve(queries.size());
  absl::flat_hash_map<std::string, int> group_of;  // (label golds, prompt) -> group
  // Walk the three arrays in step: at(i) would rescan from the start (quadratic).
  simdjson::dom::array::iterator p_it, l_it;
  if (has_prompts) p_it = prompts.begin();
  if (has_labels) l_it = labels.begin();
  size_t i = 0;
  for (simdjson::dom::element q : queries) {
    auto fail = [i](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("query ", i, ": ", why));
    };
    std::string_view query, prompt;
    if (q.get(query) != simdjson::SUCCESS) return fail("is not a string");
    if (has_prompts) {
      if ((*p_it).get(prompt) != simdjson::SUCCESS) return fail("its prompt is not a string");
      ++p_it;
    }
    v1::MathReference golds;
    if (has_labels) {
      if (absl::Status s = AppendGolds(*l_it, &golds); !s.ok()) return fail(s.message());
      ++l_it;
    }
    std::string_view response = StripLeadingBosTokens(query);
    if (has_prompts) {
      absl::StatusOr<std::string_view> r = ResponseAfterPrompt(query, prompt);
      if (!r.ok()) return fail(r.status().message());
      response = *r;
    }
    response = StripTrailingSpecialTokens(response);
    std::string key;
    for (const std::string& g : golds.gold_answers()) absl::StrAppend(&key, g, "\x1f");
    absl::StrAppend(&key, "\x1e", ToAbsl(prompt));
    auto [it, inserted] = group_of.try_emplace(std::move(key), batch.request.groups_size());
    v1::Group* g;
    if (inserted) {
      g = batch.request.add_groups();
      g->set_id(std::to_string(it->second));
      g->set_prompt(std::string(StripLeadingBosTokens(prompt)));
      if (has_labels) {
        *g->mutable_math() = std::move(golds);
      } else {
        g->mutable_rules_only();
      }
    } else {
      g = batch.request.mutable_groups(it->second);
    }
    g->add_completions()->set_text(std::string(response));
    batch.where.emplace_back(it->second, g->completions_size() - 1);
    ++i;
  }
  return batch;
}

absl::StatusOr<std::string> OpenRlhfReply(const OpenRlhfBatch& batch,
                                          const v1::ScoreResponse& response) {
  // rewards: the weighted reward; scores: accuracy when checked, else the reward (OpenRLHF's
  // dynamic filtering reads scores in [0, 1]); extra_logs: every component, for its logger.
  std::string rewards = "[", scores = "[";
  std::map<std::string, std::string> logs;
  for (size_t k = 0; k < batch.where.size(); ++k) {
    const auto [group, sample] = batch.where[k];
    if (group >= response.groups_size()) return absl::InternalError("a group has no result");
    const v1::GroupResult& g = response.groups(group);
    if (g.has_error()) {
      return absl::Status(static_cast<absl::StatusCode>(g.error().code()),
                          absl::StrCat("query ", k, ": ", g.error().message()));
    }
    const v1::SampleResult& s = g.samples(sample);
    if (s.has_error()) {
      return absl::Status(static_cast<absl::StatusCode>(s.error().code()),
                          absl::StrCat("query ", k, ": ", s.error().message()));
    }
    const char* sep = k ? "," : "";
    absl::StrAppend(&rewards, sep, s.reward());
    auto acc = s.components().find("accuracy");
    absl::StrAppend(&scores, sep, acc != s.components().end() ? acc->second : s.reward());
    for (const auto& [name, value] : s.components()) absl::StrAppend(&logs[name], sep, value);
  }
  std::string body =
      absl::StrCat("{\"rewards\":", rewards, "],\"scores\":", scores, "],\"extra_logs\":{");
  bool first = true;
  for (const auto& [name, values] : logs) {
    absl::StrAppend(&body, first ? "" : ",", "\"", name, "\":[", values, "]");
    first = false;
  }
  body += "}}";
  return body;
}

}  // namespace verdict
