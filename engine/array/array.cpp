// The reference CPU array engine. Everything here walks arrays with one plain n-d index loop
// over byte strides (the Odometer below) and reads/writes one element at a time: slow, but
// simple enough to be obviously right, which is what a reference is for. It deliberately
// shares nothing with kernels/ or core::make_plan.
#include "engine/array/array.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "engine/spec/error.h"
#include "engine/spec/ops.h"

namespace parity::array {
namespace {

constexpr spec::Semantics kNumPy = spec::Semantics::NumPy;
static_assert(sizeof(bool) == 1, "bool arrays hold one byte per element");

// ---------------------------------------------------------------------------------------
// Checked integer arithmetic: shapes, strides and offsets come from callers and must never
// overflow silently into a "valid" view.

bool mul_overflows(std::int64_t a, std::int64_t b, std::int64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}
bool add_overflows(std::int64_t a, std::int64_t b, std::int64_t* out) {
  return __builtin_add_overflow(a, b, out);
}

[[noreturn]] void throw_too_big() {
  throw ValueError(
      "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible "
      "size.");
}

// Number of elements of a caller-given shape: refuses negative sizes, and shapes whose byte
// count does not fit in int64 (sizes of 0 make the array empty, whatever the others are).
std::int64_t checked_numel(const Shape& shape, std::int64_t itemsize) {
  for (auto d : shape)
    if (d < 0) throw ValueError("negative dimensions are not allowed");
  std::int64_t bytes = itemsize;
  bool empty = false;
  for (auto d : shape) {
    if (d == 0)
      empty = true;
    else if (mul_overflows(bytes, d, &bytes))
      throw_too_big();
  }
  return empty ? 0 : bytes / itemsize;
}

// C-order strides in bytes. A size-0 axis counts as 1, as NumPy does, so that
// np.zeros((2, 0, 3)).strides == (24, 24, 8).
Strides c_strides(const Shape& shape, std::int64_t itemsize) {
  Strides s(shape.size());
  std::int64_t step = itemsize;
  for (std::size_t d = shape.size(); d-- > 0;) {
    s[d] = step;
    step *= std::max<std::int64_t>(shape[d], 1);
  }
  return s;
}

// Shapes as NumPy's reshape error prints them: leading unknown (-1) sizes are dropped, later
// ones read "newaxis", and only a one-entry result gets a trailing comma: "(4,)", "(4)",
// "(2,newaxis)".
std::string reshape_shape_str(const Shape& shape) {
  std::size_t i = 0;
  while (i < shape.size() && shape[i] < 0) ++i;
  if (i == shape.size()) return "()";
  std::string out = "(" + std::to_string(shape[i++]);
  for (; i < shape.size(); ++i) out += shape[i] < 0 ? ",newaxis" : "," + std::to_string(shape[i]);
  return out + (i == 1 ? ",)" : ")");
}

std::string fmt_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// ---------------------------------------------------------------------------------------
// Element access. Through memcpy, because a view of foreign memory may be unaligned; a bool
// is read as "byte != 0" because foreign memory may hold any byte there (NumPy does the same).

template <class T>
T load(const char* p) {
  if constexpr (std::is_same_v<T, bool>) {
    unsigned char byte;
    std::memcpy(&byte, p, 1);
    return byte != 0;
  } else {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  }
}

template <class T>
void store(char* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

// ---------------------------------------------------------------------------------------
// Casts, as numpy's astype (casting='unsafe') does them on x86-64.

template <class To, class From>
To cast_value(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);  // NaN != 0, so NaN -> true, as np.array([np.nan]).astype(bool)
  } else if constexpr (std::is_same_v<From, bool>) {
    return To(v ? 1 : 0);
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    // A C cast of NaN or an out-of-range float to an integer is undefined behaviour; NumPy on
    // x86-64 yields the CPU's "integer indefinite" (the minimum value), so do that here.
    constexpr From lo = From(std::numeric_limits<To>::min());          // -2^31 or -2^63, exact
    if (!(v >= lo && v < -lo)) return std::numeric_limits<To>::min();  // also catches NaN
    return To(v);                                                      // truncates toward zero
  } else {
    // int64 -> int32 wraps (defined since C++20); double -> float rounds (IEEE, inf when out
    // of range); integer -> float rounds to nearest.
    return static_cast<To>(v);
  }
}

// A Python float stored into an array element (a[i] = v; the start of arange): unlike
// astype, NumPy raises rather than producing garbage for NaN, inf and out-of-range values.
template <class T>
T scalar_to(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0.0;
  } else if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) throw ValueError("cannot convert float NaN to integer");
    if (std::isinf(v)) throw ValueError("cannot convert float infinity to integer");
    const double t = std::trunc(v);
    constexpr double lo = double(std::numeric_limits<T>::min());
    if (!(t >= lo && t < -lo))
      throw ValueError("value " + fmt_double(v) + " is out of bounds for " +
                       std::string(spec::dtype_name(spec::dtype_of<T>())));
    return T(t);
  } else {
    return T(v);
  }
}

// ---------------------------------------------------------------------------------------
// The one loop of this engine. Visits every index of `shape` in C order (last axis fastest)
// and keeps, for each of N operands, the byte offset sum_d index[d] * strides[d] from that
// operand's element (0, ..., 0). Offsets are plain integers, never pointers, until used.

template <std::size_t N>
class Odometer {
 public:
  Odometer(const Shape& shape, std::array<const Strides*, N> strides)
      : shape_(shape), strides_(strides), index_(shape.size(), 0) {
    done_ = spec::numel(shape) == 0;
  }
  bool done() const { return done_; }
  std::int64_t offset(std::size_t k) const { return offsets_[k]; }
  void next() {
    for (std::size_t d = shape_.size(); d-- > 0;) {
      ++index_[d];
      for (std::size_t k = 0; k < N; ++k) offsets_[k] += (*strides_[k])[d];
      if (index_[d] < shape_[d]) return;
      // This axis wrapped: back to index 0 and carry into the next axis to the left.
      for (std::size_t k = 0; k < N; ++k) offsets_[k] -= (*strides_[k])[d] * shape_[d];
      index_[d] = 0;
    }
    done_ = true;  // every axis wrapped (or 0-d: its single element was visited)
  }

 private:
  Shape shape_;
  std::array<const Strides*, N> strides_;
  std::vector<std::int64_t> index_;
  std::array<std::int64_t, N> offsets_{};
  bool done_ = false;
};

char* base_of(const NdArray& a) { return static_cast<char*>(a.data()); }

// A new owned, C-contiguous, writeable array; its bytes are uninitialised.
NdArray make_owned(const Shape& shape, DType dtype) {
  const std::int64_t isz = std::int64_t(spec::itemsize(dtype));
  const std::int64_t n = checked_numel(shape, isz);
  auto storage = core::Storage::allocate_cpu(std::size_t(n * isz));
  return NdArray::from_storage(std::move(storage), dtype, shape, c_strides(shape, isz), 0);
}

// Byte offset of the element at a full index, with NumPy's bounds checks and wording.
std::int64_t index_offset(const Shape& shape, const Strides& strides, std::span<const std::int64_t> index) {
  const std::size_t nd = shape.size();
  if (index.size() > nd)
    throw ValueError("too many indices for array: array is " + std::to_string(nd) + "-dimensional, but " +
                     std::to_string(index.size()) + " were indexed");
  if (index.size() < nd)
    throw ValueError("element access needs one index per axis: array is " + std::to_string(nd) +
                     "-dimensional, but " + std::to_string(index.size()) + " were indexed");
  std::int64_t off = 0;
  for (std::size_t d = 0; d < nd; ++d) {
    std::int64_t i = index[d];
    if (i < 0) i += shape[d];
    if (i < 0 || i >= shape[d])
      throw ValueError("index " + std::to_string(index[d]) + " is out of bounds for axis " +
                       std::to_string(d) + " with size " + std::to_string(shape[d]));
    off += i * strides[d];
  }
  return off;
}

// Strides that show `shape`'s elements as `target` without moving them, following the idea
// of NumPy's _attempt_nocopy_reshape (C order): split both shapes into the shortest groups
// of axes with equal element counts; each old group must be one contiguous run in memory,
// and then its new axes take C strides built up from the group's innermost stride.
// Requires numel(shape) == numel(target) > 0. Returns nothing when a copy is needed.
std::optional<Strides> nocopy_strides(const Shape& shape, const Strides& strides, const Shape& target,
                                      std::int64_t itemsize) {
  // Old axes of size 1 say nothing about the layout; leave them out.
  std::vector<std::int64_t> od, os;
  for (std::size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1) {
      od.push_back(shape[d]);
      os.push_back(strides[d]);
    }
  Strides ns(target.size(), 0);
  std::size_t oi = 0, ni = 0;
  while (oi < od.size() && ni < target.size()) {
    std::size_t oj = oi + 1, nj = ni + 1;
    std::int64_t old_count = od[oi], new_count = target[ni];
    while (old_count != new_count) {  // ends: both shapes have the same total count
      if (new_count < old_count)
        new_count *= target[nj++];
      else
        old_count *= od[oj++];
    }
    for (std::size_t k = oi; k + 1 < oj; ++k)
      if (os[k] != od[k + 1] * os[k + 1]) return std::nullopt;
    ns[nj - 1] = os[oj - 1];
    for (std::size_t k = nj - 1; k > ni; --k) ns[k - 1] = ns[k] * target[k];
    oi = oj;
    ni = nj;
  }
  // What is left of target has size 1, where any stride works; NumPy repeats the last one.
  const std::int64_t last = ni > 0 ? ns[ni - 1] : itemsize;
  for (std::size_t k = ni; k < target.size(); ++k) ns[k] = last;
  return ns;
}

// NumPy's pairwise summation (numpy/_core/src/umath/loops_utils.h.src, pairwise_sum),
// re-derived: below 8 terms a plain loop from 0; up to 128 terms eight interleaved partial
// sums (term i goes to lane i % 8 for the largest multiple of 8), combined as a balanced tree,
// then the leftover terms one by one; above 128, split at half rounded down to a multiple of 8
// and recurse. Accumulates in T, as NumPy does (float32 sums stay float32). The error grows
// as O(log n) instead of O(n) for a plain loop.
template <class T>
T pairwise_sum(const T* x, std::int64_t n) {
  constexpr std::int64_t kBlock = 128;
  if (n < 8) {
    T s = T(0);
    for (std::int64_t i = 0; i < n; ++i) s += x[i];
    return s;
  }
  if (n <= kBlock) {
    T lane[8];
    for (int j = 0; j < 8; ++j) lane[j] = x[j];
    const std::int64_t whole = n - n % 8;
    std::int64_t i = 8;
    for (; i < whole; i += 8)
      for (int j = 0; j < 8; ++j) lane[j] += x[i + j];
    T s = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    for (; i < n; ++i) s += x[i];
    return s;
  }
  std::int64_t half = n / 2;
  half -= half % 8;
  return pairwise_sum(x, half) + pairwise_sum(x + half, n - half);
}

// Integer arithmetic wraps modulo 2^bits, as NumPy's does; done in unsigned arithmetic
// because signed overflow is undefined (unsigned -> signed conversion is modular in C++20).
template <class T>
T add_values(T x, T y) {
  if constexpr (std::is_same_v<T, bool>) {
    return x || y;  // np.add on bool is logical or
  } else if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return T(U(x) + U(y));
  } else {
    return x + y;
  }
}

template <class T>
T mul_values(T x, T y) {
  if constexpr (std::is_same_v<T, bool>) {
    return x && y;  // np.multiply on bool is logical and
  } else if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return T(U(x) * U(y));
  } else {
    return x * y;
  }
}

template <class T>
T neg_value(T x) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return T(U(0) - U(x));  // -INT_MIN wraps to INT_MIN, as in NumPy
  } else {
    return -x;
  }
}

NdArray binary_op(spec::OpId id, const NdArray& a, const NdArray& b) {
  const spec::Operand in[] = {{a.dtype(), a.ndim() == 0}, {b.dtype(), b.ndim() == 0}};
  const DType rt = spec::result_dtype(id, kNumPy, in);
  const Shape shapes[] = {a.shape(), b.shape()};
  const Shape os = spec::result_shape(id, kNumPy, shapes);
  NdArray out = make_owned(os, rt);
  // Broadcast views: stride 0 on the broadcast axes, so one loop over `os` reads both.
  const NdArray va = a.broadcast_to(os), vb = b.broadcast_to(os);
  char *po = base_of(out), *pa = base_of(va), *pb = base_of(vb);
  spec::visit_dtype(rt, [&](auto rtag) {
    using R = typename decltype(rtag)::type;
    spec::visit_dtype(a.dtype(), [&](auto atag) {
      using A = typename decltype(atag)::type;
      spec::visit_dtype(b.dtype(), [&](auto btag) {
        using B = typename decltype(btag)::type;
        for (Odometer<3> it(os, {&out.strides(), &va.strides(), &vb.strides()}); !it.done(); it.next()) {
          // Each input is cast to the result dtype as it is read, then the op runs there.
          const R x = cast_value<R>(load<A>(pa + it.offset(1)));
          const R y = cast_value<R>(load<B>(pb + it.offset(2)));
          store<R>(po + it.offset(0), id == spec::OpId::Add ? add_values(x, y) : mul_values(x, y));
        }
      });
    });
  });
  return out;
}

}  // namespace

// =======================================================================================
// NdArray

NdArray::NdArray() : storage_(core::Storage::allocate_cpu(sizeof(double))) {
  store<double>(static_cast<char*>(storage_->data()), 0.0);
}

NdArray NdArray::empty(const Shape& shape, DType dtype) {
  NdArray out = make_owned(shape, dtype);
  // np.empty leaves memory uninitialised; zeroing keeps the reference deterministic.
  if (out.storage_->nbytes() > 0) std::memset(out.storage_->data(), 0, out.storage_->nbytes());
  return out;
}

NdArray NdArray::zeros(const Shape& shape, DType dtype) { return empty(shape, dtype); }

NdArray NdArray::ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }

NdArray NdArray::full(const Shape& shape, double value, DType dtype) {
  NdArray out = make_owned(shape, dtype);
  spec::visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    // np.full copies with casting='unsafe': a float64 scalar cast as astype does.
    const T v = cast_value<T>(value);
    char* p = base_of(out);
    for (std::int64_t i = 0, n = out.size(); i < n; ++i) store<T>(p + i * out.itemsize(), v);
  });
  return out;
}

NdArray NdArray::arange(double start, double stop, double step, DType dtype) {
  if (step == 0.0) throw ValueError("arange: step must not be zero");
  const double len = std::ceil((stop - start) / step);
  if (std::isnan(len)) throw ValueError("arange: cannot compute length");
  if (len > double(std::int64_t(1) << 60)) throw ValueError("Maximum allowed size exceeded");
  const std::int64_t n = len > 0 ? std::int64_t(len) : 0;
  if (dtype == DType::Bool && n > 2)
    throw TypeError("arange() is only supported for booleans when the result has at most length 2.");
  NdArray out = make_owned({n}, dtype);
  if (n == 0) return out;
  spec::visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    // As NumPy: the first two values are start and start + step converted to the dtype; the
    // rest are first + i * (second - first), computed in the dtype.
    char* p = base_of(out);
    const T first = scalar_to<T>(start);
    store<T>(p, first);
    if (n < 2) return;
    const T second = scalar_to<T>(start + step);
    store<T>(p + sizeof(T), second);
    if constexpr (!std::is_same_v<T, bool>) {
      if constexpr (std::is_integral_v<T>) {
        using U = std::make_unsigned_t<T>;
        const U delta = U(U(second) - U(first));
        for (std::int64_t i = 2; i < n; ++i) store<T>(p + i * sizeof(T), T(U(first) + U(i) * delta));
      } else {
        const T delta = second - first;
        for (std::int64_t i = 2; i < n; ++i) store<T>(p + i * sizeof(T), first + T(i) * delta);
      }
    }
  });
  return out;
}

NdArray NdArray::random(const Shape& shape, DType dtype, std::uint64_t seed, core::Distribution d, double a,
                        double b) {
  NdArray out = make_owned(shape, dtype);
  core::fill_random(d, dtype, out.data(), out.size(), seed, a, b);
  return out;
}

template <class T>
NdArray NdArray::from_values(const Shape& shape, std::span<const T> values) {
  const DType dtype = spec::dtype_of<T>();
  NdArray out = make_owned(shape, dtype);
  if (std::int64_t(values.size()) != out.size())
    throw ValueError("from_values: got " + std::to_string(values.size()) + " values for shape " +
                     spec::shape_str(shape) + ", which needs " + std::to_string(out.size()));
  if (!values.empty()) std::memcpy(out.data(), values.data(), values.size() * sizeof(T));
  return out;
}

NdArray NdArray::from_storage(std::shared_ptr<core::Storage> storage, DType dtype, const Shape& shape,
                              const Strides& strides, std::int64_t offset, bool writeable) {
  if (!storage) throw ValueError("from_storage: storage is null");
  if (!storage->device().is_cpu())
    throw DeviceError("the array engine reads host memory only, but this storage is on " +
                      storage->device().str() + "; copy it to the cpu first");
  if (strides.size() != shape.size())
    throw ValueError("from_storage: " + std::to_string(strides.size()) + " strides for a " +
                     std::to_string(shape.size()) + "-dimensional shape");
  const std::int64_t isz = std::int64_t(spec::itemsize(dtype));
  const std::int64_t n = checked_numel(shape, isz);
  if (n > 0) {
    // The lowest and one-past-highest byte any element touches; negative strides reach
    // below the offset.
    std::int64_t lo = offset, hi = 0;
    bool overflow = add_overflows(offset, isz, &hi);
    for (std::size_t d = 0; d < shape.size() && !overflow; ++d) {
      std::int64_t reach = 0;
      overflow = mul_overflows(shape[d] - 1, strides[d], &reach) ||
                 (reach < 0 ? add_overflows(lo, reach, &lo) : add_overflows(hi, reach, &hi));
    }
    if (overflow) throw ValueError("from_storage: strides and offset overflow 64-bit byte offsets");
    if (lo < 0 || std::uint64_t(hi) > storage->nbytes())
      throw ValueError("from_storage: the view reaches bytes [" + std::to_string(lo) + ", " +
                       std::to_string(hi) + ") but the storage holds " + std::to_string(storage->nbytes()) +
                       " bytes");
  }
  NdArray out;
  out.storage_ = std::move(storage);
  out.dtype_ = dtype;
  out.shape_ = shape;
  out.strides_ = strides;
  out.offset_ = offset;
  out.writeable_ = writeable;
  out.readonly_base_ = !writeable;
  return out;
}

std::int64_t NdArray::size() const { return spec::numel(shape_); }

void NdArray::set_writeable(bool w) {
  if (w && readonly_base_) throw ValueError("cannot set WRITEABLE flag to True of this array");
  writeable_ = w;
}

bool NdArray::is_c_contiguous() const {
  if (size() == 0) return true;
  std::int64_t expected = itemsize();
  for (std::size_t d = shape_.size(); d-- > 0;) {
    if (shape_[d] != 1 && strides_[d] != expected) return false;  // size-1 axes never move
    expected *= shape_[d];
  }
  return true;
}

void* NdArray::data() const {
  char* base = static_cast<char*>(storage_->data());
  return base ? base + offset_ : nullptr;
}

bool NdArray::shares_memory(const NdArray& other) const {
  // The byte ranges [lo, hi) each array's elements span; like np.may_share_memory, overlap
  // of the ranges counts even if the elements interleave without touching.
  auto range = [](const NdArray& x) {
    std::uintptr_t lo = reinterpret_cast<std::uintptr_t>(x.data()), hi = lo + x.itemsize();
    for (int d = 0; d < x.ndim(); ++d) {
      const std::int64_t reach = (x.shape_[d] - 1) * x.strides_[d];
      if (reach < 0)
        lo -= std::uintptr_t(-reach);
      else
        hi += std::uintptr_t(reach);
    }
    return std::array<std::uintptr_t, 2>{lo, hi};
  };
  if (size() == 0 || other.size() == 0) return false;
  const auto a = range(*this), b = range(other);
  return a[0] < b[1] && b[0] < a[1];
}

NdArray NdArray::slice(std::span<const Slice> slices) const {
  if (slices.size() > shape_.size())
    throw ValueError("too many indices for array: array is " + std::to_string(ndim()) + "-dimensional, but " +
                     std::to_string(slices.size()) + " were indexed");
  NdArray out = *this;
  out.readonly_base_ = readonly_base_ || !writeable_;
  for (std::size_t d = 0; d < slices.size(); ++d) {
    const Slice& s = slices[d];
    if (s.step == 0) throw ValueError("slice step cannot be zero");
    const std::int64_t n = shape_[d], step = s.step;
    // Python's slice.indices(n): negative bounds count from the end, then clamp; with a
    // negative step "before the first element" is -1.
    auto bound = [&](std::optional<std::int64_t> v, std::int64_t fallback) {
      if (!v) return fallback;
      std::int64_t x = *v;
      if (x < 0) {
        x += n;
        if (x < 0) x = step < 0 ? -1 : 0;
      } else if (x >= n) {
        x = step < 0 ? n - 1 : n;
      }
      return x;
    };
    const std::int64_t start = bound(s.start, step < 0 ? n - 1 : 0);
    const std::int64_t stop = bound(s.stop, step < 0 ? -1 : n);
    std::int64_t len = 0;
    if (step > 0 && start < stop) len = (stop - start - 1) / step + 1;
    // x / step with step < 0 is -(x / |step|), written so that step = INT64_MIN is safe.
    if (step < 0 && stop < start) len = -((start - stop - 1) / step) + 1;
    if (len > 0) out.offset_ += start * strides_[d];
    std::int64_t stride = 0;
    // With len <= 1 the stride is never used; keep it rather than overflow on a huge step.
    out.strides_[d] = mul_overflows(strides_[d], step, &stride) ? strides_[d] : stride;
    out.shape_[d] = len;
  }
  return out;
}

NdArray NdArray::transpose() const {
  std::vector<int> axes(shape_.size());
  for (std::size_t d = 0; d < axes.size(); ++d) axes[d] = int(axes.size() - 1 - d);
  return transpose(axes);
}

NdArray NdArray::transpose(std::span<const int> axes) const {
  if (axes.size() != shape_.size()) throw ValueError("axes don't match array");
  NdArray out = *this;
  out.readonly_base_ = readonly_base_ || !writeable_;
  std::vector<bool> seen(shape_.size(), false);
  for (std::size_t d = 0; d < axes.size(); ++d) {
    const int src = spec::normalize_axis(kNumPy, axes[d], ndim());
    if (seen[std::size_t(src)]) throw ValueError("repeated axis in transpose");
    seen[std::size_t(src)] = true;
    out.shape_[d] = shape_[std::size_t(src)];
    out.strides_[d] = strides_[std::size_t(src)];
  }
  return out;
}

NdArray NdArray::reshape(const Shape& shape) const {
  // Resolve the one unknown size (NumPy takes any negative size as unknown).
  Shape target = shape;
  std::optional<std::size_t> unknown;
  std::int64_t known = 1;
  bool overflow = false;
  for (std::size_t d = 0; d < target.size(); ++d) {
    if (target[d] < 0) {
      if (unknown) throw ValueError("can only specify one unknown dimension");
      unknown = d;
    } else {
      overflow = overflow || mul_overflows(known, target[d], &known);
    }
  }
  const std::int64_t n = size();
  auto mismatch = [&] {
    return ValueError("cannot reshape array of size " + std::to_string(n) + " into shape " +
                      reshape_shape_str(shape));
  };
  if (overflow) throw mismatch();
  if (unknown) {
    if (known == 0 || n % known != 0) throw mismatch();
    target[*unknown] = n / known;
  } else if (known != n) {
    throw mismatch();
  }

  NdArray out = *this;
  out.readonly_base_ = readonly_base_ || !writeable_;
  out.shape_ = target;
  if (n == 0) {  // nothing to address: any strides do, take C order
    out.strides_ = c_strides(target, itemsize());
    return out;
  }
  if (auto s = nocopy_strides(shape_, strides_, target, itemsize())) {
    out.strides_ = *s;
    return out;
  }
  NdArray c = copy();
  c.shape_ = target;
  c.strides_ = c_strides(target, itemsize());
  return c;
}

NdArray NdArray::broadcast_to(const Shape& shape) const {
  for (auto d : shape)
    if (d < 0) throw ValueError("all elements of broadcast shape must be non-negative");
  spec::check_broadcast_to(kNumPy, shape_, shape);
  NdArray out = *this;
  out.shape_ = shape;
  out.strides_.assign(shape.size(), 0);
  const std::size_t lead = shape.size() - shape_.size();  // new axes on the left: stride 0
  for (std::size_t d = lead; d < shape.size(); ++d) {
    const std::int64_t from = shape_[d - lead];
    out.strides_[d] = (from == 1 && shape[d] != 1) ? 0 : strides_[d - lead];
  }
  // Many indices now alias one element, so writes are refused for good (as NumPy does).
  out.writeable_ = false;
  out.readonly_base_ = true;
  return out;
}

NdArray NdArray::copy() const { return astype(dtype_); }

NdArray NdArray::astype(DType dtype) const {
  NdArray out = make_owned(shape_, dtype);
  char *po = base_of(out), *pi = base_of(*this);
  spec::visit_dtype(dtype, [&](auto otag) {
    using O = typename decltype(otag)::type;
    spec::visit_dtype(dtype_, [&](auto itag) {
      using I = typename decltype(itag)::type;
      for (Odometer<2> it(shape_, {&out.strides_, &strides_}); !it.done(); it.next())
        store<O>(po + it.offset(0), cast_value<O>(load<I>(pi + it.offset(1))));
    });
  });
  return out;
}

double NdArray::get(std::span<const std::int64_t> index) const {
  const char* p = base_of(*this) + index_offset(shape_, strides_, index);
  return spec::visit_dtype(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return double(load<T>(p));
  });
}

template <class T>
T NdArray::at(std::span<const std::int64_t> index) const {
  // No silent conversion: a reference that casts behind the caller's back hides bugs.
  if (spec::dtype_of<T>() != dtype_)
    throw TypeError("at<" + std::string(spec::dtype_name(spec::dtype_of<T>())) + ">: the array's dtype is " +
                    std::string(spec::dtype_name(dtype_)) + "; use at<> of that type, get() or astype()");
  return load<T>(base_of(*this) + index_offset(shape_, strides_, index));
}

void NdArray::set(std::span<const std::int64_t> index, double value) {
  if (!writeable_) throw ValueError("assignment destination is read-only");
  char* p = base_of(*this) + index_offset(shape_, strides_, index);
  spec::visit_dtype(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    store<T>(p, scalar_to<T>(value));
  });
  storage_->bump_version();  // the storage may be shared with a tensor that saved it
}

std::vector<double> NdArray::to_doubles() const {
  std::vector<double> out;
  out.reserve(std::size_t(size()));
  const char* p = base_of(*this);
  spec::visit_dtype(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (Odometer<1> it(shape_, {&strides_}); !it.done(); it.next())
      out.push_back(double(load<T>(p + it.offset(0))));
  });
  return out;
}

template NdArray NdArray::from_values<bool>(const Shape&, std::span<const bool>);
template NdArray NdArray::from_values<std::int32_t>(const Shape&, std::span<const std::int32_t>);
template NdArray NdArray::from_values<std::int64_t>(const Shape&, std::span<const std::int64_t>);
template NdArray NdArray::from_values<float>(const Shape&, std::span<const float>);
template NdArray NdArray::from_values<double>(const Shape&, std::span<const double>);
template bool NdArray::at<bool>(std::span<const std::int64_t>) const;
template std::int32_t NdArray::at<std::int32_t>(std::span<const std::int64_t>) const;
template std::int64_t NdArray::at<std::int64_t>(std::span<const std::int64_t>) const;
template float NdArray::at<float>(std::span<const std::int64_t>) const;
template double NdArray::at<double>(std::span<const std::int64_t>) const;

// =======================================================================================
// Ops

NdArray add(const NdArray& a, const NdArray& b) { return binary_op(spec::OpId::Add, a, b); }

NdArray mul(const NdArray& a, const NdArray& b) { return binary_op(spec::OpId::Mul, a, b); }

NdArray neg(const NdArray& a) {
  const spec::Operand in[] = {{a.dtype(), a.ndim() == 0}};
  const DType rt = spec::result_dtype(spec::OpId::Neg, kNumPy, in);  // TypeError for bool
  NdArray out = make_owned(a.shape(), rt);
  char *po = base_of(out), *pa = base_of(a);
  spec::visit_dtype(rt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      for (Odometer<2> it(a.shape(), {&out.strides(), &a.strides()}); !it.done(); it.next())
        store<T>(po + it.offset(0), neg_value(load<T>(pa + it.offset(1))));
    }
  });
  return out;
}

NdArray exp(const NdArray& a) {
  const spec::Operand in[] = {{a.dtype(), a.ndim() == 0}};
  const DType rt = spec::result_dtype(spec::OpId::Exp, kNumPy, in);  // ints -> float64
  NdArray out = make_owned(a.shape(), rt);
  char *po = base_of(out), *pa = base_of(a);
  spec::visit_dtype(rt, [&](auto rtag) {
    using R = typename decltype(rtag)::type;
    spec::visit_dtype(a.dtype(), [&](auto atag) {
      using A = typename decltype(atag)::type;
      // exp in double then one rounding to R: for float32 this is correctly rounded in all
      // but astronomically rare cases, a better reference than a vectorised expf.
      for (Odometer<2> it(a.shape(), {&out.strides(), &a.strides()}); !it.done(); it.next())
        store<R>(po + it.offset(0), R(std::exp(double(load<A>(pa + it.offset(1))))));
    });
  });
  return out;
}

NdArray sum(const NdArray& a, std::span<const std::int64_t> axes, bool keepdims) {
  const spec::Operand in[] = {{a.dtype(), a.ndim() == 0}};
  const DType rt = spec::result_dtype(spec::OpId::Sum, kNumPy, in);
  const Shape shapes[] = {a.shape()};
  const Shape os = spec::result_shape(spec::OpId::Sum, kNumPy, shapes, axes, keepdims);
  const std::vector<int> reduced = spec::reduction_axes(kNumPy, a.ndim(), axes);

  // Split a's axes into kept ones (one output element per index) and reduced ones (the
  // terms of that element), each keeping its order, so both walks go in C order.
  Shape kept_shape, red_shape;
  Strides kept_strides, red_strides;
  for (int d = 0; d < a.ndim(); ++d) {
    const bool r = std::find(reduced.begin(), reduced.end(), d) != reduced.end();
    (r ? red_shape : kept_shape).push_back(a.shape()[std::size_t(d)]);
    (r ? red_strides : kept_strides).push_back(a.strides()[std::size_t(d)]);
  }
  const std::int64_t terms = spec::numel(red_shape);

  // The output is C-contiguous and its non-1 axes are the kept axes in order, so the k-th
  // kept index in C order is output element k.
  NdArray out = make_owned(os, rt);
  char *po = base_of(out), *pa = base_of(a);
  spec::visit_dtype(a.dtype(), [&](auto atag) {
    using A = typename decltype(atag)::type;
    if constexpr (std::is_floating_point_v<A>) {
      std::vector<A> buf(static_cast<std::size_t>(terms));
      std::int64_t k = 0;
      for (Odometer<1> outer(kept_shape, {&kept_strides}); !outer.done(); outer.next(), ++k) {
        const char* first = pa + outer.offset(0);
        std::size_t j = 0;
        for (Odometer<1> inner(red_shape, {&red_strides}); !inner.done(); inner.next())
          buf[j++] = load<A>(first + inner.offset(0));
        store<A>(po + k * sizeof(A), pairwise_sum(buf.data(), terms));
      }
    } else {
      // bool and integers: int64 accumulator, wrapping like NumPy's int64 adds.
      std::int64_t k = 0;
      for (Odometer<1> outer(kept_shape, {&kept_strides}); !outer.done(); outer.next(), ++k) {
        const char* first = pa + outer.offset(0);
        std::uint64_t acc = 0;
        for (Odometer<1> inner(red_shape, {&red_strides}); !inner.done(); inner.next())
          acc += std::uint64_t(cast_value<std::int64_t>(load<A>(first + inner.offset(0))));
        store<std::int64_t>(po + k * sizeof(std::int64_t), std::int64_t(acc));
      }
    }
  });
  return out;
}

NdArray matmul(const NdArray& a, const NdArray& b) {
  const spec::Operand in[] = {{a.dtype(), a.ndim() == 0}, {b.dtype(), b.ndim() == 0}};
  const DType rt = spec::result_dtype(spec::OpId::Matmul, kNumPy, in);  // float32/64 only
  const Shape shapes[] = {a.shape(), b.shape()};
  const Shape os = spec::result_shape(spec::OpId::Matmul, kNumPy, shapes);  // 2-D, k matches
  const std::int64_t m = os[0], n = os[1], k = a.shape()[1];
  // Float32 and float64 both widen exactly to double. Rows of A and columns of B (rows of
  // B^T) become contiguous double rows, so each dot product reads two plain arrays.
  const NdArray ad = a.astype(DType::Float64), btd = b.transpose().astype(DType::Float64);
  const double* pa = static_cast<const double*>(ad.data());
  const double* pb = static_cast<const double*>(btd.data());
  NdArray out = make_owned(os, rt);
  char* po = base_of(out);
  spec::visit_dtype(rt, [&](auto tag) {
    using R = typename decltype(tag)::type;
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        // Each dot product is accumulated in double with compensation (TwoProduct via fma,
        // TwoSum: Ogita, Rump and Oishi's Dot2) and rounded to R once: about as accurate as a
        // dot product in twice double precision. This makes it a better reference than BLAS,
        // which sums in the input precision in a blocked order.
        const double* x = pa + i * k;
        const double* y = pb + j * k;
        double s = 0.0, err = 0.0;
        for (std::int64_t p = 0; p < k; ++p) {
          const double prod = x[p] * y[p];
          const double prod_err = std::fma(x[p], y[p], -prod);  // exact: x*y = prod + prod_err
          const double t = s + prod;
          const double bv = t - s;
          const double sum_err = (s - (t - bv)) + (prod - bv);  // exact: s+prod = t + sum_err
          s = t;
          err += prod_err + sum_err;
        }
        // An inf or NaN makes the error terms NaN; then the plain sum is the answer.
        const double dot = std::isfinite(s) ? s + err : s;
        store<R>(po + (i * n + j) * std::int64_t(sizeof(R)), R(dot));
      }
  });
  return out;
}

}  // namespace parity::array
