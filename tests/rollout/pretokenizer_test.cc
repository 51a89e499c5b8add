// The hand-written pre-tokenizer scanners and the split regex engine against PCRE2 running the
// original patterns (real tokenizer.json split patterns).
#include "rollout/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/utf8.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rollout/split_regex.h"

namespace verdict::rollout {
namespace {

// PCRE2's \s (with UCP) lacks U+0085, which Oniguruma's \s (HF tokenizers) includes, so the
// oracle spells out the scanner's documented class.
std::string OraclePattern(SplitPattern p) {
  std::string re =
      absl::StrReplaceAll(std::string(SplitPatternRegex(p)), {{R"([^\s\p{L}\p{N}])", "@CLASS@"}});
  re = absl::StrReplaceAll(re, {{R"(\s)", R"([\s\x{85}])"}, {R"(\S)", R"([^\s\x{85}])"}});
  return absl::StrReplaceAll(re, {{"@CLASS@", R"([^\s\x{85}\p{L}\p{N}])"}});
}

class Pcre2Splitter {
 public:
  explicit Pcre2Splitter(const std::string& pattern) {
    int err;
    PCRE2_SIZE off;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), pattern.size(),
                          PCRE2_UTF | PCRE2_UCP, &err, &off, nullptr);
    data_ = code_ ? pcre2_match_data_create_from_pattern(code_, nullptr) : nullptr;
  }
  ~Pcre2Splitter() {
    pcre2_match_data_free(data_);
    pcre2_code_free(code_);
  }
  bool ok() const { return code_ != nullptr; }
  // Matches and the gaps between them, in order (HF Split with "Isolated").
  std::vector<std::string> Split(const std::string& s) {
    std::vector<std::string> out;
    size_t pos = 0, last = 0;
    while (pos <= s.size()) {
      int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), pos, 0, data_,
                           nullptr);
      if (rc < 0) break;
      PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data_);
      if (ov[0] > last) out.push_back(s.substr(last, ov[0] - last));
      if (ov[1] == ov[0]) {  // empty match: cannot happen with these patterns
        out.push_back("<empty>");
        break;
      }
      out.push_back(s.substr(ov[0], ov[1] - ov[0]));
      pos = last = ov[1];
    }
    if (last < s.size()) out.push_back(s.substr(last));
    return out;
  }

 private:
  pcre2_code* code_ = nullptr;
  pcre2_match_data* data_ = nullptr;
};

std::string Utf8(char32_t c) {
  std::string o;
  if (c < 0x80)
    o += char(c);
  else if (c < 0x800) {
    o += char(0xC0 | (c >> 6));
    o += char(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    o += char(0xE0 | (c >> 12));
    o += char(0x80 | ((c >> 6) & 0x3F));
    o += char(0x80 | (c & 0x3F));
  } else {
    o += char(0xF0 | (c >> 18));
    o += char(0x80 | ((c >> 12) & 0x3F));
    o += char(0x80 | ((c >> 6) & 0x3F));
    o += char(0x80 | (c & 0x3F));
  }
  return o;
}

// An alphabet that exercises every branch: contractions (incl. case and U+017F), letters of
// several scripts, combining marks, digits of Nd/Nl/No, emoji and ZWJ, each kind of space.
const std::vector<char32_t>& Alphabet() {
  static const std::vector<char32_t> a = {
      '\'',   '\'',    '\'',    's',     'S',    0x17F,  't',    'T',    'r',     'R',    'e',
      'E',    'v',     'm',     'M',     'l',    'L',    'd',    'D',    'x',     'a',    'Z',
      '0',    '1',     '9',     ' ',     ' ',    ' ',    ' ',    '\t',   '\n',    '\n',   '\r',
      '\v',   '\f',    0x85,    0xA0,    0x2003, 0x2028, 0x2029, 0x3000, '.',     ',',    '!',
      '?',    '-',     '_',     '(',     '$',    '\\',   '{',    0xE9,   0xDF,    0x3A9,  0x416,
      0x4E2D, 0x6587,  0x3042,  0xD55C,  0x627,  0x915,  0x94D,  0x301,  0x663,   0xB2,   0x216B,
      0xBD,   0x1F600, 0x1F44D, 0x1F3FD, 0x200D, 0x20AC, 0xA9,   0xFF01, 0x1D400, 0x2460, 0x1C5,
      0x2B0,  0x2019,  0x5BB,   0x30A2};
  return a;
}

std::string RandomString(std::mt19937& rng) {
  const auto& a = Alphabet();
  std::uniform_int_distribution<int> len(0, 24), pick(0, a.size() - 1);
  std::string s;
  for (int n = len(rng); n > 0; --n) s += Utf8(a[pick(rng)]);
  return s;
}

// Pieces as one line, non-ASCII and control characters escaped, for readable failures.
std::string Show(const std::vector<std::string>& pieces) {
  std::string o;
  for (const std::string& p : pieces) {
    o += "[";
    std::vector<char32_t> cps;
    (void)DecodeUtf8(p, &cps, nullptr);
    for (char32_t c : cps) {
      if (c >= 0x20 && c < 0x7F)
        o += char(c);
      else
        o += "\\u{" + absl::StrCat(absl::Hex(uint32_t(c))) + "}";
    }
    o += "]";
  }
  return o;
}

class ScannerVsPcre2 : public ::testing::TestWithParam<SplitPattern> {};

TEST_P(ScannerVsPcre2, EqualOnTwentyThousandGeneratedStrings) {
  Pcre2Splitter pcre(OraclePattern(GetParam()));
  ASSERT_TRUE(pcre.ok());
  std::mt19937 rng(static_cast<int>(GetParam()) + 17);
  int compared = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string s = RandomString(rng);
    auto got = PreTokenize(s, GetParam());
    ASSERT_TRUE(got.ok()) << got.status();
    std::vector<std::string> mine(got->begin(), got->end());
    ASSERT_EQ(Show(mine), Show(pcre.Split(s))) << "input: " << Show({s});
    ++compared;
  }
  EXPECT_EQ(compared, 20000);
}

INSTANTIATE_TEST_SUITE_P(Patterns, ScannerVsPcre2,
                         ::testing::Values(SplitPattern::kQwen2, SplitPattern::kLlama3,
                                           SplitPattern::kGpt2));

// PCRE2's \s lacks U+0085 (Oniguruma's has it): spell it out, inside classes and out.
std::string Pcre2Dialect(std::string_view re) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < re.size(); ++i) {
    if (re[i] == '\\' && i + 1 < re.size()) {
      const char e = re[++i];
      if (e == 's')
        out += in_class ? "\\s\\x{85}" : "[\\s\\x{85}]";
      else if (e == 'S')
        out += in_class ? "\\S" : "[^\\s\\x{85}]";
      else
        out += std::string("\\") + e;
      continue;
    }
    if (re[i] == '[' && !in_class)
      in_class = true;
    else if (re[i] == ']' && in_class)
      in_class = false;
    out += re[i];
  }
  return out;
}

// DeepSeek-V3's Splits and GPT-4o's (o200k) pattern, as in their tokenizer.json files.
constexpr std::string_view kDeepSeekDigits = R"(\p{N}{1,3})";
constexpr std::string_view kDeepSeekCjk = "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+";
constexpr std::string_view kDeepSeekMain =
    R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kO200k =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// The engine's matches and the gaps between them (HF Split with "Isolated").
std::vector<std::string> EngineSplit(const SplitRegex& re, const std::string& s) {
  std::vector<char32_t> cps;
  std::vector<size_t> off;
  EXPECT_TRUE(DecodeUtf8(s, &cps, &off).ok());
  std::vector<std::pair<size_t, size_t>> spans;
  EXPECT_TRUE(re.FindAll(cps, &spans).ok());
  std::vector<std::string> out;
  size_t last = 0;
  for (auto [b, e] : spans) {
    if (b > last) out.push_back(s.substr(off[last], off[b] - off[last]));
    out.push_back(s.substr(off[b], off[e] - off[b]));
    last = e;
  }
  if (last < cps.size()) out.push_back(s.substr(off[last]));
  return out;
}

class RegexVsPcre2 : public ::testing::TestWithParam<std::string_view> {};

TEST_P(RegexVsPcre2, EqualOnTwentyThousandGeneratedStrings) {
  auto re = SplitRegex::Compile(GetParam());
  ASSERT_TRUE(re.ok()) << re.status();
  Pcre2Splitter pcre(Pcre2Dialect(GetParam()));
  ASSERT_TRUE(pcre.ok()) << Pcre2Dialect(GetParam());
  std::mt19937 rng(static_cast<int>(GetParam().size()));
  for (int i = 0; i < 20000; ++i) {
    const std::string s = RandomString(rng);
    ASSERT_EQ(Show(EngineSplit(*re, s)), Show(pcre.Split(s))) << "input: " << Show({s});
  }
}

INSTANTIATE_TEST_SUITE_P(Patterns, RegexVsPcre2,
                         ::testing::Values(SplitPatternRegex(SplitPattern::kQwen2),
                                           SplitPatternRegex(SplitPattern::kLlama3),
                                           SplitPatternRegex(SplitPattern::kGpt2), kDeepSeekDigits,
                                           kDeepSeekCjk, kDeepSeekMain, kO200k,
                                           std::string_view(R"(\d+|[^\d\s]+?x|(?>a+)b|a{2,}?)")));

// One engine against another: the engine running the built-in patterns equals their scanners.
TEST(SplitRegex, EqualsTheScannersOnLongRuns) {
  for (SplitPattern p : {SplitPattern::kQwen2, SplitPattern::kLlama3, SplitPattern::kGpt2}) {
    auto re = SplitRegex::Compile(SplitPatternRegex(p));
    ASSERT_TRUE(re.ok());
    std::mt19937 rng(3);
    for (int i = 0; i < 200; ++i) {
      std::string s;
      for (int k = 0; k < 20; ++k) s += RandomString(rng) + std::string(rng() % 50, " a1\n"[k % 4]);
      auto got = PreTokenize(s, p);
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(Show(EngineSplit(*re, s)), Show({got->begin(), got->end()}));
    }
  }
}

TEST(SplitRegex, GoldenMatches) {
  struct Case {
    std::string_view pattern, input, want;
  } cases[] = {
      {R"(\p{N}{1,3})", "a12345b", "[a][123][45][b]"},
      {R"(a+?)", "aaa", "[a][a][a]"},
      {R"(a*+a|b)", "aaab", "[aaa][b]"},  // possessive: a*+ leaves no 'a' to match
      {R"((?i:'s|'ll))", "'S'LL'x", "['S]['LL]['x]"},
      {R"(\s+(?!\S)|\s+)", "a   b", "[a][  ][ ][b]"},
      {R"([^\p{L}])", "x-y", "[x][-][y]"},
      {R"(\x{4E2D}|\u6587)", "中文", "[\\u{4e2d}][\\u{6587}]"},
      {"(?i)ab|c", "ABc", "[AB][c]"},
      {"x{,2}", "x{,2}", "[x{,2}]"},  // not a quantifier: literal, as Oniguruma reads it
      {"[]a]", "]a", "[]][a]"},
  };
  for (const Case& c : cases) {
    auto re = SplitRegex::Compile(c.pattern);
    ASSERT_TRUE(re.ok()) << c.pattern << ": " << re.status();
    EXPECT_EQ(Show(EngineSplit(*re, std::string(c.input))), c.want) << c.pattern;
  }
}

TEST(SplitRegex, RefusesWhatItDoesNotImplementByName) {
  struct Case {
    std::string_view pattern;
    absl::StatusCode code;
    std::string_view message;
  } cases[] = {
      {"(?<=a)b", absl::StatusCode::kUnimplemented, "lookbehind"},
      {"\\w+", absl::StatusCode::kUnimplemented, "escape \\w"},
      {"^a", absl::StatusCode::kUnimplemented, "anchors"},
      {"(a*)*", absl::StatusCode::kUnimplemented, "unbounded repeat of an empty match"},
      {"\\p{Greek}", absl::StatusCode::kUnimplemented, "only general categories"},
      {"[[:alpha:]]", absl::StatusCode::kUnimplemented, "nested class"},
      {"(ab", absl::StatusCode::kInvalidArgument, "missing ')'"},
      {"ab)", absl::StatusCode::kInvalidArgument, "unbalanced ')'"},
      {"[a-", absl::StatusCode::kInvalidArgument, "unterminated '['"},
      {"[z-a]", absl::StatusCode::kInvalidArgument, "range out of order"},
      {"*a", absl::StatusCode::kInvalidArgument, "quantifier without an operand"},
      {"a{2000}", absl::StatusCode::kInvalidArgument, "repeat count over 1000"},
      {"(a{1000}){1000}", absl::StatusCode::kInvalidArgument, "compiled pattern too large"},
  };
  for (const Case& c : cases) {
    auto re = SplitRegex::Compile(c.pattern);
    EXPECT_EQ(re.status().code(), c.code) << c.pattern;
    EXPECT_THAT(re.status().message(), ::testing::HasSubstr(c.message)) << c.pattern;
  }
  std::string deep(100, '(');
  deep += "a" + std::string(100, ')');
  EXPECT_THAT(SplitRegex::Compile(deep).status().message(),
              ::testing::HasSubstr("nested too deeply"));
}

// Exponential backtracking stops at the step budget with an error, not a hang.
TEST(SplitRegex, CatastrophicBacktrackingHitsTheBudget) {
  auto re = SplitRegex::Compile("(?:a|a)+(?:a|a)+(?:a|a)+(?:a|a)+b");
  ASSERT_TRUE(re.ok());
  std::vector<char32_t> s(2000, 'a');
  std::vector<std::pair<size_t, size_t>> spans;
  EXPECT_EQ(re->FindAll(s, &spans).code(), absl::StatusCode::kResourceExhausted);
}

TEST(PreTokenize, GoldenQwen2Split) {
  auto got = PreTokenize("Hello world's  12 \n\n  x!!\n", SplitPattern::kQwen2);
  ASSERT_TRUE(got.ok());
  EXPECT_THAT(*got, ::testing::ElementsAre("Hello", " world", "'s", " ", " ", "1", "2", " \n\n",
                                           " ", " x", "!!\n"));
  got = PreTokenize("12345", SplitPattern::kLlama3);
  EXPECT_THAT(*got, ::testing::ElementsAre("123", "45"));
}

TEST(PreTokenize, RejectsInvalidUtf8AndUnknownPatterns) {
  auto got = PreTokenize("ab\xC3(", SplitPattern::kQwen2);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(got.status().message(), ::testing::HasSubstr("invalid UTF-8 at byte 2"));
  EXPECT_EQ(RecognizeSplitPattern("\\w+").status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(*RecognizeSplitPattern(SplitPatternRegex(SplitPattern::kLlama3)),
            SplitPattern::kLlama3);
}

}  // namespace
}  // namespace verdict::rollout
