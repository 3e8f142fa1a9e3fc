#pragma once
// Seeded input generation on the host, for both engines and every device (device inputs are
// made here and copied over, so they are bit-identical to the host's).
#include <cstdint>

#include "engine/spec/dtype.h"

namespace parity::core {

enum class Distribution : std::uint8_t {
  Uniform,  // uniform in [a, b); integers: uniform in [a, b]; bool: P(true) = 0.5
  Normal    // mean a, standard deviation b (Box-Muller); integers are rounded to nearest
};

// Fills `n` contiguous elements of dtype `t` at `dst`. Element i depends only on (seed, i).
// Values are computed in double and rounded once to the dtype. Normal values use std::log
// and std::cos, so they match across machines that share a correctly rounding libm (glibc).
void fill_random(Distribution d, spec::DType t, void* dst, std::int64_t n, std::uint64_t seed,
                 double a, double b);

// Element i of a stream as a double, before rounding to a dtype.
double random_value(Distribution d, std::uint64_t seed, std::int64_t i, double a, double b);

}  // namespace parity::core
