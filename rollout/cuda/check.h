// A check after every CUDA call: VERDICT_CUDA_RETURN(expr) returns absl INTERNAL naming the call,
// file and line when expr (a cudaError_t, or an int holding one) is not cudaSuccess.
// Private to rollout/cuda/ (.cc and .cu files only).
#ifndef VERDICT_ROLLOUT_CUDA_CHECK_H_
#define VERDICT_ROLLOUT_CUDA_CHECK_H_

#include <cuda_runtime.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#define VERDICT_CUDA_RETURN(expr)                                                           \
  do {                                                                                      \
    const cudaError_t verdict_cuda_e_ = static_cast<cudaError_t>(expr);                     \
    if (verdict_cuda_e_ != cudaSuccess) {                                                   \
      return absl::InternalError(absl::StrCat(#expr, " at ", __FILE__, ":", __LINE__, ": ", \
                                              cudaGetErrorString(verdict_cuda_e_)));        \
    }                                                                                       \
  } while (0)

#endif  // VERDICT_ROLLOUT_CUDA_CHECK_H_
