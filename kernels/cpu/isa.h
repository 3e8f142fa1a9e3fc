// PARITY_ISA_CLONES: a contiguous loop built for AVX-512F, AVX2 and baseline x86-64, the
// clone picked at load time (GCC's target_clones). A loop so marked must do the same IEEE
// operations in every clone, so that the clone never changes a result. The test-only
// presets (asan, faults) build the baseline loop alone (-DPARITY_ISA_CLONES=OFF, which
// defines PARITY_NO_ISA_CLONES): the same source, and elementwise.cpp compiles in 37 s
// instead of 129 s at -O3 (docs/ci.md); such a build's reports say so in cxx_flags.
#pragma once

#if defined(__x86_64__) && !(defined(PARITY_NO_ISA_CLONES) && PARITY_NO_ISA_CLONES)
#define PARITY_ISA_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PARITY_ISA_CLONES
#endif
