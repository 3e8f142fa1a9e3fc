#pragma once
// The parameters of one op call, as both engines' generic `call` takes them. Each op's row
// says which of them it reads (its signature); the others stay at their defaults.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/spec/dtype.h"

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
  // The op's dtype parameter (astype's dtype / to's dtype): the dtype of the result.
  std::optional<DType> dtype;
};

// The parameters of a call that sets none (the default argument of the spec's rules).
inline const Params kNoParams{};

}  // namespace parity::spec
