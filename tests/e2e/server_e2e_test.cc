// End to end: the real `verdict serve` binary, driven over gRPC on TCP and a Unix socket.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <sstream>

#include "cli/jsonl_input.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/server_process.h"
#include "verdict/v1/verdict.grpc.pb.h"

namespace verdict {
namespace {

using testing::HasSubstr;
using testing_util::ServerProcess;

std::vector<v1::Group> ExampleGroups() {
  std::ifstream in(std::string(VERDICT_SOURCE_DIR) + "/examples/r1_math.jsonl");
  cli::JsonlGroupReader reader(&in, cli::InputOptions{});
  std::vector<v1::Group> groups;
  cli::InputUnit unit;
  while (reader.Next(&unit)) groups.push_back(unit.group);
  return groups;
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// grpc.health.v1.Health/Check through the generic stub (its C++ stubs are not shipped): the
// request for the whole server is empty; the response's field 1 is the status enum.
int HealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                 grpc::Status* status_out = nullptr) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::ByteBuffer request, response;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) { done.set_value(s); });
  grpc::Status s = done.get_future().get();
  if (status_out) *status_out = s;
  if (!s.ok()) return -1;
  std::vector<grpc::Slice> slices;
  (void)response.Dump(&slices);
  std::string bytes;
  for (auto& sl : slices) bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  if (bytes.size() == 2 && bytes[0] == 0x08) return bytes[1];  // 1 SERVING, 2 NOT_SERVING
  return bytes.empty() ? 0 : -2;
}

// Sends raw bytes as a Score request.
grpc::Status RawScore(const std::shared_ptr<grpc::Channel>& channel, const std::string& bytes) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/verdict.v1.RewardService/Score", grpc::StubOptions(), &request,
                 &response, [&](grpc::Status s) { done.set_value(s); });
  return done.get_future().get();
}

// Rewards and GRPO advantages (sample std, epsilon 1e-6) computed by hand for the example.
void ExpectExampleResults(const v1::ScoreResponse& response) {
  const std::map<std::string, std::vector<double>> rewards = {{"gsm8k-1", {2, 2, 1, 1}},
                                                              {"math-frac", {2, 2, 1, 1}},
                                                              {"math-all-right", {2, 2}},
                                                              {"math-unanswered", {2, 0, 0, 1}}};
  ASSERT_EQ(response.groups_size(), 4);
  for (const v1::GroupResult& g : response.groups()) {
    SCOPED_TRACE(g.group_id());
    ASSERT_FALSE(g.has_error()) << g.error().message();
    const std::vector<double>& r = rewards.at(g.group_id());
    ASSERT_EQ(g.samples_size(), static_cast<int>(r.size()));
    double m = 0, sq = 0;
    for (double x : r) m += x / r.size();
    for (double x : r) sq += (x - m) * (x - m);
    const double sd = std::sqrt(sq / (r.size() - 1));
    EXPECT_NEAR(g.stats().mean(), m, 1e-12);
    EXPECT_NEAR(g.stats().std(), sd, 1e-12);
    EXPECT_EQ(g.stats().zero_variance(), g.group_id() == "math-all-right");
    for (size_t i = 0; i < r.size(); ++i) {
      EXPECT_DOUBLE_EQ(g.samples(i).reward(), r[i]) << i;
      double adv = g.stats().zero_variance() ? 0.0 : (r[i] - m) / (sd + 1e-6);
      EXPECT_NEAR(g.samples(i).advantage(), adv, 1e-9) << i;
    }
  }
  // Spot checks of the verdicts and explanations.
  const v1::GroupResult& gsm = response.groups(0);
  EXPECT_EQ(gsm.samples(0).verdict(), v1::CORRECT);
  EXPECT_EQ(gsm.samples(2).verdict(), v1::WRONG_ANSWER);
  EXPECT_EQ(gsm.samples(3).format().problem(), "missing <think>");
  EXPECT_EQ(response.groups(1).samples(3).format().problem(), "text after </answer>");
  EXPECT_EQ(response.groups(3).samples(1).verdict(), v1::NO_ANSWER);
}

class ServerE2E : public testing::Test {
 protected:
  void SetUp() override {
    socket_ = testing_util::TempPath("e2e.sock");
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--listen", "127.0.0.1:0", "--listen", "unix:" + socket_, "--threads", "2"});
    ASSERT_TRUE(server_->ok());
    ASSERT_EQ(server_->addresses().size(), 2u);
  }
  std::string socket_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ServerE2E, ScoresTheExampleOverTcpAndUnixSocketWithHandComputedResults) {
  for (const std::string& address : server_->addresses()) {
    SCOPED_TRACE(address);
    auto stub = v1::RewardService::NewStub(Connect(address));
    v1::ScoreRequest request;
    for (auto& g : ExampleGroups()) *request.add_groups() = g;
    v1::ScoreResponse response;
    grpc::ClientContext context;
    grpc::Status s = stub->Score(&context, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ExpectExampleResults(response);
  }
}

TEST_F(ServerE2E, EffectiveSpecIsInTheResultUnlessTheRequestOmitsIt) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[0]));
  for (bool omit : {false, true}) {
    SCOPED_TRACE(omit);
    v1::ScoreRequest request;
    for (auto& g : ExampleGroups()) *request.add_groups() = g;
    request.set_omit_effective_spec(omit);
    v1::ScoreResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub->Score(&context, request, &response).ok());
    ExpectExampleResults(response);  // the rewards do not depend on it
    for (const v1::GroupResult& g : response.groups()) {
      EXPECT_EQ(g.has_effective_spec(), !omit) << g.group_id();
      if (!omit) {
        EXPECT_TRUE(g.effective_spec().has_format()) << g.group_id();
      }
    }
  }
}

TEST_F(ServerE2E, PackedComponentsCarryTheMapsValuesInComponentOrder) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[0]));
  v1::ScoreResponse by_form[2];
  for (bool packed : {false, true}) {
    v1::ScoreRequest request;
    for (auto& g : ExampleGroups()) *request.add_groups() = g;
    request.mutable_spec()->mutable_cosine();  // a third component, after format in enum order
    request.mutable_spec()->mutable_repetition();
    request.set_packed_components(packed);
    grpc::ClientContext context;
    ASSERT_TRUE(stub->Score(&context, request, &by_form[packed]).ok());
  }
  const v1::ScoreResponse &map_form = by_form[0], &packed = by_form[1];
  ASSERT_EQ(packed.groups_size(), map_form.groups_size());
  for (int g = 0; g < packed.groups_size(); ++g) {
    for (int i = 0; i < packed.groups(g).samples_size(); ++i) {
      SCOPED_TRACE(testing::Message() << "group " << g << " sample " << i);
      const v1::SampleResult &p = packed.groups(g).samples(i), &m = map_form.groups(g).samples(i);
      EXPECT_TRUE(p.components().empty());
      EXPECT_EQ(p.reward(), m.reward());
      ASSERT_EQ(p.component_ids_size(), 4);
      ASSERT_EQ(p.component_values_size(), 4);
      EXPECT_THAT(p.component_ids(),
                  testing::ElementsAre(v1::COMPONENT_ACCURACY, v1::COMPONENT_FORMAT,
                                       v1::COMPONENT_COSINE, v1::COMPONENT_REPETITION));
      EXPECT_EQ(p.component_values(0), m.components().at("accuracy"));
      EXPECT_EQ(p.component_values(1), m.components().at("format"));
      EXPECT_EQ(p.component_values(2), m.components().at("cosine"));
      EXPECT_EQ(p.component_values(3), m.components().at("repetition"));
      EXPECT_EQ(m.components().size(), 4u);
    }
  }
}

TEST_F(ServerE2E, HealthIsServing) {
  EXPECT_EQ(HealthStatus(Connect(server_->addresses()[0])), 1);
  EXPECT_EQ(HealthStatus(Connect(server_->addresses()[1])), 1);
}

TEST_F(ServerE2E, GetInfoReportsVersionVerifiersLimitsAndDefaults) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[0]));
  grpc::ClientContext context;
  v1::ServerInfo info;
  ASSERT_TRUE(stub->GetInfo(&context, v1::GetInfoRequest(), &info).ok());
  EXPECT_FALSE(info.version().empty());
  EXPECT_THAT(info.verifiers(),
              testing::UnorderedElementsAre("math", "rules_only", "instructions", "code"));
  EXPECT_EQ(info.worker_threads(), 2);
  EXPECT_EQ(info.limits().max_message_bytes(), 256 << 20);
  EXPECT_EQ(info.default_spec().advantage().std(), v1::STD_KIND_SAMPLE);
  EXPECT_DOUBLE_EQ(info.default_spec().advantage().epsilon(), 1e-6);
}

TEST_F(ServerE2E, StreamReturnsEveryGroupTaggedWithItsId) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[1]));
  grpc::ClientContext context;
  auto stream = stub->ScoreStream(&context);
  std::vector<v1::Group> groups = ExampleGroups();
  for (int round = 0; round < 25; ++round) {
    for (v1::Group g : groups) {
      g.set_id(g.id() + "#" + std::to_string(round));
      v1::ScoreStreamRequest req;
      *req.mutable_group() = g;
      ASSERT_TRUE(stream->Write(req));
    }
  }
  stream->WritesDone();
  std::map<std::string, v1::GroupResult> results;
  v1::GroupResult r;
  while (stream->Read(&r)) results[r.group_id()] = r;
  ASSERT_TRUE(stream->Finish().ok());
  ASSERT_EQ(results.size(), 100u);
  v1::ScoreResponse as_response;
  for (const v1::Group& g : groups) *as_response.add_groups() = results.at(g.id() + "#7");
  for (auto& g : *as_response.mutable_groups())
    g.set_group_id(g.group_id().substr(0, g.group_id().find('#')));
  ExpectExampleResults(as_response);
}

TEST_F(ServerE2E, StreamSpecAppliesToLaterGroupsAndBadGroupsGetErrorsNotACrash) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[0]));
  grpc::ClientContext context;
  auto stream = stub->ScoreStream(&context);
  v1::ScoreStreamRequest req;
  *req.mutable_group() = ExampleGroups()[0];
  req.mutable_spec()->mutable_weights()->set_format(0);
  ASSERT_TRUE(stream->Write(req));
  v1::ScoreStreamRequest empty_group;
  empty_group.mutable_group()->set_id("empty");
  empty_group.mutable_group()->mutable_math()->add_gold_answers("1");
  ASSERT_TRUE(stream->Write(empty_group));
  v1::ScoreStreamRequest no_ref;
  no_ref.mutable_group()->set_id("noref");
  no_ref.mutable_group()->add_completions()->set_text("x");
  ASSERT_TRUE(stream->Write(no_ref));
  stream->WritesDone();
  std::map<std::string, v1::GroupResult> results;
  v1::GroupResult r;
  while (stream->Read(&r)) results[r.group_id()] = r;
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_DOUBLE_EQ(results["gsm8k-1"].samples(0).reward(), 1.0);  // format weight 0
  EXPECT_EQ(results["empty"].error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(results["empty"].error().message(), HasSubstr("no completions"));
  EXPECT_EQ(results["noref"].error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(results["noref"].error().message(), HasSubstr("no reference"));
}

TEST_F(ServerE2E, BatchScalingIsRefusedOnAStreamAndAppliedAcrossAUnaryBatch) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[0]));
  {
    grpc::ClientContext context;
    auto stream = stub->ScoreStream(&context);
    v1::ScoreStreamRequest req;
    *req.mutable_group() = ExampleGroups()[0];
    req.mutable_spec()->mutable_advantage()->set_estimator(
        v1::ADVANTAGE_ESTIMATOR_REINFORCE_PP_BASELINE);
    ASSERT_TRUE(stream->Write(req));
    stream->WritesDone();
    v1::GroupResult r;
    ASSERT_TRUE(stream->Read(&r));
    EXPECT_THAT(r.error().message(), HasSubstr("need the unary Score call"));
    EXPECT_TRUE(stream->Finish().ok());
  }
  v1::ScoreRequest request;
  for (auto& g : ExampleGroups()) *request.add_groups() = g;
  request.mutable_spec()->mutable_advantage()->set_estimator(
      v1::ADVANTAGE_ESTIMATOR_REINFORCE_PP_BASELINE);
  request.mutable_spec()->add_pass_at_k(2);
  v1::ScoreResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->Score(&context, request, &response).ok());
  // Centred rewards of the batch: +-0.5 (x8), 0 (x2, zero variance), 1.25,-0.75,-0.75,0.25.
  std::vector<double> centred = {0.5,  0.5, -0.5, -0.5, 0.5,   0.5,   -0.5,
                                 -0.5, 0,   0,    1.25, -0.75, -0.75, 0.25};
  double sq = 0;
  for (double c : centred) sq += c * c;
  const double sd = std::sqrt(sq / 13);  // batch mean is 0; sample std
  EXPECT_NEAR(response.groups(0).samples(0).advantage(), 0.5 / (sd + 1e-6), 1e-12);
  EXPECT_NEAR(response.groups(3).samples(0).advantage(), 1.25 / (sd + 1e-6), 1e-12);
  EXPECT_DOUBLE_EQ(response.groups(2).samples(0).advantage(), 0.0);
  EXPECT_DOUBLE_EQ(response.groups(3).stats().pass_at_k().at(2), 0.5);
}

TEST_F(ServerE2E, BadGroupsInABatchDoNotFailTheOthers) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[0]));
  v1::ScoreRequest request;
  *request.add_groups() = ExampleGroups()[0];
  request.add_groups()->set_id("no-completions");
  request.mutable_groups(1)->mutable_math()->add_gold_answers("1");
  v1::Group* single = request.add_groups();
  *single = ExampleGroups()[0];
  single->mutable_completions()->DeleteSubrange(1, 3);
  v1::Group* bad_spec = request.add_groups();
  *bad_spec = ExampleGroups()[0];
  bad_spec->mutable_spec()->mutable_advantage()->set_epsilon(-1);
  v1::ScoreResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->Score(&context, request, &response).ok());
  EXPECT_FALSE(response.groups(0).has_error());
  EXPECT_EQ(response.groups(1).error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(response.groups(2).samples_size(), 1);
  EXPECT_TRUE(response.groups(2).stats().zero_variance());
  EXPECT_DOUBLE_EQ(response.groups(2).samples(0).advantage(), 0.0);
  EXPECT_THAT(response.groups(3).error().message(), HasSubstr("epsilon"));
}

TEST_F(ServerE2E, InvalidRequestSpecIsInvalidArgument) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[0]));
  v1::ScoreRequest request;
  *request.add_groups() = ExampleGroups()[0];
  request.mutable_spec()->mutable_weights()->set_accuracy(std::nan(""));
  v1::ScoreResponse response;
  grpc::ClientContext context;
  grpc::Status s = stub->Score(&context, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("weights.accuracy must be finite"));
}

TEST_F(ServerE2E, HundredThousandCompletionsInOneRequestAreScored) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[1]));
  v1::ScoreRequest request;
  for (int g = 0; g < 100; ++g) {
    v1::Group* group = request.add_groups();
    group->set_id(std::to_string(g));
    group->mutable_math()->add_gold_answers("7");
    for (int i = 0; i < 1000; ++i) {
      group->add_completions()->set_text("<think>t</think><answer>" + std::to_string(i % 10) +
                                         "</answer>");
    }
  }
  v1::ScoreResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->Score(&context, request, &response).ok());
  ASSERT_EQ(response.groups_size(), 100);
  for (const auto& g : response.groups()) {
    ASSERT_EQ(g.samples_size(), 1000);
    EXPECT_EQ(g.stats().num_correct(), 100);
  }
}

TEST_F(ServerE2E, TenMegabyteCompletionGetsAVerdict) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[0]));
  v1::ScoreRequest request;
  v1::Group* g = request.add_groups();
  g->set_id("big");
  g->mutable_math()->add_gold_answers("5");
  g->add_completions()->set_text("<think>" + std::string(10 << 20, 'z') +
                                 "</think><answer>5</answer>");
  g->add_completions()->set_text("<answer>5</answer>");
  v1::ScoreResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->Score(&context, request, &response).ok());
  EXPECT_EQ(response.groups(0).samples(0).verdict(), v1::CORRECT);
  EXPECT_TRUE(response.groups(0).samples(0).format().ok());
  EXPECT_DOUBLE_EQ(response.groups(0).samples(0).reward(), 2.0);
}

TEST_F(ServerE2E, OneMillisecondDeadlineEndsTheCallAndTheServerCarriesOn) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[0]));
  v1::ScoreRequest request;
  for (int g = 0; g < 50; ++g) {
    v1::Group* group = request.add_groups();
    group->set_id(std::to_string(g));
    group->mutable_math()->add_gold_answers("1");
    for (int i = 0; i < 2000; ++i) group->add_completions()->set_text("<answer>1</answer>");
  }
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(1));
    v1::ScoreResponse response;
    grpc::Status s = stub->Score(&context, request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  grpc::ClientContext context;
  v1::ScoreResponse response;
  request.mutable_groups()->DeleteSubrange(1, 49);
  ASSERT_TRUE(stub->Score(&context, request, &response).ok());
  EXPECT_EQ(response.groups(0).stats().num_correct(), 2000);
}

TEST_F(ServerE2E, InvalidUtf8OnTheWireIsARejectedCallNotACrash) {
  v1::ScoreRequest request;
  *request.add_groups() = ExampleGroups()[0];
  request.mutable_groups(0)->mutable_completions(0)->set_text("<answer>QQQQ</answer>");
  std::string bytes = request.SerializeAsString();
  bytes.replace(bytes.find("QQQQ"), 4, "\xff\xfe\xc0\xaf");
  auto channel = Connect(server_->addresses()[0]);
  grpc::Status s = RawScore(channel, bytes);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error_code(), grpc::StatusCode::UNAVAILABLE);  // the server is still there
  EXPECT_EQ(HealthStatus(channel), 1);
}

TEST_F(ServerE2E, GarbageBytesAreARejectedCallNotACrash) {
  auto channel = Connect(server_->addresses()[0]);
  grpc::Status s = RawScore(channel, std::string("\x0a\xff\xff\xff\xff\x0f garbage", 15));
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(HealthStatus(channel), 1);
}

v1::Group CodeGroup(const std::string& id, std::vector<std::string> completions,
                    int64_t wall_ms = 5000) {
  v1::Group g;
  g.set_id(id);
  v1::CodeReference* code = g.mutable_code();
  code->set_language("python3");
  auto* t = code->add_tests();
  t->set_input("1 2");
  t->set_expected("3");
  t = code->add_tests();
  t->set_input("10 -4");
  t->set_expected("6");
  code->mutable_limits()->set_wall_ms(wall_ms);
  code->mutable_limits()->set_cpu_ms(wall_ms);
  for (auto& c : completions) g.add_completions()->set_text(c);
  g.mutable_spec()->set_format(v1::FORMAT_TEMPLATE_NONE);
  return g;
}

TEST_F(ServerE2E, CodeGroupsRunInTheSandboxWithTypedVerdicts) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[0]));
  {
    grpc::ClientContext context;
    v1::ServerInfo info;
    ASSERT_TRUE(stub->GetInfo(&context, v1::GetInfoRequest(), &info).ok());
    EXPECT_THAT(info.verifiers(), testing::Contains("code"));
    EXPECT_THAT(info.sandbox_layers(), testing::Contains(testing::HasSubstr("seccomp")));
  }
  v1::ScoreRequest request;
  *request.add_groups() =
      CodeGroup("add", {"```python\na,b=map(int,input().split())\nprint(a+b)\n```",
                        "```python\nprint(3)\n```", "I would add them.",
                        "```python\nimport sys; sys.exit(3)\n```"});
  v1::ScoreResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->Score(&context, request, &response).ok());
  const v1::GroupResult& g = response.groups(0);
  ASSERT_FALSE(g.has_error()) << g.error().message();
  EXPECT_EQ(g.samples(0).verdict(), v1::CORRECT);
  EXPECT_EQ(g.samples(1).verdict(), v1::PARTIAL);
  EXPECT_EQ(g.samples(2).verdict(), v1::NO_CODE);
  EXPECT_EQ(g.samples(3).verdict(), v1::RUNTIME_ERROR);
  EXPECT_DOUBLE_EQ(g.samples(0).components().at("accuracy"), 1.0);
  EXPECT_DOUBLE_EQ(g.samples(1).components().at("accuracy"), 0.5);
  EXPECT_EQ(g.samples(1).code().passed(), 1);
  EXPECT_EQ(g.samples(1).code().total(), 2);
  EXPECT_THAT(g.samples(1).code().tests(1).message(), HasSubstr("expected"));
}

// Processes of the sandbox's uid range (LinuxRunnerOptions: 61000 + slot).
int SandboxProcesses() {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream status(entry.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Uid:", 0) == 0) {
        int uid = std::atoi(line.c_str() + 4);
        if (uid >= 61000 && uid < 61064) ++n;
        break;
      }
    }
  }
  return n;
}

TEST_F(ServerE2E, CancelledCodeCallKillsItsProcessesAtOnce) {
  auto stub = v1::RewardService::NewStub(Connect(server_->addresses()[0]));
  v1::ScoreRequest request;
  *request.add_groups() = CodeGroup("slow", {"```python\nimport time\ntime.sleep(60)\n```"}, 60000);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(800));
  v1::ScoreResponse response;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(stub->Score(&context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  int left = SandboxProcesses();
  for (int i = 0; i < 100 && left > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    left = SandboxProcesses();
  }
  EXPECT_EQ(left, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // The server is free again: a quick code group is scored.
  v1::ScoreRequest quick;
  *quick.add_groups() = CodeGroup("q", {"```python\nprint(sum(map(int,input().split())))\n```"});
  grpc::ClientContext c2;
  ASSERT_TRUE(stub->Score(&c2, quick, &response).ok());
  EXPECT_EQ(response.groups(0).samples(0).verdict(), v1::CORRECT);
}

TEST(ServerCode, NoCodeFlagRefusesCodeGroupsWithFailedPrecondition) {
  ServerProcess server({"--listen", "127.0.0.1:0", "--no-code"});
  ASSERT_TRUE(server.ok());
  auto stub = v1::RewardService::NewStub(Connect(server.addresses()[0]));
  v1::ScoreRequest request;
  *request.add_groups() = CodeGroup("x", {"```python\nprint(3)\n```"});
  v1::ScoreResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->Score(&context, request, &response).ok());
  EXPECT_EQ(response.groups(0).error().code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(response.groups(0).error().message(), HasSubstr("does not run code"));
}

TEST(ServerLimits, RequestOverTheInflightBudgetIsResourceExhausted) {
  ServerProcess server({"--listen", "127.0.0.1:0", "--max-inflight-samples", "100"});
  ASSERT_TRUE(server.ok());
  auto stub = v1::RewardService::NewStub(Connect(server.addresses()[0]));
  v1::ScoreRequest request;
  v1::Group* g = request.add_groups();
  g->mutable_math()->add_gold_answers("1");
  for (int i = 0; i < 101; ++i) g->add_completions()->set_text("1");
  v1::ScoreResponse response;
  grpc::ClientContext context;
  grpc::Status s = stub->Score(&context, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("scores at most 100"));
}

TEST(ServerLimits, MessageOverTheMaximumIsRejected) {
  ServerProcess server({"--listen", "127.0.0.1:0", "--max-message-bytes", "65536"});
  ASSERT_TRUE(server.ok());
  auto stub = v1::RewardService::NewStub(Connect(server.addresses()[0]));
  v1::ScoreRequest request;
  v1::Group* g = request.add_groups();
  g->mutable_math()->add_gold_answers("1");
  g->add_completions()->set_text(std::string(100000, 'x'));
  v1::ScoreResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(stub->Score(&context, request, &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST(ServerShutdown, SigtermDuringAStreamLetsItFinishThenExitsZero) {
  ServerProcess server({"--listen", "127.0.0.1:0", "--drain-delay-ms", "1500"});
  ASSERT_TRUE(server.ok());
  auto channel = Connect(server.addresses()[0]);
  auto stub = v1::RewardService::NewStub(channel);
  grpc::ClientContext context;
  auto stream = stub->ScoreStream(&context);
  std::vector<v1::Group> groups = ExampleGroups();
  v1::ScoreStreamRequest req;
  *req.mutable_group() = groups[0];
  ASSERT_TRUE(stream->Write(req));
  v1::GroupResult r;
  ASSERT_TRUE(stream->Read(&r));  // the call is in flight on the server
  EXPECT_EQ(r.group_id(), "gsm8k-1");

  server.Signal(SIGTERM);
  // During the drain delay health says NOT_SERVING while the open stream still works.
  int health = 1;
  for (int i = 0; i < 50 && health == 1; ++i) {
    health = HealthStatus(channel);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(health, 2);
  *req.mutable_group() = groups[1];
  ASSERT_TRUE(stream->Write(req));
  ASSERT_TRUE(stream->Read(&r));
  EXPECT_EQ(r.group_id(), "math-frac");
  EXPECT_EQ(r.samples_size(), 4);
  stream->WritesDone();
  EXPECT_FALSE(stream->Read(&r));
  grpc::Status s = stream->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(server.Wait(), 0);
}

TEST(ServerShutdown, SigtermWhenIdleExitsZeroPromptly) {
  ServerProcess server({"--listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok());
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(std::chrono::seconds(20)), 0);
}

TEST(ServerStart, UnbindableAddressFailsWithExitCodeOne) {
  EXPECT_EQ(
      testing_util::RunVerdict({"serve", "--listen", "256.1.1.1:1"}, "/dev/null", "/dev/null"), 1);
}

}  // namespace
}  // namespace verdict
