#include "rollout/cuda/device.h"

#include <cuda_runtime.h>

namespace verdict::rollout::cuda {

CudaProbe ProbeCuda() {
  CudaProbe p;
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    p.error = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(e);
    return p;
  }
  if (n == 0) {
    p.error = "cudaGetDeviceCount: 0 devices";
    return p;
  }
  cudaDeviceProp prop;
  const cudaError_t pe = cudaGetDeviceProperties(&prop, 0);
  if (pe != cudaSuccess) {
    p.error = std::string("cudaGetDeviceProperties: ") + cudaGetErrorString(pe);
    return p;
  }
  p.device_count = n;
  p.name = prop.name;
  p.sm_major = prop.major;
  p.sm_minor = prop.minor;
  return p;
}

}  // namespace verdict::rollout::cuda
