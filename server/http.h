// The HTTP side port: health, readiness, Prometheus metrics, JSON scoring and an
// OpenRLHF-compatible remote reward route, beside the gRPC service.
//
//   GET  /healthz      200 while the process runs
//   GET  /readyz       200 while serving, 503 once shutdown has begun
//   GET  /metrics      Prometheus text format (server/metrics.h)
//   POST /v1/score     body: JSON of verdict.v1.ScoreRequest; reply: JSON of ScoreResponse
//                      (proto field names). Errors: {"error": {"code", "message"}} with the
//                      matching HTTP status.
//   POST /openrlhf     OpenRLHF's remote reward model: {"query": [prompt+response...],
//                      "prompts": [...], "labels": [...]} -> {"rewards": [...], "scores":
//                      [...], "extra_logs": {component: [...]}}
#ifndef VERDICT_SERVER_HTTP_H_
#define VERDICT_SERVER_HTTP_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "rewards/thread_pool.h"
#include "server/service.h"

namespace httplib {
class Server;
}

namespace verdict {

class HttpServer {
 public:
  // Binds "host:port" (port 0 picks one) and starts serving on its own threads. `service` and
  // `pool` must outlive the server; `ready` is read by /readyz.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& address,
                                                          RewardServiceImpl* service,
                                                          const ThreadPool* pool,
                                                          const std::atomic<bool>* ready);
  ~HttpServer();

  std::string address() const { return address_; }  // with the bound port
  void Stop();

 private:
  HttpServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string address_;
};

}  // namespace verdict

#endif  // VERDICT_SERVER_HTTP_H_
