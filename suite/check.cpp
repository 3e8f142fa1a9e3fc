#include "suite/check.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>
#include <optional>

#include "engine/interop/convert.h"
#include "engine/spec/error.h"
#include "kernels/common/cuda_runtime.h"
#include "suite/oracle.h"

namespace parity::suite {

using spec::DType;
using spec::OpId;
using spec::OpKind;
using spec::Semantics;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using spec::epsilon;

// Maps a float's bits onto unsigned integers ordered as the floats are, one apart per ULP
// (-0 and +0 map to the same point). `v` holds a value of `dtype` exactly.
std::uint64_t ordered(double v, DType dtype) {
  if (spec::is_half(dtype)) {
    const std::uint16_t b = dtype == DType::Float16 ? spec::float16::from_double(v).bits
                                                    : spec::bfloat16(float(v)).bits;
    const std::uint32_t mag = b & 0x7fffu;
    return (b >> 15) ? (1u << 15) - mag : (1u << 15) + mag;
  }
  if (dtype == DType::Float32) {
    const std::uint32_t b = std::bit_cast<std::uint32_t>(float(v));
    const std::uint32_t mag = b & 0x7fffffffu;
    return (b >> 31) ? (1ull << 31) - mag : (1ull << 31) + mag;
  }
  const std::uint64_t b = std::bit_cast<std::uint64_t>(v);
  const std::uint64_t mag = b & 0x7fffffffffffffffull;
  return (b >> 63) ? (1ull << 63) - mag : (1ull << 63) + mag;
}

std::vector<spec::Operand> operands(const Case& c) {
  std::vector<spec::Operand> ops;
  for (std::size_t i = 0; i < c.dtypes.size(); ++i) ops.push_back({c.dtypes[i], c.shapes[i].empty()});
  return ops;
}

// The case computed in `d`: every operand of dtype `d` but the condition operands (where's
// condition), which keep theirs; and the inputs cast the same way.
// A cast's target becomes `d` too (its float64 reference is a float64 cast, its derivative 1).
Case retyped(const Case& c, DType d) {
  Case out = c;
  if (out.target) out.target = d;
  for (std::size_t k = 0; k < out.dtypes.size(); ++k)
    if (!spec::op_spec(c.op).is_condition(k)) out.dtypes[k] = d;
  return out;
}
std::vector<array::NdArray> cast_views(const Case& c, const std::vector<array::NdArray>& views, DType d) {
  std::vector<array::NdArray> out;
  for (std::size_t k = 0; k < views.size(); ++k)
    out.push_back(spec::op_spec(c.op).is_condition(k) ? views[k] : views[k].astype(d));
  return out;
}
std::vector<array::NdArray> views_of(const std::vector<Input>& inputs) {
  std::vector<array::NdArray> out;
  for (const Input& in : inputs) out.push_back(in.view);
  return out;
}

std::string fmt_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// A tensor on `device` holding `a`'s values: zero-copy on the cpu (so the tensor reads the
// very bytes the array engine read), a copy on other devices.
tensor::Tensor on_device(const array::NdArray& a, core::Device device) {
  return device.is_cpu() ? interop::from_array(a) : interop::to_tensor(a, device);
}

// The input tensors of a case on `device`, in each operand's layout where the tensor engine
// can express it, rebuilt over the same base memory; for negative strides (which PyTorch
// does not have) a strided, offset view stands in.
std::vector<tensor::Tensor> tensor_inputs(const std::vector<Input>& inputs, core::Device device) {
  std::vector<tensor::Tensor> out;
  for (const Input& in : inputs) {
    const spec::Shape& shape = in.view.shape();
    const int last = int(shape.size()) - 1;
    switch (in.layout) {
      case Layout::Contiguous: out.push_back(on_device(in.base, device)); break;
      case Layout::Transposed: {
        tensor::Tensor base = on_device(in.base, device);
        std::vector<int> rev;
        for (int d = base.dim() - 1; d >= 0; --d) rev.push_back(d);
        out.push_back(base.permute(rev));
        break;
      }
      case Layout::NegativeStride: {
        // Elements 1, 3, 5, ... of a wider buffer.
        spec::Shape wide = shape;
        wide.back() = 2 * wide.back() + 1;
        tensor::Tensor buffer = tensor::Tensor::zeros(wide, in.view.dtype(), device);
        tensor::Tensor view = buffer.slice(last, 1, std::nullopt, 2);
        view.copy_(interop::to_tensor(in.view, device));
        out.push_back(view);
        break;
      }
      case Layout::Sliced: out.push_back(on_device(in.base, device).slice(last, 0, std::nullopt, 2)); break;
      case Layout::Offset: {
        const tensor::Tensor base = on_device(in.base, device);
        tensor::Strides strides(shape.size());
        std::int64_t step = 1;
        for (std::size_t k = shape.size(); k-- > 0;) {
          strides[k] = step;
          step *= std::max<std::int64_t>(shape[k], 1);
        }
        out.push_back(tensor::Tensor::from_storage(base.storage(), base.dtype(), shape, strides,
                                                   base.storage_offset() + in.offset));
        break;
      }
      case Layout::Broadcast: out.push_back(on_device(in.base, device).expand(shape)); break;
    }
  }
  return out;
}

reports::CheckRecord new_record(const Case& c, core::Device device) {
  reports::CheckRecord r;
  r.op = std::string(spec::op_spec(c.op).name);
  r.dtype = c.dtypes_str();
  r.device = device.str();
  r.shapes = c.shapes_str();
  r.layout = c.layouts_str();
  r.mode = std::string(mode_name(c.mode));
  r.key = r.op + "|" + r.dtype + "|" + r.device + "|" + r.shapes + "|" + r.layout + "|" + r.mode;
  return r;
}

void fail(reports::CheckRecord& r, std::string message) {
  r.status = "fail";
  r.message = std::move(message);
}

}  // namespace

// Per-element error allowed for a float reduction or matmul:
// factor * eps * (ceil(log2 k) + 2 + sqrt k) * sum|terms| (a mean's terms divided by k), plus
// the final rounding of the reference; k is the reduced length. A product:
// (factor * eps * k + eps) * |want|.
std::vector<double> reduction_allowance(const Case& c, const std::vector<array::NdArray>& views,
                                        const std::vector<double>& want, DType dtype) {
  const spec::OpSpec& op = spec::op_spec(c.op);
  // |x| of each term; nansum's and nanmean's NaN terms are 0
  const bool nan_skipping = op.reduce == spec::Reduce::NanSum || op.reduce == spec::Reduce::NanMean;
  auto absolute = [&](const array::NdArray& a) {
    std::vector<double> v = a.to_doubles();
    for (double& x : v) x = nan_skipping && std::isnan(x) ? 0.0 : std::fabs(x);
    return array::NdArray::from_values<double>(a.shape(), v);
  };
  array::NdArray terms;
  double k = 1;
  if (op.kind == OpKind::Reduction && op.reduce == spec::Reduce::Prod) {
    // a product of k factors carries up to k - 1 relative roundings, whatever the order
    const double kp = want.empty() ? 1 : double(views[0].size()) / double(want.size());
    const double f = spec::accuracy_for(op, dtype).reduce_factor * epsilon(dtype);
    std::vector<double> allowed(want.size());
    for (std::size_t i = 0; i < want.size(); ++i) allowed[i] = (f * kp + epsilon(dtype)) * std::fabs(want[i]);
    return allowed;
  }
  if (op.kind == OpKind::Reduction) {
    terms = array::sum(absolute(views[0]), c.axes, c.keepdims);
    const std::int64_t out_n = terms.size();
    k = out_n == 0 ? 1 : double(views[0].size()) / double(out_n);
    if (op.reduce == spec::Reduce::Mean || op.reduce == spec::Reduce::NanMean) {
      // the mean's terms are the sum's divided by the count; nanmean's count is of the
      // elements that are not NaN
      std::vector<double> t = terms.to_doubles();
      std::vector<double> count(t.size(), k);
      if (op.reduce == spec::Reduce::NanMean) {
        std::vector<double> kept = views[0].to_doubles();
        for (double& v : kept) v = std::isnan(v) ? 0.0 : 1.0;
        count = array::sum(array::NdArray::from_values<double>(views[0].shape(), kept), c.axes, c.keepdims).to_doubles();
      }
      for (std::size_t i = 0; i < t.size(); ++i) t[i] /= std::max(count[i], 1.0);
      terms = array::NdArray::from_values<double>(terms.shape(), t);
    }
  } else {
    terms = array::matmul(absolute(views[0]), absolute(views[1]));
    k = double(views[0].shape()[1]);
  }
  const std::vector<double> t = terms.to_doubles();
  std::vector<double> allowed(t.size());
  const double e = epsilon(dtype);
  // Pairwise and tree orders err by O(log2 k) roundings, sequential runs on random data by
  // O(sqrt k) in practice (O(k) only in the worst case).
  const double terms_factor = std::ceil(std::log2(std::max(k, 1.0))) + 2.0 + std::sqrt(k);
  for (std::size_t i = 0; i < t.size(); ++i)
    allowed[i] = spec::accuracy_for(op, dtype).reduce_factor * e * terms_factor * t[i] + e * std::fabs(want[i]);
  return allowed;
}

namespace {

// The error each library's rule gives for the case ("" when it gives none).
spec::Backend backend_of(core::Device d) { return d.is_cuda() ? spec::Backend::Cuda : spec::Backend::Cpu; }

// The error the library raises for this case on `device` ("" when it computes). PyTorch's
// rules depend on the device (cuBLAS has no integer mm; cuda has a Half exp).
std::string expected_error(const Case& c, Semantics s, core::Device device) {
  try {
    const auto ops = operands(c);
    spec::result_dtype(c.op, s, ops, s == Semantics::PyTorch ? backend_of(device) : spec::Backend::Any,
                       c.params());
    spec::result_shape(c.op, s, c.shapes, c.axes, c.keepdims);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The operands' values for the registry's per-element rules: each input cast to `dtype`
// (in its own dtype for a cast's rules: OpSpec::casts), over its own shape.
// `store` keeps the values alive.
std::vector<spec::ElementValues> element_values(spec::OpId op, const std::vector<array::NdArray>& views,
                                                DType dtype, std::vector<std::vector<double>>& store) {
  store.clear();
  store.reserve(views.size());
  std::vector<spec::ElementValues> ev;
  const bool own = spec::op_spec(op).casts();
  for (const array::NdArray& v : views) store.push_back((own ? v : v.astype(dtype)).to_doubles());
  for (std::size_t k = 0; k < views.size(); ++k) ev.push_back({&store[k], views[k].shape()});
  return ev;
}

// The data-dependent error a library raises for these inputs ("" when none): the
// registry's refusal rows with a `where`, evaluated on the inputs cast to the compute dtype
// (as the engines evaluate them).
std::string expected_value_error(const Case& c, Semantics s, core::Device device,
                                 const std::vector<array::NdArray>& views) {
  const auto ops = operands(c);
  const spec::Backend b = s == Semantics::PyTorch ? backend_of(device) : spec::Backend::Cpu;
  if (!spec::has_value_refusal(c.op, s, ops, b)) return "";
  const DType dt = spec::compute_dtype(c.op, s, ops, b, c.params());
  std::vector<std::vector<double>> store;
  const auto ev = element_values(c.op, views, dt, store);
  return spec::value_refusal_message(c.op, s, ops, b, dt,
                                     spec::result_shape(c.op, s, c.shapes, c.axes, c.keepdims), ev);
}

// The elements on which the op's Values divergences say the libraries differ by design
// (computed in `dtype` from `views`): where `got` differs from `want` there, `got` takes
// `want`'s value, so that judge() sees only the elements both libraries agree on. Returns
// how many differed, and the reasons of the rows that covered them.
// `values_dtype` (default: `dtype`) is the dtype the operands are read in, where it differs
// from `dtype`: for an op whose result is bool, NumPy's compute dtype, so that a rule can see
// an operand that PyTorch's narrower compute dtype does not hold (Where::OperandInexact).
std::size_t set_aside_by_design(const Case& c, const std::vector<array::NdArray>& views, DType dtype,
                                const spec::Shape& out, std::vector<double>& got, const std::vector<double>& want,
                                std::string& reasons, std::optional<DType> values_dtype = std::nullopt) {
  // The rows that single out elements: Values divergences in this dtype, and the
  // data-dependent refusals (where one library raises, the other's values there are its own).
  struct Rule {
    spec::Where where;
    std::string reason;
  };
  const spec::OpSpec& op = spec::op_spec(c.op);
  std::vector<Rule> rules;
  for (const spec::Divergence& d : op.divergence_list())
    if (d.kind == spec::DivergenceKind::Values && (d.dtypes.empty() || d.dtypes.contains(dtype)))
      rules.push_back({d.where, std::string(d.reason)});
  for (const spec::Refusal& r : op.refusal_list())
    if (r.where != spec::Where::Always && (r.dtypes.empty() || r.dtypes.contains(dtype)))
      rules.push_back({r.where, std::string(spec::semantics_name(r.library)) + " raises there"});
  std::size_t differing = 0;
  std::vector<std::vector<double>> store;
  for (const Rule& d : rules) {
    if (store.empty()) element_values(c.op, views, values_dtype.value_or(dtype), store);
    std::vector<spec::ElementValues> ev;
    for (std::size_t k = 0; k < views.size(); ++k) ev.push_back({&store[k], views[k].shape()});
    const std::vector<bool> mask =
        op.kind == OpKind::Reduction
            ? spec::where_mask_reduced(d.where, dtype, ev[0],
                                       spec::reduction_axes(c.op, Semantics::NumPy, int(views[0].ndim()), c.axes))
            : spec::where_mask(d.where, dtype, out, ev);
    std::size_t here = 0;
    for (std::size_t i = 0; i < mask.size() && i < got.size() && i < want.size(); ++i) {
      const bool same = (got[i] == want[i] && std::signbit(got[i]) == std::signbit(want[i])) ||
                        (std::isnan(got[i]) && std::isnan(want[i]));
      if (!mask[i] || same) continue;
      got[i] = want[i];
      ++here;
    }
    if (here > 0) reasons += (reasons.empty() ? "" : "; ") + d.reason;
    differing += here;
  }
  return differing;
}

// The message `f` throws ("" when it throws nothing).
template <class F> std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The inputs of a unary op that has an oracle (suite/oracle.h), as values of the float
// dtype it computes in; empty where the oracle cannot say. Used only when a result and its
// reference disagree, so that the message says which side is off.
std::vector<double> oracle_inputs_of(const Case& c, DType dtype, const std::vector<array::NdArray>& views) {
  if ((c.mode != Mode::Forward && c.mode != Mode::ForwardSpecial) || views.size() != 1 ||
      spec::op_spec(c.op).arity != 1 || !oracle::has_oracle(c.op) || !spec::is_floating(dtype))
    return {};
  const array::NdArray& v = views[0];
  return (v.dtype() == dtype ? v : v.astype(dtype)).to_doubles();
}

// "; against the correctly rounded exp(1.5) = 4.48168907 (MPFR): got 12 ULP, want 0.5 ULP:
// got is off" for element i ("" where the oracle cannot say).
std::string oracle_at(const Case& c, const std::vector<double>& got, const std::vector<double>& want, DType dtype,
                      const std::vector<array::NdArray>& views, std::size_t i) {
  const std::vector<double> x = oracle_inputs_of(c, dtype, views);
  if (i >= x.size() || i >= got.size() || i >= want.size()) return "";
  try {
    const double cr = oracle::correctly_rounded(c.op, dtype, x[i]);
    const double eg = oracle::ulp_error(c.op, dtype, x[i], got[i]), ew = oracle::ulp_error(c.op, dtype, x[i], want[i]);
    const char* off = eg > ew ? "got is off" : ew > eg ? "want is off" : "both are as far";
    return "; against the correctly rounded " + std::string(spec::op_spec(c.op).name) + "(" + fmt_double(x[i]) +
           ") = " + fmt_double(cr) + " (MPFR): got " + fmt_double(eg) + " ULP, want " + fmt_double(ew) +
           " ULP: " + off;
  } catch (const Error&) {  // a value that is not one of the dtype's
    return "";
  }
}

// For a biased result: each side's mean signed error in whole ULPs from the correctly rounded
// values, over the elements where all three are finite ("" where the oracle cannot say).
std::string oracle_bias(const Case& c, const std::vector<double>& got, const std::vector<double>& want, DType dtype,
                        const std::vector<array::NdArray>& views) {
  std::vector<double> cr = oracle_inputs_of(c, dtype, views);
  if (cr.empty() || cr.size() != got.size() || cr.size() != want.size()) return "";
  try {
    for (double& e : cr) e = oracle::correctly_rounded(c.op, dtype, e);
  } catch (const Error&) {
    return "";
  }
  double sg = 0, sw = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < cr.size(); ++i) {
    if (!std::isfinite(cr[i]) || !std::isfinite(got[i]) || !std::isfinite(want[i])) continue;
    const auto side = [&](double v) {
      const double u = ulp_distance(v, cr[i], dtype);
      return ordered(v, dtype) >= ordered(cr[i], dtype) ? u : -u;
    };
    sg += side(got[i]);
    sw += side(want[i]);
    ++n;
  }
  if (n == 0) return "";
  sg /= double(n);
  sw /= double(n);
  const char* off = std::fabs(sg) > std::fabs(sw) ? "got is biased" : std::fabs(sw) > std::fabs(sg) ? "want is biased"
                                                                                                        : "both alike";
  return "; mean signed error from the correctly rounded " + std::string(spec::op_spec(c.op).name) +
         " (MPFR): got " + fmt_double(sg) + " ULP, want " + fmt_double(sw) + " ULP: " + off;
}

// Compares an engine's result with a reference of the same dtype under the op's budget;
// returns "" when it agrees, else what went wrong. `views` are the inputs the reference
// was computed from (for the reduction allowance).
std::string judge(const Case& c, const std::vector<double>& got, const std::vector<double>& want, DType dtype,
                  const std::vector<array::NdArray>& views, reports::CheckRecord& r) {
  const spec::OpSpec& op = spec::op_spec(c.op);
  std::vector<double> allowed;
  if (spec::accuracy_for(op, dtype).reduce_factor > 0 && spec::is_floating(dtype))
    allowed = reduction_allowance(c, views, want, dtype);
  const double max_ulp = spec::accuracy_for(op, dtype).max_ulp;
  const Agreement ag = compare_values(got, want, dtype, max_ulp, allowed.empty() ? nullptr : &allowed);
  r.max_abs_err = ag.max_abs;
  r.max_rel_err = ag.max_rel;
  r.max_ulp = spec::is_floating(dtype) ? ag.max_ulp : kNaN;
  r.budget = !allowed.empty() ? ag.worst_allowed : spec::is_floating(dtype) ? max_ulp : 0.0;
  if (ag.mismatches == 0 && allowed.empty() && ag.finite >= kMinBiasSample &&
      std::fabs(ag.mean_signed_ulp) > kMaxUlpBias)
    return "biased: mean signed error " + fmt_double(ag.mean_signed_ulp) + " ulp over " + std::to_string(ag.finite) +
           " finite elements (at most " + fmt_double(kMaxUlpBias) + ")" + oracle_bias(c, got, want, dtype, views);
  if (ag.mismatches == 0) return "";
  const auto i = std::size_t(ag.first_bad);
  return std::to_string(ag.mismatches) + " of " + std::to_string(std::max(got.size(), want.size())) +
         " elements over budget; first at flat index " + std::to_string(i) + ": got " +
         (i < got.size() ? fmt_double(got[i]) : "nothing") + ", want " +
         (i < want.size() ? fmt_double(want[i]) : "nothing") + oracle_at(c, got, want, dtype, views, i);
}

// The same case with every input cast to `dtype`, run on the tensor engine: how PyTorch
// computes in its result dtype, and a check on the array engine's own-dtype result.
tensor::Tensor tensor_in_dtype(const Case& c, const std::vector<Input>& inputs, DType dtype, core::Device device) {
  std::vector<tensor::Tensor> ts;
  for (const array::NdArray& v : cast_views(c, views_of(inputs), dtype)) ts.push_back(interop::to_tensor(v, device));
  return apply_tensor(retyped(c, dtype), ts);
}

// Where the libraries differ on the result dtype, the array engine's NumPy-dtype values
// are checked too: against the tensor engine computing in that dtype, or where PyTorch
// refuses that dtype (exp of float16 on cpu), against the array engine computing in float64
// and rounding once to it.
std::string check_numpy_side(const Case& c, const std::vector<Input>& inputs, const array::NdArray& ref,
                             core::Device device) {
  const DType d = ref.dtype();
  // A formula whose first steps run in the input's dtype and later ones in d (gelu of bfloat16:
  // 0.5 * x in bfloat16, erf's loop in float32) has no reference computing in d: its steps are
  // its semantics. NumPy's goldens judge it where NumPy has the dtype.
  if (!spec::op_spec(c.op).numpy_formula.empty() &&
      std::any_of(c.dtypes.begin(), c.dtypes.end(), [&](DType in) { return in != d; }))
    return "";
  const std::vector<array::NdArray> cast = cast_views(c, views_of(inputs), d);
  reports::CheckRecord scratch;
  const Case in_d = retyped(c, d);
  std::vector<double> other;
  // PyTorch computing in NumPy's dtype, unless it refuses it or gives another dtype
  // (np.reciprocal keeps integers, torch.reciprocal makes them float32).
  if (expected_error(in_d, Semantics::PyTorch, device).empty() &&
      expected_value_error(in_d, Semantics::PyTorch, device, cast).empty() &&
      spec::result_dtype(c.op, Semantics::PyTorch, operands(in_d), backend_of(device), in_d.params()) == d) {
    other = interop::copy_to_array(tensor_in_dtype(c, inputs, d, device)).to_doubles();
  } else if (!spec::op_spec(c.op).rounds) {
    // No wider computation rounds to a step in d's own bits (nextafter): the array engine on
    // the inputs cast to d, which the goldens judge against NumPy.
    other = apply_array(in_d, cast).to_doubles();
  } else {
    // Computing in float64 is no reference for 64-bit integers (it rounds them): there the
    // goldens alone judge the array engine (int64 floor_divide where PyTorch raises for a
    // zero divisor).
    if (spec::dtype_info(d).mantissa_bits > spec::dtype_info(DType::Float64).mantissa_bits) return "";
    other = apply_array(retyped(c, DType::Float64), cast_views(c, views_of(inputs), DType::Float64))
                .astype(d)
                .to_doubles();
  }
  std::vector<double> mine = ref.to_doubles();
  std::string reasons;
  set_aside_by_design(c, cast, d, ref.shape(), mine, other, reasons);
  const std::string bad = judge(c, mine, other, d, cast, scratch);
  return bad.empty() ? "" : "array engine's " + std::string(spec::dtype_name(d)) + " result: " + bad;
}

void forward_check(const Case& c, core::Device device, reports::CheckRecord& r) {
  const spec::OpSpec& op = spec::op_spec(c.op);
  const std::vector<Input> inputs = make_inputs(c);
  std::vector<array::NdArray> views;
  for (const Input& in : inputs) views.push_back(in.view);
  const auto ops = operands(c);
  const DType np_dtype = spec::result_dtype(c.op, Semantics::NumPy, ops, spec::Backend::Cpu, c.params());

  // NumPy raises on these shapes (np.amax over a zero-length axis) or values (np.power of
  // integers with a negative exponent): the array engine must raise the same; the tensor
  // engine raises PyTorch's error or computes, and then its values are judged by the PyTorch
  // goldens.
  const auto raises = [&](Semantics s) {
    std::string e = expected_error(c, s, device);
    return e.empty() ? expected_value_error(c, s, device, views) : e;
  };
  if (const std::string np_error = raises(Semantics::NumPy); !np_error.empty()) {
    r.reference = "the NumPy and PyTorch rules for these values";
    const std::string got_np = error_of([&] { apply_array(c, views); });
    if (got_np != np_error)
      return fail(r, got_np.empty() ? "array engine computed; NumPy raises: " + np_error
                                    : "array engine raised '" + got_np + "', NumPy raises '" + np_error + "'");
    const std::string torch_error = raises(Semantics::PyTorch);
    const std::string got_torch = error_of([&] { apply_tensor(c, tensor_inputs(inputs, device)); });
    if (got_torch != torch_error)
      return fail(r, torch_error.empty() ? "tensor engine raised '" + got_torch + "', PyTorch computes"
                                         : "tensor engine " + (got_torch.empty() ? std::string("computed")
                                                                                 : "raised '" + got_torch + "'") +
                                               ", PyTorch raises '" + torch_error + "'");
    if (!torch_error.empty()) {
      r.status = "pass";  // both raise on these values, each in its library's words
      return;
    }
    r.status = "divergent";
    r.message = "NumPy raises: " + np_error + "; PyTorch computes (its values: the goldens)";
    return;
  }

  const array::NdArray ref = apply_array(c, views);
  if (ref.dtype() != np_dtype)
    return fail(r, "array engine gave " + std::string(spec::dtype_name(ref.dtype())) + ", NumPy gives " +
                       std::string(spec::dtype_name(np_dtype)));
  if (ref.shape() != spec::result_shape(c.op, Semantics::NumPy, c.shapes, c.axes, c.keepdims))
    return fail(r, "array engine gave shape " + spec::shape_str(ref.shape()));

  // NumPy computes, PyTorch refuses by design (mixed-dtype matmul; integer division by
  // zero on cpu, from the values).
  std::string torch_refusal = expected_error(c, Semantics::PyTorch, device);
  if (torch_refusal.empty()) torch_refusal = expected_value_error(c, Semantics::PyTorch, device, views);
  if (!torch_refusal.empty()) {
    r.reference = "array (in " + std::string(spec::dtype_name(np_dtype)) + ") and the PyTorch rule";
    const std::string got = error_of([&] { apply_tensor(c, tensor_inputs(inputs, device)); });
    if (got.empty()) return fail(r, "tensor engine accepted it; PyTorch raises: " + torch_refusal);
    if (got != torch_refusal)
      return fail(r, "tensor engine raised '" + got + "', PyTorch raises '" + torch_refusal + "'");
    if (std::string bad = check_numpy_side(c, inputs, ref, device); !bad.empty()) return fail(r, bad);
    r.status = "divergent";
    r.message = "NumPy gives " + std::string(spec::dtype_name(np_dtype)) + "; PyTorch refuses: " + torch_refusal +
                " (by design: " + spec::divergence_summary(op) + ")";
    return;
  }

  const DType torch_dtype = spec::result_dtype(c.op, Semantics::PyTorch, ops, backend_of(device), c.params());
  const spec::Shape shape = spec::result_shape(c.op, Semantics::PyTorch, c.shapes, c.axes, c.keepdims);
  const tensor::Tensor t = apply_tensor(c, tensor_inputs(inputs, device));
  if (t.dtype() != torch_dtype)
    return fail(r, "tensor engine gave " + std::string(spec::dtype_name(t.dtype())) + ", PyTorch gives " +
                       std::string(spec::dtype_name(torch_dtype)));
  if (t.sizes() != shape) return fail(r, "tensor engine gave shape " + spec::shape_str(t.sizes()));
  if (!(t.device() == device)) return fail(r, "tensor engine result is on " + t.device().str());
  const std::vector<double> got = interop::copy_to_array(t).to_doubles();

  if (np_dtype == torch_dtype) {
    r.reference = "array";
    std::vector<double> mine = got;
    const std::vector<double> want = ref.to_doubles();
    std::string reasons;
    // The rules are read in PyTorch's compute dtype (the result dtype but for the ops whose
    // result is bool) on the operands as NumPy computes them.
    const DType torch_compute =
        spec::compute_dtype(c.op, Semantics::PyTorch, ops, backend_of(device), c.params());
    const std::size_t by_design =
        set_aside_by_design(c, views, torch_compute, shape, mine, want, reasons,
                            spec::compute_dtype(c.op, Semantics::NumPy, ops, spec::Backend::Cpu, c.params()));
    if (std::string bad = judge(c, mine, want, torch_dtype, views, r); !bad.empty()) return fail(r, bad);
    if (by_design == 0) {
      r.status = "pass";
      return;
    }
    r.status = "divergent";
    r.message = std::to_string(by_design) + " of " + std::to_string(want.size()) +
                " elements differ by design (" + reasons + "); the others agree";
    return;
  }
  // The result dtypes differ by design. PyTorch computes in its result dtype: it casts the
  // inputs first (a 0-d float64 operand of a float32 tensor is rounded to float32 before the
  // add), so its reference is the array engine on inputs cast to that dtype. The array
  // engine's own result is checked against the tensor engine computing in NumPy's dtype.
  const std::vector<array::NdArray> in_torch_dtype = cast_views(c, views, torch_dtype);
  const array::NdArray want = apply_array(retyped(c, torch_dtype), in_torch_dtype);
  r.reference = "array (inputs cast to " + std::string(spec::dtype_name(torch_dtype)) + ")";
  {
    std::vector<double> mine = got;
    const std::vector<double> w = want.to_doubles();
    std::string reasons;
    set_aside_by_design(c, in_torch_dtype, torch_dtype, shape, mine, w, reasons);
    if (std::string bad = judge(c, mine, w, torch_dtype, in_torch_dtype, r); !bad.empty()) return fail(r, bad);
  }
  if (std::string bad = check_numpy_side(c, inputs, ref, device); !bad.empty()) return fail(r, bad);
  r.status = "divergent";
  r.message = "NumPy gives " + std::string(spec::dtype_name(np_dtype)) + ", PyTorch " +
              std::string(spec::dtype_name(torch_dtype)) + " (by design: " + spec::divergence_summary(op) +
              "); each agrees with the reference computed in its own dtype";
}

// sum(op(x...) * g) on the array engine in float64: the function whose derivative is checked.
double objective(const Case& c64, const std::vector<array::NdArray>& x, const array::NdArray& g) {
  return array::sum(array::mul(apply_array(c64, x), g)).get({});
}

// d/dx_j[e] of objective(c64, x, g) for every element e of input j, by central differences
// with h = 1e-6 * max(1, |x|); `step` receives each h. x[j] is restored on return.
std::vector<double> central_differences(const Case& c64, std::vector<array::NdArray>& x, std::size_t j,
                                        const array::NdArray& g, std::vector<double>& step) {
  array::NdArray& xj = x[j];
  const std::vector<double> start = xj.to_doubles();
  std::vector<double> out(start.size());
  step.assign(start.size(), 0.0);
  for (std::size_t e = 0; e < start.size(); ++e) {
    std::vector<std::int64_t> idx(std::size_t(xj.ndim()));
    std::int64_t rest = std::int64_t(e);
    for (int d = xj.ndim() - 1; d >= 0; --d) {
      idx[std::size_t(d)] = rest % xj.shape()[std::size_t(d)];
      rest /= xj.shape()[std::size_t(d)];
    }
    const double h = 1e-6 * std::max(1.0, std::fabs(start[e]));
    xj.set(idx, start[e] + h);
    const double up = objective(c64, x, g);
    xj.set(idx, start[e] - h);
    const double down = objective(c64, x, g);
    xj.set(idx, start[e]);
    out[e] = (up - down) / (2 * h);
    step[e] = h;
  }
  return out;
}

void grad_check(const Case& c, core::Device device, reports::CheckRecord& r) {
  const spec::OpSpec& op = spec::op_spec(c.op);
  const std::vector<Input> inputs = make_inputs(c);
  // The differentiated operands: all but the conditions (bool: where's condition has none).
  std::vector<std::size_t> diff;
  for (std::size_t k = 0; k < inputs.size(); ++k)
    if (!op.is_condition(k)) diff.push_back(k);
  const DType dtype = c.dtypes[diff.at(0)];
  const spec::Shape out_shape = spec::result_shape(c.op, Semantics::PyTorch, c.shapes, c.axes, c.keepdims);
  const array::NdArray g =
      array::NdArray::random(out_shape, DType::Float64, c.seed() ^ 0x9e3779b97f4a7c15ull,
                             core::Distribution::Uniform, -1.0, 1.0);

  // Analytic: the tensor engine's autograd in the case's dtype on the device. A shared-leaf
  // case feeds one leaf to every operand; a backward-twice case runs backward twice through
  // the retained graph, so the leaf's gradient must be twice the derivative.
  const bool shared = c.mode == Mode::GradSharedLeaf;
  const double passes = c.mode == Mode::GradTwice ? 2.0 : 1.0;
  std::vector<tensor::Tensor> leaves, operands_in;
  for (std::size_t k : diff) {
    if (shared && !leaves.empty()) break;
    tensor::Tensor leaf = interop::to_tensor(inputs[k].view, device);
    leaf.requires_grad_(true);
    leaves.push_back(leaf);
  }
  for (std::size_t i = 0, j = 0; i < inputs.size(); ++i) {
    if (op.is_condition(i)) {
      operands_in.push_back(interop::to_tensor(inputs[i].view, device));
    } else {
      operands_in.push_back(leaves[shared ? 0 : j]);
      ++j;
    }
  }
  const tensor::Tensor out = apply_tensor(c, operands_in);
  const tensor::Tensor loss = tensor::sum(tensor::mul(out, interop::to_tensor(g.astype(dtype), device)));
  for (int pass = 0; pass < int(passes); ++pass) loss.backward(tensor::Tensor(), /*retain_graph=*/pass + 1 < int(passes));

  // Numeric: central differences of the reference engine in float64.
  const Case c64 = retyped(c, DType::Float64);
  // With a shared leaf every differentiated operand is the same array (one storage), so a
  // perturbation of it moves them all at once, as the leaf does.
  std::vector<array::NdArray> x = cast_views(c, views_of(inputs), DType::Float64);
  if (shared)
    for (std::size_t k : diff) x[k] = x[diff[0]];
  // Per element, as gradcheck does: |autograd - numeric| <= rtol * |numeric| + atol_e, where
  // atol_e covers the rounding noise of the central difference (eps64 * sum|terms| / h) and
  // the rounding of the analytic gradient in its dtype: a few eps times the sum of the
  // magnitudes of the terms that make up that element (for exp, neg and sum one term, the
  // gradient itself; for add, mul and matmul the derivative of sum(op(|x|) * |g|)).
  const double rtol = dtype == DType::Float64 ? 1e-7 : 1e-5;
  double objective_terms = 0;  // sum |op(x) * g|
  {
    const std::vector<double> y = apply_array(c64, x).to_doubles(), gv = g.to_doubles();
    for (std::size_t i = 0; i < y.size(); ++i) objective_terms += std::fabs(y[i] * gv[i]);
  }
  const bool one_term = op.kind == OpKind::Unary || op.kind == OpKind::Reduction;
  std::vector<array::NdArray> x_abs;
  for (std::size_t k = 0; k < x.size(); ++k) {
    const array::NdArray& v = x[k];
    if (op.is_condition(k)) {
      x_abs.push_back(v);
      continue;
    }
    if (shared && k != diff[0]) {
      x_abs.push_back(x_abs[diff[0]]);
      continue;
    }
    std::vector<double> a = v.to_doubles();
    for (double& e : a) e = std::fabs(e);
    x_abs.push_back(array::NdArray::from_values<double>(v.shape(), a));
  }
  const array::NdArray g_abs = [&] {
    std::vector<double> a = g.to_doubles();
    for (double& e : a) e = std::fabs(e);
    return array::NdArray::from_values<double>(g.shape(), a);
  }();

  r.reference = "finite-difference (float64, array engine)";
  r.max_abs_err = 0;
  r.max_rel_err = 0;
  r.budget = rtol;
  for (std::size_t j = 0; j < leaves.size(); ++j) {
    const std::size_t operand = diff[j];  // the input leaf j stands for (a shared leaf: the first)
    const tensor::Tensor grad = leaves[j].grad();
    if (!grad.defined()) return fail(r, "no gradient reached input " + std::to_string(j));
    if (grad.sizes() != leaves[j].sizes())
      return fail(r, "gradient of input " + std::to_string(j) + " has shape " + spec::shape_str(grad.sizes()) +
                         ", input has " + spec::shape_str(leaves[j].sizes()));
    const std::vector<double> analytic = interop::copy_to_array(grad).to_doubles();
    std::vector<double> step;
    std::vector<double> numeric = central_differences(c64, x, operand, g, step);
    std::vector<double> magnitude = one_term ? numeric : central_differences(c64, x_abs, operand, g_abs, step);
    if (shared && !one_term) {
      // A shared leaf's gradient is the sum of its slots' gradients, each rounded on its own;
      // their sizes bound that rounding, which the derivative of the sum hides where the slots
      // cancel (x / x: 1 / x - (x / x) / x).
      std::vector<array::NdArray> apart = cast_views(c, views_of(inputs), DType::Float64);
      for (std::size_t k : diff) {
        const std::vector<double> slot = central_differences(c64, apart, k, g, step);
        for (std::size_t e = 0; e < magnitude.size(); ++e) magnitude[e] += std::fabs(slot[e]);
      }
    }
    for (double& v : numeric) v *= passes;
    for (double& v : magnitude) v *= passes;
    for (std::size_t e = 0; e < numeric.size(); ++e) {
      const double err = std::fabs(analytic[e] - numeric[e]);
      const double atol = 4 * DBL_EPSILON * objective_terms / step[e] + 8 * epsilon(dtype) * std::fabs(magnitude[e]);
      const double tol = rtol * std::fabs(numeric[e]) + atol;
      r.max_abs_err = std::max(r.max_abs_err, err);
      r.max_rel_err = std::max(r.max_rel_err, err / std::max(std::fabs(numeric[e]), 1e-300));
      if (!(err <= tol))
        return fail(r, "d/d(input " + std::to_string(j) + ")[" + std::to_string(e) + "]: autograd " +
                           fmt_double(analytic[e]) + ", finite difference " + fmt_double(numeric[e]) +
                           " (allowed " + fmt_double(tol) + ")");
    }
  }
  r.status = "pass";
}

void error_check(const Case& c, core::Device device, reports::CheckRecord& r) {
  const std::vector<Input> inputs = make_inputs(c);
  std::vector<array::NdArray> views;
  for (const Input& in : inputs) views.push_back(in.view);
  const std::string want_np = expected_error(c, Semantics::NumPy, device);
  const std::string want_torch = expected_error(c, Semantics::PyTorch, device);
  r.reference = "spec error rules";
  if (want_np.empty() || want_torch.empty()) return fail(r, "the spec does not refuse this case");
  std::string got_np, got_torch;
  try {
    apply_array(c, views);
  } catch (const Error& e) {
    got_np = e.what();
  }
  try {
    apply_tensor(c, tensor_inputs(inputs, device));
  } catch (const Error& e) {
    got_torch = e.what();
  }
  if (got_np.empty()) return fail(r, "array engine accepted it; NumPy raises: " + want_np);
  if (got_torch.empty()) return fail(r, "tensor engine accepted it; PyTorch raises: " + want_torch);
  if (got_np != want_np) return fail(r, "array engine raised '" + got_np + "', NumPy raises '" + want_np + "'");
  if (got_torch != want_torch)
    return fail(r, "tensor engine raised '" + got_torch + "', PyTorch raises '" + want_torch + "'");
  // Both refuse, each in its own library's words: the libraries agree on the refusal.
  r.status = "pass";
}

}  // namespace

double ulp_distance(double a, double b, DType dtype) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0.0 : kInf;
  if (a == b) return 0.0;
  if (std::isinf(a) && std::isinf(b)) return kInf;
  const std::uint64_t x = ordered(a, dtype), y = ordered(b, dtype);
  return double(x > y ? x - y : y - x);
}

Agreement compare_values(const std::vector<double>& got, const std::vector<double>& want, DType dtype,
                         double max_ulp, const std::vector<double>* allowed) {
  Agreement ag;
  const bool floating = spec::is_floating(dtype);
  double signed_ulps = 0;
  for (std::size_t i = 0; i < got.size() && i < want.size(); ++i) {
    const double g = got[i], w = want[i];
    // Bit for bit in sign and NaN position: -0 where +0 is wanted is a mismatch.
    const bool same = (g == w && std::signbit(g) == std::signbit(w)) || (std::isnan(g) && std::isnan(w));
    const double abs = same ? 0.0 : std::fabs(g - w);
    const double err = std::isnan(abs) ? kInf : abs;
    const double rel = err == 0 ? 0.0 : err / std::max(std::fabs(w), std::numeric_limits<double>::min());
    bool bad = false;
    if (!floating) {
      bad = !same;
    } else if (!same && ((g == 0 && w == 0) || std::isinf(g) || std::isinf(w))) {
      // A zero of the wrong sign, or an infinity where another value is wanted (the largest
      // finite value is one ULP from infinity): wrong whatever the budget.
      bad = true;
      ag.max_ulp = kInf;
    } else {
      const double ulp = ulp_distance(g, w, dtype);
      ag.max_ulp = std::max(ag.max_ulp, ulp);
      if (std::isfinite(g) && std::isfinite(w)) {
        signed_ulps += ordered(g, dtype) >= ordered(w, dtype) ? ulp : -ulp;
        ++ag.finite;
      }
      if (allowed) {
        const double a = (*allowed)[i];
        const double ratio = err == 0 ? 0.0 : (a > 0 ? err / a : kInf);
        if (ratio >= ag.worst_ratio) {
          ag.worst_ratio = ratio;
          ag.worst_allowed = a;
        }
        bad = ratio > 1.0;
      } else {
        bad = ulp > max_ulp;
      }
    }
    ag.max_abs = std::max(ag.max_abs, err);
    ag.max_rel = std::max(ag.max_rel, rel);
    if (bad) {
      if (ag.first_bad < 0) ag.first_bad = std::int64_t(i);
      ++ag.mismatches;
    }
  }
  if (ag.finite > 0) ag.mean_signed_ulp = signed_ulps / double(ag.finite);
  if (got.size() != want.size()) {
    ag.mismatches += 1;
    if (ag.first_bad < 0) ag.first_bad = std::int64_t(std::min(got.size(), want.size()));
  }
  return ag;
}

array::NdArray apply_array(const Case& c, const std::vector<array::NdArray>& in) {
  return array::call(c.op, in, c.params());
}

tensor::Tensor apply_tensor(const Case& c, const std::vector<tensor::Tensor>& in) {
  return tensor::call(c.op, in, c.params());
}

reports::CheckRecord check_case(const Case& c, core::Device device) {
  reports::CheckRecord r = new_record(c, device);
  if (device.is_cuda() && !tensor::cuda_available()) {
    r.status = "skip";
    r.message = "no CUDA device (" + kernels::cuda::unavailable_reason() + ")";
    return r;
  }
  try {
    switch (c.mode) {
      case Mode::Forward:
      case Mode::ForwardSpecial: forward_check(c, device, r); break;
      case Mode::Grad:
      case Mode::GradSharedLeaf:
      case Mode::GradTwice: grad_check(c, device, r); break;
      case Mode::Error: error_check(c, device, r); break;
    }
  } catch (const std::exception& e) {
    fail(r, std::string("unexpected error: ") + e.what());
  }
  return r;
}

std::vector<reports::CheckRecord> run_check(const CheckOptions& opts) {
  std::vector<reports::CheckRecord> out;
  for (const Case& c : make_cases(opts.filter)) {
    for (const core::Device& d : opts.devices) {
      out.push_back(check_case(c, d));
      if (opts.on_record) opts.on_record(out.back());
    }
  }
  return out;
}

}  // namespace parity::suite
