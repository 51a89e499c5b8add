// Starts the real `verdict` binary as a child process for end-to-end tests.
#ifndef VERDICT_TESTS_E2E_SERVER_PROCESS_H_
#define VERDICT_TESTS_E2E_SERVER_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace verdict::testing_util {

inline std::string VerdictBinary() { return std::string(VERDICT_BINARY_DIR) + "/cli/verdict"; }

inline std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/verdict_" + std::to_string(getpid()) + "_" + name;
}

// Runs `verdict args...` to completion; returns its exit code (or 128+signal).
inline int RunVerdict(const std::vector<std::string>& args, const std::string& stdout_path = "",
                      const std::string& stderr_path = "") {
  std::vector<std::string> argv = {VerdictBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargs;
  for (auto& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stdout_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
  }
  if (!stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
  }
  pid_t pid;
  if (posix_spawn(&pid, cargs[0], &actions, nullptr, cargs.data(), environ) != 0) return -1;
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// `verdict serve` in a child process; killed (SIGKILL) on destruction if still running.
class ServerProcess {
 public:
  // Starts `verdict serve --port-file F extra_args...` and waits until it is serving.
  explicit ServerProcess(std::vector<std::string> extra_args) {
    port_file_ = TempPath("ports_" + std::to_string(counter()++));
    std::remove(port_file_.c_str());
    std::vector<std::string> argv = {VerdictBinary(), "serve", "--port-file", port_file_};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    if (posix_spawn(&pid_, cargs[0], nullptr, nullptr, cargs.data(), environ) != 0) pid_ = -1;
    for (int i = 0; i < 600 && pid_ > 0; ++i) {  // up to 30 s on a loaded machine
      std::ifstream f(port_file_);
      std::string line;
      while (std::getline(f, line)) {
        if (!line.empty()) addresses_.push_back(line);
      }
      if (!addresses_.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~ServerProcess() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::remove(port_file_.c_str());
  }

  bool ok() const { return pid_ > 0 && !addresses_.empty(); }
  const std::vector<std::string>& addresses() const { return addresses_; }
  void Signal(int sig) { kill(pid_, sig); }
  // Waits for exit; returns the exit code, 128+signal, or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      int status = 0;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string port_file_;
  std::vector<std::string> addresses_;
};

}  // namespace verdict::testing_util

#endif  // VERDICT_TESTS_E2E_SERVER_PROCESS_H_
