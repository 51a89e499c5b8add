// The hand-written pre-tokenizer scanners against PCRE2 running the original patterns.
#include "base/utf8.h"
#include "rollout/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace verdict::rollout {
namespace {

// PCRE2's \s (with UCP) lacks U+0085, which Oniguruma's \s (HF tokenizers) includes, so the
// oracle spells out the scanner's documented class.
std::string OraclePattern(SplitPattern p) {
  std::string re = absl::StrReplaceAll(std::string(SplitPatternRegex(p)),
                                       {{R"([^\s\p{L}\p{N}])", "@CLASS@"}});
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
  if (c < 0x80) o += char(c);
  else if (c < 0x800) { o += char(0xC0 | (c >> 6)); o += char(0x80 | (c & 0x3F)); }
  else if (c < 0x10000) {
    o += char(0xE0 | (c >> 12)); o += char(0x80 | ((c >> 6) & 0x3F)); o += char(0x80 | (c & 0x3F));
  } else {
    o += char(0xF0 | (c >> 18)); o += char(0x80 | ((c >> 12) & 0x3F));
    o += char(0x80 | ((c >> 6) & 0x3F)); o += char(0x80 | (c & 0x3F));
  }
  return o;
}

// An alphabet that exercises every branch: contractions (incl. case and U+017F), letters of
// several scripts, combining marks, digits of Nd/Nl/No, emoji and ZWJ, each kind of space.
const std::vector<char32_t>& Alphabet() {
  static const std::vector<char32_t> a = {
      '\'', '\'', '\'', 's', 'S', 0x17F, 't', 'T', 'r', 'R', 'e', 'E', 'v', 'm', 'M', 'l', 'L',
      'd', 'D', 'x', 'a', 'Z', '0', '1', '9', ' ', ' ', ' ', ' ', '\t', '\n', '\n', '\r', '\v',
      '\f', 0x85, 0xA0, 0x2003, 0x2028, 0x2029, 0x3000, '.', ',', '!', '?', '-', '_', '(', '$',
      '\\', '{', 0xE9, 0xDF, 0x3A9, 0x416, 0x4E2D, 0x6587, 0x3042, 0xD55C, 0x627, 0x915, 0x94D,
      0x301, 0x663, 0xB2, 0x216B, 0xBD, 0x1F600, 0x1F44D, 0x1F3FD, 0x200D, 0x20AC, 0xA9, 0xFF01,
      0x1D400, 0x2460};
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
      if (c >= 0x20 && c < 0x7F) o += char(c);
      else o += "\\u{" + absl::StrCat(absl::Hex(uint32_t(c))) + "}";
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
