#include "server/http.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"
#include "server/log.h"
#include "simdjson.h"

namespace verdict {
namespace {

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

void ReplyError(httplib::Response& res, const absl::Status& s) {
  std::string body = absl::StrCat("{\"error\":{\"code\":", static_cast<int>(s.code()), ",\"message\":");
  log::AppendJsonString(std::string(s.message()), &body);
  body += "}}";
  res.status = HttpStatusOf(s.code());
  res.set_content(body, "application/json");
}

// Runs one batch to completion on the scoring pool (the HTTP thread waits for it).
absl::Status ScoreBlocking(RewardServiceImpl* service, const v1::ScoreRequest& request,
                           v1::ScoreResponse* response) {
  absl::Notification finished;
  absl::Status status;
  service->inflight_calls().fetch_add(1);
  ScoreBatch(service->batch_context(), request, nullptr, response, [&](absl::Status s) {
    status = std::move(s);
    finished.Notify();
  });
  finished.WaitForNotification();
  service->inflight_calls().fetch_sub(1);
  return status;
}

void HandleScore(RewardServiceImpl* service, const httplib::Request& req, httplib::Response& res) {
  const absl::Time start = absl::Now();
  v1::ScoreRequest request;
  auto parsed = google::protobuf::util::JsonStringToMessage(req.body, &request);
  absl::Status status;
  v1::ScoreResponse response;
  if (!parsed.ok()) {
    status = absl::InvalidArgumentError(absl::StrCat("body is not a verdict.v1.ScoreRequest: ",
                                                     parsed.message().ToString()));
  } else {
    status = ScoreBlocking(service, request, &response);
  }
  service->metrics().RecordCall("http_score", static_cast<int>(status.code()),
                                absl::ToDoubleSeconds(absl::Now() - start));
  if (!status.ok()) return ReplyError(res, status);
  std::string body;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(response, &body, options);
  res.set_content(body, "application/json");
}

// OpenRLHF's remote reward model protocol (openrlhf/utils/remote_rm_utils.py): queries are
// prompt + response; each response is scored against its label (gold answer); consecutive
// identical prompts form a group.
void HandleOpenRlhf(RewardServiceImpl* service, const httplib::Request& req,
                    httplib::Response& res) {
  const absl::Time start = absl::Now();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array queries, prompts, labels;
  if (parser.parse(req.body).get(root) != simdjson::SUCCESS ||
      root["query"].get(queries) != simdjson::SUCCESS) {
    return ReplyError(res, absl::InvalidArgumentError(
                               "body must be {\"query\": [...], \"prompts\": [...], \"labels\": [...]}"));
  }
  const bool has_prompts = root["prompts"].get(prompts) == simdjson::SUCCESS;
  const bool has_labels = root["labels"].get(labels) == simdjson::SUCCESS;
  if ((has_prompts && prompts.size() != queries.size()) ||
      (has_labels && labels.size() != queries.size())) {
    return ReplyError(res, absl::InvalidArgumentError(
                               "\"prompts\" and \"labels\" must be as long as \"query\""));
  }
  v1::ScoreRequest request;
  std::vector<std::pair<int, int>> where;  // (group, sample) of each query
  std::string last_prompt;
  size_t i = 0;
  for (simdjson::dom::element q : queries) {
    std::string_view query, prompt, label;
    if (q.get(query) != simdjson::SUCCESS) {
      return ReplyError(res, absl::InvalidArgumentError("every query must be a string"));
    }
    if (has_prompts && prompts.at(i).get(prompt) != simdjson::SUCCESS) prompt = {};
    if (has_labels && labels.at(i).get(label) != simdjson::SUCCESS) label = {};
    if (request.groups_size() == 0 || prompt != last_prompt) {
      v1::Group* g = request.add_groups();
      g->set_id(std::to_string(request.groups_size() - 1));
      g->set_prompt(std::string(prompt));
      if (has_labels) {
        g->mutable_math()->add_gold_answers(std::string(label));
      } else {
        g->mutable_rules_only();
      }
      last_prompt = std::string(prompt);
    }
    v1::Group* g = request.mutable_groups(request.groups_size() - 1);
    std::string_view response = query.substr(0, prompt.size()) == prompt ? query.substr(prompt.size()) : query;
    g->add_completions()->set_text(std::string(response));
    where.emplace_back(request.groups_size() - 1, g->completions_size() - 1);
    ++i;
  }
  v1::ScoreResponse response;
  absl::Status status = ScoreBlocking(service, request, &response);
  service->metrics().RecordCall("http_openrlhf", static_cast<int>(status.code()),
                                absl::ToDoubleSeconds(absl::Now() - start));
  if (!status.ok()) return ReplyError(res, status);
  // rewards: the weighted reward; scores: accuracy when checked, else the reward (OpenRLHF's
  // dynamic filtering reads scores in [0, 1]); extra_logs: every component, for its logger.
  std::string rewards = "[", scores = "[";
  std::map<std::string, std::string> logs;
  for (size_t k = 0; k < where.size(); ++k) {
    const v1::GroupResult& g = response.groups(where[k].first);
    if (g.has_error()) {
      return ReplyError(res, absl::Status(static_cast<absl::StatusCode>(g.error().code()),
                                          absl::StrCat("query ", k, ": ", g.error().message())));
    }
    const v1::SampleResult& s = g.samples(where[k].second);
    if (s.has_error()) {
      return ReplyError(res, absl::Status(static_cast<absl::StatusCode>(s.error().code()),
                                          absl::StrCat("query ", k, ": ", s.error().message())));
    }
    const char* sep = k ? "," : "";
    absl::StrAppend(&rewards, sep, s.reward());
    auto acc = s.components().find("accuracy");
    absl::StrAppend(&scores, sep, acc != s.components().end() ? acc->second : s.reward());
    for (const auto& [name, value] : s.components()) absl::StrAppend(&logs[name], sep, value);
  }
  std::string body = absl::StrCat("{\"rewards\":", rewards, "],\"scores\":", scores, "],\"extra_logs\":{");
  bool first = true;
  for (const auto& [name, values] : logs) {
    absl::StrAppend(&body, first ? "" : ",", "\"", name, "\":[", values, "]");
    first = false;
  }
  body += "}}";
  res.set_content(body, "application/json");
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& address,
                                                             RewardServiceImpl* service,
                                                             const ThreadPool* pool,
                                                             const std::atomic<bool>* ready) {
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->server_ = std::make_unique<httplib::Server>();
  httplib::Server& srv = *s->server_;
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
    res.set_content(service->metrics().Render(service->budget().used(),
                                              service->inflight_calls().load(), pool->queue_depth()),
                    "text/plain; version=0.0.4");
  });
  srv.Post("/v1/score", [service](const httplib::Request& req, httplib::Response& res) {
    HandleScore(service, req, res);
  });
  srv.Post("/openrlhf", [service](const httplib::Request& req, httplib::Response& res) {
    HandleOpenRlhf(service, req, res);
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

void HttpServer::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace verdict
