// Which backend the rollout worker can use on this machine. No CUDA header here.
#ifndef VERDICT_ROLLOUT_CUDA_DEVICE_H_
#define VERDICT_ROLLOUT_CUDA_DEVICE_H_

#include <string>

namespace verdict::rollout::cuda {

struct CudaProbe {
  int device_count = 0;  // 0 when cudaGetDeviceCount fails or finds none
  std::string name;      // device 0, e.g. "NVIDIA H100 80GB HBM3"
  int sm_major = 0, sm_minor = 0;
  std::string error;  // why no device: the CUDA error string, empty when found
};

// Asks the CUDA runtime for devices. Never fails: a missing driver or GPU is a CudaProbe with
// device_count 0 and the reason in `error`. Thread-safe.
CudaProbe ProbeCuda();

}  // namespace verdict::rollout::cuda

#endif  // VERDICT_ROLLOUT_CUDA_DEVICE_H_
