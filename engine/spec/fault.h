#pragma once
// Planted faults, for showing that `parity check` alone catches real bugs. A build configured
// with -DPARITY_FAULTS=ON (the `faults` preset) compiles hooks that make a kernel, the
// reference, a registry rule or a gradient formula wrong on purpose when the environment
// variable PARITY_FAULT names them; tests/faults_test.sh runs `parity check` under each and
// expects it to fail. In every other build PARITY_FAULT(name) is the constant `false`, so the
// hooks compile to nothing and cost nothing.
//
// The faults (names are checked: an unknown name is an error, not a silent no-op):
//   neg-signed-zero         neg returns +0 for +-0 (cpu kernel)
//   mul-zero-nan            0 * NaN (and 0 * inf) computed as 0 (cpu kernel)
//   exp-ulp-drift           exp results one ULP high (cpu kernel)
//   strided-second-operand  the second operand of a binary op read as contiguous (cpu kernel)
//   outer-sum-carry         an outer-axis sum drops the carry between row blocks (cpu kernel)
//   grad-overwrite          a leaf's .grad overwritten instead of accumulated (autograd)
//   promotion-entry         PyTorch's int32 + float32 promotes to float64 (registry rule)
//   error-message           NumPy's broadcast error worded differently (registry rule)

#if defined(PARITY_FAULTS) && PARITY_FAULTS
namespace parity::spec {
// Whether PARITY_FAULT names `name`. Throws RuntimeError for a name not listed above.
bool fault_active(const char* name);
}  // namespace parity::spec
#define PARITY_FAULT(name) (::parity::spec::fault_active(name))
#else
#define PARITY_FAULT(name) false
#endif
