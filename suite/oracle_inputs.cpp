#include "suite/oracle_inputs.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <limits>

#include "engine/core/philox.h"
#include "suite/oracle.h"

namespace parity::suite::oracle {
namespace {

using spec::DType;

// How many inputs each part draws, for float32 and float64.
struct Counts {
  int mantissas_per_exponent;
  std::size_t domain;
  std::size_t hard;
};
Counts counts(DType d, bool quick) {
  if (d == DType::Float32) return quick ? Counts{128, 1u << 16, 1u << 17} : Counts{8192, 1u << 22, 1u << 23};
  return quick ? Counts{8, 1u << 14, 1u << 15} : Counts{128, 1u << 18, 1u << 18};
}

// A Philox stream per (op, dtype, part).
std::uint64_t seed_of(spec::OpId op, DType d, int part) {
  return 0x6f7261636c650000ull ^ (std::uint64_t(op) << 16) ^ (std::uint64_t(d) << 8) ^ std::uint64_t(part);
}
std::uint64_t draw(std::uint64_t seed, std::uint64_t i) {
  const core::Philox4x32 r = core::philox_block(seed, i);
  return (std::uint64_t(r.v[0]) << 32) | r.v[1];
}
double draw_unit(std::uint64_t seed, std::uint64_t i) {
  const core::Philox4x32 r = core::philox_block(seed, i);
  return core::philox_unit_double(r.v[0], r.v[1]);
}

// float or double, with U its bit pattern's type.
template <class F, class U>
struct Format {
  static constexpr int kBits = int(sizeof(U) * 8);
  static constexpr int kFrac = std::numeric_limits<F>::digits - 1;
  static constexpr int kExpBits = kBits - 1 - kFrac;
  static U bits(F v) { return std::bit_cast<U>(v); }
  static F value(U b) { return std::bit_cast<F>(b); }
  // Bit patterns onto integers ordered as the values (-0 and +0 one apart).
  static U ordered(F v) {
    const U b = bits(v), sign = U(1) << (kBits - 1);
    return (b & sign) ? U(~b) : U(b | sign);
  }
  static F unordered(U o) {
    const U sign = U(1) << (kBits - 1);
    return value((o & sign) ? U(o & ~sign) : U(~o));
  }
};

template <class F, class U>
void every_exponent(std::vector<std::uint64_t>& out, std::uint64_t seed, int per_exponent) {
  using Fm = Format<F, U>;
  const U frac_count = U(1) << Fm::kFrac, stride = frac_count / U(per_exponent);
  const int groups = 2 << Fm::kExpBits;  // sign x biased exponent
  for (int g = 0; g < groups; ++g)
    for (int j = 0; j < per_exponent; ++j) {
      U m = U(j) * stride + U(draw(seed, std::uint64_t(g) * std::uint64_t(per_exponent) + std::uint64_t(j)) & (stride - 1));
      if (j == 0) m = 0;
      if (j == per_exponent - 1) m = frac_count - 1;
      out.push_back(std::uint64_t((U(g) << Fm::kFrac) | m));
    }
}

// n values, one drawn uniformly from each of n equal slices of [lo, hi].
template <class F, class U>
void stratified(std::vector<std::uint64_t>& out, std::uint64_t seed, spec::Domain r, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const double x = r.lo + (r.hi - r.lo) * ((double(i) + draw_unit(seed, i)) / double(n));
    out.push_back(std::uint64_t(Format<F, U>::bits(F(x))));
  }
}

// n values spread evenly over the bit patterns between lo and hi (dense near zero).
template <class F, class U>
void stratified_bits(std::vector<std::uint64_t>& out, std::uint64_t seed, spec::Domain r, std::size_t n) {
  using Fm = Format<F, U>;
  const U a = Fm::ordered(F(r.lo)), b = Fm::ordered(F(r.hi));
  const long double span = (long double)(b - a);
  for (std::size_t i = 0; i < n; ++i) {
    const long double t = (double(i) + draw_unit(seed, i)) / double(n);
    out.push_back(std::uint64_t(Fm::bits(Fm::unordered(U(a + U(span * t))))));
  }
}

template <class F, class U>
std::size_t specials(std::vector<std::uint64_t>& out) {
  using L = std::numeric_limits<F>;
  const F list[] = {F(0),           L::infinity(), L::denorm_min(),        L::min() - L::denorm_min(),
                    L::min(),       L::max(),      F(1),                   F(0.5),
                    F(2),           L::epsilon(),  F(1) - L::epsilon() / 2};
  for (F v : list) {
    out.push_back(std::uint64_t(Format<F, U>::bits(v)));
    out.push_back(std::uint64_t(Format<F, U>::bits(-v)));
  }
  out.push_back(std::uint64_t(Format<F, U>::bits(L::quiet_NaN())));
  return std::size(list) * 2 + 1;
}

template <class F, class U>
InputSet wide(spec::OpId op, DType d, bool quick) {
  const Counts c = counts(d, quick);
  const spec::OpSpec& spec_row = spec::op_spec(op);
  const spec::Domain domain = spec::domain_for(spec_row, d);
  const std::optional<spec::Domain> hard = hard_range(op, d);
  InputSet s{d, {}, {}};
  every_exponent<F, U>(s.bits, seed_of(op, d, 0), c.mantissas_per_exponent);
  const std::size_t exponents = s.bits.size();
  stratified<F, U>(s.bits, seed_of(op, d, 1), domain, c.domain);
  if (hard)
    stratified<F, U>(s.bits, seed_of(op, d, 2), *hard, c.hard);
  else
    stratified_bits<F, U>(s.bits, seed_of(op, d, 2), domain, c.hard);
  const std::size_t n_specials = specials<F, U>(s.bits);
  s.description = fmt::format(
      "{} over every sign and exponent, {} uniform in the domain [{:g}, {:g}], {} {}, {} specials", exponents,
      c.domain, domain.lo, domain.hi, c.hard,
      hard ? fmt::format("uniform in the hard range [{:.4g}, {:.4g}]", hard->lo, hard->hi)
           : fmt::format("spread over the bit patterns of [{:g}, {:g}]", domain.lo, domain.hi),
      n_specials);
  return s;
}

}  // namespace

InputSet accuracy_inputs(spec::OpId op, DType d, bool quick) {
  float_format(d);  // float dtypes only
  if (d == DType::Float32) return wide<float, std::uint32_t>(op, d, quick);
  if (d == DType::Float64) return wide<double, std::uint64_t>(op, d, quick);
  InputSet s{d, {}, "all 65536 bit patterns"};
  s.bits.resize(1u << 16);
  for (std::size_t i = 0; i < s.bits.size(); ++i) s.bits[i] = i;
  return s;
}

double value_of(DType d, std::uint64_t bits) {
  switch (d) {
    case DType::Float16: return double(float(spec::float16::from_bits(std::uint16_t(bits))));
    case DType::BFloat16: return double(float(spec::bfloat16::from_bits(std::uint16_t(bits))));
    case DType::Float32: return double(std::bit_cast<float>(std::uint32_t(bits)));
    case DType::Float64: return std::bit_cast<double>(bits);
    default: break;
  }
  float_format(d);  // throws: not a float dtype
  return 0;
}

std::vector<double> values_of(const InputSet& s) {
  std::vector<double> out(s.bits.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = value_of(s.dtype, s.bits[i]);
  return out;
}

}  // namespace parity::suite::oracle
