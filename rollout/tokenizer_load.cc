// Tokenizer::FromJson / FromFile: reads tokenizer.json into a Tokenizer's fields.
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "rollout/tokenizer.h"
#include "rollout/tokenizer_internal.h"
#include "simdjson.h"

namespace verdict::rollout {
namespace {

using simdjson::dom::element;
using tokenizer_internal::PairKey;
using tokenizer_internal::Utf8Of;

// Inverse byte map: code point -> byte, or -1.
int UnicodeToByte(char32_t c) {
  static const std::vector<int> inv = [] {
    std::vector<int> v(512, -1);
    for (int b = 0; b < 256; ++b) v[ByteToUnicode(static_cast<uint8_t>(b))] = b;
    return v;
  }();
  return c < inv.size() ? inv[c] : -1;
}

constexpr char kMetaspace[] = "\u2581";  // "▁", SentencePiece's space

// The byte of a SentencePiece byte token "<0xAB>", or -1.
int ByteFallbackByte(std::string_view key) {
  if (key.size() != 6 || key.substr(0, 3) != "<0x" || key[5] != '>') return -1;
  int v = 0;
  for (char c : key.substr(3, 2)) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_islower(c)) return -1;
    v = v * 16 + (c <= '9' ? c - '0' : c - 'A' + 10);
  }
  return v;
}

}  // namespace

absl::StatusOr<Tokenizer> Tokenizer::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream ss;
  ss << in.rdbuf();
  auto t = FromJson(ss.str());
  if (!t.ok())
    return absl::Status(t.status().code(), absl::StrCat(path, ": ", t.status().message()));
  return t;
}

// Encoded pieces by their bytes, as HF's BPE cache: pieces under 256 bytes, at most 10,000

// Reads the parts of tokenizer.json into a Tokenizer's fields.
class TokenizerLoader {
 public:
  // Sequences nest at most this deep (real files: one level).
  static constexpr int kMaxSequenceDepth = 8;

  // Runs `read` on each member of a Sequence's `list_key` array.
  template <typename F>
  static absl::Status EachInSequence(element seq, const char* list_key, int depth, F read) {
    if (depth >= kMaxSequenceDepth) {
      return absl::InvalidArgumentError("tokenizer.json: Sequences nested too deeply");
    }
    simdjson::dom::array list;
    if (seq[list_key].get_array().get(list)) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokenizer.json: Sequence without ", list_key));
    }
    for (element e : list) {
      if (auto s = read(e); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  static absl::Status Normalizer(element n, Tokenizer* t, int depth = 0) {
    if (n.is_null()) return absl::OkStatus();
    std::string_view type;
    if (n["type"].get_string().get(type)) type = "?";
    using N = Tokenizer::Normalizer;
    if (type == "Sequence") {
      return EachInSequence(n, "normalizers", depth,
                            [&](element e) { return Normalizer(e, t, depth + 1); });
    }
    static constexpr std::pair<const char*, NormalForm> kUnicodeForms[] = {
        {"NFC", NormalForm::kNfc},
        {"NFKC", NormalForm::kNfkc},
        {"NFD", NormalForm::kNfd},
        {"NFKD", NormalForm::kNfkd}};
    for (auto [name, form] : kUnicodeForms) {
      if (type == name) {
        t->normalizers_.push_back({N::kUnicode, "", "", form});
        return absl::OkStatus();
      }
    }
    if (type == "Prepend") {
      std::string_view p;
      if (n["prepend"].get_string().get(p)) {
        return absl::InvalidArgumentError("tokenizer.json: Prepend normalizer without prepend");
      }
      t->normalizers_.push_back({N::kPrepend, std::string(p), ""});
    } else if (type == "Replace") {
      std::string_view pattern, content;
      if (n["pattern"]["String"].get_string().get(pattern)) {
        return absl::UnimplementedError(
            "tokenizer.json: Replace normalizer with a Regex pattern is not supported");
      }
      if (n["content"].get_string().get(content) || pattern.empty()) {
        return absl::InvalidArgumentError("tokenizer.json: Replace normalizer without content");
      }
      t->normalizers_.push_back({N::kReplace, std::string(pattern), std::string(content)});
    } else {
      return absl::UnimplementedError(
          absl::StrCat("tokenizer.json: normalizer ", ToAbsl(type),
                       " is not supported (NFC, NFKC, NFD, NFKD, Prepend, Replace, Sequence)"));
    }
    return absl::OkStatus();
  }

  static absl::StatusOr<Tokenizer::Behavior> ParseBehavior(element pre) {
    std::string_view b;
    if (pre["behavior"].get_string().get(b)) return Tokenizer::Behavior::kIsolated;
    using B = Tokenizer::Behavior;
    if (b == "Isolated") return B::kIsolated;
    if (b == "Removed") return B::kRemoved;
    if (b == "MergedWithPrevious") return B::kMergedWithPrevious;
    if (b == "MergedWithNext") return B::kMergedWithNext;
    if (b == "Contiguous") return B::kContiguous;
    return absl::InvalidArgumentError(absl::StrCat("tokenizer.json: Split behavior ", ToAbsl(b)));
  }

  static absl::Status AddRegexStep(std::string_view regex, Tokenizer::Behavior behavior,
                                   bool invert, Tokenizer* t) {
    Tokenizer::PreStep step;
    step.behavior = behavior;
    step.invert = invert;
    auto known = RecognizeSplitPattern(regex);
    if (known.ok() && behavior == Tokenizer::Behavior::kIsolated && !invert) {
      step.scanner = true;
      step.pattern = *known;
    } else {
      auto re = SplitRegex::Compile(regex);
      if (!re.ok()) {
        return absl::Status(
            re.status().code(),
            absl::StrCat("tokenizer.json: ", re.status().message(), ": ", ToAbsl(regex)));
      }
      step.regex = std::make_shared<const SplitRegex>(*std::move(re));
    }
    t->pre_steps_.push_back(std::move(step));
    return absl::OkStatus();
  }

  // A literal string as a regex: every non-alphanumeric ASCII character escaped.
  static std::string EscapeLiteral(std::string_view literal) {
    std::string escaped;
    for (char c : literal) {
      if (static_cast<unsigned char>(c) < 128 && !absl::ascii_isalnum(c)) escaped += '\\';
      escaped += c;
    }
    return escaped;
  }

  static absl::Status PreTokenizer(element pre, Tokenizer* t, int depth = 0) {
    if (pre.is_null()) return absl::OkStatus();
    std::string_view type;
    if (pre["type"].get_string().get(type)) type = "?";
    if (type == "Sequence") {
      return EachInSequence(pre, "pretokenizers", depth,
                            [&](element e) { return PreTokenizer(e, t, depth + 1); });
    }
    if (type == "Split") {
      auto behavior = ParseBehavior(pre);
      if (!behavior.ok()) return behavior.status();
      bool invert = false;
      if (pre["invert"].get_bool().get(invert)) invert = false;
      std::string_view regex, literal;
      if (!pre["pattern"]["Regex"].get_string().get(regex)) {
        return AddRegexStep(regex, *behavior, invert, t);
      }
      if (pre["pattern"]["String"].get_string().get(literal) || literal.empty()) {
        return absl::InvalidArgumentError("tokenizer.json: Split without a Regex or String");
      }
      return AddRegexStep(EscapeLiteral(literal), *behavior, invert, t);
    }
    if (type == "ByteLevel") {
      t->byte_level_ = true;
      bool b = false;
      if (!pre["add_prefix_space"].get_bool().get(b) && b) {
        if (!t->pre_steps_.empty()) {
          return absl::UnimplementedError(
              "tokenizer.json: ByteLevel with add_prefix_space after another pre-tokenizer");
        }
        t->add_prefix_space_ = true;
      }
      bool use_regex = true;
      if (pre["use_regex"].get_bool().get(use_regex)) use_regex = true;
      if (use_regex) {
        return AddRegexStep(SplitPatternRegex(SplitPattern::kGpt2), Tokenizer::Behavior::kIsolated,
                            false, t);
      }
      return absl::OkStatus();
    }
    if (type == "Metaspace") {
      if (!t->pre_steps_.empty() || !t->metaspace_.empty()) {
        return absl::UnimplementedError(
            "tokenizer.json: Metaspace after another pre-tokenizer is not supported");
      }
      std::string_view rep, scheme;
      if (pre["replacement"].get_string().get(rep) || rep.empty()) {
        return absl::InvalidArgumentError("tokenizer.json: Metaspace without a replacement");
      }
      t->metaspace_ = std::string(rep);
      bool legacy_prefix = true;  // before prepend_scheme: add_prefix_space
      if (pre["add_prefix_space"].get_bool().get(legacy_prefix)) legacy_prefix = true;
      using P = Tokenizer::Prepend;
      t->metaspace_prepend_ = legacy_prefix ? P::kAlways : P::kNever;
      if (!pre["prepend_scheme"].get_string().get(scheme)) {
        static constexpr std::pair<const char*, P> kSchemes[] = {
            {"always", P::kAlways}, {"first", P::kFirst}, {"never", P::kNever}};
        bool known = false;
        for (auto [name, value] : kSchemes) {
          if (scheme == name) t->metaspace_prepend_ = value, known = true;
        }
        if (!known) {
          return absl::InvalidArgumentError(
              absl::StrCat("tokenizer.json: Metaspace prepend_scheme ", ToAbsl(scheme)));
        }
      }
      bool split = true;
      if (pre["split"].get_bool().get(split)) split = true;
      if (!split) return absl::OkStatus();
      return AddRegexStep(EscapeLiteral(rep), Tokenizer::Behavior::kMergedWithNext, false, t);
    }
    if (type == "Digits") {  // Rust's char::is_numeric: the N categories
      bool individual = false;
      if (pre["individual_digits"].get_bool().get(individual)) individual = false;
      return AddRegexStep(individual ? "\\p{N}" : "\\p{N}+", Tokenizer::Behavior::kIsolated, false,
                          t);
    }
    return absl::UnimplementedError(
        absl::StrCat("tokenizer.json: pre-tokenizer ", ToAbsl(type), " is not supported"));
  }

  // Vocab string -> the bytes the token stands for.
  static absl::StatusOr<std::string> TokenBytes(std::string_view key, const Tokenizer& t,
                                                bool metaspace) {
    if (t.byte_level_) {  // byte-level strings: map each code point back to its byte
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
      return bytes;
    }
    if (int b = ByteFallbackByte(key); t.byte_fallback_ && b >= 0) {
      return std::string(1, static_cast<char>(b));
    }
    return metaspace ? absl::StrReplaceAll(ToAbsl(key), {{kMetaspace, " "}}) : std::string(key);
  }

  static absl::Status Model(element model, Tokenizer* t) {
    bool flag = false;
    if (!model["ignore_merges"].get_bool().get(flag)) t->ignore_merges_ = flag;
    if (!model["byte_fallback"].get_bool().get(flag)) t->byte_fallback_ = flag;
    if (!model["fuse_unk"].get_bool().get(flag)) t->fuse_unk_ = flag;
    for (const char* field : {"continuing_subword_prefix", "end_of_word_suffix"}) {
      std::string_view v;
      if (!model[field].get_string().get(v) && !v.empty()) {
        return absl::UnimplementedError(
            absl::StrCat("tokenizer.json: BPE ", field, " is not supported"));
      }
    }
    double dropout = 0;
    if (!model["dropout"].get_double().get(dropout) && dropout > 0) {
      return absl::UnimplementedError("tokenizer.json: BPE dropout is not supported");
    }
    if (t->byte_fallback_ && t->byte_level_) {
      return absl::UnimplementedError(
          "tokenizer.json: byte_fallback with a ByteLevel pre-tokenizer");
    }
    bool metaspace = t->metaspace_ == kMetaspace;  // "▁" stands for a space (SentencePiece)
    for (const Tokenizer::Normalizer& n : t->normalizers_) {
      if (absl::StrContains(n.a, kMetaspace) || absl::StrContains(n.b, kMetaspace))
        metaspace = true;
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
      if (static_cast<size_t>(id) >= t->id_to_token_.size()) t->id_to_token_.resize(id + 1);
      auto bytes = TokenBytes(key, *t, metaspace);
      if (!bytes.ok()) return bytes.status();
      t->id_to_token_[id] = *std::move(bytes);
      t->vocab_.emplace(std::string(key), static_cast<int32_t>(id));
    }
    std::string_view unk;
    if (!model["unk_token"].get_string().get(unk)) {
      auto it = t->vocab_.find(std::string(unk));
      if (it == t->vocab_.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("tokenizer.json: unk_token ", ToAbsl(unk), " is not in the vocab"));
      }
      t->unk_id_ = it->second;
    }
    t->byte_token_.assign(256, -1);
    for (int b = 0; b < 256; ++b) {
      const std::string key = t->byte_level_ ? Utf8Of(ByteToUnicode(static_cast<uint8_t>(b)))
                                             : absl::StrFormat("<0x%02X>", b);
      auto it = t->vocab_.find(key);
      if (it != t->vocab_.end() && (t->byte_level_ || t->byte_fallback_)) {
        t->byte_token_[b] = it->second;
      }
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
          return absl::InvalidArgumentError(
              absl::StrCat("tokenizer.json: merge \"", ToAbsl(s), "\" has no space"));
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
      auto ia = t->vocab_.find(a), ib = t->vocab_.find(b), iab = t->vocab_.find(a + b);
      if (ia == t->vocab_.end() || ib == t->vocab_.end() || iab == t->vocab_.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("tokenizer.json: merge ", a, " + ", b, " names a token not in the vocab"));
      }
      t->merges_.emplace(PairKey(ia->second, ib->second), std::make_pair(rank++, iab->second));
    }
    return absl::OkStatus();
  }
};

absl::StatusOr<Tokenizer> Tokenizer::FromJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(json);
  element root;
  if (auto err = parser.parse(text).get(root); err || !root.is_object()) {
    return absl::InvalidArgumentError("tokenizer.json: not a JSON object");
  }
  Tokenizer t;
  t.cache_ = NewPieceCache();
  element model;
  std::string_view type;
  if (root["model"].get(model) || model["type"].get_string().get(type)) {
    return absl::InvalidArgumentError("tokenizer.json: no model.type");
  }
  if (type != "BPE") {
    return absl::UnimplementedError(
        absl::StrCat("tokenizer.json: model type ", ToAbsl(type), " is not supported (BPE only)"));
  }
  element norm, pre;
  if (!root["normalizer"].get(norm)) {
    if (auto s = TokenizerLoader::Normalizer(norm, &t); !s.ok()) return s;
  }
  if (!root["pre_tokenizer"].get(pre)) {
    if (auto s = TokenizerLoader::PreTokenizer(pre, &t); !s.ok()) return s;
  }
  if (auto s = TokenizerLoader::Model(model, &t); !s.ok()) return s;
  t.special_.assign(t.id_to_token_.size(), false);
  simdjson::dom::array added;
  if (!root["added_tokens"].get_array().get(added)) {
    for (element a : added) {
      std::string_view content;
      int64_t id;
      bool special = false;
      if (a["content"].get_string().get(content) || a["id"].get_int64().get(id) || id < 0 ||
          id > (1 << 24) || content.empty()) {
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
  // post_processor {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<bos>"}},
  // ...]}
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
  return t;
}

}  // namespace verdict::rollout
