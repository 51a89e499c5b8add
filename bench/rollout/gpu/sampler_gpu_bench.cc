// Sampler time at batch 64/256/1024 x V=151936 (fp32 logits) as a ratio to the bandwidth floor
// (reading the logits once: B*V*4 bytes / the device's bandwidth, measured here as a
// device-to-device copy counting bytes read and written), beside the sort-based baseline
// (CUB segmented radix sort, LaunchSampleSorted) measured in the same run. Inputs rotate through
// 2 GiB so no run finds its logits in L2. Also the same kernel with 1024-thread blocks
// (ours1024: same tokens; twice the loads in flight per row, for batches that leave SMs idle), and
// rows split over several blocks (LaunchSampleSliced, about 2 blocks per SM; same tokens), and
// the raw-logprob kernel that runs after the sampler when raw logprobs are asked for at a
// temperature other than 0 or 1 (LaunchRawLogprobs: one more read of the rows; "raw" in notes).
// Exits 77 without a GPU.
// Usage: sampler_gpu_bench [iters]
// VERDICT_BENCH_SMOKE=1: batch 2 and a 64 MiB rotation only (the SIMT-emulator smoke test in
// ctest runs the program end to end; its times mean nothing).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "rollout/cuda/sampling.h"
#include "tests/rollout/cuda/gpu_main.h"
#include "tests/rollout/cuda/sampler_compare.h"

namespace vc = verdict::rollout::cuda;

namespace {

float Median(std::vector<float> x) {
  std::sort(x.begin(), x.end());
  return x[x.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (NoCudaDevice()) return 77;
  const int iters = argc > 1 ? std::atoi(argv[1]) : 30;
  cudaDeviceProp prop;
  CHECK_CUDA(cudaGetDeviceProperties(&prop, 0));
  const int v = 151936;
  const bool smoke = std::getenv("VERDICT_BENCH_SMOKE") != nullptr;
  const size_t rotate_bytes = smoke ? size_t{64} << 20 : size_t{2} << 30;
  const std::vector<int> batches = smoke ? std::vector<int>{2} : std::vector<int>{64, 256, 1024};
  float* d_all;
  CHECK_CUDA(cudaMalloc(&d_all, rotate_bytes));
  cudaEvent_t e0, e1;
  CHECK_CUDA(cudaEventCreate(&e0));
  CHECK_CUDA(cudaEventCreate(&e1));
  // Measured bandwidth: a 1 GiB device-to-device copy, bytes read + written.
  double bw = 0;
  {
    const size_t half = rotate_bytes / 2;
    std::vector<float> t;
    for (int i = 0; i < 6; ++i) {
      CHECK_CUDA(cudaEventRecord(e0));
      CHECK_CUDA(cudaMemcpyAsync(reinterpret_cast<char*>(d_all) + half, d_all, half,
                                 cudaMemcpyDeviceToDevice));
      CHECK_CUDA(cudaEventRecord(e1));
      CHECK_CUDA(cudaEventSynchronize(e1));
      float ms;
      CHECK_CUDA(cudaEventElapsedTime(&ms, e0, e1));
      if (i > 0) t.push_back(ms);
    }
    bw = 2.0 * half / (Median(t) * 1e-3);
  }
  {  // LM-like rows (shape 0) and one-dominant rows (shape 5), one 64-row slab repeated.
    std::mt19937_64 rng(7);
    const int slab_rows = smoke ? 8 : 64;
    std::vector<float> slab(static_cast<size_t>(slab_rows) * v);
    for (int b = 0; b < slab_rows; ++b) {
      verdict::rollout::testing::FillRow(rng, b % 2 == 0 ? 0 : 5, v, &slab[size_t(b) * v]);
    }
    const size_t slab_bytes = slab.size() * 4;
    for (size_t off = 0; off + slab_bytes <= rotate_bytes; off += slab_bytes) {
      CHECK_CUDA(cudaMemcpy(reinterpret_cast<char*>(d_all) + off, slab.data(), slab_bytes,
                            cudaMemcpyHostToDevice));
    }
  }
  std::printf("device %s, %d SMs; measured bandwidth (D2D copy, read+write) %.0f GB/s\n", prop.name,
              prop.multiProcessorCount, bw / 1e9);
  struct Config {
    const char* name;
    float t, min_p;
    int k;
    float top_p;
  };
  const Config configs[] = {{"T=1", 1.0f, 0.0f, 0, 1.0f},
                            {"T=0.7,k=50,p=0.9", 0.7f, 0.0f, 50, 0.9f},
                            {"T=1,min_p=0.05,p=0.95", 1.0f, 0.05f, 0, 0.95f}};
  std::printf("%-24s %6s %9s %9s %7s %11s %7s %6s %10s %7s %10s %7s %8s %s\n", "params", "batch",
              "floor_us", "ours_us", "x_floor", "ours1024_us", "x_floor", "slices", "sliced_us",
              "x_floor", "sorted_us", "x_floor", "speedup", "notes");
  int32_t* d_slice_counters;  // LaunchSampleSliced's, zeroed once for every batch
  CHECK_CUDA(cudaMalloc(&d_slice_counters, 1024 * 4));
  CHECK_CUDA(cudaMemset(d_slice_counters, 0, 1024 * 4));
  for (const Config& c : configs) {
    for (int batch : batches) {
      const size_t row_set = static_cast<size_t>(batch) * v;
      const int nsets = static_cast<int>(rotate_bytes / (row_set * 4));
      std::vector<vc::SamplerRow> rows(batch);
      for (int b = 0; b < batch; ++b) {
        rows[b] = {c.t, c.min_p, c.k, c.top_p, uint64_t(99 + b), uint64_t(b / 8), uint32_t(b % 8),
                   17};
      }
      vc::SamplerRow* d_rows;
      int32_t *d_tok, *d_st, *d_tok2, *d_ids_in, *d_sorted_ids, *d_off;
      float *d_lp, *d_lp2, *d_keys, *d_raw;
      CHECK_CUDA(cudaMalloc(&d_rows, batch * sizeof(vc::SamplerRow)));
      CHECK_CUDA(
          cudaMemcpy(d_rows, rows.data(), batch * sizeof(vc::SamplerRow), cudaMemcpyHostToDevice));
      for (int32_t** p : {&d_tok, &d_tok2, &d_st}) CHECK_CUDA(cudaMalloc(p, batch * 4));
      for (float** p : {&d_lp, &d_lp2, &d_raw}) CHECK_CUDA(cudaMalloc(p, batch * 4));
      CHECK_CUDA(cudaMalloc(&d_keys, row_set * 4));
      CHECK_CUDA(cudaMalloc(&d_sorted_ids, row_set * 4));
      CHECK_CUDA(cudaMalloc(&d_ids_in, row_set * 4));
      CHECK_CUDA(cudaMalloc(&d_off, (batch + 1) * 4));
      size_t temp_bytes = 0;
      CHECK_CUDA(vc::LaunchSampleSorted(d_all, batch, v, d_rows, d_keys, d_sorted_ids, d_ids_in,
                                        d_off, nullptr, &temp_bytes, d_tok2, d_lp2, nullptr));
      void* d_temp;
      CHECK_CUDA(cudaMalloc(&d_temp, temp_bytes));
      std::vector<float> ours, ours1024, sliced, sorted, raw;
      // Rows over several blocks so that about 2 blocks per SM run (none at large batches; 3 in
      // the smoke run, so that it runs the sliced kernel).
      const int slices =
          smoke ? 3
                : std::min(vc::kCudaSamplerMaxSlices,
                           std::max(1, (2 * prop.multiProcessorCount + batch - 1) / batch));
      void* d_slice_scratch = nullptr;
      CHECK_CUDA(cudaMalloc(&d_slice_scratch, vc::SampleSlicedScratchBytes(batch, slices)));
      for (int it = 0; it < iters + 3; ++it) {
        const float* in = d_all + static_cast<size_t>(it % nsets) * row_set;
        CHECK_CUDA(cudaEventRecord(e0));
        CHECK_CUDA(vc::LaunchSample(in, batch, v, d_rows, d_tok, d_lp, d_st, nullptr));
        CHECK_CUDA(cudaEventRecord(e1));
        CHECK_CUDA(cudaEventSynchronize(e1));
        float ms;
        CHECK_CUDA(cudaEventElapsedTime(&ms, e0, e1));
        if (it >= 3) ours.push_back(ms * 1000);
      }
      for (int it = 0; it < iters + 3; ++it) {
        const float* in = d_all + static_cast<size_t>(it % nsets) * row_set;
        CHECK_CUDA(cudaEventRecord(e0));
        CHECK_CUDA(vc::LaunchSample(in, batch, v, d_rows, d_tok, d_lp, d_st, nullptr, 1024));
        CHECK_CUDA(cudaEventRecord(e1));
        CHECK_CUDA(cudaEventSynchronize(e1));
        float ms;
        CHECK_CUDA(cudaEventElapsedTime(&ms, e0, e1));
        if (it >= 3) ours1024.push_back(ms * 1000);
      }
      for (int it = 0; slices > 1 && it < iters + 3; ++it) {
        const float* in = d_all + static_cast<size_t>(it % nsets) * row_set;
        CHECK_CUDA(cudaEventRecord(e0));
        CHECK_CUDA(vc::LaunchSampleSliced(in, batch, v, d_rows, d_tok, d_lp, d_st, slices,
                                          d_slice_scratch, d_slice_counters, nullptr));
        CHECK_CUDA(cudaEventRecord(e1));
        CHECK_CUDA(cudaEventSynchronize(e1));
        float ms;
        CHECK_CUDA(cudaEventElapsedTime(&ms, e0, e1));
        if (it >= 3) sliced.push_back(ms * 1000);
      }
      for (int it = 0; it < iters + 3; ++it) {  // d_tok, d_st: the last sampler run's
        const float* in = d_all + static_cast<size_t>(it % nsets) * row_set;
        CHECK_CUDA(cudaEventRecord(e0));
        CHECK_CUDA(vc::LaunchRawLogprobs(in, batch, v, d_tok, d_st, d_raw, nullptr));
        CHECK_CUDA(cudaEventRecord(e1));
        CHECK_CUDA(cudaEventSynchronize(e1));
        float ms;
        CHECK_CUDA(cudaEventElapsedTime(&ms, e0, e1));
        if (it >= 3) raw.push_back(ms * 1000);
      }
      for (int it = 0; it < std::max(5, iters / 4) + 2; ++it) {
        const float* in = d_all + static_cast<size_t>(it % nsets) * row_set;
        CHECK_CUDA(cudaEventRecord(e0));
        CHECK_CUDA(vc::LaunchSampleSorted(in, batch, v, d_rows, d_keys, d_sorted_ids, d_ids_in,
                                          d_off, d_temp, &temp_bytes, d_tok2, d_lp2, nullptr));
        CHECK_CUDA(cudaEventRecord(e1));
        CHECK_CUDA(cudaEventSynchronize(e1));
        float ms;
        CHECK_CUDA(cudaEventElapsedTime(&ms, e0, e1));
        if (it >= 2) sorted.push_back(ms * 1000);
      }
      CHECK_CUDA(vc::LaunchSample(d_all, batch, v, d_rows, d_tok, d_lp, d_st, nullptr));
      CHECK_CUDA(vc::LaunchSampleSorted(d_all, batch, v, d_rows, d_keys, d_sorted_ids, d_ids_in,
                                        d_off, d_temp, &temp_bytes, d_tok2, d_lp2, nullptr));
      CHECK_CUDA(cudaDeviceSynchronize());
      std::vector<int32_t> t1(batch), t2(batch), s1(batch), t3(batch);
      CHECK_CUDA(cudaMemcpy(t1.data(), d_tok, batch * 4, cudaMemcpyDeviceToHost));
      CHECK_CUDA(cudaMemcpy(t2.data(), d_tok2, batch * 4, cudaMemcpyDeviceToHost));
      CHECK_CUDA(cudaMemcpy(s1.data(), d_st, batch * 4, cudaMemcpyDeviceToHost));
      int same_sliced = batch;
      if (slices > 1) {
        CHECK_CUDA(vc::LaunchSampleSliced(d_all, batch, v, d_rows, d_tok2, d_lp2, d_st, slices,
                                          d_slice_scratch, d_slice_counters, nullptr));
        CHECK_CUDA(cudaMemcpy(t3.data(), d_tok2, batch * 4, cudaMemcpyDeviceToHost));
        same_sliced = 0;
        for (int b = 0; b < batch; ++b) same_sliced += t3[b] == t1[b];
      }
      int same = 0, third = 0, cpu = 0;
      for (int b = 0; b < batch; ++b) {
        same += t1[b] == t2[b];
        third += s1[b] == vc::kSampledThirdPass;
        cpu += s1[b] == vc::kNeedsCpu;
      }
      const double floor_us = row_set * 4.0 / bw * 1e6;
      const float mo = Median(ours), m1 = Median(ours1024), ms = Median(sorted),
                  msl = slices > 1 ? Median(sliced) : mo, mr = Median(raw);
      std::printf(
          "%-24s %6d %9.1f %9.1f %7.2f %11.1f %7.2f %6d %10.1f %7.2f %10.1f %7.2f %8.1f same as "
          "sorted %d/%d, sliced same %d/%d, third read %d, cpu %d, raw %.1f us (%.2f x floor)\n",
          c.name, batch, floor_us, mo, mo / floor_us, m1, m1 / floor_us, slices, msl,
          msl / floor_us, ms, ms / floor_us, ms / mo, same, batch, same_sliced, batch, third, cpu,
          mr, mr / floor_us);
      std::fflush(stdout);
      for (void* p :
           {static_cast<void*>(d_rows), static_cast<void*>(d_tok), static_cast<void*>(d_tok2),
            static_cast<void*>(d_st), static_cast<void*>(d_lp), static_cast<void*>(d_lp2),
            static_cast<void*>(d_raw), static_cast<void*>(d_keys), static_cast<void*>(d_sorted_ids),
            static_cast<void*>(d_ids_in), static_cast<void*>(d_off), d_temp, d_slice_scratch}) {
        CHECK_CUDA(cudaFree(p));
      }
    }
  }
  CHECK_CUDA(cudaFree(d_all));
  return 0;
}
