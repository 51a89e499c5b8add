// A small command-line parser shared by the `verdict` subcommands, the rollout worker and the
// benchmarks: `--name=value`, `--name value`, boolean `--name`, repeated flags, and positional
// arguments. No globals.
#ifndef VERDICT_BASE_FLAGS_H_
#define VERDICT_BASE_FLAGS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace verdict {

struct FlagSpec {
  std::set<std::string> value_flags;  // take a value
  std::set<std::string> bool_flags;   // take none
};

class Flags {
 public:
  // INVALID_ARGUMENT for an unknown flag or a missing value.
  static absl::StatusOr<Flags> Parse(const std::vector<std::string>& args, const FlagSpec& spec);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // Last value given, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;
  absl::StatusOr<double> GetDouble(const std::string& name, double fallback) const;
  absl::StatusOr<int64_t> GetInt(const std::string& name, int64_t fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

}  // namespace verdict

#endif  // VERDICT_BASE_FLAGS_H_
