#include "sandbox/compile_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"

namespace verdict::sandbox {
namespace {

// A plain file name ending in ".h": letters, digits, '_', '-', '.'.
bool ValidPreludeName(const std::string& name) {
  if (name.size() < 3 || name.size() > 100 || !absl::EndsWith(name, ".h") || name[0] == '.') {
    return false;
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

struct Entry {
  absl::Mutex mu;  // held while the entry is compiled: one compile per key at a time
  bool done ABSL_GUARDED_BY(mu) = false;
  CompileOutcome outcome ABSL_GUARDED_BY(mu);
};

class CompileCacheImpl final : public CompileCache {
 public:
  explicit CompileCacheImpl(CompileCacheOptions options) : options_(std::move(options)) {}
  ~CompileCacheImpl() override {
    std::error_code ec;
    std::filesystem::remove_all(options_.dir, ec);
  }

  CompileCacheStats stats() const override {
    absl::MutexLock lock(&mu_);
    return stats_;
  }

 protected:
  absl::StatusOr<CompileOutcome> CompileWith(const Toolchain& toolchain, std::string_view source,
                                             Runner& runner, const CancelFlag* cancel,
                                             const CompileExtras& extras) override;

 private:
  absl::StatusOr<CompileOutcome> CompileNow(const Toolchain& toolchain, std::string_view source,
                                            Runner& runner, const CancelFlag* cancel,
                                            const CompileExtras& extras);
  // Directory to pass with -I holding a precompiled header, built on first use: the toolchain's
  // own (`prelude` empty), or `prelude` compiled as the header `prelude_name` (the directory
  // holds its text too). Empty when the toolchain has none or building it failed (compiles then
  // go without).
  std::string PchDir(const Toolchain& toolchain, const std::string& prelude,
                     const std::string& prelude_name, Runner& runner, const CancelFlag* cancel);
  absl::Status WriteFile(const std::string& path, const std::string& bytes, int mode);

  const CompileCacheOptions options_;
  mutable absl::Mutex mu_;
  // Keyed by the full text (command + source): no hash collision can serve a wrong binary.
  absl::flat_hash_map<std::string, std::shared_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
  // By toolchain name.
  absl::flat_hash_map<std::string, std::shared_ptr<Entry>> pch_ ABSL_GUARDED_BY(mu_);
  CompileCacheStats stats_ ABSL_GUARDED_BY(mu_);
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
};

absl::StatusOr<CompileOutcome> CompileCacheImpl::CompileWith(const Toolchain& toolchain,
                                                             std::string_view source,
                                                             Runner& runner,
                                                             const CancelFlag* cancel,
                                                             const CompileExtras& extras) {
  if (toolchain.compile_argv.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(toolchain.name, " is not compiled"));
  }
  if (!extras.prelude.empty() && !ValidPreludeName(extras.prelude_name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad prelude header name `", extras.prelude_name, "`"));
  }
  std::string key = absl::StrCat(absl::StrJoin(toolchain.compile_argv, "\x1f"), "\x1e",
                                 extras.private_binary ? "P" : "S", extras.prelude_name, "\x1d",
                                 extras.prelude, "\x1e", std::string(source));
  std::shared_ptr<Entry> entry;
  {
    absl::MutexLock lock(&mu_);
    if (static_cast<int64_t>(entries_.size()) >= options_.max_entries) entries_.clear();
    std::shared_ptr<Entry>& slot = entries_[key];
    if (slot == nullptr) slot = std::make_shared<Entry>();
    entry = slot;
  }
  absl::MutexLock entry_lock(&entry->mu);
  if (entry->done) {
    absl::MutexLock lock(&mu_);
    ++stats_.hits;
    CompileOutcome out = entry->outcome;
    out.cache_hit = true;
    return out;
  }
  absl::StatusOr<CompileOutcome> out = CompileNow(toolchain, source, runner, cancel, extras);
  if (out.ok()) {
    entry->done = true;
    entry->outcome = *out;
    absl::MutexLock lock(&mu_);
    ++stats_.misses;
  }
  return out;
}

absl::StatusOr<CompileOutcome> CompileCacheImpl::CompileNow(const Toolchain& toolchain,
                                                            std::string_view source, Runner& runner,
                                                            const CancelFlag* cancel,
                                                            const CompileExtras& extras) {
  RunRequest req;
  req.argv = ExpandArgv(toolchain.compile_argv, toolchain, "");
  std::string full(source);
  if (!extras.prelude.empty()) {
    std::string dir = PchDir(toolchain, extras.prelude, extras.prelude_name, runner, cancel);
    if (dir.empty()) {
      full = absl::StrCat(extras.prelude, "\n", full);
    } else {
      full = absl::StrCat("#include <", extras.prelude_name, ">\n", full);
      req.argv.insert(req.argv.begin() + 1, {"-I", dir});
    }
  }
  if (!toolchain.pch_header.empty() && full.find(toolchain.pch_header) != std::string::npos) {
    std::string dir = PchDir(toolchain, "", "", runner, cancel);
    if (!dir.empty()) req.argv.insert(req.argv.begin() + 1, {"-I", dir});
  }
  req.files.push_back({toolchain.source_name, std::move(full), false});
  req.collect.push_back(toolchain.binary_name);
  req.limits = toolchain.compile_limits;
  absl::StatusOr<RunResult> run = runner.Run(req, cancel);
  if (!run.ok()) return run.status();
  CompileOutcome out;
  out.compile_wall_ms = run->wall_ms;
  out.compile_status = run->status;
  if (run->status != RunStatus::kOk || run->files.empty()) {
    out.diagnostics = run->stderr_data;
    if (out.diagnostics.empty()) out.diagnostics = run->detail;
    return out;
  }
  int64_t id;
  {
    absl::MutexLock lock(&mu_);
    id = next_id_++;
  }
  std::string path = absl::StrCat(options_.dir, extras.private_binary ? "/private/b" : "/b", id);
  absl::Status written =
      WriteFile(path, run->files[0].content, extras.private_binary ? 0700 : 0755);
  if (!written.ok()) return written;
  out.ok = true;
  out.binary_path = path;
  return out;
}

absl::Status CompileCacheImpl::WriteFile(const std::string& path, const std::string& bytes,
                                         int mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return absl::InternalError(absl::StrCat("cache write ", path));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) break;
    done += n;
  }
  close(fd);
  if (done != bytes.size()) return absl::InternalError(absl::StrCat("cache write ", path));
  return absl::OkStatus();
}

std::string CompileCacheImpl::PchDir(const Toolchain& toolchain, const std::string& prelude,
                                     const std::string& prelude_name, Runner& runner,
                                     const CancelFlag* cancel) {
  if (toolchain.pch_header.empty() || toolchain.pch_argv.empty()) return "";
  std::shared_ptr<Entry> entry;
  int64_t id = 0;
  {
    absl::MutexLock lock(&mu_);
    std::shared_ptr<Entry>& slot =
        pch_[absl::StrCat(toolchain.name, "\x1e", prelude_name, "\x1e", prelude)];
    if (slot == nullptr) slot = std::make_shared<Entry>();
    entry = slot;
    if (!prelude.empty()) id = next_id_++;
  }
  absl::MutexLock entry_lock(&entry->mu);
  if (entry->done) return entry->outcome.binary_path;
  const std::string gch_name = "pch.gch";
  RunRequest req;
  Toolchain named = toolchain;
  named.binary_name = gch_name;
  req.argv = ExpandArgv(toolchain.pch_argv, named, "");
  if (!prelude.empty()) {
    // The toolchain's command with the prelude (a file of the run) for its system header.
    bool replaced = false;
    for (std::string& a : req.argv) {
      if (absl::EndsWith(a, absl::StrCat("/", toolchain.pch_header))) {
        a = prelude_name;
        replaced = true;
      }
    }
    if (!replaced) return "";
    req.files.push_back({prelude_name, prelude, false});
  }
  req.collect.push_back(gch_name);
  req.limits = toolchain.compile_limits;
  absl::StatusOr<RunResult> run = runner.Run(req, cancel);
  if (!run.ok()) return "";  // cancelled or failed: try again next time
  entry->done = true;
  if (run->status != RunStatus::kOk || run->files.empty()) return "";
  // <dir>/pch-<name>/<header>.gch, e.g. .../pch-cpp17/bits/stdc++.h.gch; a prelude's in
  // <dir>/pre<id>-<name>/, beside its text (what the compiler reads if it rejects the .gch).
  std::string dir = prelude.empty() ? absl::StrCat(options_.dir, "/pch-", toolchain.name)
                                    : absl::StrCat(options_.dir, "/pre", id, "-", toolchain.name);
  const std::string& header = prelude.empty() ? toolchain.pch_header : prelude_name;
  std::string file = absl::StrCat(dir, "/", header, ".gch");
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
  if (ec || !WriteFile(file, run->files[0].content, 0644).ok()) return "";
  if (!prelude.empty() && !WriteFile(absl::StrCat(dir, "/", header), prelude, 0644).ok()) {
    return "";
  }
  for (auto p = std::filesystem::path(file).parent_path(); p.string().size() > options_.dir.size();
       p = p.parent_path()) {
    chmod(p.c_str(), 0755);
  }
  entry->outcome.binary_path = dir;
  return dir;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CompileCache>> CompileCache::Create(
    const CompileCacheOptions& options) {
  // Each cache owns a subdirectory, so caches sharing `dir` never overwrite each other.
  static std::atomic<int> counter{0};
  CompileCacheOptions own = options;
  own.dir = absl::StrCat(options.dir, "/c", getpid(), "-", counter.fetch_add(1));
  std::error_code ec;
  std::filesystem::create_directories(own.dir + "/private", ec);
  if (ec || chmod(options.dir.c_str(), 0711) != 0 || chmod(own.dir.c_str(), 0711) != 0 ||
      chmod((own.dir + "/private").c_str(), 0700) != 0) {
    return absl::InternalError(absl::StrCat("cannot create compile cache dir ", own.dir));
  }
  return std::unique_ptr<CompileCache>(new CompileCacheImpl(own));
}

}  // namespace verdict::sandbox
