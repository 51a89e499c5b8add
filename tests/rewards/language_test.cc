// Language consistency on a hand-labelled corpus of mixed-language reasoning. Each expected
// count was computed by hand: words are letter runs of one script, each Han character is a word,
// numbers / code / math are neutral.
#include "rewards/language.h"

#include "gtest/gtest.h"

namespace verdict {
namespace {

struct Case {
  const char* name;
  const char* text;
  const char* target;
  int words;
  int target_words;
};

class LanguageCorpus : public testing::TestWithParam<Case> {};

TEST_P(LanguageCorpus, CountsAsLabelled) {
  const Case& c = GetParam();
  LanguageResult r = LanguageConsistency(c.text, c.target);
  EXPECT_EQ(r.words, c.words) << c.text;
  EXPECT_EQ(r.target_words, c.target_words) << c.text;
  EXPECT_DOUBLE_EQ(r.proportion, c.words ? static_cast<double>(c.target_words) / c.words : 1.0);
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, LanguageCorpus,
    testing::Values(
        // 6 English words.
        Case{"pure_english", "First we add the numbers carefully.", "en", 6, 6},
        // "Let me compute" (3 en) + 所以答案是 (5 Han): 3 of 8 in English.
        Case{"english_then_chinese", "Let me compute 2+2.\n所以答案是4", "en", 8, 3},
        // Same text with Chinese as the target: 5 of 8.
        Case{"english_then_chinese_zh", "Let me compute 2+2.\n所以答案是4", "zh", 8, 5},
        // Numbers and inline math are neutral: "So" "is" = 2 words.
        Case{"math_is_neutral", "So $x^2 + y^2 = 25$ is 25.", "en", 2, 2},
        // Code blocks are neutral: "Run" "this" = 2 words.
        Case{"code_is_neutral", "Run this:\n```python\nprint('hello world')\n```\n", "en", 2, 2},
        // LaTeX commands are neutral: "Then" "equals" "half" = 3.
        Case{"latex_commands_neutral", "Then \\frac{1}{2} equals half", "en", 3, 3},
        // Japanese: これは (1 kana run) 問題 (2 Han) です (1 kana run) = 4 words, all Japanese.
        Case{"japanese", "これは問題です。", "ja", 4, 4},
        // Japanese with a Chinese target: kana are not Chinese, and Han in a sentence with kana
        // is Japanese: 0 of 4.
        Case{"japanese_not_chinese", "これは問題です。", "zh", 4, 0},
        // Korean: 3 Hangul words + 1 English word "step".
        Case{"korean_mixed", "먼저 값을 계산합니다 step", "ko", 4, 3},
        // Russian: 3 Cyrillic words + "okay" (1 Latin) = 3 of 4 Russian.
        Case{"russian_mixed", "Сначала сложим числа okay", "ru", 4, 3},
        // Arabic: 3 words.
        Case{"arabic", "نجمع الأعداد أولا", "ar", 3, 3},
        // Hindi: 3 Devanagari words (combining marks stay inside the word).
        Case{"hindi", "पहले संख्याएँ जोड़ें", "hi", 3, 3},
        // A French sentence CLD2 detects reliably, with an English target: its 7 words are not
        // English; the English sentence's 5 are: 5 of 12.
        Case{"french_sentence_in_english",
             "We now add all terms. Nous allons maintenant additionner tous les termes.", "en", 12,
             5},
        // Short French sentences CLD2 cannot place one by one ("Donc x vaut 3", "C'est juste",
        // "On vérifie": 8 words) are pooled, and the pool is French. CLD2 places "Alors on
        // ajoute 4" as French and, wrongly, "Parfait, on continue" as English: 6 + 3 of 20.
        // (Before pooling the 8 counted for the target: 17 of 20.)
        Case{"short_french_sentences_in_english",
             "We add the numbers carefully now. Donc x vaut 3. Alors on ajoute 4. C'est juste. "
             "On vérifie. Parfait, on continue.",
             "en", 20, 9},
        // Short English sentences pooled stay English; unplaceable gibberish stays neutral-ish
        // (counted for the target: the language check measures mixing, not sense).
        Case{"short_english_sentences", "So x = 3. Then y = 4. Yes. Okay. Wait. Hmm.", "en", 8, 8},
        Case{"gibberish", "Asdkjh qwepoi. Zxcmnb lkjhgf.", "en", 4, 4},
        // Nothing to judge: proportion 1.
        Case{"only_numbers", "2 + 2 = 4", "en", 0, 0}),
    [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(DetectLanguage, FindsThePromptLanguage) {
  EXPECT_EQ(DetectLanguage("Please compute the sum of the first ten positive integers."), "en");
  EXPECT_EQ(DetectLanguage("请计算前十个正整数的和，并给出详细的推理过程。"), "zh");
  EXPECT_EQ(DetectLanguage("Calculez la somme des dix premiers entiers positifs."), "fr");
  EXPECT_EQ(DetectLanguage("最初の十個の正の整数の和を計算してください。"), "ja");
}

// DetectLanguage falls back to "en" when CLD2 is unsure; the reliable variant says "" instead,
// so that a check cannot pass on text nobody can place.
TEST(DetectLanguageIfReliable, PlacesRealTextAndRefusesTheRest) {
  EXPECT_EQ(DetectLanguageIfReliable("Paris is the capital of France."), "en");
  EXPECT_EQ(DetectLanguageIfReliable("Привет, как дела? Это текст на русском языке."), "ru");
  EXPECT_EQ(DetectLanguageIfReliable("今天天气很好，我们去公园散步吧。"), "zh");
  for (const char* unplaceable :
       {"", "Yes.", "asdkjh qwepoi zxcmnb lkjhgf poiuyt", "12345 67890 3.14159", "!!! ??? ... ***",
        "\xF0\x9F\x99\x82\xF0\x9F\x8E\x89 \xF0\x9F\x91\x8D"}) {
    EXPECT_EQ(DetectLanguage(unplaceable), "en") << unplaceable;
    EXPECT_EQ(DetectLanguageIfReliable(unplaceable), "") << unplaceable;
  }
}

TEST(ChainOfThought, IsTheThinkBlockOrEverything) {
  EXPECT_EQ(ChainOfThought("<think>abc</think><answer>1</answer>"), "abc");
  EXPECT_EQ(ChainOfThought("abc</think><answer>1</answer>"), "abc");  // prefilled <think>
  EXPECT_EQ(ChainOfThought("no tags"), "no tags");
}

}  // namespace
}  // namespace verdict
