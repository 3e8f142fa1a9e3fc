#pragma once
// Internal to kernels/cuda: CUDA error conversion, device checks and the offset calculator
// that the elementwise and reduction kernels walk a core::StridedPlan with. Included only
// by the .cu files of this directory; nothing outside sees CUDA headers.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>

#include "engine/core/iter.h"
#include "engine/spec/error.h"
#include "kernels/common/api.h"
#include "kernels/common/cuda_runtime.h"

namespace parity::kernels::cuda::detail {

// "<cudaGetErrorString> (<cudaGetErrorName>)".
std::string describe(cudaError_t err);
// Throws DeviceError (no driver, no device, no kernel image for this GPU) or RuntimeError
// (everything else) naming the call that failed and CUDA's error text.
[[noreturn]] void throw_cuda_error(cudaError_t err, const char* call);
inline void check(cudaError_t err, const char* call) {
  if (err != cudaSuccess) throw_cuda_error(err, call);
}
// Counts one launch (or one cuBLAS call) for activity().
void count_launch() noexcept;
// Checks the kernel launch just made (bad configuration, no kernel image...) and counts it.
inline void check_launch(const char* kernel) {
  count_launch();
  check(cudaGetLastError(), kernel);
}

// Throws DeviceError naming `what` and the reason unless a CUDA device is usable.
void require_device(const char* what);
// Throws ValueError for null and DeviceError for host memory: a kernel that dereferenced a
// host pointer would fault and leave the CUDA context unusable for the rest of the process.
void require_device_pointer(const void* p, const char* what);

// Attributes of device 0, read once.
struct DeviceProps {
  int sm_count = 1;
  int l2_bytes = 0;
};
const DeviceProps& device_props();

// Blocks for a grid-stride loop over n items: enough to fill the GPU, no more.
inline unsigned grid_size(std::int64_t n, int threads) {
  const std::int64_t want = (n + threads - 1) / threads;
  const std::int64_t cap = std::int64_t(device_props().sm_count) * 32;
  return unsigned(want < cap ? (want < 1 ? 1 : want) : cap);
}

// True when the plan is one run of unit stride for every operand (or a single element).
inline bool is_contiguous(const core::StridedPlan& plan) {
  if (plan.shape.size() > 1) return false;
  if (plan.shape.empty()) return true;
  for (const auto& s : plan.strides)
    if (s[0] != 1) return false;
  return true;
}

// A StridedPlan flattened into a fixed-size struct that kernels take by value (after
// PyTorch's OffsetCalculator): dims innermost first, so a linear index is split into
// coordinates by repeated div/mod.
template <int N>
struct OffsetCalc {
  int ndim = 0;
  std::int64_t sizes[core::kMaxDims] = {};
  std::int64_t strides[N][core::kMaxDims] = {};

  OffsetCalc() = default;
  // `plan` must have N operands (checked by the callers, which build it).
  explicit OffsetCalc(const core::StridedPlan& plan) {
    ndim = int(plan.shape.size());
    for (int d = 0; d < ndim; ++d) {
      const int src = ndim - 1 - d;
      sizes[d] = plan.shape[src];
      for (int k = 0; k < N; ++k) strides[k][d] = plan.strides[k][src];
    }
  }

#if defined(__CUDACC__)
  // Element offsets of every operand at linear index `linear` (< the plan's numel).
  // Index is uint32 when the plan's numel fits, which makes div/mod much cheaper.
  template <class Index>
  __device__ void offsets(Index linear, std::int64_t (&off)[N]) const {
    if (ndim <= 1) {
      // One dim needs no div/mod (the common case after coalescing); zero dims is one element.
#pragma unroll
      for (int k = 0; k < N; ++k) off[k] = ndim == 0 ? 0 : std::int64_t(linear) * strides[k][0];
      return;
    }
#pragma unroll
    for (int k = 0; k < N; ++k) off[k] = 0;
#pragma unroll
    for (int d = 0; d < core::kMaxDims; ++d) {
      if (d == ndim) break;
      const Index size = Index(sizes[d]);
      const Index i = linear % size;
      linear /= size;
#pragma unroll
      for (int k = 0; k < N; ++k) off[k] += std::int64_t(i) * strides[k][d];
    }
  }
#endif
};

}  // namespace parity::kernels::cuda::detail
