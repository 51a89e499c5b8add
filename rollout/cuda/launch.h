// Kernel launch and dynamic shared memory, spelled so that a .cu file compiles both under nvcc
// and for the SIMT emulator (rollout/cuda/emu/simt.h, VERDICT_SIMT_EMU), which runs the same
// kernels on the CPU:
//   VERDICT_LAUNCH(Kernel, grid, block, smem, stream)(args...);   // Kernel<<<...>>>(args...)
//   VERDICT_DYNAMIC_SHARED(name);   // extern __shared__ __align__(16) unsigned char name[];
// Private to rollout/cuda/ (.cu files).
#ifndef VERDICT_ROLLOUT_CUDA_LAUNCH_H_
#define VERDICT_ROLLOUT_CUDA_LAUNCH_H_

#if defined(VERDICT_SIMT_EMU)
#include "rollout/cuda/emu/simt.h"
#define VERDICT_LAUNCH(kernel, grid, block, smem, stream) \
  ::verdict::simt::MakeLauncher(#kernel, kernel, grid, block, smem, stream)
#define VERDICT_DYNAMIC_SHARED(name) unsigned char* name = ::verdict::simt::DynamicShared()
#else
#define VERDICT_LAUNCH(kernel, grid, block, smem, stream) kernel<<<grid, block, smem, stream>>>
#define VERDICT_DYNAMIC_SHARED(name) extern __shared__ __align__(16) unsigned char name[]
#endif

#endif  // VERDICT_ROLLOUT_CUDA_LAUNCH_H_
