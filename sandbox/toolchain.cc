#include "sandbox/toolchain.h"

#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"

namespace verdict::sandbox {
namespace {

RunLimits CompileLimits() {
  RunLimits l;
  l.cpu_ms = 30000;
  l.wall_ms = 60000;
  l.memory_bytes = int64_t{4} << 30;
  l.processes = 16;
  l.stdout_bytes = 1 << 20;
  l.stderr_bytes = 64 << 10;
  l.file_bytes = int64_t{256} << 20;
  l.open_files = 256;
  // A precompiled bits/stdc++.h is a file of ~100-200 MiB beside the compiler's temporaries.
  l.work_dir_bytes = int64_t{1} << 30;
  return l;
}

bool Exists(const char* path) { return access(path, X_OK) == 0; }

}  // namespace

std::vector<Toolchain> DefaultToolchains() {
  std::vector<Toolchain> t;
  if (Exists("/usr/bin/python3")) {
    t.push_back({"python3",
                 {"python3", "python", "py"},
                 "main.py",
                 {},
                 "",
                 {"/usr/bin/python3", "-S", "-B", "{src}"},
                 CompileLimits(),
                 "",
                 {},
                 0});
  }
  if (Exists("/usr/bin/g++")) {
    for (const char* std : {"17", "20"}) {
      t.push_back({std::string("cpp") + std,
                   std[0] == '1' ? std::vector<std::string>{"cpp17", "cpp", "c++", "cc", "cxx"}
                                 : std::vector<std::string>{"cpp20", "c++20"},
                   "main.cpp",
                   {"/usr/bin/g++", std::string("-std=gnu++") + std, "-O2", "-pipe", "-o", "{out}",
                    "{src}", "-Wl,--as-needed", "-lcrypto"},
                   "main",
                   {"{bin}"},
                   CompileLimits(),
                   "",
                   {},
                   0});
      const char* header = "/usr/include/x86_64-linux-gnu/c++/12/bits/stdc++.h";
      if (access(header, R_OK) == 0) {
        t.back().pch_header = "bits/stdc++.h";
        t.back().pch_argv = {"/usr/bin/g++", std::string("-std=gnu++") + std,
                             "-O2",          "-pipe",
                             "-x",           "c++-header",
                             header,         "-o",
                             "{out}"};
      }
    }
  }
  if (Exists("/usr/bin/gcc")) {
    t.push_back({"c",
                 {"c"},
                 "main.c",
                 {"/usr/bin/gcc", "-std=gnu17", "-O2", "-pipe", "-o", "{out}", "{src}", "-lm"},
                 "main",
                 {"{bin}"},
                 CompileLimits(),
                 "",
                 {},
                 0});
  }
  if (Exists("/usr/bin/node")) {
    t.push_back({"javascript",
                 {"javascript", "js", "node"},
                 "main.js",
                 {},
                 "",
                 {"/usr/bin/node", "{src}"},
                 CompileLimits(),
                 "",
                 {},
                 int64_t{4} << 30});
  }
  return t;
}

const Toolchain* FindToolchain(const std::vector<Toolchain>& table, std::string_view name) {
  std::string lower = absl::AsciiStrToLower(std::string(name));
  for (const Toolchain& tc : table) {
    if (tc.name == lower) return &tc;
    for (const std::string& a : tc.aliases) {
      if (a == lower) return &tc;
    }
  }
  return nullptr;
}

std::vector<std::string> ExpandArgv(const std::vector<std::string>& argv, const Toolchain& tc,
                                    std::string_view binary_path) {
  std::vector<std::string> out;
  out.reserve(argv.size());
  for (const std::string& a : argv) {
    out.push_back(absl::StrReplaceAll(a, {{"{src}", tc.source_name},
                                          {"{out}", tc.binary_name},
                                          {"{bin}", std::string(binary_path)}}));
  }
  return out;
}

}  // namespace verdict::sandbox
