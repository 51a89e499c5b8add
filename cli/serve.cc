// `verdict serve`: run the gRPC server until SIGTERM/SIGINT, then drain and exit 0.
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/json.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "google/protobuf/util/json_util.h"
#include "server/convert.h"
#include "server/log.h"
#include "server/server.h"

namespace verdict::cli {
namespace {

constexpr char kHelp[] = R"(usage: verdict serve [options]

Serves verdict.v1.RewardService, grpc.health.v1.Health and server reflection. On SIGTERM or
SIGINT: health goes NOT_SERVING, new calls are refused, in-flight calls finish within the grace
period (then are cancelled), and the process exits 0. Logs are JSON lines on stderr.

  --listen ADDR               host:port or unix:/path; repeatable (default 127.0.0.1:50051)
  --threads N                 scoring threads (default: one per core)
  --max-message-bytes N       largest request/response (default 268435456)
  --max-inflight-samples N    completions in flight before RESOURCE_EXHAUSTED (default 1000000)
  --stream-window-groups N    groups in flight per stream (default 64)
  --shutdown-grace-ms MS      drain time after SIGTERM (default 30000)
  --drain-delay-ms MS         NOT_SERVING before closing the listener (default 0)
  --max-connection-age-ms MS  send GOAWAY on each connection this old, so clients reconnect and
                              re-resolve (new replicas get traffic); 0 = never (default 0)
  --max-connection-age-grace-ms MS
                              how long calls in flight on an aged connection may still run
                              (then it is closed); 0 = until they finish (default 0)
  --http-listen HOST:PORT     HTTP side port: /healthz /readyz /metrics, POST /v1/score,
                              POST /openrlhf (default: none)
  --port-file FILE            write the bound addresses there, one per line, once serving
                              (the HTTP one last, as http://HOST:PORT)
  --log-level LEVEL           debug, info, warning, error (default info)
  --config FILE               JSON file of these settings (keys with '_'), "default_spec":
                              {RewardSpec JSON}; environment VERDICT_<FLAG> overrides the file
                              and flags override both. The effective configuration is logged
                              at start and returned by GetInfo.
  --no-code                   do not run code (code groups get FAILED_PRECONDITION)
  --sandbox-dir DIR           parent of the sandbox's work dirs (default /tmp/verdict-sandbox)
  --allow-unsafe-sandbox      run code even when the host lacks the minimum containment layers
  --sandbox-no-namespaces     no namespaces and no cgroups in the sandbox, only the minimum
                              layers (Kubernetes pods)
  --unix-socket-mode MODE     octal permission bits of each unix: socket once bound, e.g. 0660
                              (connecting needs write permission; default: as the umask makes it)
)";

// The resolved settings as one JSON object (logged at start, returned by GetInfo).
std::string EffectiveConfig(const ServerOptions& o, const std::string& log_level) {
  std::string spec_json;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  const auto printed = google::protobuf::util::MessageToJsonString(
      SpecToProto(o.service.default_spec), &spec_json, print);
  if (!printed.ok()) {  // not expected for a spec we built; say so rather than print nothing
    spec_json.clear();
    AppendJsonString("unprintable: " + printed.ToString(), &spec_json);
  }
  std::string listen;
  for (const std::string& l : o.listen) {
    if (!listen.empty()) listen += ",";
    AppendJsonString(l, &listen);
  }
  std::string out = absl::StrCat("{\"listen\":[", listen, "],\"http_listen\":");
  AppendJsonString(o.http_listen, &out);
  absl::StrAppend(
      &out, ",\"threads\":", o.worker_threads, ",\"max_message_bytes\":", o.max_message_bytes,
      ",\"max_inflight_samples\":", o.service.max_inflight_samples,
      ",\"stream_window_groups\":", o.service.stream_window_groups,
      ",\"shutdown_grace_ms\":", absl::ToInt64Milliseconds(o.shutdown_grace),
      ",\"drain_delay_ms\":", absl::ToInt64Milliseconds(o.drain_delay),
      ",\"max_connection_age_ms\":", absl::ToInt64Milliseconds(o.max_connection_age),
      ",\"max_connection_age_grace_ms\":", absl::ToInt64Milliseconds(o.max_connection_age_grace),
      ",\"code\":", o.enable_code ? "true" : "false",
      ",\"allow_unsafe_sandbox\":", o.allow_unsafe_sandbox ? "true" : "false",
      ",\"sandbox_no_namespaces\":", o.sandbox.use_namespaces ? "false" : "true",
      ",\"unix_socket_mode\":", o.unix_socket_mode, ",\"sandbox_dir\":");
  AppendJsonString(o.sandbox.work_root, &out);
  out += ",\"log_level\":";
  AppendJsonString(log_level, &out);
  absl::StrAppend(&out, ",\"default_spec\":", spec_json, "}");
  return out;
}

}  // namespace

int RunServe(const std::vector<std::string>& args) {
  FlagSpec fs;
  fs.value_flags = {"listen",
                    "threads",
                    "max-message-bytes",
                    "max-inflight-samples",
                    "stream-window-groups",
                    "shutdown-grace-ms",
                    "drain-delay-ms",
                    "port-file",
                    "log-level",
                    "http-listen",
                    "sandbox-dir",
                    "config",
                    "unix-socket-mode",
                    "max-connection-age-ms",
                    "max-connection-age-grace-ms"};
  fs.bool_flags = {"help", "no-code", "allow-unsafe-sandbox", "sandbox-no-namespaces"};
  AddSpecFlags(&fs);
  absl::StatusOr<MergedArgs> merged = MergeConfig(args, fs);
  absl::StatusOr<Flags> flags = merged.ok() ? Flags::Parse(merged->args, fs) : merged.status();
  if (!flags.ok()) {
    std::fprintf(stderr, "verdict serve: %s\n%s", std::string(flags.status().message()).c_str(),
                 kHelp);
    return kExitUsage;
  }
  if (flags->Has("help")) {
    std::fputs(kHelp, stdout);
    std::fputs(kSpecFlagsHelp, stdout);
    return kExitOk;
  }
  ServerOptions options;
  if (flags->Has("listen")) options.listen = flags->GetAll("listen");
  auto threads = flags->GetInt("threads", 0);
  auto max_message = flags->GetInt("max-message-bytes", options.max_message_bytes);
  auto max_inflight = flags->GetInt("max-inflight-samples", options.service.max_inflight_samples);
  auto window = flags->GetInt("stream-window-groups", options.service.stream_window_groups);
  auto grace = flags->GetInt("shutdown-grace-ms", 30000);
  auto drain = flags->GetInt("drain-delay-ms", 0);
  auto age = flags->GetInt("max-connection-age-ms", 0);
  auto age_grace = flags->GetInt("max-connection-age-grace-ms", 0);
  auto spec = SpecFromFlags(*flags);
  for (const absl::Status& s :
       {threads.status(), max_message.status(), max_inflight.status(), window.status(),
        grace.status(), drain.status(), age.status(), age_grace.status(), spec.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "verdict serve: %s\n", std::string(s.message()).c_str());
      return kExitUsage;
    }
  }
  if (!merged->spec_json.empty()) {  // the file's default spec, under the spec flags
    v1::RewardSpec from_file;
    auto parsed = google::protobuf::util::JsonStringToMessage(merged->spec_json, &from_file);
    if (!parsed.ok()) {
      std::fprintf(stderr, "verdict serve: --config default_spec: %s\n", parsed.ToString().c_str());
      return kExitUsage;
    }
    from_file.MergeFrom(*spec);
    *spec = from_file;
  }
  absl::StatusOr<RewardSpec> default_spec = ResolveSpec(RewardSpec{}, *spec);
  if (!default_spec.ok()) {
    std::fprintf(stderr, "verdict serve: %s\n",
                 std::string(default_spec.status().message()).c_str());
    return kExitUsage;
  }
  if (*max_message < 1024 || *max_message > INT32_MAX || *max_inflight < 1 || *window < 1 ||
      *age < 0 || *age > INT32_MAX || *age_grace < 0 || *age_grace > INT32_MAX) {
    std::fprintf(stderr, "verdict serve: a limit is out of range\n");
    return kExitUsage;
  }
  log::Level level;
  if (!log::ParseLevel(flags->Get("log-level", "info"), &level)) {
    std::fprintf(stderr, "verdict serve: unknown --log-level\n");
    return kExitUsage;
  }
  log::SetLevel(level);
  options.worker_threads = static_cast<size_t>(*threads);
  options.max_message_bytes = *max_message;
  options.service.max_inflight_samples = *max_inflight;
  options.service.stream_window_groups = static_cast<int>(*window);
  options.service.default_spec = *default_spec;
  options.shutdown_grace = absl::Milliseconds(*grace);
  options.drain_delay = absl::Milliseconds(*drain);
  options.max_connection_age = absl::Milliseconds(*age);
  options.max_connection_age_grace = absl::Milliseconds(*age_grace);
  options.http_listen = flags->Get("http-listen");
  options.enable_code = !flags->Has("no-code");
  options.allow_unsafe_sandbox = flags->Has("allow-unsafe-sandbox");
  if (flags->Has("sandbox-dir")) options.sandbox.work_root = flags->Get("sandbox-dir");
  if (flags->Has("unix-socket-mode")) {
    const std::string& m = flags->Get("unix-socket-mode");
    char* end = nullptr;
    long mode = std::strtol(m.c_str(), &end, 8);
    if (m.empty() || *end != '\0' || mode < 0 || mode > 0777) {
      std::fprintf(stderr,
                   "verdict serve: --unix-socket-mode wants octal bits like 0660, got '%s'\n",
                   m.c_str());
      return kExitUsage;
    }
    options.unix_socket_mode = static_cast<int>(mode);
  }
  if (flags->Has("sandbox-no-namespaces")) {
    options.sandbox.use_namespaces = false;
    options.sandbox.use_cgroups = false;
  }

  options.service.effective_config = EffectiveConfig(options, flags->Get("log-level", "info"));
  BlockShutdownSignals();  // before any thread exists
  absl::StatusOr<std::unique_ptr<VerdictServer>> server = VerdictServer::Start(options);
  if (!server.ok()) {
    log::Error("could not start", {{"error", std::string(server.status().message())}});
    return kExitFailure;
  }
  if (flags->Has("port-file")) {
    // Written to a temporary name and renamed, so a reader never sees a partial file.
    std::string path = flags->Get("port-file");
    std::ofstream f(path + ".tmp", std::ios::trunc);
    f << absl::StrJoin((*server)->addresses(), "\n") << "\n";
    if (!(*server)->http_address().empty()) f << "http://" << (*server)->http_address() << "\n";
    f.close();
    std::rename((path + ".tmp").c_str(), path.c_str());
  }
  (*server)->WaitForSignalAndShutdown();
  return kExitOk;
}

}  // namespace verdict::cli
