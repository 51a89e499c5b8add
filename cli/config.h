// Configuration of `verdict serve` from three sources under the command line: a JSON file
// (--config FILE) and VERDICT_* environment variables. Precedence: command line > environment >
// file > built-in defaults.
//
//   file:  {"listen": ["0.0.0.0:50051", "unix:/run/verdict.sock"], "http_listen": "0.0.0.0:8080",
//           "threads": 8, "drain_delay_ms": 5000, "code": true, "default_spec": {RewardSpec JSON}}
//          keys are the flag names with '_' for '-'; "code": false is --no-code.
//   env:   VERDICT_LISTEN=a,b  VERDICT_HTTP_LISTEN=...  VERDICT_THREADS=8  VERDICT_NO_CODE=1 ...
#ifndef VERDICT_CLI_CONFIG_H_
#define VERDICT_CLI_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/flags.h"

namespace verdict::cli {

struct MergedArgs {
  std::vector<std::string> args;  // file's, then environment's, then the command line's
  std::string spec_json;          // the file's "default_spec", minified JSON (may be empty)
};

// Reads `--config FILE` from `args` (if present) and the environment for the flags of `spec`.
// A flag given several times (--listen) is taken from the highest source that has it, whole.
// INVALID_ARGUMENT for an unreadable file, a key that is no flag, or a value of the wrong type.
absl::StatusOr<MergedArgs> MergeConfig(const std::vector<std::string>& args, const FlagSpec& spec);

}  // namespace verdict::cli

#endif  // VERDICT_CLI_CONFIG_H_
