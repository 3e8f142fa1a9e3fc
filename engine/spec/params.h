#pragma once
// The parameters of one op call, as both engines' generic `call` takes them. Each op's row
// says which of them it reads (its signature); the others stay at their defaults.
#include <cstdint>
#include <optional>
#include <vector>

namespace parity::spec {

struct Params {
  std::vector<std::int64_t> axes;    // reductions: axis / dim; empty = all axes
  bool keepdims = false;             // reductions: keepdims / keepdim
  std::optional<std::int64_t> ddof;  // var/std (no op reads it yet): NumPy ddof, PyTorch correction
};

}  // namespace parity::spec
