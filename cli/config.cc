#include "cli/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "simdjson.h"

namespace verdict::cli {
namespace {

std::string FlagOfKey(std::string_view key) {
  return absl::StrReplaceAll(std::string(key), {{"_", "-"}});
}

std::string EnvOfFlag(const std::string& flag) {
  return absl::AsciiStrToUpper(absl::StrCat("VERDICT_", absl::StrReplaceAll(flag, {{"-", "_"}})));
}

absl::Status FileArgs(const std::string& path, const FlagSpec& spec, MergedArgs* out) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read --config ", path));
  std::stringstream text;
  text << in.rdbuf();
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(text.str()).get(root) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat("--config ", path, ": not a JSON object"));
  }
  for (auto [key_view, value] : root) {
    const std::string key(key_view);
    if (key == "default_spec") {
      out->spec_json = simdjson::minify(value);
      continue;
    }
    std::string flag = FlagOfKey(key);
    if (flag == "code") {  // "code": false is --no-code
      bool on;
      if (value.get(on) != simdjson::SUCCESS) {
        return absl::InvalidArgumentError(
            absl::StrCat("--config ", path, ": \"code\" must be a bool"));
      }
      if (!on) out->args.push_back("--no-code");
      continue;
    }
    if (spec.bool_flags.count(flag)) {
      bool on;
      if (value.get(on) != simdjson::SUCCESS) {
        return absl::InvalidArgumentError(
            absl::StrCat("--config ", path, ": \"", key, "\" must be a bool"));
      }
      if (on) out->args.push_back("--" + flag);
      continue;
    }
    if (!spec.value_flags.count(flag)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--config ", path, ": unknown key \"", key, "\""));
    }
    std::vector<simdjson::dom::element> values;
    if (value.is_array()) {
      for (auto v : value.get_array()) values.push_back(v);
    } else {
      values.push_back(value);
    }
    for (simdjson::dom::element v : values) {
      std::string_view s;
      if (v.get(s) == simdjson::SUCCESS) {
        out->args.push_back(absl::StrCat("--", flag, "=", std::string(s)));
      } else if (v.is_number()) {
        out->args.push_back(absl::StrCat("--", flag, "=", simdjson::minify(v)));
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("--config ", path, ": \"", key, "\" must be a string or a number"));
      }
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> EnvArgs(const FlagSpec& spec) {
  std::vector<std::string> args;
  for (const std::string& flag : spec.value_flags) {
    if (flag == "config") continue;
    const char* v = std::getenv(EnvOfFlag(flag).c_str());
    if (v == nullptr || *v == '\0') continue;
    if (flag == "listen") {
      for (absl::string_view part : absl::StrSplit(v, ',', absl::SkipEmpty())) {
        args.push_back(absl::StrCat("--listen=", part));
      }
    } else {
      args.push_back(absl::StrCat("--", flag, "=", v));
    }
  }
  for (const std::string& flag : spec.bool_flags) {
    if (flag == "help") continue;
    const char* v = std::getenv(EnvOfFlag(flag).c_str());
    if (v != nullptr && (std::string(v) == "1" || std::string(v) == "true"))
      args.push_back("--" + flag);
  }
  return args;
}

bool Mentions(const std::vector<std::string>& args, const std::string& flag) {
  for (const std::string& a : args) {
    if (a == "--" + flag || a.rfind("--" + flag + "=", 0) == 0) return true;
  }
  return false;
}

// Drops every occurrence of `flag` (and its separate value) from `args`.
std::vector<std::string> Without(const std::vector<std::string>& args, const std::string& flag) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--" + flag) {
      ++i;  // its value follows
      continue;
    }
    if (args[i].rfind("--" + flag + "=", 0) == 0) continue;
    out.push_back(args[i]);
  }
  return out;
}

}  // namespace

absl::StatusOr<MergedArgs> MergeConfig(const std::vector<std::string>& args, const FlagSpec& spec) {
  MergedArgs out;
  absl::StatusOr<Flags> cli = Flags::Parse(args, spec);
  if (!cli.ok()) return cli.status();
  if (cli->Has("config")) {
    if (absl::Status s = FileArgs(cli->Get("config"), spec, &out); !s.ok()) return s;
  }
  std::vector<std::string> env = EnvArgs(spec);
  // A repeated flag comes whole from the highest source that has it.
  for (const std::string& flag : {std::string("listen")}) {
    if (Mentions(args, flag)) {
      out.args = Without(out.args, flag);
      env = Without(env, flag);
    } else if (Mentions(env, flag)) {
      out.args = Without(out.args, flag);
    }
  }
  out.args.insert(out.args.end(), env.begin(), env.end());
  out.args.insert(out.args.end(), args.begin(), args.end());
  return out;
}

}  // namespace verdict::cli
