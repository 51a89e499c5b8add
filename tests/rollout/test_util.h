// Helpers for rollout tests: scratch directories and the Python model/tokenizer writers.
#ifndef VERDICT_TESTS_ROLLOUT_TEST_UTIL_H_
#define VERDICT_TESTS_ROLLOUT_TEST_UTIL_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace verdict::rollout::testing {

// Why Python-backed tests must skip, or "" when python3 has every module in `modules`.
inline std::string PythonMissing(const std::string& modules) {
  const std::string cmd = absl::StrCat("python3 -c 'import ", modules, "' >/dev/null 2>&1");
  if (std::system(cmd.c_str()) != 0) {
    return absl::StrCat("python3 with modules {", modules, "} is not available (pip install ",
                        modules, ")");
  }
  return "";
}

// Scratch directories are removed when the test binary exits normally (set
// VERDICT_KEEP_SCRATCH=1 to keep them for debugging).
inline std::vector<std::string>& ScratchDirs() {
  static auto* dirs = new std::vector<std::string>();
  static const bool registered = [] {
    std::atexit([] {
      if (std::getenv("VERDICT_KEEP_SCRATCH") != nullptr) return;
      std::error_code ec;
      for (const std::string& d : ScratchDirs()) std::filesystem::remove_all(d, ec);
    });
    return true;
  }();
  (void)registered;
  return *dirs;
}

inline std::string ScratchDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::filesystem::path p = std::filesystem::path(tmp ? tmp : "/tmp") /
                            absl::StrCat("verdict_rollout_", name, "_", ::getpid());
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  ScratchDirs().push_back(p.string());
  return p.string();
}

inline std::string ScriptPath(const std::string& script) {
  return absl::StrCat(VERDICT_SOURCE_DIR, "/tests/rollout/", script);
}

// Runs `python3 tests/rollout/<script> <args>`; returns its exit status.
inline int RunScript(const std::string& script, const std::string& args) {
  const std::string cmd = absl::StrCat("python3 ", ScriptPath(script), " ", args);
  return std::system(cmd.c_str());
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace verdict::rollout::testing

#endif  // VERDICT_TESTS_ROLLOUT_TEST_UTIL_H_
