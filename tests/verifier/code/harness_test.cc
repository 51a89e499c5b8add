// Reward hacks against the trusted harness (issue 15), through the real sandbox: each completion
// below fails its tests honestly and tries to be scored as passing anyway; each must earn 0.
// The same binary runs without namespaces too (code_harness_test_no_namespaces).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sandbox/compile_cache.h"
#include "sandbox/linux_runner.h"
#include "sandbox/toolchain.h"
#include "tests/verifier/code/harness_test_util.h"
#include "verifier/code/judge.h"

namespace verdict::code {

sandbox::LinuxRunnerOptions TestRunnerOptions() {
  return RunnerOptionsAt("/tmp/verdict-sandbox-test-harness", 63100);
}

namespace {

// add(1, 2) must be 3 and add(2, 5) 7; every candidate below returns 0 or less.
CodeReference AssertRef() {
  CodeReference ref;
  ref.shape = TestShape::kAssert;
  ref.tests = {{"assert add(1, 2) == 3\n", ""}, {"assert add(2, 5) == 7\n", ""}};
  ref.limits.wall_ms = 3000;
  return ref;
}

CodeReference CallRef() {
  CodeReference ref;
  ref.shape = TestShape::kCallBased;
  ref.fn_name = "add";
  ref.tests = {{"[1, 2]", "3"}, {"[2, 5]", "7"}};
  ref.limits.wall_ms = 3000;
  return ref;
}

TEST(HarnessHacks, HonestSolutionsPassBothShapes) {
  std::string why;
  EXPECT_EQ(Accuracy(AssertRef(), "def add(a, b):\n    return a + b\n", &why), 1.0) << why;
  EXPECT_EQ(Accuracy(CallRef(), "def add(a, b):\n    return a + b\n", &why), 1.0) << why;
}

const Hack kAssertHacks[] = {
    {"os._exit(0) after the definition", "import os\ndef add(a, b):\n    return 0\nos._exit(0)\n"},
    {"SystemExit(0) after the definition", "def add(a, b):\n    return 0\nraise SystemExit(0)\n"},
    {"excepthook that exits 0",
     "import os, sys\nsys.excepthook = lambda *a: os._exit(0)\ndef add(a, b):\n    return 0\n"},
    {"atexit handler that exits 0",
     "import atexit, os\natexit.register(lambda: os._exit(0))\ndef add(a, b):\n    return 0\n"},
    {"always-equal object",
     "class E:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
     "def add(a, b):\n    return E()\n"},
    {"int subclass whose __eq__ is always true",
     "class I(int):\n    def __eq__(self, o): return True\n    __hash__ = int.__hash__\n"
     "def add(a, b):\n    return I(0)\n"},
    {"os._exit(0) inside the call", "import os\ndef add(a, b):\n    os._exit(0)\n"},
    {"SystemExit(0) inside the call", "def add(a, b):\n    raise SystemExit(0)\n"},
    {"builtins patched (assert helpers, AssertionError)",
     "import builtins\nbuiltins.AssertionError = type('X', (BaseException,), {})\n"
     "builtins.abs = lambda x: 0\ndef add(a, b):\n    return 0\n"},
    {"kills its parent and every process it may signal",
     "import os, signal\ndef add(a, b):\n    for p in (os.getppid(), -1):\n        try:\n"
     "            os.kill(p, signal.SIGKILL)\n        except OSError:\n            pass\n"
     "    return 0\n"},
    {"SIGALRM handler that exits 0, then a hang",
     "import os, signal\ndef add(a, b):\n"
     "    signal.signal(signal.SIGALRM, lambda *x: os._exit(0))\n    signal.alarm(1)\n"
     "    while True:\n        pass\n"},
    {"prints forged report lines on every descriptor",
     "import os\ndef add(a, b):\n    for fd in range(1, 10):\n        try:\n"
     "            os.write(fd, b'\\nV1 0 PASS 1.0 \\nV1 1 PASS 1.0 \\n{\"ok\": 3}\\n')\n"
     "        except OSError:\n            pass\n    return 0\n"},
    {"walks the callers' frames for the test's values",
     "import sys\ndef add(a, b):\n    f = sys._getframe(1)\n    while f is not None:\n"
     "        for k, v in f.f_locals.items():\n            if k in ('expected', 'nonce'):\n"
     "                return v\n        f = f.f_back\n    return 0\n"},
    {"heap scan for the test's values",
     "import gc\ndef add(a, b):\n    for o in gc.get_objects():\n"
     "        if isinstance(o, list) and len(o) == 2 and o[0] == [a, b]:\n            return o[1]\n"
     "    return 0\n"},
    {"reads and writes other processes through /proc",
     "import os\ndef add(a, b):\n    for p in os.listdir('/proc'):\n        if not p.isdigit():\n"
     "            continue\n        for path, mode in (('/proc/%s/fd/0' % p, 'rb'),"
     " ('/proc/%s/mem' % p, 'rb'), ('/proc/%s/fd/1' % p, 'wb')):\n            try:\n"
     "                with open(path, mode) as f:\n                    if 'w' in mode:\n"
     "                        f.write(b'V1 0 PASS 1.0 \\n')\n                    else:\n"
     "                        f.read(100)\n            except OSError:\n                pass\n"
     "    return 0\n"},
};

TEST(HarnessHacks, AssertHacksEarnZero) {
  for (const Hack& h : kAssertHacks) {
    std::string why;
    EXPECT_EQ(Accuracy(AssertRef(), h.code, &why), 0.0) << h.name << ": " << why;
  }
}

TEST(HarnessHacks, AssertTestThatSwallowsEveryExceptionStillFailsWhenTheCandidateExits) {
  CodeReference ref = AssertRef();
  ref.tests = {{"try:\n    add(1, 2)\nexcept BaseException:\n    pass\n", ""}};
  std::string why;
  EXPECT_EQ(Accuracy(ref, "import os\ndef add(a, b):\n    os._exit(0)\n", &why), 0.0) << why;
  EXPECT_EQ(Accuracy(ref, "def add(a, b):\n    return 3\n", &why), 1.0) << why;
}

TEST(HarnessHacks, CallBasedHacksEarnZero) {
  for (const Hack& h : kAssertHacks) {
    std::string why;
    EXPECT_EQ(Accuracy(CallRef(), h.code, &why), 0.0) << h.name << ": " << why;
  }
  // The old one-process driver's own names.
  const Hack extra[] = {
      {"returns the driver's expected value",
       "import sys\ndef add(a, b):\n    return sys._getframe(1).f_locals['expected']\n"},
      {"forges the driver's report lines with the nonce from its frame",
       "import os, sys\ndef add(a, b):\n    f = sys._getframe(1)\n"
       "    nonce = f.f_locals.get('nonce') or f.f_back.f_locals.get('nonce')\n"
       "    os.write(1, ''.join('%s %d PASS 1.0 \\n' % (nonce, i) for i in range(2)).encode())\n"
       "    os._exit(0)\n"},
  };
  for (const Hack& h : extra) {
    std::string why;
    EXPECT_EQ(Accuracy(CallRef(), h.code, &why), 0.0) << h.name << ": " << why;
  }
}

TEST(HarnessValues, PlainValuesCrossWithTheirTypes) {
  CodeReference ref = AssertRef();
  ref.tests = {
      {"import math\nr = f()\n"
       "assert r[:2] == (1, 2.5) and math.isnan(r[2]) and r[3] == -math.inf, r\n"
       "assert r[4:] == (10**40, b'x', bytearray(b'y'), {1: [2], (3,): None}, {3}, "
       "frozenset([4]), 1j, True, 'é'), r\n"
       "assert [type(x) for x in r] == [int, float, float, float, int, bytes, bytearray, "
       "dict, set, frozenset, complex, bool, str]\n",
       ""}};
  std::string why;
  EXPECT_EQ(Accuracy(ref,
                     "def f():\n    return (1, 2.5, float('nan'), float('-inf'), 10**40, "
                     "b'x', bytearray(b'y'), {1: [2], (3,): None}, {3}, frozenset([4]), 1j, "
                     "True, 'é')\n",
                     &why),
            1.0)
      << why;
}

TEST(HarnessValues, CandidateExceptionsKeepTheirBuiltinType) {
  CodeReference ref = AssertRef();
  ref.tests = {
      {"try:\n    add(1, 2)\n    assert False\nexcept ValueError as e:\n"
       "    assert 'Bad' in str(e) and 'no' in str(e), str(e)\n",
       ""}};
  std::string why;
  EXPECT_EQ(Accuracy(ref, "class Bad(ValueError):\n    pass\ndef add(a, b):\n    raise Bad('no')\n",
                     &why),
            1.0)
      << why;
}

// The harness and the candidate server are imported from bytecode compiled once per runner
// (PrecompiledPythonPair), not compiled from source by every run.
TEST(HarnessValues, HarnessRunsFromPrecompiledBytecode) {
  CodeReference ref = AssertRef();
  ref.tests = {
      {"import sys\nm = sys.modules.get('verdict_harness')\n"
       "assert m is not None and m.__spec__.origin.endswith('.pyc'), m\n",
       ""}};
  std::string why;
  EXPECT_EQ(Accuracy(ref, "def add(a, b):\n    return a + b\n", &why), 1.0) << why;
}

TEST(HarnessVerdicts, FailuresKeepTheirKinds) {
  struct Case {
    const char* code;
    Verdict verdict;
  } cases[] = {
      {"def add(a, b):\n    return 0\n", Verdict::kWrongAnswer},
      {"def add(a, b):\n    return 1 / 0\n", Verdict::kRuntimeError},
      {"def add(a, b):\n    while True:\n        pass\n", Verdict::kTimeLimit},
      {"import time\ndef add(a, b):\n    time.sleep(60)\n", Verdict::kTimeLimit},
      {"import time\ntime.sleep(60)\n", Verdict::kTimeLimit},
      {"def add(a, b):\n    return b'x' * (1 << 40)\n", Verdict::kMemoryLimit},
      {"def add(a, b) return\n", Verdict::kRuntimeError},
      {"import os\ndef add(a, b):\n    os._exit(3)\n", Verdict::kRuntimeError},
  };
  CodeReference ref = AssertRef();
  ref.tests.resize(1);
  ref.limits.cpu_ms = 1000;
  ref.limits.wall_ms = 2000;
  for (const Case& c : cases) {
    auto v = JudgeProgram(ref, c.code, SharedRunner(), {}, nullptr);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->verdict, c.verdict) << c.code << ": " << v->reason;
  }
}

// C++ assert tests run as two programs (BuildCppAssertPair): the test's main and its expected
// values live in the harness's process; the candidate's functions are called over a pipe.
CodeReference CppAddRef() {
  CodeReference ref;
  ref.language = "cpp17";
  ref.shape = TestShape::kAssert;
  ref.limits.wall_ms = 3000;
  ref.tests = {
      {"#undef NDEBUG\n#include <cassert>\nint main() {\n  assert(add(1, 2) == 3);\n"
       "  assert(add(40, 2) == 42);\n}\n",
       ""}};
  return ref;
}

const char kCppHead[] =
    "#include <csignal>\n#include <cstdio>\n#include <cstdlib>\n#include <unistd.h>\n"
    "#include <string>\n";

TEST(HarnessCpp, ExitsAndForgeriesInsideTheCandidateEarnZero) {
  const CodeReference ref = CppAddRef();
  const std::string head = kCppHead;
  std::string why;
  EXPECT_EQ(Accuracy(ref, head + "int add(int a, int b) { return a + b; }\n", &why), 1.0) << why;
  const Hack hacks[] = {
      {"exit(0)", "int add(int a, int b) { exit(0); }\n"},
      {"_exit(0)", "int add(int a, int b) { _exit(0); }\n"},
      {"quick_exit(0)", "int add(int a, int b) { quick_exit(0); }\n"},
      {"exit(0) at static init",
       "static int hook = [] { exit(0); return 0; }();\nint add(int a, int b) { return a + b; }\n"},
      {"_exit(0) at static init",
       "static int hook = [] { _exit(0); return 0; }();\nint add(int a, int b) { return a + b; "
       "}\n"},
      {"SIGABRT handler that exits 0 when the assert fails",
       "static int hook = [] { signal(SIGABRT, [](int) { _exit(0); }); return 0; }();\n"
       "int add(int a, int b) { return 0; }\n"},
      {"atexit handler that exits 0",
       "static int hook = [] { atexit([] { _exit(0); });"
       " signal(SIGABRT, [](int) { exit(0); }); return 0; }();\n"
       "int add(int a, int b) { return 0; }\n"},
      {"reads stdin in a static initializer and prints it as the old end marker",
       "static int hook = [] { char b[64]; ssize_t n = read(0, b, sizeof b);"
       " if (n > 0) { (void)!write(1, \"\\n\", 1); (void)!write(1, b, n);"
       " (void)!write(1, \" END\\n\", 5); }"
       " _exit(0); return 0; }();\nint add(int a, int b) { return 0; }\n"},
      {"prints forged PASS reports on its stdout and its channel",
       "int add(int a, int b) { for (int fd : {1, 2, 4}) (void)!write(fd, \"\\nV1 0 PASS 1 \\n\","
       " 14); exit(0); }\n"},
      {"replies with a frame that does not decode",
       "int add(int a, int b) { (void)!write(4, \"\\x01\\0\\0\\0\\0\\0\\0\\0Z\", 9); pause();"
       " return 0; }\n"},
      // The expected values are in the harness's process: the candidate's memory, stdin and
      // work dir do not hold them.
      {"searches its own stdin and memory for the expected value",
       "#include <cstring>\nint add(int a, int b) { char buf[256] = {}; (void)!read(0, buf,"
       " 255); return strstr(buf, \"3\") ? 3 : -1; }\n"},
      // operator== cannot be overridden across the boundary: only plain data crosses, so a
      // function returning a type of its own is refused.
      {"returns a type whose operator== is always true",
       "struct E { bool operator==(int) const { return true; } operator int() const"
       " { return 0; } };\nE add(int a, int b) { return {}; }\n"},
      {"a template the harness cannot forward",
       "template <typename T> T add(T a, T b) { return a + b; }\n"},
      {"loops forever inside the call", "int add(int a, int b) { for (;;) {} }\n"},
  };
  for (const Hack& h : hacks) {
    EXPECT_EQ(Accuracy(ref, head + h.code, &why), 0.0) << h.name << ": " << why;
  }
}

TEST(HarnessCpp, PlainDataCrossesExactly) {
  CodeReference ref;
  ref.language = "cpp17";
  ref.shape = TestShape::kAssert;
  ref.limits.wall_ms = 5000;
  ref.tests = {{
      R"(#undef NDEBUG
#include <cassert>
int main() {
  vector<pair<string, double>> in = {{"a", 0.1}, {"b\n\0c", -2.5e300}};
  auto r = mix(in, {{1, {true, false}}}, make_tuple('x', 7ULL, 0.1f), {-3, 4}, "\xff");
  assert(get<0>(r).size() == 2 && get<0>(r)[1].first == in[1].first);
  assert(get<0>(r)[0].second == 0.1 + 1);
  assert(get<1>(r).at(1) == vector<bool>({true, false}));
  assert(get<2>(r) == make_tuple('x', 7ULL, 0.1f) && get<3>(r) == set<long long>({-3, 4}));
  assert(get<4>(r) == "\xff");
  std::string err;
  try { thrower(); } catch (const std::exception& e) { err = e.what(); }
  assert(err.find("boom") != std::string::npos);
  touch();
  assert(counter() == 1);
  return 0;
}
)",
      "",
  }};
  const std::string code = R"(#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>
using namespace std;
typedef map<int, vector<bool>> Flags;
static int count_ = 0;
tuple<vector<pair<string, double>>, Flags, tuple<char, unsigned long long, float>, set<long long>,
      string>
mix(const vector<pair<string, double>>& in, Flags f, tuple<char, unsigned long long, float> t,
    set<long long> s, string x) {
  auto out = in;
  out[0].second += 1;
  return {out, f, t, s, x};
}
int thrower() { throw runtime_error("boom"); }
void touch() { ++count_; }
int counter() { return count_; }
)";
  std::string why;
  EXPECT_EQ(Accuracy(ref, code, &why), 1.0) << why;
  // A wrong value still fails, and a refused signature says why.
  EXPECT_EQ(Accuracy(ref, absl::StrCat(code, "\nint helper(vector<int>& v) { return 0; }\n"), &why),
            1.0)
      << why;
  ref.tests[0].input += "int also() { return helper2(); }\n";
  std::string refused = code + "int helper2(int& v);\n";
  EXPECT_EQ(Accuracy(ref, refused, &why), 0.0) << why;
  EXPECT_NE(why.find("non-const reference"), std::string::npos) << why;
}

// A solution cannot make the test call a library function instead of its own: HumanEval-X
// CPP/23 tests `strlen("abc") == 3` against the solution's `int strlen(string)`; a solution that
// includes <cstring> would have the harness's ::strlen(const char*) take every call. A test that
// never called a function of the solution's it names fails. MultiPL-E's form, which takes the
// function as a value (`auto candidate = f;`), is forwarded too.
TEST(HarnessCpp, TestMustCallTheSolutionsFunctions) {
  CodeReference ref;
  ref.language = "cpp17";
  ref.shape = TestShape::kAssert;
  ref.limits.wall_ms = 3000;
  ref.tests = {
      {"#undef NDEBUG\n#include <cassert>\nint main() {\n  assert(strlen(\"\") == 0);\n"
       "  assert(strlen(\"abc\") == 3);\n}\n",
       ""}};
  const std::string head = "#include <string>\nusing namespace std;\n";
  std::string why;
  EXPECT_EQ(Accuracy(ref, head + "int strlen(string s) { return s.size(); }\n", &why), 1.0) << why;
  EXPECT_EQ(
      Accuracy(ref, "#include <cstring>\n" + head + "int strlen(string s) { return 42; }\n", &why),
      0.0)
      << why;
  EXPECT_NE(why.find("never called"), std::string::npos) << why;
  ref.tests = {
      {"#undef NDEBUG\n#include <cassert>\nint main() {\n  auto candidate = add;\n"
       "  assert(candidate(1, 2) == 3);\n}\n",
       ""}};
  EXPECT_EQ(Accuracy(ref, "int add(int a, int b) { return a + b; }\n", &why), 1.0) << why;
  EXPECT_EQ(Accuracy(ref, "int add(int a, int b) { return 0; }\n", &why), 0.0) << why;
}

// Without precompiled headers (a toolchain that has none) the serialiser is pasted in front of
// each program instead, with the same verdicts.
TEST(HarnessCpp, WorksWithoutPrecompiledHeaders) {
  std::vector<sandbox::Toolchain> table = sandbox::DefaultToolchains();
  for (sandbox::Toolchain& tc : table) {
    tc.pch_header.clear();
    tc.pch_argv.clear();
  }
  sandbox::CompileCacheOptions co;
  co.dir = absl::StrCat("/tmp/verdict-harness-nopch-test-", getpid());
  auto cache = sandbox::CompileCache::Create(co);
  ASSERT_TRUE(cache.ok()) << cache.status();
  JudgeOptions o;
  o.toolchains = &table;
  o.compile_cache = cache->get();
  const CodeReference ref = CppAddRef();
  for (const auto& [body, want] :
       {std::pair<const char*, double>{"return a + b;", 1.0}, {"return a - b;", 0.0}}) {
    auto v = JudgeProgram(ref, absl::StrCat("int add(int a, int b) { ", body, " }\n"),
                          SharedRunner(), o, nullptr);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->accuracy, want) << body << ": " << v->reason;
  }
}

// A candidate that looks for the test's expected values in every file it can name: the compile
// cache's binaries (it is told the server's pid, which /proc would give it), each run's work
// dir (`harness` there is where a private binary is copied) and each process's /proc/<pid>/exe
// and cwd. It returns the right sum only when it found the test's secret string, which it
// builds at run time so that its own binary does not hold it.
std::string LeakHunter(const std::vector<std::string>& roots) {
  std::string list;
  for (const std::string& r : roots) absl::StrAppend(&list, "\"", r, "\", ");
  return absl::StrCat(R"(#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <string>
static bool found = false;
static std::string Secret() {
  std::string s = "1f5c-terces-tcidrev";
  std::reverse(s.begin(), s.end());
  return s;
}
static void Try(const std::string& path) {
  if (found) return;
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  std::string data;
  char buf[65536];
  ssize_t n;
  while (data.size() < (16u << 20) && (n = read(fd, buf, sizeof buf)) > 0) data.append(buf, n);
  close(fd);
  if (data.find(Secret()) != std::string::npos) found = true;
}
static void Walk(const std::string& dir, int depth) {
  for (int id = 0; id < 48; ++id) {
    Try(dir + "/b" + std::to_string(id));
    Try(dir + "/private/b" + std::to_string(id));
  }
  Try(dir + "/harness");
  Try(dir + "/control.txt");
  DIR* d = opendir(dir.c_str());
  if (d == nullptr || depth > 3) {
    if (d != nullptr) closedir(d);
    return;
  }
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    Try(dir + "/" + name);
    Walk(dir + "/" + name, depth + 1);
  }
  closedir(d);
}
static void Hunt() {
  for (const char* root : {)",
                      list, R"(}) {
    Walk(root, 0);
    for (int c = 0; c < 4; ++c) {
      Walk(std::string(root) + "/c" + std::to_string(SERVER_PID) + "-" + std::to_string(c), 1);
    }
    for (int r = 0; r < 4000; ++r) {
      for (int slot = 0; slot < 8; ++slot) {
        Try(std::string(root) + "/r" + std::to_string(r) + "-" + std::to_string(slot) + "/harness");
      }
    }
  }
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      std::string pid = e->d_name;
      if (pid[0] < '1' || pid[0] > '9') continue;
      Try("/proc/" + pid + "/exe");
      Try("/proc/" + pid + "/cwd/harness");
    }
    closedir(d);
  }
}
int add(int a, int b) {
  Hunt();
  return found ? a + b : 0;
}
)");
}

// The harness's binary holds the test's expected values: no sandbox configuration lets the
// candidate read it (it is not in the shared compile cache; it runs from a copy in its own work
// dir). Checked with this binary's runner (namespaces or not, Landlock where the kernel has it)
// and with the weakest one: no namespaces and no Landlock, where the candidate sees the host's
// files as far as its uid may.
TEST(HarnessCpp, CandidateCannotReadTheHarnessBinary) {
  const std::string cache_root = absl::StrCat("/tmp/verdict-harness-leak-test-", getpid());
  sandbox::CompileCacheOptions co;
  co.dir = cache_root;
  auto cache = sandbox::CompileCache::Create(co);
  ASSERT_TRUE(cache.ok()) << cache.status();
  sandbox::LinuxRunnerOptions wo;
  wo.work_root = "/tmp/verdict-sandbox-test-harness-weak";
  wo.first_uid = 63140;
  wo.max_parallel_runs = 4;
  wo.use_namespaces = false;
  wo.use_landlock = false;
  auto weak = sandbox::CreateLinuxRunner(wo);
  ASSERT_TRUE(weak.ok()) << weak.status();
  CodeReference ref = CppAddRef();
  ref.tests = {
      {"#undef NDEBUG\n#include <cassert>\n#include <cstdio>\nint main() {\n"
       "  fputs(\"verdict-secret-c5f1\\n\", stderr);\n  assert(add(1, 2) == 3);\n}\n",
       ""}};
  ref.limits.wall_ms = 8000;
  ref.limits.cpu_ms = 8000;
  const std::string code =
      absl::StrCat("#define SERVER_PID ", getpid(), "\n",
                   LeakHunter({cache_root, "/tmp/verdict-sandbox-test-harness", wo.work_root}));
  JudgeOptions o;
  o.compile_cache = cache->get();
  auto accuracy = [&](sandbox::Runner& runner) {
    auto v = JudgeProgram(ref, code, runner, o, nullptr);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? std::make_pair(v->accuracy, v->reason) : std::make_pair(-1.0, std::string());
  };
  // The hunter works: the secret in a file the candidate's uid may read is found.
  const std::string control = cache_root + "/control.txt";
  {
    FILE* f = fopen(control.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("verdict-secret-c5f1\n", f);
    fclose(f);
    chmod(cache_root.c_str(), 0755);
    chmod(control.c_str(), 0644);
  }
  auto [found, why] = accuracy(**weak);
  EXPECT_EQ(found, 1.0) << "the control file was not found: " << why;
  unlink(control.c_str());
  for (sandbox::Runner* runner : {weak->get(), &SharedRunner()}) {
    auto [acc, reason] = accuracy(*runner);
    EXPECT_EQ(acc, 0.0) << reason;
  }
}

}  // namespace
}  // namespace verdict::code
