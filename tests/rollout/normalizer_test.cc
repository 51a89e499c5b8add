// NFC, NFD, NFKC and NFKD from the generated Unicode 9.0 tables: known cases, and (slow) every
// code point alone and in context, Hangul and random mark sequences against HF `tokenizers`.
#include "rollout/normalizer.h"

#include <sstream>

#include "absl/strings/str_split.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "gtest/gtest.h"
#include "tests/rollout/test_util.h"

namespace verdict::rollout {
namespace {

std::string Nfc(std::string_view s) { return Normalize(NormalForm::kNfc, s); }
std::string Nfd(std::string_view s) { return Normalize(NormalForm::kNfd, s); }
std::string Nfkc(std::string_view s) { return Normalize(NormalForm::kNfkc, s); }
std::string Nfkd(std::string_view s) { return Normalize(NormalForm::kNfkd, s); }

TEST(Normalizer, ComposesAndDecomposes) {
  EXPECT_EQ(Nfc("Cafe\u0301"), "Caf\u00e9");
  EXPECT_EQ(Nfd("Caf\u00e9"), "Cafe\u0301");
  EXPECT_EQ(Nfc("\u1e0b\u0323"), "\u1e0d\u0307");    // d + dot above + dot below: reordered
  EXPECT_EQ(Nfd("\u1e0b\u0323"), "d\u0323\u0307");   // below (220) before above (230)
  EXPECT_EQ(Nfc("a\u0301\u0327"), "\u00e1\u0327");   // no a with cedilla: the acute composes
  EXPECT_EQ(Nfc("e\u0334\u0301"), "\u00e9\u0334");   // class 1 does not block class 230
  EXPECT_EQ(Nfc("a\u0305\u0301"), "a\u0305\u0301");  // the same class blocks
  EXPECT_EQ(Nfc("\u00e7\u0301"), "\u1e09");          // a composite composes again
}

TEST(Normalizer, ExclusionsSingletonsAndCompatibility) {
  EXPECT_EQ(Nfc("\u0958"), "\u0915\u093c");  // composition exclusion
  EXPECT_EQ(Nfc("\u2126"), "\u03a9");        // singleton: Ohm sign -> Omega
  EXPECT_EQ(Nfc("\u212b"), "\u00c5");        // Angstrom sign -> A with ring
  EXPECT_EQ(Nfc("\u0344"), "\u0308\u0301");  // non-starter decomposition
  EXPECT_EQ(Nfc("\ufb01 \u2460 \u00bd"), "\ufb01 \u2460 \u00bd");
  EXPECT_EQ(Nfkc("\ufb01 \u2460 \u00bd x\u00b2"), "fi 1 1\u20442 x2");
  EXPECT_EQ(Nfkd("\u1e9b\u0323"), "s\u0323\u0307");  // long s with dot: compatibility s
  EXPECT_EQ(Nfkc("\u1e9b\u0323"), "\u1e69");
  EXPECT_EQ(Nfd("\u1e9b\u0323"), "\u017f\u0323\u0307");
}

TEST(Normalizer, Hangul) {
  EXPECT_EQ(Nfd("\uac01"), "\u1100\u1161\u11a8");
  EXPECT_EQ(Nfc("\u1100\u1161\u11a8"), "\uac01");
  EXPECT_EQ(Nfc("\uac00\u11a7"), "\uac00\u11a7");  // U+11A7 is not a trailing consonant
  EXPECT_EQ(Nfc("\uac01\u11a8"), "\uac01\u11a8");  // an LVT syllable takes no T
  EXPECT_EQ(Nfc("\u1100\u1176"), "\u1100\u1176");  // past the V jamo
  EXPECT_EQ(Nfkc("\u3131\u314f"), "\uac00");       // compatibility jamo
}

TEST(Normalizer, UnicodeNineAsHf) {
  EXPECT_EQ(NormalizationUnicodeVersion(), "9.0.0");
  EXPECT_EQ(CombiningClass(0x0301), 230);
  EXPECT_EQ(CombiningClass(0x08D4), 230);          // added in 9.0
  EXPECT_EQ(CombiningClass(0x1DFA), 0);            // added in 14.0 (class 218): HF reads 0
  EXPECT_EQ(CombiningClass(0x0C3C), 0);            // added in 14.0 (class 7)
  EXPECT_EQ(CombiningClass(0x110000), 0);          // past the last code point
  EXPECT_EQ(Nfd("\u1dfa\u0334"), "\u1dfa\u0334");  // not reordered
  EXPECT_EQ(Nfd("\U00011938"), "\U00011938");      // Dives Akuru (13.0): kept
  EXPECT_EQ(Nfc("\U00011935\U00011930"), "\U00011935\U00011930");  // not composed
}

TEST(Normalizer, KeepsTextThatIsAlreadyNormalAndBadBytes) {
  const std::string text = "plain ASCII, \u4e2d\u6587, \ud55c\uad6d\uc5b4, \U0001F600";
  EXPECT_EQ(Nfc(text), text);
  EXPECT_EQ(Nfkc(text), text);
  EXPECT_EQ(Nfc(""), "");
  EXPECT_EQ(Nfd("\xff"
                "e\u0301\xc3"),
            "\xff"
            "e\u0301\xc3");
  EXPECT_EQ(Nfc("\xff"
                "e\u0301\xc3"),
            "\xff\u00e9\xc3");
  EXPECT_EQ(Nfc("e\xff\u0301"), "e\xff\u0301");  // a bad byte separates the mark
}

TEST(Normalizer, OrdersLongRunsOfAlternatingMarks) {
  std::string marks;  // below (220) and above (230) alternating: every mark moves
  for (int i = 0; i < 50000; ++i) marks += "\u0301\u0316";
  std::string want;
  for (int i = 0; i < 50000; ++i) want += "\u0316";
  for (int i = 0; i < 50000; ++i) want += "\u0301";
  EXPECT_EQ(Nfd("a" + marks), "a" + want);
  // The first acute is not blocked (220 < 230) and composes; the next ones are.
  EXPECT_EQ(Nfc("a" + marks), "\u00e1" + want.substr(0, want.size() - 2));
}

// Code points of a line, for messages: "U+0061 U+0301".
std::string Hex(std::string_view s) {
  std::vector<char32_t> cps;
  if (!DecodeUtf8(s, &cps, nullptr).ok()) return "(not UTF-8)";
  std::ostringstream o;
  for (char32_t c : cps) o << "U+" << std::hex << std::uppercase << uint32_t(c) << ' ';
  return o.str();
}

TEST(Normalizer, EveryCodePointAndSequenceEqualHfTokenizers) {
  if (std::string why = testing::PythonMissing("tokenizers"); !why.empty()) GTEST_SKIP() << why;
  const std::string dir = testing::ScratchDir("normal_forms");
  ASSERT_EQ(testing::RunScript("hf_normal_forms.py", dir), 0);
  const std::pair<const char*, NormalForm> forms[] = {{"nfc", NormalForm::kNfc},
                                                      {"nfd", NormalForm::kNfd},
                                                      {"nfkc", NormalForm::kNfkc},
                                                      {"nfkd", NormalForm::kNfkd}};
  int texts = 0;
  for (const char* name : {"single", "context", "hangul", "random"}) {
    const std::string in = testing::ReadFile(dir + "/" + name + ".in");
    ASSERT_FALSE(in.empty()) << name;
    ++texts;
    for (const auto& [suffix, form] : forms) {
      const std::string hf = testing::ReadFile(dir + "/" + name + "." + suffix);
      const std::string ours = Normalize(form, in);
      if (ours == hf) continue;
      const std::vector<absl::string_view> a = absl::StrSplit(in, '\n'),
                                           b = absl::StrSplit(ours, '\n'),
                                           c = absl::StrSplit(hf, '\n');
      ASSERT_EQ(b.size(), a.size());
      ASSERT_EQ(c.size(), a.size());
      int differ = 0;
      for (size_t i = 0; i < a.size(); ++i) {
        if (b[i] != c[i] && ++differ <= 5) {
          ADD_FAILURE() << name << " " << suffix << ": " << Hex(ToStd(a[i])) << "-> ours "
                        << Hex(ToStd(b[i])) << ", HF " << Hex(ToStd(c[i]));
        }
      }
      EXPECT_EQ(differ, 0) << name << " " << suffix;
    }
  }
  EXPECT_EQ(texts, 4);
}

}  // namespace
}  // namespace verdict::rollout
