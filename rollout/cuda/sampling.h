// GPU sampler: rollout/sampler.h's contract for a batch of rows, each with its own parameters and
// its own Philox stream, without sorting the vocabulary. Plain structs and device pointers only;
// no CUDA header here, so any code may include it (the stream is passed as void*).
//
// Method (sampling.cu; arithmetic in sampling_core.h): one thread block per row, two reads of the
// row in the common case, three at most.
//   1. max and argmax (lowest id) of z.
//   2. every token's weight w = exp((z - zmax) / T) (our own polynomial, same bits on CPU and
//      GPU), the exact fixed-point total of all w (for the logprob), and a histogram of the
//      kept tokens (w >= min_p) over 2048 bins of (zmax - z) / T, 1/64 nat wide (the last bin
//      takes the tail), with the count and the mass of each bin; masses are fixed point
//      (w * 2^40 as uint64), so sums are exact, order-free and deterministic; shared-memory
//      atomics are 32-bit only, and tokens in the last bin (whose w < 2^-45) are counted per
//      thread without an atomic, so a row whose bulk lies there (one dominant token, a low
//      temperature) does not send whole warps to one address. The kept tokens
//      within 12 nats of the top also go to shared memory (up to kCudaSamplerWindow of them).
//      From the cumulative histogram: the bins that can hold the top-k, top-p and draw
//      boundaries (a window [b_lo, b_hi]).
//   3. only when the window is not among the tokens kept in step 2: a third read collects it.
//   Then the window's tokens (usually a few dozen) are ordered in shared memory (z descending,
//   ties lower id: bitonic over at most kCudaSamplerWindow entries), scanned, and the top-k cut,
//   the top-p cut, S and the draw are read off exactly.
// A row whose window holds more than kCudaSamplerWindow tokens (near-flat distributions, e.g.
// all-equal logits) gets status kNeedsCpu; GpuSampler then redoes those rows with the CPU
// reference and counts them.
//
// Differences from the CPU contract: weights in fp32 and 2^-40 fixed-point sums instead of
// float64 probabilities — the kept set and the drawn token may differ only at near-ties
// (sampler.h). Weights below e^-86 of the top count as 0 (their q is below 2^-125).
// A row holding a NaN gets status kNanLogits and no token (found in step 1, at no extra cost).
#ifndef VERDICT_ROLLOUT_CUDA_SAMPLING_H_
#define VERDICT_ROLLOUT_CUDA_SAMPLING_H_

#include <cstdint>

namespace verdict::rollout::cuda {

constexpr int kCudaSamplerWindow = 4096;
// Threads per row's block. 512 by default; 1024 gives a row twice the loads in flight (for small
// batches that leave SMs idle) at the same result, bit for bit. sampler_gpu_bench measures both.
constexpr int kCudaSamplerThreads = 512;
// Most blocks a row can be split over (LaunchSampleSliced).
constexpr int kCudaSamplerMaxSlices = 16;

// One row's parameters and Philox key (sampler.h, philox.h). 32 bytes.
struct SamplerRow {
  float temperature = 1.0f;  // 0 = greedy
  float min_p = 0.0f;
  int32_t top_k = 0;
  float top_p = 1.0f;
  uint64_t seed = 0;
  uint64_t group = 0;
  uint32_t sample = 0;
  uint32_t position = 0;
};

// Per-row outcome. kSampledOk and kSampledThirdPass both carry a token (the latter needed the
// third read of the row); kNeedsCpu rows carry none.
// kNanLogits: the row holds a NaN, no token (the caller reports an error).
enum SamplerStatus : int32_t {
  kSampledOk = 0,
  kNeedsCpu = 1,
  kSampledThirdPass = 2,
  kNanLogits = 3
};

// Sorting-free sampler. logits: [B, V] fp32 (device); rows: [B] (device); tokens: [B] int32,
// logprobs: [B] fp32, status: [B] int32 (device, written). Returns the cudaError_t (0 = success)
// of the launch. Enqueued on `stream` (a cudaStream_t, or null for the default stream).
// block_threads: 512 or 1024 (else cudaErrorInvalidValue).
int LaunchSample(const float* logits, int32_t batch, int32_t vocab, const SamplerRow* rows,
                 int32_t* tokens, float* logprobs, int32_t* status, void* stream,
                 int block_threads = kCudaSamplerThreads);

// The same sampler with each row split over `slices` blocks (1..kCudaSamplerMaxSlices), for
// batches too small to occupy the GPU with a block per row: a first launch takes each slice's max,
// a second each slice's histogram, total and collection, and the row's last block to finish
// merges them (exact integer sums) and goes on as LaunchSample does (the third read, when needed,
// is of the whole row by that block). Same tokens, log-probabilities and statuses as LaunchSample,
// bit for bit. scratch: SampleSlicedScratchBytes(batch, slices) bytes of device memory;
// counters: `batch` int32 (device), zero before the first launch; each launch leaves them zero, so
// one array serves every later launch of up to that many rows, whatever its slices.
size_t SampleSlicedScratchBytes(int32_t batch, int32_t slices);
int LaunchSampleSliced(const float* logits, int32_t batch, int32_t vocab, const SamplerRow* rows,
                       int32_t* tokens, float* logprobs, int32_t* status, int32_t slices,
                       void* scratch, int32_t* counters, void* stream,
                       int block_threads = kCudaSamplerThreads);

// Raw log-probabilities of the drawn tokens (vLLM V1's default "raw"; sampler.h's RawLogprob):
// raw[r] = logits[r, tokens[r]] - max - log(sum exp(logits[r, :] - max)), the sum in float64 as
// the CPU computes it (so the two agree to float rounding, not bit for bit). At temperature 0 or
// 1 the sampler's own logprob is already this; otherwise this kernel reads the row once more.
// tokens, status: [B] as LaunchSample wrote them; rows with no token (kNeedsCpu, kNanLogits, a
// token outside [0, vocab)) get NaN (the caller samples or reports those rows on the host);
// rows of all -inf get -inf. raw: [B] fp32 (device, written). One block per row.
int LaunchRawLogprobs(const float* logits, int32_t batch, int32_t vocab, const int32_t* tokens,
                      const int32_t* status, float* raw, void* stream);

// Sort-based baseline for comparison: CUB segmented radix sort of (z, id) per row (descending),
// then one block per row walks the sorted row with the same weights, masses and cuts as the
// sorting-free kernel (so both give the same token, ties between -0.0 and +0.0 aside; rows
// holding a NaN are not reported). Scratch: keys/ids [B, V] each, offsets [B + 1], cub_temp of
// cub_temp_bytes (query with cub_temp == nullptr: sets *cub_temp_bytes).
int LaunchSampleSorted(const float* logits, int32_t batch, int32_t vocab, const SamplerRow* rows,
                       float* sorted_keys, int32_t* sorted_ids, int32_t* ids_in, int32_t* offsets,
                       void* cub_temp, size_t* cub_temp_bytes, int32_t* tokens, float* logprobs,
                       void* stream);

}  // namespace verdict::rollout::cuda

#endif  // VERDICT_ROLLOUT_CUDA_SAMPLING_H_
