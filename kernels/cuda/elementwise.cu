// Elementwise CUDA kernels: any elementwise op of the registry (its shared functor),
// strided copy with cast, and fill. The host plans the walk with core::make_plan (broadcast, reorder,
// coalesce); a grid-stride kernel then either indexes every operand with one linear index (all contiguous) or
// splits the index into coordinates with an offset calculator. The math is the shared host/device functors of
// kernels/common/functors.h.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels/common/functors.h"
#include "kernels/cuda/detail.cuh"

namespace parity::kernels::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kVecBytes = 16;  // one 128-bit load or store per operand per access

// V consecutive elements, aligned so that the compiler moves them in one access
// (ld.global.v4.f32 and the like).
template <class U, int V>
struct alignas(sizeof(U) * V) Pack {
  U v[V];
};

template <int V, class U>
__device__ Pack<U, V> load_pack(const U* p) {
  return *reinterpret_cast<const Pack<U, V>*>(p);
}

// Elements per vector access for operands of these types: 16 bytes of the largest one (the
// smaller ones then move V * their size, still one access each).
template <class... U>
constexpr int vec_width() {
  constexpr std::size_t largest = std::max({sizeof(U)...});
  return int(kVecBytes / largest) < 1 ? 1 : int(kVecBytes / largest);
}

// True when p may be accessed as Pack<U, V>: its address is a multiple of the pack's size.
// Pointer arithmetic on the host, once per launch.
template <class U>
bool aligned_for(const void* p, int v) {
  return reinterpret_cast<std::uintptr_t>(p) % (sizeof(U) * std::size_t(v)) == 0;
}

// The per-element work, given each operand's element offset (operand 0 is the output). The
// inputs are of T (the compute dtype), the output of R: T, or bool for a functor whose result
// is bool. An op with kVec > 1 also has vec<V>(i): elements i .. i + V - 1 of contiguous
// operands, loaded and stored a Pack at a time, each computed by the same functor call as
// the scalar path (so the values are the same bits), and aligned(): whether its pointers
// allow that.
template <class T, class R, class F>
struct UnaryOp {
  static constexpr int kVec = vec_width<T, R>();
  R* out;
  const T* in;
  F f;
  __device__ void operator()(const std::int64_t (&o)[2]) const { out[o[0]] = f(in[o[1]]); }
  template <int V, class Index>
  __device__ void vec(Index i) const {
    const Pack<T, V> a = load_pack<V>(in + i);
    Pack<R, V> r;
#pragma unroll
    for (int j = 0; j < V; ++j) r.v[j] = f(a.v[j]);
    *reinterpret_cast<Pack<R, V>*>(out + i) = r;
  }
  bool aligned() const { return aligned_for<R>(out, kVec) && aligned_for<T>(in, kVec); }
};

template <class T, class R, class F>
struct BinaryOp {
  static constexpr int kVec = vec_width<T, R>();
  R* out;
  const T* a;
  const T* b;
  F f;
  __device__ void operator()(const std::int64_t (&o)[3]) const { out[o[0]] = f(a[o[1]], b[o[2]]); }
  template <int V, class Index>
  __device__ void vec(Index i) const {
    const Pack<T, V> x = load_pack<V>(a + i);
    const Pack<T, V> y = load_pack<V>(b + i);
    Pack<R, V> r;
#pragma unroll
    for (int j = 0; j < V; ++j) r.v[j] = f(x.v[j], y.v[j]);
    *reinterpret_cast<Pack<R, V>*>(out + i) = r;
  }
  bool aligned() const { return aligned_for<R>(out, kVec) && aligned_for<T>(a, kVec) && aligned_for<T>(b, kVec); }
};

// Ops of three or more operands (where, clip): operand K is of F's operand type for T (T, or
// bool for a condition).
template <class T, class R, class F, class Seq>
struct NaryOp;
template <class T, class R, class F, std::size_t... K>
struct NaryOp<T, R, F, std::index_sequence<K...>> {
  static constexpr int kVec = vec_width<R, operand_t<F, T, K>...>();
  R* out;
  const void* in[sizeof...(K)];
  F f;
  __device__ void operator()(const std::int64_t (&o)[sizeof...(K) + 1]) const {
    out[o[0]] = f(static_cast<const operand_t<F, T, K>*>(in[K])[o[K + 1]]...);
  }
  template <int V, class... P>
  __device__ void combine(R* dst, const P&... packs) const {
    Pack<R, V> r;
#pragma unroll
    for (int j = 0; j < V; ++j) r.v[j] = f(packs.v[j]...);
    *reinterpret_cast<Pack<R, V>*>(dst) = r;
  }
  template <int V, class Index>
  __device__ void vec(Index i) const {
    combine<V>(out + i, load_pack<V>(static_cast<const operand_t<F, T, K>*>(in[K]) + i)...);
  }
  bool aligned() const { return aligned_for<R>(out, kVec) && (aligned_for<operand_t<F, T, K>>(in[K], kVec) && ...); }
};

// A cast from From to the output dtype, picked per element by a switch that every thread of
// a launch takes the same way: one kernel per source dtype instead of one per pair (10 x 10).
// Scalar accesses only (kVec 1): the output type is known per launch, not per instantiation.
template <class From>
struct CastOp {
  static constexpr int kVec = 1;
  void* out;
  const From* in;
  spec::DType to;
  template <class To>
  __device__ void put(std::int64_t i, From v) const {
    static_cast<To*>(out)[i] = cast_value<To>(v);
  }
  __device__ void operator()(const std::int64_t (&o)[2]) const {
    const From v = in[o[1]];
    switch (to) {
      case spec::DType::Bool: return put<bool>(o[0], v);
      case spec::DType::UInt8: return put<std::uint8_t>(o[0], v);
      case spec::DType::Int8: return put<std::int8_t>(o[0], v);
      case spec::DType::Int16: return put<std::int16_t>(o[0], v);
      case spec::DType::Int32: return put<std::int32_t>(o[0], v);
      case spec::DType::Int64: return put<std::int64_t>(o[0], v);
      case spec::DType::Float16: return put<spec::float16>(o[0], v);
      case spec::DType::BFloat16: return put<spec::bfloat16>(o[0], v);
      case spec::DType::Float32: return put<float>(o[0], v);
      case spec::DType::Float64: return put<double>(o[0], v);
      default: return;  // not a PyTorch dtype: refused on the host before the launch
    }
  }
};

template <class T>
struct FillOp {
  static constexpr int kVec = vec_width<T>();
  T* out;
  T value;
  __device__ void operator()(const std::int64_t (&o)[1]) const { out[o[0]] = value; }
  template <int V, class Index>
  __device__ void vec(Index i) const {
    Pack<T, V> r;
#pragma unroll
    for (int j = 0; j < V; ++j) r.v[j] = value;
    *reinterpret_cast<Pack<T, V>*>(out + i) = r;
  }
  bool aligned() const { return aligned_for<T>(out, kVec); }
};

template <int N, class Index, class Op>
__device__ void run_scalar(Index i, const Op& op) {
  std::int64_t off[N];
#pragma unroll
  for (int k = 0; k < N; ++k) off[k] = std::int64_t(i);
  op(off);
}

// Contiguous operands, one element per thread per trip (operands not aligned for packs).
template <int N, class Index, class Op>
__global__ void contiguous_kernel(Index n, Op op) {
  const Index step = Index(gridDim.x) * Index(blockDim.x);
  for (Index i = Index(blockIdx.x) * Index(blockDim.x) + Index(threadIdx.x); i < n; i += step)
    run_scalar<N>(i, op);
}

// Contiguous operands aligned for packs of V: a grid-stride loop over the n / V whole packs,
// then the last n % V (< V) elements, one per thread of the first threads.
template <int N, int V, class Index, class Op>
__global__ void vectorized_kernel(Index n, Op op) {
  const Index packs = n / Index(V);
  const Index step = Index(gridDim.x) * Index(blockDim.x);
  const Index tid = Index(blockIdx.x) * Index(blockDim.x) + Index(threadIdx.x);
  for (Index p = tid; p < packs; p += step) op.template vec<V>(p * Index(V));
  const Index tail = packs * Index(V) + tid;
  if (tail < n) run_scalar<N>(tail, op);
}

template <int N, class Index, class Op>
__global__ void strided_kernel(Index n, detail::OffsetCalc<N, Index> calc, Op op) {
  const Index step = Index(gridDim.x) * Index(blockDim.x);
  for (Index i = Index(blockIdx.x) * Index(blockDim.x) + Index(threadIdx.x); i < n; i += step) {
    std::int64_t off[N];
    calc.offsets(i, off);
    op(off);
  }
}

// Blocks per SM of each kernel instantiation, asked of the occupancy calculator once.
template <int N, class Index, class Op>
int contiguous_per_sm() {
  static const int b = detail::blocks_per_sm(contiguous_kernel<N, Index, Op>, kThreads);
  return b;
}
template <int N, int V, class Index, class Op>
int vectorized_per_sm() {
  static const int b = detail::blocks_per_sm(vectorized_kernel<N, V, Index, Op>, kThreads);
  return b;
}
template <int N, class Index, class Op>
int strided_per_sm() {
  static const int b = detail::blocks_per_sm(strided_kernel<N, Index, Op>, kThreads);
  return b;
}

template <int N, class Index, class Op>
void launch_as(const core::StridedPlan& plan, Index n, const Op& op) {
  if (!detail::is_contiguous(plan)) {
    strided_kernel<N, Index><<<detail::grid_size(std::int64_t(n), kThreads, strided_per_sm<N, Index, Op>()),
                               kThreads>>>(n, detail::OffsetCalc<N, Index>(plan), op);
    return;
  }
  if constexpr (Op::kVec > 1) {
    // Fewer elements than one pack: the scalar kernel.
    if (op.aligned() && std::int64_t(n) >= Op::kVec) {
      constexpr int V = Op::kVec;
      const std::int64_t packs = std::int64_t(n) / V;
      vectorized_kernel<N, V, Index>
          <<<detail::grid_size(packs, kThreads, vectorized_per_sm<N, V, Index, Op>()), kThreads>>>(n, op);
      return;
    }
  }
  contiguous_kernel<N, Index>
      <<<detail::grid_size(std::int64_t(n), kThreads, contiguous_per_sm<N, Index, Op>()), kThreads>>>(n, op);
}

// Runs `op` over every element of the plan (N operands): strided (offset calculator),
// contiguous in packs of 16 bytes (when every pointer is aligned for them), or contiguous one
// element at a time.
template <int N, class Op>
void launch(const core::StridedPlan& plan, const Op& op, const char* name) {
  const std::int64_t n = plan.numel();
  if (n == 0) return;
  // 32-bit indices where they cannot wrap: i + step stays below 2^32 when n < 2^31.
  if (n <= std::numeric_limits<std::int32_t>::max())
    launch_as<N>(plan, std::uint32_t(n), op);
  else
    launch_as<N>(plan, std::uint64_t(n), op);
  detail::check_launch(name);
}

std::string op_name(spec::OpId op) { return std::string(spec::op_spec(op).name); }

// Checks the operands against the shape and builds the plan (operand order is kept).
core::StridedPlan plan_of(const std::string& what, const spec::Shape& shape,
                          std::initializer_list<const Operand*> ops) {
  for (std::int64_t d : shape)
    if (d < 0) throw ValueError(what + ": negative dimension in shape " + spec::shape_str(shape));
  std::vector<std::vector<std::int64_t>> strides;
  for (const Operand* op : ops) {
    if (op->strides.size() != shape.size())
      throw ValueError(what + ": operand has " + std::to_string(op->strides.size()) + " strides for a " +
                       std::to_string(shape.size()) + "-d shape");
    strides.push_back(op->strides);
  }
  if (spec::numel(shape) > 0)
    for (const Operand* op : ops) detail::require_device_pointer(op->data, what.c_str());
  return core::make_plan(shape, std::move(strides));
}

void require_dtype(const std::string& what, std::size_t k, spec::DType want, spec::DType got) {
  if (want != got)
    throw TypeError(what + ": input " + std::to_string(k) + " dtype " + std::string(spec::dtype_name(got)) +
                    " is not " + std::string(spec::dtype_name(want)) +
                    " (cast the inputs to the compute dtype, the conditions to bool, first)");
}

// The plan of out and every input, in that order.
template <std::size_t... K>
core::StridedPlan plan_all(const std::string& name, const Elementwise& args, std::index_sequence<K...>) {
  return plan_of(name, args.shape, {&args.out, &args.in[K]...});
}

// The output must be of the functor's result dtype for the inputs' dtype.
void require_output_dtype(const std::string& what, spec::DType want, spec::DType got, spec::DType in) {
  if (want != got)
    throw TypeError(what + ": output dtype " + std::string(spec::dtype_name(got)) + " is not the result dtype " +
                    std::string(spec::dtype_name(want)) + " of " + std::string(spec::dtype_name(in)) + " inputs");
}

}  // namespace

void elementwise(spec::OpId op, const Elementwise& args) {
  detail::require_device("elementwise");
  with_functor(op, [&](auto unbound) {
    using F = decltype(unbound);
    const F fn = bind_scalars(unbound, args.scalars.data());
    const std::string name = op_name(op);
    if (args.in.size() != std::size_t(F::arity))
      throw ValueError(name + ": expected " + std::to_string(F::arity) + " input(s), got " +
                       std::to_string(args.in.size()));
    // Dispatched on the inputs' dtype (the compute dtype; condition operands are bool); the
    // output is of the functor's result type for it (the same dtype, or bool).
    const spec::DType dt = args.in[compute_operand(conditions<F>())].dtype;
    for (std::size_t k = 0; k < args.in.size(); ++k)
      require_dtype(name, k, (conditions<F>() >> k) & 1u ? spec::DType::Bool : dt, args.in[k].dtype);
    spec::visit_torch_dtype(dt, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!computes<F, T>()) {
        throw TypeError(name + ": the CUDA kernel does not take " + std::string(spec::dtype_name(dt)) +
                        " (the engine refuses or casts it first)");
      } else {
        using R = result_t<F, T>;
        using G = decltype(on_elements<T>(fn));
        require_output_dtype(name, spec::dtype_of<R>(), args.out.dtype, dt);
        if constexpr (F::arity == 1) {
          const core::StridedPlan plan = plan_of(name, args.shape, {&args.out, &args.in[0]});
          launch<2>(plan,
                    UnaryOp<T, R, G>{static_cast<R*>(args.out.data), static_cast<const T*>(args.in[0].data),
                                     on_elements<T>(fn)},
                    "elementwise kernel");
        } else if constexpr (F::arity >= 3) {
          using Seq = std::make_index_sequence<std::size_t(F::arity)>;
          const core::StridedPlan plan = plan_all(name, args, Seq{});
          NaryOp<T, R, G, Seq> nop{static_cast<R*>(args.out.data), {}, on_elements<T>(fn)};
          for (std::size_t k = 0; k < args.in.size(); ++k) nop.in[k] = args.in[k].data;
          launch<F::arity + 1>(plan, nop, "elementwise kernel");
        } else {
          const core::StridedPlan plan = plan_of(name, args.shape, {&args.out, &args.in[0], &args.in[1]});
          launch<3>(plan,
                    BinaryOp<T, R, G>{static_cast<R*>(args.out.data), static_cast<const T*>(args.in[0].data),
                                      static_cast<const T*>(args.in[1].data), on_elements<T>(fn)},
                    "elementwise kernel");
        }
      }
    });
  });
}

void copy(const Elementwise& args) {
  detail::require_device("copy");
  if (args.in.size() != 1) throw ValueError("copy: expected 1 input, got " + std::to_string(args.in.size()));
  const Operand& in = args.in[0];
  const core::StridedPlan plan = plan_of("copy", args.shape, {&args.out, &in});
  const std::int64_t n = plan.numel();
  if (n == 0) return;
  if (in.dtype == args.out.dtype && detail::is_contiguous(plan)) {
    // A dense same-dtype copy is a plain device-to-device memcpy (what the copy engines and
    // the driver do best), queued on the default stream like the kernels.
    detail::check(cudaMemcpyAsync(args.out.data, in.data, std::size_t(n) * spec::itemsize(in.dtype),
                                  cudaMemcpyDeviceToDevice, nullptr),
                  "cudaMemcpyAsync (copy)");
    return;
  }
  if (!spec::in_torch(args.out.dtype)) spec::throw_not_in_torch(args.out.dtype);
  spec::visit_torch_dtype(in.dtype, [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    launch<2>(plan, CastOp<From>{args.out.data, static_cast<const From*>(in.data), args.out.dtype}, "copy kernel");
  });
}

void fill(const spec::Shape& shape, const Operand& out, double value) {
  detail::require_device("fill");
  const core::StridedPlan plan = plan_of("fill", shape, {&out});
  spec::visit_torch_dtype(out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      // Converting a double whose truncation is out of range to an integer is undefined
      // behaviour; PyTorch refuses such a fill too. Bounds: min and max + 1 are exact
      // doubles, and anything in (min - 1, max + 1) truncates into range.
      constexpr double lo = double(std::numeric_limits<T>::min());
      constexpr double hi = double(std::numeric_limits<T>::max()) + 1.0;
      if (!((value >= lo || value > lo - 1.0) && value < hi))
        throw ValueError("fill: value " + std::to_string(value) + " cannot be converted to " +
                         std::string(spec::dtype_name(out.dtype)) + " without overflow");
    }
    launch<1>(plan, FillOp<T>{static_cast<T*>(out.data), cast_value<T>(value)}, "fill kernel");
  });
}

}  // namespace parity::kernels::cuda
