// sampling.cu compiled as C++ for the SIMT emulator (simt.h): the same kernels, run on the CPU.
#include "rollout/cuda/emu/simt.h"
// simt.h first: it defines what nvcc would (threadIdx, __syncthreads, __shared__, ...).
#include "rollout/cuda/sampling.cu"
