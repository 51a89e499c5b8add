// libFuzzer target for rollout/safetensors: a model's weight file is read from disk as given (the
// 8-byte header length, the JSON header, the data offsets). The input is the whole file, put in
// a memfd and opened by its /proc path. Checked: no crash; every tensor accepted lies inside the
// file and its bytes hold exactly its shape, and converting it to fp32 reads only those bytes.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "rollout/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using verdict::rollout::SafetensorsFile;
  using verdict::rollout::TensorView;
  const int fd = memfd_create("safetensors_fuzz", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  for (size_t done = 0; done < size;) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) std::abort();
    done += static_cast<size_t>(n);
  }
  auto file = SafetensorsFile::Open("/proc/self/fd/" + std::to_string(fd));
  if (file.ok()) {
    for (const auto& [name, t] : (*file)->tensors()) {
      if (t.num_bytes > size) std::abort();
      // The shape's element count, computed without overflow: a shape whose product wraps must
      // have been refused (else a huge shape passes as a few bytes).
      uint64_t n = 1;
      for (int64_t d : t.shape) {
        if (d < 0 || __builtin_mul_overflow(n, static_cast<uint64_t>(d), &n)) std::abort();
      }
      const uint64_t element = t.dtype == verdict::rollout::DType::kF32 ? 4 : 2;
      uint64_t bytes = 0;
      if (__builtin_mul_overflow(n, element, &bytes) || bytes != t.num_bytes) std::abort();
      if (static_cast<uint64_t>(t.NumElements()) != n) std::abort();
      std::vector<float> out(static_cast<size_t>(n));
      verdict::rollout::ToFloat32(t, absl::MakeSpan(out));
    }
  }
  close(fd);
  return 0;
}
