// verdict: the command line of the Verdict reward service.
#include <cstdio>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string>
#include <vector>

#include "cli/commands.h"
#include "sandbox/linux_runner.h"

namespace {

constexpr char kUsage[] = R"(verdict — rule-based rewards for RL of reasoning models

usage: verdict <command> [options]

commands:
  score   score a JSONL file of rollout groups (in-process, or --server ADDR)
  check   check one answer against a gold answer, or a JSONL file of pairs
  filter  keep correct, well-formed completions of a scored file as SFT data
  serve   run the gRPC reward server

Run 'verdict <command> --help' for a command's options.
)";

// True when `verdict score ARGS` cannot run code in this process: the server scores with
// --server, and --no-code refuses code groups. Such a run forks no launcher (its start-up is
// CPU the run does not need). A misread (the flag name given as another flag's value) only
// moves the fork to the first runner, which starts the launcher late.
bool RunsNoCode(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--no-code" || a == "--server" || a.rfind("--server=", 0) == 0) return true;
  }
  return false;
}

// glibc gives freed memory at the top of a heap back to the kernel past 128 KiB, and maps
// blocks of 128 KiB and up afresh (limits it then raises only as such blocks are freed), so a
// batch's arenas and request and response buffers were new pages, faulted in again, batch
// after batch: 10,000 page faults in the --server client per 96k rollouts, 7,000 in the server,
// 4,500 in-process; 4,000, 3,600 and 2,000 with these limits (perf stat, bench/server, #16).
// A process keeps up to 64 MiB free per heap instead, and maps only blocks over 32 MiB.
void KeepFreedMemoryForReuse() {
#if defined(__GLIBC__)
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return verdict::cli::kExitUsage;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "score" || command == "serve") KeepFreedMemoryForReuse();
  if (command == "serve" || (command == "score" && !RunsNoCode(args))) {
    // Before the process grows (gRPC, thread pools, datasets): the sandbox's launcher is a copy
    // of it as it is now, and forks every code run. Failing here, the first runner retries.
    if (absl::Status s = verdict::sandbox::StartSandboxLauncher(); !s.ok()) {
      std::fprintf(stderr, "verdict: %s\n", std::string(s.message()).c_str());
    }
  }
  if (command == "score") return verdict::cli::RunScore(args);
  if (command == "check") return verdict::cli::RunCheck(args);
  if (command == "serve") return verdict::cli::RunServe(args);
  if (command == "filter") return verdict::cli::RunFilter(args);
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return verdict::cli::kExitOk;
  }
  std::fprintf(stderr, "verdict: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return verdict::cli::kExitUsage;
}
