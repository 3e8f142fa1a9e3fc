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
#include "kernels/common/int_divider.h"

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
// A pointer into a block of Parity's own device allocator (every cuda tensor's storage) is
// known to be device memory and costs a lookup in the allocator's table, no CUDA call; only
// a pointer from elsewhere (a caller of the kernels API with its own memory) is asked about
// with cudaPointerGetAttributes.
void require_device_pointer(const void* p, const char* what);

// Attributes of device 0 (the only device the engine uses), read once.
struct DeviceProps {
  int sm_count = 1;
  int l2_bytes = 0;
  int max_threads_per_sm = 2048;
};
const DeviceProps& device_props();

// Blocks of `threads` threads that the SM's thread limit lets it hold at once.
inline int blocks_by_thread_limit(int threads) {
  const int blocks = device_props().max_threads_per_sm / threads;
  return blocks < 1 ? 1 : blocks;
}

// Resident blocks of `threads` threads per SM for `kernel`, from the occupancy calculator
// (its registers and shared memory), or the SM's thread limit when that call fails. Callers
// cache it once per kernel instantiation.
template <class Kernel>
int blocks_per_sm(Kernel kernel, int threads) {
  int blocks = 0;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, kernel, threads, 0) != cudaSuccess || blocks < 1) {
    cudaGetLastError();
    return blocks_by_thread_limit(threads);
  }
  return blocks;
}

// Blocks for a grid-stride loop over `work` items of one thread each: one full wave of the
// GPU (every SM holding as many blocks as it can keep resident), capped by the work.
// per_sm 0: as many as the SM's thread limit allows (for kernels not worth an occupancy query).
inline unsigned grid_size(std::int64_t work, int threads, int per_sm = 0) {
  if (per_sm < 1) per_sm = blocks_by_thread_limit(threads);
  const std::int64_t want = (work + threads - 1) / threads;
  const std::int64_t cap = std::int64_t(device_props().sm_count) * per_sm;
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
// coordinates by repeated div/mod. The divisions are by the dims' sizes, fixed for the
// launch, so each is a precomputed IntDivider (multiply-high and shift) rather than a
// hardware divide. Index is uint32 when the plan's numel fits (then every size does too),
// which makes the multiply-high a single instruction.
template <int N, class Index = std::uint64_t>
struct OffsetCalc {
  int ndim = 0;
  IntDivider<Index> sizes[core::kMaxDims] = {};
  std::int64_t strides[N][core::kMaxDims] = {};

  OffsetCalc() = default;
  // `plan` must have N operands (checked by the callers, which build it) and no empty dim
  // (launch() returns before for numel 0).
  explicit OffsetCalc(const core::StridedPlan& plan) {
    ndim = int(plan.shape.size());
    for (int d = 0; d < ndim; ++d) {
      const int src = ndim - 1 - d;
      sizes[d] = IntDivider<Index>(Index(plan.shape[src]));
      for (int k = 0; k < N; ++k) strides[k][d] = plan.strides[k][src];
    }
  }

#if defined(__CUDACC__)
  // Element offsets of every operand at linear index `linear` (< the plan's numel).
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
      const DivMod<Index> qr = sizes[d].divmod(linear);
      linear = qr.quot;
#pragma unroll
      for (int k = 0; k < N; ++k) off[k] += std::int64_t(qr.rem) * strides[k][d];
    }
  }
#endif
};

}  // namespace parity::kernels::cuda::detail
