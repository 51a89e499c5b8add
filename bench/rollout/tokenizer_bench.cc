// Times Tokenizer::Encode on the inputs that tokenizer_bench.py writes, for the script to set
// beside HF `tokenizers` on the same inputs in the same run.
// Usage: tokenizer_bench TOKENIZER_JSON REPEATS INPUT... ; prints per input one line
//   "<input> <best seconds> <number of ids> <sum of ids>"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rollout/tokenizer.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s TOKENIZER_JSON REPEATS INPUT...\n", argv[0]);
    return 2;
  }
  auto tok = verdict::rollout::Tokenizer::FromFile(argv[1]);
  if (!tok.ok()) {
    std::fprintf(stderr, "%s\n", std::string(tok.status().message()).c_str());
    return 1;
  }
  const int repeats = std::max(1, std::atoi(argv[2]));
  for (int i = 3; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    double best = 1e30;
    std::vector<int32_t> ids;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      auto got = tok->Encode(text);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (!got.ok()) {
        std::fprintf(stderr, "%s: %s\n", argv[i], std::string(got.status().message()).c_str());
        return 1;
      }
      best = std::min(best, s);
      ids = *std::move(got);
    }
    long long sum = 0;
    for (int32_t id : ids) sum += id;
    std::printf("%s %.6f %zu %lld\n", argv[i], best, ids.size(), sum);
  }
  return 0;
}
