// Stdin/stdout conformance set: problems with Python and C++ solutions whose verdict is known
// (accepted, wrong answer, time limit, memory limit, runtime error, compile error, output flood,
// float answers needing tolerance), judged through the real sandbox.
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sandbox/linux_runner.h"
#include "verifier/code/judge.h"

namespace verdict::code {
namespace {

struct Problem {
  std::vector<TestCase> tests;
  CheckerKind checker = CheckerKind::kTokens;
};

const Problem kAplusB{
    {{"1 2\n", "3\n"}, {"100 -5\n", "95\n"}, {"2000000000 2000000000\n", "4000000000\n"}}};
const Problem kSum{{{"3\n1 2 3\n", "6\n"}, {"1\n-7\n", "-7\n"}, {"0\n\n", "0\n"}}};
const Problem kDivide{{{"1 3\n", "0.333333333333\n"}, {"2 7\n", "0.285714285714\n"}},
                      CheckerKind::kFloat};
const Problem kYesNo{{{"4\n", "YES\n"}, {"3\n", "NO\n"}}, CheckerKind::kCaseInsensitive};
const Problem kLines{{{"3\n", "1\n2\n3\n"}, {"1\n", "1\n"}}};
std::string BigInput() {
  std::string s = "100000\n";
  for (int i = 0; i < 100000; ++i) absl::StrAppend(&s, i, i + 1 < 100000 ? " " : "\n");
  return s;
}
const Problem kBig{{{BigInput(), "4999950000\n"}}};

struct Entry {
  const char* name;
  const Problem* problem;
  const char* language;
  const char* source;
  Verdict want;
};

#define CPP_HEAD "#include <bits/stdc++.h>\nusing namespace std;\n"

const Entry kEntries[] = {
    // Accepted.
    {"py_aplusb_ok", &kAplusB, "python3", "a, b = map(int, input().split())\nprint(a + b)\n",
     Verdict::kCorrect},
    {"cpp_aplusb_ok", &kAplusB, "cpp17",
     CPP_HEAD "int main(){long long a,b;cin>>a>>b;cout<<a+b<<endl;}", Verdict::kCorrect},
    {"c_aplusb_ok", &kAplusB, "c",
     "#include <stdio.h>\nint main(){long long a,b;scanf(\"%lld "
     "%lld\",&a,&b);printf(\"%lld\\n\",a+b);}",
     Verdict::kCorrect},
    {"cpp20_sum_ok", &kSum, "cpp20",
     CPP_HEAD "int main(){int n;cin>>n;vector<long long>v(n);for(auto&x:v)cin>>x;span<long long> "
              "sp(v);long long s=0;for(auto x:sp)s+=x;cout<<s<<'\\n';}",
     Verdict::kCorrect},
    {"py_sum_ok", &kSum, "python3",
     "import sys\nd = sys.stdin.read().split()\nprint(sum(map(int, d[1:])))\n", Verdict::kCorrect},
    {"py_big_input_ok", &kBig, "python3",
     "import sys\nd = sys.stdin.buffer.read().split()\nprint(sum(map(int, d[1:])))\n",
     Verdict::kCorrect},
    {"cpp_big_input_ok", &kBig, "cpp17",
     CPP_HEAD "int main(){ios::sync_with_stdio(0);int n;cin>>n;long long "
              "s=0,x;while(n--){cin>>x;s+=x;}cout<<s<<'\\n';}",
     Verdict::kCorrect},
    {"js_aplusb_ok", &kAplusB, "javascript",
     "const "
     "[a,b]=require('fs').readFileSync(0,'utf8').trim().split(/\\s+/"
     ").map(Number);console.log(a+b);",
     Verdict::kCorrect},
    {"py_trailing_whitespace_ok", &kLines, "python3",
     "n = int(input())\nfor i in range(n): print(i + 1, '  ')\nprint()\nprint()\n",
     Verdict::kCorrect},
    {"cpp_stderr_noise_ok", &kAplusB, "cpp17",
     CPP_HEAD "int main(){long long a,b;cin>>a>>b;cerr<<\"debug\\n\";cout<<a+b<<'\\n';}",
     Verdict::kCorrect},
    {"cpp_deep_recursion_ok", &kLines, "cpp17",
     CPP_HEAD "int d(int n){return n?1+d(n-1):0;}int main(){int "
              "n;cin>>n;if(d(1000000)!=1000000)return 1;for(int i=1;i<=n;i++)cout<<i<<'\\n';}",
     Verdict::kCorrect},
    // Float answers: tolerance accepts rounding, wrong digits still fail.
    {"py_float_6_digits_ok", &kDivide, "python3",
     "a, b = map(int, input().split())\nprint('%.7f' % (a / b))\n", Verdict::kCorrect},
    {"cpp_float_setprecision_ok", &kDivide, "cpp17",
     CPP_HEAD "int main(){double a,b;cin>>a>>b;cout<<fixed<<setprecision(9)<<a/b<<'\\n';}",
     Verdict::kCorrect},
    {"py_float_2_digits_wa", &kDivide, "python3",
     "a, b = map(int, input().split())\nprint('%.2f' % (a / b))\n", Verdict::kWrongAnswer},
    {"cpp_float_wrong_wa", &kDivide, "cpp17",
     CPP_HEAD "int main(){double a,b;cin>>a>>b;cout<<b/a<<'\\n';}", Verdict::kWrongAnswer},
    // Case-insensitive checker.
    {"py_yes_lower_ok", &kYesNo, "python3", "print('yes' if int(input()) % 2 == 0 else 'no')\n",
     Verdict::kCorrect},
    {"cpp_yes_inverted_wa", &kYesNo, "cpp17",
     CPP_HEAD "int main(){int n;cin>>n;cout<<(n%2?\"Yes\":\"No\")<<'\\n';}", Verdict::kWrongAnswer},
    // Wrong answers.
    {"cpp_int_overflow_wa", &kAplusB, "cpp17",
     CPP_HEAD "int main(){int a,b;cin>>a>>b;cout<<a+b<<endl;}", Verdict::kWrongAnswer},
    {"py_off_by_one_wa", &kSum, "python3",
     "import sys\nd = sys.stdin.read().split()\nprint(sum(map(int, d[1:])) + 1)\n",
     Verdict::kWrongAnswer},
    {"py_missing_lines_wa", &kLines, "python3", "n = int(input())\nprint(1)\n",
     Verdict::kWrongAnswer},
    {"cpp_extra_output_wa", &kLines, "cpp17",
     CPP_HEAD "int main(){int n;cin>>n;for(int i=1;i<=n+1;i++)cout<<i<<'\\n';}",
     Verdict::kWrongAnswer},
    {"py_empty_output_wa", &kAplusB, "python3", "pass\n", Verdict::kWrongAnswer},
    // Time limit.
    {"py_infinite_loop_tle", &kAplusB, "python3", "while True: pass\n", Verdict::kTimeLimit},
    {"cpp_infinite_loop_tle", &kAplusB, "cpp17",
     CPP_HEAD "int main(){volatile long x=0;while(true)x++;}", Verdict::kTimeLimit},
    {"py_sleep_tle", &kAplusB, "python3", "import time\ntime.sleep(60)\n", Verdict::kTimeLimit},
    {"cpp_blocking_read_tle", &kAplusB, "cpp17",
     CPP_HEAD "#include <unistd.h>\nint main(){pause();}", Verdict::kTimeLimit},
    // Memory limit.
    {"py_huge_list_mle", &kAplusB, "python3", "x = [0] * (10 ** 10)\n", Verdict::kMemoryLimit},
    {"py_growing_mle", &kAplusB, "python3", "x = []\nwhile True: x.append(' ' * 10**6)\n",
     Verdict::kMemoryLimit},
    {"cpp_huge_vector_mle", &kAplusB, "cpp17",
     CPP_HEAD "int main(){vector<long long> v(10000000000LL);cout<<v[5];}", Verdict::kMemoryLimit},
    {"cpp_growing_mle", &kAplusB, "cpp17",
     CPP_HEAD "int main(){vector<vector<char>> v;while(true)v.emplace_back(1<<20,'x');}",
     Verdict::kMemoryLimit},
    // Runtime errors.
    {"py_zero_division_re", &kAplusB, "python3", "print(1 // 0)\n", Verdict::kRuntimeError},
    {"py_index_error_re", &kAplusB, "python3", "print([][1])\n", Verdict::kRuntimeError},
    {"py_syntax_error_re", &kAplusB, "python3", "def f(:\n", Verdict::kRuntimeError},
    {"cpp_segfault_re", &kAplusB, "cpp17", CPP_HEAD "int main(){volatile int*p=nullptr;*p=1;}",
     Verdict::kRuntimeError},
    {"cpp_abort_re", &kAplusB, "cpp17", CPP_HEAD "int main(){abort();}", Verdict::kRuntimeError},
    {"cpp_exit_code_re", &kAplusB, "cpp17",
     CPP_HEAD "int main(){long long a,b;cin>>a>>b;cout<<a+b<<'\\n';return 1;}",
     Verdict::kRuntimeError},
    {"cpp_uncaught_exception_re", &kAplusB, "cpp17",
     CPP_HEAD "int main(){throw runtime_error(\"x\");}", Verdict::kRuntimeError},
    // Compile errors.
    {"cpp_syntax_ce", &kAplusB, "cpp17", "int main( { return 0 }", Verdict::kCompileError},
    {"cpp_type_ce", &kAplusB, "cpp17", CPP_HEAD "int main(){string s = 5;}",
     Verdict::kCompileError},
    {"cpp20_feature_in_cpp17_ce", &kAplusB, "cpp17",
     CPP_HEAD "int main(){auto v=views::iota(0,3);}", Verdict::kCompileError},
    {"c_undeclared_ce", &kAplusB, "c", "int main(){return undefined_var;}", Verdict::kCompileError},
    // Output flood.
    {"py_output_flood_ole", &kAplusB, "python3",
     "import sys\nwhile True: sys.stdout.write('9' * 65536)\n", Verdict::kOutputLimit},
    {"cpp_output_flood_ole", &kAplusB, "cpp17",
     CPP_HEAD "int main(){string s(1<<16,'9');while(true)cout<<s;}", Verdict::kOutputLimit},
};

TEST(Conformance, EveryEntryGetsItsVerdict) {
  sandbox::LinuxRunnerOptions ro;
  ro.work_root = "/tmp/verdict-sandbox-test-conformance";
  ro.first_uid = 64000;
  ro.max_parallel_runs = 8;
  auto runner = sandbox::CreateLinuxRunner(ro);
  ASSERT_TRUE(runner.ok()) << runner.status();
  sandbox::CompileCacheOptions co;
  co.dir = "/tmp/verdict-cache-test";
  auto cache = sandbox::CompileCache::Create(co);
  ASSERT_TRUE(cache.ok()) << cache.status();
  const size_t n = sizeof(kEntries) / sizeof(kEntries[0]);
  ASSERT_GE(n, 30u);
  std::vector<std::string> got(n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      const Entry& e = kEntries[i];
      CodeReference ref;
      ref.language = e.language;
      ref.tests = e.problem->tests;
      ref.checker.kind = e.problem->checker;
      ref.limits.cpu_ms = 1000;
      ref.limits.wall_ms = 2000;
      ref.limits.memory_bytes = 256 << 20;
      ref.limits.stdout_bytes = 1 << 20;
      JudgeOptions o;
      o.all_pass = true;
      o.parallelism = 1;
      o.compile_cache = cache->get();
      std::string completion =
          absl::StrCat("Solution:\n```", e.language, "\n", e.source, "\n```\n");
      auto v = JudgeCompletion(ref, completion, **runner, o, nullptr);
      got[i] = v.ok() ? std::string(VerdictName(v->verdict)) + " (" + v->reason + ")"
                      : "error " + v.status().ToString();
      if (v.ok() && v->verdict == e.want) got[i] = "ok";
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < 3; ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(got[i], "ok") << kEntries[i].name << ": want " << VerdictName(kEntries[i].want);
  }
}

}  // namespace
}  // namespace verdict::code
