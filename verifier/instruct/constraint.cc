#include "verifier/instruct/constraint.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "verifier/instruct/text.h"

namespace verdict::instruct {
namespace {

using T = ConstraintType;

// The registry: IFEval's and IFEvalG's ids, in ConstraintType order, with the parameters each one
// needs.
const std::vector<ConstraintInfo>& Table() {
  static const auto* const kTable = new std::vector<ConstraintInfo>{
      {T::kKeywordsExistence, "keywords:existence", "keywords"},
      {T::kKeywordsFrequency, "keywords:frequency", "keyword,frequency,relation"},
      {T::kForbiddenWords, "keywords:forbidden_words", "forbidden_words"},
      {T::kLetterFrequency, "keywords:letter_frequency", "letter,let_frequency,let_relation"},
      {T::kResponseLanguage, "language:response_language", "language"},
      {T::kNumberSentences, "length_constraints:number_sentences", "num_sentences,relation"},
      {T::kNumberParagraphs, "length_constraints:number_paragraphs", "num_paragraphs"},
      {T::kNumberWords, "length_constraints:number_words", "num_words,relation"},
      {T::kNthParagraphFirstWord, "length_constraints:nth_paragraph_first_word",
       "num_paragraphs,nth_paragraph,first_word"},
      {T::kNumberPlaceholders, "detectable_content:number_placeholders", "num_placeholders"},
      {T::kPostscript, "detectable_content:postscript", "postscript_marker"},
      {T::kNumberBulletLists, "detectable_format:number_bullet_lists", "num_bullets"},
      {T::kConstrainedResponse, "detectable_format:constrained_response", ""},
      {T::kNumberHighlightedSections, "detectable_format:number_highlighted_sections",
       "num_highlights"},
      {T::kMultipleSections, "detectable_format:multiple_sections", "section_spliter,num_sections"},
      {T::kJsonFormat, "detectable_format:json_format", ""},
      {T::kTitle, "detectable_format:title", ""},
      {T::kTwoResponses, "combination:two_responses", ""},
      {T::kRepeatPrompt, "combination:repeat_prompt", "prompt_to_repeat"},
      {T::kEndChecker, "startend:end_checker", "end_phrase"},
      {T::kCapitalWordFrequency, "change_case:capital_word_frequency",
       "capital_frequency,capital_relation"},
      {T::kEnglishCapital, "change_case:english_capital", ""},
      {T::kEnglishLowercase, "change_case:english_lowercase", ""},
      {T::kNoComma, "punctuation:no_comma", ""},
      {T::kQuotation, "startend:quotation", ""},
      {T::kNoDot, "punctuation:punctuation_dot", ""},
      {T::kNoExclamation, "punctuation:punctuation_exclamation", ""},
      {T::kFirstWordAnswer, "first_word:first_word_answer", "first_word"},
      {T::kTwoParagraphsStars, "paragraphs:paragraphs", ""},
      {T::kTwoParagraphsBlankLine, "paragraphs:paragraphs2", ""},
      {T::kWordOnce, "keywords:word_once", "keyword"},
      {T::kExcludeWord, "keywords:exclude_word_harder", "keyword"},
      {T::kWordCountDifferentNumbers, "keywords:word_count_different_numbers",
       "keyword,frequency,relation"},
      {T::kLetterCounting2, "letters:letter_counting2", "letter,let_frequency,let_relation"},
      {T::kStartEnd, "keywords:start_end", ""},
      {T::kPalindrome, "keywords:palindrome", ""},
      {T::kSquareBrackets, "detectable_format:square_brackets", ""},
      {T::kNoAdjacentConsecutive, "keywords:no_adjacent_consecutive", ""},
      {T::kKeywordCountExact, "if_functions:verify_keyword_frequency", "keyword,frequency"},
      {T::kLetterCountExact, "if_functions:verify_letter_frequency", "letter,let_frequency"},
      {T::kSpacedDividerParagraphs, "if_functions:verify_paragraph_count", "num_paragraphs"},
  };
  return *kTable;
}

// Whether each parameter is set, by name.
struct Param {
  std::string_view name;
  std::function<bool(const Constraint&)> is_set;
};

const std::vector<Param>& Params() {
  using C = Constraint;
  static const auto* const kParams = new std::vector<Param>{
      {"keywords", [](const C& c) { return !c.keywords.empty(); }},
      {"forbidden_words", [](const C& c) { return !c.forbidden_words.empty(); }},
      {"keyword", [](const C& c) { return c.keyword.has_value(); }},
      {"frequency", [](const C& c) { return c.frequency.has_value(); }},
      {"relation", [](const C& c) { return c.relation.has_value(); }},
      {"letter", [](const C& c) { return c.letter.has_value(); }},
      {"let_frequency", [](const C& c) { return c.let_frequency.has_value(); }},
      {"let_relation", [](const C& c) { return c.let_relation.has_value(); }},
      {"language", [](const C& c) { return c.language.has_value(); }},
      {"num_sentences", [](const C& c) { return c.num_sentences.has_value(); }},
      {"num_paragraphs", [](const C& c) { return c.num_paragraphs.has_value(); }},
      {"nth_paragraph", [](const C& c) { return c.nth_paragraph.has_value(); }},
      {"first_word", [](const C& c) { return c.first_word.has_value(); }},
      {"num_words", [](const C& c) { return c.num_words.has_value(); }},
      {"num_placeholders", [](const C& c) { return c.num_placeholders.has_value(); }},
      {"num_bullets", [](const C& c) { return c.num_bullets.has_value(); }},
      {"num_highlights", [](const C& c) { return c.num_highlights.has_value(); }},
      {"section_spliter", [](const C& c) { return c.section_spliter.has_value(); }},
      {"num_sections", [](const C& c) { return c.num_sections.has_value(); }},
      {"postscript_marker", [](const C& c) { return c.postscript_marker.has_value(); }},
      {"end_phrase", [](const C& c) { return c.end_phrase.has_value(); }},
      {"prompt_to_repeat", [](const C& c) { return c.prompt_to_repeat.has_value(); }},
      {"capital_frequency", [](const C& c) { return c.capital_frequency.has_value(); }},
      {"capital_relation", [](const C& c) { return c.capital_relation.has_value(); }},
  };
  return *kParams;
}

bool Needs(const ConstraintInfo& info, std::string_view name) {
  if (info.params.empty()) return false;
  const absl::string_view params(info.params.data(), info.params.size());
  for (absl::string_view p : absl::StrSplit(params, ',')) {
    if (std::string_view(p.data(), p.size()) == name) return true;
  }
  return false;
}

bool Blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// Range and shape checks of the values; the empty string when they are fine.
std::string ValueProblem(const Constraint& c, const ConstraintInfo& info) {
  for (const auto* relation : {&c.relation, &c.let_relation, &c.capital_relation}) {
    if (relation->has_value() && !ParseRelation(**relation)) {
      return absl::StrCat("relation '", **relation, "' is not \"less than\" or \"at least\"");
    }
  }
  for (const auto* count : {&c.frequency, &c.let_frequency, &c.num_sentences, &c.num_paragraphs,
                            &c.num_words, &c.num_placeholders, &c.num_bullets, &c.num_highlights,
                            &c.num_sections, &c.capital_frequency}) {
    if (count->has_value() && (**count < 0 || **count > 1'000'000'000)) {
      return absl::StrCat("count ", **count, " is outside [0, 1e9]");
    }
  }
  for (const std::vector<std::string>* list : {&c.keywords, &c.forbidden_words}) {
    for (const std::string& w : *list) {
      if (Blank(w)) return "a keyword is blank";
    }
  }
  for (const auto* text : {&c.keyword, &c.first_word, &c.section_spliter, &c.postscript_marker,
                           &c.end_phrase, &c.prompt_to_repeat, &c.language}) {
    if (text->has_value() && Blank(**text)) return "a text parameter is blank";
  }
  if (c.letter.has_value()) {
    const std::string& l = *c.letter;
    const bool ascii_letter =
        l.size() == 1 && ((l[0] >= 'a' && l[0] <= 'z') || (l[0] >= 'A' && l[0] <= 'Z'));
    if (!ascii_letter) return absl::StrCat("letter '", l, "' is not one letter a-z");
  }
  if (info.type == ConstraintType::kNthParagraphFirstWord &&
      (*c.nth_paragraph < 1 || *c.nth_paragraph > *c.num_paragraphs)) {
    return absl::StrCat("nth_paragraph ", *c.nth_paragraph, " is outside [1, num_paragraphs]");
  }
  if (c.first_word.has_value() &&
      StripSpace(*c.first_word).find_first_of(" \t\r\n") != std::string::npos) {
    return "first_word must be one word";
  }
  if (info.type == ConstraintType::kKeywordCountExact &&
      StripSpace(*c.keyword).find_first_of(" \t\r\n") != std::string::npos) {
    return "keyword must be one word";
  }
  if ((info.type == ConstraintType::kNumberParagraphs ||
       info.type == ConstraintType::kSpacedDividerParagraphs) &&
      *c.num_paragraphs < 1) {
    return "num_paragraphs must be at least 1";
  }
  return "";
}

}  // namespace

const std::vector<ConstraintInfo>& AllConstraints() { return Table(); }

const ConstraintInfo* FindConstraint(std::string_view id) {
  for (const ConstraintInfo& info : Table()) {
    if (info.id == id) return &info;
  }
  return nullptr;
}

std::optional<Relation> ParseRelation(std::string_view text) {
  if (text == "less than") return Relation::kLessThan;
  if (text == "at least") return Relation::kAtLeast;
  return std::nullopt;
}

absl::Status ValidateConstraint(const Constraint& c, int index) {
  const ConstraintInfo* info = FindConstraint(c.id);
  const std::string where = absl::StrCat("instruction constraint ", index, " ('", c.id, "')");
  auto name = [](std::string_view n) { return absl::string_view(n.data(), n.size()); };
  if (info == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": unknown constraint id (see the README's table of ids)"));
  }
  for (const Param& p : Params()) {
    const bool set = p.is_set(c);
    const bool needed = Needs(*info, p.name);
    if (set && !needed) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": parameter '", name(p.name), "' is not used by this constraint"));
    }
    if (!set && needed) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": missing parameter '", name(p.name), "'"));
    }
  }
  if (std::string problem = ValueProblem(c, *info); !problem.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", problem));
  }
  return absl::OkStatus();
}

}  // namespace verdict::instruct
