#include "rollout/worker.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "base/json.h"
#include "rollout/cpu_model.h"
#if VERDICT_HAVE_CUDA
#include "rollout/cuda/cuda_model.h"
#include "rollout/cuda/device.h"
#endif
#include "rollout/score_client.h"
#include "simdjson.h"

namespace verdict::rollout {
namespace {

std::string JsonNumber(double x) {
  if (!std::isfinite(x)) return "null";
  return absl::StrFormat("%.17g", x);
}

struct Prompt {
  std::string id, question;
  std::vector<std::string> gold;  // empty: rules only
  std::string gold_json = "null";
};

absl::StatusOr<std::vector<Prompt>> ReadPrompts(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::vector<Prompt> out;
  simdjson::dom::parser parser;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    simdjson::dom::element root;
    if (auto err = parser.parse(line).get(root); err) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", n, ": not valid JSON: ", simdjson::error_message(err)));
    }
    simdjson::dom::object obj;
    if (root.get(obj)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": not a JSON object"));
    }
    Prompt p;
    std::string_view s;
    int64_t num;
    if (!obj["id"].get_string().get(s))
      p.id = std::string(s);
    else if (!obj["id"].get_int64().get(num))
      p.id = absl::StrCat(num);
    else
      p.id = absl::StrCat("line-", n);
    if (obj["prompt"].get_string().get(s)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": no string \"prompt\""));
    }
    p.question = std::string(s);
    simdjson::dom::element gold;
    if (!obj["gold"].get(gold) && !gold.is_null()) {
      p.gold_json = simdjson::minify(gold);
      auto add = [&p](simdjson::dom::element e) {
        std::string_view t;
        if (!e.get_string().get(t))
          p.gold.emplace_back(t);
        else if (e.is_number())
          p.gold.push_back(simdjson::minify(e));
      };
      if (gold.is_array()) {
        for (auto e : gold.get_array()) add(e);
      } else {
        add(gold);
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

v1::Group ToProto(const GroupOutput& g, const Prompt& p) {
  v1::Group group;
  group.set_id(g.input.id);
  group.set_prompt(g.input.prompt);
  group.set_prompt_tokens(g.input.prompt_tokens.size());
  if (p.gold.empty()) {
    group.mutable_rules_only();
  } else {
    for (const std::string& a : p.gold) group.mutable_math()->add_gold_answers(a);
  }
  for (const SampleOutput& s : g.samples) {
    v1::Completion* c = group.add_completions();
    c->set_text(s.text);
    c->set_num_tokens(s.tokens.size());
    c->set_finish_reason(s.finish_reason);
    for (int32_t t : s.tokens) c->add_token_ids(t);
  }
  return group;
}

template <typename T, typename F>
std::string JsonList(const std::vector<T>& xs, F&& item) {
  std::string o = "[";
  for (size_t i = 0; i < xs.size(); ++i) absl::StrAppend(&o, i ? "," : "", item(xs[i]));
  return o + "]";
}

std::string OutputLine(const GroupOutput& g, const Prompt& p, const v1::GroupResult* r,
                       LogprobKind kind) {
  std::string o =
      absl::StrCat("{\"id\":", JsonString(g.input.id), ",\"prompt\":", JsonString(g.input.prompt),
                   ",\"gold\":", p.gold_json, ",\"prompt_tokens\":", g.input.prompt_tokens.size(),
                   ",\"logprobs_kind\":", JsonString(LogprobKindName(kind)), ",\"completions\":[");
  std::string rewards = "[", advantages = "[";
  for (size_t i = 0; i < g.samples.size(); ++i) {
    const SampleOutput& s = g.samples[i];
    double lp = 0;
    for (float x : s.logprobs) lp += x;
    const v1::SampleResult* sr =
        (r != nullptr && static_cast<int>(i) < r->samples_size()) ? &r->samples(i) : nullptr;
    absl::StrAppend(
        &o, i ? "," : "", "{\"text\":", JsonString(s.text), ",\"num_tokens\":", s.tokens.size(),
        ",\"finish_reason\":", JsonString(s.finish_reason), ",\"logprob_sum\":", JsonNumber(lp),
        ",\"token_ids\":", JsonList(s.tokens, [](int32_t t) { return absl::StrCat(t); }),
        ",\"logprobs\":", JsonList(s.logprobs, [](float x) {
          // %.9g round-trips a float.
          return std::isfinite(x) ? absl::StrFormat("%.9g", x) : "null";
        }));
    const std::string rw = sr ? JsonNumber(sr->reward()) : "null";
    const std::string adv = sr ? JsonNumber(sr->advantage()) : "null";
    absl::StrAppend(&o, ",\"reward\":", rw, ",\"advantage\":", adv);
    if (sr) {
      absl::StrAppend(&o, ",\"verdict\":", JsonString(v1::Verdict_Name(sr->verdict())),
                      ",\"components\":{");
      std::map<std::string, double> comps(sr->components().begin(), sr->components().end());
      bool first = true;
      for (const auto& [k, v] : comps) {
        absl::StrAppend(&o, first ? "" : ",", JsonString(k), ":", JsonNumber(v));
        first = false;
      }
      o += "}";
    }
    o += "}";
    absl::StrAppend(&rewards, i ? "," : "", rw);
    absl::StrAppend(&advantages, i ? "," : "", adv);
  }
  absl::StrAppend(&o, "],\"rewards\":", rewards, "],\"advantages\":", advantages, "]");
  if (r != nullptr) {
    if (r->has_error() && r->error().code() != 0) {
      absl::StrAppend(&o, ",\"error\":", JsonString(r->error().message()));
    }
    absl::StrAppend(&o, ",\"stats\":{\"mean\":", JsonNumber(r->stats().mean()),
                    ",\"std\":", JsonNumber(r->stats().std()),
                    ",\"zero_variance\":", r->stats().zero_variance() ? "true" : "false", "}");
  }
  return o + "}\n";
}

// The batch PlanBatch may derive without --max-batch: beyond it a CPU step gains little.
constexpr int32_t kMaxDerivedBatch = 256;

// A per-prompt failure (nothing generated): the line says why, the run goes on.
std::string ErrorLine(const GroupInput& g, const Prompt& p, std::string_view error) {
  return absl::StrCat("{\"id\":", JsonString(g.id), ",\"prompt\":", JsonString(g.prompt),
                      ",\"gold\":", p.gold_json, ",\"prompt_tokens\":0,\"completions\":[],",
                      "\"rewards\":[],\"advantages\":[],\"error\":", JsonString(error), "}\n");
}

// FNV-1a, 64 bit: a fixed function of the id, so a prompt draws the same Philox streams in
// any shard or order, and different prompts draw different ones.
uint64_t IdHash(std::string_view id) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

absl::StatusOr<std::string> ReadOptionalFile(const std::string& path, bool* found) {
  std::ifstream in(path, std::ios::binary);
  *found = static_cast<bool>(in);
  if (!in) return std::string();
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return ss.str();
}

}  // namespace

// EOS ids: config.json's (in the model's config), generation_config.json's when the file exists,
// and --eos (ids or token strings of the tokenizer); duplicates removed.
absl::StatusOr<std::vector<int32_t>> ResolveEosTokenIds(const WorkerOptions& options,
                                                        const ModelConfig& config,
                                                        const Tokenizer& tokenizer) {
  std::vector<int32_t> ids = config.eos_token_ids;
  bool found = false;
  const std::string gen_path = options.model_dir + "/generation_config.json";
  auto text = ReadOptionalFile(gen_path, &found);
  if (!text.ok()) return text.status();
  if (found) {
    auto more = ParseGenerationConfigEos(*text);
    if (!more.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(gen_path, ": ", more.status().message()));
    }
    ids.insert(ids.end(), more->begin(), more->end());
  }
  for (const std::string& e : options.eos) {
    int64_t id = -1;
    if (!absl::SimpleAtoi(e, &id)) id = tokenizer.TokenId(e);
    if (id < 0 || id >= config.vocab_size) {
      return absl::InvalidArgumentError(
          absl::StrCat("--eos ", e, ": neither a token id below vocab_size ", config.vocab_size,
                       " nor a token of the tokenizer"));
    }
    ids.push_back(static_cast<int32_t>(id));
  }
  for (const int32_t id : options.generation.eos_token_ids) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// The forward pass: the CUDA model when this build has CUDA and the machine a device, else the
// CPU reference. Says which on stderr, and why when it falls back.
static absl::StatusOr<std::unique_ptr<Model>> LoadModel(const WorkerOptions& options) {
#if VERDICT_HAVE_CUDA
  const cuda::CudaProbe p = cuda::ProbeCuda();
  if (p.device_count == 0) {
    std::fprintf(stderr, "verdict-rollout: no CUDA device (%s); using the CPU path\n",
                 p.error.c_str());
  } else {
    cuda::CudaModelOptions o;
    o.max_batch = options.generation.max_batch_sequences;
    auto m = cuda::CudaModel::Load(options.model_dir, o);
    if (m.ok()) {
      std::fprintf(stderr,
                   "verdict-rollout: CUDA device %s (sm_%d%d); bf16 forward and sampling on the "
                   "GPU\n",
                   p.name.c_str(), p.sm_major, p.sm_minor);
      return std::unique_ptr<Model>(*std::move(m));
    }
    if (m.status().code() != absl::StatusCode::kUnimplemented &&
        m.status().code() != absl::StatusCode::kResourceExhausted) {
      return m.status();
    }
    std::fprintf(stderr, "verdict-rollout: CUDA device %s, but %s; using the CPU path\n",
                 p.name.c_str(), std::string(m.status().message()).c_str());
  }
#else
  std::fprintf(stderr, "verdict-rollout: built without CUDA; using the CPU path\n");
#endif
  CpuModelOptions cpu;
  cpu.kv_dtype = options.kv_cache_dtype;
  auto m = CpuModel::Load(options.model_dir, cpu);
  if (!m.ok()) return m.status();
  return std::unique_ptr<Model>(*std::move(m));
}

absl::StatusOr<int32_t> PlanBatch(const ModelConfig& config, int64_t kv_cache_bytes,
                                  int32_t group_size, int64_t max_prompt_tokens,
                                  int32_t max_new_tokens, int32_t cap, KvCacheDType kv_dtype) {
  const int64_t max_pos = config.max_position_embeddings;
  const int64_t prompt = max_pos > 0 ? std::min(max_prompt_tokens, max_pos) : max_prompt_tokens;
  int64_t generated = max_new_tokens;
  if (max_pos > 0) generated = std::max<int64_t>(0, std::min(generated, max_pos - prompt));
  const int64_t per_group = CpuModel::KvBytesPerSegment(config, prompt, kv_dtype) +
                            group_size * CpuModel::KvBytesPerSegment(config, generated, kv_dtype);
  const int64_t groups = kv_cache_bytes / per_group;
  if (groups < 1) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a group of ", group_size, " samples (prompt ", prompt, " + ", generated, " tokens) needs ",
        per_group, " bytes of KV cache; the budget is ", kv_cache_bytes, " (--kv-cache-bytes)"));
  }
  const int64_t batch = std::min<int64_t>(groups, cap / group_size) * group_size;
  return static_cast<int32_t>(std::max<int64_t>(batch, group_size));
}

absl::Status RunWorker(const WorkerOptions& given) {
  WorkerOptions options = given;
  auto prompts = ReadPrompts(options.prompts_path);
  if (!prompts.ok()) return prompts.status();
  auto tokenizer = Tokenizer::FromFile(options.tokenizer_path);
  if (!tokenizer.ok()) return tokenizer.status();
  auto config = LoadModelConfig(options.model_dir);
  if (!config.ok()) return config.status();
  if (tokenizer->vocab_size() > config->vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat("tokenizer has ", tokenizer->vocab_size(),
                                                   " tokens, model vocab_size is only ",
                                                   config->vocab_size));
  }
  GenerationOptions& gen = options.generation;
  auto eos = ResolveEosTokenIds(options, *config, *tokenizer);
  if (!eos.ok()) return eos.status();
  gen.eos_token_ids = *std::move(eos);

  std::ofstream out(options.output_path, std::ios::trunc);
  if (!out) return absl::NotFoundError(absl::StrCat(options.output_path, ": cannot write"));
  std::map<std::string, size_t> by_id;
  std::vector<GroupInput> groups;
  int64_t prompt_errors = 0;
  for (size_t i = 0; i < prompts->size(); ++i) {
    const Prompt& p = (*prompts)[i];
    if (!by_id.emplace(p.id, i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.prompts_path, ": duplicate id ", p.id));
    }
    GroupInput g;
    g.index = IdHash(p.id) + options.seed_offset;
    g.id = p.id;
    g.prompt = ApplyPromptTemplate(options.prompt_template, p.question);
    auto toks = tokenizer->Encode(g.prompt);
    if (!toks.ok())
      return absl::InvalidArgumentError(
          absl::StrCat("prompt ", p.id, ": ", toks.status().message()));
    if (tokenizer->bos_token_id() >= 0) g.prompt_tokens.push_back(tokenizer->bos_token_id());
    g.prompt_tokens.insert(g.prompt_tokens.end(), toks->begin(), toks->end());
    if (g.prompt_tokens.empty()) {  // e.g. "" under --template plain: nothing to condition on
      out << ErrorLine(g, p, "empty prompt: no tokens to generate from");
      ++prompt_errors;
      continue;
    }
    groups.push_back(std::move(g));
  }
  int64_t longest = 0;
  for (const GroupInput& g : groups) longest = std::max<int64_t>(longest, g.prompt_tokens.size());
  int64_t budget = options.kv_cache_bytes;
  if (budget == 0) {
    budget = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE) / 4;
  }
  auto batch = PlanBatch(*config, budget, gen.group_size, longest, gen.max_new_tokens,
                         options.max_batch_given ? gen.max_batch_sequences : kMaxDerivedBatch,
                         options.kv_cache_dtype);
  if (!batch.ok()) return batch.status();
  gen.max_batch_sequences = *batch;
  std::fprintf(stderr, "verdict-rollout: batch of %d samples (KV budget %.2f GiB%s)\n", *batch,
               budget / 1073741824.0, options.kv_cache_bytes ? "" : ", a quarter of memory");
  auto model = LoadModel(options);
  if (!model.ok()) return model.status();

  absl::Mutex mu;
  std::map<std::string, GroupOutput> waiting;  // generated, not yet scored
  int64_t written = 0, scored_errors = 0;
  const size_t total = groups.size();
  const bool tty = options.progress && isatty(STDERR_FILENO);
  const bool lines = options.progress && !tty && options.progress_interval_s > 0;
  const auto started = std::chrono::steady_clock::now();
  auto last_report = started;
  // A terminal gets a line rewritten at most 5 times a second; a log a line every interval.
  gen.on_step = [&](const GenerationStats& s) {
    if (!tty && !lines) return;
    const auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - last_report).count();
    if (since < (tty ? 0.2 : options.progress_interval_s)) return;
    last_report = now;
    const double secs = std::chrono::duration<double>(now - started).count();
    std::fprintf(stderr, "%s[%lld/%zu groups] %lld tokens, %.1f tokens/s, %lld decode steps%s",
                 tty ? "\r" : "verdict-rollout: progress ", static_cast<long long>(s.groups_done),
                 total, static_cast<long long>(s.generated_tokens),
                 secs > 0 ? s.generated_tokens / secs : 0.0, static_cast<long long>(s.decode_steps),
                 tty ? "" : "\n");
  };
  std::unique_ptr<ScoreStreamClient> client;
  if (!options.no_server) {
    auto c = ScoreStreamClient::Connect(
        options.server_address,
        [&](v1::GroupResult r) {
          absl::MutexLock lock(&mu);
          auto it = waiting.find(r.group_id());
          if (it == waiting.end()) return;
          if (r.has_error() && r.error().code() != 0) ++scored_errors;
          out << OutputLine(it->second, (*prompts)[by_id[r.group_id()]], &r, gen.logprobs);
          out.flush();
          waiting.erase(it);
          ++written;
        },
        absl::Milliseconds(options.connect_timeout_ms));
    if (!c.ok()) return c.status();
    client = *std::move(c);
  }
  Generator generator(model->get(), &*tokenizer, gen);
  int64_t generated = 0;
  absl::Status status = generator.Run(std::move(groups), [&](GroupOutput g) {
    ++generated;
    const Prompt& p = (*prompts)[by_id[g.input.id]];
    if (client) {
      v1::Group proto = ToProto(g, p);
      {
        absl::MutexLock lock(&mu);
        waiting.emplace(g.input.id, std::move(g));
      }
      client->Send(std::move(proto));
    } else {
      absl::MutexLock lock(&mu);
      out << OutputLine(g, p, nullptr, gen.logprobs);
      ++written;
    }
    if (tty) {
      const GenerationStats& s = generator.stats();
      std::fprintf(stderr, "\r[%lld/%zu groups] %lld tokens", static_cast<long long>(generated),
                   total, static_cast<long long>(s.generated_tokens));
    }
  });
  out.flush();
  if (!out) return absl::DataLossError(absl::StrCat(options.output_path, ": write failed"));
  if (client) {
    absl::Status fin = client->Finish();
    if (status.ok()) status = fin;
  }
  if (tty) std::fprintf(stderr, "\n");
  if (!status.ok()) return status;
  {
    absl::MutexLock lock(&mu);
    if (!waiting.empty()) {
      return absl::DataLossError(absl::StrCat(waiting.size(), " groups got no result from ",
                                              options.server_address, ", e.g. ",
                                              waiting.begin()->first));
    }
  }
  const GenerationStats& s = generator.stats();
  std::fprintf(
      stderr,
      "verdict-rollout: %lld groups x %d samples, %lld prompt tokens, %lld generated "
      "tokens in %.2f s: %.1f generated tokens/s (%lld decode steps)%s\n",
      static_cast<long long>(written), gen.group_size, static_cast<long long>(s.prompt_tokens),
      static_cast<long long>(s.generated_tokens), s.seconds,
      s.seconds > 0 ? s.generated_tokens / s.seconds : 0.0, static_cast<long long>(s.decode_steps),
      scored_errors ? absl::StrCat(", ", scored_errors, " groups with errors").c_str() : "");
  if (prompt_errors > 0) {
    std::fprintf(stderr, "verdict-rollout: %lld prompts not generated (their lines say why)\n",
                 static_cast<long long>(prompt_errors));
  }
  return absl::OkStatus();
}

}  // namespace verdict::rollout
