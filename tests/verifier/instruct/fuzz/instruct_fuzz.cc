// libFuzzer target for the instruction checkers (STYLE.md rule 8): the input is a response, run
// against one constraint of every registered type, strict and loose. Checked: an outcome per
// constraint with its id (no crash, no hang on any bytes), the same outcomes when repeated,
// loose never below strict (the response itself is the first loose variant), and every word
// a view inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/instruct/check.h"
#include "verifier/instruct/text.h"

namespace {

using verdict::instruct::Constraint;

std::vector<Constraint> EveryType() {
  std::vector<Constraint> cs;
  for (const auto& info : verdict::instruct::AllConstraints()) {
    Constraint c;
    c.id = std::string(info.id);
    const std::string_view p = info.params;
    auto has = [&p](std::string_view name) {  // `name` is one of the comma-separated params
      for (size_t at = p.find(name); at != std::string_view::npos; at = p.find(name, at + 1)) {
        const size_t end = at + name.size();
        if ((at == 0 || p[at - 1] == ',') && (end == p.size() || p[end] == ',')) return true;
      }
      return false;
    };
    if (has("keywords")) c.keywords = {"cat", "dog"};
    if (has("forbidden_words")) c.forbidden_words = {"bad"};
    if (has("keyword")) c.keyword = "the";
    if (has("frequency")) c.frequency = 2;
    if (has("relation")) c.relation = "at least";
    if (has("letter")) c.letter = "e";
    if (has("let_frequency")) c.let_frequency = 3;
    if (has("let_relation")) c.let_relation = "less than";
    if (has("language")) c.language = "en";
    if (has("num_sentences")) c.num_sentences = 2;
    if (has("num_paragraphs")) c.num_paragraphs = 2;
    if (has("nth_paragraph")) c.nth_paragraph = 2;
    if (has("first_word")) c.first_word = "so";
    if (has("num_words")) c.num_words = 5;
    if (has("num_placeholders")) c.num_placeholders = 1;
    if (has("num_bullets")) c.num_bullets = 2;
    if (has("num_highlights")) c.num_highlights = 1;
    if (has("section_spliter")) c.section_spliter = "Section";
    if (has("num_sections")) c.num_sections = 2;
    if (has("postscript_marker")) c.postscript_marker = "P.S.";
    if (has("end_phrase")) c.end_phrase = "bye";
    if (has("prompt_to_repeat")) c.prompt_to_repeat = "Say hi.";
    if (has("capital_frequency")) c.capital_frequency = 1;
    if (has("capital_relation")) c.capital_relation = "at least";
    cs.push_back(std::move(c));
  }
  return cs;
}

std::string AsciiDetect(std::string_view text) {
  for (char ch : text) {
    if (static_cast<unsigned char>(ch) >= 0x80) return "xx";
  }
  return "en";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Constraint>* const kConstraints =
      new std::vector<Constraint>(EveryType());
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  verdict::instruct::CheckOptions strict;
  strict.detect_language = AsciiDetect;
  verdict::instruct::CheckOptions loose = strict;
  loose.loose = true;
  auto s = verdict::instruct::CheckConstraints(text, *kConstraints, strict);
  auto again = verdict::instruct::CheckConstraints(text, *kConstraints, strict);
  auto l = verdict::instruct::CheckConstraints(text, *kConstraints, loose);
  if (!s.ok() || !again.ok() || !l.ok()) std::abort();  // every constraint is valid
  if (s->size() != kConstraints->size() || l->size() != s->size()) std::abort();
  for (size_t i = 0; i < s->size(); ++i) {
    if ((*s)[i].id != (*kConstraints)[i].id) std::abort();
    if ((*s)[i].followed != (*again)[i].followed || (*s)[i].detail != (*again)[i].detail) {
      std::abort();
    }
    if ((*s)[i].followed && !(*l)[i].followed) std::abort();
  }
  for (std::string_view w : verdict::instruct::Words(text)) {
    if (w.empty() || w.data() < text.data() || w.data() + w.size() > text.data() + text.size()) {
      std::abort();
    }
  }
  if (verdict::instruct::CountSentences(text) < 0) std::abort();
  return 0;
}
