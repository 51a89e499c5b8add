#include "server/server.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/cores.h"
#include "server/log.h"

namespace verdict {

void BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

absl::StatusOr<std::unique_ptr<VerdictServer>> VerdictServer::Start(const ServerOptions& options) {
  std::unique_ptr<VerdictServer> s(new VerdictServer());
  s->options_ = options;
  ScorerOptions scorer_options = options.scorer;
  if (options.enable_code) {
    sandbox::LinuxRunnerOptions sandbox_options = options.sandbox;
    sandbox_options.require_minimum_layers = !options.allow_unsafe_sandbox;
    absl::StatusOr<std::unique_ptr<sandbox::Runner>> runner =
        sandbox::CreateLinuxRunner(sandbox_options);
    if (runner.ok()) {
      s->runner_ = *std::move(runner);
      sandbox::RunnerInfo info = s->runner_->Info();
      log::Info("sandbox ready", {{"active_layers", absl::StrJoin(info.active_layers, ",")},
                                  {"missing_layers", absl::StrJoin(info.missing_layers, ",")}});
      if (!info.minimum_layers_present) {
        log::Warning(
            "sandbox lacks minimum containment layers; running untrusted code anyway "
            "(--allow-unsafe-sandbox)");
      }
    } else {
      log::Warning("code execution disabled", {{"error", std::string(runner.status().message())}});
    }
  }
  scorer_options.runner = s->runner_.get();
  // 0: the cores this process may use (a pod's CPU limit, not the node's core count).
  s->pool_ = std::make_unique<ThreadPool>(
      options.worker_threads != 0 ? options.worker_threads : static_cast<size_t>(UsableCores()));
  s->scorer_ = std::make_unique<Scorer>(s->pool_.get(), scorer_options);
  ServiceOptions service_options = options.service;
  service_options.max_message_bytes = options.max_message_bytes;
  service_options.worker_threads = static_cast<int>(s->pool_->num_threads());
  if (s->runner_) service_options.sandbox_layers = s->runner_->Info().active_layers;
  s->service_ = std::make_unique<RewardServiceImpl>(s->scorer_.get(), service_options);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options.max_message_bytes));
  if (options.max_connection_age > absl::ZeroDuration()) {
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_AGE_MS,
        static_cast<int>(absl::ToInt64Milliseconds(options.max_connection_age)));
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
        options.max_connection_age_grace > absl::ZeroDuration()
            ? static_cast<int>(absl::ToInt64Milliseconds(options.max_connection_age_grace))
            : INT_MAX);  // gRPC's "infinite"
  }
  std::vector<int> ports(options.listen.size(), 0);
  for (size_t i = 0; i < options.listen.size(); ++i) {
    // Local sockets only need no transport security; TLS termination belongs to the mesh.
    builder.AddListeningPort(options.listen[i], grpc::InsecureServerCredentials(), &ports[i]);
  }
  builder.RegisterService(s->service_.get());
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("could not start the server on ", absl::StrJoin(options.listen, ", ")));
  }
  for (size_t i = 0; i < options.listen.size(); ++i) {
    const std::string& addr = options.listen[i];
    if (absl::StartsWith(addr, "unix:")) {
      std::string path = addr.substr(5);
      if (absl::StartsWith(path, "//")) path = path.substr(2);  // unix:///abs/path
      if (options.unix_socket_mode >= 0 &&
          chmod(path.c_str(), static_cast<mode_t>(options.unix_socket_mode)) != 0) {
        return absl::UnavailableError(
            absl::StrCat("could not set the mode of ", path, ": ", std::strerror(errno)));
      }
      s->addresses_.push_back(addr);
      continue;
    }
    if (ports[i] == 0) {
      return absl::UnavailableError(absl::StrCat("could not bind ", addr));
    }
    std::string host = addr.substr(0, addr.rfind(':'));
    s->addresses_.push_back(absl::StrCat(host, ":", ports[i]));
  }
  if (!options.http_listen.empty()) {
    absl::StatusOr<std::unique_ptr<HttpServer>> http =
        HttpServer::Start(options.http_listen, s->service_.get(), s->pool_.get(), &s->ready_);
    if (!http.ok()) return http.status();
    s->http_ = *std::move(http);
  }
  s->server_->GetHealthCheckService()->SetServingStatus(true);
  // By name too: probes and meshes ask for the service (grpc.health.v1 Check{service}). Shutdown's
  // SetServingStatus(false) turns every name NOT_SERVING.
  s->server_->GetHealthCheckService()->SetServingStatus(v1::RewardService::service_full_name(),
                                                        true);
  s->ready_.store(true);
  if (!service_options.effective_config.empty()) {
    log::Info("effective configuration", {{"config", service_options.effective_config}});
  }
  for (const std::string& a : s->addresses_) log::Info("listening", {{"address", a}});
  return s;
}

VerdictServer::~VerdictServer() { Shutdown(); }

std::string VerdictServer::http_address() const { return http_ ? http_->address() : ""; }

void VerdictServer::Shutdown() {
  if (shut_down_ || server_ == nullptr) return;  // a failed Start has nothing to stop
  shut_down_ = true;
  ready_.store(false);  // /readyz answers 503 from now on; the HTTP port stays up to say so
  server_->GetHealthCheckService()->SetServingStatus(false);
  log::Info("shutting down",
            {{"health", "NOT_SERVING"},
             {"inflight_samples", absl::StrCat(service_->budget().used())},
             {"grace_ms", absl::StrCat(absl::ToInt64Milliseconds(options_.shutdown_grace))}});
  if (options_.drain_delay > absl::ZeroDuration()) absl::SleepFor(options_.drain_delay);
  // Stops accepting calls; in-flight calls get until the deadline, then are cancelled. HTTP
  // requests get the same deadline.
  const absl::Time deadline = absl::Now() + options_.shutdown_grace;
  if (http_) http_->BeginShutdown(deadline);
  server_->Shutdown(absl::ToChronoTime(deadline));
  server_->Wait();
  if (http_) http_->Stop();
  pool_.reset();  // runs what is queued (cancelled work finishes fast), joins the threads
  log::Info("stopped");
}

void VerdictServer::WaitForSignalAndShutdown() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  log::Info("signal received", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  Shutdown();
}

}  // namespace verdict
