#include "engine/core/random.h"

#include <cmath>
#include <numbers>

#include "engine/core/philox.h"
#include "engine/spec/error.h"

namespace parity::core {

double random_value(Distribution d, std::uint64_t seed, std::int64_t i, double a, double b) {
  const Philox4x32 w = philox_block(seed, std::uint64_t(i));
  const double u1 = philox_unit_double(w.v[0], w.v[1]);
  if (d == Distribution::Uniform) return a + (b - a) * u1;
  // Box-Muller on (0, 1] x [0, 1): one normal value per block, so element i needs block i only.
  const double u2 = philox_unit_double(w.v[2], w.v[3]);
  const double r = std::sqrt(-2.0 * std::log(1.0 - u1));
  return a + b * r * std::cos(2.0 * std::numbers::pi * u2);
}

void fill_random(Distribution d, spec::DType t, void* dst, std::int64_t n, std::uint64_t seed,
                 double a, double b) {
  if (n < 0) throw ValueError("fill_random: negative element count");
  spec::visit_dtype(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* out = static_cast<T*>(dst);
    for (std::int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, bool>) {
        out[i] = random_value(Distribution::Uniform, seed, i, 0.0, 1.0) < 0.5;
      } else if constexpr (std::is_integral_v<T>) {
        const double v = d == Distribution::Uniform
                             ? std::floor(random_value(d, seed, i, a, b + 1.0))
                             : std::nearbyint(random_value(d, seed, i, a, b));
        out[i] = T(std::int64_t(v));  // wraps into unsigned dtypes (a negative double would not)
      } else {
        out[i] = spec::from_double<T>(random_value(d, seed, i, a, b));
      }
    }
  });
}

}  // namespace parity::core
