// Judging a completion against a code reference: extract the code, build the harness, compile
// once (cached), run the tests in the sandbox (in parallel), check outputs, and return a typed
// verdict with per-test details.
//
// Contract (DESIGN.md §4): every failure of the candidate (no code, compile error, wrong answer,
// runtime error, time/memory/output limit) is a `CodeVerdict`. An `absl::Status` error means we
// could not judge: kInvalidArgument for a malformed reference (unknown language, no tests, bad
// fn_name), kCancelled when `cancel` fired (its processes are killed at once), other codes for
// sandbox/infrastructure failures. Thread-safe; the Runner and CompileCache must be too.
#ifndef VERDICT_VERIFIER_CODE_JUDGE_H_
#define VERDICT_VERIFIER_CODE_JUDGE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sandbox/compile_cache.h"
#include "sandbox/runner.h"
#include "sandbox/toolchain.h"
#include "verifier/code/code_reference.h"
#include "verifier/code/extract.h"

namespace verdict::code {

struct JudgeOptions {
  // Code extraction. Empty `extract.languages` means the reference language's aliases (for C++
  // also "cpp", "c++", "cc", "cxx"). Default: last labelled block, else last unlabelled block.
  ExtractOptions extract;
  // Accuracy: false = pass fraction (default); true = 1 only when every test passes.
  bool all_pass = false;
  // With all_pass, stop starting tests after the first failure (later tests: skipped). Default
  // true.
  bool early_stop = true;
  // Test runs of one completion in flight at once. Default 2.
  int parallelism = 2;
  // Toolchain table; null means sandbox::DefaultToolchains(). Not owned.
  const std::vector<sandbox::Toolchain>* toolchains = nullptr;
  // Compile cache; null means one process-wide cache under /tmp/verdict-compile-cache. Not owned.
  sandbox::CompileCache* compile_cache = nullptr;
};

// Judges one completion (markdown text with a fenced code block).
absl::StatusOr<CodeVerdict> JudgeCompletion(const CodeReference& reference,
                                            std::string_view completion, sandbox::Runner& runner,
                                            const JudgeOptions& options,
                                            const sandbox::CancelFlag* cancel);

// Judges already-extracted code (never kNoCode).
absl::StatusOr<CodeVerdict> JudgeProgram(const CodeReference& reference, std::string_view code,
                                         sandbox::Runner& runner, const JudgeOptions& options,
                                         const sandbox::CancelFlag* cancel);

// Judges a group of completions of one prompt; completions whose extracted programs are
// identical are judged once and share the verdict. One result per completion, in order.
std::vector<absl::StatusOr<CodeVerdict>> JudgeGroup(const CodeReference& reference,
                                                    absl::Span<const std::string> completions,
                                                    sandbox::Runner& runner,
                                                    const JudgeOptions& options,
                                                    const sandbox::CancelFlag* cancel);

}  // namespace verdict::code

#endif  // VERDICT_VERIFIER_CODE_JUDGE_H_
