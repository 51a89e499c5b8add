// The SIMT emulator: this folder's CUDA kernels, compiled as plain C++ and run on the CPU, so that
// the kernels themselves (not a re-implementation) are tested on machines without a GPU.
//
// A .cu file is compiled for the emulator by a .cc that includes this header first and the .cu
// after it (rollout/cuda/emu/*_emu.cc), with VERDICT_SIMT_EMU defined. The emulator then gives
// the kernel code what nvcc would:
//   - every CUDA thread of a block is a fiber (its own stack); the block's fibers run one at a
//     time, in a shuffled order that changes at every barrier, so code that depends on an
//     order between barriers gives different results on different runs;
//   - __syncthreads() waits for every thread of the block, and __shfl_xor_sync for every lane
//     of the warp. A barrier that not all threads reach (a divergent __syncthreads, a thread that
//     returned early, a shuffle some lanes skip) is reported as a failed launch naming the
//     kernel, the block and where each thread waits: on a GPU it hangs or is undefined;
//   - __shared__ variables are per-block storage (static thread_local: blocks run one after
//     another on one thread), dynamic shared memory is poisoned (0xff bytes, NaN as floats)
//     before every block;
//   - atomics are plain read-modify-writes (one fiber runs at a time), __ldg and __ldcg loads,
//     __threadfence nothing (memory is coherent); the blocks of a grid run one after another in
//     a shuffled order;
//   - launches go through the emulated runtime (runtime.cc): checked launch bounds, streams
//     whose work runs only when the host waits for it, graph capture. Device memory is host
//     memory, so ASan sees a kernel's out-of-bounds accesses.
// What it does not model: timing, the weak memory model across blocks (a kernel whose blocks
// communicate — the attention's last-block combine — is checked for order, not for fences),
// warp-synchronous code without shuffles, device math's last-bit differences (expf, sqrtf are
// the host's).
#ifndef VERDICT_ROLLOUT_CUDA_EMU_SIMT_H_
#define VERDICT_ROLLOUT_CUDA_EMU_SIMT_H_

#if !defined(VERDICT_SIMT_EMU)
#error "rollout/cuda/emu/simt.h is for the emulator build (VERDICT_SIMT_EMU) only"
#endif

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <utility>

namespace verdict::simt {

// The running fiber's coordinates (valid inside a kernel only).
uint3 ThreadIdx();
uint3 BlockIdx();
dim3 BlockDim();
dim3 GridDim();
// __syncthreads(): returns once every thread of the block has called it.
void SyncThreads();
// __syncthreads_or(pred): the same barrier; returns non-zero in every thread when any thread's
// pred is non-zero.
int SyncThreadsOr(int pred);
// Exchanges the raw bits of a 32- or 64-bit value with lane (lane ^ lane_mask) of the warp;
// every lane of the warp must call it. `mask` must name every lane of the warp.
uint64_t ShuffleXor(uint32_t mask, uint64_t bits, int lane_mask);
// The block's dynamic shared memory (the launch's smem bytes, 16-byte aligned).
unsigned char* DynamicShared();

using Body = std::function<void()>;
// Runs a grid now, block after block; returns "" or what went wrong (simt.cc).
std::string RunGrid(const char* kernel, dim3 grid, dim3 block, size_t smem, const Body& body);
// Runs on `stream` (at once, or recorded when the stream is being captured), with the launch
// checks of a real device; errors go to cudaGetLastError (runtime.cc).
void EnqueueKernel(const void* fn, const char* kernel, dim3 grid, dim3 block, size_t smem,
                   cudaStream_t stream, Body body);
// True when [p, p + bytes) lies inside one live device allocation (runtime.cc).
bool DeviceRange(const void* p, size_t bytes);
// A host operation in stream order (the emulated cuBLAS and CUB device calls), or an error.
cudaError_t EnqueueOp(cudaStream_t stream, const char* what, std::function<cudaError_t()> op);

template <typename Kernel>
class Launcher {
 public:
  Launcher(const char* name, Kernel* kernel, dim3 grid, dim3 block, size_t smem,
           cudaStream_t stream)
      : name_(name), kernel_(kernel), grid_(grid), block_(block), smem_(smem), stream_(stream) {}
  template <typename... Args>
  void operator()(Args... args) const {
    Kernel* k = kernel_;
    EnqueueKernel(reinterpret_cast<const void*>(kernel_), name_, grid_, block_, smem_, stream_,
                  [k, args...] { k(args...); });
  }

 private:
  const char* name_;
  Kernel* kernel_;
  dim3 grid_, block_;
  size_t smem_;
  cudaStream_t stream_;
};

template <typename Kernel>
Launcher<Kernel> MakeLauncher(const char* name, Kernel* kernel, dim3 grid, dim3 block, size_t smem,
                              cudaStream_t stream) {
  return Launcher<Kernel>(name, kernel, grid, block, smem, stream);
}

}  // namespace verdict::simt

// ---- What nvcc provides, for the kernel code ----
#undef __shared__
#define __shared__ static thread_local
#define __launch_bounds__(...)
#define threadIdx (::verdict::simt::ThreadIdx())
#define blockIdx (::verdict::simt::BlockIdx())
#define blockDim (::verdict::simt::BlockDim())
#define gridDim (::verdict::simt::GridDim())
#define __syncthreads() ::verdict::simt::SyncThreads()
#define __syncthreads_or(pred) ::verdict::simt::SyncThreadsOr(pred)

template <typename T>
inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8, "32- or 64-bit shuffles");
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof v);
  bits = ::verdict::simt::ShuffleXor(mask, bits, lane_mask);
  T out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}
inline unsigned __umulhi(unsigned a, unsigned b) {
  return static_cast<unsigned>((static_cast<uint64_t>(a) * b) >> 32);
}
inline unsigned __float_as_uint(float f) {
  unsigned u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
inline float __uint_as_float(unsigned u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
template <typename T>
inline T __ldg(const T* p) {
  return *p;
}
template <typename T>
inline T __ldcg(const T* p) {
  return *p;
}
// One fiber runs at a time and switches only inside the emulator's calls: memory is always
// coherent, so a fence has nothing to do (blocks run one after another, in a shuffled order).
inline void __threadfence() {}
template <typename T, typename U>
inline T atomicAdd(T* p, U v) {
  const T old = *p;
  *p = static_cast<T>(old + static_cast<T>(v));
  return old;
}

#endif  // VERDICT_ROLLOUT_CUDA_EMU_SIMT_H_
