// The HTTP side port: health, readiness, Prometheus metrics, JSON scoring and an
// OpenRLHF-compatible remote reward route, beside the gRPC service.
//
//   GET  /healthz      200 while the process runs
//   GET  /readyz       200 while serving, 503 once shutdown has begun
//   GET  /metrics      Prometheus text format (server/metrics.h)
//   POST /v1/score     body: JSON of verdict.v1.ScoreRequest; reply: JSON of ScoreResponse
//                      (proto field names, every field printed even when 0, 64-bit integers
//                      as numbers). Errors: {"error": {"code", "message"}} with the matching
//                      HTTP status.
//   POST /openrlhf     OpenRLHF's remote reward model (server/openrlhf.h): {"query":
//                      [prompt+response...], "prompts": [...], "labels": [...]} ->
//                      {"rewards": [...], "scores": [...], "extra_logs": {component: [...]}}
// POST bodies must be Content-Type: application/json (else 415).
//
// Each connection holds a thread for its keep-alive life; threads are started on demand up to
// kMaxHttpConnections, so idle keep-alive clients do not delay /healthz.
#ifndef VERDICT_SERVER_HTTP_H_
#define VERDICT_SERVER_HTTP_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "base/thread_pool.h"
#include "server/service.h"

namespace httplib {
class Server;
}

namespace verdict {

struct HttpContext;

// Connections served at once (one thread each); more wait for a free thread.
inline constexpr size_t kMaxHttpConnections = 512;

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

  // Requests still scoring at `deadline` are cancelled and answered 503. Call once, when the
  // shutdown grace starts; the port keeps answering (/readyz says 503) until Stop.
  void BeginShutdown(absl::Time deadline);
  // Closes the port and waits for the handlers: until they finish or the BeginShutdown deadline
  // cancels them; without BeginShutdown, in-flight requests are cancelled at once. Idempotent.
  void Stop();

 private:
  HttpServer() = default;
  std::unique_ptr<HttpContext> context_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::thread watchdog_;
  absl::Notification stopping_;
  std::string address_;
};

}  // namespace verdict

#endif  // VERDICT_SERVER_HTTP_H_
