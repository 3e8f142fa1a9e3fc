#pragma once
// The parameters of one op call, as both engines' generic `call` takes them. Each op's row
// says which of them it reads (its signature); the others stay at their defaults.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace parity::spec {

// Scalar parameters an op may take (nan_to_num: nan, posinf, neginf).
inline constexpr int kMaxScalarParams = 3;

struct Params {
  std::vector<std::int64_t> axes;    // reductions: axis / dim; empty = all axes
  bool keepdims = false;             // reductions: keepdims / keepdim
  std::optional<std::int64_t> ddof;  // var/std (no op reads it yet): NumPy ddof, PyTorch correction
  // The op's scalar parameters, in the order its signature lists them; unset: the library's
  // default, which the row declares (spec::scalar_values resolves them for a dtype).
  std::array<std::optional<double>, kMaxScalarParams> scalars{};
};

}  // namespace parity::spec
