#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rollout/worker.h"

namespace verdict::rollout {

constexpr char kUsage[] = R"(usage: verdict-rollout --model DIR --prompts FILE --output FILE
                       (--server HOST:PORT | --no-server) [options]
  --group-size G        samples per prompt (8)
  --max-new-tokens N    per sample (256)
  --max-batch N         at most N samples decoded together (default: as many as the KV
                        budget holds, up to 256)
  --kv-cache-bytes N[K|M|G]  KV cache budget (default: a quarter of physical memory)
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
      case 'K': case 'k': scale = int64_t{1} << 10; break;
      case 'M': case 'm': scale = int64_t{1} << 20; break;
      case 'G': case 'g': scale = int64_t{1} << 30; break;
      default: break;
    }
    if (scale != 1) digits.remove_suffix(1);
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(std::string(digits), &n) || n <= 0 || n > (int64_t{1} << 50) / scale) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a byte size is a positive integer with an optional K, M or G (x1024), got \"",
        std::string(text), "\""));
  }
  return n * scale;
}

absl::StatusOr<WorkerOptions> ParseWorkerFlags(const std::vector<std::string>& args) {
  WorkerOptions o;
  auto bad = [](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat(why, "\n", kUsage));
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i], value;
    const size_t eq = flag.find('=');
    const bool has_eq = eq != std::string::npos;
    if (has_eq) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    if (flag == "--no-server") { o.no_server = true; continue; }
    if (flag == "--no-progress") { o.progress = false; continue; }
    if (flag == "--include-stop") { o.generation.include_stop_str_in_output = true; continue; }
    if (flag == "--help" || flag == "-h") return bad("");
    if (!has_eq) {
      if (i + 1 >= args.size()) return bad(absl::StrCat(flag, " needs a value"));
      value = args[++i];
    }
    int64_t n = 0;
    double d = 0;
    const bool is_int = absl::SimpleAtoi(value, &n);
    const bool is_num = absl::SimpleAtod(value, &d);
    if (flag == "--model") o.model_dir = value;
    else if (flag == "--tokenizer") o.tokenizer_path = value;
    else if (flag == "--prompts") o.prompts_path = value;
    else if (flag == "--output") o.output_path = value;
    else if (flag == "--server") o.server_address = value;
    else if (flag == "--stop") o.generation.stop_strings.push_back(value);
    else if (flag == "--eos") o.eos.push_back(value);
    else if (flag == "--logprobs") {
      auto k = ParseLogprobKind(value);
      if (!k.ok()) return bad(std::string(k.status().message()));
      o.generation.logprobs = *k;
    }
    else if (flag == "--template") {
      auto t = ParsePromptTemplate(value);
      if (!t.ok()) return bad(std::string(t.status().message()));
      o.prompt_template = *t;
    } else if (flag == "--group-size" && is_int) o.generation.group_size = n;
    else if (flag == "--max-new-tokens" && is_int) o.generation.max_new_tokens = n;
    else if (flag == "--max-batch" && is_int && n > 0) {
      o.generation.max_batch_sequences = n;
      o.max_batch_given = true;
    } else if (flag == "--kv-cache-bytes") {
      auto bytes = ParseByteSize(value);
      if (!bytes.ok()) return bad(std::string(bytes.status().message()));
      o.kv_cache_bytes = *bytes;
    }
    else if (flag == "--connect-timeout-ms" && is_int) o.connect_timeout_ms = n;
    else if (flag == "--seed" && is_int) o.generation.seed = n;
    else if (flag == "--seed-offset" && is_int && n >= 0) o.seed_offset = n;
    else if (flag == "--progress-interval-s" && is_num && d >= 0) o.progress_interval_s = d;
    else if (flag == "--top-k" && is_int) o.generation.sampling.top_k = n;
    else if (flag == "--temperature" && is_num) o.generation.sampling.temperature = d;
    else if (flag == "--top-p" && is_num) o.generation.sampling.top_p = d;
    else if (flag == "--min-p" && is_num) o.generation.sampling.min_p = d;
    else return bad(absl::StrCat("unknown flag or bad value: ", args[i]));
  }
  if (o.model_dir.empty() || o.prompts_path.empty() || o.output_path.empty()) {
    return bad("--model, --prompts and --output are required");
  }
  if (!o.no_server && o.server_address.empty()) return bad("give --server HOST:PORT or --no-server");
  if (o.tokenizer_path.empty()) o.tokenizer_path = o.model_dir + "/tokenizer.json";
  if (o.generation.max_batch_sequences < o.generation.group_size) {
    o.generation.max_batch_sequences = o.generation.group_size;
  }
  if (auto s = ValidateSamplingParams(o.generation.sampling); !s.ok()) return bad(std::string(s.message()));
  return o;
}

}  // namespace verdict::rollout
