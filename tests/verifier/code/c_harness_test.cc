// The C assert harness pair (c_harness.h) through the real sandbox: values cross exactly, what
// cannot cross is refused with its reason, and reward hacks earn 0. Before the pair, C assert
// tests ran the solution and the test in one process that passed when it printed an end marker
// (a nonce read from stdin) after the test's main returned; each hack below says why it earned
// a pass there, or what else it checks. The same binary runs without namespaces too
// (code_c_harness_test_no_namespaces).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sandbox/compile_cache.h"
#include "sandbox/linux_runner.h"
#include "tests/verifier/code/harness_test_util.h"
#include "verifier/code/c_harness.h"
#include "verifier/code/judge.h"

namespace verdict::code {

sandbox::LinuxRunnerOptions TestRunnerOptions() {
  return RunnerOptionsAt("/tmp/verdict-sandbox-test-c-harness", 63300);
}

namespace {

CodeReference CRef(std::string test, int64_t wall_ms = 3000) {
  CodeReference ref;
  ref.language = "c";
  ref.shape = TestShape::kAssert;
  ref.limits.wall_ms = wall_ms;
  ref.tests = {{std::move(test), ""}};
  return ref;
}

// add(1, 2) must be 3 and add(40, 2) 42.
CodeReference AddRef() {
  return CRef(
      "#undef NDEBUG\n#include <assert.h>\nint main(void) {\n  assert(add(1, 2) == 3);\n"
      "  assert(add(40, 2) == 42);\n  return 0;\n}\n");
}

const char kValuesTest[] = R"(#undef NDEBUG
#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  assert(add(1, 2) == 3);
  assert(add(add(1, 2), add(3, 4)) == 10);
  assert(neg_ll(LLONG_MIN + 1) == LLONG_MAX);
  assert(umax(0) == ULLONG_MAX);
  assert(next_char('a') == 'b' && uc(255) == 255 && sh(-32768) == -32768);
  assert(is_even(4) == true && is_even(3) == false);
  assert(half(1.0) == 0.5 && third(1.0f) == 1.0f / 3 && tenth() == 0.1);
  assert(wide((int64_t)-5, (uint8_t)200, (size_t)7) == 202);
  assert(length("hello") == 5 && length("") == 0 && length(NULL) == -1);
  char s[] = "abcd";
  reverse(s);
  assert(strcmp(s, "dcba") == 0);
  char* g = greet("Ann");
  assert(strcmp(g, "Hi Ann") == 0);
  free(g);
  assert(maybe(0) == NULL && strcmp(maybe(1), "yes") == 0);
  int a[] = {3, 1, 2};
  assert(sum(a, 3) == 6 && sum(NULL, 0) == 0);
  sort(a, 3);
  assert(a[0] == 1 && a[1] == 2 && a[2] == 3);
  double d[] = {0.1, 0.2};
  assert(dsum(d, 2) == 0.1 + 0.2);
  int n = 0;
  int* r = two_sum(a, 3, 5, &n);
  assert(n == 2 && r[0] == 1 && r[1] == 2);
  free(r);
  touch();
  touch();
  assert(counter() == 2);
  return 0;
}
)";

// Helpers the test does not name may take anything (dist2 takes a struct); `static` functions
// and a main of the solution's own are fine (the one-process program did not compile with it:
// two mains).
const char kValuesSolution[] = R"(#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
typedef long long ll;
struct point { int x, y; };
static int calls = 0;
static int dist2(struct point p) { return p.x * p.x + p.y * p.y; }
static int add_impl(int a, int b) { return a + b; }
int add(int a, int b) { return add_impl(a, b); }
ll neg_ll(ll x) { return -x; }
unsigned long long umax(int x) { return ~0ULL + (unsigned long long)x; }
char next_char(char c) { return (char)(c + 1); }
unsigned char uc(unsigned char c) { return c; }
short sh(short v) { return v; }
bool is_even(int x) { return x % 2 == 0; }
double half(double x) { return x / 2; }
float third(float x) { return x / 3; }
double tenth(void) { return 0.1; }
long long wide(int64_t a, uint8_t b, size_t c) { return a + b + (long long)c; }
int length(const char* s) { return s == NULL ? -1 : (int)strlen(s); }
void reverse(char* s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n / 2; ++i) {
    char t = s[i];
    s[i] = s[n - 1 - i];
    s[n - 1 - i] = t;
  }
}
char* greet(const char* name) {
  char* r = malloc(strlen(name) + 4);
  strcpy(r, "Hi ");
  strcat(r, name);
  return r;
}
const char* maybe(int yes) { return yes ? "yes" : NULL; }
int sum(const int* a, int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) s += a[i];
  return s;
}
void sort(int a[], int n) {
  for (int i = 1; i < n; ++i)
    for (int j = i; j > 0 && a[j - 1] > a[j]; --j) {
      int t = a[j];
      a[j] = a[j - 1];
      a[j - 1] = t;
    }
}
double dsum(const double* d, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += d[i];
  return s;
}
int* two_sum(int* nums, int numsSize, int target, int* returnSize) {
  for (int i = 0; i < numsSize; ++i)
    for (int j = i + 1; j < numsSize; ++j)
      if (nums[i] + nums[j] == target) {
        int* r = malloc(2 * sizeof *r);
        r[0] = i;
        r[1] = j;
        *returnSize = 2;
        return r;
      }
  *returnSize = 0;
  return NULL;
}
void touch(void) { ++calls; }
static int counter(void) { return calls; }
int main(void) { return dist2((struct point){1, 2}) - 5; }
)";

TEST(CHarness, ValuesCrossExactly) {
  const CodeReference ref = CRef(kValuesTest, 5000);
  std::string why;
  EXPECT_EQ(Accuracy(ref, kValuesSolution, &why), 1.0) << why;
  // A change the harness can see only through a copy back, a returned array or exact bits.
  const std::pair<const char*, const char*> wrong[] = {
      {"s[i] = s[n - 1 - i];", "s[i] = s[i];"},
      {"a[j] = a[j - 1];\n      a[j - 1] = t;", "(void)t;"},
      {"r[1] = j;", "r[1] = i;"},
      {"*returnSize = 2;", "*returnSize = 1;"},
      {"return 0.1;", "return 0.1 + 1e-17 * 2;"},
      {"return x / 3;", "return x / 3 + 1e-7f;"},
      {"~0ULL + ", "~1ULL + "},
      {"++calls;", ""},
  };
  for (const auto& [from, to] : wrong) {
    std::string code = kValuesSolution;
    const size_t at = code.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    code.replace(at, std::string(from).size(), to);
    EXPECT_EQ(Accuracy(ref, code, &why), 0.0) << to << ": " << why;
  }
}

// Whichever way the test declares its main, with or without a prototype of the function it
// tests (a regression check: the one-process program passed these too).
TEST(CHarness, TestMainWithOrWithoutArguments) {
  std::string why;
  for (const char* main_head :
       {"int main(void)", "int main()", "int main(int argc, char **argv)"}) {
    const CodeReference ref =
        CRef(absl::StrCat("#undef NDEBUG\n#include <assert.h>\nint add(int, int);\n", main_head,
                          " {\n  assert(add(1, 2) == 3);\n}\n"));
    EXPECT_EQ(Accuracy(ref, "int add(int a, int b) { return a + b; }\n", &why), 1.0)
        << main_head << ": " << why;
    EXPECT_EQ(Accuracy(ref, "int add(int a, int b) { return a - b; }\n", &why), 0.0)
        << main_head << ": " << why;
  }
}

TEST(CHarness, ExitsAndForgeriesInsideTheCandidateEarnZero) {
  const CodeReference ref = AddRef();
  const std::string head =
      "#include <signal.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
      "#include <unistd.h>\n#include <fcntl.h>\n";
  std::string why;
  EXPECT_EQ(Accuracy(ref, head + "int add(int a, int b) { return a + b; }\n", &why), 1.0) << why;
  const Hack hacks[] = {
      // Earned 0 before too (no end marker); the pair must keep that.
      {"exit(0)", "int add(int a, int b) { exit(0); }\n"},
      {"_exit(0)", "int add(int a, int b) { _exit(0); }\n"},
      {"quick_exit(0)", "int add(int a, int b) { quick_exit(0); }\n"},
      {"abort with a SIGABRT handler that exits 0",
       "static void h(int s) { _exit(0); }\n"
       "int add(int a, int b) { signal(SIGABRT, h); abort(); }\n"},
      {"_exit(0) in a constructor(101)",
       "__attribute__((constructor(101))) static void c(void) { _exit(0); }\n"
       "int add(int a, int b) { return a + b; }\n"},
      {"abort() with a SIGABRT handler that exits 0, in a constructor(101)",
       "static void h(int s) { _exit(0); }\n"
       "__attribute__((constructor(101))) static void c(void) { signal(SIGABRT, h); abort(); }\n"
       "int add(int a, int b) { return a + b; }\n"},
      {"SIGABRT handler from a constructor(101), for the test's failed assert",
       "static void h(int s) { _exit(0); }\n"
       "__attribute__((constructor(101))) static void c(void) { signal(SIGABRT, h); }\n"
       "int add(int a, int b) { return 0; }\n"},
      {"atexit handler that exits 0",
       "static void h(void) { _exit(0); }\n"
       "int add(int a, int b) { atexit(h); exit(1); }\n"},
      // Passed before: a constructor of a reserved priority ran before the marker's reader,
      // read the nonce from stdin and printed the marker itself (and the pair's PASS line).
      {"reads the nonce from stdin in a constructor and forges the marker and PASS",
       "__attribute__((constructor(100))) static void c(void) {\n"
       "  char b[80]; ssize_t n = read(0, b, sizeof b);\n"
       "  while (n > 0 && b[n - 1] == '\\n') --n;\n"
       "  if (n <= 0) return;\n"
       "  for (int fd = 1; fd <= 5; ++fd) {\n"
       "    (void)!write(fd, \"\\n\", 1); (void)!write(fd, b, n); (void)!write(fd, \" END\\n\", "
       "5);\n"
       "    (void)!write(fd, \"\\n\", 1); (void)!write(fd, b, n);"
       " (void)!write(fd, \" 0 PASS 1 \\n\", 11);\n"
       "  }\n  _exit(0);\n}\n"
       "int add(int a, int b) { return 0; }\n"},
      // Earned 0 before as well (the marker's reader had emptied the stdin pipe, and other
      // processes' files are not readable); checks that the nonce reaches none of them now.
      {"searches its stdin, its memory and /proc for a nonce and forges reports with it",
       "static char found[4096];\n"
       "static void grab(const char* path) {\n"
       "  int fd = open(path, O_RDONLY); if (fd < 0) return;\n"
       "  size_t n = strlen(found); ssize_t k = read(fd, found + n, sizeof found - n - 1);\n"
       "  if (k > 0) found[n + k] = 0; close(fd);\n}\n"
       "int add(int a, int b) {\n"
       "  grab(\"/proc/self/fd/0\"); grab(\"/proc/self/environ\"); grab(\"/proc/self/cmdline\");\n"
       "  char p[64]; for (int pid = 1; pid < 4096; ++pid) {\n"
       "    snprintf(p, sizeof p, \"/proc/%d/fd/0\", pid); grab(p);\n"
       "    snprintf(p, sizeof p, \"/proc/%d/cmdline\", pid); grab(p); }\n"
       "  for (char* v = strchr(found, 'V'); v != NULL; v = strchr(v + 1, 'V')) {\n"
       "    char line[128]; int len = snprintf(line, sizeof line, \"\\n%.40s 0 PASS 1 \\n\", v);\n"
       "    for (int fd = 1; fd <= 5; ++fd) (void)!write(fd, line, len);\n"
       "  }\n  return 0;\n}\n"},
      // Passed before: the nonce sat in a static buffer of the one process.
      {"scans its own memory for a nonce and forges the marker and PASS with it",
       "#include <ctype.h>\n"
       "int add(int a, int b) {\n"
       "  FILE* maps = fopen(\"/proc/self/maps\", \"r\");\n"
       "  int mem = open(\"/proc/self/mem\", O_RDONLY);\n"
       "  char line[512];\n"
       "  while (maps != NULL && mem >= 0 && fgets(line, sizeof line, maps) != NULL) {\n"
       "    unsigned long lo, hi; char perm[8];\n"
       "    if (sscanf(line, \"%lx-%lx %7s\", &lo, &hi, perm) != 3 || perm[0] != 'r') continue;\n"
       "    if (hi - lo > (64ul << 20)) continue;\n"
       "    char* buf = malloc(hi - lo);\n"
       "    ssize_t n = pread(mem, buf, hi - lo, (off_t)lo);\n"
       "    for (ssize_t i = 0; i + 24 < n; ++i) {\n"
       "      int d = 0; while (i + 1 + d < n && isdigit((unsigned char)buf[i + 1 + d])) ++d;\n"
       "      if (buf[i] != 'V' || d < 20) continue;\n"
       "      for (int fd = 1; fd <= 5; ++fd) {\n"
       "        (void)!write(fd, \"\\n\", 1); (void)!write(fd, buf + i, d + 1);"
       " (void)!write(fd, \" END\\n\", 5);\n"
       "        (void)!write(fd, \"\\n\", 1); (void)!write(fd, buf + i, d + 1);"
       " (void)!write(fd, \" 0 PASS 1 \\n\", 11);\n"
       "      }\n      _exit(0);\n    }\n    free(buf);\n  }\n  return 0;\n}\n"},
      // Earned 0 before too (the test's <assert.h> redefines assert after the solution); the
      // test code is compiled apart from the solution now.
      {"redefines assert", "#define assert(e) ((void)0)\nint add(int a, int b) { return 0; }\n"},
      {"writes forged report lines on fds 1 to 5 and exits",
       "int add(int a, int b) {\n"
       "  for (int fd = 1; fd <= 5; ++fd) (void)!write(fd, \"\\nV1 0 PASS 1 \\n\", 14);\n"
       "  exit(0);\n}\n"},
      {"replies with a frame that does not decode",
       "int add(int a, int b) { (void)!write(4, \"\\x01\\0\\0\\0\\0\\0\\0\\0Z\", 9); pause();"
       " return 0; }\n"},
      // Earned 0 before as well, by luck: the one program's failed asserts called it, but GCC
      // took <assert.h>'s noreturn at its word and the program hung. The test's program never
      // sees it now.
      {"defines __assert_fail so that failed asserts return",
       "void __assert_fail(const char* a, const char* f, unsigned l, const char* fn) {}\n"
       "int add(int a, int b) { return 0; }\n"},
      {"kills every process it may", "int add(int a, int b) { kill(-1, SIGKILL); return 0; }\n"},
      {"prints 64 MiB of forged reports",
       "int add(int a, int b) {\n"
       "  for (int i = 0; i < (1 << 22); ++i) printf(\"\\nV1 0 PASS 1 \\n\");\n"
       "  return 0;\n}\n"},
  };
  for (const Hack& h : hacks) {
    auto v = JudgeProgram(ref, head + h.code, SharedRunner(), {}, nullptr);
    ASSERT_TRUE(v.ok()) << h.name << ": " << v.status();
    EXPECT_EQ(v->accuracy, 0.0) << h.name << ": " << v->reason;
    // A hack that does not compile would prove nothing.
    EXPECT_NE(v->verdict, Verdict::kCompileError) << h.name << ": " << v->reason;
  }
}

// The weakest sandbox configuration (no namespaces, no Landlock), beside this binary's own: the
// hacks above must earn 0 there too. Made at the first call; never destroyed.
sandbox::Runner& WeakRunner() {
  static sandbox::Runner* runner = [] {
    sandbox::LinuxRunnerOptions o =
        RunnerOptionsAt("/tmp/verdict-sandbox-test-c-harness-weak", 63340);
    o.max_parallel_runs = 4;
    o.use_namespaces = false;
    o.use_landlock = false;
    return sandbox::CreateLinuxRunner(o).value().release();
  }();
  return *runner;
}

TEST(CHarness, HacksEarnZeroWithoutNamespacesOrLandlock) {
  const CodeReference ref = AddRef();
  const std::string head = "#include <signal.h>\n#include <stdlib.h>\n#include <unistd.h>\n";
  const std::pair<const char*, double> cases[] = {
      {"int add(int a, int b) { return a + b; }\n", 1.0},
      {"int add(int a, int b) { return 0; }\n", 0.0},
      {"int add(int a, int b) { _exit(0); }\n", 0.0},
      {"__attribute__((constructor(100))) static void c(void) {\n"
       "  char b[80]; ssize_t n = read(0, b, sizeof b);\n"
       "  if (n > 0) { (void)!write(1, b, n); (void)!write(4, b, n); }\n  _exit(0);\n}\n"
       "int add(int a, int b) { return 0; }\n",
       0.0},
      {"int add(int a, int b) { kill(-1, SIGKILL); return 0; }\n", 0.0},
  };
  for (const auto& [code, want] : cases) {
    auto v = JudgeProgram(ref, head + code, WeakRunner(), {}, nullptr);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->accuracy, want) << code << ": " << v->reason;
  }
}

// A C candidate that looks for the test's expected values in every file it can name: the compile
// cache's binaries, each run's work dir (`harness` there is where the private binary is copied),
// each process's /proc/<pid>/exe and cwd. It returns the right sum only when it found the test's
// secret string, which it builds at run time so that its own binary does not hold it.
std::string CLeakHunter(const std::vector<std::string>& roots) {
  std::string list;
  for (const std::string& r : roots) absl::StrAppend(&list, "\"", r, "\", ");
  return absl::StrCat(R"(#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static int found = 0;
static char secret[32];
static char* data;
static void Try(const char* path) {
  if (found) return;
  int fd = open(path, O_RDONLY);
  if (fd < 0) return;
  size_t n = 0;
  ssize_t k;
  while (n < (16u << 20) && (k = read(fd, data + n, (16u << 20) - n)) > 0) n += (size_t)k;
  close(fd);
  if (memmem(data, n, secret, strlen(secret)) != NULL) found = 1;
}
static void Walk(const char* dir, int depth) {
  char p[4096];
  for (int id = 0; id < 48; ++id) {
    snprintf(p, sizeof p, "%s/b%d", dir, id);
    Try(p);
    snprintf(p, sizeof p, "%s/private/b%d", dir, id);
    Try(p);
  }
  snprintf(p, sizeof p, "%s/harness", dir);
  Try(p);
  snprintf(p, sizeof p, "%s/control.txt", dir);
  Try(p);
  DIR* d = opendir(dir);
  if (d == NULL) return;
  if (depth > 3) {
    closedir(d);
    return;
  }
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    Try(p);
    Walk(p, depth + 1);
  }
  closedir(d);
}
static void Hunt(void) {
  const char* s = "1f5c-terces-tcidrev";
  size_t n = strlen(s);
  for (size_t i = 0; i < n; ++i) secret[i] = s[n - 1 - i];
  data = malloc(16u << 20);
  const char* roots[] = {)",
                      list, R"(NULL};
  char p[4096];
  for (int k = 0; roots[k] != NULL; ++k) {
    Walk(roots[k], 0);
    for (int c = 0; c < 4; ++c) {
      snprintf(p, sizeof p, "%s/c%d-%d", roots[k], SERVER_PID, c);
      Walk(p, 1);
    }
    for (int r = 0; r < 4000; ++r) {
      for (int slot = 0; slot < 8; ++slot) {
        snprintf(p, sizeof p, "%s/r%d-%d/harness", roots[k], r, slot);
        Try(p);
      }
    }
  }
  DIR* d = opendir("/proc");
  if (d != NULL) {
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
      snprintf(p, sizeof p, "/proc/%s/exe", e->d_name);
      Try(p);
      snprintf(p, sizeof p, "/proc/%s/cwd/harness", e->d_name);
      Try(p);
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
// candidate read it (the same private binary as C++'s, checked here with a C candidate). The
// hunter is shown to work first: it finds the secret in a file the candidate's uid may read.
TEST(CHarness, CandidateCannotReadTheHarnessBinary) {
  const std::string cache_root = absl::StrCat("/tmp/verdict-c-harness-leak-test-", getpid());
  sandbox::CompileCacheOptions co;
  co.dir = cache_root;
  auto cache = sandbox::CompileCache::Create(co);
  ASSERT_TRUE(cache.ok()) << cache.status();
  CodeReference ref = CRef(
      "#undef NDEBUG\n#include <assert.h>\n#include <stdio.h>\nint main(void) {\n"
      "  fputs(\"verdict-secret-c5f1\\n\", stderr);\n  assert(add(1, 2) == 3);\n  return 0;\n}\n",
      8000);
  ref.limits.cpu_ms = 8000;
  const std::string code =
      absl::StrCat("#define SERVER_PID ", getpid(), "\n",
                   CLeakHunter({cache_root, "/tmp/verdict-sandbox-test-c-harness",
                                "/tmp/verdict-sandbox-test-c-harness-weak"}));
  JudgeOptions o;
  o.compile_cache = cache->get();
  auto accuracy = [&](sandbox::Runner& runner) {
    auto v = JudgeProgram(ref, code, runner, o, nullptr);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? std::make_pair(v->accuracy, v->reason) : std::make_pair(-1.0, std::string());
  };
  const std::string control = cache_root + "/control.txt";
  {
    FILE* f = fopen(control.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("verdict-secret-c5f1\n", f);
    fclose(f);
    chmod(cache_root.c_str(), 0755);
    chmod(control.c_str(), 0644);
  }
  auto [found, why] = accuracy(WeakRunner());
  EXPECT_EQ(found, 1.0) << "the control file was not found: " << why;
  unlink(control.c_str());
  for (sandbox::Runner* runner : {&WeakRunner(), &SharedRunner()}) {
    auto [acc, reason] = accuracy(*runner);
    EXPECT_EQ(acc, 0.0) << reason;
  }
}

// A candidate that never answers is a time limit, not a pass, and not an error (a regression
// check: so it was before).
TEST(CHarness, CandidateThatNeverAnswersTimesOut) {
  auto v = JudgeProgram(AddRef(), "int add(int a, int b) { for (;;) {} }\n", SharedRunner(), {},
                        nullptr);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->verdict, Verdict::kTimeLimit) << v->reason;
  EXPECT_EQ(v->accuracy, 0.0);
}

// A test must call the solution's function, not a library function, macro or builtin of its
// name. Passed before: with <string.h> the compiler folds strlen("abc") to 3 in the one program,
// whatever the solution's strlen returns.
TEST(CHarness, TestMustCallTheSolutionsFunctions) {
  const CodeReference ref = CRef(
      "#undef NDEBUG\n#include <assert.h>\n#include <string.h>\nint main(void) {\n"
      "  assert(strlen(\"abc\") == 3);\n  return 0;\n}\n");
  std::string why;
  EXPECT_EQ(
      Accuracy(ref, "#include <string.h>\nsize_t strlen(const char* s) { return 0; }\n", &why), 0.0)
      << why;
  EXPECT_NE(why.find("never called the solution's `strlen`"), std::string::npos) << why;
}

// What the wire cannot carry is refused with its reason: 0 even for a correct solution, never the
// one-process program (a candidate could choose such a signature to get it).
TEST(CHarness, RefusesWhatCannotCross) {
  struct Case {
    const char* call;      // the test's assert
    const char* solution;  // correct
    const char* reason;
  };
  const Case cases[] = {
      {"getx((struct P){4}) == 4", "struct P { int x; };\nint getx(struct P p) { return p.x; }\n",
       "a struct, union or enum"},
      {"apply(twice, 2) == 4",
       "int twice(int x) { return 2 * x; }\nint apply(int (*f)(int), int x) { return f(x); }\n",
       "function pointer"},
      {"sumv(2, 1, 3) == 4",
       "#include <stdarg.h>\nint sumv(int n, ...) { va_list ap; va_start(ap, n); int s = 0;"
       " for (int i = 0; i < n; ++i) s += va_arg(ap, int); va_end(ap); return s; }\n",
       "variadic"},
      {"first((int[]){7}) == 7", "int first(int* a) { return a[0]; }\n", "without a length"},
      {"add(1, 2) == 3", "int add(a, b) int a; int b; { return a + b; }\n", "K&R"},
      {"add(1, 2) == 3", "add(int a, int b) { return a + b; }\n", "implicit int"},
      {"zero(0, 0) == 0", "int zero(void* p, int n) { return 0; }\n", "void pointer"},
      {"count((char*[]){\"a\"}, 1) == 1", "int count(char** w, int n) { return n; }\n",
       "pointer to a pointer"},
      {"iota(3)[2] == 2",
       "#include <stdlib.h>\nint* iota(int n) { int* r = malloc(n * sizeof *r);"
       " for (int i = 0; i < n; ++i) r[i] = i; return r; }\n",
       "returns a pointer"},
      {"write(1) == 1", "int write(int x) { return x; }\n", "harness itself takes"},
  };
  for (const Case& c : cases) {
    const CodeReference ref =
        CRef(absl::StrCat("#undef NDEBUG\n#include <assert.h>\nint main(void) {\n  assert(", c.call,
                          ");\n  return 0;\n}\n"));
    std::string why;
    EXPECT_EQ(Accuracy(ref, c.solution, &why), 0.0) << c.solution << ": " << why;
    EXPECT_NE(why.find(c.reason), std::string::npos) << c.solution << ": " << why;
  }
}

// The builder alone (new with the pair): no main in the test, a solution that does not lex.
TEST(CHarness, BuilderErrors) {
  auto no_main = BuildCAssertPair("int add(int a, int b) { return a + b; }\n", "int x;\n", 1000);
  EXPECT_EQ(no_main.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(no_main.status().message().find("no main"), std::string_view::npos);
  auto bad = BuildCAssertPair("char* s = \"unterminated;\n", "int main(void) { return 0; }\n", 1);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace verdict::code
