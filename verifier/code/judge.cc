#include "verifier/code/judge.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <random>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "base/strings.h"
#include "verifier/code/c_harness.h"
#include "verifier/code/checker.h"
#include "verifier/code/cpp_harness.h"
#include "verifier/code/harness.h"
#include "verifier/code/harness_pair.h"
#include "verifier/code/js_harness.h"
#include "verifier/code/python_harness.h"

namespace verdict::code {
namespace {

using sandbox::RunRequest;
using sandbox::RunResult;
using sandbox::RunStatus;
using sandbox::Toolchain;

constexpr size_t kMaxMessage = 300;

std::string LastLine(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  size_t nl = s.rfind('\n');
  std::string line(nl == s.npos ? s : s.substr(nl + 1));
  if (line.size() > kMaxMessage) line.resize(kMaxMessage);
  return line;
}

// The first compiler line that says "error", else the last line.
std::string FirstErrorLine(std::string_view diagnostics) {
  for (absl::string_view line : absl::StrSplit(ToAbsl(diagnostics), '\n')) {
    if (absl::StrContains(line, "error")) return std::string(line.substr(0, kMaxMessage));
  }
  return LastLine(diagnostics);
}

Verdict FromRunStatus(RunStatus s) {
  switch (s) {
    case RunStatus::kOk: return Verdict::kCorrect;
    case RunStatus::kTimeLimit: return Verdict::kTimeLimit;
    case RunStatus::kMemoryLimit: return Verdict::kMemoryLimit;
    case RunStatus::kOutputLimit: return Verdict::kOutputLimit;
    default: return Verdict::kRuntimeError;
  }
}

const std::vector<Toolchain>& Toolchains(const JudgeOptions& o) {
  static const std::vector<Toolchain>* defaults =
      new std::vector<Toolchain>(sandbox::DefaultToolchains());
  return o.toolchains != nullptr ? *o.toolchains : *defaults;
}

absl::StatusOr<sandbox::CompileCache*> Cache(const JudgeOptions& o) {
  if (o.compile_cache != nullptr) return o.compile_cache;
  // Destroyed at exit, which removes its directory.
  static absl::StatusOr<std::unique_ptr<sandbox::CompileCache>> cache =
      sandbox::CompileCache::Create(sandbox::CompileCacheOptions{});
  if (!cache.ok()) return cache.status();
  return cache->get();
}

// Where a private binary (CompileExtras::private_binary) is copied in its run's work dir, and the
// path that runs it from there: the work dir is the program's current directory, its path is
// the runner's choice, and argv[0] must be absolute.
constexpr char kPrivateBinaryName[] = "harness";
constexpr char kPrivateBinaryPath[] = "/proc/self/cwd/harness";

// The bytes of a file of the server's.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("open ", path, ": errno ", errno));
  std::string out;
  char buf[65536];
  ssize_t got;
  while ((got = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(got));
  const int e = errno;
  close(fd);
  if (got < 0) return absl::InternalError(absl::StrCat("read ", path, ": errno ", e));
  return out;
}

// A program ready to run: the binary (compiled) or the source file (interpreted).
struct Prepared {
  bool compile_error = false;
  std::string diagnostics;
  bool cache_hit = false;
  RunRequest base;  // argv, files; stdin and limits filled per test
};

// `extras`: for a compiled language. A private binary runs from a copy in its run's work dir
// (it is in `base.files`), never from the cache, where the sandbox uids cannot read it.
absl::StatusOr<Prepared> Prepare(const Toolchain& tc, std::string_view source,
                                 const JudgeOptions& options, sandbox::Runner& runner,
                                 const sandbox::CancelFlag* cancel,
                                 const sandbox::CompileExtras& extras = {}) {
  Prepared p;
  std::string bin;
  if (!tc.compile_argv.empty()) {
    absl::StatusOr<sandbox::CompileCache*> cache = Cache(options);
    if (!cache.ok()) return cache.status();
    absl::StatusOr<sandbox::CompileOutcome> c =
        (*cache)->Compile(tc, source, runner, cancel, extras);
    if (!c.ok()) return c.status();
    p.cache_hit = c->cache_hit;
    if (!c->ok) {
      p.compile_error = true;
      p.diagnostics = c->diagnostics.substr(0, 4096);
      return p;
    }
    bin = c->binary_path;
    if (extras.private_binary) {
      absl::StatusOr<std::string> bytes = ReadWholeFile(bin);
      if (!bytes.ok()) return bytes.status();
      p.base.files.push_back({kPrivateBinaryName, *std::move(bytes), true});
      bin = kPrivateBinaryPath;
    }
  } else {
    p.base.files.push_back({tc.source_name, std::string(source), false});
  }
  p.base.argv = sandbox::ExpandArgv(tc.run_argv, tc, bin);
  return p;
}

sandbox::RunLimits Limits(const CodeReference& ref, const Toolchain& tc) {
  sandbox::RunLimits l = ref.limits;
  l.memory_bytes = std::max(l.memory_bytes, tc.min_memory_bytes);
  return l;
}

// Runs fn(i) for i in [0, n) on up to `parallelism` threads; stops starting new ones when
// `stop` is set.
template <typename Fn>
void ParallelFor(int n, int parallelism, const std::atomic<bool>& stop, Fn fn) {
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i; !stop.load() && (i = next.fetch_add(1)) < n;) fn(i);
  };
  int threads = std::max(1, std::min(parallelism, n));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

// Judges tests [0, n) with `judge_one(i)` on up to `options.parallelism` threads. The first
// infrastructure error stops the rest and is returned; with all-pass early stop, so does the
// first failed test.
template <typename Fn>
absl::Status JudgeTests(int n, const JudgeOptions& options, std::vector<TestDetail>& details,
                        Fn judge_one) {
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  absl::Status error;
  ParallelFor(n, options.parallelism, stop, [&](int i) {
    absl::Status s = judge_one(i);
    if (!s.ok()) {
      absl::MutexLock lock(&mu);
      if (error.ok()) error = s;
      stop = true;
    } else if (!details[i].passed && options.all_pass && options.early_stop) {
      stop = true;
    }
  });
  return error;
}

// Judges one finished run of a stdio test.
absl::Status CheckStdio(const CodeReference& ref, const TestCase& test, const RunResult& run,
                        const std::vector<Toolchain>& toolchains, const JudgeOptions& options,
                        sandbox::Runner& runner, const sandbox::CancelFlag* cancel, TestDetail* d) {
  if (ref.checker.kind != CheckerKind::kProgram) {
    CheckResult c = CheckOutput(ref.checker, test.expected, run.stdout_data);
    d->passed = c.accepted;
    d->verdict = c.accepted ? Verdict::kCorrect : Verdict::kWrongAnswer;
    d->message = c.first_diff;
    return absl::OkStatus();
  }
  const Toolchain* tc = sandbox::FindToolchain(toolchains, ref.checker.program_language);
  if (tc == nullptr) return absl::InvalidArgumentError("unknown checker language");
  absl::StatusOr<Prepared> p = Prepare(*tc, ref.checker.program_source, options, runner, cancel);
  if (!p.ok()) return p.status();
  if (p->compile_error) return absl::InvalidArgumentError("checker program does not compile");
  RunRequest req = p->base;
  for (const char* a : {"input.txt", "output.txt", "expected.txt"}) req.argv.push_back(a);
  req.files.push_back({"input.txt", test.input, false});
  req.files.push_back({"output.txt", run.stdout_data, false});
  req.files.push_back({"expected.txt", test.expected, false});
  absl::StatusOr<RunResult> c = runner.Run(req, cancel);
  if (!c.ok()) return c.status();
  d->passed = c->status == RunStatus::kOk;
  d->verdict = d->passed ? Verdict::kCorrect : Verdict::kWrongAnswer;
  if (!d->passed) d->message = LastLine(c->stdout_data + c->stderr_data);
  return absl::OkStatus();
}

void FillFromRun(const RunResult& run, TestDetail* d) {
  d->wall_ms = run.wall_ms;
  d->cpu_ms = run.cpu_ms;
  d->peak_memory_bytes = run.peak_memory_bytes;
}

std::string NewNonce() {
  std::mt19937_64 rng(std::random_device{}());
  return absl::StrCat("V", rng(), rng());
}

// One line of the harness's report: "<nonce> <index> <status> <ms> <message>".
struct Report {
  int index = 0;
  std::string status;
  double ms = 0;
  std::string message;
};

// The harness's reports for indices [0, n), the first for each index; lines without the nonce
// are ignored.
std::vector<std::optional<Report>> ParseReports(std::string_view out, std::string_view nonce,
                                                int64_t n) {
  std::vector<std::optional<Report>> reports(n);
  const absl::string_view want(nonce.data(), nonce.size());
  for (absl::string_view line : absl::StrSplit(ToAbsl(out), '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits(' ', 4));
    Report r;
    if (f.size() < 4 || f[0] != want || !absl::SimpleAtoi(f[1], &r.index) || r.index < 0 ||
        r.index >= n || !absl::SimpleAtod(f[3], &r.ms) || reports[r.index].has_value()) {
      continue;
    }
    r.status = std::string(f[2]);
    if (f.size() > 4) r.message = std::string(f[4]);
    reports[r.index] = std::move(r);
  }
  return reports;
}

// Why the candidate is gone, from its own run when it ended by itself.
void CandidateGone(const PairResult& pair, std::string_view what, TestDetail* d) {
  d->skipped = false;
  d->passed = false;
  d->verdict = Verdict::kRuntimeError;
  d->message = std::string(what);
  if (pair.hello_timeout) {
    d->verdict = Verdict::kTimeLimit;
    d->message = "the candidate did not load within the time limit";
  } else if (pair.candidate_ended && pair.candidate.status != RunStatus::kOk) {
    d->verdict = FromRunStatus(pair.candidate.status);
    d->message = absl::StrCat(std::string(what), ": ", pair.candidate.detail);
    std::string tail = LastLine(pair.candidate.stderr_data);
    if (!tail.empty()) absl::StrAppend(&d->message, ": ", tail);
  } else if (pair.candidate_ended) {
    absl::StrAppend(&d->message, " (exit code 0)");
  }
}

// A test's verdict from the harness's report of it.
void ApplyReport(const Report& r, const PairResult& pair, TestDetail* d) {
  d->skipped = false;
  d->wall_ms = r.ms;
  d->passed = r.status == "PASS" && pair.harness.status == RunStatus::kOk;
  d->message = r.message;
  if (d->passed) {
    d->verdict = Verdict::kCorrect;
  } else if (r.status == "WRONG") {
    d->verdict = Verdict::kWrongAnswer;
  } else if (r.status == "TIMEOUT") {
    d->verdict = Verdict::kTimeLimit;
  } else if (r.status == "DIED") {
    CandidateGone(pair, r.message, d);
  } else {
    d->verdict = r.message == "MemoryError" ? Verdict::kMemoryLimit : Verdict::kRuntimeError;
  }
}

// A test the harness did not report: the harness's own run says why.
void HarnessFailed(const PairResult& pair, TestDetail* d) {
  d->skipped = false;
  d->passed = false;
  d->verdict = FromRunStatus(pair.harness.status);
  if (d->verdict == Verdict::kCorrect) d->verdict = Verdict::kRuntimeError;
  d->message =
      absl::StrCat("harness: ", pair.harness.detail.empty() ? "no report" : pair.harness.detail);
  std::string tail = LastLine(pair.harness.stderr_data);
  if (!tail.empty()) absl::StrAppend(&d->message, ": ", tail);
}

// Whether the harness must make itself non-dumpable: unless each run has a uid of its own or a
// pid namespace of its own, the candidate could read the harness's memory through /proc.
bool NeedsNoDump(sandbox::Runner& runner) {
  for (const std::string& layer : runner.Info().active_layers) {
    if (absl::StartsWith(layer, "uid_drop") || absl::StartsWith(layer, "pid_namespace")) {
      return false;
    }
  }
  return true;
}

// The limits of a pair's runs: `candidate_cpu_ms` is the test's CPU budget; the harness bounds
// the test's time itself (from the candidate's hello), so both runs' wall limits are backstops
// (`harness_wall_ms` plus a slot wait), and the pair stops the candidate when the harness ends.
void SetPairLimits(const sandbox::RunLimits& limits, int64_t candidate_cpu_ms,
                   int64_t harness_wall_ms, int64_t harness_cpu_ms, RunRequest* candidate,
                   RunRequest* harness) {
  candidate->limits = limits;
  candidate->limits.cpu_ms = candidate_cpu_ms;
  candidate->limits.wall_ms = limits.wall_ms + harness_wall_ms + 600000;
  harness->limits = limits;
  harness->limits.wall_ms = candidate->limits.wall_ms;
  harness->limits.cpu_ms = harness_cpu_ms;
}

// The two runs of a pair: the candidate server beside the solution (`solution` plus the
// source's extension: solution.py, solution.js), the harness beside the test code.
// `candidate_cpu_ms` is the test's CPU budget; the harness bounds the test's time itself (from
// the candidate's hello), so both runs' wall limits are backstops (`harness_wall_ms` plus a slot
// wait), and the pair stops the candidate when the harness ends. `pyc`: Python's precompiled
// programs, or null.
void PairRequests(const Toolchain& tc, const PairPrograms& p, const PythonPairBytecode* pyc,
                  std::string_view code, const sandbox::RunLimits& limits, int64_t candidate_cpu_ms,
                  int64_t harness_wall_ms, int64_t harness_cpu_ms, RunRequest* candidate,
                  RunRequest* harness) {
  candidate->argv = sandbox::ExpandArgv(tc.run_argv, tc, "");
  candidate->files = {{tc.source_name, p.candidate_source, false}};
  harness->files = {{tc.source_name, p.harness_source, false}};
  if (pyc != nullptr && tc.source_name == "main.py") {
    candidate->files = pyc->candidate;
    harness->files = pyc->harness;
  }
  const size_t dot = tc.source_name.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : tc.source_name.substr(dot);
  candidate->files.push_back({"solution" + ext, std::string(code), false});
  harness->argv = candidate->argv;
  if (!p.test_file.empty()) harness->files.push_back({"test" + ext, p.test_file, false});
  harness->stdin_data = p.harness_stdin;
  SetPairLimits(limits, candidate_cpu_ms, harness_wall_ms, harness_cpu_ms, candidate, harness);
}

// kCallBased, Python or JavaScript: one harness pair for all cases.
absl::Status JudgeCallBased(const CodeReference& ref, const Toolchain& tc, std::string_view code,
                            const JudgeOptions& options, sandbox::Runner& runner,
                            const sandbox::CancelFlag* cancel, CodeVerdict* v) {
  const bool js = tc.name == "javascript";
  if (tc.name != "python3" && !js) {
    return absl::InvalidArgumentError("call-based tests are supported for Python and JavaScript");
  }
  const std::string nonce = NewNonce();
  const bool stop = options.all_pass && options.early_stop;
  const int64_t n = static_cast<int64_t>(ref.tests.size());
  absl::StatusOr<PairPrograms> p =
      js ? BuildJsCallPair(ref.fn_name, ref.tests, ref.limits.wall_ms, stop, nonce)
         : BuildPythonCallPair(ref.fn_name, ref.tests, ref.limits.wall_ms, stop, nonce,
                               NeedsNoDump(runner));
  if (!p.ok()) return p.status();
  RunRequest candidate, harness;
  PairRequests(tc, *p, js ? nullptr : PrecompiledPythonPair(runner, tc.run_argv), code,
               Limits(ref, tc), ref.limits.cpu_ms * n + 1000,
               (ref.limits.wall_ms + 1000) * n + 2000, ref.limits.cpu_ms * n + 1000, &candidate,
               &harness);
  PairOptions po;
  po.hello_wait_ms = ref.limits.wall_ms;
  po.harness_nonblocking = js;
  po.candidate_channel_fds = js;
  absl::StatusOr<PairResult> pair = RunHarnessPair(runner, candidate, harness, po, cancel);
  if (!pair.ok()) return pair.status();
  if (!pair->harness_ran) {
    CandidateGone(*pair, "the candidate exited while loading", &v->tests[0]);
    return absl::OkStatus();
  }
  std::vector<std::optional<Report>> reports = ParseReports(pair->harness.stdout_data, nonce, n);
  for (int64_t i = 0; i < n; ++i) {
    if (reports[i].has_value()) {
      ApplyReport(*reports[i], *pair, &v->tests[i]);
    } else if (pair->harness.status != RunStatus::kOk) {
      HarnessFailed(*pair, &v->tests[i]);  // the case it was in when it ended
      break;
    }
  }
  return absl::OkStatus();
}

// Runs the pair of one assert test and judges it from the harness's report.
absl::Status RunAssertPair(sandbox::Runner& runner, const RunRequest& candidate,
                           const RunRequest& harness, const PairOptions& po, std::string_view nonce,
                           const sandbox::CancelFlag* cancel, TestDetail* d) {
  absl::StatusOr<PairResult> pair = RunHarnessPair(runner, candidate, harness, po, cancel);
  if (!pair.ok()) return pair.status();
  if (pair->candidate_ended) {
    d->cpu_ms = pair->candidate.cpu_ms;
    d->peak_memory_bytes = pair->candidate.peak_memory_bytes;
  }
  if (!pair->harness_ran) {
    CandidateGone(*pair, "the candidate exited while loading", d);
    return absl::OkStatus();
  }
  std::vector<std::optional<Report>> reports = ParseReports(pair->harness.stdout_data, nonce, 1);
  if (reports[0].has_value()) {
    ApplyReport(*reports[0], *pair, d);
  } else {
    HarnessFailed(*pair, d);
  }
  return absl::OkStatus();
}

// kAssert, Python or JavaScript: one harness pair for one test.
absl::Status JudgeAssertPair(const CodeReference& ref, const Toolchain& tc, std::string_view code,
                             const TestCase& test, sandbox::Runner& runner,
                             const sandbox::CancelFlag* cancel, TestDetail* d) {
  const std::string nonce = NewNonce();
  const bool js = tc.name == "javascript";
  PairPrograms p =
      js ? BuildJsAssertPair(test.input, nonce, ref.limits.wall_ms)
         : BuildPythonAssertPair(test.input, nonce, ref.limits.wall_ms, NeedsNoDump(runner));
  RunRequest candidate, harness;
  PairRequests(tc, p, js ? nullptr : PrecompiledPythonPair(runner, tc.run_argv), code,
               Limits(ref, tc), ref.limits.cpu_ms, ref.limits.wall_ms + 1000,
               ref.limits.cpu_ms + 1000, &candidate, &harness);
  PairOptions po;
  po.hello_wait_ms = ref.limits.wall_ms;
  po.harness_nonblocking = js;
  po.candidate_channel_fds = js;
  return RunAssertPair(runner, candidate, harness, po, nonce, cancel, d);
}

// kAssert, C and C++: one pair of compiled programs per test (BuildCAssertPair,
// BuildCppAssertPair), compiled already.
absl::Status JudgeCppAssertPair(const CodeReference& ref, const Toolchain& tc,
                                const Prepared& candidate_program, const Prepared& harness_program,
                                sandbox::Runner& runner, const sandbox::CancelFlag* cancel,
                                TestDetail* d) {
  const std::string nonce = NewNonce();
  RunRequest candidate = candidate_program.base, harness = harness_program.base;
  harness.stdin_data = nonce + "\n";
  SetPairLimits(Limits(ref, tc), ref.limits.cpu_ms, ref.limits.wall_ms + 1000,
                ref.limits.cpu_ms + 1000, &candidate, &harness);
  PairOptions po;
  po.hello_wait_ms = ref.limits.wall_ms;
  po.candidate_channel_fds = true;
  return RunAssertPair(runner, candidate, harness, po, nonce, cancel, d);
}

CodeVerdict Summarise(CodeVerdict v, const JudgeOptions& options);

// The verdict of a program that does not compile.
CodeVerdict CompileErrorVerdict(CodeVerdict v, int tests, const Prepared& p,
                                std::string_view what) {
  v.verdict = Verdict::kCompileError;
  v.compile_output = p.diagnostics;
  v.total = tests;
  v.reason = absl::StrCat(std::string(what), "compile error: ", FirstErrorLine(p.diagnostics));
  return v;
}

// kAssert, C and C++: per test, the candidate's program and the harness's (BuildCAssertPair,
// BuildCppAssertPair). A function the harness cannot forward fails the test (never the
// one-process program: a candidate could choose such a signature to get it).
absl::StatusOr<CodeVerdict> JudgeCompiledAssert(const CodeReference& ref, const Toolchain& tc,
                                                std::string_view code, const JudgeOptions& options,
                                                sandbox::Runner& runner,
                                                const sandbox::CancelFlag* cancel, CodeVerdict v) {
  const int n = static_cast<int>(ref.tests.size());
  std::vector<std::optional<std::pair<Prepared, Prepared>>> programs(n);
  const bool c = tc.name == "c";
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<CppPairSources> src =
        c ? BuildCAssertPair(code, ref.tests[i].input, ref.limits.wall_ms)
          : BuildCppAssertPair(code, ref.tests[i].input, ref.limits.wall_ms);
    if (!src.ok()) {
      v.tests[i].skipped = false;
      v.tests[i].message = std::string(src.status().message());
      continue;
    }
    sandbox::CompileExtras candidate_extras;
    candidate_extras.prelude = std::move(src->candidate_prelude);
    candidate_extras.prelude_name = c ? "verdict_c_wire.h" : "verdict_wire.h";
    absl::StatusOr<Prepared> cand =
        Prepare(tc, src->candidate, options, runner, cancel, candidate_extras);
    if (!cand.ok()) return cand.status();
    v.compile_cache_hit = cand->cache_hit;
    if (cand->compile_error) return CompileErrorVerdict(std::move(v), n, *cand, "");
    // The harness's binary holds the test's expected values: private (never where a candidate
    // could read it), and cached per test and set of the solution's headers and signatures.
    sandbox::CompileExtras harness_extras;
    harness_extras.private_binary = true;
    harness_extras.prelude = std::move(src->harness_prelude);
    harness_extras.prelude_name = c ? "verdict_c_wire_harness.h" : "verdict_wire_harness.h";
    absl::StatusOr<Prepared> h = Prepare(tc, src->harness, options, runner, cancel, harness_extras);
    if (!h.ok()) return h.status();
    if (h->compile_error) {
      return CompileErrorVerdict(std::move(v), n, *h, "the test against the solution: ");
    }
    programs[i].emplace(*std::move(cand), *std::move(h));
  }
  absl::Status error = JudgeTests(n, options, v.tests, [&](int i) {
    if (!programs[i].has_value()) return absl::OkStatus();
    return JudgeCppAssertPair(ref, tc, programs[i]->first, programs[i]->second, runner, cancel,
                              &v.tests[i]);
  });
  if (!error.ok()) return error;
  return Summarise(std::move(v), options);
}

CodeVerdict Summarise(CodeVerdict v, const JudgeOptions& options) {
  v.total = static_cast<int>(v.tests.size());
  v.passed = 0;
  const TestDetail* first_fail = nullptr;
  for (const TestDetail& d : v.tests) {
    if (d.passed) ++v.passed;
    if (!d.passed && !d.skipped && first_fail == nullptr) first_fail = &d;
  }
  v.pass_fraction = v.total ? static_cast<double>(v.passed) / v.total : 0;
  if (v.passed == v.total) {
    v.verdict = Verdict::kCorrect;
    v.reason = absl::StrCat("all ", v.total, " tests passed");
  } else if (!options.all_pass && v.passed > 0) {
    v.verdict = Verdict::kPartial;
    v.reason = absl::StrCat(v.passed, "/", v.total, " tests passed");
  } else {
    v.verdict = first_fail ? first_fail->verdict : Verdict::kRuntimeError;
    v.reason = first_fail ? absl::StrCat("test ", first_fail->index, ": ",
                                         std::string(VerdictName(first_fail->verdict)), ": ",
                                         first_fail->message)
                          : "no test ran";
  }
  v.accuracy = options.all_pass ? (v.verdict == Verdict::kCorrect ? 1.0 : 0.0) : v.pass_fraction;
  return v;
}

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kCorrect: return "correct";
    case Verdict::kWrongAnswer: return "wrong_answer";
    case Verdict::kPartial: return "partial";
    case Verdict::kNoCode: return "no_code";
    case Verdict::kCompileError: return "compile_error";
    case Verdict::kRuntimeError: return "runtime_error";
    case Verdict::kTimeLimit: return "time_limit";
    case Verdict::kMemoryLimit: return "memory_limit";
    case Verdict::kOutputLimit: return "output_limit";
  }
  return "unknown";
}

absl::StatusOr<CodeVerdict> JudgeProgram(const CodeReference& ref, std::string_view code,
                                         sandbox::Runner& runner, const JudgeOptions& options,
                                         const sandbox::CancelFlag* cancel) {
  const std::vector<Toolchain>& toolchains = Toolchains(options);
  const Toolchain* tc = sandbox::FindToolchain(toolchains, ref.language);
  if (tc == nullptr)
    return absl::InvalidArgumentError(absl::StrCat("unknown language ", ref.language));
  if (ref.tests.empty()) return absl::InvalidArgumentError("reference has no tests");
  CodeVerdict v;
  v.extracted_code = std::string(code);
  v.tests.resize(ref.tests.size());
  for (size_t i = 0; i < v.tests.size(); ++i) {
    v.tests[i].index = static_cast<int>(i);
    v.tests[i].skipped = true;
    v.tests[i].verdict = Verdict::kRuntimeError;
  }
  if (ref.shape == TestShape::kCallBased) {
    absl::Status s = JudgeCallBased(ref, *tc, code, options, runner, cancel, &v);
    if (!s.ok()) return s;
    return Summarise(std::move(v), options);
  }
  // Python and JavaScript assert tests: a harness pair per test (the test code never shares a
  // process with the candidate).
  if (ref.shape == TestShape::kAssert && (tc->name == "python3" || tc->name == "javascript")) {
    absl::Status error =
        JudgeTests(static_cast<int>(ref.tests.size()), options, v.tests, [&](int i) {
          return JudgeAssertPair(ref, *tc, code, ref.tests[i], runner, cancel, &v.tests[i]);
        });
    if (!error.ok()) return error;
    return Summarise(std::move(v), options);
  }
  // C and C++ assert tests: two programs per test, the candidate's and the test's.
  if (ref.shape == TestShape::kAssert && (tc->name == "c" || absl::StartsWith(tc->name, "cpp"))) {
    return JudgeCompiledAssert(ref, *tc, code, options, runner, cancel, std::move(v));
  }
  // Stdio: one program for all tests. Assert in a language without a harness pair (a toolchain
  // of the caller's): one program per test, solution and test code, passing on exit code 0.
  const bool per_test_program = ref.shape == TestShape::kAssert;
  std::vector<Prepared> programs(per_test_program ? ref.tests.size() : 1);
  for (size_t i = 0; i < programs.size(); ++i) {
    const std::string src =
        per_test_program ? BuildAssertProgram(code, ref.tests[i].input) : std::string(code);
    absl::StatusOr<Prepared> p = Prepare(*tc, src, options, runner, cancel);
    if (!p.ok()) return p.status();
    v.compile_cache_hit = p->cache_hit;
    if (p->compile_error) {
      return CompileErrorVerdict(std::move(v), static_cast<int>(ref.tests.size()), *p, "");
    }
    programs[i] = *std::move(p);
  }
  absl::Status error = JudgeTests(static_cast<int>(ref.tests.size()), options, v.tests, [&](int i) {
    const TestCase& test = ref.tests[i];
    RunRequest req = programs[per_test_program ? i : 0].base;
    if (!per_test_program) req.stdin_data = test.input;
    req.limits = Limits(ref, *tc);
    absl::StatusOr<RunResult> run = runner.Run(req, cancel);
    TestDetail& d = v.tests[i];
    absl::Status s = run.status();
    if (run.ok()) {
      d.skipped = false;
      FillFromRun(*run, &d);
      if (run->status != RunStatus::kOk) {
        d.verdict = FromRunStatus(run->status);
        d.message = run->detail;
        if (per_test_program && d.verdict == Verdict::kRuntimeError &&
            (absl::StrContains(run->stderr_data, "AssertionError") ||
             absl::StrContains(run->stderr_data, "Assertion"))) {
          d.verdict = Verdict::kWrongAnswer;  // a failed test assertion is a wrong answer
        }
        std::string tail = LastLine(run->stderr_data);
        if (!tail.empty()) d.message = absl::StrCat(d.message, ": ", tail);
      } else if (per_test_program) {
        d.passed = true;
        d.verdict = Verdict::kCorrect;
      } else {
        s = CheckStdio(ref, test, *run, toolchains, options, runner, cancel, &d);
      }
    }
    return s;
  });
  if (!error.ok()) return error;
  return Summarise(std::move(v), options);
}

absl::StatusOr<CodeVerdict> JudgeCompletion(const CodeReference& ref, std::string_view completion,
                                            sandbox::Runner& runner, const JudgeOptions& options,
                                            const sandbox::CancelFlag* cancel) {
  const Toolchain* tc = sandbox::FindToolchain(Toolchains(options), ref.language);
  if (tc == nullptr)
    return absl::InvalidArgumentError(absl::StrCat("unknown language ", ref.language));
  ExtractOptions extract = options.extract;
  if (extract.languages.empty()) {
    extract.languages = tc->aliases;
    extract.languages.push_back(tc->name);
    if (absl::StartsWith(tc->name, "cpp")) {
      for (const char* a : {"cpp", "c++", "cc", "cxx"}) extract.languages.push_back(a);
    }
  }
  std::optional<std::string> code = ExtractCode(completion, extract);
  if (!code.has_value()) {
    CodeVerdict v;
    v.verdict = Verdict::kNoCode;
    v.total = static_cast<int>(ref.tests.size());
    v.reason = absl::StrCat("no ", tc->name, " code block in the completion");
    return v;
  }
  return JudgeProgram(ref, *code, runner, options, cancel);
}

std::vector<absl::StatusOr<CodeVerdict>> JudgeGroup(const CodeReference& ref,
                                                    absl::Span<const std::string> completions,
                                                    sandbox::Runner& runner,
                                                    const JudgeOptions& options,
                                                    const sandbox::CancelFlag* cancel) {
  std::vector<absl::StatusOr<CodeVerdict>> out(completions.size(),
                                               absl::InternalError("not judged"));
  // Judge the first completion of each distinct extracted program; copy to the others.
  absl::flat_hash_map<std::string, size_t> first;
  std::vector<size_t> source(completions.size());
  std::vector<size_t> unique;
  const Toolchain* tc = sandbox::FindToolchain(Toolchains(options), ref.language);
  for (size_t i = 0; i < completions.size(); ++i) {
    std::string key = completions[i];
    if (tc != nullptr) {
      ExtractOptions e = options.extract;
      if (e.languages.empty()) e.languages = tc->aliases;
      key = ExtractCode(completions[i], e).value_or(completions[i]);
    }
    auto [it, inserted] = first.emplace(std::move(key), i);
    source[i] = it->second;
    if (inserted) unique.push_back(i);
  }
  std::atomic<bool> never{false};
  ParallelFor(static_cast<int>(unique.size()), std::max(1, options.parallelism), never, [&](int k) {
    size_t i = unique[k];
    out[i] = JudgeCompletion(ref, completions[i], runner, options, cancel);
  });
  for (size_t i = 0; i < completions.size(); ++i) {
    if (source[i] != i) out[i] = out[source[i]];
  }
  return out;
}

}  // namespace verdict::code
