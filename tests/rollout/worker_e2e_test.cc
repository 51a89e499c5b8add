// End to end: verdict-rollout generates groups with a scripted tiny model, streams them to a
// real `verdict serve`, and writes scored rollouts whose rewards equal `verdict score` on the
// same completions. Skips when Python `tokenizers` or the verdict binary is missing.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
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
  ASSERT_EQ(std::system(absl::StrCat(VerdictBinary(), " score --quiet --input ", out, " --output ",
                                     rescored)
                            .c_str()),
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
  int rc = std::system(
      absl::StrCat(base, " --server 127.0.0.1:1 --connect-timeout-ms 300 2>", log).c_str());
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

// A --no-server run on the scripted e2e model (e2e_fixture.py); the output lines by id.
class WorkerRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = testing::PythonMissing("tokenizers, numpy"); !why.empty()) {
      GTEST_SKIP() << why;
    }
    dir_ = testing::ScratchDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(testing::RunScript("e2e_fixture.py", dir_ + " >/dev/null"), 0);
  }
  // Removes config.json's eos_token_id (the chain's <|im_end|>): nothing ends on it unless
  // another source names it.
  void DropConfigEos() {
    std::string config = testing::ReadFile(dir_ + "/config.json");
    const size_t at = config.find("\"eos_token_id\"");
    ASSERT_NE(at, std::string::npos);
    const size_t end = config.find_first_of(",}", at);
    config.replace(at, end - at, "\"eos_token_id\": null");
    testing::WriteFile(dir_ + "/config.json", config);
  }
  int Run(const std::string& flags, const std::string& prompts = "prompts.jsonl") {
    lines_.clear();
    const std::string cmd =
        absl::StrCat(WorkerBinary(), " --model ", dir_, " --prompts ", dir_, "/", prompts,
                     " --no-server --group-size 4 --max-new-tokens 12 --seed 3 --output ", dir_,
                     "/out.jsonl ", flags, " 2>", dir_, "/stderr.txt");
    const int rc = WEXITSTATUS(std::system(cmd.c_str()));
    std::istringstream in(testing::ReadFile(dir_ + "/out.jsonl"));
    for (std::string line; std::getline(in, line);) {
      simdjson::dom::element e;
      EXPECT_EQ(parser_.parse(line).get(e), simdjson::SUCCESS) << line;
      lines_[std::string(std::string_view(e["id"]))] = line;
    }
    return rc;
  }
  simdjson::dom::element Line(const std::string& id) {
    EXPECT_EQ(lines_.count(id), 1u) << id;
    return parser_.parse(lines_[id]).value();
  }
  std::string Stderr() { return testing::ReadFile(dir_ + "/stderr.txt"); }
  // The id of <|im_end|> in the fixture's tokenizer.json.
  std::string ImEnd() {
    simdjson::dom::parser p;
    simdjson::dom::element tok = p.load(dir_ + "/tokenizer.json");
    for (simdjson::dom::element a : simdjson::dom::array(tok["added_tokens"])) {
      if (std::string_view(a["content"]) == "<|im_end|>") return absl::StrCat(int64_t(a["id"]));
    }
    ADD_FAILURE() << "no <|im_end|> in the fixture";
    return "";
  }

  std::string dir_;
  simdjson::dom::parser parser_;
  std::map<std::string, std::string> lines_;
};

TEST_F(WorkerRun, LinesCarryTokenIdsAndPerTokenLogprobs) {
  ASSERT_EQ(Run("--no-progress --temperature 0.5"), 0) << Stderr();
  ASSERT_EQ(lines_.size(), 6u);
  for (const auto& [id, text] : lines_) {
    simdjson::dom::element e = Line(id);
    EXPECT_EQ(std::string_view(e["logprobs_kind"]), "raw");
    for (simdjson::dom::element c : simdjson::dom::array(e["completions"])) {
      simdjson::dom::array ids = c["token_ids"], lps = c["logprobs"];
      EXPECT_EQ(ids.size(), uint64_t(c["num_tokens"])) << text;
      ASSERT_EQ(lps.size(), ids.size()) << text;
      double sum = 0;
      for (simdjson::dom::element lp : lps) {
        EXPECT_LE(double(lp), 0.0);
        sum += double(lp);
      }
      EXPECT_NEAR(sum, double(c["logprob_sum"]), 1e-4);
      // The chain's sample ends on <|im_end|> (config.json's EOS), which is in token_ids.
      EXPECT_EQ(std::string_view(c["finish_reason"]), "eos") << text;
    }
  }
  // The scripted chain is one-hot but for the fair coin '7' | '4': log 0.5 at any temperature.
  // (Raw against processed values: generator_test.)
  ASSERT_EQ(Run("--no-progress --temperature 0.5 --logprobs processed"), 0) << Stderr();
  EXPECT_EQ(std::string_view(Line("q0")["logprobs_kind"]), "processed");
  EXPECT_NE(lines_["q0"].find("-0.693147182"), std::string::npos) << lines_["q0"];
  EXPECT_EQ(Run("--no-server --logprobs both"), 2);
}

TEST_F(WorkerRun, EosFromGenerationConfigOrFlagAndSpecialTokenStop) {
  DropConfigEos();
  auto reasons = [&] {
    std::map<std::string, int> n;
    for (const auto& [id, text] : lines_) {
      for (simdjson::dom::element c : simdjson::dom::array(Line(id)["completions"])) {
        ++n[std::string(std::string_view(c["finish_reason"]))];
      }
    }
    return n;
  };
  ASSERT_EQ(Run("--no-progress"), 0) << Stderr();
  EXPECT_EQ(reasons()["eos"], 0);  // nothing names <|im_end|> any more
  testing::WriteFile(dir_ + "/generation_config.json",
                     absl::StrCat("{\"eos_token_id\": [", ImEnd(), "]}"));
  ASSERT_EQ(Run("--no-progress"), 0) << Stderr();
  EXPECT_EQ(reasons()["eos"], 24);
  std::filesystem::remove(dir_ + "/generation_config.json");
  ASSERT_EQ(Run("--no-progress --eos '<|im_end|>'"), 0) << Stderr();
  EXPECT_EQ(reasons()["eos"], 24);
  ASSERT_EQ(Run(absl::StrCat("--no-progress --eos ", ImEnd())), 0) << Stderr();
  EXPECT_EQ(reasons()["eos"], 24);
  EXPECT_EQ(Run("--no-progress --eos no-such-token"), 1);
  EXPECT_NE(Stderr().find("--eos no-such-token"), std::string::npos) << Stderr();
  // A special token as a stop string: not in the text, yet it stops.
  ASSERT_EQ(Run("--no-progress --stop '<|im_end|>'"), 0) << Stderr();
  EXPECT_EQ(reasons()["stop"], 24);
  ASSERT_EQ(Run("--no-progress --stop '<|im_end|>' --include-stop"), 0) << Stderr();
  simdjson::dom::element c = Line("q0")["completions"].at(0);
  EXPECT_TRUE(absl::EndsWith(std::string(std::string_view(c["text"])), "</answer><|im_end|>"))
      << lines_["q0"];
  testing::WriteFile(dir_ + "/generation_config.json", "{\"eos_token_id\": \"x\"}");
  EXPECT_EQ(Run("--no-progress"), 1);
  EXPECT_NE(Stderr().find("generation_config.json"), std::string::npos) << Stderr();
}

TEST_F(WorkerRun, IncludeStopKeepsTheAnswerTag) {
  ASSERT_EQ(Run("--no-progress --stop '</answer>'"), 0) << Stderr();
  simdjson::dom::element c = Line("q1")["completions"].at(0);
  EXPECT_EQ(std::string_view(c["finish_reason"]), "stop");
  const std::string cut = std::string(std::string_view(c["text"]));
  EXPECT_TRUE(absl::EndsWith(cut, "<answer>72") || absl::EndsWith(cut, "<answer>42")) << cut;
  ASSERT_EQ(Run("--no-progress --stop '</answer>' --include-stop"), 0) << Stderr();
  c = Line("q1")["completions"].at(0);
  EXPECT_EQ(std::string_view(c["text"]), cut + "</answer>");
}

TEST_F(WorkerRun, StreamsFollowThePromptIdNotItsLine) {
  ASSERT_EQ(Run("--no-progress"), 0) << Stderr();
  const std::string q3 = lines_["q3"];
  // q3 alone, first line of another shard: the same draws.
  testing::WriteFile(dir_ + "/shard.jsonl",
                     "{\"id\": \"q3\", \"prompt\": \"Add 36 and 36.\", \"gold\": \"72\"}\n");
  ASSERT_EQ(Run("--no-progress", "shard.jsonl"), 0) << Stderr();
  EXPECT_EQ(lines_["q3"], q3);
  // --seed-offset moves every prompt to other streams.
  ASSERT_EQ(Run("--no-progress --seed-offset 1", "shard.jsonl"), 0) << Stderr();
  EXPECT_NE(lines_["q3"], q3);
}

TEST_F(WorkerRun, EmptyPlainPromptIsALineErrorNotAnAbortedRun) {
  testing::WriteFile(dir_ + "/mixed.jsonl",
                     "{\"id\": \"empty\", \"prompt\": \"\"}\n"
                     "{\"id\": \"ok\", \"prompt\": \"Say 72.\", \"gold\": \"72\"}\n");
  ASSERT_EQ(Run("--no-progress --template plain", "mixed.jsonl"), 0) << Stderr();
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_NE(std::string_view(Line("empty")["error"]).find("empty prompt"), std::string::npos);
  EXPECT_EQ(simdjson::dom::array(Line("empty")["completions"]).size(), 0u);
  EXPECT_EQ(simdjson::dom::array(Line("ok")["completions"]).size(), 4u);
  EXPECT_NE(Stderr().find("1 prompts not generated"), std::string::npos) << Stderr();
}

TEST_F(WorkerRun, LoneSurrogateIsReportedAsBadJson) {
  testing::WriteFile(dir_ + "/bad.jsonl", "{\"id\": \"x\", \"prompt\": \"\\ud800\"}\n");
  EXPECT_EQ(Run("--no-progress", "bad.jsonl"), 1);
  EXPECT_NE(Stderr().find("bad.jsonl:1: not valid JSON"), std::string::npos) << Stderr();
  EXPECT_EQ(Stderr().find("not a JSON object"), std::string::npos) << Stderr();
}

TEST_F(WorkerRun, BatchComesFromTheKvBudget) {
  ASSERT_EQ(Run("--no-progress --kv-cache-bytes 4M"), 0) << Stderr();
  EXPECT_NE(Stderr().find("verdict-rollout: batch of "), std::string::npos) << Stderr();
  ASSERT_EQ(Run("--no-progress --kv-cache-bytes 4M --max-batch 8"), 0) << Stderr();
  EXPECT_NE(Stderr().find("batch of 8 samples (KV budget"), std::string::npos) << Stderr();
  EXPECT_EQ(lines_.size(), 6u);
  EXPECT_EQ(Run("--no-progress --kv-cache-bytes 1K"), 1);
  EXPECT_NE(Stderr().find("bytes of KV cache; the budget is 1024"), std::string::npos) << Stderr();
}

TEST_F(WorkerRun, ProgressLinesWhenStderrIsNotATerminal) {
  ASSERT_EQ(Run("--progress-interval-s 0.000001"), 0) << Stderr();
  EXPECT_NE(Stderr().find("verdict-rollout: progress ["), std::string::npos) << Stderr();
  ASSERT_EQ(Run("--no-progress"), 0) << Stderr();
  EXPECT_EQ(Stderr().find("verdict-rollout: progress"), std::string::npos) << Stderr();
}

}  // namespace
}  // namespace verdict::rollout
