#include "rollout/worker.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>

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
    simdjson::dom::object obj;
    if (parser.parse(line).get(obj)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": not a JSON object"));
    }
    Prompt p;
    std::string_view s;
    int64_t num;
    if (!obj["id"].get_string().get(s)) p.id = std::string(s);
    else if (!obj["id"].get_int64().get(num)) p.id = absl::StrCat(num);
    else p.id = absl::StrCat("line-", n);
    if (obj["prompt"].get_string().get(s)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": no string \"prompt\""));
    }
    p.question = std::string(s);
    simdjson::dom::element gold;
    if (!obj["gold"].get(gold) && !gold.is_null()) {
      p.gold_json = simdjson::minify(gold);
      auto add = [&p](simdjson::dom::element e) {
        std::string_view t;
        if (!e.get_string().get(t)) p.gold.emplace_back(t);
        else if (e.is_number()) p.gold.push_back(simdjson::minify(e));
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
  }
  return group;
}

std::string OutputLine(const GroupOutput& g, const Prompt& p, const v1::GroupResult* r) {
  std::string o = absl::StrCat("{\"id\":", JsonString(g.input.id),
                               ",\"prompt\":", JsonString(g.input.prompt), ",\"gold\":", p.gold_json,
                               ",\"prompt_tokens\":", g.input.prompt_tokens.size(),
                               ",\"completions\":[");
  std::string rewards = "[", advantages = "[";
  for (size_t i = 0; i < g.samples.size(); ++i) {
    const SampleOutput& s = g.samples[i];
    double lp = 0;
    for (float x : s.logprobs) lp += x;
    const v1::SampleResult* sr =
        (r != nullptr && static_cast<int>(i) < r->samples_size()) ? &r->samples(i) : nullptr;
    absl::StrAppend(&o, i ? "," : "", "{\"text\":", JsonString(s.text),
                    ",\"num_tokens\":", s.tokens.size(),
                    ",\"finish_reason\":", JsonString(s.finish_reason),
                    ",\"logprob_sum\":", JsonNumber(lp));
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

}  // namespace

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
  auto m = CpuModel::Load(options.model_dir);
  if (!m.ok()) return m.status();
  return std::unique_ptr<Model>(*std::move(m));
}

absl::Status RunWorker(const WorkerOptions& options) {
  auto prompts = ReadPrompts(options.prompts_path);
  if (!prompts.ok()) return prompts.status();
  auto tokenizer = Tokenizer::FromFile(options.tokenizer_path);
  if (!tokenizer.ok()) return tokenizer.status();
  auto model = LoadModel(options);
  if (!model.ok()) return model.status();
  if (tokenizer->vocab_size() > (*model)->config().vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tokenizer has ", tokenizer->vocab_size(), " tokens, model vocab_size is only ",
        (*model)->config().vocab_size));
  }
  GenerationOptions gen = options.generation;
  for (int32_t id : (*model)->config().eos_token_ids) gen.eos_token_ids.push_back(id);

  std::map<std::string, size_t> by_id;
  std::vector<GroupInput> groups;
  for (size_t i = 0; i < prompts->size(); ++i) {
    const Prompt& p = (*prompts)[i];
    if (!by_id.emplace(p.id, i).second) {
      return absl::InvalidArgumentError(absl::StrCat(options.prompts_path, ": duplicate id ", p.id));
    }
    GroupInput g;
    g.index = i;
    g.id = p.id;
    g.prompt = ApplyPromptTemplate(options.prompt_template, p.question);
    auto toks = tokenizer->Encode(g.prompt);
    if (!toks.ok()) return absl::InvalidArgumentError(absl::StrCat("prompt ", p.id, ": ", toks.status().message()));
    if (tokenizer->bos_token_id() >= 0) g.prompt_tokens.push_back(tokenizer->bos_token_id());
    g.prompt_tokens.insert(g.prompt_tokens.end(), toks->begin(), toks->end());
    groups.push_back(std::move(g));
  }

  std::ofstream out(options.output_path, std::ios::trunc);
  if (!out) return absl::NotFoundError(absl::StrCat(options.output_path, ": cannot write"));
  absl::Mutex mu;
  std::map<std::string, GroupOutput> waiting;  // generated, not yet scored
  int64_t written = 0, scored_errors = 0;
  const size_t total = groups.size();
  const bool tty = options.progress && isatty(STDERR_FILENO);
  std::unique_ptr<ScoreStreamClient> client;
  if (!options.no_server) {
    auto c = ScoreStreamClient::Connect(
        options.server_address,
        [&](v1::GroupResult r) {
          absl::MutexLock lock(&mu);
          auto it = waiting.find(r.group_id());
          if (it == waiting.end()) return;
          if (r.has_error() && r.error().code() != 0) ++scored_errors;
          out << OutputLine(it->second, (*prompts)[by_id[r.group_id()]], &r);
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
      out << OutputLine(g, p, nullptr);
      ++written;
    }
    if (tty) {
      const GenerationStats& s = generator.stats();
      std::fprintf(stderr, "\r[%lld/%zu groups] %lld tokens", static_cast<long long>(generated),
                   total, static_cast<long long>(s.generated_tokens));
    }
  });
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
  std::fprintf(stderr,
               "verdict-rollout: %lld groups x %d samples, %lld prompt tokens, %lld generated "
               "tokens in %.2f s: %.1f generated tokens/s (%lld decode steps)%s\n",
               static_cast<long long>(written), gen.group_size,
               static_cast<long long>(s.prompt_tokens), static_cast<long long>(s.generated_tokens),
               s.seconds, s.seconds > 0 ? s.generated_tokens / s.seconds : 0.0,
               static_cast<long long>(s.decode_steps),
               scored_errors ? absl::StrCat(", ", scored_errors, " groups with errors").c_str() : "");
  return absl::OkStatus();
}

}  // namespace verdict::rollout
