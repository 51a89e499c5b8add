#include "rollout/score_client.h"

#include <grpcpp/grpcpp.h>

#include <deque>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "verdict/v1/verdict.grpc.pb.h"

namespace verdict::rollout {
namespace {

class GrpcScoreStreamClient final : public ScoreStreamClient {
 public:
  GrpcScoreStreamClient(std::shared_ptr<grpc::Channel> channel, ResultCallback on_result)
      : stub_(v1::RewardService::NewStub(channel)), on_result_(std::move(on_result)) {
    stream_ = stub_->ScoreStream(&context_);
    reader_ = std::thread([this] {
      v1::GroupResult result;
      while (stream_->Read(&result)) on_result_(std::move(result));
    });
    writer_ = std::thread([this] { WriteLoop(); });
  }

  ~GrpcScoreStreamClient() override {
    if (!finished_) {
      context_.TryCancel();
      (void)Finish();
    }
  }

  void Send(v1::Group group) override {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(group));
  }

  absl::Status Finish() override {
    {
      absl::MutexLock lock(&mu_);
      closing_ = true;
    }
    if (writer_.joinable()) writer_.join();
    if (reader_.joinable()) reader_.join();
    if (finished_) return status_;
    finished_ = true;
    const grpc::Status s = stream_->Finish();
    status_ = s.ok() ? absl::OkStatus()
                     : absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                                    absl::StrCat("ScoreStream: ", s.error_message()));
    if (status_.ok() && write_failed_) {
      status_ = absl::UnavailableError("ScoreStream: the server closed the stream early");
    }
    return status_;
  }

 private:
  void WriteLoop() {
    for (;;) {
      v1::ScoreStreamRequest req;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(this, &GrpcScoreStreamClient::HasWorkOrClosing));
        if (queue_.empty()) break;
        *req.mutable_group() = std::move(queue_.front());
        queue_.pop_front();
      }
      if (!stream_->Write(req)) {
        write_failed_ = true;
        break;
      }
    }
    stream_->WritesDone();
  }

  bool HasWorkOrClosing() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closing_ || !queue_.empty();
  }

  std::unique_ptr<v1::RewardService::Stub> stub_;
  ResultCallback on_result_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::ScoreStreamRequest, v1::GroupResult>> stream_;
  absl::Mutex mu_;
  std::deque<v1::Group> queue_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ = false;  // written by the writer thread; read by Finish after joining it
  bool finished_ = false;      // the caller's thread only (Finish, the destructor)
  absl::Status status_;        // likewise
  std::thread reader_, writer_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ScoreStreamClient>> ScoreStreamClient::Connect(
    const std::string& address, ResultCallback on_result, absl::Duration connect_timeout) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 absl::ToChronoMilliseconds(connect_timeout))) {
    return absl::UnavailableError(absl::StrCat("cannot reach the Verdict server at ", address,
                                               " within ", absl::FormatDuration(connect_timeout)));
  }
  return std::unique_ptr<ScoreStreamClient>(
      new GrpcScoreStreamClient(std::move(channel), std::move(on_result)));
}

}  // namespace verdict::rollout
