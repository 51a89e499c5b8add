// The CUB algorithms sampling.cu uses, for the SIMT emulator (simt.h), with CUB's documented
// contracts made strict so that the emulator catches code that leans on more than they promise:
//   - BlockReduce::Sum: the aggregate is defined in thread 0 only; other threads get a poison
//     value (0xdead... bits);
//   - BlockReduce / BlockScan: one barrier inside, so reusing the TempStorage without a
//     __syncthreads() in between races (and the shuffled fiber order shows it);
//   - DeviceSegmentedRadixSort::SortPairsDescending: a stable sort of each segment by the key's
//     bits in radix order (floats: -0.0 below +0.0), enqueued on the stream; temp_bytes query.
#ifndef VERDICT_ROLLOUT_CUDA_EMU_CUB_H_
#define VERDICT_ROLLOUT_CUDA_EMU_CUB_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <vector>

#include "rollout/cuda/emu/simt.h"

namespace cub {

template <typename T, int kThreads>
class BlockReduce {
 public:
  struct TempStorage {
    T v[kThreads];
  };
  explicit BlockReduce(TempStorage& s) : s_(s) {}
  T Sum(T x) {
    const int tid = static_cast<int>(threadIdx.x);
    s_.v[tid] = x;
    __syncthreads();
    if (tid != 0) {
      T poison;
      std::memset(&poison, 0xde, sizeof poison);
      return poison;
    }
    T t = T();
    for (int i = 0; i < kThreads; ++i) t += s_.v[i];
    return t;
  }

 private:
  TempStorage& s_;
};

template <typename T, int kThreads>
class BlockScan {
 public:
  struct TempStorage {
    T v[kThreads];
  };
  explicit BlockScan(TempStorage& s) : s_(s) {}
  // Blocked arrangement: thread t holds items t*K .. t*K + K - 1. in and out may alias.
  template <int K>
  void InclusiveSum(T (&in)[K], T (&out)[K]) {
    const int tid = static_cast<int>(threadIdx.x);
    T local = T();
    for (int k = 0; k < K; ++k) local += in[k];
    s_.v[tid] = local;
    __syncthreads();
    T run = T();
    for (int i = 0; i < tid; ++i) run += s_.v[i];
    for (int k = 0; k < K; ++k) {
      run += in[k];
      out[k] = run;
    }
  }
  void InclusiveSum(T in, T& out) {
    T a[1] = {in};
    InclusiveSum(a, a);
    out = a[0];
  }

 private:
  TempStorage& s_;
};

struct DeviceSegmentedRadixSort {
  template <typename K, typename V, typename N, typename Off>
  static cudaError_t SortPairsDescending(void* temp, size_t& temp_bytes, const K* keys_in,
                                         K* keys_out, const V* values_in, V* values_out,
                                         N num_items, int num_segments, Off begin, Off end,
                                         int begin_bit = 0, int end_bit = sizeof(K) * 8,
                                         cudaStream_t stream = nullptr) {
    static_assert(sizeof(K) == 4, "32-bit keys");
    if (temp == nullptr) {
      temp_bytes = 256;
      return cudaSuccess;
    }
    if (begin_bit != 0 || end_bit != 32 || num_items < 0 || num_segments < 0) {
      return cudaErrorInvalidValue;
    }
    return ::verdict::simt::EnqueueOp(
        stream, "cub::DeviceSegmentedRadixSort::SortPairsDescending", [=]() -> cudaError_t {
          auto radix = [](K k) {
            uint32_t u;
            std::memcpy(&u, &k, sizeof u);
            if constexpr (std::is_floating_point_v<K>) {
              u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
            } else if constexpr (std::is_signed_v<K>) {
              u ^= 0x80000000u;
            }
            return u;
          };
          std::vector<int64_t> idx;
          for (int s = 0; s < num_segments; ++s) {
            const int64_t b = begin[s], e = end[s];
            if (b < 0 || e > static_cast<int64_t>(num_items) || e < b) return cudaErrorInvalidValue;
            idx.resize(e - b);
            std::iota(idx.begin(), idx.end(), b);
            std::stable_sort(idx.begin(), idx.end(), [&](int64_t x, int64_t y) {
              return radix(keys_in[x]) > radix(keys_in[y]);
            });
            for (int64_t i = b; i < e; ++i) {
              keys_out[i] = keys_in[idx[i - b]];
              values_out[i] = values_in[idx[i - b]];
            }
          }
          return cudaSuccess;
        });
  }
};

}  // namespace cub

#endif  // VERDICT_ROLLOUT_CUDA_EMU_CUB_H_
