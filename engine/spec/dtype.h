#pragma once
// The dtypes, from one traits table: their names in Parity, NumPy and PyTorch, sizes, kinds,
// which library has them, and a visitor that maps a runtime DType to its C++ type.
//
// Ten dtypes exist in both libraries (bool, uint8, int8, int16, int32, int64, float16,
// bfloat16, float32, float64; NumPy has no bfloat16, so it is PyTorch's alone); uint16,
// uint32 and uint64 exist in NumPy only (PyTorch 1.13 has no such dtype), so the array
// engine has them and the tensor engine refuses them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "engine/spec/error.h"
#include "engine/spec/half.h"

namespace parity::spec {

// In the order of the traits table below (bool, unsigned and signed integers by width,
// floats by width), which is also the order `parity spec` prints.
enum class DType : std::uint8_t {
  Bool,
  UInt8,
  Int8,
  Int16,
  UInt16,
  Int32,
  UInt32,
  Int64,
  UInt64,
  Float16,
  BFloat16,
  Float32,
  Float64
};
inline constexpr int kNumDTypes = 13;

enum class DTypeKind : std::uint8_t { Bool, Signed, Unsigned, Float };

struct DTypeInfo {
  DType dtype;
  std::string_view name;        // Parity's and NumPy's name: "float16"
  std::string_view torch_name;  // c10::ScalarType, as PyTorch's messages spell it: "Half"; "" if none
  std::size_t itemsize;
  DTypeKind kind;
  bool in_numpy;
  bool in_torch;  // PyTorch 1.13 has it
  int mantissa_bits;  // floats: fraction bits + 1 (24 for float32); integers: value bits
};

// clang-format off
inline constexpr std::array<DTypeInfo, kNumDTypes> kDTypeTable{{
  {DType::Bool,     "bool",     "Bool",     1, DTypeKind::Bool,     true,  true,  1},
  {DType::UInt8,    "uint8",    "Byte",     1, DTypeKind::Unsigned, true,  true,  8},
  {DType::Int8,     "int8",     "Char",     1, DTypeKind::Signed,   true,  true,  7},
  {DType::Int16,    "int16",    "Short",    2, DTypeKind::Signed,   true,  true,  15},
  {DType::UInt16,   "uint16",   "",         2, DTypeKind::Unsigned, true,  false, 16},
  {DType::Int32,    "int32",    "Int",      4, DTypeKind::Signed,   true,  true,  31},
  {DType::UInt32,   "uint32",   "",         4, DTypeKind::Unsigned, true,  false, 32},
  {DType::Int64,    "int64",    "Long",     8, DTypeKind::Signed,   true,  true,  63},
  {DType::UInt64,   "uint64",   "",         8, DTypeKind::Unsigned, true,  false, 64},
  {DType::Float16,  "float16",  "Half",     2, DTypeKind::Float,    true,  true,  11},
  {DType::BFloat16, "bfloat16", "BFloat16", 2, DTypeKind::Float,    false, true,  8},
  {DType::Float32,  "float32",  "Float",    4, DTypeKind::Float,    true,  true,  24},
  {DType::Float64,  "float64",  "Double",   8, DTypeKind::Float,    true,  true,  53},
}};
// clang-format on

constexpr bool dtype_table_in_order() {
  for (int i = 0; i < kNumDTypes; ++i)
    if (int(kDTypeTable[std::size_t(i)].dtype) != i) return false;
  return true;
}
static_assert(dtype_table_in_order(), "kDTypeTable rows must be in DType order, one per DType");

constexpr std::array<DType, kNumDTypes> all_dtypes() {
  std::array<DType, kNumDTypes> out{};
  for (int i = 0; i < kNumDTypes; ++i) out[std::size_t(i)] = DType(i);
  return out;
}
inline constexpr std::array<DType, kNumDTypes> kAllDTypes = all_dtypes();

constexpr const DTypeInfo& dtype_info(DType t) { return kDTypeTable[std::size_t(t)]; }
constexpr std::size_t itemsize(DType t) { return dtype_info(t).itemsize; }
constexpr std::string_view dtype_name(DType t) { return dtype_info(t).name; }
// How PyTorch's C++ core names a dtype in its messages (c10::ScalarType): "Float", "Long".
constexpr std::string_view torch_scalar_name(DType t) { return dtype_info(t).torch_name; }
constexpr DTypeKind dtype_kind(DType t) { return dtype_info(t).kind; }
constexpr bool is_floating(DType t) { return dtype_kind(t) == DTypeKind::Float; }
constexpr bool is_integer(DType t) {
  return dtype_kind(t) == DTypeKind::Signed || dtype_kind(t) == DTypeKind::Unsigned;
}
constexpr bool is_unsigned(DType t) { return dtype_kind(t) == DTypeKind::Unsigned; }
constexpr bool is_bool(DType t) { return t == DType::Bool; }
constexpr bool is_half(DType t) { return t == DType::Float16 || t == DType::BFloat16; }
constexpr bool in_numpy(DType t) { return dtype_info(t).in_numpy; }
constexpr bool in_torch(DType t) { return dtype_info(t).in_torch; }

// A float dtype's machine epsilon, 2^(1 - mantissa bits): 2^-10 for float16, 2^-7 for
// bfloat16, FLT_EPSILON, DBL_EPSILON; 0 for bool and integers.
constexpr double epsilon(DType t) {
  if (!is_floating(t)) return 0.0;
  double e = 1.0;
  for (int i = 1; i < dtype_info(t).mantissa_bits; ++i) e /= 2;
  return e;
}

// Parses "float32" etc.; throws ValueError naming the accepted spellings.
DType parse_dtype(std::string_view name);
// The dtype of that name; empty for a name Parity has no dtype of ("complex64").
std::optional<DType> dtype_named(std::string_view name);
// "bool, uint8, ..., float64"
std::string dtype_names();

// A set of dtypes as a bit mask, so the op table can be constexpr data.
class DTypeSet {
 public:
  constexpr DTypeSet() = default;
  constexpr DTypeSet(std::initializer_list<DType> ts) {
    for (DType t : ts) bits_ |= bit(t);
  }
  constexpr bool contains(DType t) const { return (bits_ & bit(t)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr DTypeSet with(DType t) const {
    DTypeSet r = *this;
    r.bits_ |= bit(t);
    return r;
  }
  constexpr bool operator==(const DTypeSet&) const = default;
  std::string to_string() const;  // "float32,float64"

 private:
  static constexpr std::uint16_t bit(DType t) { return std::uint16_t(1u << unsigned(t)); }
  std::uint16_t bits_ = 0;
};
static_assert(kNumDTypes <= 16, "DTypeSet holds 16 dtypes");

// Every dtype of one kind, and the dtypes PyTorch 1.13 has.
constexpr DTypeSet dtypes_where(bool (*pred)(DType)) {
  DTypeSet s;
  for (DType t : kAllDTypes)
    if (pred(t)) s = s.with(t);
  return s;
}
inline constexpr DTypeSet kFloatDTypes = dtypes_where(is_floating);
inline constexpr DTypeSet kIntegerDTypes = dtypes_where(is_integer);
inline constexpr DTypeSet kTorchDTypes = dtypes_where(in_torch);
inline constexpr DTypeSet kNumPyDTypes = dtypes_where(in_numpy);

template <DType D> struct CTypeOf;
template <> struct CTypeOf<DType::Bool> { using type = bool; };
template <> struct CTypeOf<DType::UInt8> { using type = std::uint8_t; };
template <> struct CTypeOf<DType::Int8> { using type = std::int8_t; };
template <> struct CTypeOf<DType::Int16> { using type = std::int16_t; };
template <> struct CTypeOf<DType::UInt16> { using type = std::uint16_t; };
template <> struct CTypeOf<DType::Int32> { using type = std::int32_t; };
template <> struct CTypeOf<DType::UInt32> { using type = std::uint32_t; };
template <> struct CTypeOf<DType::Int64> { using type = std::int64_t; };
template <> struct CTypeOf<DType::UInt64> { using type = std::uint64_t; };
template <> struct CTypeOf<DType::Float16> { using type = float16; };
template <> struct CTypeOf<DType::BFloat16> { using type = bfloat16; };
template <> struct CTypeOf<DType::Float32> { using type = float; };
template <> struct CTypeOf<DType::Float64> { using type = double; };
template <DType D> using ctype_t = typename CTypeOf<D>::type;

namespace dtype_detail {
template <class T, int I = 0>
constexpr DType find_dtype() {
  if constexpr (I == kNumDTypes) {
    static_assert(I < kNumDTypes, "no Parity dtype for this C++ type");
    return DType::Bool;
  } else if constexpr (std::is_same_v<T, ctype_t<DType(I)>>) {
    return DType(I);
  } else {
    return find_dtype<T, I + 1>();
  }
}
}  // namespace dtype_detail
template <class T> constexpr DType dtype_of() { return dtype_detail::find_dtype<T>(); }

// Calls f(std::type_identity<T>{}) with T the C++ type of `t`.
template <class F> decltype(auto) visit_dtype(DType t, F&& f) {
  switch (t) {
    case DType::Bool: return f(std::type_identity<bool>{});
    case DType::UInt8: return f(std::type_identity<std::uint8_t>{});
    case DType::Int8: return f(std::type_identity<std::int8_t>{});
    case DType::Int16: return f(std::type_identity<std::int16_t>{});
    case DType::UInt16: return f(std::type_identity<std::uint16_t>{});
    case DType::Int32: return f(std::type_identity<std::int32_t>{});
    case DType::UInt32: return f(std::type_identity<std::uint32_t>{});
    case DType::Int64: return f(std::type_identity<std::int64_t>{});
    case DType::UInt64: return f(std::type_identity<std::uint64_t>{});
    case DType::Float16: return f(std::type_identity<float16>{});
    case DType::BFloat16: return f(std::type_identity<bfloat16>{});
    case DType::Float32: return f(std::type_identity<float>{});
    case DType::Float64: break;
  }
  return f(std::type_identity<double>{});
}

// The same over PyTorch's dtypes only (the tensor engine and its kernels): uint16, uint32
// and uint64 throw TypeError instead of instantiating f for them.
[[noreturn]] void throw_not_in_torch(DType t);
template <class F> decltype(auto) visit_torch_dtype(DType t, F&& f) {
  switch (t) {
    case DType::UInt16:
    case DType::UInt32:
    case DType::UInt64:
      throw_not_in_torch(t);
    default:
      break;
  }
  switch (t) {
    case DType::Bool: return f(std::type_identity<bool>{});
    case DType::UInt8: return f(std::type_identity<std::uint8_t>{});
    case DType::Int8: return f(std::type_identity<std::int8_t>{});
    case DType::Int16: return f(std::type_identity<std::int16_t>{});
    case DType::Int32: return f(std::type_identity<std::int32_t>{});
    case DType::Int64: return f(std::type_identity<std::int64_t>{});
    case DType::Float16: return f(std::type_identity<float16>{});
    case DType::BFloat16: return f(std::type_identity<bfloat16>{});
    case DType::Float32: return f(std::type_identity<float>{});
    default: break;
  }
  return f(std::type_identity<double>{});
}

}  // namespace parity::spec
