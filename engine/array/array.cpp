// The reference CPU array engine. Everything here walks arrays with one plain n-d index loop
// over byte strides (the Odometer of element.h) and reads/writes one element at a time: slow, but
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

#include "engine/array/element.h"
#include "engine/spec/error.h"

namespace parity::array {

using detail::base_of;
using detail::cast_value;
using detail::load;
using detail::make_owned;
using detail::numpy_uint32_block;
using detail::Odometer;
using detail::store;

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

template <class T>
T scalar_to(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0.0;
  } else if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) throw ValueError("cannot convert float NaN to integer");
    if (std::isinf(v)) throw ValueError("cannot convert float infinity to integer");
    const double t = std::trunc(v);
    constexpr double lo = double(std::numeric_limits<T>::min());
    constexpr double hi = double(std::numeric_limits<T>::max()) + 1.0;  // 2^bits: exact
    if (!(t >= lo && t < hi))
      throw ValueError("value " + fmt_double(v) + " is out of bounds for " +
                       std::string(spec::dtype_name(spec::dtype_of<T>())));
    return T(t);
  } else {
    return cast_value<T>(v);
  }
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

}  // namespace

namespace detail {

// A new owned, C-contiguous, writeable array; its bytes are uninitialised.
NdArray make_owned(const Shape& shape, DType dtype) {
  const std::int64_t isz = std::int64_t(spec::itemsize(dtype));
  const std::int64_t n = checked_numel(shape, isz);
  auto storage = core::Storage::allocate_cpu(std::size_t(n * isz));
  return NdArray::from_storage(std::move(storage), dtype, shape, c_strides(shape, isz), 0);
}


}  // namespace detail

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
        // In the opmath type (float for float16, as NumPy's HALF_fill), rounded per element.
        using M = spec::opmath_t<T>;
        const M f = spec::widen(first), delta = spec::widen(second) - f;
        for (std::int64_t i = 2; i < n; ++i) store<T>(p + i * sizeof(T), spec::narrow<T>(f + M(i) * delta));
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

namespace {
// Whether the elements of (shape, strides) fill a block of memory exactly, each axis stepping
// forward (C order, Fortran order, or any order of the axes): NumPy runs such an array's
// casts as one contiguous loop in memory order.
bool dense_forward(const Shape& shape, const Strides& strides, std::int64_t itemsize) {
  std::vector<std::pair<std::int64_t, std::int64_t>> axes;  // (stride, extent) of axes longer than 1
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return true;
    if (shape[d] > 1) axes.emplace_back(strides[d], shape[d]);
  }
  std::sort(axes.begin(), axes.end());
  std::int64_t step = itemsize;
  for (const auto& [stride, extent] : axes) {
    if (stride != step) return false;
    step *= extent;
  }
  return true;
}
}  // namespace

NdArray NdArray::astype(DType dtype) const {
  NdArray out = make_owned(shape_, dtype);
  char *po = base_of(out), *pi = base_of(*this);
  // NumPy's contiguous float -> uint32 loop converts in blocks of four (numpy_uint32_block):
  // by the element's place in memory, the first n - n % 4 take the block conversion.
  if (dtype == DType::UInt32 && (dtype_ == DType::Float32 || dtype_ == DType::Float64) &&
      dense_forward(shape_, strides_, itemsize())) {
    const std::int64_t n = size(), blocks = n - n % 4, isz = itemsize();
    auto convert = [&](auto from) {
      using F = decltype(from);
      // Strides step forward here, so an element's offset from element (0, ..., 0) over the
      // itemsize is its place in memory.
      for (Odometer<2> it(shape_, {&out.strides_, &strides_}); !it.done(); it.next()) {
        const F x = load<F>(pi + it.offset(1));
        store<std::uint32_t>(po + it.offset(0), it.offset(1) / isz < blocks ? numpy_uint32_block(x)
                                                                             : cast_value<std::uint32_t>(x));
      }
    };
    if (dtype_ == DType::Float32) convert(float{});
    else convert(double{});
    return out;
  }
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
    return spec::to_double(load<T>(p));
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
      out.push_back(spec::to_double(load<T>(p + it.offset(0))));
  });
  return out;
}

// Every dtype's C++ type.
#define PARITY_ARRAY_INSTANTIATE(T)                                                  \
  template NdArray NdArray::from_values<T>(const Shape&, std::span<const T>); \
  template T NdArray::at<T>(std::span<const std::int64_t>) const;
PARITY_ARRAY_INSTANTIATE(bool)
PARITY_ARRAY_INSTANTIATE(std::uint8_t)
PARITY_ARRAY_INSTANTIATE(std::int8_t)
PARITY_ARRAY_INSTANTIATE(std::int16_t)
PARITY_ARRAY_INSTANTIATE(std::uint16_t)
PARITY_ARRAY_INSTANTIATE(std::int32_t)
PARITY_ARRAY_INSTANTIATE(std::uint32_t)
PARITY_ARRAY_INSTANTIATE(std::int64_t)
PARITY_ARRAY_INSTANTIATE(std::uint64_t)
PARITY_ARRAY_INSTANTIATE(spec::float16)
PARITY_ARRAY_INSTANTIATE(spec::bfloat16)
PARITY_ARRAY_INSTANTIATE(float)
PARITY_ARRAY_INSTANTIATE(double)
#undef PARITY_ARRAY_INSTANTIATE

}  // namespace parity::array
