// The CUDA runtime calls this project makes, for the SIMT emulator: same C symbols as libcudart,
// so rollout/cuda/*.cc and the GPU tests link against this file instead and run unchanged on the
// CPU. The device ("Verdict SIMT emulator (CPU)", 4 GiB) is host memory. Work enqueued on a
// stream runs as late as CUDA allows: not when it is enqueued but when the host waits for it
// (cudaStreamSynchronize, cudaDeviceSynchronize, cudaEventSynchronize on an event recorded on
// it, a synchronous cudaMemcpy/cudaMemset for the legacy stream and the blocking streams,
// cudaFree and cudaFreeHost for every stream), in stream order. So host code that reuses a
// staging buffer before the copy that reads it has run, or reads a result before waiting for it,
// sees the wrong data here as it would on a GPU some of the time. Work on a captured stream is
// recorded and runs, the same way, after cudaGraphLaunch. A kernel's failure is returned by the
// call that waits for it.
//
// Stricter than a GPU where that finds bugs a GPU would hide or crash on:
//   - cudaMalloc memory starts as 0xff bytes (NaN as floats and bf16, -1 as integers), not
//     zeros; copies and cuBLAS operands must lie inside one live allocation;
//   - while a thread captures a stream (any mode), the calls CUDA forbids to it in
//     cudaStreamCaptureModeThreadLocal/Global (cudaMalloc, cudaFree, synchronous copies and
//     memsets, synchronisation) fail with cudaErrorStreamCaptureUnsupported and invalidate the
//     capture; work for the legacy stream fails with cudaErrorStreamCaptureImplicit;
//   - launches check the block size, the grid's limits and the dynamic shared memory (over
//     48 KiB needs cudaFuncAttributeMaxDynamicSharedMemorySize; 227 KiB at most);
//   - a kernel that fails in the emulator (simt.h) makes its launch (or the graph) fail with
//     cudaErrorLaunchFailure, the reason on stderr.
#include <cuda_runtime_api.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "rollout/cuda/emu/simt.h"

struct CUstream_st;
struct CUgraph_st {
  struct Node {
    std::string what;
    std::function<cudaError_t()> op;
  };
  std::vector<Node> nodes;
};
struct CUgraphExec_st {
  std::vector<CUgraph_st::Node> nodes;
};
struct CUstream_st {
  unsigned flags = 0;
  std::unique_ptr<CUgraph_st> capture;  // non-null while captured
  bool invalidated = false;
  std::deque<CUgraph_st::Node> pending;  // enqueued, not yet run
};
struct CUevent_st {
  double ms = 0;
  bool recorded = false;
  cudaStream_t stream = nullptr;  // where it was last recorded
};

namespace verdict::simt {
namespace {

constexpr size_t kDeviceBytes = size_t{4} << 30;
constexpr size_t kPoisonLimit = size_t{1} << 30;  // fresh allocations up to this are poisoned
constexpr size_t kDefaultSmem = 48 << 10, kMaxSmem = 232448;

struct State {
  std::mutex mu;
  std::map<uintptr_t, size_t> device;  // start -> bytes
  std::map<uintptr_t, size_t> pinned;
  size_t device_used = 0;
  std::map<const void*, int> max_dynamic_smem;
  std::vector<CUstream_st*> capturing;
  std::set<CUstream_st*> streams;  // live streams (for cudaDeviceSynchronize and cudaFree)
  CUstream_st legacy;              // the legacy (null) stream's queue
};
State& S() {
  static State* s = new State;  // never destroyed: frees may come from static destructors
  return *s;
}
thread_local cudaError_t t_last = cudaSuccess;
thread_local int t_captures = 0;  // captures begun by this thread and not ended

cudaError_t Note(cudaError_t e) {
  if (e != cudaSuccess) t_last = e;
  return e;
}

bool InRange(const std::map<uintptr_t, size_t>& m, const void* p, size_t bytes) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  auto it = m.upper_bound(a);
  if (it == m.begin()) return false;
  --it;
  return a >= it->first && a + bytes <= it->first + std::max<size_t>(it->second, 1);
}

void InvalidateCaptures() {
  for (CUstream_st* s : S().capturing) s->invalidated = true;
}

// A call CUDA forbids to a thread that is capturing.
bool ForbiddenWhileCapturing(const char* call) {
  if (t_captures == 0) return false;
  std::fprintf(stderr, "simt: %s while this thread captures a stream\n", call);
  std::lock_guard<std::mutex> l(S().mu);
  InvalidateCaptures();
  return true;
}

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

cudaError_t CheckCopy(void* dst, const void* src, size_t dst_bytes, size_t src_bytes,
                      cudaMemcpyKind kind, const char* call) {
  std::lock_guard<std::mutex> l(S().mu);
  const bool dst_dev = InRange(S().device, dst, dst_bytes);
  const bool src_dev = InRange(S().device, src, src_bytes);
  bool ok = true;
  switch (kind) {
    case cudaMemcpyHostToDevice: ok = dst_dev; break;
    case cudaMemcpyDeviceToHost: ok = src_dev; break;
    case cudaMemcpyDeviceToDevice: ok = dst_dev && src_dev; break;
    case cudaMemcpyHostToHost:
    case cudaMemcpyDefault: break;
    default: ok = false;
  }
  if (!ok) {
    std::fprintf(stderr, "simt: %s of %zu bytes (kind %d): %s%s outside the device allocations\n",
                 call, dst_bytes, static_cast<int>(kind),
                 (kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice) && !dst_dev
                     ? "destination "
                     : "",
                 (kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice) && !src_dev
                     ? "source"
                     : "");
    return cudaErrorInvalidValue;
  }
  return cudaSuccess;
}

CUstream_st* QueueOf(cudaStream_t stream) { return stream != nullptr ? stream : &S().legacy; }

// Runs the stream's pending work in order; returns the first failure (the rest is dropped, as a
// faulted context runs nothing more). Blocking streams wait for the legacy stream's earlier work
// and the legacy stream for theirs (a simplification: all of it, not only the earlier part).
cudaError_t Drain(CUstream_st* q) {
  cudaError_t first = cudaSuccess;
  while (true) {
    CUgraph_st::Node node;
    {
      std::lock_guard<std::mutex> l(S().mu);
      if (q->pending.empty()) break;
      node = std::move(q->pending.front());
      q->pending.pop_front();
    }
    const cudaError_t e = node.op();
    if (e != cudaSuccess && first == cudaSuccess) {
      first = e;
      std::lock_guard<std::mutex> l(S().mu);
      q->pending.clear();
    }
  }
  return first;
}

cudaError_t Flush(cudaStream_t stream) {
  cudaError_t e = cudaSuccess;
  auto keep = [&e](cudaError_t x) {
    if (e == cudaSuccess) e = x;
  };
  std::vector<CUstream_st*> blocking;
  {
    std::lock_guard<std::mutex> l(S().mu);
    for (CUstream_st* s : S().streams) {
      if ((s->flags & cudaStreamNonBlocking) == 0) blocking.push_back(s);
    }
  }
  if (stream == nullptr) {
    for (CUstream_st* s : blocking) keep(Drain(s));
  } else if ((stream->flags & cudaStreamNonBlocking) == 0) {
    keep(Drain(&S().legacy));
  }
  keep(Drain(QueueOf(stream)));
  return e;
}

cudaError_t FlushAll() {
  cudaError_t e = Drain(&S().legacy);
  std::vector<CUstream_st*> all;
  {
    std::lock_guard<std::mutex> l(S().mu);
    all.assign(S().streams.begin(), S().streams.end());
  }
  for (CUstream_st* s : all) {
    const cudaError_t x = Drain(s);
    if (e == cudaSuccess) e = x;
  }
  return e;
}

}  // namespace

bool DeviceRange(const void* p, size_t bytes) {
  std::lock_guard<std::mutex> l(S().mu);
  return InRange(S().device, p, bytes);
}

cudaError_t EnqueueOp(cudaStream_t stream, const char* what, std::function<cudaError_t()> op) {
  {
    std::lock_guard<std::mutex> l(S().mu);
    if (stream != nullptr && stream->capture != nullptr) {
      stream->capture->nodes.push_back({what, std::move(op)});
      return cudaSuccess;
    }
    if (stream == nullptr && !S().capturing.empty()) {
      std::fprintf(stderr, "simt: %s on the legacy stream while a stream is captured\n", what);
      InvalidateCaptures();
      return cudaErrorStreamCaptureImplicit;
    }
    QueueOf(stream)->pending.push_back({what, std::move(op)});
  }
  return cudaSuccess;
}

void EnqueueKernel(const void* fn, const char* kernel, dim3 grid, dim3 block, size_t smem,
                   cudaStream_t stream, Body body) {
  const uint64_t threads = static_cast<uint64_t>(block.x) * block.y * block.z;
  if (threads == 0 || threads > 1024 || block.z > 64 || grid.x == 0 || grid.y == 0 || grid.z == 0 ||
      grid.x > 0x7fffffffu || grid.y > 65535 || grid.z > 65535) {
    std::fprintf(stderr, "simt: %s: launch <<<(%u,%u,%u), (%u,%u,%u)>>> out of bounds\n", kernel,
                 grid.x, grid.y, grid.z, block.x, block.y, block.z);
    Note(cudaErrorInvalidConfiguration);
    return;
  }
  if (smem > kDefaultSmem) {
    std::lock_guard<std::mutex> l(S().mu);
    auto it = S().max_dynamic_smem.find(fn);
    if (smem > kMaxSmem || it == S().max_dynamic_smem.end() ||
        static_cast<size_t>(it->second) < smem) {
      std::fprintf(stderr,
                   "simt: %s: %zu bytes of dynamic shared memory without "
                   "cudaFuncAttributeMaxDynamicSharedMemorySize >= that (max %zu)\n",
                   kernel, smem, kMaxSmem);
      Note(cudaErrorInvalidValue);
      return;
    }
  }
  Note(EnqueueOp(stream, kernel, [kernel, grid, block, smem, body = std::move(body)] {
    const std::string err = RunGrid(kernel, grid, block, smem, body);
    if (err.empty()) return cudaSuccess;
    std::fprintf(stderr, "simt: kernel failed: %s\n", err.c_str());
    return cudaErrorLaunchFailure;
  }));
}

}  // namespace verdict::simt

namespace vs = verdict::simt;

extern "C" {

cudaError_t cudaGetLastError(void) {
  const cudaError_t e = vs::t_last;
  vs::t_last = cudaSuccess;
  return e;
}
cudaError_t cudaPeekAtLastError(void) { return vs::t_last; }

const char* cudaGetErrorName(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
    case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
    case cudaErrorStreamCaptureUnsupported: return "cudaErrorStreamCaptureUnsupported";
    case cudaErrorStreamCaptureInvalidated: return "cudaErrorStreamCaptureInvalidated";
    case cudaErrorStreamCaptureImplicit: return "cudaErrorStreamCaptureImplicit";
    case cudaErrorIllegalState: return "cudaErrorIllegalState";
    case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
    default: return "cudaError (SIMT emulator)";
  }
}
const char* cudaGetErrorString(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorLaunchFailure: return "unspecified launch failure (SIMT emulator: see stderr)";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    case cudaErrorStreamCaptureUnsupported:
      return "operation not permitted when stream is capturing";
    case cudaErrorStreamCaptureInvalidated:
      return "operation failed due to a previous error during capture";
    case cudaErrorStreamCaptureImplicit:
      return "operation would make the legacy stream depend on a capturing blocking stream";
    case cudaErrorIllegalState: return "the operation is not permitted in the current state";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    default: return "unknown error (SIMT emulator)";
  }
}

cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int device) {
  return vs::Note(device == 0 ? cudaSuccess : cudaErrorInvalidDevice);
}
cudaError_t cudaGetDevice(int* device) {
  *device = 0;
  return cudaSuccess;
}
cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp* prop, int device) {
  if (device != 0) return vs::Note(cudaErrorInvalidDevice);
  std::memset(prop, 0, sizeof *prop);
  std::snprintf(prop->name, sizeof prop->name, "Verdict SIMT emulator (CPU)");
  prop->major = 9;
  prop->minor = 0;
  prop->totalGlobalMem = vs::kDeviceBytes;
  prop->sharedMemPerBlock = vs::kDefaultSmem;
  prop->sharedMemPerBlockOptin = vs::kMaxSmem;
  prop->maxThreadsPerBlock = 1024;
  prop->warpSize = 32;
  prop->multiProcessorCount = 1;
  prop->memoryBusWidth = 64;
  return cudaSuccess;
}

cudaError_t cudaMalloc(void** ptr, size_t size) {
  *ptr = nullptr;
  if (vs::ForbiddenWhileCapturing("cudaMalloc")) return vs::Note(cudaErrorStreamCaptureUnsupported);
  std::lock_guard<std::mutex> l(vs::S().mu);
  if (size > vs::kDeviceBytes - vs::S().device_used) return vs::Note(cudaErrorMemoryAllocation);
  const size_t rounded = (std::max<size_t>(size, 1) + 255) / 256 * 256;
  void* p = std::aligned_alloc(256, rounded);
  if (p == nullptr) return vs::Note(cudaErrorMemoryAllocation);
  if (rounded <= vs::kPoisonLimit) std::memset(p, 0xff, rounded);
  vs::S().device[reinterpret_cast<uintptr_t>(p)] = size;
  vs::S().device_used += size;
  *ptr = p;
  return cudaSuccess;
}
cudaError_t cudaFree(void* ptr) {
  if (ptr == nullptr) return cudaSuccess;
  if (vs::ForbiddenWhileCapturing("cudaFree")) return vs::Note(cudaErrorStreamCaptureUnsupported);
  // cudaFree waits for the device: work still queued may use the memory.
  if (const cudaError_t e = vs::FlushAll(); e != cudaSuccess) return vs::Note(e);
  std::lock_guard<std::mutex> l(vs::S().mu);
  auto it = vs::S().device.find(reinterpret_cast<uintptr_t>(ptr));
  if (it == vs::S().device.end()) {
    std::fprintf(stderr, "simt: cudaFree(%p): not a live device allocation\n", ptr);
    return vs::Note(cudaErrorInvalidValue);
  }
  vs::S().device_used -= it->second;
  vs::S().device.erase(it);
  std::free(ptr);
  return cudaSuccess;
}
cudaError_t cudaMallocHost(void** ptr, size_t size) {
  *ptr = nullptr;
  if (vs::ForbiddenWhileCapturing("cudaMallocHost")) {
    return vs::Note(cudaErrorStreamCaptureUnsupported);
  }
  const size_t rounded = (std::max<size_t>(size, 1) + 255) / 256 * 256;
  void* p = std::aligned_alloc(256, rounded);
  if (p == nullptr) return vs::Note(cudaErrorMemoryAllocation);
  std::lock_guard<std::mutex> l(vs::S().mu);
  vs::S().pinned[reinterpret_cast<uintptr_t>(p)] = size;
  *ptr = p;
  return cudaSuccess;
}
cudaError_t cudaHostAlloc(void** ptr, size_t size, unsigned int /*flags*/) {
  return cudaMallocHost(ptr, size);
}
cudaError_t cudaFreeHost(void* ptr) {
  if (ptr == nullptr) return cudaSuccess;
  // Like cudaFree, waits for the device: a queued copy may still read the pinned buffer.
  if (const cudaError_t e = vs::FlushAll(); e != cudaSuccess) return vs::Note(e);
  std::lock_guard<std::mutex> l(vs::S().mu);
  if (vs::S().pinned.erase(reinterpret_cast<uintptr_t>(ptr)) == 0) {
    std::fprintf(stderr, "simt: cudaFreeHost(%p): not a live pinned allocation\n", ptr);
    return vs::Note(cudaErrorInvalidValue);
  }
  std::free(ptr);
  return cudaSuccess;
}
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total) {
  std::lock_guard<std::mutex> l(vs::S().mu);
  *total = vs::kDeviceBytes;
  *free_bytes = vs::kDeviceBytes - vs::S().device_used;
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind,
                            cudaStream_t stream) {
  if (const cudaError_t e = vs::CheckCopy(dst, src, count, count, kind, "cudaMemcpyAsync");
      e != cudaSuccess) {
    return vs::Note(e);
  }
  return vs::Note(vs::EnqueueOp(stream, "cudaMemcpyAsync", [=] {
    if (count > 0) std::memmove(dst, src, count);
    return cudaSuccess;
  }));
}
cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind) {
  if (vs::ForbiddenWhileCapturing("cudaMemcpy")) return vs::Note(cudaErrorStreamCaptureUnsupported);
  if (const cudaError_t e = cudaMemcpyAsync(dst, src, count, kind, nullptr); e != cudaSuccess) {
    return e;
  }
  return vs::Note(vs::Flush(nullptr));  // synchronous: returns once the copy is done
}
cudaError_t cudaMemcpy2DAsync(void* dst, size_t dpitch, const void* src, size_t spitch,
                              size_t width, size_t height, enum cudaMemcpyKind kind,
                              cudaStream_t stream) {
  if (width > dpitch || width > spitch) return vs::Note(cudaErrorInvalidValue);
  if (height == 0 || width == 0) return cudaSuccess;
  const size_t dst_bytes = (height - 1) * dpitch + width, src_bytes = (height - 1) * spitch + width;
  if (const cudaError_t e =
          vs::CheckCopy(dst, src, dst_bytes, src_bytes, kind, "cudaMemcpy2DAsync");
      e != cudaSuccess) {
    return vs::Note(e);
  }
  return vs::Note(vs::EnqueueOp(stream, "cudaMemcpy2DAsync", [=] {
    for (size_t r = 0; r < height; ++r) {
      std::memmove(static_cast<char*>(dst) + r * dpitch, static_cast<const char*>(src) + r * spitch,
                   width);
    }
    return cudaSuccess;
  }));
}
cudaError_t cudaMemsetAsync(void* ptr, int value, size_t count, cudaStream_t stream) {
  if (!vs::DeviceRange(ptr, count)) {
    std::fprintf(stderr, "simt: cudaMemset of %zu bytes outside the device allocations\n", count);
    return vs::Note(cudaErrorInvalidValue);
  }
  return vs::Note(vs::EnqueueOp(stream, "cudaMemsetAsync", [=] {
    std::memset(ptr, value, count);
    return cudaSuccess;
  }));
}
cudaError_t cudaMemset(void* ptr, int value, size_t count) {
  if (vs::ForbiddenWhileCapturing("cudaMemset")) return vs::Note(cudaErrorStreamCaptureUnsupported);
  if (const cudaError_t e = cudaMemsetAsync(ptr, value, count, nullptr); e != cudaSuccess) {
    return e;
  }
  return vs::Note(vs::Flush(nullptr));
}

cudaError_t cudaDeviceSynchronize(void) {
  if (vs::ForbiddenWhileCapturing("cudaDeviceSynchronize")) {
    return vs::Note(cudaErrorStreamCaptureUnsupported);
  }
  return vs::Note(vs::FlushAll());
}
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags) {
  *stream = new CUstream_st;
  (*stream)->flags = flags;
  std::lock_guard<std::mutex> l(vs::S().mu);
  vs::S().streams.insert(*stream);
  return cudaSuccess;
}
cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithFlags(stream, 0); }
cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  if (stream == nullptr) return vs::Note(cudaErrorInvalidResourceHandle);
  if (stream->capture != nullptr) return vs::Note(cudaErrorIllegalState);
  // Work already enqueued still runs (CUDA returns at once and completes it later).
  const cudaError_t e = vs::Drain(stream);
  {
    std::lock_guard<std::mutex> l(vs::S().mu);
    vs::S().streams.erase(stream);
  }
  delete stream;
  return vs::Note(e);
}
cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  if (vs::ForbiddenWhileCapturing("cudaStreamSynchronize")) {
    return vs::Note(cudaErrorStreamCaptureUnsupported);
  }
  return vs::Note(vs::Flush(stream));
}
cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode /*mode*/) {
  if (stream == nullptr) return vs::Note(cudaErrorStreamCaptureUnsupported);
  std::lock_guard<std::mutex> l(vs::S().mu);
  if (stream->capture != nullptr) return vs::Note(cudaErrorIllegalState);
  stream->capture = std::make_unique<CUgraph_st>();
  stream->invalidated = false;
  vs::S().capturing.push_back(stream);
  ++vs::t_captures;
  return cudaSuccess;
}
cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* graph) {
  *graph = nullptr;
  if (stream == nullptr) return vs::Note(cudaErrorIllegalState);
  std::lock_guard<std::mutex> l(vs::S().mu);
  if (stream->capture == nullptr) return vs::Note(cudaErrorIllegalState);
  auto& c = vs::S().capturing;
  c.erase(std::find(c.begin(), c.end(), stream));
  --vs::t_captures;
  std::unique_ptr<CUgraph_st> g = std::move(stream->capture);
  if (stream->invalidated) return vs::Note(cudaErrorStreamCaptureInvalidated);
  *graph = g.release();
  return cudaSuccess;
}
cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph,
                                 unsigned long long /*flags*/) {
  if (graph == nullptr) return vs::Note(cudaErrorInvalidValue);
  *exec = new CUgraphExec_st{graph->nodes};
  return cudaSuccess;
}
cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
  if (exec == nullptr) return vs::Note(cudaErrorInvalidValue);
  std::vector<CUgraph_st::Node> nodes = exec->nodes;  // the exec may be destroyed before it runs
  return vs::Note(vs::EnqueueOp(stream, "cudaGraphLaunch", [nodes = std::move(nodes)] {
    for (const auto& node : nodes) {
      if (const cudaError_t e = node.op(); e != cudaSuccess) return e;
    }
    return cudaSuccess;
  }));
}
cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  delete graph;
  return cudaSuccess;
}
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  delete exec;
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t* event) {
  *event = new CUevent_st;
  return cudaSuccess;
}
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int /*flags*/) {
  return cudaEventCreate(event);
}
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  if (event == nullptr) return vs::Note(cudaErrorInvalidResourceHandle);
  event->stream = stream;
  return vs::Note(vs::EnqueueOp(stream, "cudaEventRecord", [event] {
    event->ms = vs::NowMs();
    event->recorded = true;
    return cudaSuccess;
  }));
}
cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  if (event == nullptr) return vs::Note(cudaErrorInvalidResourceHandle);
  if (vs::ForbiddenWhileCapturing("cudaEventSynchronize")) {
    return vs::Note(cudaErrorStreamCaptureUnsupported);
  }
  return vs::Note(vs::Flush(event->stream));
}
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  if (start == nullptr || end == nullptr) return vs::Note(cudaErrorInvalidResourceHandle);
  if (!start->recorded || !end->recorded) return vs::Note(cudaErrorInvalidResourceHandle);
  *ms = static_cast<float>(end->ms - start->ms);
  return cudaSuccess;
}
cudaError_t cudaEventDestroy(cudaEvent_t event) {
  delete event;
  return cudaSuccess;
}

cudaError_t cudaFuncSetAttribute(const void* func, enum cudaFuncAttribute attr, int value) {
  if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize) return cudaSuccess;
  if (value < 0 || static_cast<size_t>(value) > vs::kMaxSmem) {
    return vs::Note(cudaErrorInvalidValue);
  }
  std::lock_guard<std::mutex> l(vs::S().mu);
  vs::S().max_dynamic_smem[func] = value;
  return cudaSuccess;
}

}  // extern "C"
