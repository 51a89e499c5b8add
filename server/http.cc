#include "server/http.h"

#include <deque>
#include <functional>
#include <stop_token>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "base/json.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"
#include "server/log.h"
#include "server/openrlhf.h"
#include "simdjson.h"

namespace verdict {

// What the route handlers share: the service, and the stop source that cancels HTTP work once
// the shutdown grace has run out.
struct HttpContext {
  RewardServiceImpl* service;
  std::stop_source stop_shutdown;
  std::shared_ptr<const Cancellation> shutdown =
      std::make_shared<const Cancellation>(stop_shutdown.get_token());
};

namespace {

// httplib runs each connection on one task-queue thread for its whole keep-alive life, so with
// its fixed pool (max(8, cores - 1) threads) eight idle keep-alive clients hold every thread and
// /healthz waits behind them for seconds. This queue starts a thread whenever a connection
// arrives and none is idle, up to `max_threads`; threads stay until shutdown (they are reused).
class ElasticTaskQueue final : public httplib::TaskQueue {
 public:
  explicit ElasticTaskQueue(size_t max_threads) : max_threads_(max_threads) {}

  void enqueue(std::function<void()> fn) override {
    absl::MutexLock lock(&mu_);
    jobs_.push_back(std::move(fn));
    if (jobs_.size() > idle_ && threads_.size() < max_threads_) {
      threads_.emplace_back([this] { Work(); });
    }
    cv_.Signal();
  }

  void shutdown() override {
    std::vector<std::thread> threads;
    {
      absl::MutexLock lock(&mu_);
      shutdown_ = true;
      cv_.SignalAll();
      threads.swap(threads_);
    }
    for (std::thread& t : threads) t.join();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        absl::MutexLock lock(&mu_);
        ++idle_;
        while (jobs_.empty() && !shutdown_) cv_.Wait(&mu_);
        --idle_;
        if (jobs_.empty()) return;  // shut down, nothing left to run
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      fn();
    }
  }

  const size_t max_threads_;
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
  size_t idle_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

// google.rpc.Code -> HTTP status, as the gRPC-HTTP mapping does.
int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kCancelled: return 499;
    default: return 500;
  }
}

void ReplyError(httplib::Response& res, const absl::Status& s, int http_status = 0) {
  std::string body =
      absl::StrCat("{\"error\":{\"code\":", static_cast<int>(s.code()), ",\"message\":");
  AppendJsonString(std::string(s.message()), &body);
  body += "}}";
  res.status = http_status ? http_status : HttpStatusOf(s.code());
  res.set_content(body, "application/json");
}

// The POST routes take JSON only: a form or text body is a client bug, answered 415 rather
// than guessed at. Media type parameters (charset) are allowed.
bool RequireJson(const httplib::Request& req, httplib::Response& res) {
  std::string type = absl::AsciiStrToLower(req.get_header_value("Content-Type"));
  type = type.substr(0, type.find(';'));
  absl::StripAsciiWhitespace(&type);
  if (type == "application/json") return true;
  ReplyError(
      res,
      absl::InvalidArgumentError(absl::StrCat("Content-Type must be application/json, got \"",
                                              req.get_header_value("Content-Type"), "\"")),
      415);
  return false;
}

// Runs one batch to completion on the scoring pool (the HTTP thread waits for it). Cancelled
// when the shutdown grace runs out, so HTTP work ends with the gRPC calls.
absl::Status ScoreBlocking(HttpContext* ctx, const v1::ScoreRequest& request,
                           v1::ScoreResponse* response) {
  const absl::Status shut_down =
      absl::UnavailableError("the server shut down before the request was scored; resend it");
  if (!ctx->shutdown->Check().ok()) return shut_down;  // the grace ran out while it was read
  absl::Notification finished;
  absl::Status status;
  ctx->service->inflight_calls().fetch_add(1);
  ScoreBatch(ctx->service->batch_context(), request, ctx->shutdown, response, [&](absl::Status s) {
    status = std::move(s);
    finished.Notify();
  });
  finished.WaitForNotification();
  ctx->service->inflight_calls().fetch_sub(1);
  if (absl::IsCancelled(status)) return shut_down;
  return status;
}

// Protobuf's JSON mapping prints 64-bit integers as strings; JSON clients (and jq, and
// OpenRLHF-style scripts) expect numbers. Re-emits `e` with every int64/uint64 field unquoted,
// guided by the message descriptor. `field` is the field `e` is the value of (null at the top).
void EmitUnquotingInt64(simdjson::dom::element e, const google::protobuf::Descriptor* message,
                        const google::protobuf::FieldDescriptor* field, std::string* out) {
  using google::protobuf::FieldDescriptor;
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      const google::protobuf::Descriptor* d = field == nullptr ? message
                                              : field->type() == FieldDescriptor::TYPE_MESSAGE
                                                  ? field->message_type()
                                                  : nullptr;
      const FieldDescriptor* map_value =
          field != nullptr && field->is_map() ? d->map_value() : nullptr;
      out->push_back('{');
      bool first = true;
      simdjson::dom::object object;
      if (e.get(object) != simdjson::SUCCESS) return;
      for (auto [key, value] : object) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(key, out);
        out->push_back(':');
        const FieldDescriptor* sub = map_value != nullptr ? map_value
                                     : d != nullptr       ? d->FindFieldByName(std::string(key))
                                                          : nullptr;
        if (sub == nullptr) {
          *out += simdjson::minify(value);
        } else {
          EmitUnquotingInt64(value, nullptr, sub, out);
        }
      }
      out->push_back('}');
      return;
    }
    case simdjson::dom::element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      simdjson::dom::array array;
      if (e.get(array) != simdjson::SUCCESS) return;
      for (simdjson::dom::element x : array) {
        if (!first) out->push_back(',');
        first = false;
        EmitUnquotingInt64(x, message, field, out);
      }
      out->push_back(']');
      return;
    }
    case simdjson::dom::element_type::STRING:
      if (field != nullptr && (field->cpp_type() == FieldDescriptor::CPPTYPE_INT64 ||
                               field->cpp_type() == FieldDescriptor::CPPTYPE_UINT64)) {
        std::string_view digits;
        if (e.get(digits) == simdjson::SUCCESS) {
          *out += digits;
          return;
        }
      }
      [[fallthrough]];
    default: *out += simdjson::minify(e);
  }
}

// Every field printed (a reward of 0 is "reward": 0, not absent), proto field names, and
// 64-bit integers as JSON numbers.
std::string ResponseJson(const google::protobuf::Message& message) {
  std::string printed;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &printed, options);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(printed).get(root) != simdjson::SUCCESS) return printed;
  std::string out;
  out.reserve(printed.size());
  EmitUnquotingInt64(root, message.GetDescriptor(), nullptr, &out);
  return out;
}

void HandleScore(HttpContext* ctx, const httplib::Request& req, httplib::Response& res) {
  const absl::Time start = absl::Now();
  v1::ScoreRequest request;
  auto parsed = google::protobuf::util::JsonStringToMessage(req.body, &request);
  absl::Status status;
  v1::ScoreResponse response;
  if (!parsed.ok()) {
    status = absl::InvalidArgumentError(
        absl::StrCat("body is not a verdict.v1.ScoreRequest: ", parsed.message().ToString()));
  } else {
    status = ScoreBlocking(ctx, request, &response);
  }
  ctx->service->metrics().RecordCall("http_score", static_cast<int>(status.code()),
                                     absl::ToDoubleSeconds(absl::Now() - start));
  if (!status.ok()) return ReplyError(res, status);
  res.set_content(ResponseJson(response), "application/json");
}

// OpenRLHF's remote reward route: the protocol's translation is server/openrlhf.h.
void HandleOpenRlhf(HttpContext* ctx, const httplib::Request& req, httplib::Response& res) {
  const absl::Time start = absl::Now();
  absl::StatusOr<OpenRlhfBatch> batch = ParseOpenRlhfRequest(req.body);
  absl::Status status = batch.status();
  v1::ScoreResponse response;
  absl::StatusOr<std::string> body;
  if (status.ok()) status = ScoreBlocking(ctx, batch->request, &response);
  if (status.ok()) {
    body = OpenRlhfReply(*batch, response);
    status = body.status();
  }
  ctx->service->metrics().RecordCall("http_openrlhf", static_cast<int>(status.code()),
                                     absl::ToDoubleSeconds(absl::Now() - start));
  if (!status.ok()) return ReplyError(res, status);
  res.set_content(*std::move(body), "application/json");
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& address,
                                                              RewardServiceImpl* service,
                                                              const ThreadPool* pool,
                                                              const std::atomic<bool>* ready) {
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->context_ = std::make_unique<HttpContext>();
  s->context_->service = service;
  HttpContext* ctx = s->context_.get();
  s->server_ = std::make_unique<httplib::Server>();
  httplib::Server& srv = *s->server_;
  srv.new_task_queue = [] { return new ElasticTaskQueue(kMaxHttpConnections); };
  srv.set_payload_max_length(static_cast<size_t>(service->options().max_message_bytes));
  srv.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  srv.Get("/readyz", [ready](const httplib::Request&, httplib::Response& res) {
    const bool ok = ready->load();
    res.status = ok ? 200 : 503;
    res.set_content(ok ? "ready\n" : "draining\n", "text/plain");
  });
  srv.Get("/metrics", [service, pool](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        service->metrics().Render(service->budget().used(), service->inflight_calls().load(),
                                  pool->queue_depth()),
        "text/plain; version=0.0.4");
  });
  srv.Post("/v1/score", [ctx](const httplib::Request& req, httplib::Response& res) {
    if (RequireJson(req, res)) HandleScore(ctx, req, res);
  });
  srv.Post("/openrlhf", [ctx](const httplib::Request& req, httplib::Response& res) {
    if (RequireJson(req, res)) HandleOpenRlhf(ctx, req, res);
  });
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("--http-listen wants host:port, got ", address));
  }
  std::string host = address.substr(0, colon);
  int port = std::atoi(address.c_str() + colon + 1);
  if (port == 0) {
    port = srv.bind_to_any_port(host);
  } else if (!srv.bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) return absl::UnavailableError(absl::StrCat("could not bind HTTP port ", address));
  s->address_ = absl::StrCat(host, ":", port);
  s->thread_ = std::thread([srv = s->server_.get()] { srv->listen_after_bind(); });
  log::Info("http listening", {{"address", s->address_}});
  return s;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::BeginShutdown(absl::Time deadline) {
  if (server_ == nullptr || watchdog_.joinable()) return;
  watchdog_ = std::thread([this, deadline] {
    if (!stopping_.WaitForNotificationWithDeadline(deadline)) {
      context_->stop_shutdown.request_stop();
    }
  });
}

void HttpServer::Stop() {
  if (server_ == nullptr) return;
  // Without BeginShutdown there is no grace: requests still scoring end now. With it, stop()
  // below waits for the handlers, which end by themselves or when the watchdog cancels them.
  if (!watchdog_.joinable()) context_->stop_shutdown.request_stop();
  server_->stop();
  if (thread_.joinable()) thread_.join();
  if (!stopping_.HasBeenNotified()) stopping_.Notify();
  if (watchdog_.joinable()) watchdog_.join();
  server_.reset();
}

}  // namespace verdict
