#pragma once
// The correctly rounded oracle: MPFR gives op(x) rounded to nearest (ties to even) into a
// float dtype, subnormals and overflow as IEEE 754 rounds them, and the error of an engine's
// result in ULPs. Ops are rows of a table keyed by spec::OpId (oracle.cpp: one line per op,
// its MPFR function); an op without a row has no oracle. Only oracle.cpp includes mpfr.h.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/spec/dtype.h"
#include "engine/spec/ops.h"

namespace parity::suite::oracle {

// A binary float format: precision in bits (the implicit bit included: 24 for float32), the
// exponent of its largest binade (127) and of its smallest normal one (-126).
struct FloatFormat {
  int precision;
  int emax;
  int emin;
};
// float16, bfloat16, float32, float64; TypeError for any other dtype.
FloatFormat float_format(spec::DType d);

bool has_oracle(spec::OpId op);
std::string mpfr_library_version();  // "4.2.0"
std::string oracle_names();  // "neg, exp": the ops that have a row
// Inputs worth sampling densely beyond the registry domain, when the row names them (exp:
// from where its result underflows to zero to where it overflows, per dtype).
std::optional<spec::Domain> hard_range(spec::OpId op, spec::DType d);

// The inputs whose errors the budget judges, where the row names a range; outside it the
// libraries' own formula is within no ULP budget of the function, and the errors there are
// measured and shown, not judged. gelu, gelu_tanh: from the low end of the registry domain
// up (below, x / 2 * (1 + erf(x / sqrt 2)) cancels); sigmoid, silu: from where exp(-x)
// overflows up (below, 1 / (1 + exp(-x)) is 0). nullopt: every input. A NaN input is judged.
std::optional<spec::Domain> judged_range(spec::OpId op, spec::DType d);
bool is_judged(const std::optional<spec::Domain>& range, double x);

// op(x) correctly rounded into d. `x` must be a value of d (exact in a double); the result
// is one too. TypeError for a dtype that is not a float, ValueError for an op with no row.
double correctly_rounded(spec::OpId op, spec::DType d, double x);

// The error of `got` (a value of d) as an approximation of op(x): |got - op(x)| over the ULP
// of the correctly rounded result's binade (a subnormal or zero result: the smallest
// subnormal; an overflow: the ULP of the largest binade, as if the exponent went on). So a
// correctly rounded result is within 0.5, a faithful one within 1. Infinite for a result of
// the wrong kind or sign: NaN where a number is exact or a number where NaN is, an infinity
// where the correctly rounded result is finite (or the reverse, when op(x) itself is
// infinite), a zero or any result of the other sign.
double ulp_error(spec::OpId op, spec::DType d, double x, double got);
// The same metric with the exact value given as a double and its correctly rounded value
// beside it (for hand-made cases; `exact` is converted exactly).
double ulp_error_of(spec::DType d, double got, double exact, double correctly_rounded);

// The histogram a result falls into: bit-identical to the correctly rounded result (NaN for
// NaN), else by its error, else "special" (an infinite error).
enum class Bin : std::uint8_t { CorrectlyRounded, Within1, Within2, Within4, Over4, Special };
inline constexpr int kNumBins = 6;
std::string_view bin_name(Bin b);  // "cr", "<=1", "<=2", "<=4", ">4", "special"
Bin classify(double got, double correctly_rounded, double error);

// One engine's results over one input set.
struct Stats {
  std::int64_t count = 0;
  double max_ulp = 0;
  std::int64_t worst = -1;  // index of the input with the largest error (the first of equals)
  double worst_got = 0, worst_want = 0;  // the result there and the correctly rounded one
  std::array<std::int64_t, kNumBins> bins{};
};

// One engine's results, split by the row's judged range: `judged` over the inputs the budget
// applies to, `outside` over the rest (count 0 where the row judges every input).
struct Split {
  Stats judged;
  Stats outside;
};

// Measures each result vector (one per engine, each as long as `inputs`) against the oracle,
// on up to `threads` threads (one when this MPFR keeps no per-thread state). The Stats do not
// depend on the thread count.
std::vector<Split> measure(spec::OpId op, spec::DType d, std::span<const double> inputs,
                           std::span<const std::span<const double>> results, int threads);

}  // namespace parity::suite::oracle
