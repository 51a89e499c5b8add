#include "rollout/tokenizer.h"

#include <algorithm>
#include <functional>
#include <queue>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "rollout/tokenizer_internal.h"

namespace verdict::rollout {

using tokenizer_internal::PairKey;
using tokenizer_internal::Utf8Of;

char32_t ByteToUnicode(uint8_t b) {
  if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174) return b;
  int n = 0;  // the n-th byte outside the printable ranges maps to 256 + n
  for (int x = 0; x < b; ++x) {
    if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || x >= 174)) ++n;
  }
  return 256 + n;
}

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
    if (map_.size() < kCapacity)
      map_.emplace(std::string(piece), std::vector<int32_t>(ids, ids + n));
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<int32_t>> map_ ABSL_GUARDED_BY(mu_);
};

std::shared_ptr<Tokenizer::PieceCache> Tokenizer::NewPieceCache() {
  return std::make_shared<PieceCache>();
}

int32_t Tokenizer::TokenId(std::string_view token) const {
  for (const Added& a : added_) {
    if (a.content == token) return a.id;
  }
  std::string key;
  if (byte_level_) {
    for (unsigned char c : token) key += Utf8Of(ByteToUnicode(c));
  } else {
    key = std::string(token);
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
    if (auto it = vocab_.find(std::string(ch)); it != vocab_.end()) {
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
      return absl::InvalidArgumentError(absl::StrCat(
          "tokenizer.json has no token for \"", ToAbsl(ch), "\" (no byte fallback, no unk_token)"));
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
      key = std::string(piece);
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
      case Normalizer::kReplace: s = absl::StrReplaceAll(s, {{n.a, n.b}}); break;
      case Normalizer::kUnicode: s = Normalize(n.form, s); break;
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
      absl::StrCat("unknown prompt template \"", ToAbsl(name), "\" (r1, plain)"));
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
