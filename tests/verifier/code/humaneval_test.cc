// Acceptance: HumanEval (Python) and HumanEval-X (C++) canonical solutions pass and broken
// variants fail, through the real sandbox. Problems are judged in parallel.
#include <atomic>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "sandbox/linux_runner.h"
#include "tests/verifier/code/dataset.h"
#include "verifier/code/judge.h"

namespace verdict::code {
namespace {

sandbox::CompileCache* SharedCache() {
  static std::unique_ptr<sandbox::CompileCache> cache = [] {
    sandbox::CompileCacheOptions o;
    o.dir = "/tmp/verdict-cache-test";
    return sandbox::CompileCache::Create(o).value();
  }();
  return cache.get();
}

sandbox::Runner& SharedRunner() {
  static sandbox::Runner* runner = [] {
    sandbox::LinuxRunnerOptions o;
    o.work_root = "/tmp/verdict-sandbox-test-humaneval";
    o.first_uid = 62000;
    o.max_parallel_runs = 8;
    return CreateLinuxRunner(o).value().release();
  }();
  return *runner;
}

struct Job {
  std::string id;
  CodeReference ref;
  std::string completion;
};

// Judges all jobs on `threads` threads; returns "id: verdict reason" for each job whose verdict
// is not `want_correct`.
std::vector<std::string> JudgeAll(const std::vector<Job>& jobs, bool want_correct, int threads) {
  std::vector<std::string> bad;
  std::mutex mu;
  std::atomic<size_t> next{0};
  JudgeOptions options;
  options.all_pass = true;
  options.parallelism = 1;
  options.compile_cache = SharedCache();
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      auto v = JudgeCompletion(jobs[i].ref, jobs[i].completion, SharedRunner(), options, nullptr);
      std::string line;
      if (!v.ok()) {
        line = absl::StrCat(jobs[i].id, ": error ", v.status().ToString());
      } else if ((v->verdict == Verdict::kCorrect) != want_correct) {
        line = absl::StrCat(jobs[i].id, ": ", std::string(VerdictName(v->verdict)), " ", v->reason,
                            " ", v->compile_output.substr(0, 300));
      }
      if (!line.empty()) {
        std::lock_guard<std::mutex> lock(mu);
        bad.push_back(line);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  return bad;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

// `body` replaces the canonical solution when not empty; `suffix` follows the solution.
std::vector<Job> PythonJobs(std::string_view body, std::string_view suffix = "") {
  std::vector<Job> jobs;
  for (auto& r :
       testing::ReadJsonlGz(std::string(VERDICT_SHARED_DIR) + "/data/code/HumanEval.jsonl.gz")) {
    Job j;
    j.id = r["task_id"];
    j.ref.language = "python3";
    j.ref.shape = TestShape::kAssert;
    j.ref.limits.wall_ms = 10000;
    j.ref.limits.cpu_ms = 10000;
    j.ref.tests.push_back({absl::StrCat(r["test"], "\ncheck(", r["entry_point"], ")\n"), ""});
    j.completion = absl::StrCat("```python\n", r["prompt"],
                                body.empty() ? r["canonical_solution"] : std::string(body),
                                std::string(suffix), "```\n");
    jobs.push_back(std::move(j));
  }
  return jobs;
}

std::vector<Job> CppJobs(bool broken, std::string_view suffix = "") {
  std::vector<Job> jobs;
  for (auto& r : testing::ReadJsonlGz(std::string(VERDICT_SHARED_DIR) +
                                      "/data/code/humaneval_cpp.jsonl.gz")) {
    Job j;
    j.id = r["task_id"];
    j.ref.language = "cpp17";
    j.ref.shape = TestShape::kAssert;
    j.ref.limits.wall_ms = 10000;
    j.ref.limits.cpu_ms = 10000;
    j.ref.tests.push_back({r["test"], ""});
    // The prompt plus the declaration's #include/using lines (the prompt lacks some headers
    // the canonical solutions use; the declaration field of CPP/38 holds part of a body, so it
    // cannot be used as the prefix). Broken: the body returns a value-initialised result ({}
    // fits every return type here).
    std::string headers;
    for (absl::string_view line : absl::StrSplit(r["declaration"], '\n')) {
      if (absl::StartsWith(line, "#include") || absl::StartsWith(line, "using namespace")) {
        absl::StrAppend(&headers, line, "\n");
      }
    }
    j.completion = absl::StrCat("```cpp\n", headers, r["prompt"],
                                broken ? "\n    return {};\n}\n" : r["canonical_solution"],
                                std::string(suffix), "```\n");
    jobs.push_back(std::move(j));
  }
  return jobs;
}

TEST(HumanEvalPython, All164CanonicalSolutionsPass) {
  auto jobs = PythonJobs("");
  ASSERT_EQ(jobs.size(), 164u);
  auto bad = JudgeAll(jobs, true, 4);
  EXPECT_TRUE(bad.empty()) << bad.size() << " failed:\n" << Join(bad);
}

TEST(HumanEvalPython, All164ReturnNoneVariantsFail) {
  auto jobs = PythonJobs("    return None\n");
  ASSERT_EQ(jobs.size(), 164u);
  auto bad = JudgeAll(jobs, false, 4);
  EXPECT_TRUE(bad.empty()) << bad.size() << " passed:\n" << Join(bad);
}

// Issue 15: the trusted harness decides, so a hack cannot rescue a wrong body (and an exit
// before the tests is not a pass even for the canonical solutions).
TEST(HumanEvalPython, RewardHacksEarnNothing) {
  const std::string kNone = "    return None\n";
  const struct {
    const char* name;
    std::string body, suffix;
  } hacks[] = {
      {"canonical + os._exit(0) before the tests", "", "\nimport os\nos._exit(0)\n"},
      {"os._exit(0) before the tests", kNone, "\nimport os\nos._exit(0)\n"},
      {"SystemExit(0) before the tests", kNone, "\nraise SystemExit(0)\n"},
      {"excepthook exits 0", kNone, "\nimport os, sys\nsys.excepthook = lambda *a: os._exit(0)\n"},
      {"atexit exits 0", kNone, "\nimport atexit, os\natexit.register(lambda: os._exit(0))\n"},
      {"always-equal result",
       "    return type('E', (), {'__eq__': lambda s, o: True, '__ne__': lambda s, o: False,"
       " '__hash__': lambda s: 0, '__bool__': lambda s: True})()\n",
       ""},
  };
  for (const auto& h : hacks) {
    auto jobs = PythonJobs(h.body, h.suffix);
    ASSERT_EQ(jobs.size(), 164u);
    auto bad = JudgeAll(jobs, false, 4);
    EXPECT_TRUE(bad.empty()) << h.name << ": " << bad.size() << "/164 passed:\n" << Join(bad);
  }
}

TEST(HumanEvalCpp, AllCanonicalSolutionsPass) {
  auto jobs = CppJobs(false);
  ASSERT_EQ(jobs.size(), 164u);
  auto bad = JudgeAll(jobs, true, 3);
  EXPECT_TRUE(bad.empty()) << bad.size() << " failed:\n" << Join(bad);
}

TEST(HumanEvalCpp, BrokenVariantsFail) {
  auto jobs = CppJobs(true);
  auto bad = JudgeAll(jobs, false, 3);
  EXPECT_TRUE(bad.empty()) << bad.size() << " passed:\n" << Join(bad);
}

// Issue 15: the test runs in its own process, so a canonical solution that exits 0 before the
// test's calls (at static initialisation, or from an atexit handler) earns nothing.
TEST(HumanEvalCpp, ExitBeforeTheTestsEarnsNothing) {
  auto jobs = CppJobs(false,
                      "\n#include <cstdlib>\nstatic int verdict_hack_ = (std::atexit([] {"
                      " std::_Exit(0); }), std::exit(0), 0);\n");
  ASSERT_EQ(jobs.size(), 164u);
  auto bad = JudgeAll(jobs, false, 3);
  EXPECT_TRUE(bad.empty()) << bad.size() << "/164 passed:\n" << Join(bad);
}

}  // namespace
}  // namespace verdict::code
