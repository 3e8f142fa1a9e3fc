#pragma once
// The array engine's element-level helpers, shared by its two files (array.cpp: the array
// itself; ops.cpp: the op references): element loads and stores, NumPy's casts, and the one
// loop of the engine (the Odometer). Internal to engine/array.
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "engine/array/array.h"
#include "engine/spec/half.h"

namespace parity::array::detail {

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

// A float truncated toward zero into the signed integer I as x86-64's cvtt instructions do:
// NaN and values out of I's range give the "integer indefinite", I's minimum (a C cast would
// be undefined behaviour).
template <class I, class From>
I truncate_or_indefinite(From v) {
  constexpr From lo = From(std::numeric_limits<I>::min());  // -2^31 or -2^63, exact
  if (!(v >= lo && v < -lo)) return std::numeric_limits<I>::min();  // also catches NaN
  return I(v);
}

// The compiler's conversion to the unsigned U through the signed I of its width: from
// 2^(bits - 1) up, v - 2^(bits - 1) converts and the top bit is set again; below, v converts
// directly. So values from 2^bits and inf give 0, NaN and values below I's minimum give
// 2^(bits - 1).
template <class U, class I, class From>
U unsigned_through_signed(From v) {
  constexpr From top = -From(std::numeric_limits<I>::min());
  constexpr U top_bit = U(1) << (8 * sizeof(U) - 1);
  if (v >= top) return U(truncate_or_indefinite<I>(v - top)) ^ top_bit;
  return U(truncate_or_indefinite<I>(v));
}

// The integer C cast of a float on x86-64 as NumPy's loops do it: an int32 or int64 target
// converts directly; narrower targets convert to int32 and keep the low bits, uint32 to
// int64; uint64 is the compiler's unsigned conversion through int64
// (np.array([np.inf]).astype(np.uint64) -> [0], [1e20] -> [0], [2.**63] -> [2**63], nan and
// -inf -> [2**63]).
template <class To, class From>
To float_to_int(From v) {
  if constexpr (std::is_same_v<To, std::uint64_t>)
    return unsigned_through_signed<std::uint64_t, std::int64_t>(v);
  else if constexpr (std::is_same_v<To, std::int64_t> || std::is_same_v<To, std::uint32_t>)
    return To(truncate_or_indefinite<std::int64_t>(v));
  else
    return To(truncate_or_indefinite<std::int32_t>(v));
}

// NumPy 1.24's contiguous float32/float64 -> uint32 loop, as GCC vectorised it for x86-64
// (measured on Debian's python3-numpy): blocks of four elements take the compiler's unsigned
// conversion through int32 (unsigned_through_signed), so 2**32 + 5. gives 0 there, NaN and
// values below -2^31 give 2^31; the last n % 4 elements of the loop, and every element of a
// strided loop, take the scalar conversion through int64 (float_to_int: 2**32 + 5. gives 5,
// NaN 0). The two differ only where the value does not fit uint32 (C leaves it undefined;
// NumPy warns "invalid value").
template <class From>
std::uint32_t numpy_uint32_block(From v) {
  return unsigned_through_signed<std::uint32_t, std::int32_t>(v);
}

template <class To, class From>
To cast_value(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (spec::is_half_v<From>) {
    return cast_value<To>(float(v));  // exact: every 16-bit float is a float
  } else if constexpr (std::is_same_v<To, spec::float16>) {
    return spec::float16::from_double(double(v));  // one rounding, as npy_double_to_half
  } else if constexpr (std::is_same_v<To, spec::bfloat16>) {
    // Not a NumPy dtype: converted as PyTorch does (through float), so both engines agree.
    return spec::bfloat16(float(v));
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);  // NaN != 0, so NaN -> true, as np.array([np.nan]).astype(bool)
  } else if constexpr (std::is_same_v<From, bool>) {
    return To(v ? 1 : 0);
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    return float_to_int<To>(v);
  } else {
    // Integers wrap (defined since C++20); double -> float rounds (IEEE, inf when out of
    // range); integer -> float rounds to nearest.
    return static_cast<To>(v);
  }
}

// A Python float stored into an array element (a[i] = v; the start of arange): unlike
// astype, NumPy raises rather than producing garbage for NaN, inf and out-of-range values.

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

inline char* base_of(const NdArray& a) { return static_cast<char*>(a.data()); }

// A new owned, C-contiguous, writeable array; its bytes are uninitialised.
NdArray make_owned(const Shape& shape, DType dtype);

}  // namespace parity::array::detail
