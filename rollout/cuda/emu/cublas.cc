// The cuBLAS calls this project makes, for the SIMT emulator (see runtime.cc): same C symbols as
// libcublas. cublasGemmEx is column-major BLAS with bf16 or fp32 inputs, fp32 output and fp32
// accumulation, checked like cuBLAS checks it (leading dimensions, types) and stricter: every
// operand must lie inside one device allocation, and C is not read when beta is 0 (so a NaN
// left in C from cudaMalloc's poison shows up only if the caller's beta is wrong).
#include <cublas_v2.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "rollout/cuda/emu/simt.h"

struct cublasContext {
  cudaStream_t stream = nullptr;
  void* workspace = nullptr;
  size_t workspace_bytes = 0;
};

namespace {

size_t ElemBytes(cudaDataType t) {
  switch (t) {
    case CUDA_R_16BF: return 2;
    case CUDA_R_32F: return 4;
    default: return 0;
  }
}

float Load(const void* base, cudaDataType t, int64_t i) {
  if (t == CUDA_R_32F) return static_cast<const float*>(base)[i];
  const uint32_t bits = static_cast<uint32_t>(static_cast<const uint16_t*>(base)[i]) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// A column-major rows x cols matrix with leading dimension ld lies inside one allocation.
bool Inside(const void* p, cudaDataType t, int64_t rows, int64_t cols, int64_t ld) {
  if (rows == 0 || cols == 0) return true;
  const size_t bytes = static_cast<size_t>((cols - 1) * ld + rows) * ElemBytes(t);
  return verdict::simt::DeviceRange(p, bytes);
}

}  // namespace

extern "C" {

cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
  *handle = new cublasContext;
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t stream) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  handle->stream = stream;
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t /*mode*/) {
  return handle == nullptr ? CUBLAS_STATUS_NOT_INITIALIZED : CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void* workspace, size_t bytes) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (bytes > 0 && !verdict::simt::DeviceRange(workspace, bytes)) {
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  handle->workspace = workspace;
  handle->workspace_bytes = bytes;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa,
                            cublasOperation_t transb, int m, int n, int k, const void* alpha,
                            const void* A, cudaDataType Atype, int lda, const void* B,
                            cudaDataType Btype, int ldb, const void* beta, void* C,
                            cudaDataType Ctype, int ldc, cublasComputeType_t computeType,
                            cublasGemmAlgo_t /*algo*/) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  const bool ta = transa == CUBLAS_OP_T, tb = transb == CUBLAS_OP_T;
  if ((transa != CUBLAS_OP_N && !ta) || (transb != CUBLAS_OP_N && !tb) || m < 0 || n < 0 || k < 0 ||
      lda < std::max(1, ta ? k : m) || ldb < std::max(1, tb ? n : k) || ldc < std::max(1, m)) {
    std::fprintf(stderr, "simt: cublasGemmEx: bad shape m=%d n=%d k=%d lda=%d ldb=%d ldc=%d\n", m,
                 n, k, lda, ldb, ldc);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (ElemBytes(Atype) == 0 || ElemBytes(Btype) == 0 || Ctype != CUDA_R_32F ||
      (computeType != CUBLAS_COMPUTE_32F && computeType != CUBLAS_COMPUTE_32F_PEDANTIC)) {
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
  // op(A) is m x k, op(B) is k x n; stored A is (ta ? k x m : m x k), B is (tb ? n x k : k x n).
  if (!Inside(A, Atype, ta ? k : m, ta ? m : k, lda) ||
      !Inside(B, Btype, tb ? n : k, tb ? k : n, ldb) || !Inside(C, Ctype, m, n, ldc)) {
    std::fprintf(stderr, "simt: cublasGemmEx: an operand lies outside the device allocations\n");
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  const float a = *static_cast<const float*>(alpha), b = *static_cast<const float*>(beta);
  const cudaError_t e = verdict::simt::EnqueueOp(handle->stream, "cublasGemmEx", [=] {
    // Row j of op(A) and column i of op(B), each made contiguous, then dot products.
    std::vector<float> ar(static_cast<size_t>(m) * k), bc(static_cast<size_t>(n) * k);
    for (int j = 0; j < m; ++j) {
      for (int p = 0; p < k; ++p) {
        ar[static_cast<size_t>(j) * k + p] = Load(
            A, Atype, ta ? p + static_cast<int64_t>(j) * lda : j + static_cast<int64_t>(p) * lda);
      }
    }
    for (int i = 0; i < n; ++i) {
      for (int p = 0; p < k; ++p) {
        bc[static_cast<size_t>(i) * k + p] = Load(
            B, Btype, tb ? i + static_cast<int64_t>(p) * ldb : p + static_cast<int64_t>(i) * ldb);
      }
    }
    float* c = static_cast<float*>(C);
    for (int i = 0; i < n; ++i) {
      const float* bi = bc.data() + static_cast<size_t>(i) * k;
      for (int j = 0; j < m; ++j) {
        const float* aj = ar.data() + static_cast<size_t>(j) * k;
        float acc = 0.0f;
        for (int p = 0; p < k; ++p) acc += aj[p] * bi[p];
        float& out = c[j + static_cast<int64_t>(i) * ldc];
        out = b == 0.0f ? a * acc : a * acc + b * out;
      }
    }
    return cudaSuccess;
  });
  return e == cudaSuccess ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_EXECUTION_FAILED;
}

}  // extern "C"
