// A running Verdict server: the RewardService, the standard grpc.health.v1 health service and
// server reflection, on TCP and/or Unix domain sockets.
#ifndef VERDICT_SERVER_SERVER_H_
#define VERDICT_SERVER_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rewards/scorer.h"
#include "sandbox/linux_runner.h"
#include "server/http.h"
#include "server/service.h"

namespace grpc {
class Server;
}

namespace verdict {

struct ServerOptions {
  // Addresses to listen on: "HOST:PORT" ("127.0.0.1:0" picks a free port) or "unix:/path".
  // Default {"127.0.0.1:50051"}.
  std::vector<std::string> listen = {"127.0.0.1:50051"};
  // Scoring threads; 0 = one per usable core (server/cores.h: the cgroup's CPU quota counts).
  size_t worker_threads = 0;
  // Largest request or response message, in bytes. Default 256 MiB (a batch of 1,024 groups x
  // 16 completions x 8 KB is 128 MiB).
  int64_t max_message_bytes = 256 << 20;
  // How long in-flight calls may run after SIGTERM before they are cancelled. Default 30 s.
  absl::Duration shutdown_grace = absl::Seconds(30);
  // Time between health going NOT_SERVING and the listener closing, so load balancers and
  // Kubernetes readiness probes see it first. Default 0.
  absl::Duration drain_delay = absl::ZeroDuration();
  // Connections older than this get a GOAWAY: the client opens a new one, re-resolving the
  // name, so replicas added behind a headless Service get traffic from clients already
  // running. Zero = never. Default zero.
  absl::Duration max_connection_age = absl::ZeroDuration();
  // How long calls in flight on an aged connection may run before it is closed. Zero = until
  // they finish (a long ScoreStream is never cut). Default zero.
  absl::Duration max_connection_age_grace = absl::ZeroDuration();
  // Code execution: a Linux sandbox runner is created at start. When the host lacks the minimum
  // containment layers (rlimits, process-group kill, seccomp, private work dir), code groups are
  // refused with FAILED_PRECONDITION unless `allow_unsafe_sandbox`. Default enabled, not unsafe.
  bool enable_code = true;
  bool allow_unsafe_sandbox = false;
  sandbox::LinuxRunnerOptions sandbox;
  // Permission bits given to each "unix:" listening socket once it is bound (connecting needs
  // write permission on it), e.g. 0660 so that a sidecar's trainer in the socket's group can
  // connect while other uids (sandboxed programs) cannot. -1 = as created (umask). Default -1.
  int unix_socket_mode = -1;
  // HTTP side port (server/http.h), "host:port"; empty = none. Default empty.
  std::string http_listen;
  ServiceOptions service;
  ScorerOptions scorer;
};

class VerdictServer {
 public:
  // Builds and starts the server; errors when an address cannot be bound.
  static absl::StatusOr<std::unique_ptr<VerdictServer>> Start(const ServerOptions& options);
  ~VerdictServer();

  // Bound addresses, with chosen ports filled in ("127.0.0.1:41234", "unix:/path").
  const std::vector<std::string>& addresses() const { return addresses_; }
  // The HTTP side port's address, empty when there is none.
  std::string http_address() const;

  // Health NOT_SERVING, waits `drain_delay`, stops accepting calls, lets in-flight calls finish
  // within `shutdown_grace` (then cancels them), and drains the scoring pool. Idempotent.
  void Shutdown();

  // Blocks until SIGTERM or SIGINT, then Shutdown(). Call from the main thread; the signals must
  // have been blocked (BlockShutdownSignals) before any thread was created.
  void WaitForSignalAndShutdown();

 private:
  VerdictServer() = default;

  ServerOptions options_;
  std::unique_ptr<sandbox::Runner> runner_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<Scorer> scorer_;
  std::unique_ptr<RewardServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<HttpServer> http_;
  std::atomic<bool> ready_{false};
  std::vector<std::string> addresses_;
  bool shut_down_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it creates afterwards, so
// WaitForSignalAndShutdown receives them with sigwait. Call first thing in main.
void BlockShutdownSignals();

}  // namespace verdict

#endif  // VERDICT_SERVER_SERVER_H_
