// Memory-mapped safetensors files (https://huggingface.co/docs/safetensors): an 8-byte
// little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, then the data.
// Tensors are views into the mapping: nothing is copied until ToFloat32.
//
// Thread safety: a loaded WeightFiles is immutable; read it from any thread.
#ifndef VERDICT_ROLLOUT_SAFETENSORS_H_
#define VERDICT_ROLLOUT_SAFETENSORS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace verdict::rollout {

enum class DType { kF32, kF16, kBF16 };

struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;  // into the mapping; valid while the owning file lives
  size_t num_bytes = 0;
  std::string file;  // the file it came from, for messages
  int64_t NumElements() const;
};

// One mapped file. Errors name the file and the problem: NOT_FOUND (no file), DATA_LOSS
// (truncated, header or offsets out of range), INVALID_ARGUMENT (bad header JSON, size not
// matching shape), UNIMPLEMENTED (a dtype other than F32/F16/BF16, naming the tensor).
class SafetensorsFile {
 public:
  static absl::StatusOr<std::unique_ptr<SafetensorsFile>> Open(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::map<std::string, TensorView>& tensors() const { return tensors_; }

 private:
  SafetensorsFile() = default;
  std::string path_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::map<std::string, TensorView> tensors_;
};

// The weights of a model directory: model.safetensors, or model.safetensors.index.json and the
// shards its weight_map names.
class WeightFiles {
 public:
  static absl::StatusOr<WeightFiles> Open(const std::string& dir);

  // NOT_FOUND naming the tensor when absent; INVALID_ARGUMENT naming tensor, expected and
  // actual shape when `shape` differs.
  absl::StatusOr<TensorView> Get(const std::string& name, const std::vector<int64_t>& shape) const;
  bool Has(const std::string& name) const { return tensors_.count(name) > 0; }
  size_t size() const { return tensors_.size(); }

 private:
  std::vector<std::shared_ptr<SafetensorsFile>> files_;
  std::map<std::string, TensorView> tensors_;
};

// Converts any supported dtype to fp32 (bf16/fp16 exactly, incl. subnormals, inf and nan).
// `out` must hold NumElements() floats.
void ToFloat32(const TensorView& t, absl::Span<float> out);
float Bf16ToFloat(uint16_t bits);
// fp32 -> bf16 bits, round to nearest even (NaN stays NaN, inf stays inf).
uint16_t FloatToBf16(float f);
float Fp16ToFloat(uint16_t bits);

}  // namespace verdict::rollout

#endif  // VERDICT_ROLLOUT_SAFETENSORS_H_
