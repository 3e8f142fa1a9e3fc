// Raw helpers of the tensor engine: allocation on either device, kernel dispatch, copies
// and casts. No autograd here.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>

#include "engine/spec/error.h"
#include "engine/tensor/impl.h"
#include "kernels/common/cuda_runtime.h"

namespace parity::tensor::detail {

TensorImpl& get(const Tensor& t) {
  if (!t.defined()) throw RuntimeError("the tensor is undefined (default-constructed or an unset grad)");
  return *t.impl();
}

Strides contiguous_strides(const Shape& shape) {
  // As PyTorch: a size-0 or size-1 dim does not shrink the strides of the dims before it.
  Strides s(shape.size());
  std::int64_t step = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    s[i] = step;
    step *= shape[i] > 1 ? shape[i] : 1;
  }
  return s;
}

std::int64_t checked_numel(const Shape& shape) {
  for (std::int64_t d : shape)
    if (d < 0)
      throw ValueError("Trying to create tensor with negative dimension " + std::to_string(d) + ": " +
                       spec::sizes_str(shape));
  std::int64_t n = 1;
  for (std::int64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n))
      throw ValueError("tensor of sizes " + spec::sizes_str(shape) + " has too many elements");
  return n;
}

void check_device(Device d) {
  if (d.is_cpu()) return;
  if (!kernels::cuda::available())
    throw DeviceError("CUDA is not available: " + kernels::cuda::unavailable_reason());
  if (d.index < 0 || d.index >= kernels::cuda::device_count())
    throw DeviceError("CUDA error: invalid device ordinal (" + d.str() + "; " +
                      std::to_string(kernels::cuda::device_count()) + " device(s) present)");
  // The kernel API has no device argument: everything runs on the current device, cuda:0.
  if (d.index != 0) throw DeviceError(d.str() + " is not supported: the CUDA kernels drive cuda:0 only");
}

namespace {

// Host buffers up to 64 KiB are kept for reuse, a few per power-of-two size class on each
// thread: a small op's output otherwise costs a malloc and a free of a block too large for
// glibc's thread cache, a tenth of a 1,024-element add (docs/performance.md, 2026-12-02).
// Not under AddressSanitizer, which should see every free.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCacheBuffers = false;
#else
constexpr bool kCacheBuffers = true;
#endif
constexpr std::size_t kAlign = 64;  // as core::Storage::allocate_cpu
constexpr int kClasses = 11;        // 64 B << 0 .. 10: 64 B to 64 KiB
constexpr int kPerClass = 4;

struct BufferCache {
  void* free[kClasses][kPerClass] = {};
  int count[kClasses] = {};
  ~BufferCache();
};
// 0 before this thread's first cached allocation, 1 while its cache lives, 2 once the cache
// is destroyed at thread exit: deleters and allocations that run later (a tensor made or
// destroyed by a static destructor) go straight to malloc and free.
thread_local int g_cache_state = 0;
thread_local BufferCache g_cache;
BufferCache::~BufferCache() {
  g_cache_state = 2;
  for (int c = 0; c < kClasses; ++c)
    for (int i = 0; i < count[c]; ++i) std::free(free[c][i]);
}

void release(void* raw, int cls) {
  if (g_cache_state == 1 && g_cache.count[cls] < kPerClass) {
    g_cache.free[cls][g_cache.count[cls]++] = raw;
    return;
  }
  std::free(raw);
}

std::shared_ptr<core::Storage> allocate_cached(std::size_t nbytes) {
  if (g_cache_state == 2) return core::Storage::allocate_cpu(nbytes);
  int cls = 0;
  while ((kAlign << cls) < nbytes) ++cls;
  BufferCache& cache = g_cache;  // constructed, and its destructor registered, on first use
  g_cache_state = 1;
  void* raw = cache.count[cls] > 0 ? cache.free[cls][--cache.count[cls]] : std::malloc((kAlign << cls) + kAlign);
  if (!raw) throw RuntimeError("out of host memory allocating " + std::to_string(nbytes) + " bytes");
  void* p = reinterpret_cast<void*>((reinterpret_cast<std::uintptr_t>(raw) + kAlign) & ~std::uintptr_t(kAlign - 1));
  try {
    return core::Storage::adopt(p, nbytes, Device::cpu(), [raw, cls](void*) { release(raw, cls); });
  } catch (...) {
    release(raw, cls);
    throw;
  }
}

}  // namespace

std::shared_ptr<core::Storage> allocate(std::size_t nbytes, Device device) {
  if (device.is_cpu())
    return kCacheBuffers && nbytes <= (kAlign << (kClasses - 1)) ? allocate_cached(nbytes)
                                                                 : core::Storage::allocate_cpu(nbytes);
  check_device(device);
  // Held by a unique_ptr until the storage owns it, so a throwing adopt() cannot leak it.
  std::unique_ptr<void, void (*)(void*)> p(kernels::cuda::device_malloc(nbytes), kernels::cuda::device_free);
  auto storage = core::Storage::adopt(p.get(), nbytes, device, [](void* q) { kernels::cuda::device_free(q); });
  p.release();
  return storage;
}

Tensor make(std::shared_ptr<core::Storage> storage, DType dtype, Shape sizes, Strides strides,
            std::int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::move(storage);
  impl->dtype = dtype;
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->offset = offset;
  return Tensor(std::move(impl));
}

Tensor empty(const Shape& shape, DType dtype, Device device) {
  if (!spec::in_torch(dtype)) spec::throw_not_in_torch(dtype);
  const std::int64_t n = checked_numel(shape);
  std::size_t nbytes = 0;
  if (__builtin_mul_overflow(std::size_t(n), spec::itemsize(dtype), &nbytes))
    throw ValueError("tensor of sizes " + spec::sizes_str(shape) + " is too large");
  return make(allocate(nbytes, device), dtype, shape, contiguous_strides(shape), 0);
}

Tensor alias(const Tensor& t, Shape sizes, Strides strides, std::int64_t offset) {
  const TensorImpl& src = get(t);
  return make(src.storage, src.dtype, std::move(sizes), std::move(strides), offset);
}

kernels::Operand operand(const Tensor& t) { return operand(t, t.strides()); }
kernels::Operand operand(const Tensor& t, Strides strides) {
  return kernels::Operand{t.data_ptr(), t.dtype(), std::move(strides)};
}

// The device check sits here so that a cuda tensor made over a foreign storage (from_storage)
// still fails cleanly when CUDA is missing.
void run_elementwise(Device d, spec::OpId op, const kernels::Elementwise& args) {
  check_device(d);
  if (d.is_cpu())
    kernels::cpu::elementwise(op, args);
  else
    kernels::cuda::elementwise(op, args);
}
void run_copy(Device d, const kernels::Elementwise& args) {
  check_device(d);
  if (d.is_cpu())
    kernels::cpu::copy(args);
  else
    kernels::cuda::copy(args);
}
void run_fill(Device d, const Shape& shape, const kernels::Operand& out, double value) {
  check_device(d);
  if (d.is_cpu())
    kernels::cpu::fill(shape, out, value);
  else
    kernels::cuda::fill(shape, out, value);
}
void run_reduce(Device d, const kernels::Reduction& args) {
  check_device(d);
  if (d.is_cpu())
    kernels::cpu::reduce(args);
  else
    kernels::cuda::reduce(args);
}
void run_matmul(Device d, const kernels::Matmul& args) {
  check_device(d);
  if (d.is_cpu())
    kernels::cpu::matmul(args);
  else
    kernels::cuda::matmul(args);
}

bool may_overlap(const Tensor& a, const Tensor& b) {
  if (a.device() != b.device() || a.numel() == 0 || b.numel() == 0) return false;
  // Byte ranges spanned by each view; disjoint ranges cannot overlap.
  auto range = [](const Tensor& t) {
    std::int64_t last = 0;
    for (std::size_t d = 0; d < t.sizes().size(); ++d) last += (t.sizes()[d] - 1) * t.strides()[d];
    // As integers: pointers into different allocations do not compare with < in C++.
    const auto p = reinterpret_cast<std::uintptr_t>(t.data_ptr());
    return std::pair{p, p + std::uintptr_t(last + 1) * spec::itemsize(t.dtype())};
  };
  const auto [a0, a1] = range(a);
  const auto [b0, b1] = range(b);
  if (a1 <= b0 || b1 <= a0) return false;
  // The same geometry is elementwise-safe: element i is read before it is written.
  return !(a0 == b0 && a.sizes() == b.sizes() && a.strides() == b.strides() && a.dtype() == b.dtype());
}

Tensor to_device(const Tensor& t, Device device) {
  if (t.device() == device) return t;
  check_device(t.device());
  check_device(device);
  const Tensor src = t.is_contiguous() ? t : contiguous_copy(t);
  Tensor out = empty(src.sizes(), src.dtype(), device);
  const std::size_t nbytes = std::size_t(src.numel()) * spec::itemsize(src.dtype());
  if (nbytes == 0) return out;
  const kernels::cuda::CopyKind kind = src.device().is_cpu() ? kernels::cuda::CopyKind::HostToDevice
                                       : device.is_cpu()     ? kernels::cuda::CopyKind::DeviceToHost
                                                             : kernels::cuda::CopyKind::DeviceToDevice;
  kernels::cuda::memcpy(out.data_ptr(), src.data_ptr(), nbytes, kind);
  return out;
}

void copy_into(const Tensor& dst, const Tensor& src_in) {
  Tensor src = to_device(src_in, dst.device());
  if (may_overlap(dst, src)) src = contiguous_copy(src);
  const Strides bs = core::broadcast_strides(src.sizes(), src.strides(), dst.sizes());
  run_copy(dst.device(), kernels::Elementwise{dst.sizes(), operand(dst), {operand(src, bs)}});
}

void fill_raw(const Tensor& dst, double value) { run_fill(dst.device(), dst.sizes(), operand(dst), value); }

Tensor cast(const Tensor& t, DType dtype) {
  Tensor out = empty(t.sizes(), dtype, t.device());
  run_copy(t.device(), kernels::Elementwise{t.sizes(), operand(out), {operand(t)}});
  return out;
}

Tensor contiguous_copy(const Tensor& t) { return cast(t, t.dtype()); }

Tensor zeros(const Shape& shape, DType dtype, Device device) {
  Tensor out = empty(shape, dtype, device);
  fill_raw(out, 0.0);
  return out;
}

void check_value_fits(double value, DType dtype) {
  auto fail = [&](std::string_view ctype) {
    throw RuntimeError("value cannot be converted to type " + std::string(ctype) + " without overflow");
  };
  spec::visit_torch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      // Truncation must land in range: -2^N and 2^N are exact doubles; anything in
      // (min - 1, max + 1) truncates into range.
      constexpr double lo = double(std::numeric_limits<T>::min());
      constexpr double hi = double(std::numeric_limits<T>::max()) + 1.0;
      if (!((value >= lo || value > lo - 1.0) && value < hi)) fail(std::string(spec::dtype_name(dtype)) + "_t");
    } else if constexpr (std::is_same_v<T, float>) {
      if (std::isfinite(value) && std::fabs(value) > double(std::numeric_limits<float>::max())) fail("float");
    } else if constexpr (spec::is_half_v<T>) {
      // c10::overflows: a finite value past the largest finite element (65504, or bfloat16's
      // 2^128 - 2^120) overflows, even where it would round down to it.
      const double max = std::is_same_v<T, spec::float16> ? 65504.0 : 3.3895313892515355e38;
      if (std::isfinite(value) && std::fabs(value) > max)
        fail(std::is_same_v<T, spec::float16> ? "c10::Half" : "c10::BFloat16");
    }
  });
}

std::string torch_dtype_name(DType t) { return std::string(spec::torch_scalar_name(t)); }

std::string torch_type_name(const Tensor& t) {
  return std::string(t.device().is_cuda() ? "torch.cuda." : "torch.") + torch_dtype_name(t.dtype()) +
         "Tensor";
}

}  // namespace parity::tensor::detail
