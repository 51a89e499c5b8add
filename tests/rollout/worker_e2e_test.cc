// End to end: verdict-rollout generates groups with a scripted tiny model, streams them to a
// real `verdict serve`, and writes scored rollouts whose rewards equal `verdict score` on the
// same completions. Skips when Python `tokenizers` or the verdict binary is missing.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/rollout/test_util.h"

namespace verdict::rollout {
namespace {

std::string VerdictBinary() {
  if (const char* env = std::getenv("VERDICT_BIN")) return env;
  return std::string(VERDICT_BINARY_DIR) + "/cli/verdict";
}
// VERDICT_ROLLOUT_BIN picks another worker binary (ctest: the SIMT-emulator build, whose CUDA
// path runs on the CPU); VERDICT_ROLLOUT_EXPECT, when set, must appear in the worker's stderr
// (which path it took).
std::string WorkerBinary() {
  if (const char* env = std::getenv("VERDICT_ROLLOUT_BIN")) return env;
  return std::string(VERDICT_BINARY_DIR) + "/rollout/verdict-rollout";
}

class Server {
 public:
  bool Start(const std::string& dir) {
    const std::string port_file = dir + "/port.txt";
    pid_ = fork();
    if (pid_ == 0) {
      const std::string bin = VerdictBinary();
      execl(bin.c_str(), bin.c_str(), "serve", "--listen", "127.0.0.1:0", "--port-file",
            port_file.c_str(), "--log-level", "warning", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      std::string text = testing::ReadFile(port_file);
      if (!text.empty() && text.back() == '\n') {
        address_ = text.substr(0, text.find('\n'));
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  ~Server() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& address() const { return address_; }

 private:
  pid_t pid_ = -1;
  std::string address_;
};

TEST(WorkerEndToEnd, StreamsGroupsAndRewardsEqualVerdictScore) {
  if (std::string why = testing::PythonMissing("tokenizers, numpy"); !why.empty()) {
    GTEST_SKIP() << why;
  }
  if (!std::filesystem::exists(VerdictBinary())) {
    GTEST_SKIP() << "verdict binary not built at " << VerdictBinary()
                 << " (build target `verdict` or set VERDICT_BIN)";
  }
  const std::string dir = testing::ScratchDir("e2e");
  ASSERT_EQ(testing::RunScript("e2e_fixture.py", dir + " >/dev/null"), 0);
  Server server;
  ASSERT_TRUE(server.Start(dir)) << "verdict serve did not start";
  const std::string out = dir + "/scored.jsonl";
  const std::string cmd = absl::StrCat(
      WorkerBinary(), " --model ", dir, " --prompts ", dir, "/prompts.jsonl --group-size 8",
      " --max-new-tokens 20 --max-batch 16 --seed 7 --no-progress --server ", server.address(),
      " --output ", out, " 2>", dir, "/worker.log");
  const int rc = std::system(cmd.c_str());
  const std::string log = testing::ReadFile(dir + "/worker.log");
  std::printf("%s", log.c_str());  // which path the worker took, for the logs
  ASSERT_EQ(rc, 0) << cmd;
  if (const char* want = std::getenv("VERDICT_ROLLOUT_EXPECT")) {
    EXPECT_NE(log.find(want), std::string::npos) << "worker stderr lacks \"" << want << "\"";
  }
  const std::string rescored = dir + "/rescored.jsonl";
  ASSERT_EQ(std::system(absl::StrCat(VerdictBinary(), " score --quiet --input ", out,
                                     " --output ", rescored).c_str()),
            0);

  simdjson::dom::parser p1, p2;
  std::istringstream a(testing::ReadFile(out)), b(testing::ReadFile(rescored));
  std::string la, lb;
  int groups = 0, samples = 0, right = 0, wrong = 0;
  while (std::getline(a, la) && std::getline(b, lb)) {
    simdjson::dom::element ours = p1.parse(la), theirs = p2.parse(lb);
    ASSERT_EQ(std::string_view(ours["id"]), std::string_view(theirs["id"]));
    simdjson::dom::array rewards = ours["rewards"], advantages = ours["advantages"];
    simdjson::dom::array ref = theirs["verdict"]["samples"];
    ASSERT_EQ(rewards.size(), 8u);
    ASSERT_EQ(ref.size(), 8u);
    for (size_t i = 0; i < 8; ++i) {
      const double r = double(rewards.at(i)), want = double(ref.at(i)["reward"]);
      EXPECT_EQ(r, want) << la;
      EXPECT_NEAR(double(advantages.at(i)), double(ref.at(i)["advantage"]), 1e-12);
      right += r == 2.0;  // format + accuracy
      wrong += r == 1.0;  // format only
      ++samples;
    }
    ++groups;
  }
  EXPECT_EQ(groups, 6);
  EXPECT_EQ(right + wrong, samples) << "every scripted completion is well-formatted";
  EXPECT_GT(right, 0);
  EXPECT_GT(wrong, 0);
}

TEST(WorkerEndToEnd, ReportsUnreachableServerAndBadFlags) {
  if (std::string why = testing::PythonMissing("tokenizers, numpy"); !why.empty()) {
    GTEST_SKIP() << why;
  }
  const std::string dir = testing::ScratchDir("e2e_bad");
  ASSERT_EQ(testing::RunScript("e2e_fixture.py", dir + " >/dev/null"), 0);
  const std::string base = absl::StrCat(WorkerBinary(), " --model ", dir, " --prompts ", dir,
                                        "/prompts.jsonl --output ", dir, "/o.jsonl");
  const std::string log = dir + "/stderr.txt";
  int rc = std::system(absl::StrCat(base, " --server 127.0.0.1:1 --connect-timeout-ms 300 2>", log).c_str());
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(testing::ReadFile(log).find("cannot reach the Verdict server"), std::string::npos);
  rc = std::system(absl::StrCat(base, " 2>", log).c_str());
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(testing::ReadFile(log).find("--no-server"), std::string::npos);
  rc = std::system(absl::StrCat(base, " --no-server --group-size 3 --no-progress 2>", log).c_str());
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_NE(testing::ReadFile(log).find("generated tokens/s"), std::string::npos);
  EXPECT_NE(testing::ReadFile(dir + "/o.jsonl").find("\"rewards\":[null,null,null]"),
            std::string::npos);
}

}  // namespace
}  // namespace verdict::rollout
