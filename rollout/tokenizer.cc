#include "rollout/tokenizer.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "simdjson.h"

namespace verdict::rollout {
namespace {

using simdjson::dom::element;

std::string Utf8Of(char32_t c) {
  std::string o;
  AppendUtf8(c, &o);
  return o;
}

// Inverse byte map: code point -> byte, or -1.
int UnicodeToByte(char32_t c) {
  static const std::vector<int> inv = [] {
    std::vector<int> v(512, -1);
    for (int b = 0; b < 256; ++b) v[ByteToUnicode(static_cast<uint8_t>(b))] = b;
    return v;
  }();
  return c < inv.size() ? inv[c] : -1;
}

absl::Status CheckPreTokenizer(element pre, SplitPattern* pattern, bool* prefix_space,
                               bool* have_split, bool* have_byte_level) {
  std::string_view type;
  if (pre.is_null() || pre["type"].get_string().get(type)) {
    return absl::UnimplementedError("tokenizer.json: no pre_tokenizer; byte-level BPE needs one");
  }
  if (type == "Sequence") {
    simdjson::dom::array list;
    if (pre["pretokenizers"].get_array().get(list)) {
      return absl::InvalidArgumentError("tokenizer.json: Sequence without pretokenizers");
    }
    for (element e : list) {
      if (auto s = CheckPreTokenizer(e, pattern, prefix_space, have_split, have_byte_level);
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }
  if (type == "Split") {
    std::string_view regex, behavior;
    if (pre["pattern"]["Regex"].get_string().get(regex)) {
      return absl::UnimplementedError("tokenizer.json: Split pre-tokenizer without a Regex");
    }
    if (!pre["behavior"].get_string().get(behavior) && behavior != "Isolated") {
      return absl::UnimplementedError(
          absl::StrCat("tokenizer.json: Split behavior ", ToAbsl(behavior), " (only Isolated)"));
    }
    auto p = RecognizeSplitPattern(regex);
    if (!p.ok()) return p.status();
    *pattern = *p;
    *have_split = true;
    return absl::OkStatus();
  }
  if (type == "ByteLevel") {
    *have_byte_level = true;
    bool b = false;
    if (!pre["add_prefix_space"].get_bool().get(b)) *prefix_space = b;
    bool use_regex = true;
    if (pre["use_regex"].get_bool().get(use_regex)) use_regex = true;
    if (use_regex) {
      *pattern = SplitPattern::kGpt2;
      *have_split = true;
    }
    return absl::OkStatus();
  }
  return absl::UnimplementedError(
      absl::StrCat("tokenizer.json: pre-tokenizer ", ToAbsl(type), " is not supported"));
}

}  // namespace

char32_t ByteToUnicode(uint8_t b) {
  if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174) return b;
  int n = 0;  // the n-th byte outside the printable ranges maps to 256 + n
  for (int x = 0; x < b; ++x) {
    if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || x >= 174)) ++n;
  }
  return 256 + n;
}

absl::StatusOr<Tokenizer> Tokenizer::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream ss;
  ss << in.rdbuf();
  auto t = FromJson(ss.str());
  if (!t.ok()) return absl::Status(t.status().code(), absl::StrCat(path, ": ", t.status().message()));
  return t;
}

absl::StatusOr<Tokenizer> Tokenizer::FromJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(json);
  element root;
  if (auto err = parser.parse(text).get(root); err || !root.is_object()) {
    return absl::InvalidArgumentError("tokenizer.json: not a JSON object");
  }
  Tokenizer t;
  element model;
  std::string_view type;
  if (root["model"].get(model) || model["type"].get_string().get(type)) {
    return absl::InvalidArgumentError("tokenizer.json: no model.type");
  }
  if (type != "BPE") {
    return absl::UnimplementedError(absl::StrCat("tokenizer.json: model type ", ToAbsl(type),
                                                 " is not supported (byte-level BPE only)"));
  }
  bool flag = false;
  if (!model["ignore_merges"].get_bool().get(flag)) t.ignore_merges_ = flag;
  if (!model["byte_fallback"].get_bool().get(flag) && flag) {
    return absl::UnimplementedError("tokenizer.json: byte_fallback BPE (SentencePiece style) is not supported");
  }
  // Normaliser: none or NFC.
  element norm;
  if (!root["normalizer"].get(norm) && !norm.is_null()) {
    std::string_view nt;
    if (norm["type"].get_string().get(nt)) nt = "?";
    if (nt == "NFC") {
      t.nfc_ = true;
    } else {
      return absl::UnimplementedError(
          absl::StrCat("tokenizer.json: normalizer ", ToAbsl(nt), " is not supported (NFC or none)"));
    }
  }
  bool have_split = false, have_byte_level = false;
  element pre;
  if (root["pre_tokenizer"].get(pre)) {
    return absl::UnimplementedError("tokenizer.json: no pre_tokenizer; byte-level BPE needs one");
  }
  if (auto s = CheckPreTokenizer(pre, &t.pattern_,
                                 &t.add_prefix_space_, &have_split, &have_byte_level);
      !s.ok()) {
    return s;
  }
  if (!have_byte_level || !have_split) {
    return absl::UnimplementedError(
        "tokenizer.json: pre-tokenizer is not byte-level with a supported split");
  }
  simdjson::dom::object vocab;
  if (model["vocab"].get_object().get(vocab)) {
    return absl::InvalidArgumentError("tokenizer.json: model.vocab is not an object");
  }
  for (auto [key, value] : vocab) {
    int64_t id;
    if (value.get_int64().get(id) || id < 0 || id > (1 << 24)) {
      return absl::InvalidArgumentError(absl::StrCat("tokenizer.json: bad id for ", ToAbsl(key)));
    }
    if (static_cast<size_t>(id) >= t.id_to_token_.size()) t.id_to_token_.resize(id + 1);
    // Vocab strings are byte-level: map each code point back to its byte.
    std::vector<char32_t> cps;
    if (auto s = DecodeUtf8(key, &cps, nullptr); !s.ok()) return s;
    std::string bytes;
    for (char32_t c : cps) {
      const int b = UnicodeToByte(c);
      if (b < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tokenizer.json: vocab entry ", ToAbsl(key), " is not byte-level (GPT-2 byte map)"));
      }
      bytes += static_cast<char>(b);
    }
    t.id_to_token_[id] = bytes;
    t.vocab_.emplace(std::string(key), static_cast<int32_t>(id));
  }
  t.special_.assign(t.id_to_token_.size(), false);
  simdjson::dom::array added;
  if (!root["added_tokens"].get_array().get(added)) {
    for (element a : added) {
      std::string_view content;
      int64_t id;
      bool special = false;
      if (a["content"].get_string().get(content) || a["id"].get_int64().get(id) || id < 0) {
        return absl::InvalidArgumentError("tokenizer.json: added token without content/id");
      }
      if (a["special"].get_bool().get(special)) special = false;
      if (static_cast<size_t>(id) >= t.id_to_token_.size()) {
        t.id_to_token_.resize(id + 1);
        t.special_.resize(id + 1, false);
      }
      t.id_to_token_[id] = std::string(content);
      t.special_[id] = special;
      t.added_.push_back({std::string(content), static_cast<int32_t>(id), special});
    }
  }
  // post_processor {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<bos>"}}, ...]}
  simdjson::dom::array single;
  if (!root["post_processor"]["single"].get_array().get(single) && single.size() > 0) {
    std::string_view bos;
    if (!single.at(0)["SpecialToken"]["id"].get_string().get(bos)) {
      for (const Added& a : t.added_) {
        if (a.content == bos) t.bos_id_ = a.id;
      }
    }
  }
  std::sort(t.added_.begin(), t.added_.end(),
            [](const Added& a, const Added& b) { return a.content.size() > b.content.size(); });
  t.byte_token_.assign(256, -1);
  for (int b = 0; b < 256; ++b) {
    auto it = t.vocab_.find(Utf8Of(ByteToUnicode(static_cast<uint8_t>(b))));
    if (it != t.vocab_.end()) t.byte_token_[b] = it->second;
  }
  simdjson::dom::array merges;
  if (model["merges"].get_array().get(merges)) {
    return absl::InvalidArgumentError("tokenizer.json: model.merges is not an array");
  }
  int32_t rank = 0;
  for (element m : merges) {
    std::string a, b;
    std::string_view s;
    simdjson::dom::array pair;
    if (!m.get_string().get(s)) {  // legacy "a b"
      const size_t sp = s.find(' ');
      if (sp == std::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("tokenizer.json: merge \"", ToAbsl(s), "\" has no space"));
      }
      a = std::string(s.substr(0, sp));
      b = std::string(s.substr(sp + 1));
    } else if (!m.get_array().get(pair) && pair.size() == 2) {
      std::string_view x, y;
      if (pair.at(0).get_string().get(x) || pair.at(1).get_string().get(y)) {
        return absl::InvalidArgumentError("tokenizer.json: merge pair is not two strings");
      }
      a = std::string(x);
      b = std::string(y);
    } else {
      return absl::InvalidArgumentError("tokenizer.json: merge is neither \"a b\" nor [a, b]");
    }
    auto ia = t.vocab_.find(a), ib = t.vocab_.find(b), iab = t.vocab_.find(a + b);
    if (ia == t.vocab_.end() || ib == t.vocab_.end() || iab == t.vocab_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokenizer.json: merge ", a, " + ", b, " names a token not in the vocab"));
    }
    const uint64_t key = (static_cast<uint64_t>(ia->second) << 32) | static_cast<uint32_t>(ib->second);
    t.merges_.emplace(key, std::make_pair(rank++, iab->second));
  }
  return t;
}

int32_t Tokenizer::TokenId(std::string_view token) const {
  for (const Added& a : added_) {
    if (a.content == token) return a.id;
  }
  std::string bl;
  for (unsigned char c : token) bl += Utf8Of(ByteToUnicode(c));
  auto it = vocab_.find(bl);
  return it == vocab_.end() ? -1 : it->second;
}

bool Tokenizer::IsSpecial(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < special_.size() && special_[id];
}

void Tokenizer::Bpe(std::string_view piece, std::vector<int32_t>* out) const {
  if (ignore_merges_) {
    std::string bl;
    for (unsigned char c : piece) bl += Utf8Of(ByteToUnicode(c));
    auto it = vocab_.find(bl);
    if (it != vocab_.end()) {
      out->push_back(it->second);
      return;
    }
  }
  std::vector<int32_t> sym;
  for (unsigned char c : piece) sym.push_back(byte_token_[c]);
  // Repeatedly merge the adjacent pair of lowest rank (leftmost among equals), as HF does.
  while (sym.size() > 1) {
    int32_t best_rank = std::numeric_limits<int32_t>::max(), merged = -1;
    size_t best_pos = 0;
    for (size_t i = 0; i + 1 < sym.size(); ++i) {
      auto it = merges_.find((static_cast<uint64_t>(sym[i]) << 32) | static_cast<uint32_t>(sym[i + 1]));
      if (it != merges_.end() && it->second.first < best_rank) {
        best_rank = it->second.first;
        merged = it->second.second;
        best_pos = i;
      }
    }
    if (merged < 0) break;
    sym[best_pos] = merged;
    sym.erase(sym.begin() + best_pos + 1);
  }
  out->insert(out->end(), sym.begin(), sym.end());
}

void Tokenizer::EncodeOrdinary(std::string_view text, std::vector<int32_t>* out) const {
  if (text.empty()) return;
  std::string normalized;
  if (nfc_) {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(err);
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size()));
    if (U_SUCCESS(err) && !nfc->isNormalized(u, err)) {
      nfc->normalize(u, err).toUTF8String(normalized);
      text = normalized;
    }
  }
  std::string prefixed;
  if (add_prefix_space_ && text[0] != ' ') {
    prefixed = " " + std::string(text);
    text = prefixed;
  }
  auto pieces = PreTokenize(text, pattern_);  // valid UTF-8 was checked by Encode
  if (!pieces.ok()) return;
  for (std::string_view p : *pieces) Bpe(p, out);
}

absl::StatusOr<std::vector<int32_t>> Tokenizer::Encode(std::string_view text, bool special) const {
  std::vector<char32_t> cps;
  if (auto s = DecodeUtf8(text, &cps, nullptr); !s.ok()) return s;
  std::vector<int32_t> out;
  size_t start = 0, i = 0;
  while (i < text.size()) {
    const Added* hit = nullptr;
    if (special) {
      for (const Added& a : added_) {  // longest first
        if (text.compare(i, a.content.size(), a.content) == 0) {
          hit = &a;
          break;
        }
      }
    }
    if (hit == nullptr) {
      ++i;
      continue;
    }
    EncodeOrdinary(text.substr(start, i - start), &out);
    out.push_back(hit->id);
    i += hit->content.size();
    start = i;
  }
  EncodeOrdinary(text.substr(start), &out);
  for (int32_t id : out) {
    if (id < 0) return absl::InvalidArgumentError("tokenizer.json lacks a single-byte token");
  }
  return out;
}

absl::StatusOr<std::string> Tokenizer::Decode(const std::vector<int32_t>& ids,
                                              bool skip_special) const {
  std::string out;
  for (int32_t id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= id_to_token_.size()) {
      return absl::InvalidArgumentError(absl::StrCat("Decode: unknown token id ", id));
    }
    if (skip_special && special_[id]) continue;
    out += id_to_token_[id];
  }
  return out;
}

absl::StatusOr<PromptTemplate> ParsePromptTemplate(std::string_view name) {
  if (name == "r1") return PromptTemplate::kR1;
  if (name == "plain") return PromptTemplate::kPlain;
  return absl::InvalidArgumentError(absl::StrCat("unknown prompt template \"", ToAbsl(name),
                                                 "\" (r1, plain)"));
}

std::string ApplyPromptTemplate(PromptTemplate t, std::string_view question) {
  if (t == PromptTemplate::kPlain) return std::string(question);
  return absl::StrCat(
      "A conversation between User and Assistant. The user asks a question, and the Assistant "
      "solves it. The assistant first thinks about the reasoning process in the mind and then "
      "provides the user with the answer. The reasoning process and answer are enclosed within "
      "<think> </think> and <answer> </answer> tags, respectively.\nUser: ",
      ToAbsl(question), "\nAssistant:");
}

}  // namespace verdict::rollout
