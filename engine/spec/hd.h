#pragma once
// PARITY_HD marks functions that run on host and device: the tensor engine's functors are
// written once and compiled by both g++ and nvcc.
#if defined(__CUDACC__)
#define PARITY_HD __host__ __device__
#else
#define PARITY_HD
#endif
