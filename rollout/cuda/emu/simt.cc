// The SIMT emulator's scheduler (simt.h): a block's threads are ucontext fibers on one OS thread,
// run in a freshly shuffled order after every barrier until all have returned.
#include "rollout/cuda/emu/simt.h"

#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define VERDICT_SIMT_ASAN 1
#endif

namespace verdict::simt {
namespace {

constexpr int kMaxThreads = 1024;
constexpr size_t kStackBytes = size_t{256} << 10;  // a kernel's locals are small

enum class State { kRunnable, kAtSyncThreads, kAtShuffle, kDone };

struct Fiber {
  ucontext_t ctx;
  uint3 tid;
  int linear = 0;
  State state = State::kRunnable;
  uint32_t shuffles = 0;  // __shfl_xor_sync calls completed
};

struct Warp {
  int size = 0;
  int arrived = 0;
  uint64_t buf[2][32];  // by shuffle parity: a lane can be at most one shuffle ahead of another
};

struct Block {
  const Body* body = nullptr;
  uint3 idx;
  dim3 dim, grid;
  int n = 0;
  int arrived = 0;  // at __syncthreads
  int or_acc = 0;   // __syncthreads_or: this barrier's OR so far, and the last released one's
  int or_result = 0;
  std::vector<Fiber> fibers;
  std::vector<Warp> warps;
  unsigned char* smem = nullptr;
  ucontext_t sched;
  std::string error;
  const void* sched_stack = nullptr;  // ASan: the scheduler's stack, learnt on the first switch
  size_t sched_stack_size = 0;
};

// One stack per possible thread of a block, mapped once per OS thread; the lowest page of each
// is a guard, so an overflow faults instead of corrupting the neighbour.
class Stacks {
 public:
  Stacks() {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* p = mmap(nullptr, kMaxThreads * kStackBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      std::perror("simt: mmap of fiber stacks");
      std::abort();
    }
    base_ = static_cast<char*>(p);
    for (int i = 0; i < kMaxThreads; ++i) mprotect(base_ + i * kStackBytes, page_, PROT_NONE);
  }
  ~Stacks() { munmap(base_, kMaxThreads * kStackBytes); }
  char* Stack(int i) const { return base_ + i * kStackBytes + page_; }
  size_t Size() const { return kStackBytes - page_; }

 private:
  char* base_ = nullptr;
  size_t page_ = 0;
};

thread_local Block* g_block = nullptr;
thread_local Fiber* g_fiber = nullptr;

Stacks& ThreadStacks() {
  thread_local Stacks stacks;
  return stacks;
}

// Scheduler -> fiber, returning when the fiber waits or finishes.
void SwitchToFiber(Block& b, Fiber& f) {
  g_fiber = &f;
#if defined(VERDICT_SIMT_ASAN)
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, ThreadStacks().Stack(f.linear), ThreadStacks().Size());
#endif
  swapcontext(&b.sched, &f.ctx);
#if defined(VERDICT_SIMT_ASAN)
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
  g_fiber = nullptr;
}

// Fiber -> scheduler; returns when the scheduler runs this fiber again (never when finished).
void SwitchToScheduler(bool finished) {
  Block& b = *g_block;
  Fiber& f = *g_fiber;
#if defined(VERDICT_SIMT_ASAN)
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(finished ? nullptr : &fake, b.sched_stack, b.sched_stack_size);
#else
  (void)finished;
#endif
  swapcontext(&f.ctx, &b.sched);
#if defined(VERDICT_SIMT_ASAN)
  __sanitizer_finish_switch_fiber(fake, &b.sched_stack, &b.sched_stack_size);
#endif
}

void Entry() {
#if defined(VERDICT_SIMT_ASAN)
  __sanitizer_finish_switch_fiber(nullptr, &g_block->sched_stack, &g_block->sched_stack_size);
#endif
  (*g_block->body)();
  g_fiber->state = State::kDone;
  SwitchToScheduler(/*finished=*/true);
  std::abort();  // a finished fiber is never resumed
}

// Out of line: getcontext returns twice, which the caller's locals must not see.
__attribute__((noinline)) void InitContext(ucontext_t* ctx, char* stack, size_t size) {
  getcontext(ctx);
  ctx->uc_stack.ss_sp = stack;
  ctx->uc_stack.ss_size = size;
  ctx->uc_link = nullptr;
  makecontext(ctx, Entry, 0);
}

// Ends the running fiber after a misuse seen inside a kernel (the message is already in
// b.error): the block stops and the launch fails. The fiber's frames never unwind, so callers
// build the message into b.error before calling (no temporaries left on the fiber's stack).
[[noreturn]] void Abandon() {
  g_fiber->state = State::kDone;
  SwitchToScheduler(/*finished=*/true);
  std::abort();
}

std::string Where(const Block& b) {
  int at_sync = 0, at_shfl = 0, done = 0;
  std::string first_done, first_sync, first_shfl;
  for (int i = 0; i < b.n; ++i) {
    const State s = b.fibers[i].state;
    if (s == State::kAtSyncThreads && at_sync++ == 0) first_sync = absl::StrCat(i);
    if (s == State::kAtShuffle && at_shfl++ == 0) first_shfl = absl::StrCat(i);
    if (s == State::kDone && done++ == 0) first_done = absl::StrCat(i);
  }
  return absl::StrCat(at_sync,
                      " threads wait at __syncthreads (first: ", at_sync ? first_sync : "-", "), ",
                      at_shfl, " at __shfl_xor_sync (first: ", at_shfl ? first_shfl : "-", "), ",
                      done, " returned (first: ", done ? first_done : "-", ")");
}

uint64_t Seed() {
  const char* s = std::getenv("VERDICT_SIMT_SEED");
  return s != nullptr ? std::strtoull(s, nullptr, 10) : 1;
}

}  // namespace

uint3 ThreadIdx() { return g_fiber->tid; }
uint3 BlockIdx() { return g_block->idx; }
dim3 BlockDim() { return g_block->dim; }
dim3 GridDim() { return g_block->grid; }
unsigned char* DynamicShared() { return g_block->smem; }

void SyncThreads() { SyncThreadsOr(0); }

int SyncThreadsOr(int pred) {
  Block& b = *g_block;
  Fiber& f = *g_fiber;
  f.state = State::kAtSyncThreads;
  b.or_acc |= pred != 0;
  if (++b.arrived == b.n) {
    // A fiber cannot reach the next barrier's release before every fiber has left this one, so
    // or_result stays valid until each has read it.
    b.or_result = b.or_acc;
    b.or_acc = 0;
    b.arrived = 0;
    for (int i = 0; i < b.n; ++i) {
      if (b.fibers[i].state == State::kAtSyncThreads) b.fibers[i].state = State::kRunnable;
    }
  }
  SwitchToScheduler(false);
  return b.or_result;
}

uint64_t ShuffleXor(uint32_t mask, uint64_t bits, int lane_mask) {
  Block& b = *g_block;
  Fiber& f = *g_fiber;
  const int lane = f.linear & 31, wi = f.linear >> 5;
  Warp& w = b.warps[wi];
  const uint32_t full = w.size == 32 ? ~0u : (1u << w.size) - 1;
  if ((mask & full) != full) {
    if (b.error.empty()) {
      b.error = absl::StrCat("thread ", f.linear, ": __shfl_xor_sync mask 0x", absl::Hex(mask),
                             " leaves out lanes of its warp (", w.size, " lanes)");
    }
    Abandon();
  }
  const int slot = f.shuffles & 1;
  w.buf[slot][lane] = bits;
  f.state = State::kAtShuffle;
  if (++w.arrived == w.size) {
    w.arrived = 0;
    for (int i = wi * 32; i < wi * 32 + w.size; ++i) {
      if (b.fibers[i].shuffles != f.shuffles) {
        if (b.error.empty()) {
          b.error = absl::StrCat("warp ", wi, ": lanes at different __shfl_xor_sync calls (lane ",
                                 i - wi * 32, " has done ", b.fibers[i].shuffles, ", lane ", lane,
                                 " ", f.shuffles, ")");
        }
        Abandon();
      }
      b.fibers[i].state = State::kRunnable;
    }
  }
  SwitchToScheduler(false);
  ++f.shuffles;
  const int src = lane ^ (lane_mask & 31);
  return w.buf[slot][src < w.size ? src : lane];
}

std::string RunGrid(const char* kernel, dim3 grid, dim3 block, size_t smem, const Body& body) {
  if (g_block != nullptr) return absl::StrCat(kernel, ": launched from inside a kernel");
  const int64_t n = static_cast<int64_t>(block.x) * block.y * block.z;
  if (n < 1 || n > kMaxThreads) {
    return absl::StrCat(kernel, ": ", n, " threads per block (1..", kMaxThreads, ")");
  }
  static thread_local uint64_t launches = 0;
  std::mt19937_64 rng(Seed() * 0x9E3779B97F4A7C15ull + launches++);
  Stacks& stacks = ThreadStacks();
  Block b;
  b.body = &body;
  b.dim = block;
  b.grid = grid;
  b.n = static_cast<int>(n);
  b.fibers.resize(b.n);
  b.warps.resize((b.n + 31) / 32);
  for (size_t w = 0; w < b.warps.size(); ++w) {
    b.warps[w].size = std::min(32, b.n - static_cast<int>(w) * 32);
  }
  const size_t smem_alloc = (std::max<size_t>(smem, 1) + 63) / 64 * 64;
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> smem_buf(
      static_cast<unsigned char*>(::operator new(smem_alloc, std::align_val_t(64))),
      [](unsigned char* p) { ::operator delete(p, std::align_val_t(64)); });
  b.smem = smem_buf.get();
  std::vector<int> order(b.n);
  for (int i = 0; i < b.n; ++i) order[i] = i;

  // Blocks run one after another in a shuffled order: a GPU promises no order between blocks.
  std::vector<uint3> blocks;
  blocks.reserve(static_cast<size_t>(grid.x) * grid.y * grid.z);
  for (uint32_t bz = 0; bz < grid.z; ++bz) {
    for (uint32_t by = 0; by < grid.y; ++by) {
      for (uint32_t bx = 0; bx < grid.x; ++bx) blocks.push_back(uint3{bx, by, bz});
    }
  }
  std::shuffle(blocks.begin(), blocks.end(), rng);
  {
    {
      for (const uint3& idx : blocks) {
        const uint32_t bx = idx.x, by = idx.y, bz = idx.z;
        b.idx = idx;
        b.arrived = 0;
        b.or_acc = 0;
        for (Warp& w : b.warps) w.arrived = 0;
        std::memset(b.smem, 0xff, smem_alloc);
        for (int i = 0; i < b.n; ++i) {
          Fiber& f = b.fibers[i];
          f.tid = uint3{static_cast<uint32_t>(i % block.x),
                        static_cast<uint32_t>((i / block.x) % block.y),
                        static_cast<uint32_t>(i / (block.x * block.y))};
          f.linear = i;
          f.state = State::kRunnable;
          f.shuffles = 0;
          InitContext(&f.ctx, stacks.Stack(i), stacks.Size());
        }
        g_block = &b;
        int done = 0;
        while (done < b.n && b.error.empty()) {
          std::shuffle(order.begin(), order.end(), rng);
          bool ran = false;
          for (int i : order) {
            Fiber& f = b.fibers[i];
            if (f.state != State::kRunnable) continue;
            ran = true;
            SwitchToFiber(b, f);
            if (!b.error.empty()) break;
          }
          done = 0;
          for (int i = 0; i < b.n; ++i) done += b.fibers[i].state == State::kDone;
          if (!ran && done < b.n && b.error.empty()) {
            b.error = absl::StrCat("deadlock: ", Where(b));
          }
        }
        g_block = nullptr;
        if (!b.error.empty()) {
          return absl::StrCat(kernel, " block (", bx, ",", by, ",", bz, ") of (", grid.x, ",",
                              grid.y, ",", grid.z, "), ", b.n, " threads: ", b.error);
        }
      }
    }
  }
  return "";
}

}  // namespace verdict::simt
