#pragma once
// The dtypes both engines share, their sizes and names, and a visitor that maps a runtime
// DType to its C++ type.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace parity::spec {

enum class DType : std::uint8_t { Bool, Int32, Int64, Float32, Float64 };
inline constexpr int kNumDTypes = 5;
inline constexpr std::array<DType, kNumDTypes> kAllDTypes{DType::Bool, DType::Int32, DType::Int64,
                                                          DType::Float32, DType::Float64};

constexpr std::size_t itemsize(DType t) {
  switch (t) {
    case DType::Bool: return 1;
    case DType::Int32: return 4;
    case DType::Int64: return 8;
    case DType::Float32: return 4;
    case DType::Float64: return 8;
  }
  return 0;
}
constexpr std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  return "?";
}
// How PyTorch's C++ core names a dtype in its messages (c10::ScalarType): "Float", "Long".
constexpr std::string_view torch_scalar_name(DType t) {
  switch (t) {
    case DType::Bool: return "Bool";
    case DType::Int32: return "Int";
    case DType::Int64: return "Long";
    case DType::Float32: return "Float";
    case DType::Float64: return "Double";
  }
  return "?";
}
constexpr bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }
constexpr bool is_integer(DType t) { return t == DType::Int32 || t == DType::Int64; }
constexpr bool is_bool(DType t) { return t == DType::Bool; }

// Parses "float32" etc.; throws ValueError naming the accepted spellings.
DType parse_dtype(std::string_view name);

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
  static constexpr std::uint8_t bit(DType t) { return std::uint8_t(1u << unsigned(t)); }
  std::uint8_t bits_ = 0;
};

template <DType D> struct CTypeOf;
template <> struct CTypeOf<DType::Bool> { using type = bool; };
template <> struct CTypeOf<DType::Int32> { using type = std::int32_t; };
template <> struct CTypeOf<DType::Int64> { using type = std::int64_t; };
template <> struct CTypeOf<DType::Float32> { using type = float; };
template <> struct CTypeOf<DType::Float64> { using type = double; };
template <DType D> using ctype_t = typename CTypeOf<D>::type;

template <class T> constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, bool>) return DType::Bool;
  else if constexpr (std::is_same_v<T, std::int32_t>) return DType::Int32;
  else if constexpr (std::is_same_v<T, std::int64_t>) return DType::Int64;
  else if constexpr (std::is_same_v<T, float>) return DType::Float32;
  else {
    static_assert(std::is_same_v<T, double>, "no Parity dtype for this C++ type");
    return DType::Float64;
  }
}

// Calls f(std::type_identity<T>{}) with T the C++ type of `t`.
template <class F> decltype(auto) visit_dtype(DType t, F&& f) {
  switch (t) {
    case DType::Bool: return f(std::type_identity<bool>{});
    case DType::Int32: return f(std::type_identity<std::int32_t>{});
    case DType::Int64: return f(std::type_identity<std::int64_t>{});
    case DType::Float32: return f(std::type_identity<float>{});
    case DType::Float64: break;
  }
  return f(std::type_identity<double>{});
}

}  // namespace parity::spec
