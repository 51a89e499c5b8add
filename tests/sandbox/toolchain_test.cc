// Toolchain table and compile cache through the real sandbox.
#include "sandbox/toolchain.h"

#include "gtest/gtest.h"
#include "sandbox/compile_cache.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace verdict::sandbox {
namespace {

using testing::SharedRunner;

std::unique_ptr<CompileCache> NewCache() {
  CompileCacheOptions o;
  o.dir = "/tmp/verdict-cache-test";  // each cache makes and removes its own subdirectory
  auto c = CompileCache::Create(o);
  EXPECT_TRUE(c.ok());
  return *std::move(c);
}

absl::StatusOr<RunResult> RunProgram(const Toolchain& tc, const std::string& src,
                                     const std::string& bin, const std::string& stdin_data) {
  RunRequest r;
  r.argv = ExpandArgv(tc.run_argv, tc, bin);
  if (tc.compile_argv.empty()) r.files.push_back({tc.source_name, src, false});
  r.stdin_data = stdin_data;
  r.limits.memory_bytes = std::max<int64_t>(r.limits.memory_bytes, tc.min_memory_bytes);
  return SharedRunner().Run(r, nullptr);
}

TEST(Toolchain, TableHasPythonCppCAndJavascript) {
  auto table = DefaultToolchains();
  ASSERT_NE(FindToolchain(table, "python"), nullptr);
  EXPECT_EQ(FindToolchain(table, "py")->name, "python3");
  EXPECT_EQ(FindToolchain(table, "C++")->name, "cpp17");
  EXPECT_EQ(FindToolchain(table, "cpp20")->name, "cpp20");
  EXPECT_EQ(FindToolchain(table, "c")->name, "c");
  EXPECT_EQ(FindToolchain(table, "js")->name, "javascript");
  EXPECT_EQ(FindToolchain(table, "cobol"), nullptr);
}

struct Hello {
  const char* toolchain;
  const char* source;
};

TEST(Toolchain, EveryLanguageCompilesAndRunsSumOfTwoNumbers) {
  auto table = DefaultToolchains();
  auto cache = NewCache();
  for (Hello h : {Hello{"python3", "a, b = map(int, input().split())\nprint(a + b)\n"},
                  Hello{"cpp17",
                        "#include <bits/stdc++.h>\nint main(){long a,b;std::cin>>a>>b;"
                        "std::cout<<a+b<<\"\\n\";}\n"},
                  Hello{"cpp20",
                        "#include <iostream>\n#include <span>\nint main(){long a,b;"
                        "std::cin>>a>>b;std::cout<<a+b<<\"\\n\";}\n"},
                  Hello{"c",
                        "#include <stdio.h>\nint main(){long a,b;scanf(\"%ld %ld\",&a,&b);"
                        "printf(\"%ld\\n\",a+b);}\n"},
                  Hello{"javascript",
                        "const [a,b]=require('fs').readFileSync(0,'utf8').trim()"
                        ".split(/\\s+/).map(Number);console.log(a+b);\n"}}) {
    SCOPED_TRACE(h.toolchain);
    const Toolchain* tc = FindToolchain(table, h.toolchain);
    ASSERT_NE(tc, nullptr);
    std::string bin;
    if (!tc->compile_argv.empty()) {
      auto c = cache->Compile(*tc, h.source, SharedRunner(), nullptr);
      ASSERT_TRUE(c.ok()) << c.status();
      ASSERT_TRUE(c->ok) << c->diagnostics;
      bin = c->binary_path;
    }
    auto r = RunProgram(*tc, h.source, bin, "2 40\n");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, RunStatus::kOk) << r->stderr_data;
    EXPECT_EQ(r->stdout_data, "42\n");
  }
}

TEST(CompileCache, SecondCompileOfSameSourceIsAHit) {
  auto table = DefaultToolchains();
  auto cache = NewCache();
  const Toolchain* tc = FindToolchain(table, "c");
  const std::string src = "int main(){return 0;}\n";
  auto a = cache->Compile(*tc, src, SharedRunner(), nullptr);
  auto b = cache->Compile(*tc, src, SharedRunner(), nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->cache_hit);
  EXPECT_TRUE(b->cache_hit);
  EXPECT_EQ(a->binary_path, b->binary_path);
  auto c = cache->Compile(*tc, src + "\n", SharedRunner(), nullptr);
  EXPECT_FALSE(c->cache_hit);
  EXPECT_EQ(cache->stats().hits, 1);
  EXPECT_EQ(cache->stats().misses, 2);
}

TEST(CompileCache, CompileErrorIsAnOutcomeWithDiagnostics) {
  auto table = DefaultToolchains();
  auto cache = NewCache();
  auto c =
      cache->Compile(*FindToolchain(table, "cpp17"), "int main( { oops }", SharedRunner(), nullptr);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->ok);
  EXPECT_NE(c->diagnostics.find("error"), std::string::npos);
}

TEST(CompileCache, CompilerCannotReadHostSecrets) {
  auto table = DefaultToolchains();
  auto cache = NewCache();
  auto c = cache->Compile(*FindToolchain(table, "c"), "#include \"/etc/shadow\"\n", SharedRunner(),
                          nullptr);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->ok);
  // Another uid cannot read it; a root of its own (mount namespace) does not even have it.
  EXPECT_TRUE(c->diagnostics.find("Permission denied") != std::string::npos ||
              c->diagnostics.find("No such file") != std::string::npos)
      << c->diagnostics;
}

}  // namespace
}  // namespace verdict::sandbox
