#pragma once
// The inputs `parity accuracy` measures an op on, per float dtype, as bit patterns; the same
// on every machine (counter-based Philox draws, seeded by op, dtype and part):
//
//   float16, bfloat16  all 65,536 bit patterns (NaNs and infinities included), in order
//   float32            2^22 over every sign and exponent (8,192 mantissas each, the binade's
//                      first and last among them), 2^22 in the registry domain, 2^23 in the
//                      oracle's hard range (exp: underflow to overflow) or, for ops without
//                      one, spread evenly over the domain's bit patterns, and the specials
//                      (+-0, +-inf, NaN, subnormal and normal extremes, +-1, ...)
//   float64            the same with 2^19, 2^18, 2^18 (128 mantissas per exponent)
//
// `quick` divides the float32 counts by 64 and the float64 counts by 16 (the 16-bit dtypes
// stay exhaustive).
#include <cstdint>
#include <string>
#include <vector>

#include "engine/spec/dtype.h"
#include "engine/spec/ops.h"

namespace parity::suite::oracle {

struct InputSet {
  spec::DType dtype;
  std::vector<std::uint64_t> bits;  // the patterns, in the dtype's width
  std::string description;          // "all 65536 bit patterns", or the parts and their counts
};

InputSet accuracy_inputs(spec::OpId op, spec::DType d, bool quick);

// A value of d from its bit pattern, as a double (exact; a NaN stays a NaN).
double value_of(spec::DType d, std::uint64_t bits);
std::vector<double> values_of(const InputSet& s);

}  // namespace parity::suite::oracle
