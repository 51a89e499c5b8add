// Load generator: drives `verdict serve` over gRPC (unary batches and a bidirectional stream)
// and prints rollouts/second beside the in-process Scorer's rate on the same data, in the same
// run. The ratio is the service overhead (serialisation, transport, scheduling).
//
//   verdict_load_gen [--server ADDR] [--groups N] [--group-size G] [--threads T]
//                    [--batch-groups B] [--concurrency C] [--completion-bytes L]
//
// Without --server it starts `verdict serve` itself on a Unix socket with T threads. Client and
// server share the machine: on a 2-core box the client's own work is part of the overhead.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/flags.h"
#include "grpcpp/grpcpp.h"
#include "rewards/scorer.h"
#include "server/convert.h"
#include "verdict/v1/verdict.grpc.pb.h"

extern char** environ;

namespace verdict {
namespace {

// R1-style completions: ~`bytes` of reasoning, a mix of right, wrong and badly formatted answers.
std::vector<v1::Group> MakeGroups(int groups, int group_size, int bytes) {
  std::mt19937 rng(42);
  std::vector<v1::Group> out;
  const std::string filler = "Let me compute this step by step, checking each term carefully. ";
  for (int g = 0; g < groups; ++g) {
    v1::Group group;
    group.set_id(absl::StrCat("g", g));
    group.set_prompt("User: compute the value.\nAssistant:");
    const int gold = static_cast<int>(rng() % 1000);
    group.mutable_math()->add_gold_answers(std::to_string(gold));
    for (int i = 0; i < group_size; ++i) {
      std::string reasoning;
      while (static_cast<int>(reasoning.size()) < bytes) reasoning += filler;
      int answer = rng() % 3 == 0 ? gold + 1 : gold;
      std::string text =
          rng() % 5 == 0
              ? absl::StrCat(reasoning, " So the answer is \\boxed{", answer, "}.")
              : absl::StrCat("<think>", reasoning, "</think>\n<answer>", answer, "</answer>");
      group.add_completions()->set_text(std::move(text));
    }
    out.push_back(std::move(group));
  }
  return out;
}

double InProcessRate(const std::vector<v1::Group>& groups, size_t threads) {
  ThreadPool pool(threads);
  Scorer scorer(&pool);
  std::vector<std::shared_ptr<Group>> domain;
  int64_t samples = 0;
  for (const v1::Group& g : groups) {
    auto d = std::make_shared<Group>();
    (void)GroupFromProto(g, RewardSpec{}, d.get());
    samples += static_cast<int64_t>(d->completions.size());
    domain.push_back(std::move(d));
  }
  absl::Mutex mu;
  size_t done = 0;
  absl::Time start = absl::Now();
  for (auto& d : domain) {
    // Converting the result to the wire form is part of what the server does too.
    scorer.ScoreAsync(d, nullptr, [&](GroupResult r) {
      v1::GroupResult p;
      GroupResultToProto(std::move(r), &p);
      absl::MutexLock lock(&mu);
      ++done;
    });
  }
  std::pair<size_t*, size_t> target(&done, domain.size());
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](std::pair<size_t*, size_t>* p) { return *p->first == p->second; }, &target));
  return samples / absl::ToDoubleSeconds(absl::Now() - start);
}

double UnaryRate(v1::RewardService::Stub* stub, const std::vector<v1::Group>& groups,
                 int batch_groups, int concurrency) {
  std::vector<v1::ScoreRequest> batches;
  int64_t samples = 0;
  for (size_t i = 0; i < groups.size(); i += batch_groups) {
    v1::ScoreRequest r;
    for (size_t j = i; j < std::min(groups.size(), i + batch_groups); ++j) {
      *r.add_groups() = groups[j];
      samples += groups[j].completions_size();
    }
    batches.push_back(std::move(r));
  }
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (int c = 0; c < concurrency; ++c) {
    workers.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < batches.size();) {
        grpc::ClientContext context;
        v1::ScoreResponse response;
        if (!stub->Score(&context, batches[i], &response).ok()) ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  double secs = absl::ToDoubleSeconds(absl::Now() - start);
  if (failures) std::fprintf(stderr, "unary: %d calls failed\n", failures.load());
  return samples / secs;
}

double StreamRate(v1::RewardService::Stub* stub, const std::vector<v1::Group>& groups) {
  int64_t samples = 0;
  for (const auto& g : groups) samples += g.completions_size();
  grpc::ClientContext context;
  absl::Time start = absl::Now();
  auto stream = stub->ScoreStream(&context);
  std::thread writer([&] {
    v1::ScoreStreamRequest req;
    for (const v1::Group& g : groups) {
      *req.mutable_group() = g;
      if (!stream->Write(req)) break;
    }
    stream->WritesDone();
  });
  v1::GroupResult r;
  size_t received = 0;
  while (stream->Read(&r)) ++received;
  writer.join();
  grpc::Status s = stream->Finish();
  double secs = absl::ToDoubleSeconds(absl::Now() - start);
  if (!s.ok() || received != groups.size()) {
    std::fprintf(stderr, "stream: %zu of %zu results, status %s\n", received, groups.size(),
                 s.error_message().c_str());
  }
  return samples / secs;
}

int Main(int argc, char** argv) {
  FlagSpec spec{{"server", "groups", "group-size", "threads", "batch-groups", "concurrency",
                 "completion-bytes", "verdict-binary"},
                {}};
  auto flags = Flags::Parse(std::vector<std::string>(argv + 1, argv + argc), spec);
  if (!flags.ok()) {
    std::fprintf(stderr, "%s\n", std::string(flags.status().message()).c_str());
    return 2;
  }
  const int groups_n = static_cast<int>(*flags->GetInt("groups", 2000));
  const int group_size = static_cast<int>(*flags->GetInt("group-size", 16));
  const int threads =
      static_cast<int>(*flags->GetInt("threads", std::thread::hardware_concurrency()));
  const int batch_groups = static_cast<int>(*flags->GetInt("batch-groups", 32));
  const int concurrency = static_cast<int>(*flags->GetInt("concurrency", 4));
  const int bytes = static_cast<int>(*flags->GetInt("completion-bytes", 1500));
  std::vector<v1::Group> groups = MakeGroups(groups_n, group_size, bytes);

  std::string address = flags->Get("server");
  pid_t child = -1;
  if (address.empty()) {
    std::string sock = absl::StrCat("/tmp/verdict_load_", getpid(), ".sock");
    std::string ports = sock + ".ports";
    std::string bin =
        flags->Get("verdict-binary", std::string(VERDICT_BINARY_DIR) + "/cli/verdict");
    std::vector<std::string> args = {
        bin,           "serve", "--listen",    "unix:" + sock, "--threads", std::to_string(threads),
        "--port-file", ports,   "--log-level", "warning"};
    std::vector<char*> cargs;
    for (auto& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    if (posix_spawn(&child, bin.c_str(), nullptr, nullptr, cargs.data(), environ) != 0) {
      std::fprintf(stderr, "cannot start %s\n", bin.c_str());
      return 1;
    }
    for (int i = 0; i < 400 && access(ports.c_str(), F_OK) != 0; ++i)
      absl::SleepFor(absl::Milliseconds(50));
    std::remove(ports.c_str());
    address = "unix:" + sock;
  }
  grpc::ChannelArguments cargs;
  cargs.SetMaxReceiveMessageSize(-1);
  cargs.SetMaxSendMessageSize(-1);
  auto stub = v1::RewardService::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), cargs));

  std::printf("data: %d groups x %d completions of ~%d bytes; %d scoring threads\n", groups_n,
              group_size, bytes, threads);
  (void)InProcessRate(groups, threads);  // warm-up
  double in_process = InProcessRate(groups, threads);
  (void)UnaryRate(stub.get(), groups, batch_groups, concurrency);  // warm-up, connects
  double unary = UnaryRate(stub.get(), groups, batch_groups, concurrency);
  double stream = StreamRate(stub.get(), groups);
  std::printf("%-44s %14s %10s\n", "path", "rollouts/s", "vs in-proc");
  std::printf("%-44s %14.0f %10.2f\n", "in-process Scorer", in_process, 1.0);
  std::printf(
      "%-44s %14.0f %10.2f\n",
      absl::StrCat("gRPC unary (", batch_groups, " groups/call, ", concurrency, " in flight)")
          .c_str(),
      unary, unary / in_process);
  std::printf("%-44s %14.0f %10.2f\n", "gRPC bidi stream (1 stream)", stream, stream / in_process);
  if (child > 0) {
    kill(child, SIGTERM);
    waitpid(child, nullptr, 0);
  }
  return 0;
}

}  // namespace
}  // namespace verdict

int main(int argc, char** argv) { return verdict::Main(argc, argv); }
