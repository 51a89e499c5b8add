#include "server/metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace verdict {
namespace {

constexpr double kBounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                              0.25,  0.5,    1,     2.5,  5,     10};
constexpr size_t kNumBounds = sizeof(kBounds) / sizeof(kBounds[0]);

std::string_view VerifierOf(const Group& g) {
  if (std::holds_alternative<MathReference>(g.reference)) return "math";
  if (std::holds_alternative<CodeReference>(g.reference)) return "code";
  if (std::holds_alternative<RulesOnly>(g.reference)) return "rules_only";
  if (std::holds_alternative<InstructionReference>(g.reference)) return "instructions";
  return "none";
}

// Open file descriptors: the entries of /proc/self/fd, less the one this count opens.
int64_t OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int64_t n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;
}

int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return -1;
  return resident * sysconf(_SC_PAGESIZE);
}

// Unix time the process started: boot time (/proc/stat btime) plus the start tick of
// /proc/self/stat (field 22, after the parenthesised command name, which may hold spaces).
double StartTimeSeconds() {
  std::ifstream stat_file("/proc/self/stat");
  std::stringstream buffer;
  buffer << stat_file.rdbuf();
  const std::string stat = buffer.str();
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
  double ticks = 0;  // field 22 is the 20th after the name (state is field 3)
  if (fields.size() < 20 || !absl::SimpleAtod(fields[19], &ticks)) return -1;
  std::ifstream proc_stat("/proc/stat");
  std::string line;
  while (std::getline(proc_stat, line)) {
    double btime = 0;
    if (line.rfind("btime ", 0) == 0 && absl::SimpleAtod(line.substr(6), &btime)) {
      return btime + ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
  }
  return -1;
}

// The process_* metrics of the Prometheus client conventions, read from the kernel at scrape.
void RenderProcess(std::string* out) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  *out += "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n";
  *out += "# TYPE process_cpu_seconds_total counter\n";
  absl::StrAppendFormat(out, "process_cpu_seconds_total %.6f\n", cpu);
  *out += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n";
  *out += "# TYPE process_resident_memory_bytes gauge\n";
  absl::StrAppendFormat(out, "process_resident_memory_bytes %d\n", ResidentBytes());
  *out += "# HELP process_open_fds Number of open file descriptors.\n";
  *out += "# TYPE process_open_fds gauge\n";
  absl::StrAppendFormat(out, "process_open_fds %d\n", OpenFds());
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
    *out += "# HELP process_max_fds Maximum number of open file descriptors.\n";
    *out += "# TYPE process_max_fds gauge\n";
    absl::StrAppendFormat(out, "process_max_fds %d\n", static_cast<int64_t>(files.rlim_cur));
  }
  *out +=
      "# HELP process_start_time_seconds Start time of the process since unix epoch in "
      "seconds.\n";
  *out += "# TYPE process_start_time_seconds gauge\n";
  absl::StrAppendFormat(out, "process_start_time_seconds %.2f\n", StartTimeSeconds());
}

}  // namespace

void Metrics::RecordCall(std::string_view method, int code, double seconds) {
  absl::MutexLock lock(&mu_);
  ++calls_[{std::string(method), code}];
  Histogram& h = latency_[std::string(method)];
  if (h.buckets.empty()) h.buckets.assign(kNumBounds + 1, 0);
  for (size_t i = 0; i < kNumBounds; ++i) {
    if (seconds <= kBounds[i]) ++h.buckets[i];
  }
  ++h.buckets[kNumBounds];
  h.sum += seconds;
  ++h.count;
}

void Metrics::RecordGroup(const Group& group, const GroupResult& result) {
  // Counted by verdict first, then one map update per verdict present: a lookup keyed by two
  // new strings per sample was ~2% of the server's instructions (#16).
  constexpr size_t kVerdicts = static_cast<size_t>(Verdict::kOutputLimit) + 1;
  std::array<uint64_t, kVerdicts> counts{};
  for (const SampleResult& s : result.samples) ++counts[static_cast<size_t>(s.verdict)];
  const std::string verifier(VerifierOf(group));
  absl::MutexLock lock(&mu_);
  for (size_t v = 0; v < kVerdicts; ++v) {
    if (counts[v] == 0) continue;
    samples_[{verifier, std::string(VerdictName(static_cast<Verdict>(v)))}] += counts[v];
  }
}

void Metrics::RecordGroupError(int code) {
  absl::MutexLock lock(&mu_);
  ++group_errors_[code];
}

std::string Metrics::Render(int64_t inflight_samples, int64_t inflight_calls,
                            size_t queue_depth) const {
  absl::MutexLock lock(&mu_);
  std::string out;
  out += "# HELP verdict_calls_total Calls finished, by method and status code.\n";
  out += "# TYPE verdict_calls_total counter\n";
  for (const auto& [key, n] : calls_) {
    absl::StrAppendFormat(&out, "verdict_calls_total{method=\"%s\",code=\"%d\"} %d\n", key.first,
                          key.second, n);
  }
  out += "# HELP verdict_call_duration_seconds Call latency, by method.\n";
  out += "# TYPE verdict_call_duration_seconds histogram\n";
  for (const auto& [method, h] : latency_) {
    for (size_t i = 0; i < kNumBounds; ++i) {
      absl::StrAppendFormat(&out,
                            "verdict_call_duration_seconds_bucket{method=\"%s\",le=\"%g\"} %d\n",
                            method, kBounds[i], h.buckets[i]);
    }
    absl::StrAppendFormat(&out,
                          "verdict_call_duration_seconds_bucket{method=\"%s\",le=\"+Inf\"} %d\n",
                          method, h.buckets[kNumBounds]);
    absl::StrAppendFormat(&out, "verdict_call_duration_seconds_sum{method=\"%s\"} %.9g\n", method,
                          h.sum);
    absl::StrAppendFormat(&out, "verdict_call_duration_seconds_count{method=\"%s\"} %d\n", method,
                          h.count);
  }
  out += "# HELP verdict_samples_total Samples scored, by verifier and verdict.\n";
  out += "# TYPE verdict_samples_total counter\n";
  for (const auto& [key, n] : samples_) {
    absl::StrAppendFormat(&out, "verdict_samples_total{verifier=\"%s\",verdict=\"%s\"} %d\n",
                          key.first, key.second, n);
  }
  out += "# HELP verdict_group_errors_total Groups that could not be scored, by status code.\n";
  out += "# TYPE verdict_group_errors_total counter\n";
  for (const auto& [code, n] : group_errors_) {
    absl::StrAppendFormat(&out, "verdict_group_errors_total{code=\"%d\"} %d\n", code, n);
  }
  out += "# HELP verdict_inflight_samples Completions being scored now.\n";
  out += "# TYPE verdict_inflight_samples gauge\n";
  absl::StrAppendFormat(&out, "verdict_inflight_samples %d\n", inflight_samples);
  out += "# HELP verdict_inflight_calls Calls in progress.\n";
  out += "# TYPE verdict_inflight_calls gauge\n";
  absl::StrAppendFormat(&out, "verdict_inflight_calls %d\n", inflight_calls);
  out += "# HELP verdict_queue_depth Scoring tasks waiting for a thread.\n";
  out += "# TYPE verdict_queue_depth gauge\n";
  absl::StrAppendFormat(&out, "verdict_queue_depth %d\n", queue_depth);
  RenderProcess(&out);
  return out;
}

}  // namespace verdict
