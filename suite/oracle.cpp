#include "suite/oracle.h"

#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <thread>

#include "engine/spec/error.h"

namespace parity::suite::oracle {
namespace {

using spec::DType;
using spec::OpId;

constexpr double kInf = std::numeric_limits<double>::infinity();
// Bits the exact value carries beyond the target precision: the error is then known to
// about 2^-40 ULP, far below any digit printed.
constexpr int kGuardBits = 40;

using MpfrUnary = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);

// exp: from where the result rounds to zero (below log of half the smallest subnormal) to
// where it overflows (above log of 2^(emax+1)), with a margin of 1 on each side.
spec::Domain exp_range(DType d) {
  const FloatFormat f = float_format(d);
  const double ln2 = std::log(2.0);
  return {double(f.emin - f.precision) * ln2 - 1.0, double(f.emax + 1) * ln2 + 1.0};
}

// From the low end of the registry domain up (oracle.h, judged_range).
spec::Domain from_domain_low(OpId op, DType d) {
  return {spec::domain_for(spec::op_spec(op), d).lo, kInf};
}

// From where exp(-x) overflows the dtype up (sigmoid, silu: below, 1 / (1 + exp(-x)), the
// formula of NumPy's users and PyTorch's kernel, is 0 where the function is a subnormal or,
// for silu, x times one).
spec::Domain above_exp_overflow(OpId, DType d) { return {-double(float_format(d).emax + 1) * std::log(2.0), kInf}; }

struct Row {
  OpId op;
  MpfrUnary fn;                           // correctly rounded in any precision (MPFR's promise)
  spec::Domain (*hard_range)(DType);      // nullptr: the registry domain is enough
  spec::Domain (*judged)(OpId, DType);    // nullptr: the budget judges every input
};
int mpfr_reciprocal(mpfr_ptr r, mpfr_srcptr x, mpfr_rnd_t rnd) { return mpfr_ui_div(r, 1, x, rnd); }

// The composites: 1 + exp(-x) carried 64 bits beyond r's precision (exact to far below the
// guard bits), then one correctly rounded division.
template <bool kTimesX>
int mpfr_logistic(mpfr_ptr r, mpfr_srcptr x, mpfr_rnd_t rnd) {
  mpfr_t d;
  mpfr_init2(d, mpfr_get_prec(r) + 64);
  mpfr_neg(d, x, MPFR_RNDN);
  mpfr_exp(d, d, MPFR_RNDN);
  mpfr_add_ui(d, d, 1, MPFR_RNDN);
  const int t = kTimesX ? mpfr_div(r, x, d, rnd) : mpfr_ui_div(r, 1, d, rnd);
  mpfr_clear(d);
  return t;
}

// gelu, the erf form: x / 2 * erfc(-x / sqrt 2), equal to x / 2 * (1 + erf(x / sqrt 2)) but
// without its cancellation for negative x; carried 64 bits beyond r's precision (every step
// within a few of its ULPs), then one correctly rounded product, as mpfr_logistic.
int mpfr_gelu(mpfr_ptr r, mpfr_srcptr x, mpfr_rnd_t rnd) {
  mpfr_t t, s;
  mpfr_inits2(mpfr_get_prec(r) + 64, t, s, static_cast<mpfr_ptr>(nullptr));
  mpfr_sqrt_ui(s, 2, MPFR_RNDN);
  mpfr_div(t, x, s, MPFR_RNDN);
  mpfr_neg(t, t, MPFR_RNDN);
  mpfr_erfc(t, t, MPFR_RNDN);
  mpfr_div_2ui(t, t, 1, MPFR_RNDN);  // exact
  const int tern = mpfr_mul(r, t, x, rnd);
  mpfr_clears(t, s, static_cast<mpfr_ptr>(nullptr));
  return tern;
}

// gelu, the tanh form: x / 2 * (1 + tanh(u)) with u = sqrt(2 / pi) * (x + 0.044715 x^3), as
// x / (1 + exp(-2u)), the same function without the cancellation; the constants to the
// working precision, then one correctly rounded division.
int mpfr_gelu_tanh(mpfr_ptr r, mpfr_srcptr x, mpfr_rnd_t rnd) {
  mpfr_t u, c, k;
  mpfr_inits2(mpfr_get_prec(r) + 64, u, c, k, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_str(k, "0.044715", 10, MPFR_RNDN);
  mpfr_pow_ui(u, x, 3, MPFR_RNDN);
  mpfr_mul(u, u, k, MPFR_RNDN);
  mpfr_add(u, u, x, MPFR_RNDN);
  mpfr_const_pi(c, MPFR_RNDN);
  mpfr_ui_div(c, 2, c, MPFR_RNDN);
  mpfr_sqrt(c, c, MPFR_RNDN);
  mpfr_mul(u, u, c, MPFR_RNDN);
  mpfr_mul_si(u, u, -2, MPFR_RNDN);
  mpfr_exp(u, u, MPFR_RNDN);
  mpfr_add_ui(u, u, 1, MPFR_RNDN);
  const int tern = mpfr_div(r, x, u, rnd);
  mpfr_clears(u, c, k, static_cast<mpfr_ptr>(nullptr));
  return tern;
}

// One row per op that has an oracle. Adding one: {OpId::Sqrt, mpfr_sqrt, nullptr}.
constexpr Row kRows[] = {
    {OpId::Neg, mpfr_neg, nullptr},
    {OpId::Exp, mpfr_exp, exp_range},
    {OpId::Sqrt, mpfr_sqrt, nullptr},
    {OpId::Log, mpfr_log, nullptr},
    {OpId::Sin, mpfr_sin, nullptr},
    {OpId::Cos, mpfr_cos, nullptr},
    {OpId::Tanh, mpfr_tanh, nullptr},
    {OpId::Square, mpfr_sqr, nullptr},
    {OpId::Reciprocal, mpfr_reciprocal, nullptr},
    {OpId::Log1p, mpfr_log1p, nullptr},
    {OpId::Expm1, mpfr_expm1, nullptr},
    {OpId::Log2, mpfr_log2, nullptr},
    {OpId::Log10, mpfr_log10, nullptr},
    {OpId::Exp2, mpfr_exp2, nullptr},
    {OpId::Tan, mpfr_tan, nullptr},
    {OpId::Asin, mpfr_asin, nullptr},
    {OpId::Acos, mpfr_acos, nullptr},
    {OpId::Atan, mpfr_atan, nullptr},
    {OpId::Sinh, mpfr_sinh, nullptr},
    {OpId::Cosh, mpfr_cosh, nullptr},
    {OpId::Asinh, mpfr_asinh, nullptr},
    {OpId::Acosh, mpfr_acosh, nullptr},
    {OpId::Atanh, mpfr_atanh, nullptr},
    {OpId::Abs, mpfr_abs, nullptr},
    {OpId::Cbrt, mpfr_cbrt, nullptr},
    {OpId::Erf, mpfr_erf, nullptr},
    {OpId::Sigmoid, mpfr_logistic<false>, nullptr, above_exp_overflow},  // 1 / (1 + exp(-x))
    {OpId::Silu, mpfr_logistic<true>, nullptr, above_exp_overflow},      // x / (1 + exp(-x))
    {OpId::Gelu, mpfr_gelu, nullptr, from_domain_low},
    {OpId::GeluTanh, mpfr_gelu_tanh, nullptr, from_domain_low},
};

const Row* find_row(OpId op) {
  for (const Row& r : kRows)
    if (r.op == op) return &r;
  return nullptr;
}
const Row& row_of(OpId op) {
  if (const Row* r = find_row(op)) return *r;
  throw ValueError("op '" + std::string(spec::op_spec(op).name) + "' has no correctly rounded oracle (ops with one: " +
                   oracle_names() + ")");
}

// Whether x is a value of d (a NaN counts as one).
bool representable(DType d, double x) {
  if (std::isnan(x)) return true;
  switch (d) {
    case DType::Float16: return double(float(spec::float16::from_double(x))) == x;
    case DType::BFloat16: return double(float(x)) == x && double(float(spec::bfloat16(float(x)))) == x;
    case DType::Float32: return double(float(x)) == x;
    default: return true;
  }
}

// The exponent of one ULP of the correctly rounded result `cr`: its binade's, the smallest
// subnormal's for zero and subnormals, the largest binade's for an infinity.
int ulp_exponent(const FloatFormat& f, double cr) {
  if (cr == 0) return f.emin - f.precision + 1;
  if (std::isinf(cr)) return f.emax - f.precision + 1;
  return std::max(std::ilogb(cr), f.emin) - f.precision + 1;
}

// The metric of oracle.h's ulp_error; `diff` is scratch.
double error_of(const FloatFormat& f, double got, mpfr_srcptr exact, double cr, mpfr_ptr diff) {
  if (mpfr_nan_p(exact)) return std::isnan(got) ? 0.0 : kInf;
  if (std::isnan(got) || std::signbit(got) != std::signbit(cr)) return kInf;
  if (std::isinf(got)) return got == cr ? 0.0 : kInf;  // a correctly rounded overflow counts 0
  if (mpfr_inf_p(exact)) return kInf;                  // op(x) is infinite: only inf will do
  mpfr_sub_d(diff, exact, got, MPFR_RNDN);
  mpfr_abs(diff, diff, MPFR_RNDN);
  mpfr_mul_2si(diff, diff, -ulp_exponent(f, cr), MPFR_RNDN);
  return mpfr_get_d(diff, MPFR_RNDN);
}

// One thread's MPFR state: the input, the correctly rounded result and the exact one.
class Evaluator {
 public:
  Evaluator(MpfrUnary fn, DType d) : fn_(fn), f_(float_format(d)) {
    mpfr_init2(x_, 53);
    mpfr_init2(cr_, f_.precision);
    mpfr_init2(exact_, f_.precision + kGuardBits);
    mpfr_init2(diff_, f_.precision + kGuardBits);
    // MPFR's exponent range of the target format: an exponent e means [2^(e-1), 2^e), so the
    // largest binade is emax + 1 and the smallest subnormal 2^(emin - p + 1) has exponent
    // emin - p + 2. mpfr_subnormalize then rounds the subnormal range to fewer bits.
    narrow_emin_ = f_.emin - f_.precision + 2;
    narrow_emax_ = f_.emax + 1;
  }
  ~Evaluator() { mpfr_clears(x_, cr_, exact_, diff_, static_cast<mpfr_ptr>(nullptr)); }
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Evaluates op(x): returns the correctly rounded result and keeps the exact one for error().
  double eval(double x) {
    const mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
    mpfr_set_emin(mpfr_get_emin_min());
    mpfr_set_emax(mpfr_get_emax_max());
    mpfr_set_d(x_, x, MPFR_RNDN);  // exact: x has at most 53 bits
    fn_(exact_, x_, MPFR_RNDN);
    mpfr_set_emin(narrow_emin_);
    mpfr_set_emax(narrow_emax_);
    int t = fn_(cr_, x_, MPFR_RNDN);
    t = mpfr_check_range(cr_, t, MPFR_RNDN);
    mpfr_subnormalize(cr_, t, MPFR_RNDN);
    const double cr = mpfr_get_d(cr_, MPFR_RNDN);  // exact: cr_ is a value of the format
    mpfr_set_emin(emin);
    mpfr_set_emax(emax);
    return cr;
  }
  double error(double got, double cr) { return error_of(f_, got, exact_, cr, diff_); }

 private:
  MpfrUnary fn_;
  FloatFormat f_;
  mpfr_exp_t narrow_emin_, narrow_emax_;
  mpfr_t x_, cr_, exact_, diff_;
};

void check_input(DType d, double x) {
  float_format(d);
  if (!representable(d, x))
    throw ValueError("oracle: " + std::to_string(x) + " is not a " + std::string(spec::dtype_name(d)) + " value");
}

// Folds `s` (the stats of a later run of inputs) into `into`; the first largest error wins.
void merge(Stats& into, const Stats& s) {
  into.count += s.count;
  for (int b = 0; b < kNumBins; ++b) into.bins[std::size_t(b)] += s.bins[std::size_t(b)];
  if (s.worst >= 0 && (into.worst < 0 || s.max_ulp > into.max_ulp)) {
    into.max_ulp = s.max_ulp;
    into.worst = s.worst;
    into.worst_got = s.worst_got;
    into.worst_want = s.worst_want;
  }
}

}  // namespace

FloatFormat float_format(DType d) {
  const int p = spec::dtype_info(d).mantissa_bits;
  switch (d) {
    case DType::Float16: return {p, 15, -14};
    case DType::BFloat16: return {p, 127, -126};
    case DType::Float32: return {p, 127, -126};
    case DType::Float64: return {p, 1023, -1022};
    default: break;
  }
  throw TypeError("the oracle measures float dtypes (float16, bfloat16, float32, float64), not " +
                  std::string(spec::dtype_name(d)));
}

bool has_oracle(OpId op) { return find_row(op) != nullptr; }

std::string mpfr_library_version() { return mpfr_get_version(); }

std::string oracle_names() {
  std::string s;
  for (const Row& r : kRows) s += (s.empty() ? "" : ", ") + std::string(spec::op_spec(r.op).name);
  return s;
}

std::optional<spec::Domain> hard_range(OpId op, DType d) {
  const Row& r = row_of(op);
  if (!r.hard_range) return std::nullopt;
  return r.hard_range(d);
}

std::optional<spec::Domain> judged_range(OpId op, DType d) {
  const Row& r = row_of(op);
  float_format(d);
  if (!r.judged) return std::nullopt;
  return r.judged(op, d);
}

bool is_judged(const std::optional<spec::Domain>& range, double x) {
  return !range || !(x < range->lo || x > range->hi);
}

double correctly_rounded(OpId op, DType d, double x) {
  check_input(d, x);
  Evaluator ev(row_of(op).fn, d);
  return ev.eval(x);
}

double ulp_error(OpId op, DType d, double x, double got) {
  check_input(d, x);
  check_input(d, got);
  Evaluator ev(row_of(op).fn, d);
  const double cr = ev.eval(x);
  return ev.error(got, cr);
}

double ulp_error_of(DType d, double got, double exact, double cr) {
  const FloatFormat f = float_format(d);
  mpfr_t e, diff;
  mpfr_init2(e, 53);
  mpfr_init2(diff, f.precision + kGuardBits);
  mpfr_set_d(e, exact, MPFR_RNDN);
  const double err = error_of(f, got, e, cr, diff);
  mpfr_clears(e, diff, static_cast<mpfr_ptr>(nullptr));
  return err;
}

std::string_view bin_name(Bin b) {
  constexpr std::string_view kNames[kNumBins] = {"cr", "<=1", "<=2", "<=4", ">4", "special"};
  return kNames[std::size_t(b)];
}

Bin classify(double got, double cr, double error) {
  if ((std::isnan(got) && std::isnan(cr)) || (got == cr && std::signbit(got) == std::signbit(cr)))
    return Bin::CorrectlyRounded;
  if (!std::isfinite(error)) return Bin::Special;
  if (error <= 1) return Bin::Within1;
  if (error <= 2) return Bin::Within2;
  if (error <= 4) return Bin::Within4;
  return Bin::Over4;
}

std::vector<Split> measure(OpId op, DType d, std::span<const double> inputs,
                           std::span<const std::span<const double>> results, int threads) {
  const MpfrUnary fn = row_of(op).fn;
  const std::optional<spec::Domain> range = judged_range(op, d);
  for (const auto& r : results)
    if (r.size() != inputs.size())
      throw ValueError("oracle: " + std::to_string(r.size()) + " results for " + std::to_string(inputs.size()) +
                       " inputs");
  // Without thread-local exponent ranges and caches, threads would share MPFR's state.
  const std::size_t n = inputs.size();
  std::size_t t = mpfr_buildopt_tls_p() ? std::size_t(std::max(threads, 1)) : 1;
  t = std::max<std::size_t>(1, std::min(t, n / 1024));
  const std::size_t k = results.size();
  std::vector<std::vector<Split>> part(t, std::vector<Split>(k));
  std::vector<std::exception_ptr> errors(t);
  auto work = [&](std::size_t w) {
    try {
      const std::size_t lo = n * w / t, hi = n * (w + 1) / t;
      Evaluator ev(fn, d);
      for (std::size_t i = lo; i < hi; ++i) {
        const double cr = ev.eval(inputs[i]);
        const bool judged = is_judged(range, inputs[i]);
        for (std::size_t j = 0; j < k; ++j) {
          const double got = results[j][i];
          const double err = ev.error(got, cr);
          Stats& s = judged ? part[w][j].judged : part[w][j].outside;
          ++s.count;
          ++s.bins[std::size_t(classify(got, cr, err))];
          if (s.worst < 0 || err > s.max_ulp) {
            s.max_ulp = err;
            s.worst = std::int64_t(i);
            s.worst_got = got;
            s.worst_want = cr;
          }
        }
      }
    } catch (...) {
      errors[w] = std::current_exception();
    }
    mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);
  };
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < t; ++w) pool.emplace_back(work, w);
  for (std::thread& th : pool) th.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  std::vector<Split> out(k);
  for (std::size_t w = 0; w < t; ++w)
    for (std::size_t j = 0; j < k; ++j) {
      merge(out[j].judged, part[w][j].judged);
      merge(out[j].outside, part[w][j].outside);
    }
  return out;
}

}  // namespace parity::suite::oracle
