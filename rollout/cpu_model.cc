#include "rollout/cpu_model.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "rollout/cpu_kernels.h"

namespace verdict::rollout {

namespace {

StoredModelWeights Stored(const ModelWeights& w) {
  const ModelConfig& c = w.config;
  const int64_t h = c.hidden_size, i = c.intermediate_size;
  const int64_t q = int64_t{c.num_heads} * c.head_dim, kv = int64_t{c.num_kv_heads} * c.head_dim;
  auto m = [](const std::vector<float>& x, int64_t rows, int64_t cols) {
    return x.empty() ? StoredMatrix() : StoredMatrix::FromFloat(x, rows, cols);
  };
  StoredModelWeights s;
  s.config = c;
  s.embed = m(w.embed, c.vocab_size, h);
  s.lm_head = m(w.lm_head, c.vocab_size, h);
  s.final_norm = w.final_norm;
  for (const LayerWeights& L : w.layers) {
    BasicLayerWeights<StoredMatrix>& o = s.layers.emplace_back();
    o.attn_norm = L.attn_norm;
    o.mlp_norm = L.mlp_norm;
    o.bq = L.bq;
    o.bk = L.bk;
    o.bv = L.bv;
    o.wq = m(L.wq, q, h);
    o.wk = m(L.wk, kv, h);
    o.wv = m(L.wv, kv, h);
    o.wo = m(L.wo, h, q);
    o.w_gate = m(L.w_gate, i, h);
    o.w_up = m(L.w_up, i, h);
    o.w_down = m(L.w_down, h, i);
  }
  return s;
}

// out[n, w.rows] = x[n, w.cols] * w^T (+ bias), w widened to fp32 a tile at a time.
void MatMul(const float* x, const StoredMatrix& w, const std::vector<float>& bias, int64_t n,
            float* out) {
  const float* b = bias.empty() ? nullptr : bias.data();
  if (w.dtype == DType::kF32) {
    cpu::MatMulTransposed(x, w.f32.data(), b, n, w.cols, w.rows, out);
    return;
  }
  cpu::MatMulTransposedTiled(
      x, [&w](int64_t first, int64_t count, float* buf) { w.RowsToFloat(first, count, buf); }, b, n,
      w.cols, w.rows, out);
}

}  // namespace

absl::StatusOr<KvCacheDType> ParseKvCacheDType(std::string_view name) {
  if (name == "f32") return KvCacheDType::kF32;
  if (name == "bf16") return KvCacheDType::kBF16;
  return absl::InvalidArgumentError(
      absl::StrCat("kv-cache-dtype must be \"f32\" or \"bf16\", got \"", std::string(name), "\""));
}

absl::StatusOr<std::unique_ptr<CpuModel>> CpuModel::Load(const std::string& dir,
                                                         const CpuModelOptions& options) {
  auto w = LoadStoredModelWeights(dir);
  if (!w.ok()) return w.status();
  return std::make_unique<CpuModel>(*std::move(w), options);
}

CpuModel::CpuModel(StoredModelWeights weights, const CpuModelOptions& options)
    : w_(std::move(weights)),
      options_(options),
      rope_inv_freq_(RopeInverseFrequencies(w_.config)) {}

CpuModel::CpuModel(const ModelWeights& weights, const CpuModelOptions& options)
    : CpuModel(Stored(weights), options) {}

size_t CpuModel::weight_bytes() const {
  auto vec = [](const std::vector<float>& x) { return x.size() * sizeof(float); };
  size_t n = w_.embed.Bytes() + w_.lm_head.Bytes() + vec(w_.final_norm);
  for (const auto& L : w_.layers) {
    n += vec(L.attn_norm) + vec(L.mlp_norm) + vec(L.bq) + vec(L.bk) + vec(L.bv);
    n += L.wq.Bytes() + L.wk.Bytes() + L.wv.Bytes() + L.wo.Bytes() + L.w_gate.Bytes() +
         L.w_up.Bytes() + L.w_down.Bytes();
  }
  return n;
}

int64_t CpuModel::KvStore::Bytes() const {
  int64_t n = 0;
  for (size_t l = 0; l < k.size(); ++l) n += (k[l].capacity() + v[l].capacity()) * sizeof(float);
  for (size_t l = 0; l < k16.size(); ++l) {
    n += (k16[l].capacity() + v16[l].capacity()) * sizeof(uint16_t);
  }
  return n;
}

int64_t CpuModel::kv_bytes() const {
  std::unordered_set<const KvStore*> seen;
  int64_t n = 0;
  for (const auto& [id, seq] : seqs_) {
    for (const KvStore* st = seq.kv.get(); st != nullptr && seen.insert(st).second;
         st = st->parent.get()) {
      n += st->Bytes();
    }
  }
  return n;
}

int64_t CpuModel::KvBytesPerToken(const ModelConfig& c, KvCacheDType dtype) {
  const int64_t element = dtype == KvCacheDType::kBF16 ? 2 : 4;
  return 2 * int64_t{c.num_layers} * c.num_kv_heads * c.head_dim * element;
}

std::shared_ptr<CpuModel::KvStore> CpuModel::NewStore() const {
  auto st = std::make_shared<KvStore>();
  const int layers = w_.config.num_layers;
  if (options_.kv_dtype == KvCacheDType::kBF16) {
    st->k16.resize(layers);
    st->v16.resize(layers);
  } else {
    st->k.resize(layers);
    st->v.resize(layers);
  }
  return st;
}

absl::Status CpuModel::CheckLength(int64_t length) const {
  // Dynamic NTK scaling changes the frequencies past max_position_embeddings in a way that
  // depends on how HF's cache was filled; within it, it is exact (config.h).
  const int64_t max = w_.config.max_position_embeddings;
  if (w_.config.rope_scaling.type == RopeScalingType::kDynamic && length > max) {
    return absl::OutOfRangeError(absl::StrCat("sequence of ", length,
                                              " tokens exceeds max_position_embeddings ", max,
                                              " (dynamic rope_scaling runs only within it)"));
  }
  return absl::OkStatus();
}

absl::Status CpuModel::CheckTokens(absl::Span<const int32_t> tokens) const {
  for (int32_t t : tokens) {
    if (t < 0 || t >= w_.config.vocab_size) {
      return absl::InvalidArgumentError(
          absl::StrCat("token id ", t, " outside the vocabulary [0, ", w_.config.vocab_size, ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<SequenceId> CpuModel::Prefill(absl::Span<const int32_t> tokens,
                                             absl::Span<float> logits) {
  const int64_t v = w_.config.vocab_size;
  if (tokens.empty()) return absl::InvalidArgumentError("Prefill: no tokens");
  if (auto s = CheckTokens(tokens); !s.ok()) return s;
  if (auto s = CheckLength(tokens.size()); !s.ok()) return s;
  const bool all = logits.size() == static_cast<size_t>(tokens.size() * v);
  if (!all && logits.size() != static_cast<size_t>(v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Prefill: logits must hold V or T*V floats, got ", logits.size()));
  }
  Seq seq;
  seq.kv = NewStore();
  Run({seq.kv.get()}, {tokens}, all, logits.data());
  const SequenceId id = next_id_++;
  seqs_.emplace(id, std::move(seq));
  return id;
}

absl::StatusOr<std::vector<SequenceId>> CpuModel::Fork(SequenceId parent, int n) {
  auto it = seqs_.find(parent);
  if (it == seqs_.end()) return absl::NotFoundError(absl::StrCat("Fork: no sequence ", parent));
  it->second.frozen = true;
  std::shared_ptr<const KvStore> shared = it->second.kv;
  std::vector<SequenceId> out;
  for (int i = 0; i < n; ++i) {
    Seq child;
    child.kv = NewStore();
    child.kv->parent = shared;
    child.kv->base_len = shared->total();
    out.push_back(next_id_);
    seqs_.emplace(next_id_++, std::move(child));
  }
  return out;
}

absl::Status CpuModel::Decode(absl::Span<const SequenceId> seqs, absl::Span<const int32_t> tokens,
                              absl::Span<float> logits) {
  const size_t v = w_.config.vocab_size;
  if (seqs.size() != tokens.size() || logits.size() != seqs.size() * v) {
    return absl::InvalidArgumentError("Decode: seqs, tokens and logits [B, V] must agree");
  }
  if (auto s = CheckTokens(tokens); !s.ok()) return s;
  std::vector<KvStore*> stores;
  std::vector<absl::Span<const int32_t>> rows;
  for (size_t b = 0; b < seqs.size(); ++b) {
    auto it = seqs_.find(seqs[b]);
    if (it == seqs_.end())
      return absl::NotFoundError(absl::StrCat("Decode: no sequence ", seqs[b]));
    if (it->second.frozen) {
      return absl::FailedPreconditionError(
          absl::StrCat("Decode: sequence ", seqs[b], " was forked; decode its children"));
    }
    if (auto s = CheckLength(it->second.kv->total() + 1); !s.ok()) return s;
    for (KvStore* s : stores) {
      if (s == it->second.kv.get()) {
        return absl::InvalidArgumentError(absl::StrCat("Decode: sequence ", seqs[b], " twice"));
      }
    }
    stores.push_back(it->second.kv.get());
    rows.push_back(tokens.subspan(b, 1));
  }
  Run(stores, rows, false, logits.data());
  return absl::OkStatus();
}

int64_t CpuModel::Length(SequenceId seq) const {
  auto it = seqs_.find(seq);
  return it == seqs_.end() ? -1 : it->second.kv->total();
}

void CpuModel::Run(const std::vector<KvStore*>& stores,
                   const std::vector<absl::Span<const int32_t>>& rows, bool all_positions,
                   float* logits) {
  const ModelConfig& c = w_.config;
  const int64_t h = c.hidden_size, hd = c.head_dim, nh = c.num_heads, nkv = c.num_kv_heads;
  const int64_t qd = nh * hd, kvd = nkv * hd, im = c.intermediate_size;
  std::vector<int64_t> row_store, row_pos;
  std::vector<int32_t> row_tok;
  for (size_t s = 0; s < stores.size(); ++s) {
    for (size_t t = 0; t < rows[s].size(); ++t) {
      row_store.push_back(s);
      row_pos.push_back(stores[s]->total() + t);
      row_tok.push_back(rows[s][t]);
    }
  }
  const int64_t n = row_tok.size();
  std::vector<float> x(n * h), xn(n * h), q(n * qd), k(n * kvd), val(n * kvd), att(n * qd),
      tmp(n * h), gate(n * im), up(n * im), act(n * im);
  for (int64_t r = 0; r < n; ++r) {
    w_.embed.RowsToFloat(row_tok[r], 1, &x[r * h]);
  }
  std::vector<const float*> kptr, vptr;
  std::vector<float> scratch, k_wide, v_wide;  // k_wide, v_wide: a row's bf16 K/V widened
  const bool bf16 = options_.kv_dtype == KvCacheDType::kBF16;
  for (int l = 0; l < c.num_layers; ++l) {
    const BasicLayerWeights<StoredMatrix>& L = w_.layers[l];
    cpu::RmsNorm(x.data(), L.attn_norm.data(), n, h, c.rms_norm_eps, xn.data());
    MatMul(xn.data(), L.wq, L.bq, n, q.data());
    MatMul(xn.data(), L.wk, L.bk, n, k.data());
    MatMul(xn.data(), L.wv, L.bv, n, val.data());
    for (int64_t r = 0; r < n; ++r) {
      cpu::Rope(&q[r * qd], nh, hd, row_pos[r], rope_inv_freq_.data());
      cpu::Rope(&k[r * kvd], nkv, hd, row_pos[r], rope_inv_freq_.data());
    }
    // Append this layer's new K/V rows to each store (rows of a store are consecutive). The
    // cache grows by kKvChunkPositions, not by doubling, so a sequence holds at most that many
    // unused positions (what KvBytesPerSegment charges).
    auto append = [&](size_t s, auto& kc, auto& vc, auto convert) {
      const size_t need = kc.size() + rows[s].size() * kvd;
      if (kc.capacity() < need) {
        kc.reserve(need + kKvChunkPositions * kvd);
        vc.reserve(need + kKvChunkPositions * kvd);
      }
      for (int64_t r = 0; r < n; ++r) {
        if (row_store[r] != static_cast<int64_t>(s)) continue;
        for (int64_t j = 0; j < kvd; ++j) kc.push_back(convert(k[r * kvd + j]));
        for (int64_t j = 0; j < kvd; ++j) vc.push_back(convert(val[r * kvd + j]));
      }
    };
    for (size_t s = 0; s < stores.size(); ++s) {
      if (bf16) {
        append(s, stores[s]->k16[l], stores[s]->v16[l], FloatToBf16);
      } else {
        append(s, stores[s]->k[l], stores[s]->v[l], [](float f) { return f; });
      }
    }
    for (int64_t r = 0; r < n; ++r) {
      const KvStore* st = stores[row_store[r]];
      // Causal: positions first..pos; a sliding-window layer sees the last sliding_window.
      const int64_t first =
          c.SlidingLayer(l) ? std::max<int64_t>(0, row_pos[r] + 1 - c.sliding_window) : 0;
      const int64_t len = row_pos[r] + 1 - first;
      kptr.resize(len);
      vptr.resize(len);
      scratch.resize(len);
      if (bf16) {
        k_wide.resize(len * kvd);
        v_wide.resize(len * kvd);
      }
      // Resolve each position to its segment once per row, then offset per KV head.
      for (int64_t i = 0; i < len; ++i) {
        const int64_t t = first + i;
        const KvStore* seg = st;
        while (t < seg->base_len) seg = seg->parent.get();
        const int64_t off = (t - seg->base_len) * kvd;
        if (bf16) {
          for (int64_t j = 0; j < kvd; ++j) {
            k_wide[i * kvd + j] = Bf16ToFloat(seg->k16[l][off + j]);
            v_wide[i * kvd + j] = Bf16ToFloat(seg->v16[l][off + j]);
          }
          kptr[i] = &k_wide[i * kvd];
          vptr[i] = &v_wide[i * kvd];
        } else {
          kptr[i] = &seg->k[l][off];
          vptr[i] = &seg->v[l][off];
        }
      }
      std::vector<const float*> kh(len), vh(len);
      for (int64_t head = 0; head < nh; ++head) {
        const int64_t g = head / (nh / nkv);
        for (int64_t t = 0; t < len; ++t) {
          kh[t] = kptr[t] + g * hd;
          vh[t] = vptr[t] + g * hd;
        }
        cpu::AttendOne(&q[r * qd + head * hd], kh.data(), vh.data(), len, hd, scratch.data(),
                       &att[r * qd + head * hd]);
      }
    }
    MatMul(att.data(), L.wo, {}, n, tmp.data());
    for (int64_t i = 0; i < n * h; ++i) x[i] += tmp[i];
    cpu::RmsNorm(x.data(), L.mlp_norm.data(), n, h, c.rms_norm_eps, xn.data());
    MatMul(xn.data(), L.w_gate, {}, n, gate.data());
    MatMul(xn.data(), L.w_up, {}, n, up.data());
    cpu::SwiGlu(gate.data(), up.data(), n, im, act.data());
    MatMul(act.data(), L.w_down, {}, n, tmp.data());
    for (int64_t i = 0; i < n * h; ++i) x[i] += tmp[i];
  }
  for (size_t s = 0; s < stores.size(); ++s) stores[s]->len += rows[s].size();
  // Final norm and logits only for the rows asked for.
  std::vector<int64_t> out_rows;
  for (int64_t r = 0; r < n; ++r) {
    if (all_positions || r + 1 == n || row_store[r + 1] != row_store[r]) out_rows.push_back(r);
  }
  std::vector<float> sel(out_rows.size() * h);
  for (size_t i = 0; i < out_rows.size(); ++i) {
    std::memcpy(&sel[i * h], &x[out_rows[i] * h], h * sizeof(float));
  }
  cpu::RmsNorm(sel.data(), w_.final_norm.data(), out_rows.size(), h, c.rms_norm_eps, sel.data());
  MatMul(sel.data(), w_.output_matrix(), {}, out_rows.size(), logits);
}

}  // namespace verdict::rollout
