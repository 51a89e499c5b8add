// Verifiable instruction constraints (IFEval, Zhou et al. 2023): the reference of an
// instruction-following prompt is a list of constraints, each an id from the registry below and
// its typed parameters (named as IFEval's kwargs). Pure data and validation; check.h checks.
//
// A constraint whose id is not in the registry, that lacks a parameter its id needs, sets one
// its id does not use, or holds an out-of-range value is INVALID_ARGUMENT: never a pass.
#ifndef VERDICT_VERIFIER_INSTRUCT_CONSTRAINT_H_
#define VERDICT_VERIFIER_INSTRUCT_CONSTRAINT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace verdict::instruct {

// One constraint: an id and the parameters that id uses (see kConstraintTable in
// constraint.cc and the README table). Relations are "less than" or "at least".
struct Constraint {
  std::string id;
  std::vector<std::string> keywords;         // keywords:existence
  std::vector<std::string> forbidden_words;  // keywords:forbidden_words
  std::optional<std::string> keyword;        // keywords:frequency
  std::optional<int64_t> frequency;
  std::optional<std::string> relation;  // frequency, number_sentences, number_words
  std::optional<std::string> letter;    // keywords:letter_frequency
  std::optional<int64_t> let_frequency;
  std::optional<std::string> let_relation;
  std::optional<std::string> language;  // language:response_language (ISO 639-1)
  std::optional<int64_t> num_sentences;
  std::optional<int64_t> num_paragraphs;
  std::optional<int64_t> nth_paragraph;  // 1-based
  std::optional<std::string> first_word;
  std::optional<int64_t> num_words;
  std::optional<int64_t> num_placeholders;
  std::optional<int64_t> num_bullets;
  std::optional<int64_t> num_highlights;
  std::optional<std::string> section_spliter;  // IFEval's spelling
  std::optional<int64_t> num_sections;
  std::optional<std::string> postscript_marker;
  std::optional<std::string> end_phrase;
  std::optional<std::string> prompt_to_repeat;
  std::optional<int64_t> capital_frequency;
  std::optional<std::string> capital_relation;
};

// The closed set of constraint types: IFEval's 25, 13 of IFEvalG's additions and 3 of
// RLVR-IFeval's.
enum class ConstraintType {
  kKeywordsExistence,
  kKeywordsFrequency,
  kForbiddenWords,
  kLetterFrequency,
  kResponseLanguage,
  kNumberSentences,
  kNumberParagraphs,
  kNumberWords,
  kNthParagraphFirstWord,
  kNumberPlaceholders,
  kPostscript,
  kNumberBulletLists,
  kConstrainedResponse,
  kNumberHighlightedSections,
  kMultipleSections,
  kJsonFormat,
  kTitle,
  kTwoResponses,
  kRepeatPrompt,
  kEndChecker,
  kCapitalWordFrequency,
  kEnglishCapital,
  kEnglishLowercase,
  kNoComma,
  kQuotation,
  // open-instruct's IFEvalG extensions (IFEval ids above, these after), for its RLVR datasets.
  kNoDot,
  kNoExclamation,
  kFirstWordAnswer,
  kTwoParagraphsStars,
  kTwoParagraphsBlankLine,
  kWordOnce,
  kExcludeWord,
  kWordCountDifferentNumbers,
  kLetterCounting2,
  kStartEnd,
  kPalindrome,
  kSquareBrackets,
  kNoAdjacentConsecutive,
  // allenai/RLVR-IFeval's rules that IFEval has no id for (open_instruct/if_functions.py).
  kKeywordCountExact,
  kLetterCountExact,
  kSpacedDividerParagraphs,
};

struct ConstraintInfo {
  ConstraintType type;
  std::string_view id;      // e.g. "length_constraints:number_words"
  std::string_view params;  // the parameters it needs, comma-separated ("" for none)
};

// Every registered constraint, in ConstraintType order.
const std::vector<ConstraintInfo>& AllConstraints();

// The registry entry of `id`, or null.
const ConstraintInfo* FindConstraint(std::string_view id);

// OK when `c` has a registered id, exactly the parameters it needs, and values in range;
// else INVALID_ARGUMENT naming the constraint (by id and `index`) and the problem.
absl::Status ValidateConstraint(const Constraint& c, int index);

// The comparison relations IFEval uses.
enum class Relation { kLessThan, kAtLeast };
std::optional<Relation> ParseRelation(std::string_view text);

}  // namespace verdict::instruct

#endif  // VERDICT_VERIFIER_INSTRUCT_CONSTRAINT_H_
