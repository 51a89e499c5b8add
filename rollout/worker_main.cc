// verdict-rollout: the sampling worker (CPU reference path). See rollout/worker.h.
#include <cstdio>
#include <string>
#include <vector>

#include "rollout/worker.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = verdict::rollout::ParseWorkerFlags(args);
  if (!options.ok()) {
    std::fprintf(stderr, "%s\n", std::string(options.status().message()).c_str());
    return 2;
  }
  const absl::Status s = verdict::rollout::RunWorker(*options);
  if (!s.ok()) {
    std::fprintf(stderr, "verdict-rollout: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
