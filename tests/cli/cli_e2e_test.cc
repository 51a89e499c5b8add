// The `verdict` binary as a script would use it: files in, files out, exit codes.
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/e2e/server_process.h"

namespace verdict {
namespace {

using testing::HasSubstr;
using testing_util::RunVerdict;
using testing_util::TempPath;

std::string Example() { return std::string(VERDICT_SOURCE_DIR) + "/examples/r1_math.jsonl"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

TEST(VerdictScore, InProcessOutputEqualsServerOutput) {
  std::string local = TempPath("local.jsonl"), remote = TempPath("remote.jsonl");
  ASSERT_EQ(RunVerdict({"score", "--input", Example(), "--output", local, "--quiet"}), 0);
  testing_util::ServerProcess server({"--listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok());
  ASSERT_EQ(RunVerdict({"score", "--input", Example(), "--output", remote, "--quiet", "--server",
                        server.addresses()[0]}),
            0);
  std::string a = ReadFile(local), b = ReadFile(remote);
  EXPECT_EQ(Lines(a).size(), 4u);
  EXPECT_EQ(a, b);
  // Every component on (they travel as packed lists with --server, in enum order, and print
  // sorted by name): still the same bytes.
  const std::vector<std::string> all = {"--language",   "en",       "--overlong",
                                        "200,50",       "--cosine", "300",
                                        "--repetition", "3,-1",     "--kimi-length"};
  std::string local_all = TempPath("local_all.jsonl"), remote_all = TempPath("remote_all.jsonl");
  std::vector<std::string> args = {"score", "--input", Example(), "--quiet", "--output"};
  std::vector<std::string> in_process = args, served = args;
  in_process.push_back(local_all);
  served.insert(served.end(), {remote_all, "--server", server.addresses()[0]});
  in_process.insert(in_process.end(), all.begin(), all.end());
  served.insert(served.end(), all.begin(), all.end());
  ASSERT_EQ(RunVerdict(in_process), 0);
  ASSERT_EQ(RunVerdict(served), 0);
  std::string c = ReadFile(local_all);
  EXPECT_THAT(c, HasSubstr(R"("components":{"accuracy":)"));
  for (const char* name : {"cosine", "format", "language", "length", "overlong", "repetition"}) {
    EXPECT_THAT(c, HasSubstr("\"" + std::string(name) + "\":")) << name;
  }
  EXPECT_EQ(c, ReadFile(remote_all));
  // Every output line is the input line plus the "verdict" member.
  std::vector<std::string> in = Lines(ReadFile(Example())), out = Lines(a);
  simdjson::dom::parser parser;
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].substr(0, in[i].size() - 1), in[i].substr(0, in[i].size() - 1));
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(out[i]).get(e), simdjson::SUCCESS);
    EXPECT_TRUE(e["verdict"]["samples"].is_array());
  }
}

// `output` without what a code test measured (times and memory differ from run to run).
std::string Unmeasured(const std::string& output) {
  static const std::regex measured(R"re("(wall_ms|cpu_ms|peak_memory_bytes)":[-+.e0-9]+)re");
  return std::regex_replace(output, measured, "$1");
}

// Everything the output and the summary print, from each kind of result the server sends: the
// client reads a response's wire bytes (cli/result_wire.h), in-process the messages; both must
// write the same bytes. Instruction, math, code (a failing test's message), language and
// format details, group errors, pass@k and maj@k stats, grouped and one-completion-per-line.
TEST(VerdictScore, EveryResultFieldIsTheSameInProcessAndWithServer) {
  std::string text = ReadFile(Example());
  text +=
      R"({"id": "if", "prompt": "Write about cats.", "completions": [)"
      R"("<think>ok</think><answer>Cats are great. I love cats a lot.</answer>",)"
      R"("<think>hm</think><answer>dogs</answer>"], "instructions": [)"
      R"({"id": "keywords:existence", "keywords": ["cats"]},)"
      R"({"id": "length_constraints:number_words", "num_words": 5, "relation": "at least"}]})"
      "\n"
      R"({"id": "bad", "prompt": "x", "completions": ["a"], "instructions": [{"id": "no:such"}]})"
      "\n"
      R"({"id": "code", "prompt": "Double it.", "completions": [)"
      R"("<think>x</think><answer>\n```python\nprint(int(input()) * 2)\n```\n</answer>",)"
      R"("<think>x</think><answer>\n```python\nprint(int(input()) * 3)\n```\n</answer>",)"
      R"("<think>x</think><answer>\n```python\nraise SystemExit(input())\n```\n</answer>"],)"
      R"( "code": {"language": "python3", "tests": [{"input": "3\n", "expected": "6\n"}]}})"
      "\n";
  // The same rollouts one completion per line.
  std::string per_line;
  simdjson::dom::parser parser;
  for (const std::string& line : Lines(text)) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS);
    for (simdjson::dom::element c : e["completions"].get_array()) {
      std::string rest;
      for (auto [key, value] : e.get_object()) {
        if (key == "completions") continue;
        rest += ",\"" + std::string(key) + "\":" + simdjson::minify(value);
      }
      per_line += "{\"completion\":" + simdjson::minify(c) + rest + "}\n";
    }
  }
  std::string grouped_input = TempPath("every.jsonl"), per_line_input = TempPath("every1.jsonl");
  WriteFile(grouped_input, text);
  WriteFile(per_line_input, per_line);
  testing_util::ServerProcess server({"--listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok());
  for (const std::string& input : {grouped_input, per_line_input}) {
    SCOPED_TRACE(input);
    std::vector<std::string> outputs, summaries;
    for (bool remote : {false, true}) {
      std::string out = TempPath("every_out.jsonl"), err = TempPath("every_err.txt");
      std::vector<std::string> args = {"score",       "--input", input,          "--majority-vote",
                                       "--pass-at-k", "1,2",     "--language",   "en",
                                       "--overlong",  "200,50",  "--repetition", "3,-1"};
      if (remote) args.insert(args.end(), {"--server", server.addresses()[0]});
      ASSERT_EQ(RunVerdict(args, out, err), 3);  // the "bad" group is rejected
      outputs.push_back(Unmeasured(ReadFile(out)));
      std::string summary = ReadFile(err);
      summaries.push_back(summary.substr(summary.find(" samples/s)")));  // not the timing
    }
    for (const char* field :
         {"\"instructions\":{", "\"math\":{", "\"code\":{", "\"language\":{", "\"format\":{",
          "\"error\":{", "\"majority\":{", "\"pass_at_k\":{", "RUNTIME_ERROR", "\"overlong\":"}) {
      EXPECT_THAT(outputs[0], HasSubstr(field));
    }
    EXPECT_EQ(outputs[0], outputs[1]);
    EXPECT_THAT(summaries[0], HasSubstr("maj@k accuracy"));
    EXPECT_EQ(summaries[0], summaries[1]);
  }
}

TEST(VerdictScore, BatchScaledAdvantagesAreTheSameInProcessAndWithServer) {
  // --server sends 64 groups a call by default, in-process batches are 16: with batch whitening
  // the batch decides the advantages, so both must then use the same one. 40 groups: different
  // batches would whiten over 16+16+8 groups in one path and 40 in the other.
  std::string input = TempPath("forty.jsonl");
  std::vector<std::string> lines = Lines(ReadFile(Example()));
  std::string text;
  for (int i = 0; i < 40; ++i) {
    std::string line = lines[i % lines.size()];
    line.replace(line.find("\"id\": \""), 7, "\"id\": \"" + std::to_string(i) + "-");
    text += line + "\n";
  }
  WriteFile(input, text);
  testing_util::ServerProcess server({"--listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok());
  for (std::string flag : {"--estimator", "--scale"}) {
    SCOPED_TRACE(flag);
    const std::string value = flag == "--estimator" ? "reinforce_pp_baseline" : "batch";
    std::string local = TempPath("forty_local.jsonl"), remote = TempPath("forty_remote.jsonl");
    ASSERT_EQ(RunVerdict({"score", "--input", input, "--output", local, "--quiet", flag, value}),
              0);
    ASSERT_EQ(RunVerdict({"score", "--input", input, "--output", remote, "--quiet", flag, value,
                          "--server", server.addresses()[0]}),
              0);
    std::string a = ReadFile(local);
    EXPECT_EQ(Lines(a).size(), 40u);
    EXPECT_EQ(a, ReadFile(remote));
  }
}

TEST(VerdictScore, CodeGroupsAreScoredInProcessAfterMathOnlyBatchesAsByTheServer) {
  // In-process, the sandbox runner is created at the first batch with a code group: one group a
  // batch, the math groups come first, so the runner is made after batches that did not need it.
  std::string input = TempPath("code.jsonl");
  std::string text = ReadFile(Example());
  // Two completions as JSON strings: one doubles its input (right), one triples it (wrong).
  text +=
      R"({"id": "double", "prompt": "Double the number.", "completions": [)"
      R"("<think>double it</think><answer>\n```python\nprint(int(input()) * 2)\n```\n</answer>",)"
      R"("<think>triple it</think><answer>\n```python\nprint(int(input()) * 3)\n```\n</answer>"],)"
      R"( "code": {"language": "python3", "tests": [{"input": "3\n", "expected": "6\n"},)"
      R"( {"input": "5\n", "expected": "10\n"}]}})"
      "\n";
  WriteFile(input, text);
  std::string local = TempPath("code_local.jsonl"), remote = TempPath("code_remote.jsonl");
  ASSERT_EQ(
      RunVerdict({"score", "--input", input, "--output", local, "--quiet", "--batch-groups", "1"}),
      0);
  testing_util::ServerProcess server({"--listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok());
  ASSERT_EQ(RunVerdict({"score", "--input", input, "--output", remote, "--quiet", "--server",
                        server.addresses()[0]}),
            0);
  std::string a = ReadFile(local);
  std::vector<std::string> lines = Lines(a);
  ASSERT_EQ(lines.size(), 5u);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  ASSERT_EQ(parser.parse(lines[4]).get(e), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(e["verdict"]["samples"].at(0)["verdict"]), "CORRECT") << lines[4];
  EXPECT_EQ(std::string_view(e["verdict"]["samples"].at(1)["verdict"]), "WRONG_ANSWER");
  // The same bytes but for what each run measured (times, memory).
  EXPECT_EQ(Unmeasured(a), Unmeasured(ReadFile(remote)));
  // --no-code: no runner at all, the code group is refused (exit 3), the math groups scored.
  std::string refused = TempPath("code_refused.jsonl");
  EXPECT_EQ(RunVerdict({"score", "--input", input, "--output", refused, "--quiet", "--no-code"}),
            3);
  lines = Lines(ReadFile(refused));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_THAT(lines[4], HasSubstr("does not run code"));
  EXPECT_EQ(lines[0], Lines(a)[0]);
}

TEST(VerdictScore, SpecFlagsChangeTheRewards) {
  std::string out = TempPath("spec.jsonl"), spec = TempPath("spec.json");
  WriteFile(spec, R"({"weights": {"format": 0.25}})");
  ASSERT_EQ(RunVerdict({"score", "--input", Example(), "--output", out, "--quiet", "--spec", spec,
                        "--std", "population"}),
            0);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  ASSERT_EQ(parser.parse(Lines(ReadFile(out))[0]).get(e), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(double(e["verdict"]["samples"].at(0)["reward"]), 1.25);
  // Rewards 1.25, 1.25, 0.25, 1.0: mean 0.9375, population variance 0.671875 / 4.
  EXPECT_NEAR(double(e["verdict"]["stats"]["std"]), std::sqrt(0.671875 / 4), 1e-15);
}

TEST(VerdictScore, MalformedLinesAreReportedScoredAroundAndExitThree) {
  std::string in = TempPath("bad.jsonl"), out = TempPath("bad_out.jsonl"),
              err = TempPath("bad.err");
  WriteFile(in,
            "{\"id\":\"a\",\"gold\":\"1\",\"completions\":[\"\\\\boxed{1}\",\"x\"],\"extra\":[1]}\n"
            "{not json\n"
            "{\"id\":\"b\",\"completions\":[\"x\"]}\n"
            "{\"id\":\"c\",\"gold\":\"2\",\"completions\":[\"<answer>2</answer>\xff\"]}\n");
  EXPECT_EQ(RunVerdict({"score", "--input", in, "--output", out}, "", err), 3);
  std::vector<std::string> lines = Lines(ReadFile(out));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[0], HasSubstr(R"("extra":[1],"verdict":{"group_id":"a")"));
  EXPECT_THAT(lines[1], HasSubstr(R"({"verdict_error":{"code":3,"message":"line 2: invalid JSON)"));
  EXPECT_THAT(lines[1], HasSubstr(R"("raw":"{not json")"));
  EXPECT_THAT(lines[2], HasSubstr("has no reference"));
  EXPECT_THAT(lines[3], HasSubstr(R"("verdict":"CORRECT")"));
  std::string stderr_text = ReadFile(err);
  EXPECT_THAT(stderr_text, HasSubstr("line 2: invalid JSON"));
  EXPECT_THAT(stderr_text, HasSubstr("line 3: group 'b' has no reference"));
  EXPECT_THAT(stderr_text, HasSubstr("line 4: invalid UTF-8 replaced"));
  EXPECT_THAT(stderr_text, HasSubstr("scored 3 samples in 3 groups"));
}

TEST(VerdictScore, OneCompletionPerLineGetsOneResultPerLine) {
  std::string in = TempPath("perline.jsonl"), out = TempPath("perline_out.jsonl");
  WriteFile(in,
            R"({"id":"q","gold":"3","completion":"<think>a</think><answer>3</answer>"}
{"id":"q","gold":"3","completion":"<think>a</think><answer>4</answer>"}
{"id":"r","gold":"1","completion":"\\boxed{1}"}
)");
  ASSERT_EQ(RunVerdict({"score", "--input", in, "--output", out, "--quiet"}), 0);
  std::vector<std::string> lines = Lines(ReadFile(out));
  ASSERT_EQ(lines.size(), 3u);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  ASSERT_EQ(parser.parse(lines[1]).get(e), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(e["verdict"]["sample"]["verdict"]), "WRONG_ANSWER");
  EXPECT_EQ(int64_t(e["verdict"]["stats"]["num_samples"]), 2);
  EXPECT_LT(double(e["verdict"]["sample"]["advantage"]), 0);
  ASSERT_EQ(parser.parse(lines[2]).get(e), simdjson::SUCCESS);
  EXPECT_TRUE(bool(e["verdict"]["stats"]["zero_variance"]));
}

TEST(VerdictScore, UsageAndIoErrorsHaveDistinctExitCodes) {
  EXPECT_EQ(RunVerdict({"score"}, "/dev/null", "/dev/null"), 2);
  EXPECT_EQ(RunVerdict({"score", "--input", Example(), "--bogus"}, "/dev/null", "/dev/null"), 2);
  EXPECT_EQ(RunVerdict({"score", "--input", Example(), "--std", "weird"}, "/dev/null", "/dev/null"),
            2);
  EXPECT_EQ(RunVerdict({"score", "--input", "/nonexistent/x.jsonl"}, "/dev/null", "/dev/null"), 1);
  EXPECT_EQ(RunVerdict({"score", "--input", Example(), "--server", "unix:/nonexistent.sock"},
                       "/dev/null", "/dev/null"),
            1);
  EXPECT_EQ(RunVerdict({"frobnicate"}, "/dev/null", "/dev/null"), 2);
}

TEST(VerdictFilter, KeepsOnlyGoodCompletionsAndSaysWhyEachOtherWasDropped) {
  std::string in = TempPath("f_in.jsonl"), scored = TempPath("f_scored.jsonl"),
              sft = TempPath("f_sft.jsonl"), rejected = TempPath("f_rej.jsonl"),
              err = TempPath("f.err");
  const std::string long_paragraph(400, 'a');
  WriteFile(
      in,
      std::string(R"({"id":"q","prompt":"Compute 6*7.","gold":"42","completions":[)") +
          R"("<think>Six times seven is forty two.</think><answer>42</answer>",)" +
          R"("<think>Six times seven.</think><answer>41</answer>",)" +
          R"("Six times seven is \\boxed{42}",)" +
          R"({"text":"<think>Six times seven.</think><answer>42</answer>","finish_reason":"length"},)" +
          R"("<think>六乘以七等于四十二</think><answer>42</answer>",)" +
          R"("<think>Compute:\n```python\nprint(6*7)\n```\n</think><answer>42</answer>",)" +
          R"("<think>)" + long_paragraph + R"(</think><answer>42</answer>"]})" + "\n");
  ASSERT_EQ(RunVerdict({"score", "--input", in, "--output", scored, "--quiet", "--language", "en"}),
            0);
  ASSERT_EQ(RunVerdict({"filter", "--input", scored, "--output", sft, "--rejected", rejected,
                        "--max-paragraph-chars", "300"},
                       "", err),
            0);
  std::vector<std::string> kept = Lines(ReadFile(sft));
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_THAT(kept[0], HasSubstr(R"("completion":"<think>Six times seven is forty two.)"));
  EXPECT_THAT(kept[0], HasSubstr(R"("gold":"42")"));
  std::string rej = ReadFile(rejected);
  for (const char* reason : {"not_correct", "bad_format", "truncated", "language",
                             "code_in_reasoning", "long_paragraph"}) {
    EXPECT_THAT(rej, HasSubstr(std::string("\"reason\":\"") + reason + "\"")) << reason;
  }
  EXPECT_THAT(ReadFile(err), HasSubstr("kept 1 of 7 completions"));
}

TEST(VerdictCheck, ExitCodeSaysWhetherTheAnswerIsEquivalent) {
  std::string out = TempPath("check.txt");
  EXPECT_EQ(RunVerdict({"check", "42", "The answer is \\boxed{42}"}, out), 0);
  EXPECT_THAT(ReadFile(out), HasSubstr("verdict:   correct"));
  EXPECT_THAT(ReadFile(out), HasSubstr("(from boxed)"));
  EXPECT_EQ(RunVerdict({"check", "42", "41"}, out), 1);
  EXPECT_EQ(RunVerdict({"check", "42"}, "/dev/null", "/dev/null"), 2);
}

TEST(VerdictCheck, JsonlModeAnnotatesEachLine) {
  std::string in = TempPath("pairs.jsonl"), out = TempPath("pairs_out.jsonl");
  WriteFile(in, R"({"gold":"5","pred":"\\boxed{5}","k":1}
{"gold":["6","six"],"pred":"The final answer is 7"}
garbage
)");
  EXPECT_EQ(RunVerdict({"check", "--jsonl", in, "--output", out}, "", "/dev/null"), 3);
  std::vector<std::string> lines = Lines(ReadFile(out));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], HasSubstr(R"("k":1,"equivalent":true,"verdict":"correct")"));
  EXPECT_THAT(lines[1], HasSubstr(R"("equivalent":false)"));
  EXPECT_THAT(lines[2], HasSubstr(R"({"verdict_error":{"code":3,"message":"line 3: invalid JSON)"));
  EXPECT_THAT(lines[2], HasSubstr(R"("raw":"garbage")"));
}

TEST(VerdictCheck, JsonlLineWithALoneSurrogateStillGetsItsOutputLine) {
  // A lone surrogate escape is not a character: simdjson refuses the line. It used to be dropped,
  // so output line N no longer belonged to input line N.
  std::string in = TempPath("surrogate.jsonl"), out = TempPath("surrogate_out.jsonl"),
              err = TempPath("surrogate.err");
  WriteFile(in, R"({"gold":"1","pred":"\\boxed{1}"}
{"gold":"2","pred":"\ud800 \\boxed{2}"}
{"gold":"3","pred":"\\boxed{4}"}
)");
  EXPECT_EQ(RunVerdict({"check", "--jsonl", in, "--output", out}, "", err), 3);
  std::vector<std::string> lines = Lines(ReadFile(out));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], HasSubstr(R"("equivalent":true)"));
  EXPECT_THAT(lines[1], HasSubstr(R"({"verdict_error":{"code":3,"message":"line 2: invalid JSON)"));
  EXPECT_THAT(lines[1], HasSubstr(R"("raw":"{\"gold\":\"2\",\"pred\":\"\\ud800 )"));
  EXPECT_THAT(lines[2], HasSubstr(R"("equivalent":false)"));
  EXPECT_THAT(ReadFile(err), HasSubstr("line 2: invalid JSON"));
}

TEST(VerdictCheck, SeveralAnswerBlocksEarnNothingAsInScore) {
  // README: several <answer> blocks earn no accuracy. `check` reads answers by the same rules.
  std::string out = TempPath("check_blocks.txt");
  EXPECT_EQ(RunVerdict({"check", "6", "<answer>5</answer><answer>6</answer>"}, out), 1);
  EXPECT_THAT(ReadFile(out), HasSubstr("2 <answer> blocks"));
  EXPECT_EQ(RunVerdict({"check", "6", "<think>5?</think><answer>6</answer>"}, out), 0);
}

TEST(VerdictCheck, ABoxOnlyInsideThinkIsNoAnswerAsInScore) {
  // `check` read the box inside the reasoning while `score --format think_only` did not: the
  // reasoning is never the answer, in `check` and in `score` under every template.
  const std::string only_think = "<think>so it is \\boxed{5}</think>";
  std::string out = TempPath("check_think.txt");
  EXPECT_EQ(RunVerdict({"check", "5", only_think}, out), 1);
  EXPECT_THAT(ReadFile(out), HasSubstr("reasoning (<think>) and no answer after it"));
  EXPECT_EQ(RunVerdict({"check", "5", "<think>\\boxed{4}</think><answer>5</answer>"}, out), 0);
  EXPECT_EQ(RunVerdict({"check", "4", "<think>\\boxed{4}</think><answer>5</answer>"}, out), 1);

  std::string in = TempPath("think.jsonl"), scored = TempPath("think_out.jsonl");
  WriteFile(in, R"({"id":"a","gold":"5","completion":"<think>so it is \\boxed{5}</think>"}
{"id":"b","gold":"5","completion":"<think>so it is \\boxed{5}</think>"}
)");
  for (const char* format : {"r1", "think_only", "none"}) {
    ASSERT_EQ(
        RunVerdict({"score", "--input", in, "--output", scored, "--quiet", "--format", format}), 0);
    std::vector<std::string> lines = Lines(ReadFile(scored));
    ASSERT_EQ(lines.size(), 2u);
    simdjson::dom::parser parser;
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(lines[0]).get(e), simdjson::SUCCESS);
    EXPECT_EQ(std::string_view(e["verdict"]["sample"]["verdict"]), "NO_ANSWER") << format;
  }
}

TEST(VerdictCheck, ExplainsAndTakesThePolicies) {
  std::string out = TempPath("check_policy.txt");
  EXPECT_EQ(RunVerdict({"check", "\\frac{1}{3}", "0.333333"}, out), 0);
  EXPECT_THAT(ReadFile(out), HasSubstr("rounds to the decimal written"));
  EXPECT_EQ(RunVerdict({"check", "--decimal-policy", "exact", "\\frac{1}{3}", "0.333333"}, out), 1);
  EXPECT_THAT(ReadFile(out), HasSubstr("read as:   0.333333"));
  EXPECT_EQ(RunVerdict({"check", "--percent-policy", "number", "50\\%", "0.5"}, out), 1);
  EXPECT_EQ(RunVerdict({"check", "--percent-policy", "fraction", "50\\%", "0.5"}, out), 0);
  EXPECT_EQ(RunVerdict({"check", "--decimal-policy", "sloppy", "1", "1"}, "/dev/null", "/dev/null"),
            2);
  EXPECT_EQ(RunVerdict({"check", "1", "10^{10^{10}}"}, out), 3);  // undecided: digit budget
}

}  // namespace
}  // namespace verdict
