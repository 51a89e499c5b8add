#include "rollout/generator.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>

#include "absl/strings/str_cat.h"
#include "base/utf8.h"
#include "rollout/pretokenizer.h"

namespace verdict::rollout {

std::string SanitizeUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    if (const size_t len = Utf8SequenceLength(bytes, i); len > 0) {
      out.append(bytes.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

absl::StatusOr<LogprobKind> ParseLogprobKind(std::string_view name) {
  if (name == "raw") return LogprobKind::kRaw;
  if (name == "processed") return LogprobKind::kProcessed;
  return absl::InvalidArgumentError(
      absl::StrCat("logprobs must be \"raw\" or \"processed\", got \"", std::string(name), "\""));
}

const char* LogprobKindName(LogprobKind k) { return k == LogprobKind::kRaw ? "raw" : "processed"; }

namespace {

struct Active {
  size_t group = 0;  // index into the in-flight groups
  int32_t sample = 0;
  SequenceId seq = 0;
  int32_t last_token = 0;
  bool done = false;
};

struct InFlight {
  GroupOutput out;
  SequenceId parent = 0;
  int32_t remaining = 0;
};

}  // namespace

Generator::Generator(Model* model, const Tokenizer* tokenizer, GenerationOptions options)
    : model_(model), tokenizer_(tokenizer), options_(std::move(options)) {}

absl::Status Generator::Run(std::vector<GroupInput> groups,
                            const std::function<void(GroupOutput)>& on_group) {
  const auto start = std::chrono::steady_clock::now();
  GenerationOptions& o = options_;
  if (auto s = ValidateSamplingParams(o.sampling); !s.ok()) return s;
  o.sampling = NormalizeSamplingParams(o.sampling);
  const bool raw = o.logprobs == LogprobKind::kRaw;
  o.sampling.need_raw_logprobs = raw;
  if (o.group_size < 1 || o.max_new_tokens < 1 || o.max_batch_sequences < o.group_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "need group_size >= 1, max_new_tokens >= 1, max_batch_sequences >= group_size; got ",
        o.group_size, ", ", o.max_new_tokens, ", ", o.max_batch_sequences));
  }
  const int32_t v = model_->config().vocab_size;
  const int64_t max_len = model_->config().max_position_embeddings;
  std::deque<GroupInput> pending(std::make_move_iterator(groups.begin()),
                                 std::make_move_iterator(groups.end()));
  std::vector<std::unique_ptr<InFlight>> flight;
  std::vector<Active> active;
  std::vector<float> logits;

  // Appends a sampled token to sample `a`; returns true when the sample is finished.
  auto accept = [&](Active& a, const SampledToken& t) {
    InFlight& g = *flight[a.group];
    SampleOutput& s = g.out.samples[a.sample];
    s.tokens.push_back(t.token);
    s.logprobs.push_back(raw ? t.raw_logprob : t.logprob);
    ++stats_.generated_tokens;
    a.last_token = t.token;
    if (std::find(o.eos_token_ids.begin(), o.eos_token_ids.end(), t.token) !=
        o.eos_token_ids.end()) {
      s.finish_reason = "eos";  // counted in tokens, not written to the text
      return true;
    }
    // Special tokens are not text; ids past the tokenizer (padded vocab rows) decode to "".
    // A special token can still be a stop string: its content is compared whole.
    if (tokenizer_->IsSpecial(t.token)) {
      const std::string content = tokenizer_->Decode({t.token}).value_or("");
      if (!content.empty() && std::find(o.stop_strings.begin(), o.stop_strings.end(), content) !=
                                  o.stop_strings.end()) {
        if (o.include_stop_str_in_output) s.text += content;
        s.finish_reason = "stop";
        return true;
      }
    } else {
      const size_t before = s.text.size();
      s.text += tokenizer_->Decode({t.token}).value_or("");
      // Earliest match among the stop strings, searched only where the new text can complete
      // one (its start may lie in earlier text).
      size_t best = std::string::npos, best_len = 0;
      for (const std::string& stop : o.stop_strings) {
        if (stop.empty()) continue;
        const size_t from = before >= stop.size() ? before - stop.size() + 1 : 0;
        const size_t at = s.text.find(stop, from);
        if (at != std::string::npos && (best == std::string::npos || at < best)) {
          best = at;
          best_len = stop.size();
        }
      }
      if (best != std::string::npos) {
        s.text.resize(o.include_stop_str_in_output ? best + best_len : best);
        s.finish_reason = "stop";
        return true;
      }
    }
    const int64_t total = static_cast<int64_t>(g.out.input.prompt_tokens.size() + s.tokens.size());
    if (static_cast<int32_t>(s.tokens.size()) >= o.max_new_tokens ||
        (max_len > 0 && total >= max_len)) {
      s.finish_reason = "length";
      return true;
    }
    return false;
  };
  auto finish = [&](Active& a) {
    a.done = true;
    model_->Release(a.seq);
    InFlight& g = *flight[a.group];
    if (--g.remaining == 0) {
      model_->Release(g.parent);
      for (SampleOutput& s : g.out.samples) s.text = SanitizeUtf8(s.text);
      ++stats_.groups_done;
      on_group(std::move(g.out));
    }
  };

  while (!pending.empty() || !active.empty()) {
    // Admit groups while there is room for all of their samples.
    while (!pending.empty() &&
           static_cast<int32_t>(active.size()) + o.group_size <= o.max_batch_sequences) {
      GroupInput in = std::move(pending.front());
      pending.pop_front();
      if (in.prompt_tokens.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("group ", in.id, ": empty prompt"));
      }
      logits.resize(v);
      auto parent = model_->Prefill(in.prompt_tokens, absl::MakeSpan(logits));
      if (!parent.ok()) return parent.status();
      if (HasNaN(logits)) return NanLogitsError(*parent, model_->Length(*parent));
      stats_.prompt_tokens += in.prompt_tokens.size();
      auto kids = model_->Fork(*parent, o.group_size);
      if (!kids.ok()) return kids.status();
      auto g = std::make_unique<InFlight>();
      g->out.input = std::move(in);
      g->out.samples.resize(o.group_size);
      g->parent = *parent;
      g->remaining = o.group_size;
      flight.push_back(std::move(g));
      const size_t gi = flight.size() - 1;
      for (int32_t s = 0; s < o.group_size; ++s) {
        Active a{gi, s, (*kids)[s], 0, false};
        const SampledToken t =
            Sample(logits, o.sampling, {o.seed, flight[gi]->out.input.index, uint32_t(s), 0});
        if (accept(a, t)) {
          finish(a);
        } else {
          active.push_back(a);
        }
      }
    }
    if (active.empty()) continue;
    std::vector<SequenceId> seqs;
    std::vector<int32_t> toks;
    std::vector<SampleKey> keys;
    for (const Active& a : active) {
      seqs.push_back(a.seq);
      toks.push_back(a.last_token);
      const uint32_t pos = flight[a.group]->out.samples[a.sample].tokens.size();
      keys.push_back({o.seed, flight[a.group]->out.input.index, uint32_t(a.sample), pos});
    }
    std::vector<SampledToken> next(active.size());
    if (auto s = model_->DecodeSample(seqs, toks, o.sampling, keys, absl::MakeSpan(next));
        !s.ok()) {
      return s;
    }
    ++stats_.decode_steps;
    for (size_t b = 0; b < active.size(); ++b) {
      if (accept(active[b], next[b])) finish(active[b]);
    }
    if (o.on_step) o.on_step(stats_);
    active.erase(
        std::remove_if(active.begin(), active.end(), [](const Active& a) { return a.done; }),
        active.end());
  }
  stats_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return absl::OkStatus();
}

}  // namespace verdict::rollout
