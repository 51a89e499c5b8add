#include "verifier/instruct/check.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace verdict::instruct {
namespace {

using ::testing::HasSubstr;

Constraint C(std::string id) {
  Constraint c;
  c.id = std::move(id);
  return c;
}

// A stand-in for CLD2 (rewards/language.h is tested with the scorer): French when the text has
// "le " in it, Chinese when it has a non-ASCII byte, else English.
std::string FakeDetect(std::string_view text) {
  if (text.find("le ") != std::string_view::npos) return "fr";
  for (char ch : text) {
    if (static_cast<unsigned char>(ch) >= 0x80) return "zh";
  }
  return "en";
}

struct Case {
  Constraint constraint;
  std::string response;
  bool followed;
};

std::vector<Case> Table() {
  std::vector<Case> t;
  auto add = [&t](Constraint c, std::string pass, std::string fail) {
    t.push_back({c, std::move(pass), true});
    t.push_back({std::move(c), std::move(fail), false});
  };
  {
    Constraint c = C("keywords:existence");
    c.keywords = {"Apple", "banana split"};
    add(c, "An APPLE and a Banana Split.", "An apple and a banana.");
  }
  {
    Constraint c = C("keywords:frequency");
    c.keyword = "cat";
    c.frequency = 3;
    c.relation = "at least";
    add(c, "Cat, cat and CAT.", "Cat and cat.");
    c.relation = "less than";
    add(c, "Cat and cat.", "cat cat cat");
  }
  {
    Constraint c = C("keywords:forbidden_words");
    c.forbidden_words = {"bad", "very bad"};
    add(c, "A badge is not badly made.", "That was Bad.");
    // Non-ASCII neighbours: a letter extends the word, punctuation or CJK ends it.
    add(c, "un ébad mot, badé", "c'est bad—vraiment");
    add(c, "naïvebad", "我bad");
  }
  {
    Constraint c = C("keywords:letter_frequency");
    c.letter = "Z";
    c.let_frequency = 2;
    c.let_relation = "at least";
    add(c, "Zebra zone", "Zebra");
    c.let_relation = "less than";
    add(c, "Zebra", "Zebra zone");
  }
  {
    Constraint c = C("language:response_language");
    c.language = "fr";
    add(c, "le chat est noir", "the cat is black");
  }
  {
    Constraint c = C("length_constraints:number_sentences");
    c.num_sentences = 2;
    c.relation = "less than";
    add(c, "Just one sentence from Dr. Who.", "One. Two.");
    c.relation = "at least";
    add(c, "One. Two.", "Only one.");
  }
  {
    Constraint c = C("length_constraints:number_paragraphs");
    c.num_paragraphs = 2;
    add(c, "First part.\n***\nSecond part.", "First.\n***\n\n***\nSecond.");
    add(c, "***\nFirst.\n***\nSecond.\n***", "One.\n***\nTwo.\n***\nThree.");
  }
  {
    Constraint c = C("length_constraints:number_words");
    c.num_words = 4;
    c.relation = "less than";
    add(c, "Three small words", "Here are four words");
    c.relation = "at least";
    add(c, "我爱你们", "我爱你");  // each ideograph is a word
  }
  {
    Constraint c = C("length_constraints:nth_paragraph_first_word");
    c.num_paragraphs = 2;
    c.nth_paragraph = 2;
    c.first_word = "Then";
    add(c, "First.\n\n\"Then, it ended.", "First.\n\nAfter that.");
    add(c, "First.\r\n\r\nthen done.", "First.\n\nThen.\n\nThird.");
  }
  {
    Constraint c = C("detectable_content:number_placeholders");
    c.num_placeholders = 2;
    add(c, "Dear [name], at [address].", "Dear [name],\n[not\nclosed]");
    add(c, "Dear [name], at [ address ].", "Dear [name], at [] and [ ].");  // empty: no name
  }
  {
    Constraint c = C("detectable_content:postscript");
    c.postscript_marker = "P.S.";
    add(c, "Body.\n\np. s. see you", "Body with no postscript at all.");
    add(c, "Body.\n  P.S. bye", "Body mentions P.S. inline only.");
    add(c, "Body.\n**P.S.** bye", "Body.\n**Note** P.S. bye");
    // The marker inside a word, or a marker with nothing after it, is no postscript.
    add(c, "Body.\nP.S.\nSee you at the P.S.A. meeting.", "Body.\nP.S.A. meeting at noon.");
    add(c, "Body.\n**P.S.**\n\nbye", "Body.\n\nP.S.");
    add(c, "Body.\nP.S. 42", "Body.\n**P.S.** **\n  ");
    c.postscript_marker = "P.P.S";
    add(c, "Body.\nP.P.S bye", "Body.\nP.S. bye");
    c.postscript_marker = "PS";
    add(c, "Body.\nPS: bye", "Body.\nPSYCHOLOGY is a field.");
  }
  {
    Constraint c = C("detectable_format:number_bullet_lists");
    c.num_bullets = 2;
    add(c, "Intro\n* one\n- two\n---", "Intro\n* one\n** not a bullet\n");
    add(c, "  * one\n  * two", "* one\n* two\n* three");
  }
  {
    Constraint c = C("detectable_format:constrained_response");
    add(c, "I think... My answer is maybe.",
        "My answer is yes. My answer is no. My answer is maybe.");
    add(c, "My answer is no.", "My answer is: no");
  }
  {
    Constraint c = C("detectable_format:number_highlighted_sections");
    c.num_highlights = 2;
    add(c, "*one* and **two**", "*one* and ** ** and *\n*");
    add(c, "**one** and *two words*", "*one* and ****");
    add(c, "*one* and *2*", "*one* and 2 * 3 * 4");  // spaces inside: multiplication
  }
  {
    Constraint c = C("detectable_format:multiple_sections");
    c.section_spliter = "Section";
    c.num_sections = 2;
    add(c, "Section 1\nabc\nSection 2\ndef", "Section 1\nabc\nSection two\n");
    // Markers with nothing in their section mark no section.
    add(c, "Section 1 a\nSection 2 b\nSection 3", "Section 1\nSection 2\nSection 3 c");
    add(c, "Section 1\n- a\n\nSection 2\n- b", "Section 1 ...\nSection 2 **");
    c.section_spliter = "S.";
    add(c, "S. 1 a S. 2 b", "Sx 1 a Sy 2 b");  // the splitter is literal, not a pattern
  }
  {
    Constraint c = C("detectable_format:json_format");
    add(c, "```json\n{\"a\": [1, 2]}\n```", "Here it is: ```json\n{\"a\": 1}\n```");
    add(c, " [1, {\"b\": null}] ", "42");
    add(c, "```\n{}\n```", "{\"a\": 1,}");
  }
  {
    Constraint c = C("detectable_format:title");
    add(c, "<<My Title>>\nBody", "<< >>\nBody <<broken\n>>");
  }
  {
    Constraint c = C("combination:two_responses");
    add(c, "First answer.\n******\nSecond answer.", "Same.\n******\nSame.");
    add(c, "A\n******\nB\n******", "A\n******\n\n******\nB");
  }
  {
    Constraint c = C("combination:repeat_prompt");
    c.prompt_to_repeat = "Write a poem about cats.";
    add(c, "  write a POEM about cats. Here it is.", "Here it is: Write a poem about cats.");
    add(c, "Write a poem about cats.\nCats purr.", "Write a poem about cats.\n\n***");
  }
  {
    Constraint c = C("startend:end_checker");
    c.end_phrase = "Any other questions?";
    add(c, "Done. Any other questions?\"  ", "Any other questions? Done.");
  }
  {
    Constraint c = C("change_case:capital_word_frequency");
    c.capital_frequency = 2;
    c.capital_relation = "at least";
    add(c, "THIS is VERY good", "THIS is Very good");
    c.capital_relation = "less than";
    add(c, "THIS is Very good", "NASA and ESA");
  }
  {
    Constraint c = C("change_case:english_capital");
    add(c, "ALL CAPS HERE, 42!", "ALL CAPS Here");
    add(c, "HELLO THERE", "你好 HELLO");  // capitals, but not English
  }
  {
    Constraint c = C("change_case:english_lowercase");
    add(c, "all lower here", "all lower Here");
    add(c, "hello there", "42 !");  // no letters at all
  }
  {
    Constraint c = C("punctuation:no_comma");
    add(c, "No commas here; none.", "One, two");
    add(c, "Fine.", "你好，世界");
  }
  {
    Constraint c = C("startend:quotation");
    add(c, "  \"Quoted answer.\"\n", "\"Half quoted.");
    add(c, "\"a\"", "\"");
    add(c, "\" quoted \"", "\"  \"");
  }
  // IFEvalG's additions.
  {
    Constraint c = C("punctuation:punctuation_dot");
    add(c, "No dots here, none at all!", "Pi is 3.14");
    add(c, "Fine", "\xE4\xBD\xA0\xE5\xA5\xBD\xE3\x80\x82");  // 你好。
    add(c, "Wait", "Wait\xE2\x80\xA6");                      // Wait…
  }
  {
    Constraint c = C("punctuation:punctuation_exclamation");
    add(c, "Calm. Quiet.", "Loud!");
    add(c, "Calm", "\xE5\xA5\xBD\xEF\xBC\x81");  // 好！
  }
  {
    Constraint c = C("first_word:first_word_answer");
    c.first_word = "Indeed";
    add(c, "  **Indeed,** it is.", "It is, indeed.");
    add(c, "\"indeed\" so.", "Indeedly so.");
  }
  {
    Constraint c = C("paragraphs:paragraphs");
    add(c, "One.\n***\nTwo.", "One.\n***\nTwo.\n***\nThree.");
    add(c, "***\nOne.\n***\nTwo.\n", "One.\n***\n  \n***\nTwo.");
  }
  {
    Constraint c = C("paragraphs:paragraphs2");
    add(c, "One.\n\nTwo.", "One.\nTwo.");
    add(c, "\nOne.\n\n\n  \nTwo\nstill two.\n", "One.\n\nTwo.\n\nThree.");
  }
  {
    Constraint c = C("keywords:word_once");
    c.keyword = "Ocean";
    add(c, "The ocean is deep.", "The ocean, the OCEAN.");
    add(c, "An ocean.", "A sea.");
  }
  {
    Constraint c = C("keywords:exclude_word_harder");
    c.keyword = "ocean";
    add(c, "Oceanic trenches.", "The Ocean.");
    add(c, "A sea.", "ocean");
  }
  {
    Constraint c = C("keywords:word_count_different_numbers");
    c.keyword = "cat";
    c.frequency = 2;
    c.relation = "at least";
    add(c, "cat and cat", "one cat");
  }
  {
    Constraint c = C("letters:letter_counting2");
    c.letter = "z";
    c.let_frequency = 2;
    c.let_relation = "less than";
    add(c, "zebra", "zebra zone");
  }
  {
    Constraint c = C("keywords:start_end");
    add(c, "Hello there, I said hello", "Hello there, I said hello.");
    add(c, "Yes or yes", "yes");
    add(c, "Word then WORD", "\"Word then word");
  }
  {
    Constraint c = C("keywords:palindrome");
    add(c, "The level is fine.", "A dog and a cat.");  // "a" is too short to count
    add(c, "Racecar!", "Numbers 121 and 1221 only.");
  }
  {
    Constraint c = C("detectable_format:square_brackets");
    add(c, "[Every] [word] [here]", "[Every] word [here]");
    add(c, "[one]\n[two]", "[one] [] [two]");
  }
  {
    Constraint c = C("keywords:no_adjacent_consecutive");
    add(c, "The cat sat on mats.", "A big dog.");  // a b
    add(c, "Zebras eat grass.", "Cats Dogs");
  }
  // RLVR-IFeval's rules without an IFEval id.
  {
    Constraint c = C("if_functions:verify_keyword_frequency");
    c.keyword = "Cat";
    c.frequency = 2;
    add(c, "A cat and a CAT in the category.", "A cat, a cat and a cat.");
    add(c, "cat cat", "cat catalogue");
  }
  {
    Constraint c = C("if_functions:verify_letter_frequency");
    c.letter = "z";
    c.let_frequency = 2;
    add(c, "Zebra zone", "Zebra zone zoo");
    add(c, "Zz", "z");
  }
  {
    Constraint c = C("if_functions:verify_paragraph_count");
    c.num_paragraphs = 2;
    add(c, "One.\n* * *\nTwo.", "One.\n***\nTwo.");
    add(c, "One.\n* * *\nTwo.\n* * *\n", "One.\n* * *\n \n* * *\nTwo.");
  }
  return t;
}

TEST(CheckConstraints, TableOfPassingAndFailingNeighbours) {
  CheckOptions options;
  options.detect_language = FakeDetect;
  for (const Case& c : Table()) {
    absl::StatusOr<std::vector<ConstraintOutcome>> out =
        CheckConstraints(c.response, {c.constraint}, options);
    ASSERT_TRUE(out.ok()) << c.constraint.id << ": " << out.status();
    ASSERT_EQ(out->size(), 1u);
    EXPECT_EQ((*out)[0].followed, c.followed)
        << c.constraint.id << " on [" << c.response << "]: " << (*out)[0].detail;
    EXPECT_EQ((*out)[0].id, c.constraint.id);
    EXPECT_FALSE((*out)[0].detail.empty());
  }
}

TEST(CheckConstraints, TableCoversEveryRegisteredConstraintBothWays) {
  std::set<std::string> passed, failed;
  for (const Case& c : Table()) (c.followed ? passed : failed).insert(c.constraint.id);
  ASSERT_EQ(AllConstraints().size(), 41u);  // IFEval 25, IFEvalG 13, RLVR-IFeval 3
  for (const ConstraintInfo& info : AllConstraints()) {
    EXPECT_TRUE(passed.count(std::string(info.id))) << info.id;
    EXPECT_TRUE(failed.count(std::string(info.id))) << info.id;
  }
}

TEST(CheckConstraints, BlankResponseFollowsNothingEvenLessThanLimits) {
  Constraint c = C("length_constraints:number_words");
  c.num_words = 100;
  c.relation = "less than";
  for (bool loose : {false, true}) {
    CheckOptions options;
    options.loose = loose;
    auto out = CheckConstraints(" \n\t", {c, C("punctuation:no_comma")}, options);
    ASSERT_TRUE(out.ok());
    EXPECT_FALSE((*out)[0].followed);
    EXPECT_FALSE((*out)[1].followed);
    EXPECT_EQ((*out)[0].detail, "empty response");
  }
}

TEST(CheckConstraints, LooseDropsFirstOrLastLineAndAsterisks) {
  Constraint quote = C("startend:quotation");
  Constraint title = C("detectable_format:title");
  Constraint lower = C("change_case:english_lowercase");
  const std::string response = "Sure! Here it is:\n\"all quoted text\"\nHope that helps!";
  CheckOptions strict;
  strict.detect_language = FakeDetect;
  CheckOptions loose = strict;
  loose.loose = true;
  auto s = CheckConstraints(response, {quote}, strict);
  auto l = CheckConstraints(response, {quote}, loose);
  ASSERT_TRUE(s.ok() && l.ok());
  EXPECT_FALSE((*s)[0].followed);
  EXPECT_TRUE((*l)[0].followed);
  EXPECT_THAT((*l)[0].detail, HasSubstr("loose variant 3"));
  // Markdown bold around the text: strict fails the quotation, loose strips the asterisks.
  auto bold = CheckConstraints("**\"quoted\"**", {quote}, loose);
  ASSERT_TRUE(bold.ok());
  EXPECT_TRUE((*bold)[0].followed);
  // Loose never invents what is not there.
  auto none = CheckConstraints("no title anywhere\nat all", {title, lower}, loose);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE((*none)[0].followed);
  EXPECT_TRUE((*none)[1].followed);
}

TEST(ValidateConstraints, UnknownIdsAndBadParametersAreErrorsNotPasses) {
  struct Bad {
    Constraint c;
    std::string message;
  };
  std::vector<Bad> bad;
  bad.push_back({C("keywords:exist"), "unknown constraint id"});
  bad.push_back({C("keywords:existence"), "missing parameter 'keywords'"});
  {
    Constraint c = C("punctuation:no_comma");
    c.num_words = 3;
    bad.push_back({c, "parameter 'num_words' is not used"});
  }
  {
    Constraint c = C("length_constraints:number_words");
    c.num_words = 3;
    c.relation = "at most";
    bad.push_back({c, "relation 'at most'"});
  }
  {
    Constraint c = C("length_constraints:number_words");
    c.num_words = -1;
    c.relation = "at least";
    bad.push_back({c, "count -1"});
  }
  {
    Constraint c = C("keywords:letter_frequency");
    c.letter = "ab";
    c.let_frequency = 1;
    c.let_relation = "at least";
    bad.push_back({c, "not one letter"});
  }
  {
    Constraint c = C("keywords:existence");
    c.keywords = {"ok", "  "};
    bad.push_back({c, "blank"});
  }
  {
    Constraint c = C("length_constraints:nth_paragraph_first_word");
    c.num_paragraphs = 2;
    c.nth_paragraph = 3;
    c.first_word = "so";
    bad.push_back({c, "nth_paragraph 3"});
  }
  for (const Bad& b : bad) {
    absl::Status s = ValidateConstraints({C("punctuation:no_comma"), b.c});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << b.c.id;
    EXPECT_THAT(std::string(s.message()), HasSubstr(b.message)) << b.c.id;
    EXPECT_THAT(std::string(s.message()), HasSubstr("constraint 1")) << b.c.id;
    auto out = CheckConstraints("anything", {b.c}, CheckOptions{});
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << b.c.id;
  }
  EXPECT_EQ(ValidateConstraints({}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(CheckConstraints, LanguageConstraintsWithoutADetectorAreAnError) {
  Constraint c = C("language:response_language");
  c.language = "en";
  auto out = CheckConstraints("hello there", {c}, CheckOptions{});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace verdict::instruct
