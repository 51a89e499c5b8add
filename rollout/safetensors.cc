#include "rollout/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "simdjson.h"

namespace verdict::rollout {

int64_t TensorView::NumElements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

namespace {
size_t ElementSize(DType d) { return d == DType::kF32 ? 4 : 2; }
std::string ShapeString(const std::vector<int64_t>& s) {
  return "[" + absl::StrJoin(s, ", ") + "]";
}
}  // namespace

absl::StatusOr<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return absl::InternalError(absl::StrCat(path, ": fstat failed"));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size < 8) {
    ::close(fd);
    return absl::DataLossError(absl::StrCat(path, ": truncated: ", size, " bytes, no header"));
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return absl::InternalError(absl::StrCat(path, ": mmap failed"));
  std::unique_ptr<SafetensorsFile> f(new SafetensorsFile());
  f->path_ = path;
  f->map_ = map;
  f->map_size_ = size;
  const auto* bytes = static_cast<const uint8_t*>(map);
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
  if (header_len > size - 8 || header_len > (100u << 20)) {
    return absl::DataLossError(
        absl::StrCat(path, ": truncated: header claims ", header_len, " bytes, file has ", size));
  }
  const uint8_t* data = bytes + 8 + header_len;
  const size_t data_size = size - 8 - header_len;
  simdjson::dom::parser parser;
  simdjson::padded_string header(reinterpret_cast<const char*>(bytes + 8), header_len);
  simdjson::dom::object root;
  if (auto err = parser.parse(header).get(root); err) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": header is not a JSON object: ", simdjson::error_message(err)));
  }
  for (auto [key, value] : root) {
    if (key == "__metadata__") continue;
    TensorView t;
    t.name = std::string(key);
    t.file = path;
    std::string_view dtype;
    simdjson::dom::array shape, offsets;
    if (value["dtype"].get_string().get(dtype) || value["shape"].get_array().get(shape) ||
        value["data_offsets"].get_array().get(offsets) || offsets.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": tensor ", t.name, ": header entry lacks dtype/shape/data_offsets"));
    }
    if (dtype == "F32")
      t.dtype = DType::kF32;
    else if (dtype == "F16")
      t.dtype = DType::kF16;
    else if (dtype == "BF16")
      t.dtype = DType::kBF16;
    else {
      return absl::UnimplementedError(absl::StrCat(path, ": tensor ", t.name, ": dtype ",
                                                   std::string(dtype),
                                                   " is not supported (F32, F16, BF16)"));
    }
    int64_t elements = 1;  // checked here so that NumElements() cannot overflow later
    for (auto d : shape) {
      int64_t x;
      if (d.get_int64().get(x) || x < 0 || __builtin_mul_overflow(elements, x, &elements)) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": tensor ", t.name, ": bad shape"));
      }
      t.shape.push_back(x);
    }
    uint64_t begin, end;
    if (offsets.at(0).get_uint64().get(begin) || offsets.at(1).get_uint64().get(end) ||
        begin > end) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor ", t.name, ": bad offsets"));
    }
    if (end > data_size) {
      return absl::DataLossError(absl::StrCat(path, ": truncated: tensor ", t.name,
                                              " ends at byte ", end, " of a data section of ",
                                              data_size, " bytes"));
    }
    t.num_bytes = end - begin;
    uint64_t want_bytes = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(elements), ElementSize(t.dtype),
                               &want_bytes) ||
        t.num_bytes != want_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": tensor ", t.name, ": ", t.num_bytes, " bytes do not hold shape ",
                       ShapeString(t.shape), " of ", std::string(dtype)));
    }
    t.data = data + begin;
    f->tensors_.emplace(t.name, std::move(t));
  }
  return f;
}

SafetensorsFile::~SafetensorsFile() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

absl::StatusOr<WeightFiles> WeightFiles::Open(const std::string& dir) {
  WeightFiles w;
  std::vector<std::string> names;
  const std::string index_path = dir + "/model.safetensors.index.json";
  std::ifstream index(index_path);
  if (index) {
    std::stringstream ss;
    ss << index.rdbuf();
    simdjson::dom::parser parser;
    simdjson::padded_string text(ss.str());
    simdjson::dom::object map;
    if (parser.parse(text)["weight_map"].get_object().get(map)) {
      return absl::InvalidArgumentError(absl::StrCat(index_path, ": no \"weight_map\" object"));
    }
    for (auto [tensor, file] : map) {
      std::string_view f;
      if (file.get_string().get(f) || f.find('/') != std::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat(index_path, ": bad shard name for ", std::string(tensor)));
      }
      bool seen = false;
      for (const auto& n : names) seen |= n == f;
      if (!seen) names.emplace_back(f);
    }
  } else {
    names.push_back("model.safetensors");
  }
  for (const std::string& name : names) {
    auto file = SafetensorsFile::Open(dir + "/" + name);
    if (!file.ok()) return file.status();
    std::shared_ptr<SafetensorsFile> shared = std::move(*file);
    for (const auto& [tname, view] : shared->tensors()) w.tensors_[tname] = view;
    w.files_.push_back(std::move(shared));
  }
  return w;
}

absl::StatusOr<TensorView> WeightFiles::Get(const std::string& name,
                                            const std::vector<int64_t>& shape) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) {
    return absl::NotFoundError(absl::StrCat("missing tensor ", name));
  }
  if (it->second.shape != shape) {
    return absl::InvalidArgumentError(absl::StrCat("tensor ", name, " has shape ",
                                                   ShapeString(it->second.shape), ", expected ",
                                                   ShapeString(shape), " (", it->second.file, ")"));
  }
  return it->second;
}

float Bf16ToFloat(uint16_t bits) {
  const uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t FloatToBf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);  // NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

float Fp16ToFloat(uint16_t h) {
  const int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0)
    v = std::ldexp(static_cast<float>(mant), -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp(static_cast<float>(mant | 0x400), exp - 25);
  return sign ? -v : v;
}

void ToFloat32(const TensorView& t, absl::Span<float> out) {
  const int64_t n = t.NumElements();
  if (t.dtype == DType::kF32) {
    std::memcpy(out.data(), t.data, n * 4);
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    uint16_t bits;
    std::memcpy(&bits, t.data + 2 * i, 2);
    out[i] = t.dtype == DType::kBF16 ? Bf16ToFloat(bits) : Fp16ToFloat(bits);
  }
}

}  // namespace verdict::rollout
