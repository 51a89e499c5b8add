// Shared by the GPU test and benchmark executables: abort on a failed CUDA call, and the ctest
// skip (exit 77) on a machine without a CUDA device.
#ifndef VERDICT_TESTS_ROLLOUT_CUDA_GPU_MAIN_H_
#define VERDICT_TESTS_ROLLOUT_CUDA_GPU_MAIN_H_

#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>

#define CHECK_CUDA(x)                                                                          \
  do {                                                                                         \
    const cudaError_t e_ = static_cast<cudaError_t>(x);                                        \
    if (e_ != cudaSuccess) {                                                                   \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); \
      std::exit(1);                                                                            \
    }                                                                                          \
  } while (0)

// True (after printing SKIP) when there is no CUDA device: main then returns 77.
inline bool NoCudaDevice() {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("SKIP: no CUDA device\n");
    return true;
  }
  return false;
}

#endif  // VERDICT_TESTS_ROLLOUT_CUDA_GPU_MAIN_H_
