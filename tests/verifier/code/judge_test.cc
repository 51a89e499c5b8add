// Judge through the real sandbox: call-based harness, checker program, cancellation.
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sandbox/linux_runner.h"
#include "verifier/code/judge.h"

namespace verdict::code {
namespace {

sandbox::Runner& SharedRunner() {
  static sandbox::Runner* runner = [] {
    sandbox::LinuxRunnerOptions o;
    o.work_root = "/tmp/verdict-sandbox-test-judge";
    o.first_uid = 63000;
    o.max_parallel_runs = 8;
    return CreateLinuxRunner(o).value().release();
  }();
  return *runner;
}

CodeReference CallRef() {
  CodeReference ref;
  ref.shape = TestShape::kCallBased;
  ref.fn_name = "add";
  ref.tests = {{"[1, 2]", "3"}, {"[[1], [2]]", "[1, 2]"}, {"[\"a\", \"b\"]", "\"ab\""}};
  ref.limits.wall_ms = 1000;
  return ref;
}

TEST(JudgeCallBased, AllCasesInOneProcess) {
  auto v = JudgeProgram(CallRef(), "def add(a, b):\n    print('noise')\n    return a + b\n",
                        SharedRunner(), {}, nullptr);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->verdict, Verdict::kCorrect) << v->reason;
  EXPECT_EQ(v->passed, 3);
}

TEST(JudgeCallBased, LeetCodeSolutionClassAndTuplesAsLists) {
  CodeReference ref = CallRef();
  ref.tests = {{"[1, 2]", "[1, 2]"}};
  auto v = JudgeProgram(ref, "class Solution:\n    def add(self, a, b):\n        return (a, b)\n",
                        SharedRunner(), {}, nullptr);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, Verdict::kCorrect) << v->reason;
}

TEST(JudgeCallBased, PerCaseVerdicts) {
  auto v = JudgeProgram(CallRef(),
                        "import time\ndef add(a, b):\n    if a == 1: return 4\n"
                        "    if a == [1]: raise ValueError('boom')\n    time.sleep(5)\n",
                        SharedRunner(), {}, nullptr);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->verdict, Verdict::kWrongAnswer);
  EXPECT_EQ(v->tests[0].verdict, Verdict::kWrongAnswer);
  EXPECT_EQ(v->tests[0].message, "expected 3, got 4");
  EXPECT_EQ(v->tests[1].verdict, Verdict::kRuntimeError);
  EXPECT_EQ(v->tests[1].message, "ValueError: boom");
  EXPECT_EQ(v->tests[2].verdict, Verdict::kTimeLimit);
}

TEST(JudgeCallBased, MissingFunctionIsRuntimeError) {
  auto v = JudgeProgram(CallRef(), "def plus(a, b): return a + b\n", SharedRunner(), {}, nullptr);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, Verdict::kRuntimeError);
  EXPECT_NE(v->tests[0].message.find("not defined"), std::string::npos);
}

TEST(JudgeCallBased, ProcessDeathMarksTheCaseItDiedIn) {
  auto v = JudgeProgram(CallRef(),
                        "import os\ndef add(a, b):\n    if a == [1]: os._exit(3)\n"
                        "    return a + b\n",
                        SharedRunner(), {}, nullptr);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->tests[0].passed);
  EXPECT_EQ(v->tests[1].verdict, Verdict::kRuntimeError);
  EXPECT_TRUE(v->tests[2].skipped);
}

TEST(JudgeChecker, ProgramCheckerAcceptsAnyValidAnswer) {
  CodeReference ref;
  ref.tests = {{"10\n", ""}, {"7\n", ""}};
  ref.checker.kind = CheckerKind::kProgram;
  // Accept any pair of positive integers that sums to the input.
  ref.checker.program_source =
      "import sys\nn = int(open(sys.argv[1]).read())\na, b = map(int, "
      "open(sys.argv[2]).read().split())\n"
      "sys.exit(0 if a > 0 and b > 0 and a + b == n else 1)\n";
  auto good = JudgeProgram(ref, "n = int(input())\nprint(1, n - 1)\n", SharedRunner(), {}, nullptr);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->verdict, Verdict::kCorrect) << good->reason;
  auto bad = JudgeProgram(ref, "n = int(input())\nprint(0, n)\n", SharedRunner(), {}, nullptr);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->verdict, Verdict::kWrongAnswer);
}

TEST(JudgeCancel, CancelStopsAllTestsQuickly) {
  CodeReference ref;
  for (int i = 0; i < 8; ++i) ref.tests.push_back({"", "x"});
  ref.limits.wall_ms = 20000;
  ref.limits.cpu_ms = 20000;
  sandbox::CancelFlag cancel;
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel.Cancel();
  });
  auto start = std::chrono::steady_clock::now();
  auto v = JudgeProgram(ref, "import time\ntime.sleep(30)\n", SharedRunner(), {}, &cancel);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  t.join();
  EXPECT_EQ(v.status().code(), absl::StatusCode::kCancelled);
  EXPECT_LT(ms, 2000);
}

}  // namespace
}  // namespace verdict::code
