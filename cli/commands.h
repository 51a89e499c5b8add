// The `verdict` subcommands. Each returns the process exit code.
#ifndef VERDICT_CLI_COMMANDS_H_
#define VERDICT_CLI_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/flags.h"
#include "verdict/v1/verdict.pb.h"

namespace verdict::cli {

// Exit codes every subcommand uses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // could not run: I/O error, server unreachable
inline constexpr int kExitUsage = 2;     // bad flags or arguments
inline constexpr int kExitRejected = 3;  // ran, but some input lines or groups were rejected

int RunScore(const std::vector<std::string>& args);
int RunCheck(const std::vector<std::string>& args);
int RunServe(const std::vector<std::string>& args);
int RunFilter(const std::vector<std::string>& args);

// Flags that build a reward spec, shared by `score` and `serve`.
void AddSpecFlags(FlagSpec* spec);
// `--spec FILE` (JSON form of verdict.v1.RewardSpec) with the individual flags on top.
absl::StatusOr<v1::RewardSpec> SpecFromFlags(const Flags& flags);
extern const char kSpecFlagsHelp[];

}  // namespace verdict::cli

#endif  // VERDICT_CLI_COMMANDS_H_
