// Reads the shared HumanEval datasets in place (gzip JSONL via zlib).
#ifndef VERDICT_TESTS_VERIFIER_CODE_DATASET_H_
#define VERDICT_TESTS_VERIFIER_CODE_DATASET_H_

#include <zlib.h>

#include <map>
#include <string>
#include <vector>

#include "simdjson.h"

namespace verdict::code::testing {

using Record = std::map<std::string, std::string>;

inline std::vector<Record> ReadJsonlGz(const std::string& path) {
  std::vector<Record> out;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return out;
  std::string text;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) text.append(buf, n);
  gzclose(f);
  simdjson::ondemand::parser parser;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.find('{') == std::string::npos) continue;
    simdjson::padded_string padded(line);
    auto doc = parser.iterate(padded);
    Record r;
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key().value();
      std::string_view value;
      if (field.value().get_string().get(value) == simdjson::SUCCESS) r[std::string(key)] = value;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace verdict::code::testing

#endif  // VERDICT_TESTS_VERIFIER_CODE_DATASET_H_
