#include "rollout/tokenizer.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <queue>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "simdjson.h"

namespace verdict::rollout {
namespace {

using simdjson::dom::element;

std::string Utf8Of(char32_t c) {
  std::string o;
  if (c < 0x80)
    o += static_cast<char>(c);
  else if (c < 0x800) {
    o += static_cast<char>(0xC0 | (c >> 6));
    o += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    o += static_cast<char>(0xE0 | (c >> 12));
    o += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    o += static_cast<char>(0x80 | (c & 0x3F));
  }
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

std::string Sv(std::string_view s) { return std::string(s); }

constexpr char kMetaspace[] = "\u2581";  // "▁", SentencePiece's space

uint64_t PairKey(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b);
}

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

std::string UnicodeNormalize(int kind, const std::string& text) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n = nullptr;
  switch (kind) {
    case 0:
      n = icu::Normalizer2::getNFCInstance(err);
      break;
    case 1:
      n = icu::Normalizer2::getNFKCInstance(err);
      break;
    case 2:
      n = icu::Normalizer2::getNFDInstance(err);
      break;
    default:
      n = icu::Normalizer2::getNFKDInstance(err);
      break;
  }
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size()));
  if (U_FAILURE(err) || n->isNormalized(u, err)) return text;
  std::string out;
  n->normalize(u, err).toUTF8String(out);
  return U_SUCCESS(err) ? out : text;
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
  if (!t.ok())
    return absl::Status(t.status().code(), absl::StrCat(path, ": ", t.status().message()));
  return t;
}

// Encoded pieces by their bytes, as HF's BPE cache: pieces under 256 bytes, at most 10,000
// entries (then no more are added).
class Tokenizer::PieceCache {
 public:
  static constexpr size_t kMaxPieceBytes = 256;
  static constexpr size_t kCapacity = 10000;
  bool Get(std::string_view piece, std::vector<int32_t>* out) {
    absl::ReaderMutexLock lock(&mu_);
    auto it = map_.find(absl::string_view(piece.data(), piece.size()));
    if (it == map_.end()) return false;
    out->insert(out->end(), it->second.begin(), it->second.end());
    return true;
  }
  void Put(std::string_view piece, const int32_t* ids, size_t n) {
    absl::MutexLock lock(&mu_);
    if (map_.size() < kCapacity) map_.emplace(Sv(piece), std::vector<int32_t>(ids, ids + n));
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<int32_t>> map_ ABSL_GUARDED_BY(mu_);
};

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
    static constexpr std::pair<const char*, N::Kind> kUnicodeForms[] = {
        {"NFC", N::kNfc}, {"NFKC", N::kNfkc}, {"NFD", N::kNfd}, {"NFKD", N::kNfkd}};
    for (auto [name, kind] : kUnicodeForms) {
      if (type == name) {
        t->normalizers_.push_back({kind, "", ""});
        return absl::OkStatus();
      }
    }
    if (type == "Prepend") {
      std::string_view p;
      if (n["prepend"].get_string().get(p)) {
        return absl::InvalidArgumentError("tokenizer.json: Prepend normalizer without prepend");
      }
      t->normalizers_.push_back({N::kPrepend, Sv(p), ""});
    } else if (type == "Replace") {
      std::string_view pattern, content;
      if (n["pattern"]["String"].get_string().get(pattern)) {
        return absl::UnimplementedError(
            "tokenizer.json: Replace normalizer with a Regex pattern is not supported");
      }
      if (n["content"].get_string().get(content) || pattern.empty()) {
        return absl::InvalidArgumentError("tokenizer.json: Replace normalizer without content");
      }
      t->normalizers_.push_back({N::kReplace, Sv(pattern), Sv(content)});
    } else {
      return absl::UnimplementedError(
          absl::StrCat("tokenizer.json: normalizer ", Sv(type),
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
    return absl::InvalidArgumentError(absl::StrCat("tokenizer.json: Split behavior ", Sv(b)));
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
            absl::StrCat("tokenizer.json: ", re.status().message(), ": ", Sv(regex)));
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
      t->metaspace_ = Sv(rep);
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
              absl::StrCat("tokenizer.json: Metaspace prepend_scheme ", Sv(scheme)));
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
        absl::StrCat("tokenizer.json: pre-tokenizer ", Sv(type), " is not supported"));
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
          return absl::InvalidArgumentError(absl::StrCat("tokenizer.json: vocab entry ", Sv(key),
                                                         " is not byte-level (GPT-2 byte map)"));
        }
        bytes += static_cast<char>(b);
      }
      return bytes;
    }
    if (int b = ByteFallbackByte(key); t.byte_fallback_ && b >= 0) {
      return std::string(1, static_cast<char>(b));
    }
    return metaspace ? absl::StrReplaceAll(Sv(key), {{kMetaspace, " "}}) : Sv(key);
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
        return absl::InvalidArgumentError(absl::StrCat("tokenizer.json: bad id for ", Sv(key)));
      }
      if (static_cast<size_t>(id) >= t->id_to_token_.size()) t->id_to_token_.resize(id + 1);
      auto bytes = TokenBytes(key, *t, metaspace);
      if (!bytes.ok()) return bytes.status();
      t->id_to_token_[id] = *std::move(bytes);
      t->vocab_.emplace(std::string(key), static_cast<int32_t>(id));
    }
    std::string_view unk;
    if (!model["unk_token"].get_string().get(unk)) {
      auto it = t->vocab_.find(Sv(unk));
      if (it == t->vocab_.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("tokenizer.json: unk_token ", Sv(unk), " is not in the vocab"));
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
              absl::StrCat("tokenizer.json: merge \"", Sv(s), "\" has no space"));
        }
        a = Sv(s.substr(0, sp));
        b = Sv(s.substr(sp + 1));
      } else if (!m.get_array().get(pair) && pair.size() == 2) {
        std::string_view x, y;
        if (pair.at(0).get_string().get(x) || pair.at(1).get_string().get(y)) {
          return absl::InvalidArgumentError("tokenizer.json: merge pair is not two strings");
        }
        a = Sv(x);
        b = Sv(y);
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
  t.cache_ = std::make_shared<PieceCache>();
  element model;
  std::string_view type;
  if (root["model"].get(model) || model["type"].get_string().get(type)) {
    return absl::InvalidArgumentError("tokenizer.json: no model.type");
  }
  if (type != "BPE") {
    return absl::UnimplementedError(
        absl::StrCat("tokenizer.json: model type ", Sv(type), " is not supported (BPE only)"));
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

int32_t Tokenizer::TokenId(std::string_view token) const {
  for (const Added& a : added_) {
    if (a.content == token) return a.id;
  }
  std::string key;
  if (byte_level_) {
    for (unsigned char c : token) key += Utf8Of(ByteToUnicode(c));
  } else {
    key = Sv(token);
  }
  auto it = vocab_.find(key);
  return it == vocab_.end() ? -1 : it->second;
}

bool Tokenizer::IsSpecial(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < special_.size() && special_[id];
}

absl::Status Tokenizer::InitialSymbols(std::string_view piece, std::vector<int32_t>* ids) const {
  if (byte_level_) {
    for (unsigned char c : piece) {
      if (byte_token_[c] < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("tokenizer.json lacks the single-byte token for byte ", int{c}));
      }
      ids->push_back(byte_token_[c]);
    }
    return absl::OkStatus();
  }
  bool last_unk = false;
  size_t i = 0;
  while (i < piece.size()) {  // characters (piece is valid UTF-8)
    const unsigned char lead = static_cast<unsigned char>(piece[i]);
    const size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    const std::string_view ch = piece.substr(i, len);
    i += len;
    if (auto it = vocab_.find(Sv(ch)); it != vocab_.end()) {
      ids->push_back(it->second);
      last_unk = false;
      continue;
    }
    bool all_bytes = byte_fallback_;
    for (unsigned char b : ch) all_bytes = all_bytes && byte_token_[b] >= 0;
    if (all_bytes) {
      for (unsigned char b : ch) ids->push_back(byte_token_[b]);
      last_unk = false;
      continue;
    }
    if (unk_id_ < 0) {
      return absl::InvalidArgumentError(absl::StrCat("tokenizer.json has no token for \"", Sv(ch),
                                                     "\" (no byte fallback, no unk_token)"));
    }
    if (!(fuse_unk_ && last_unk)) ids->push_back(unk_id_);
    last_unk = true;
  }
  return absl::OkStatus();
}

absl::Status Tokenizer::Bpe(std::string_view piece, std::vector<int32_t>* out) const {
  if (piece.empty()) return absl::OkStatus();
  const bool cacheable = piece.size() < PieceCache::kMaxPieceBytes;
  if (cacheable && cache_->Get(piece, out)) return absl::OkStatus();
  if (ignore_merges_) {
    std::string key;
    if (byte_level_) {
      for (unsigned char c : piece) key += Utf8Of(ByteToUnicode(c));
    } else {
      key = Sv(piece);
    }
    if (auto it = vocab_.find(key); it != vocab_.end()) {
      out->push_back(it->second);
      return absl::OkStatus();
    }
  }
  std::vector<int32_t> ids;
  if (auto s = InitialSymbols(piece, &ids); !s.ok()) return s;
  // HF's merge loop: a min-queue of candidate merges by (rank, position) over a doubly linked
  // list of symbols; a candidate whose pair has changed since it was queued is skipped.
  const int32_t n = static_cast<int32_t>(ids.size());
  std::vector<int32_t> prev(n), next(n);
  for (int32_t i = 0; i < n; ++i) prev[i] = i - 1, next[i] = i + 1 < n ? i + 1 : -1;
  struct Candidate {
    int32_t rank, pos, merged;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  auto consider = [&](int32_t pos) {
    if (pos < 0 || next[pos] < 0) return;
    auto it = merges_.find(PairKey(ids[pos], ids[next[pos]]));
    if (it != merges_.end()) queue.push({it->second.first, pos, it->second.second});
  };
  for (int32_t i = 0; i + 1 < n; ++i) consider(i);
  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    if (ids[c.pos] < 0 || next[c.pos] < 0) continue;  // merged away, or now last
    const int32_t right = next[c.pos];
    auto it = merges_.find(PairKey(ids[c.pos], ids[right]));
    if (it == merges_.end() || it->second.second != c.merged) continue;
    ids[c.pos] = c.merged;
    ids[right] = -1;
    next[c.pos] = next[right];
    if (next[right] >= 0) prev[next[right]] = c.pos;
    consider(prev[c.pos]);
    consider(c.pos);
  }
  const size_t first = out->size();
  for (int32_t i = 0; i >= 0 && i < n; i = next[i]) out->push_back(ids[i]);
  if (cacheable) cache_->Put(piece, out->data() + first, out->size() - first);
  return absl::OkStatus();
}

absl::Status Tokenizer::SplitPieces(const PreStep& step, std::string_view text,
                                    std::vector<std::string_view>* pieces) const {
  if (step.scanner) {
    auto got = PreTokenize(text, step.pattern);
    if (!got.ok()) return got.status();
    pieces->insert(pieces->end(), got->begin(), got->end());
    return absl::OkStatus();
  }
  std::vector<char32_t> cps;
  std::vector<size_t> off;
  if (auto s = DecodeUtf8(text, &cps, &off); !s.ok()) return s;
  std::vector<std::pair<size_t, size_t>> matches;
  if (auto s = step.regex->FindAll(cps, &matches); !s.ok()) return s;
  // HF's Pattern::find_matches: the spans covering the text, each marked matched or not.
  struct Span {
    size_t begin, end;
    bool match;
  };
  std::vector<Span> spans;
  size_t at = 0;
  for (auto [b, e] : matches) {
    if (b > at) spans.push_back({at, b, step.invert});
    spans.push_back({b, e, !step.invert});
    at = e;
  }
  if (at < cps.size()) spans.push_back({at, cps.size(), step.invert});
  // HF's SplitDelimiterBehavior, span by span.
  std::vector<std::pair<size_t, size_t>> out;
  bool previous_match = false;
  switch (step.behavior) {
    case Behavior::kIsolated:
      for (const Span& s : spans) out.push_back({s.begin, s.end});
      break;
    case Behavior::kRemoved:
      for (const Span& s : spans) {
        if (!s.match) out.push_back({s.begin, s.end});
      }
      break;
    case Behavior::kMergedWithPrevious:
      for (const Span& s : spans) {
        if (s.match && !previous_match && !out.empty())
          out.back().second = s.end;
        else
          out.push_back({s.begin, s.end});
        previous_match = s.match;
      }
      break;
    case Behavior::kMergedWithNext:
      for (size_t k = spans.size(); k-- > 0;) {
        const Span& s = spans[k];
        if (s.match && !previous_match && !out.empty())
          out.back().first = s.begin;
        else
          out.push_back({s.begin, s.end});
        previous_match = s.match;
      }
      std::reverse(out.begin(), out.end());
      break;
    case Behavior::kContiguous:
      for (const Span& s : spans) {
        if (s.match == previous_match && !out.empty())
          out.back().second = s.end;
        else
          out.push_back({s.begin, s.end});
        previous_match = s.match;
      }
      break;
  }
  for (auto [b, e] : out) {
    if (e > b) pieces->push_back(text.substr(off[b], off[e] - off[b]));
  }
  return absl::OkStatus();
}

absl::Status Tokenizer::EncodeOrdinary(std::string_view text, bool at_start,
                                       std::vector<int32_t>* out) const {
  if (text.empty()) return absl::OkStatus();
  std::string s(text);
  for (const Normalizer& n : normalizers_) {
    switch (n.kind) {
      case Normalizer::kPrepend:
        if (!s.empty()) s = n.a + s;
        break;
      case Normalizer::kReplace:
        s = absl::StrReplaceAll(s, {{n.a, n.b}});
        break;
      default:
        s = UnicodeNormalize(n.kind, s);
        break;
    }
  }
  if (add_prefix_space_ && !s.empty() && s[0] != ' ') s.insert(s.begin(), ' ');
  if (!metaspace_.empty()) {
    s = absl::StrReplaceAll(s, {{" ", metaspace_}});
    const bool prepend = metaspace_prepend_ == Prepend::kAlways ||
                         (metaspace_prepend_ == Prepend::kFirst && at_start);
    if (prepend && !absl::StartsWith(s, metaspace_)) s = metaspace_ + s;
  }
  std::vector<std::string_view> pieces = {s}, next;
  for (const PreStep& step : pre_steps_) {
    next.clear();
    for (std::string_view p : pieces) {
      if (auto st = SplitPieces(step, p, &next); !st.ok()) return st;
    }
    pieces.swap(next);
  }
  for (std::string_view p : pieces) {
    if (auto st = Bpe(p, out); !st.ok()) return st;
  }
  return absl::OkStatus();
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
    if (auto s = EncodeOrdinary(text.substr(start, i - start), start == 0, &out); !s.ok()) {
      return s;
    }
    out.push_back(hit->id);
    i += hit->content.size();
    start = i;
  }
  if (auto s = EncodeOrdinary(text.substr(start), start == 0, &out); !s.ok()) return s;
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
  return absl::InvalidArgumentError(
      absl::StrCat("unknown prompt template \"", Sv(name), "\" (r1, plain)"));
}

std::string ApplyPromptTemplate(PromptTemplate t, std::string_view question) {
  if (t == PromptTemplate::kPlain) return std::string(question);
  return absl::StrCat(
      "A conversation between User and Assistant. The user asks a question, and the Assistant "
      "solves it. The assistant first thinks about the reasoning process in the mind and then "
      "provides the user with the answer. The reasoning process and answer are enclosed within "
      "<think> </think> and <answer> </answer> tags, respectively.\nUser: ",
      Sv(question), "\nAssistant:");
}

}  // namespace verdict::rollout
