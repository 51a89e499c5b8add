// Judge logic against a scripted runner: verdict mapping, errors, early stop, dedup.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sandbox/fake_runner.h"
#include "verifier/code/judge.h"

namespace verdict::code {
namespace {

using sandbox::FakeRunner;
using sandbox::RunRequest;
using sandbox::RunResult;
using sandbox::RunStatus;

CodeReference StdioRef(int n) {
  CodeReference ref;
  ref.language = "python3";
  for (int i = 0; i < n; ++i) ref.tests.push_back({std::to_string(i), std::to_string(i * 2)});
  return ref;
}

// Doubles stdin, except for inputs listed in `broken`, which get `status`.
void Script(FakeRunner& f, std::vector<std::string> broken, RunStatus status) {
  f.SetDefault([=](const RunRequest& r) -> absl::StatusOr<RunResult> {
    RunResult res;
    if (std::find(broken.begin(), broken.end(), r.stdin_data) != broken.end()) {
      res.status = status;
      res.detail = "scripted";
      return res;
    }
    res.stdout_data = std::to_string(std::stoi(r.stdin_data) * 2) + "\n";
    return res;
  });
}

const char* kCompletion = "Here:\n```python\nprint(int(input())*2)\n```\n";

TEST(JudgeFake, AllTestsPassIsCorrect) {
  FakeRunner f;
  Script(f, {}, RunStatus::kOk);
  auto v = JudgeCompletion(StdioRef(5), kCompletion, f, JudgeOptions{}, nullptr);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->verdict, Verdict::kCorrect);
  EXPECT_EQ(v->passed, 5);
  EXPECT_DOUBLE_EQ(v->accuracy, 1.0);
  EXPECT_EQ(f.run_count(), 5);
  EXPECT_EQ(f.requests()[0].argv[0], "/usr/bin/python3");
}

TEST(JudgeFake, SomeFailIsPartialWithPassFraction) {
  FakeRunner f;
  Script(f, {"1"}, RunStatus::kTimeLimit);
  auto v = JudgeCompletion(StdioRef(4), kCompletion, f, JudgeOptions{}, nullptr);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, Verdict::kPartial);
  EXPECT_DOUBLE_EQ(v->pass_fraction, 0.75);
  EXPECT_EQ(v->tests[1].verdict, Verdict::kTimeLimit);
  EXPECT_FALSE(v->tests[1].passed);
}

TEST(JudgeFake, AllPassModeReportsTheFirstFailureAndStopsEarly) {
  FakeRunner f;
  Script(f, {"0"}, RunStatus::kMemoryLimit);
  JudgeOptions o;
  o.all_pass = true;
  o.parallelism = 1;
  auto v = JudgeCompletion(StdioRef(10), kCompletion, f, o, nullptr);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, Verdict::kMemoryLimit);
  EXPECT_DOUBLE_EQ(v->accuracy, 0.0);
  EXPECT_EQ(f.run_count(), 1);
  EXPECT_TRUE(v->tests[9].skipped);
}

// Regression: the C++ assert end-marker flags were indexed by test for stdio programs (one
// program, many tests), so later stdio tests got a nonce on a stdin pipe.
TEST(JudgeFake, StdioTestsGetTheirInputNotAPipe) {
  FakeRunner f;
  Script(f, {}, RunStatus::kOk);
  auto v = JudgeCompletion(StdioRef(16), kCompletion, f, JudgeOptions{}, nullptr);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, Verdict::kCorrect);
  for (const RunRequest& r : f.requests()) EXPECT_EQ(r.stdin_fd, -1) << r.stdin_data;
}

TEST(JudgeFake, WrongOutputIsWrongAnswerWithFirstDiff) {
  FakeRunner f;
  f.SetDefault([](const RunRequest&) -> absl::StatusOr<RunResult> {
    RunResult r;
    r.stdout_data = "7\n";
    return r;
  });
  auto v = JudgeCompletion(StdioRef(1), kCompletion, f, JudgeOptions{}, nullptr);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, Verdict::kWrongAnswer);
  EXPECT_EQ(v->tests[0].message, "token 1 (line 1): expected '0', got '7'");
}

TEST(JudgeFake, NoFencedBlockIsNoCodeWithoutRunning) {
  FakeRunner f;
  auto v = JudgeCompletion(StdioRef(3), "print(1)", f, JudgeOptions{}, nullptr);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, Verdict::kNoCode);
  EXPECT_EQ(f.run_count(), 0);
}

TEST(JudgeFake, RunnerFailureIsAnErrorNotAVerdict) {
  FakeRunner f;
  f.SetDefault([](const RunRequest&) -> absl::StatusOr<RunResult> {
    return absl::ResourceExhaustedError("fork failed");
  });
  auto v = JudgeCompletion(StdioRef(3), kCompletion, f, JudgeOptions{}, nullptr);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(JudgeFake, CancelledRequestIsCancelled) {
  FakeRunner f;
  sandbox::CancelFlag cancel;
  cancel.Cancel();
  auto v = JudgeCompletion(StdioRef(3), kCompletion, f, JudgeOptions{}, &cancel);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kCancelled);
}

TEST(JudgeFake, MalformedReferencesAreInvalidArgument) {
  FakeRunner f;
  CodeReference ref = StdioRef(0);
  EXPECT_EQ(JudgeCompletion(ref, kCompletion, f, {}, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  ref = StdioRef(1);
  ref.language = "cobol";
  EXPECT_EQ(JudgeCompletion(ref, kCompletion, f, {}, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  ref = StdioRef(1);
  ref.shape = TestShape::kCallBased;
  ref.fn_name = "a; import os";
  EXPECT_EQ(JudgeCompletion(ref, kCompletion, f, {}, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(JudgeFake, IdenticalProgramsInAGroupRunOnce) {
  FakeRunner f;
  Script(f, {}, RunStatus::kOk);
  std::vector<std::string> group = {kCompletion, std::string("Other words.\n") + kCompletion,
                                    "```python\nprint(0)\n```", "no code"};
  auto out = JudgeGroup(StdioRef(2), group, f, JudgeOptions{}, nullptr);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0]->verdict, Verdict::kCorrect);
  EXPECT_EQ(out[1]->verdict, Verdict::kCorrect);
  EXPECT_EQ(out[3]->verdict, Verdict::kNoCode);
  EXPECT_EQ(f.run_count(), 4);  // two distinct programs x two tests
}

// Python assert tests run as a harness pair: the candidate run (stdin and stdout are pipes) and
// the harness run (fds 3, 4 and 5). The fake plays both: the candidate writes its "started" and
// hello lines (or nothing)
// and ends with `candidate_status`; the harness "reports" `harness_line` (with "NONCE" replaced
// by the nonce from its stdin).
// The run that precompiles the pair's programs fails here: the pair runs from source.
bool IsPrecompile(const RunRequest& r) { return r.argv.size() > 3 && r.argv[3] == "compile.py"; }

int PairRuns(const FakeRunner& f) {
  int n = 0;
  for (const RunRequest& r : f.requests()) n += !IsPrecompile(r);
  return n;
}

void ScriptPair(FakeRunner& f, bool hello, RunStatus candidate_status, std::string harness_line) {
  f.SetDefault([=](const RunRequest& r) -> absl::StatusOr<RunResult> {
    RunResult res;
    if (IsPrecompile(r)) {
      res.status = RunStatus::kRuntimeError;
      return res;
    }
    if (r.stdout_fd >= 0) {  // the candidate
      if (hello) {
        EXPECT_EQ(write(r.stdout_fd, "{\"started\":1}\n{\"names\":{}}\n", 27), 27);
      } else {
        EXPECT_EQ(write(r.stdout_fd, "{\"started\":1}\n", 14), 14);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
      }
      res.status = candidate_status;
      res.detail = "scripted candidate";
      return res;
    }
    EXPECT_EQ(r.extra_fds.size(), 3u);
    // Like the real harness, nothing before the hello (fd 5) is complete.
    std::string hello;
    char buf[256];
    for (ssize_t n; (n = read(r.extra_fds[2], buf, sizeof buf)) > 0;) hello.append(buf, n);
    if (hello.empty()) {
      res.stdout_data = "no hello";
      return res;
    }
    size_t at = r.stdin_data.find("\"nonce\":\"");
    EXPECT_NE(at, std::string::npos);
    std::string nonce = r.stdin_data.substr(at + 9, r.stdin_data.find('"', at + 9) - at - 9);
    std::string line = harness_line;
    size_t n = line.find("NONCE");
    if (n != std::string::npos) line.replace(n, 5, nonce);
    res.stdout_data = line;
    return res;
  });
}

CodeReference PythonAssertRef() {
  CodeReference ref;
  ref.shape = TestShape::kAssert;
  ref.tests = {{"assert f() == 1\n", ""}};
  ref.limits.wall_ms = 100;
  return ref;
}

TEST(JudgePairFake, PassCountsOnlyWithTheHarnessNonce) {
  FakeRunner f;
  ScriptPair(f, true, RunStatus::kOk, "NONCE 0 PASS 1.0 \n");
  auto v = JudgeProgram(PythonAssertRef(), "def f(): return 1\n", f, {}, nullptr);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->verdict, Verdict::kCorrect) << v->reason;
  EXPECT_EQ(PairRuns(f), 2);
  FakeRunner g;
  ScriptPair(g, true, RunStatus::kOk, "V123 0 PASS 1.0 \n");
  v = JudgeProgram(PythonAssertRef(), "def f(): return 1\n", g, {}, nullptr);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->verdict, Verdict::kRuntimeError);
  EXPECT_EQ(v->tests[0].message, "harness: no report");
}

TEST(JudgePairFake, CandidateThatDiedInACallGetsItsOwnStatus) {
  FakeRunner f;
  ScriptPair(f, true, RunStatus::kMemoryLimit,
             "NONCE 0 DIED 1.0 the candidate exited during a call\n");
  auto v = JudgeProgram(PythonAssertRef(), "def f(): return 1\n", f, {}, nullptr);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->verdict, Verdict::kMemoryLimit);
  EXPECT_EQ(v->tests[0].message, "the candidate exited during a call: scripted candidate");
}

TEST(JudgePairFake, CandidateSilentPastTheLoadLimitIsTimeLimit) {
  FakeRunner f;
  ScriptPair(f, false, RunStatus::kOk, "NONCE 0 PASS 1.0 \n");
  auto v = JudgeProgram(PythonAssertRef(), "def f(): return 1\n", f, {}, nullptr);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->verdict, Verdict::kTimeLimit);
  EXPECT_EQ(v->tests[0].message, "the candidate did not load within the time limit");
}

TEST(JudgePairFake, CandidateThatExitedWhileLoadingIsRuntimeError) {
  FakeRunner f;
  f.SetDefault([](const RunRequest& r) -> absl::StatusOr<RunResult> {
    char c;
    if (r.extra_fds.size() == 3) {
      EXPECT_EQ(read(r.extra_fds[2], &c, 1), 0);  // no hello
    }
    return RunResult{};
  });
  auto v = JudgeProgram(PythonAssertRef(), "import os\nos._exit(0)\n", f, {}, nullptr);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->verdict, Verdict::kRuntimeError);
  EXPECT_EQ(v->tests[0].message, "the candidate exited while loading (exit code 0)");
}

// A candidate that exits before its hello ends the pair while the harness's run may not yet
// have handed its channel descriptors to the sandbox (a real runner waits for a slot first):
// they must stay open, the same files, until its Run returns. Closed early, their numbers were
// free for another thread's files, and the launcher's send of a closed one failed with EBADF
// (which ended every later run of the server: "sandbox launcher ... is gone").
TEST(JudgePairFake, HarnessDescriptorsStayOpenUntilItsRunReturns) {
  FakeRunner f;
  std::atomic<int> checked{0}, changed{0};
  f.SetDefault([&](const RunRequest& r) -> absl::StatusOr<RunResult> {
    if (r.extra_fds.size() != 3) return RunResult{};  // the candidate: exits at once, silent
    struct stat before[3];
    for (int i = 0; i < 3; ++i) EXPECT_EQ(fstat(r.extra_fds[i], &before[i]), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // "waiting for a slot"
    for (int i = 0; i < 3; ++i) {
      struct stat after;
      if (fstat(r.extra_fds[i], &after) != 0 || after.st_ino != before[i].st_ino ||
          after.st_dev != before[i].st_dev) {
        ++changed;
      }
    }
    ++checked;
    return RunResult{};
  });
  auto v = JudgeProgram(PythonAssertRef(), "import os\nos._exit(0)\n", f, {}, nullptr);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->verdict, Verdict::kRuntimeError);
  EXPECT_EQ(checked.load(), 1);
  EXPECT_EQ(changed.load(), 0);
}

TEST(VerdictName, NamesEveryVerdict) {
  EXPECT_EQ(VerdictName(Verdict::kCorrect), "correct");
  EXPECT_EQ(VerdictName(Verdict::kNoCode), "no_code");
  EXPECT_EQ(VerdictName(Verdict::kOutputLimit), "output_limit");
}

}  // namespace
}  // namespace verdict::code
