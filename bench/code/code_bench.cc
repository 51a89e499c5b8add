// code_bench: ratios measured in one run on this machine.
//  1. sandbox overhead: LinuxRunner::Run vs bare posix_spawn+waitpid, for a tiny C++ binary and
//     `python3 -S -c pass` (median of N runs each), and the C++ run again from a process
//     holding 1 GiB resident (a loaded server; the launcher forked at start keeps it flat);
//  2. compile cache: a bits/stdc++.h solution compiled (miss) vs served from the cache (hit);
//  3. throughput: 64 distinct Python solutions x 10 stdin tests, judged with JudgeGroup on all
//     cores (test runs per second);
//  4. the trusted harness (issue 15): a Python and a JavaScript assert test run the old way
//     (solution + test code in one sandboxed process, pass = exit 0) vs the harness pair
//     (candidate server + harness, two sandboxed processes), one test at a time (median) and 64
//     solutions x 4 tests on all cores; and a C++ assert test the old way (one binary with
//     an end marker, BuildCppAssertProgram) vs the C++ harness pair (two binaries): compile
//     misses of new solutions of one problem, then runs one at a time (cache hits + runs); the
//     same for a C assert test (the old way: solution + test code as one binary, pass = exit 0,
//     which costs what the end-marker program did less a read of the nonce).
// Usage: code_bench [runs=200] [harness|cpp|c]   ("harness": section 4 only; "cpp" and "c": its
// C++ or C part)
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sandbox/compile_cache.h"
#include "sandbox/linux_runner.h"
#include "sandbox/toolchain.h"
#include "verifier/code/c_harness.h"
#include "verifier/code/cpp_harness.h"
#include "verifier/code/harness.h"
#include "verifier/code/judge.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}
double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double BareSpawnMs(const std::vector<std::string>& argv, int runs) {
  std::vector<char*> a;
  for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto s = Clock::now();
    pid_t pid;
    if (posix_spawn(&pid, a[0], nullptr, nullptr, a.data(), environ) != 0) return -1;
    waitpid(pid, nullptr, 0);
    t.push_back(Ms(s, Clock::now()));
  }
  return Median(t);
}

double SandboxMs(verdict::sandbox::Runner& r, const std::vector<std::string>& argv, int runs) {
  verdict::sandbox::RunRequest req;
  req.argv = argv;
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto s = Clock::now();
    auto res = r.Run(req, nullptr);
    if (!res.ok() || res->status != verdict::sandbox::RunStatus::kOk) return -1;
    t.push_back(Ms(s, Clock::now()));
  }
  return Median(t);
}

// Section 4 for one language: `test` against `solution` the old way (solution + test code in
// one sandboxed process, pass = exit 0) vs the harness pair (JudgeProgram), one test at a time
// (median) and 64 solutions x 4 tests on `cores` threads. False when a run failed.
bool HarnessSection(verdict::sandbox::Runner& runner,
                    const std::vector<verdict::sandbox::Toolchain>& table, const char* lang,
                    const std::string& solution, const std::string& test, const char* comment,
                    int runs, int cores) {
  using namespace verdict;
  const sandbox::Toolchain* tc = sandbox::FindToolchain(table, lang);
  if (tc == nullptr) return false;
  sandbox::RunRequest old_req;
  old_req.argv = sandbox::ExpandArgv(tc->run_argv, *tc, "");
  old_req.files = {{tc->source_name, code::BuildAssertProgram(solution, test), false}};
  old_req.limits.memory_bytes = std::max(old_req.limits.memory_bytes, tc->min_memory_bytes);
  code::CodeReference aref;
  aref.language = lang;
  aref.shape = code::TestShape::kAssert;
  aref.tests = {{test, ""}};
  const int n = runs / 4 + 1;
  std::vector<double> old_ms, new_ms;
  for (int i = 0; i < n; ++i) {
    auto t = Clock::now();
    auto r = runner.Run(old_req, nullptr);
    if (!r.ok() || r->status != sandbox::RunStatus::kOk) return false;
    old_ms.push_back(Ms(t, Clock::now()));
    t = Clock::now();
    auto v = code::JudgeProgram(aref, solution, runner, {}, nullptr);
    if (!v.ok() || v->verdict != code::Verdict::kCorrect) return false;
    new_ms.push_back(Ms(t, Clock::now()));
  }
  printf(
      "harness   %s assert test, one at a time: one process %.2f ms  harness pair %.2f "
      "ms  (+%.2f ms, %.2fx)\n",
      lang, Median(old_ms), Median(new_ms), Median(new_ms) - Median(old_ms),
      Median(new_ms) / Median(old_ms));
  // Throughput: 64 solutions x 4 tests; the old way as 256 single runs on `cores` threads.
  for (int t = 0; t < 3; ++t) aref.tests.push_back({test, ""});
  std::vector<std::string> sols;
  for (int i = 0; i < 64; ++i) sols.push_back(absl::StrCat(comment, i, "\n", solution));
  std::atomic<int> next{0}, ok{0};
  auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int c = 0; c < cores; ++c) {
    pool.emplace_back([&] {
      for (int i; (i = next.fetch_add(1)) < 256;) {
        sandbox::RunRequest r = old_req;
        r.files[0].content = code::BuildAssertProgram(sols[i / 4], test);
        auto res = runner.Run(r, nullptr);
        ok += res.ok() && res->status == sandbox::RunStatus::kOk;
      }
    });
  }
  for (auto& th : pool) th.join();
  const double old_total = Ms(t0, Clock::now());
  std::vector<std::string> group;
  const std::string fence = tc->name == "python3" ? "```python\n" : "```javascript\n";
  for (auto& s : sols) group.push_back(fence + s + "```\n");
  // A pair spends much of its time waiting on the other process: JudgeOptions::parallelism
  // (completions and tests in flight) = cores, as the one-process runs, and twice that.
  for (int par : {cores, 2 * cores}) {
    code::JudgeOptions o;
    o.parallelism = par;
    t0 = Clock::now();
    auto out = code::JudgeGroup(aref, group, runner, o, nullptr);
    const double new_total = Ms(t0, Clock::now());
    int correct = 0;
    for (auto& v : out) correct += v.ok() && v->verdict == code::Verdict::kCorrect;
    printf(
        "harness   %s assert 64 solutions x 4 tests on %d cores: one process %.0f test "
        "runs/s (%d/256 ok)  harness pair (parallelism %d) %.0f test runs/s (%d/64 correct)  "
        "(%.2fx)\n",
        lang, cores, 256 / (old_total / 1000), ok.load(), par, 256 / (new_total / 1000), correct,
        new_total / old_total);
  }
  return true;
}

// Section 4 for C++ (`lang` "cpp17") or C ("c"): the old one-binary program vs the harness pair
// (JudgeProgram: two compile-cache lookups and two runs). Compile misses for `kSolutions`
// distinct solutions of one problem (a comment makes each new): the old program once per
// solution; the pair's first solution builds the serialiser's precompiled headers and the
// harness, later ones compile only the candidate (the harness is a hit: same test, headers and
// signatures). Then per-test medians. False when a run failed.
bool CompiledHarnessSection(verdict::sandbox::Runner& runner, verdict::sandbox::CompileCache& cache,
                            const std::vector<verdict::sandbox::Toolchain>& table,
                            const std::string& lang, int runs) {
  using namespace verdict;
  const sandbox::Toolchain* tc = sandbox::FindToolchain(table, lang);
  if (tc == nullptr) return false;
  const bool c = lang == "c";
  auto solution = [c](int k) {
    if (c) {
      return absl::StrCat(
          "#include <string.h>\n// bench ", getpid(), " ", k,
          "\nint add(int a, int b) { return a + b; }\n"
          "int sum(const int* a, int n) { int s = 0; for (int i = 0; i < n; ++i) s += a[i]; "
          "return s; }\n"
          "void reverse(char* s) { size_t n = strlen(s); for (size_t i = 0; i < n / 2; ++i) { "
          "char t = s[i]; s[i] = s[n - 1 - i]; s[n - 1 - i] = t; } }\n");
    }
    return absl::StrCat(
        "#include <vector>\nusing namespace std;\n// bench ", getpid(), " ", k,
        "\nint add(int a, int b) { return a + b; }\n"
        "vector<int> twice(const vector<int>& v) { vector<int> r = v; r.insert(r.end(), "
        "v.begin(), v.end()); return r; }\n");
  };
  const std::string test =
      c ? "#undef NDEBUG\n#include <assert.h>\n#include <string.h>\nint main(void) {\n"
          "  assert(add(1, 2) == 3);\n  int a[] = {1, 2, 3};\n  assert(sum(a, 3) == 6);\n"
          "  char s[] = \"abc\";\n  reverse(s);\n  assert(strcmp(s, \"cba\") == 0);\n"
          "  return 0;\n}\n"
        : "#undef NDEBUG\n#include <cassert>\nint main() {\n  assert(add(1, 2) == 3);\n"
          "  assert(twice({1, 2}) == vector<int>({1, 2, 1, 2}));\n}\n";
  auto old_program = [&](int k) {
    return c ? code::BuildAssertProgram(solution(k), test)
             : code::BuildCppAssertProgram(solution(k), test).source;
  };
  constexpr int kSolutions = 6;
  std::vector<double> old_compile, new_compile;
  double first_pair = 0;
  for (int k = 0; k < kSolutions; ++k) {
    auto t = Clock::now();
    auto old_bin = cache.Compile(*tc, old_program(k), runner, nullptr);
    old_compile.push_back(Ms(t, Clock::now()));
    if (!old_bin.ok() || !old_bin->ok) return false;
    t = Clock::now();
    auto pair = c ? code::BuildCAssertPair(solution(k), test, 10000)
                  : code::BuildCppAssertPair(solution(k), test, 10000);
    if (!pair.ok()) return false;
    sandbox::CompileExtras ce, he;
    ce.prelude = pair->candidate_prelude;
    ce.prelude_name = c ? "verdict_c_wire.h" : "verdict_wire.h";
    he.prelude = pair->harness_prelude;
    he.prelude_name = c ? "verdict_c_wire_harness.h" : "verdict_wire_harness.h";
    he.private_binary = true;
    auto c_bin = cache.Compile(*tc, pair->candidate, runner, nullptr, ce);
    auto h_bin = cache.Compile(*tc, pair->harness, runner, nullptr, he);
    if (!c_bin.ok() || !c_bin->ok || !h_bin.ok() || !h_bin->ok) return false;
    if (k == 0) {
      first_pair = Ms(t, Clock::now());
    } else {
      if (!h_bin->cache_hit) return false;
      new_compile.push_back(Ms(t, Clock::now()));
    }
  }
  const std::string old_src = old_program(0);
  code::CodeReference aref;
  aref.language = lang;
  aref.shape = code::TestShape::kAssert;
  aref.tests = {{test, ""}};
  code::JudgeOptions o;
  o.compile_cache = &cache;
  std::vector<double> old_ms, new_ms;
  for (int i = 0; i < runs / 4 + 1; ++i) {
    auto t = Clock::now();
    auto hit = cache.Compile(*tc, old_src, runner, nullptr);
    sandbox::RunRequest req;
    req.argv = sandbox::ExpandArgv(tc->run_argv, *tc, hit->binary_path);
    req.stdin_data = "V123\n";
    auto r = runner.Run(req, nullptr);
    if (!r.ok() || r->status != sandbox::RunStatus::kOk) return false;
    old_ms.push_back(Ms(t, Clock::now()));
    t = Clock::now();
    auto v = code::JudgeProgram(aref, solution(0), runner, o, nullptr);
    if (!v.ok() || v->verdict != code::Verdict::kCorrect) return false;
    new_ms.push_back(Ms(t, Clock::now()));
  }
  printf(
      "harness   %s assert test: compile a new solution (miss, median of %d): one binary "
      "%.0f ms  harness pair %.0f ms (%.2fx; the problem's first solution %.0f ms, its harness "
      "and serialiser included)\n",
      lang.c_str(), kSolutions - 1, Median(old_compile), Median(new_compile),
      Median(new_compile) / Median(old_compile), first_pair);
  printf(
      "harness   %s assert test, one at a time (cache hits + runs): one binary %.2f ms  "
      "harness pair %.2f ms  (+%.2f ms, %.2fx)\n",
      lang.c_str(), Median(old_ms), Median(new_ms), Median(new_ms) - Median(old_ms),
      Median(new_ms) / Median(old_ms));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace verdict;
  const int runs = argc > 1 ? atoi(argv[1]) : 200;
  const std::string section = argc > 2 ? argv[2] : "";
  const bool harness_only = section == "harness" || section == "cpp" || section == "c";
  // First, as a server's main() does: the launcher is a copy of this process as it is now.
  if (absl::Status s = sandbox::StartSandboxLauncher(); !s.ok()) {
    fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  sandbox::LinuxRunnerOptions ro;
  ro.work_root = "/tmp/verdict-bench";
  ro.first_uid = 65000;
  ro.max_parallel_runs = 16;
  auto runner = sandbox::CreateLinuxRunner(ro);
  if (!runner.ok()) {
    fprintf(stderr, "%s\n", runner.status().ToString().c_str());
    return 1;
  }
  printf("layers:");
  for (auto& l : (*runner)->Info().active_layers) printf(" %s", l.c_str());
  printf("\n");

  sandbox::CompileCacheOptions co;
  co.dir = "/tmp/verdict-bench-cache";
  auto cache = sandbox::CompileCache::Create(co).value();
  auto table = sandbox::DefaultToolchains();
  const sandbox::Toolchain* cpp = sandbox::FindToolchain(table, "cpp17");
  const std::string tiny = "int main(){return 0;}\n";
  auto bin = cache->Compile(*cpp, tiny, **runner, nullptr);
  if (!bin.ok() || !bin->ok) return 1;

  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (!harness_only) {
    // 1. overhead.
    double bare_cpp = BareSpawnMs({bin->binary_path}, runs);
    double sb_cpp = SandboxMs(**runner, {bin->binary_path}, runs);
    std::vector<std::string> py = {"/usr/bin/python3", "-S", "-c", "pass"};
    double bare_py = BareSpawnMs(py, runs / 4 + 1);
    double sb_py = SandboxMs(**runner, py, runs / 4 + 1);
    printf("overhead  C++ binary : bare %.2f ms  sandbox %.2f ms  (+%.2f ms, %.2fx)\n", bare_cpp,
           sb_cpp, sb_cpp - bare_cpp, sb_cpp / bare_cpp);
    printf("overhead  python3 -S : bare %.2f ms  sandbox %.2f ms  (+%.2f ms, %.2fx)\n", bare_py,
           sb_py, sb_py - bare_py, sb_py / bare_py);
    {
      // The same spawn from a server holding 1 GiB resident: the launcher, forked before the
      // ballast, does the forking, so the server's page tables are never copied.
      std::vector<char> ballast(size_t{1} << 30);
      for (size_t i = 0; i < ballast.size(); i += 4096) ballast[i] = 1;
      double big = SandboxMs(**runner, {bin->binary_path}, runs);
      printf(
          "overhead  C++ binary, server holding 1 GiB resident: sandbox %.2f ms (%.2fx the small "
          "server's)\n",
          big, big / sb_cpp);
    }

    // 2. compile cache.
    const std::string sol =
        "#include <bits/stdc++.h>\nusing namespace std;\nint main(){int n;cin>>n;vector<long long>"
        "v(n);for(auto&x:v)cin>>x;sort(v.begin(),v.end());map<long long,int>c;for(auto x:v)c[x]++;"
        "long long best=0;for(auto&[k,x]:c)best=max<long long>(best,x);cout<<best<<endl;}\n";
    auto s = Clock::now();
    auto miss = cache->Compile(*cpp, sol, **runner, nullptr);
    double miss_ms = Ms(s, Clock::now());
    s = Clock::now();
    const int hits = 1000;
    for (int i = 0; i < hits; ++i) (void)cache->Compile(*cpp, sol, **runner, nullptr);
    double hit_ms = Ms(s, Clock::now()) / hits;
    printf(
        "compile   bits/stdc++ g++ -O2: first miss (builds the PCH) %.0f ms  hit %.4f ms  speedup "
        "%.0fx  (hits %lld misses %lld)\n",
        miss_ms, hit_ms, miss_ms / hit_ms, static_cast<long long>(cache->stats().hits),
        static_cast<long long>(cache->stats().misses));
    (void)miss;
    // Precompiled bits/stdc++.h: a new source after the header is built, with and without it.
    sandbox::Toolchain no_pch = *cpp;
    no_pch.pch_header.clear();
    s = Clock::now();
    (void)cache->Compile(*cpp, sol + "// variant 1\n", **runner, nullptr);
    double with_pch_ms = Ms(s, Clock::now());
    s = Clock::now();
    (void)cache->Compile(no_pch, sol + "// variant 2\n", **runner, nullptr);
    double without_pch_ms = Ms(s, Clock::now());
    printf("compile   new source, precompiled bits/stdc++.h: %.0f ms  without: %.0f ms  (%.2fx)\n",
           with_pch_ms, without_pch_ms, without_pch_ms / with_pch_ms);

    // 3. throughput: 64 distinct solutions x 10 tests.
    code::CodeReference ref;
    for (int t = 0; t < 10; ++t)
      ref.tests.push_back({absl::StrCat(t, " ", t * 3, "\n"), absl::StrCat(t * 4, "\n")});
    std::vector<std::string> group;
    for (int i = 0; i < 64; ++i) {
      group.push_back(absl::StrCat("```python\n# solution ", i,
                                   "\na, b = map(int, input().split())\nprint(a + b)\n```"));
    }
    for (const char* lang : {"python3", "cpp17"}) {
      ref.language = lang;
      if (std::string(lang) == "cpp17") {
        group.clear();
        for (int i = 0; i < 64; ++i) {
          group.push_back(absl::StrCat("```cpp\n// solution ", i,
                                       "\n#include <cstdio>\nint main(){long a,b;scanf(\"%ld "
                                       "%ld\",&a,&b);printf(\"%ld\\n\",a+b);}\n```"));
        }
        // Compile first (measured separately): throughput counts test runs.
        code::JudgeOptions warm;
        warm.compile_cache = cache.get();
        warm.parallelism = cores;
        (void)code::JudgeGroup(ref, group, **runner, warm, nullptr);
      }
      code::JudgeOptions o;
      o.parallelism = cores;
      o.compile_cache = cache.get();
      s = Clock::now();
      auto out = code::JudgeGroup(ref, group, **runner, o, nullptr);
      double ms = Ms(s, Clock::now());
      int correct = 0;
      for (auto& v : out) correct += v.ok() && v->verdict == code::Verdict::kCorrect;
      printf(
          "throughput %-7s 64 solutions x 10 tests on %d cores: %.0f ms, %.0f test runs/s (%d/64 "
          "correct)\n",
          lang, cores, ms, 640 / (ms / 1000), correct);
    }
  }
  // 4. trusted harness: old one-process assert run vs the harness pair, per language.
  if (section == "cpp" || section == "c") {
    return CompiledHarnessSection(**runner, *cache, table, section, runs) ? 0 : 1;
  }
  if (!HarnessSection(**runner, table, "python3", "def add(a, b):\n    return a + b\n",
                      "assert add(1, 2) == 3\nassert add(-1, 1) == 0\n", "# solution ", runs,
                      cores) ||
      !HarnessSection(**runner, table, "javascript", "function add(a, b) {\n  return a + b;\n}\n",
                      "const assert = require('node:assert');\n"
                      "assert.deepEqual(add(1, 2), 3);\nassert.deepEqual(add(-1, 1), 0);\n",
                      "// solution ", runs, cores) ||
      !CompiledHarnessSection(**runner, *cache, table, "cpp17", runs) ||
      !CompiledHarnessSection(**runner, *cache, table, "c", runs)) {
    return 1;
  }
  return 0;
}
