// libFuzzer target for cli/result_wire: `verdict score --server` reads a response's bytes from
// whatever answers at the address. Differential: whenever ReadScoreResponse reads the bytes,
// protobuf must parse them too, and every group and sample must print the same JSON from the
// bytes as from the parsed message (else --server output would differ from in-process output).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cli/result_json.h"
#include "cli/result_wire.h"
#include "google/protobuf/arena.h"

namespace {

std::string Json(const verdict::cli::GroupView& g) {
  std::string out;
  verdict::cli::AppendGroupResultJson(g, &out);
  for (const verdict::cli::SampleView& s : g.samples) verdict::cli::AppendSampleJson(s, &out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  google::protobuf::Arena arena;
  std::vector<verdict::cli::GroupView> read;
  if (!verdict::cli::ReadScoreResponse(bytes, &arena, &read)) return 0;
  verdict::v1::ScoreResponse parsed;
  if (!parsed.ParseFromArray(data, static_cast<int>(size))) std::abort();
  if (static_cast<size_t>(parsed.groups_size()) != read.size()) std::abort();
  for (int i = 0; i < parsed.groups_size(); ++i) {
    verdict::cli::GroupView view;
    verdict::cli::GroupViewOf(parsed.groups(i), &view);
    if (Json(view) != Json(read[static_cast<size_t>(i)])) std::abort();
  }
  return 0;
}
