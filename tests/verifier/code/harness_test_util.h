// Helpers shared by the reward-hack tests of the trusted harnesses (harness_test.cc,
// js_harness_test.cc): a runner per test binary, the accuracy a completion earns, and a named
// hack. Each binary defines TestRunnerOptions() once, with a work root and uid range of its own,
// so that two binaries' sandbox runs never share them.
#ifndef VERDICT_TESTS_VERIFIER_CODE_HARNESS_TEST_UTIL_H_
#define VERDICT_TESTS_VERIFIER_CODE_HARNESS_TEST_UTIL_H_

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "sandbox/linux_runner.h"
#include "verifier/code/judge.h"

namespace verdict::code {

// Defined by each test binary: its runner's options (RunnerOptionsAt, usually).
sandbox::LinuxRunnerOptions TestRunnerOptions();

inline sandbox::LinuxRunnerOptions RunnerOptionsAt(std::string work_root, int first_uid) {
  sandbox::LinuxRunnerOptions o;
  o.work_root = std::move(work_root);
  o.first_uid = first_uid;
  o.max_parallel_runs = 8;
  return o;
}

// The binary's runner, made with TestRunnerOptions() at the first call; never destroyed.
inline sandbox::Runner& SharedRunner() {
  static sandbox::Runner* runner = CreateLinuxRunner(TestRunnerOptions()).value().release();
  return *runner;
}

struct Hack {
  const char* name;
  const char* code;
};

// The accuracy `code` earns against `ref` with the default options, and why (its verdict and
// reason); -1 when judging failed (the error in `reason`).
inline double Accuracy(const CodeReference& ref, const std::string& code, std::string* reason) {
  auto v = JudgeProgram(ref, code, SharedRunner(), {}, nullptr);
  if (!v.ok()) {
    *reason = v.status().ToString();
    return -1;
  }
  *reason = absl::StrCat(std::string(VerdictName(v->verdict)), ": ", v->reason);
  return v->accuracy;
}

// Each hack must earn exactly 0 against `ref` (a failure names the hack and its verdict).
inline void ExpectHacksEarnZero(const CodeReference& ref, absl::Span<const Hack> hacks) {
  for (const Hack& h : hacks) {
    std::string why;
    EXPECT_EQ(Accuracy(ref, h.code, &why), 0.0) << h.name << ": " << why;
  }
}

}  // namespace verdict::code

#endif  // VERDICT_TESTS_VERIFIER_CODE_HARNESS_TEST_UTIL_H_
