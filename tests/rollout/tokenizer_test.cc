// The byte-level BPE tokenizer against HF `tokenizers` (the reference) on a multilingual corpus,
// for each split pattern and both merge formats; round trips; bad tokenizer files.
#include "rollout/tokenizer.h"
#include "base/utf8.h"

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/rollout/test_util.h"

namespace verdict::rollout {
namespace {

using ::testing::HasSubstr;

struct Line {
  std::string text, normalized;
  std::vector<int32_t> ids;
};

class TokenizerVsHf : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (std::string why = testing::PythonMissing("tokenizers"); !why.empty()) GTEST_SKIP() << why;
    const std::string& p = GetParam();
    std::string name = absl::StrReplaceAll(p, {{"--", ""}, {" ", "_"}});
    dir_ = testing::ScratchDir("tok_" + name);
    ASSERT_EQ(testing::RunScript("tiny_tokenizer.py", dir_ + " " + p), 0);
    auto t = Tokenizer::FromFile(dir_ + "/tokenizer.json");
    ASSERT_TRUE(t.ok()) << t.status();
    tok_ = std::make_unique<Tokenizer>(*std::move(t));
    std::istringstream in(testing::ReadFile(dir_ + "/cases.jsonl"));
    simdjson::dom::parser parser;
    for (std::string l; std::getline(in, l);) {
      simdjson::dom::element e = parser.parse(l);
      Line line;
      line.text = std::string(std::string_view(e["text"]));
      line.normalized = std::string(std::string_view(e["normalized"]));
      for (auto id : e["ids"].get_array()) line.ids.push_back(int64_t(id));
      lines_.push_back(std::move(line));
    }
    ASSERT_GE(lines_.size(), 25u);
  }
  std::string dir_;
  std::unique_ptr<Tokenizer> tok_;
  std::vector<Line> lines_;
};

TEST_P(TokenizerVsHf, EncodingsEqualHfTokenizers) {
  for (const Line& l : lines_) {
    auto ids = tok_->Encode(l.text);
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_EQ(*ids, l.ids) << "text: " << l.text;
  }
}

TEST_P(TokenizerVsHf, DecodeRoundTripsAndSplitsCharactersIntoRawBytes) {
  int partial_tokens = 0;
  for (const Line& l : lines_) {
    auto ids = tok_->Encode(l.text);
    ASSERT_TRUE(ids.ok());
    auto text = tok_->Decode(*ids);
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, l.normalized);
    std::string joined;
    for (int32_t id : *ids) {
      auto one = tok_->Decode({id});
      ASSERT_TRUE(one.ok());
      std::vector<char32_t> cps;
      if (!DecodeUtf8(*one, &cps, nullptr).ok()) ++partial_tokens;
      joined += *one;
    }
    EXPECT_EQ(joined, *text);
  }
  // Emoji and CJK split across tokens: single tokens that are not valid UTF-8 by themselves.
  EXPECT_GT(partial_tokens, 0);
}

INSTANTIATE_TEST_SUITE_P(Variants, TokenizerVsHf,
                         ::testing::Values("--pattern qwen2", "--pattern qwen2 --legacy-merges",
                                           "--pattern llama3 --ignore-merges",
                                           "--pattern gpt2 --legacy-merges", "--pattern deepseek",
                                           "--pattern o200k", "--pattern nfkc", "--pattern spm",
                                           "--pattern metaspace", "--pattern metaspace-split"));

// The same comparison on 2,000 generated strings (scripts, emoji, combining marks, digit and
// whitespace runs, code, Unicode 16 characters) per tokenizer shape, with a larger vocabulary.
INSTANTIATE_TEST_SUITE_P(Varied, TokenizerVsHf,
                         ::testing::Values("--pattern qwen2 --varied 2000 --vocab 1500",
                                           "--pattern llama3 --varied 2000 --vocab 1500",
                                           "--pattern gpt2 --varied 2000 --vocab 1500",
                                           "--pattern deepseek --varied 2000 --vocab 1500",
                                           "--pattern o200k --varied 2000 --vocab 1500",
                                           "--pattern nfkc --varied 2000 --vocab 1500",
                                           "--pattern spm --varied 2000 --vocab 1500",
                                           "--pattern metaspace --varied 2000 --vocab 1500",
                                           "--pattern metaspace-split --varied 2000 --vocab 1500"));

TEST(Tokenizer, RejectsOtherModelTypesAndSplits) {
  auto t = Tokenizer::FromJson(
      R"({"model":{"type":"WordPiece","vocab":{"a":0}},"pre_tokenizer":{"type":"BertPreTokenizer"}})");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(t.status().message(), HasSubstr("model type WordPiece is not supported"));
  t = Tokenizer::FromJson(
      R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"Whitespace"}})");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(t.status().message(), HasSubstr("pre-tokenizer Whitespace"));
  t = Tokenizer::FromJson(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":["a b"]},)"
                          R"("pre_tokenizer":{"type":"ByteLevel"}})");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("merge a + b names a token not in the vocab"));
  EXPECT_EQ(Tokenizer::FromJson("[1, 2]").status().code(), absl::StatusCode::kInvalidArgument);
  std::string nested = R"({"type":"NFC"})";
  for (int i = 0; i < 9; ++i) nested = R"({"type":"Sequence","normalizers":[)" + nested + "]}";
  t = Tokenizer::FromJson(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[]},)"
                          R"("pre_tokenizer":{"type":"ByteLevel"},"normalizer":)" +
                          nested + "}");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("Sequences nested too deeply"));
}

// The shapes that were refused before (issue 18) load; what is still unsupported is named.
TEST(Tokenizer, LoadsNfkcEmptySequenceByteFallbackAndOtherSplits) {
  const std::string bpe = R"("model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]})";
  const std::string byte_level = R"("pre_tokenizer":{"type":"ByteLevel"})";
  for (
      const std::string norm :
      {R"({"type":"NFKC"})", R"({"type":"Sequence","normalizers":[]})",
       R"({"type":"Sequence","normalizers":[{"type":"NFC"},{"type":"Sequence","normalizers":[]}]})"}) {
    auto t = Tokenizer::FromJson("{" + bpe + "," + byte_level + R"(,"normalizer":)" + norm + "}");
    ASSERT_TRUE(t.ok()) << norm << ": " << t.status();
    EXPECT_EQ(*t->Encode("ab"), std::vector<int32_t>{2});
  }
  auto t = Tokenizer::FromJson("{" + bpe +
                               R"(,"pre_tokenizer":{"type":"Sequence","pretokenizers":[)"
                               R"({"type":"Split","pattern":{"Regex":"\\p{N}{1,3}"},)"
                               R"("behavior":"Isolated","invert":false},)"
                               R"({"type":"ByteLevel","use_regex":false}]}})");
  ASSERT_TRUE(t.ok()) << t.status();  // DeepSeek-V3's digit split
  // Byte fallback: characters outside the vocab become their bytes' <0xAB> tokens; with none
  // and no unk token, encoding says which character has no token.
  t = Tokenizer::FromJson(
      R"({"model":{"type":"BPE","byte_fallback":true,"vocab":{"<0xC3>":0,"<0xA9>":1,"a":2},)"
      R"("merges":[]},"pre_tokenizer":null,"normalizer":null})");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t->Encode("a\u00e9"), (std::vector<int32_t>{2, 0, 1}));
  EXPECT_EQ(*t->Decode({2, 0, 1}), "a\u00e9");
  auto ids = t->Encode("ax");
  EXPECT_EQ(ids.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ids.status().message(), HasSubstr("no token for \"x\""));
  for (auto [json, message] : std::initializer_list<std::pair<std::string, std::string>>{
           {R"("normalizer":{"type":"Replace","pattern":{"Regex":" +"},"content":" "})",
            "Replace normalizer with a Regex pattern"},
           {R"("normalizer":{"type":"Lowercase"})", "normalizer Lowercase"},
           {R"("pre_tokenizer":{"type":"Whitespace"})", "pre-tokenizer Whitespace"},
           {R"("pre_tokenizer":{"type":"Split","pattern":{"Regex":"(?<=a)b"}})", "lookbehind"}}) {
    t = Tokenizer::FromJson("{" + bpe + "," + json + "}");
    EXPECT_EQ(t.status().code(), absl::StatusCode::kUnimplemented) << json;
    EXPECT_THAT(t.status().message(), HasSubstr(message));
  }
}

// Split behaviours other than Isolated, and invert, on a String pattern.
TEST(Tokenizer, SplitBehavioursMatchHfs) {
  struct Case {
    std::string behavior;
    bool invert;
    std::vector<int32_t> want;
  } cases[] = {
      // "a-b--a": pieces (a)(-)(b)(-)(-)(a); ids: a=0 b=1 -=2 a-=3 -b=4
      {"Isolated", false, {0, 2, 1, 2, 2, 0}},        {"Removed", false, {0, 1, 0}},
      {"MergedWithPrevious", false, {3, 1, 2, 2, 0}},  // (a-)(b-)(-)(a): b- is not a token
      {"MergedWithNext", false, {0, 4, 2, 2, 0}},      // (a)(-b)(-)(-a)
      {"Contiguous", false, {0, 2, 1, 2, 2, 0}},      {"Removed", true, {2, 2, 2}},
  };
  for (const Case& c : cases) {
    auto t = Tokenizer::FromJson(
        R"({"model":{"type":"BPE","vocab":{"a":0,"b":1,"-":2,"a-":3,"-b":4},)"
        R"("merges":["a -","- b"]},"pre_tokenizer":{"type":"Sequence","pretokenizers":[)"
        R"({"type":"Split","pattern":{"String":"-"},"behavior":")" +
        c.behavior + R"(","invert":)" + (c.invert ? "true" : "false") +
        R"(},{"type":"ByteLevel","use_regex":false}]}})");
    ASSERT_TRUE(t.ok()) << t.status();
    auto ids = t->Encode("a-b--a");
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_EQ(*ids, c.want) << c.behavior << (c.invert ? " inverted" : "");
  }
}

TEST(Tokenizer, ReadsBosFromTemplateProcessing) {
  const std::string base =
      R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"ByteLevel"},)"
      R"("added_tokens":[{"id":1,"content":"<|begin_of_text|>","special":true}])";
  auto t = Tokenizer::FromJson(
      base + R"(,"post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":)"
             R"({"id":"<|begin_of_text|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}]}})");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->bos_token_id(), 1);
  t = Tokenizer::FromJson(base + R"(,"post_processor":{"type":"ByteLevel"}})");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->bos_token_id(), -1);
}

TEST(Tokenizer, ByteMapIsGpt2s) {
  EXPECT_EQ(ByteToUnicode(' '), U'Ġ');
  EXPECT_EQ(ByteToUnicode('\n'), U'Ċ');
  EXPECT_EQ(ByteToUnicode('A'), U'A');
  EXPECT_EQ(ByteToUnicode(0), 256u);
  EXPECT_EQ(ByteToUnicode(0xAD), 323u);
  EXPECT_EQ(ByteToUnicode(0xFF), 0xFFu);
}

TEST(PromptTemplate, R1MatchesTheExampleRollouts) {
  const std::string r1 = ApplyPromptTemplate(PromptTemplate::kR1, "What is 2+2?");
  EXPECT_THAT(r1, HasSubstr("A conversation between User and Assistant."));
  EXPECT_THAT(r1, HasSubstr("<think> </think> and <answer> </answer> tags"));
  EXPECT_TRUE(absl::EndsWith(r1, "\nUser: What is 2+2?\nAssistant:"));
  const std::string example =
      testing::ReadFile(std::string(VERDICT_SOURCE_DIR) + "/examples/r1_math.jsonl");
  // The file holds the prompt JSON-escaped.
  EXPECT_THAT(example,
              HasSubstr(absl::StrReplaceAll(r1.substr(0, r1.find("User: ") + 6), {{"\n", "\\n"}})));
  EXPECT_EQ(ApplyPromptTemplate(PromptTemplate::kPlain, "x"), "x");
  EXPECT_EQ(ParsePromptTemplate("chatml").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace verdict::rollout
