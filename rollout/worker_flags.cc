#include <cstdint>
#include <limits>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "base/flags.h"
#include "rollout/worker.h"

namespace verdict::rollout {

constexpr char kUsage[] = R"(usage: verdict-rollout --model DIR --prompts FILE --output FILE
                       (--server HOST:PORT | --no-server) [options]
  --group-size G        samples per prompt (8)
  --max-new-tokens N    per sample (256)
  --max-batch N         at most N samples decoded together (default: as many as the KV
                        budget holds, up to 256)
  --kv-cache-bytes N[K|M|G]  KV cache budget (default: a quarter of physical memory)
  --kv-cache-dtype f32|bf16  the CPU path's KV cache: fp32 (the reference) or bf16 (half the
                        bytes, about twice the batch; logits within ~1e-2 relative) (f32)
  --temperature T       (1.0; 0 = greedy)   --top-p P (1.0)   --top-k K (0)   --min-p P (0)
  --seed S              Philox key (0)
  --seed-offset N       added to each prompt's Philox counter, FNV-1a(id) (0)
  --stop STR            stop string (repeatable); may be a special token such as <|im_end|>
  --include-stop        keep the matched stop string at the end of the text
  --eos ID|TOKEN        extra end-of-sequence token (repeatable); config.json's and
                        generation_config.json's are always used
  --logprobs raw|processed  per-token logprobs of the model's distribution (raw, as vLLM V1)
                        or of the temperature-scaled one sampled from (processed) (raw)
  --template r1|plain   prompt template (r1)
  --tokenizer FILE      default DIR/tokenizer.json
  --connect-timeout-ms MS  wait for the server this long (10000)
  --progress-interval-s S  a progress line every S s when stderr is not a terminal (10; 0 off)
  --no-progress         no progress output)";

absl::StatusOr<int64_t> ParseByteSize(std::string_view text) {
  int64_t scale = 1;
  std::string_view digits = text;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'K':
      case 'k': scale = int64_t{1} << 10; break;
      case 'M':
      case 'm': scale = int64_t{1} << 20; break;
      case 'G':
      case 'g': scale = int64_t{1} << 30; break;
      default: break;
    }
    if (scale != 1) digits.remove_suffix(1);
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(std::string(digits), &n) || n <= 0 || n > (int64_t{1} << 50) / scale) {
    return absl::InvalidArgumentError(
        absl::StrCat("a byte size is a positive integer with an optional K, M or G (x1024), got \"",
                     std::string(text), "\""));
  }
  return n * scale;
}

absl::StatusOr<WorkerOptions> ParseWorkerFlags(const std::vector<std::string>& args) {
  WorkerOptions o;
  auto bad = [](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(why, "\n", kUsage));
  };
  const FlagSpec spec{{"model",
                       "tokenizer",
                       "prompts",
                       "output",
                       "server",
                       "stop",
                       "template",
                       "group-size",
                       "max-new-tokens",
                       "max-batch",
                       "connect-timeout-ms",
                       "seed",
                       "top-k",
                       "temperature",
                       "top-p",
                       "min-p",
                       "eos",
                       "logprobs",
                       "kv-cache-bytes",
                       "kv-cache-dtype",
                       "seed-offset",
                       "progress-interval-s"},
                      {"no-server", "no-progress", "include-stop", "help"}};
  auto flags = Flags::Parse(args, spec);
  if (!flags.ok()) return bad(flags.status().message());
  if (flags->Has("help")) return bad("");
  if (!flags->positional().empty()) {
    return bad(absl::StrCat("unexpected argument: ", flags->positional().front()));
  }
  // An integer flag that must fit its field (`lo` and up).
  absl::Status status;
  auto int_flag = [&](const char* name, int64_t lo, int64_t hi, auto* field) {
    absl::StatusOr<int64_t> v = flags->GetInt(name, static_cast<int64_t>(*field));
    if (!v.ok()) {
      status.Update(v.status());
    } else if (*v < lo || *v > hi) {
      status.Update(absl::InvalidArgumentError(
          absl::StrCat("--", name, " must be in [", lo, ", ", hi, "], got ", *v)));
    } else {
      *field = static_cast<std::remove_pointer_t<decltype(field)>>(*v);
    }
  };
  auto float_flag = [&](const char* name, float* field) {
    absl::StatusOr<double> v = flags->GetDouble(name, *field);
    if (v.ok())
      *field = static_cast<float>(*v);
    else
      status.Update(v.status());
  };
  constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
  GenerationOptions& g = o.generation;
  o.model_dir = flags->Get("model");
  o.tokenizer_path = flags->Get("tokenizer");
  o.prompts_path = flags->Get("prompts");
  o.output_path = flags->Get("output");
  o.server_address = flags->Get("server");
  o.no_server = flags->Has("no-server");
  o.progress = !flags->Has("no-progress");
  g.stop_strings = flags->GetAll("stop");
  g.include_stop_str_in_output = flags->Has("include-stop");
  o.eos = flags->GetAll("eos");
  if (flags->Has("logprobs")) {
    auto k = ParseLogprobKind(flags->Get("logprobs"));
    if (!k.ok()) return bad(k.status().message());
    g.logprobs = *k;
  }
  if (flags->Has("kv-cache-bytes")) {
    auto bytes = ParseByteSize(flags->Get("kv-cache-bytes"));
    if (!bytes.ok()) return bad(bytes.status().message());
    o.kv_cache_bytes = *bytes;
  }
  if (flags->Has("kv-cache-dtype")) {
    auto d = ParseKvCacheDType(flags->Get("kv-cache-dtype"));
    if (!d.ok()) return bad(d.status().message());
    o.kv_cache_dtype = *d;
  }
  o.max_batch_given = flags->Has("max-batch");
  if (flags->Has("template")) {
    auto t = ParsePromptTemplate(flags->Get("template"));
    if (!t.ok()) return bad(t.status().message());
    o.prompt_template = *t;
  }
  int_flag("group-size", 1, kInt32Max, &g.group_size);
  int_flag("max-new-tokens", 0, kInt32Max, &g.max_new_tokens);
  int_flag("max-batch", 1, kInt32Max, &g.max_batch_sequences);
  int_flag("connect-timeout-ms", 0, kInt32Max, &o.connect_timeout_ms);
  int_flag("seed", 0, std::numeric_limits<int64_t>::max(), &g.seed);
  int_flag("seed-offset", 0, std::numeric_limits<int64_t>::max(), &o.seed_offset);
  int_flag("top-k", 0, kInt32Max, &g.sampling.top_k);
  float_flag("temperature", &g.sampling.temperature);
  float_flag("top-p", &g.sampling.top_p);
  float_flag("min-p", &g.sampling.min_p);
  if (flags->Has("progress-interval-s")) {
    absl::StatusOr<double> v = flags->GetDouble("progress-interval-s", o.progress_interval_s);
    if (v.ok() && *v < 0) v = absl::InvalidArgumentError("--progress-interval-s must be >= 0");
    if (v.ok())
      o.progress_interval_s = *v;
    else
      status.Update(v.status());
  }
  if (!status.ok()) return bad(status.message());
  if (o.model_dir.empty() || o.prompts_path.empty() || o.output_path.empty()) {
    return bad("--model, --prompts and --output are required");
  }
  if (!o.no_server && o.server_address.empty())
    return bad("give --server HOST:PORT or --no-server");
  if (o.tokenizer_path.empty()) o.tokenizer_path = o.model_dir + "/tokenizer.json";
  if (o.generation.max_batch_sequences < o.generation.group_size) {
    o.generation.max_batch_sequences = o.generation.group_size;
  }
  if (auto s = ValidateSamplingParams(o.generation.sampling); !s.ok()) return bad(s.message());
  return o;
}

}  // namespace verdict::rollout
