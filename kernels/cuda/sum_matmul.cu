// Reductions (tree reductions in thread blocks) and matmul (cuBLAS).
//
// reduce: out = the reduction of in (kernels::Reduction: sum, prod, max, min, all, any, count;
// argmax and argmin by their own block-per-output kernel)
// over the dims where out has stride 0. The kernels write every output element, starting
// from the op's identity (Combine<R>::identity), so an empty input leaves the identity. The
// host splits the shape into kept dims (one output element each) and reduced dims, plans
// both with core::make_plan, and picks one of three shapes of work:
//   - one thread per output, when there are many outputs and neighbouring outputs are
//     nearer in memory than neighbouring reduced elements (a reduction over a leading
//     axis), or when each output folds only a few elements;
//   - one block per output, a block-wide tree over its reduced elements;
//   - for few outputs with many elements each (a reduction of everything), the reduced
//     range is split over several blocks per output whose partial values a second kernel
//     combines and writes.
// Values combine in V (Combine's type): the output's type, or float for float16 and
// bfloat16 outputs (max, min), stored back with cast_value. Sum and prod write the
// accumulation dtype: float32 accumulates in float32 (as PyTorch does), float64 in float64,
// bool and integers in int64 with wrap-around.
//
// matmul: cuBLAS is column-major, our matrices are row-major: C = A B is computed as
// C^T = B^T A^T, which cuBLAS reads straight from the row-major buffers. Operands that are
// transposed contiguous matrices are passed with a transpose flag; other layouts are copied
// to contiguous temporaries first.
#include <cublas_v2.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels/common/functors.h"
#include "kernels/cuda/detail.cuh"

namespace parity::kernels::cuda {
namespace {

// ---------------------------------------------------------------------------------------
// reduce

constexpr int kMaxBlock = 256;       // threads per reduction block (a power of two)
constexpr int kThreadsPerOut = 256;  // block size of the one-thread-per-output kernel

// The type a reduction writing Out combines in (Combine's V).
template <class Out>
using value_t = spec::opmath_t<Out>;

// C's combination of `v` over the block (blockDim.x a power of two); the result is valid in
// thread 0. The caller must __syncthreads() before `buf` is used again.
template <class C, class V>
__device__ V block_reduce(V v, V* buf) {
  buf[threadIdx.x] = v;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s /= 2) {
    if (threadIdx.x < s) buf[threadIdx.x] = C::apply(buf[threadIdx.x], buf[threadIdx.x + s]);
    __syncthreads();
  }
  return buf[0];
}

// Block (o, s) folds reduced elements [s * chunk, (s + 1) * chunk) of output o, from the
// identity. With one split it is the only writer of the output and writes the value; with
// several it writes partial[o * splits + s] (in V).
template <class C, class In, class Out>
__global__ void reduce_blocks_kernel(const In* in, Out* out, value_t<Out>* partial,
                                     detail::OffsetCalc<2> outer, std::int64_t n_out,
                                     detail::OffsetCalc<1> inner, std::int64_t reduced, std::int64_t chunk) {
  using V = value_t<Out>;
  __shared__ V buf[kMaxBlock];
  const std::int64_t begin = std::int64_t(blockIdx.y) * chunk;
  const std::int64_t end = begin + chunk < reduced ? begin + chunk : reduced;
  // The loop bound depends on blockIdx only, so every thread of a block takes the same trips
  // and the barriers inside are safe.
  for (std::int64_t o = blockIdx.x; o < n_out; o += gridDim.x) {
    std::int64_t oo[2];
    outer.offsets(o, oo);
    V acc = C::template identity<V>();
    for (std::int64_t r = begin + threadIdx.x; r < end; r += blockDim.x) {
      std::int64_t ro[1];
      inner.offsets(r, ro);
      acc = C::apply(acc, C::template load<V>(in[oo[1] + ro[0]]));
    }
    acc = block_reduce<C>(acc, buf);  // every lane started from the identity
    if (threadIdx.x == 0) {
      if (partial)
        partial[o * std::int64_t(gridDim.y) + blockIdx.y] = acc;
      else
        out[oo[0]] = cast_value<Out>(acc);
    }
    __syncthreads();
  }
}

// Combines the `splits` partial values of each output, from the identity, and writes the
// output.
template <class C, class Out>
__global__ void reduce_partials_kernel(const value_t<Out>* partial, std::int64_t splits, Out* out,
                                       detail::OffsetCalc<2> outer, std::int64_t n_out) {
  using V = value_t<Out>;
  __shared__ V buf[kMaxBlock];
  for (std::int64_t o = blockIdx.x; o < n_out; o += gridDim.x) {
    V acc = C::template identity<V>();
    for (std::int64_t s = threadIdx.x; s < splits; s += blockDim.x)
      acc = C::apply(acc, partial[o * splits + s]);
    acc = block_reduce<C>(acc, buf);
    if (threadIdx.x == 0) {
      std::int64_t oo[2];
      outer.offsets(o, oo);
      out[oo[0]] = cast_value<Out>(acc);
    }
    __syncthreads();
  }
}

// One thread per output, folding its reduced elements in order from the identity.
template <class C, class In, class Out>
__global__ void reduce_per_thread_kernel(const In* in, Out* out, detail::OffsetCalc<2> outer,
                                         std::int64_t n_out, detail::OffsetCalc<1> inner,
                                         std::int64_t reduced) {
  using V = value_t<Out>;
  const std::int64_t step = std::int64_t(gridDim.x) * blockDim.x;
  for (std::int64_t o = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x; o < n_out; o += step) {
    std::int64_t oo[2];
    outer.offsets(o, oo);
    V acc = C::template identity<V>();
    for (std::int64_t r = 0; r < reduced; ++r) {
      std::int64_t ro[1];
      inner.offsets(r, ro);
      acc = C::apply(acc, C::template load<V>(in[oo[1] + ro[0]]));
    }
    out[oo[0]] = cast_value<Out>(acc);
  }
}

// Every output element set to the identity: an empty reduction (a reduced dim of size 0).
template <class C, class Out>
__global__ void reduce_identity_kernel(Out* out, detail::OffsetCalc<1> outer, std::int64_t n_out) {
  using V = value_t<Out>;
  const Out ident = cast_value<Out>(C::template identity<V>());
  const std::int64_t step = std::int64_t(gridDim.x) * blockDim.x;
  for (std::int64_t o = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x; o < n_out; o += step) {
    std::int64_t oo[1];
    outer.offsets(o, oo);
    out[oo[0]] = ident;
  }
}

// The smallest power of two >= n, clamped to [32, kMaxBlock]: a warp at least, and no
// idle threads when each output has few elements.
int block_threads(std::int64_t n) {
  int t = 32;
  while (t < kMaxBlock && t < n) t *= 2;
  return t;
}

// Frees device temporaries on every way out of a scope (they go back to the cache; the
// kernels queued before on the default stream still run first).
struct TempBlocks {
  std::vector<void*> blocks;
  TempBlocks() = default;
  TempBlocks(const TempBlocks&) = delete;
  TempBlocks& operator=(const TempBlocks&) = delete;
  ~TempBlocks() {
    for (void* p : blocks) device_free(p);
  }
  void* get(std::size_t nbytes) {
    blocks.reserve(blocks.size() + 1);  // so push_back cannot throw after the allocation
    void* p = device_malloc(nbytes);
    blocks.push_back(p);
    return p;
  }
};

// The input's dims split into kept dims (one output element each) and reduced dims (out
// stride 0); size-1 dims address nothing and are dropped.
struct ReduceDims {
  spec::Shape kept, red;
  std::vector<std::int64_t> out_kept, in_kept, in_red;
};

ReduceDims split_dims(const Reduction& args) {
  ReduceDims s;
  for (std::size_t d = 0; d < args.shape.size(); ++d) {
    if (args.shape[d] == 1) continue;
    if (args.out.strides[d] == 0) {
      s.red.push_back(args.shape[d]);
      s.in_red.push_back(args.in.strides[d]);
    } else {
      s.kept.push_back(args.shape[d]);
      s.out_kept.push_back(args.out.strides[d]);
      s.in_kept.push_back(args.in.strides[d]);
    }
  }
  return s;
}

// An empty input: the identity into every output element (none when a kept dim is empty).
template <class C, class Out>
void run_reduce_empty(const Reduction& args, const ReduceDims& dims) {
  for (std::int64_t d : dims.kept)
    if (d == 0) return;
  const core::StridedPlan outer = core::make_plan(dims.kept, {dims.out_kept});
  const std::int64_t n_out = outer.numel();
  detail::require_device_pointer(args.out.data, "reduce output");
  reduce_identity_kernel<C, Out><<<detail::grid_size(n_out, kThreadsPerOut), kThreadsPerOut>>>(
      static_cast<Out*>(args.out.data), detail::OffsetCalc<1>(outer), n_out);
  detail::check_launch("reduce kernel (identity of an empty reduction)");
}

// A non-empty input. For sum and prod Out is also the accumulation dtype (as in PyTorch,
// where sum(dtype=...) converts the input to that dtype first).
template <class C, class In, class Out>
void run_reduce(const Reduction& args, const ReduceDims& dims) {
  using V = value_t<Out>;
  const core::StridedPlan outer = core::make_plan(dims.kept, {dims.out_kept, dims.in_kept});
  const core::StridedPlan inner = core::make_plan(dims.red, {dims.in_red});
  detail::require_device_pointer(args.out.data, "reduce output");
  detail::require_device_pointer(args.in.data, "reduce input");
  const std::int64_t n_out = outer.numel();
  const std::int64_t reduced = inner.numel();
  const In* in = static_cast<const In*>(args.in.data);
  Out* out = static_cast<Out*>(args.out.data);
  const detail::OffsetCalc<2> outer_calc(outer);
  const detail::OffsetCalc<1> inner_calc(inner);
  const std::int64_t sms = detail::device_props().sm_count;
  const unsigned max_grid = 0x7fffffffu;

  // One thread per output when there is little to fold per output, or when neighbouring
  // outputs are nearer in memory than neighbouring terms (the threads of a warp then read
  // consecutive addresses) and there are enough outputs to keep every SM busy; with fewer,
  // a block per output is faster even though its reads are scattered.
  bool per_thread = false;
  if (n_out >= kThreadsPerOut && (inner.shape.empty() || reduced <= 32)) {
    per_thread = true;
  } else if (n_out >= sms * kThreadsPerOut && !outer.shape.empty()) {
    const std::int64_t kept_step = std::llabs(outer.strides[1].back());
    const std::int64_t red_step = std::llabs(inner.strides[0].back());
    per_thread = kept_step < red_step;
  }
  if (per_thread) {
    reduce_per_thread_kernel<C, In, Out><<<detail::grid_size(n_out, kThreadsPerOut), kThreadsPerOut>>>(
        in, out, outer_calc, n_out, inner_calc, reduced);
    detail::check_launch("reduce kernel (thread per output)");
    return;
  }

  // Few outputs with much to fold: split each output's range over several blocks so the
  // whole GPU works (about 8 blocks per SM), each taking at least kMinPerSplit elements.
  constexpr std::int64_t kMinPerSplit = 4096;
  const std::int64_t target_blocks = sms * 8;
  std::int64_t splits = 1;
  if (n_out < target_blocks && reduced >= 2 * kMinPerSplit)
    splits = std::min({(target_blocks + n_out - 1) / n_out, reduced / kMinPerSplit, std::int64_t(1024)});
  std::int64_t chunk = reduced;
  if (splits > 1) {
    chunk = (reduced + splits - 1) / splits;
    splits = (reduced + chunk - 1) / chunk;  // no empty trailing splits
  }

  TempBlocks temps;
  V* partial = nullptr;
  if (splits > 1) partial = static_cast<V*>(temps.get(std::size_t(n_out * splits) * sizeof(V)));
  const dim3 grid(unsigned(std::min<std::int64_t>(n_out, max_grid)), unsigned(splits));
  reduce_blocks_kernel<C, In, Out>
      <<<grid, block_threads(chunk)>>>(in, out, partial, outer_calc, n_out, inner_calc, reduced, chunk);
  detail::check_launch("reduce kernel (block per output)");
  if (splits > 1) {
    reduce_partials_kernel<C, Out>
        <<<unsigned(std::min<std::int64_t>(n_out, max_grid)), block_threads(splits)>>>(partial, splits, out,
                                                                                       outer_calc, n_out);
    detail::check_launch("reduce kernel (partial values)");
  }
}

// ArgMax and ArgMin: one block per output. Its threads take positions threadIdx.x,
// threadIdx.x + blockDim.x, ... (row-major over the reduced dims in their logical order),
// each keeping its winner, then a tree over the block picks among them with ArgPick, which
// is symmetric (a NaN beats every number; at a tie the smaller position wins), so the order
// the tree meets the candidates does not matter. pos < 0 marks a thread that saw nothing.
template <bool kMax, class In>
__global__ void arg_reduce_kernel(const In* in, std::int64_t* out, detail::OffsetCalc<2> outer, std::int64_t n_out,
                                  detail::OffsetCalc<1> inner, std::int64_t reduced) {
  using V = value_t<In>;
  using P = ArgPick<kMax>;
  __shared__ V vbuf[kMaxBlock];
  __shared__ std::int64_t ibuf[kMaxBlock];
  for (std::int64_t o = blockIdx.x; o < n_out; o += gridDim.x) {
    std::int64_t oo[2];
    outer.offsets(o, oo);
    V best = V(0);
    std::int64_t pos = -1;
    for (std::int64_t r = threadIdx.x; r < reduced; r += blockDim.x) {
      std::int64_t ro[1];
      inner.offsets(r, ro);
      const V x = cast_value<V>(in[oo[1] + ro[0]]);
      if (pos < 0 || P::wins(x, r, best, pos)) {
        best = x;
        pos = r;
      }
    }
    vbuf[threadIdx.x] = best;
    ibuf[threadIdx.x] = pos;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s /= 2) {
      if (threadIdx.x < s) {
        const unsigned j = threadIdx.x + s;
        if (ibuf[j] >= 0 && (ibuf[threadIdx.x] < 0 || P::wins(vbuf[j], ibuf[j], vbuf[threadIdx.x], ibuf[threadIdx.x]))) {
          vbuf[threadIdx.x] = vbuf[j];
          ibuf[threadIdx.x] = ibuf[j];
        }
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) out[oo[0]] = ibuf[0];
    __syncthreads();
  }
}

// The reduced dims stay in their logical order (not make_plan's memory order): a position
// is row-major over them, as in both libraries.
template <bool kMax, class In>
void run_arg_reduce(const Reduction& args, const ReduceDims& dims) {
  for (std::int64_t d : dims.red)
    if (d == 0) throw ValueError("reduce (" + std::string(spec::reduce_name(args.op)) + "): an empty sequence");
  for (std::int64_t d : dims.kept)
    if (d == 0) return;  // no outputs
  const core::StridedPlan outer = core::make_plan(dims.kept, {dims.out_kept, dims.in_kept});
  core::StridedPlan inner;
  inner.shape = dims.red;
  inner.strides = {dims.in_red};
  detail::require_device_pointer(args.out.data, "reduce output");
  detail::require_device_pointer(args.in.data, "reduce input");
  const std::int64_t n_out = outer.numel(), reduced = inner.numel();
  arg_reduce_kernel<kMax, In><<<unsigned(std::min<std::int64_t>(n_out, 0x7fffffff)), block_threads(reduced)>>>(
      static_cast<const In*>(args.in.data), static_cast<std::int64_t*>(args.out.data), detail::OffsetCalc<2>(outer),
      n_out, detail::OffsetCalc<1>(inner), reduced);
  detail::check_launch("reduce kernel (argmax or argmin, block per output)");
}

template <class C, class In, class Out>
void dispatch_reduce(const Reduction& args, const ReduceDims& dims) {
  if (spec::numel(args.shape) == 0)
    run_reduce_empty<C, Out>(args, dims);
  else
    run_reduce<C, In, Out>(args, dims);
}

// Throws TypeError unless out's dtype is what `op` writes for in's (api.h).
void check_reduce_dtypes(spec::Reduce op, spec::DType in, spec::DType out) {
  const std::string name(spec::reduce_name(op));
  switch (op) {
    case spec::Reduce::Sum:
    case spec::Reduce::Prod:
      // float16 and bfloat16 accumulate in float32: the engine passes a float32 output.
      if (out != spec::DType::Int64 && out != spec::DType::Float32 && out != spec::DType::Float64)
        throw TypeError("reduce (" + name +
                        "): the output (accumulation) dtype must be int64, float32 or float64, got " +
                        std::string(spec::dtype_name(out)));
      return;
    case spec::Reduce::Max:
    case spec::Reduce::Min:
      if (out != in)
        throw TypeError("reduce (" + name + "): the output dtype must be the input's (" +
                        std::string(spec::dtype_name(in)) + "), got " + std::string(spec::dtype_name(out)));
      return;
    case spec::Reduce::All:
    case spec::Reduce::Any:
      if (out != spec::DType::Bool && out != spec::DType::UInt8)
        throw TypeError("reduce (" + name + "): the output dtype must be bool or uint8, got " +
                        std::string(spec::dtype_name(out)));
      return;
    case spec::Reduce::ArgMax:
    case spec::Reduce::ArgMin:
    case spec::Reduce::Count:
      if (out != spec::DType::Int64)
        throw TypeError("reduce (" + name + "): the output dtype must be int64, got " +
                        std::string(spec::dtype_name(out)));
      return;
    case spec::Reduce::None:
    case spec::Reduce::Mean:
    case spec::Reduce::NanSum:
    case spec::Reduce::NanMean:
      break;
  }
  throw ValueError("reduce: '" + name + "' is not a kernel reduction (mean is a sum divided by the count; nansum a sum "
                   "of the input with its NaNs replaced)");
}

// ---------------------------------------------------------------------------------------
// matmul

[[noreturn]] void throw_blas_error(cublasStatus_t st, const char* call) {
  cudaGetLastError();
  const std::string msg = std::string(call) + " failed: " + cublasGetStatusString(st);
  if (st == CUBLAS_STATUS_NOT_INITIALIZED || st == CUBLAS_STATUS_ARCH_MISMATCH) throw DeviceError(msg);
  if (st == CUBLAS_STATUS_ALLOC_FAILED) throw RuntimeError(msg + " (out of device memory)");
  throw RuntimeError(msg);
}

void check_blas(cublasStatus_t st, const char* call) {
  if (st != CUBLAS_STATUS_SUCCESS) throw_blas_error(st, call);
}

// cuBLAS calls go through one handle, created on first use and kept for the process (like
// the allocator's blocks: destroying it at exit would race the runtime's teardown). The
// mutex serialises host threads on it.
std::mutex& blas_mutex() {
  static std::mutex m;
  return m;
}

cublasHandle_t blas_handle() {  // call with blas_mutex() held
  static cublasHandle_t handle = nullptr;
  if (!handle) {
    cublasHandle_t h = nullptr;
    check_blas(cublasCreate(&h), "cublasCreate");
    // Full float32 products, no TF32: PyTorch's default
    // (torch.backends.cuda.matmul.allow_tf32 = False).
    const cublasStatus_t st = cublasSetMathMode(h, CUBLAS_DEFAULT_MATH);
    if (st != CUBLAS_STATUS_SUCCESS) {
      cublasDestroy(h);
      throw_blas_error(st, "cublasSetMathMode");
    }
    handle = h;
  }
  return handle;
}

void gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, std::int64_t m, std::int64_t n,
          std::int64_t k, const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float* c,
          std::int64_t ldc) {
  const float one = 1.0f, zero = 0.0f;
  detail::count_launch();
  check_blas(cublasSgemm_64(h, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, ldc), "cublasSgemm");
}

void gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, std::int64_t m, std::int64_t n,
          std::int64_t k, const double* a, std::int64_t lda, const double* b, std::int64_t ldb, double* c,
          std::int64_t ldc) {
  const double one = 1.0, zero = 0.0;
  detail::count_launch();
  check_blas(cublasDgemm_64(h, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, ldc), "cublasDgemm");
}

// How cuBLAS can read a rows x cols matrix with element strides (sr, sc): row-major (rows
// ld apart, unit column stride) or column-major (columns ld apart, unit row stride); ok is
// false when it is neither (broadcast, negative, overlapping or gapped columns).
struct BlasLayout {
  bool ok = false;
  bool row_major = true;
  std::int64_t ld = 1;
};

BlasLayout blas_layout(std::int64_t rows, std::int64_t cols, std::int64_t sr, std::int64_t sc) {
  // The stride of a size-1 dim is never used to address anything: pick one that fits.
  if (rows == 1) sr = sc == 1 ? std::max<std::int64_t>(cols, 1) : 1;
  if (cols == 1) sc = sr == 1 ? std::max<std::int64_t>(rows, 1) : 1;
  if (sc == 1 && sr >= std::max<std::int64_t>(cols, 1)) return {true, true, sr};
  if (sr == 1 && sc >= std::max<std::int64_t>(rows, 1)) return {true, false, sc};
  return {};
}

template <class T>
void run_matmul(const Matmul& args) {
  const std::int64_t m = args.m, n = args.n, k = args.k;
  const spec::DType dt = args.out.dtype;
  TempBlocks temps;

  // An operand cuBLAS can read as it is, or a contiguous copy of it.
  auto prepare = [&](const Operand& x, std::int64_t rows, std::int64_t cols) {
    const BlasLayout l = blas_layout(rows, cols, x.strides[0], x.strides[1]);
    if (l.ok) return std::pair<const T*, BlasLayout>(static_cast<const T*>(x.data), l);
    void* tmp = temps.get(std::size_t(rows * cols) * sizeof(T));
    copy(Elementwise{spec::Shape{rows, cols}, Operand{tmp, dt, {cols, 1}}, {x}});
    return std::pair<const T*, BlasLayout>(static_cast<const T*>(tmp), BlasLayout{true, true, cols});
  };
  const auto [a, la] = prepare(args.a, m, k);
  const auto [b, lb] = prepare(args.b, k, n);

  BlasLayout lc = blas_layout(m, n, args.out.strides[0], args.out.strides[1]);
  T* c = static_cast<T*>(args.out.data);
  void* c_tmp = nullptr;
  if (!lc.ok) {  // write to a contiguous temporary, then copy into the strided output
    c_tmp = temps.get(std::size_t(m * n) * sizeof(T));
    c = static_cast<T*>(c_tmp);
    lc = BlasLayout{true, true, n};
  }

  {
    std::lock_guard<std::mutex> lock(blas_mutex());
    cublasHandle_t h = blas_handle();
    if (lc.row_major) {
      // Row-major C is column-major C^T = B^T A^T (n x m). A row-major operand is its own
      // transpose in column-major terms (no flag); a column-major one needs the flag.
      gemm(h, lb.row_major ? CUBLAS_OP_N : CUBLAS_OP_T, la.row_major ? CUBLAS_OP_N : CUBLAS_OP_T, n, m, k, b,
           lb.ld, a, la.ld, c, lc.ld);
    } else {
      // Column-major C = A B (m x n) directly.
      gemm(h, la.row_major ? CUBLAS_OP_T : CUBLAS_OP_N, lb.row_major ? CUBLAS_OP_T : CUBLAS_OP_N, m, n, k, a,
           la.ld, b, lb.ld, c, lc.ld);
    }
  }
  if (c_tmp) copy(Elementwise{spec::Shape{m, n}, args.out, {Operand{c_tmp, dt, {n, 1}}}});
}

}  // namespace

void reduce(const Reduction& args) {
  detail::require_device("reduce");
  const spec::Shape& shape = args.shape;
  const std::size_t nd = shape.size();
  if (args.in.strides.size() != nd || args.out.strides.size() != nd)
    throw ValueError("reduce: expected " + std::to_string(nd) + " strides per operand for shape " +
                     spec::shape_str(shape));
  for (std::int64_t d : shape)
    if (d < 0) throw ValueError("reduce: negative dimension in shape " + spec::shape_str(shape));
  check_reduce_dtypes(args.op, args.in.dtype, args.out.dtype);
  const ReduceDims dims = split_dims(args);
  if (spec::is_arg_reduce(args.op)) {
    spec::visit_torch_dtype(args.in.dtype, [&](auto in_tag) {
      using In = typename decltype(in_tag)::type;
      if (args.op == spec::Reduce::ArgMax)
        run_arg_reduce<true, In>(args, dims);
      else
        run_arg_reduce<false, In>(args, dims);
    });
    return;
  }
  with_combine(args.op, [&](auto combine) {
    using C = decltype(combine);
    constexpr bool accumulates =
        std::is_same_v<C, Combine<spec::Reduce::Sum>> || std::is_same_v<C, Combine<spec::Reduce::Prod>>;
    constexpr bool extremum =
        std::is_same_v<C, Combine<spec::Reduce::Max>> || std::is_same_v<C, Combine<spec::Reduce::Min>>;
    const spec::DType out = args.out.dtype;
    // Only the (input, output) pairs check_reduce_dtypes lets through are instantiated.
    spec::visit_torch_dtype(args.in.dtype, [&](auto in_tag) {
      using In = typename decltype(in_tag)::type;
      if constexpr (accumulates) {
        if (out == spec::DType::Int64)
          dispatch_reduce<C, In, std::int64_t>(args, dims);
        else if (out == spec::DType::Float32)
          dispatch_reduce<C, In, float>(args, dims);
        else
          dispatch_reduce<C, In, double>(args, dims);
      } else if constexpr (extremum) {
        dispatch_reduce<C, In, In>(args, dims);
      } else if constexpr (std::is_same_v<C, Combine<spec::Reduce::Count>>) {
        dispatch_reduce<C, In, std::int64_t>(args, dims);
      } else {
        if (out == spec::DType::Bool)
          dispatch_reduce<C, In, bool>(args, dims);
        else
          dispatch_reduce<C, In, std::uint8_t>(args, dims);
      }
    });
  });
}

void matmul(const Matmul& args) {
  detail::require_device("matmul");
  if (args.m < 0 || args.n < 0 || args.k < 0)
    throw ValueError("matmul: negative size (m=" + std::to_string(args.m) + ", n=" + std::to_string(args.n) +
                     ", k=" + std::to_string(args.k) + ")");
  for (const Operand* x : {&args.a, &args.b, &args.out})
    if (x->strides.size() != 2)
      throw ValueError("matmul: each operand needs 2 strides (row, column), got " +
                       std::to_string(x->strides.size()));
  const spec::DType dt = args.out.dtype;
  if (args.a.dtype != dt || args.b.dtype != dt)
    throw TypeError(
        "matmul: operands must share one dtype (got " + std::string(spec::dtype_name(args.a.dtype)) + " @ " +
        std::string(spec::dtype_name(args.b.dtype)) + " -> " + std::string(spec::dtype_name(dt)) + ")");
  // float16 and bfloat16 run in float32 (the engine casts them), as PyTorch accumulates them.
  if (dt != spec::DType::Float32 && dt != spec::DType::Float64)
    throw TypeError("matmul: the CUDA kernel (cuBLAS) takes float32 or float64, got " +
                    std::string(spec::dtype_name(dt)));
  if (args.m == 0 || args.n == 0) return;  // nothing to write
  if (args.k == 0) {                       // every output is an empty sum
    fill(spec::Shape{args.m, args.n}, args.out, 0.0);
    return;
  }
  detail::require_device_pointer(args.a.data, "matmul input a");
  detail::require_device_pointer(args.b.data, "matmul input b");
  detail::require_device_pointer(args.out.data, "matmul output");
  if (dt == spec::DType::Float32)
    run_matmul<float>(args);
  else
    run_matmul<double>(args);
}

}  // namespace parity::kernels::cuda
