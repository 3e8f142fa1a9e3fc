#include "suite/check.h"

#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>

#include "engine/interop/convert.h"
#include "engine/spec/error.h"
#include "kernels/common/cuda_runtime.h"

namespace parity::suite {

using spec::DType;
using spec::OpId;
using spec::OpKind;
using spec::Semantics;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double epsilon(DType d) { return d == DType::Float32 ? double(FLT_EPSILON) : DBL_EPSILON; }

// Maps a float's bits onto unsigned integers ordered as the floats are, one apart per ULP
// (-0 and +0 map to the same point).
std::uint64_t ordered(double v, DType dtype) {
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

std::string fmt_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// The input tensors of a case on `device`, in the case's layout where the tensor engine can
// express it: transposed views are rebuilt over a moved contiguous base; negative strides
// (which PyTorch does not have) go through the copying conversion, as torch.tensor(a) does.
std::vector<tensor::Tensor> tensor_inputs(const std::vector<Input>& inputs, core::Device device) {
  std::vector<tensor::Tensor> out;
  for (const Input& in : inputs) {
    switch (in.layout) {
      case Layout::Contiguous:
        out.push_back(device.is_cpu() ? interop::from_array(in.base) : interop::to_tensor(in.base, device));
        break;
      case Layout::Transposed: {
        tensor::Tensor base = device.is_cpu() ? interop::from_array(in.base) : interop::to_tensor(in.base, device);
        std::vector<int> rev;
        for (int d = base.dim() - 1; d >= 0; --d) rev.push_back(d);
        out.push_back(base.permute(rev));
        break;
      }
      case Layout::NegativeStride:
        out.push_back(interop::to_tensor(in.view, device));
        break;
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
  r.layout = std::string(layout_name(c.layout));
  r.mode = std::string(mode_name(c.mode));
  r.key = r.op + "|" + r.dtype + "|" + r.device + "|" + r.shapes + "|" + r.layout + "|" + r.mode;
  return r;
}

void fail(reports::CheckRecord& r, std::string message) {
  r.status = "fail";
  r.message = std::move(message);
}

// Per-element error allowed for a float reduction or matmul: factor * eps * k * sum|terms|,
// plus the final rounding of the reference. k is the reduced length.
std::vector<double> reduction_allowance(const Case& c, const std::vector<array::NdArray>& views,
                                        const std::vector<double>& want, DType dtype) {
  const spec::OpSpec& op = spec::op_spec(c.op);
  auto absolute = [](const array::NdArray& a) {
    std::vector<double> v = a.to_doubles();
    for (double& x : v) x = std::fabs(x);
    return array::NdArray::from_values<double>(a.shape(), v);
  };
  array::NdArray terms;
  double k = 1;
  if (op.kind == OpKind::Reduction) {
    terms = array::sum(absolute(views[0]), c.axes, c.keepdims);
    const std::int64_t out_n = terms.size();
    k = out_n == 0 ? 1 : double(views[0].size()) / double(out_n);
  } else {
    terms = array::matmul(absolute(views[0]), absolute(views[1]));
    k = double(views[0].shape()[1]);
  }
  const std::vector<double> t = terms.to_doubles();
  std::vector<double> allowed(t.size());
  const double e = epsilon(dtype);
  for (std::size_t i = 0; i < t.size(); ++i)
    allowed[i] = op.accuracy.reduce_factor * e * std::max(k, 1.0) * t[i] + e * std::fabs(want[i]);
  return allowed;
}

void forward_check(const Case& c, core::Device device, reports::CheckRecord& r) {
  const spec::OpSpec& op = spec::op_spec(c.op);
  const std::vector<Input> inputs = make_inputs(c);
  std::vector<array::NdArray> views;
  for (const Input& in : inputs) views.push_back(in.view);
  const auto ops = operands(c);
  const DType np_dtype = spec::result_dtype(c.op, Semantics::NumPy, ops);
  const DType torch_dtype = spec::result_dtype(c.op, Semantics::PyTorch, ops);
  const spec::Shape shape = spec::result_shape(c.op, Semantics::PyTorch, c.shapes, c.axes, c.keepdims);

  const array::NdArray ref = apply_array(c, views);
  if (ref.dtype() != np_dtype)
    return fail(r, "array engine gave " + std::string(spec::dtype_name(ref.dtype())) + ", NumPy gives " +
                       std::string(spec::dtype_name(np_dtype)));
  if (ref.shape() != spec::result_shape(c.op, Semantics::NumPy, c.shapes, c.axes, c.keepdims))
    return fail(r, "array engine gave shape " + spec::shape_str(ref.shape()));

  const tensor::Tensor t = apply_tensor(c, tensor_inputs(inputs, device));
  if (t.dtype() != torch_dtype)
    return fail(r, "tensor engine gave " + std::string(spec::dtype_name(t.dtype())) + ", PyTorch gives " +
                       std::string(spec::dtype_name(torch_dtype)));
  if (t.sizes() != shape) return fail(r, "tensor engine gave shape " + spec::shape_str(t.sizes()));
  if (!(t.device() == device)) return fail(r, "tensor engine result is on " + t.device().str());

  // Where the result dtypes differ by design, PyTorch computes in its result dtype: it casts
  // the inputs first (a 0-d float64 operand of a float32 tensor is rounded to float32 before
  // the add). The reference then does the same: the array engine on the cast inputs.
  const bool divergent = np_dtype != torch_dtype;
  array::NdArray want_arr = ref;
  std::vector<array::NdArray> cast_views = views;
  if (divergent) {
    Case cast = c;
    cast.dtypes.assign(c.dtypes.size(), torch_dtype);
    for (auto& v : cast_views) v = v.astype(torch_dtype);
    want_arr = apply_array(cast, cast_views);
    if (want_arr.dtype() != torch_dtype)
      return fail(r, "array engine on " + std::string(spec::dtype_name(torch_dtype)) + " inputs gave " +
                         std::string(spec::dtype_name(want_arr.dtype())));
  }
  const std::vector<double> want = want_arr.to_doubles();
  const std::vector<double> got = interop::copy_to_array(t).to_doubles();

  const bool reduces = op.kind == OpKind::Reduction || op.kind == OpKind::Matmul;
  std::vector<double> allowed;
  if (reduces && spec::is_floating(torch_dtype)) allowed = reduction_allowance(c, cast_views, want, torch_dtype);
  const double max_ulp = op.accuracy.max_ulp;
  const Agreement ag = compare_values(got, want, torch_dtype, max_ulp, allowed.empty() ? nullptr : &allowed);

  r.reference = divergent ? "array (inputs cast to " + std::string(spec::dtype_name(torch_dtype)) + ")" : "array";
  r.max_abs_err = ag.max_abs;
  r.max_rel_err = ag.max_rel;
  r.max_ulp = spec::is_floating(torch_dtype) ? ag.max_ulp : kNaN;
  r.budget = !allowed.empty() ? ag.worst_allowed : spec::is_floating(torch_dtype) ? max_ulp : 0.0;
  if (ag.mismatches > 0) {
    const auto i = std::size_t(ag.first_bad);
    return fail(r, std::to_string(ag.mismatches) + " of " + std::to_string(got.size()) +
                       " elements over budget; first at flat index " + std::to_string(i) + ": got " +
                       fmt_double(got[i]) + ", want " + fmt_double(want[i]));
  }
  if (divergent) {
    r.status = "divergent";
    r.message = "NumPy gives " + std::string(spec::dtype_name(np_dtype)) + ", PyTorch " +
                std::string(spec::dtype_name(torch_dtype)) + " (by design: " + std::string(op.divergence) +
                "); values agree with the reference computed in " + std::string(spec::dtype_name(torch_dtype));
    return;
  }
  r.status = "pass";
}

// sum(op(x...) * g) on the array engine in float64: the function whose derivative is checked.
double objective(const Case& c64, const std::vector<array::NdArray>& x, const array::NdArray& g) {
  return array::sum(array::mul(apply_array(c64, x), g)).get({});
}

void grad_check(const Case& c, core::Device device, reports::CheckRecord& r) {
  const DType dtype = c.dtypes[0];
  const std::vector<Input> inputs = make_inputs(c);
  const spec::Shape out_shape = spec::result_shape(c.op, Semantics::PyTorch, c.shapes, c.axes, c.keepdims);
  const array::NdArray g =
      array::NdArray::random(out_shape, DType::Float64, c.seed() ^ 0x9e3779b97f4a7c15ull,
                             core::Distribution::Uniform, -1.0, 1.0);

  // Analytic: the tensor engine's autograd in the case's dtype on the device.
  std::vector<tensor::Tensor> leaves;
  for (const Input& in : inputs) {
    tensor::Tensor leaf = interop::to_tensor(in.view, device);
    leaf.requires_grad_(true);
    leaves.push_back(leaf);
  }
  const tensor::Tensor out = apply_tensor(c, leaves);
  tensor::sum(tensor::mul(out, interop::to_tensor(g.astype(dtype), device))).backward();

  // Numeric: central differences of the reference engine in float64.
  Case c64 = c;
  c64.dtypes.assign(c.dtypes.size(), DType::Float64);
  std::vector<array::NdArray> x;
  for (const Input& in : inputs) x.push_back(in.view.astype(DType::Float64));
  const double rtol = dtype == DType::Float64 ? 1e-6 : 1e-3;

  r.reference = "finite-difference (float64, array engine)";
  r.max_abs_err = 0;
  r.max_rel_err = 0;
  r.budget = rtol;
  for (std::size_t j = 0; j < leaves.size(); ++j) {
    const tensor::Tensor grad = leaves[j].grad();
    if (!grad.defined()) return fail(r, "no gradient reached input " + std::to_string(j));
    if (grad.sizes() != leaves[j].sizes())
      return fail(r, "gradient of input " + std::to_string(j) + " has shape " + spec::shape_str(grad.sizes()) +
                         ", input has " + spec::shape_str(leaves[j].sizes()));
    const std::vector<double> analytic = interop::copy_to_array(grad).to_doubles();
    const std::vector<double> start = x[j].to_doubles();
    std::vector<double> numeric(start.size());
    array::NdArray& xj = x[j];
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
      numeric[e] = (up - down) / (2 * h);
    }
    double scale = 0;
    for (double v : numeric) scale = std::max(scale, std::fabs(v));
    for (std::size_t e = 0; e < numeric.size(); ++e) {
      const double err = std::fabs(analytic[e] - numeric[e]);
      const double rel = err / (std::fabs(numeric[e]) + scale + 1e-30);
      r.max_abs_err = std::max(r.max_abs_err, err);
      r.max_rel_err = std::max(r.max_rel_err, rel);
      if (!(rel <= rtol))
        return fail(r, "d/d(input " + std::to_string(j) + ")[" + std::to_string(e) + "]: autograd " +
                           fmt_double(analytic[e]) + ", finite difference " + fmt_double(numeric[e]));
    }
  }
  r.status = "pass";
}

// The error each library's rule gives for the case ("" when it gives none).
std::string expected_error(const Case& c, Semantics s) {
  try {
    const auto ops = operands(c);
    spec::result_dtype(c.op, s, ops);
    spec::result_shape(c.op, s, c.shapes, c.axes, c.keepdims);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void error_check(const Case& c, core::Device device, reports::CheckRecord& r) {
  const std::vector<Input> inputs = make_inputs(c);
  std::vector<array::NdArray> views;
  for (const Input& in : inputs) views.push_back(in.view);
  const std::string want_np = expected_error(c, Semantics::NumPy);
  const std::string want_torch = expected_error(c, Semantics::PyTorch);
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
  r.status = got_np == got_torch ? "pass" : "divergent";
  if (r.status == "divergent") r.message = "both refuse, worded differently: numpy: " + got_np + " | pytorch: " + got_torch;
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
  for (std::size_t i = 0; i < got.size() && i < want.size(); ++i) {
    const double g = got[i], w = want[i];
    const bool same = g == w || (std::isnan(g) && std::isnan(w));
    const double abs = same ? 0.0 : std::fabs(g - w);
    const double err = std::isnan(abs) ? kInf : abs;
    const double rel = err == 0 ? 0.0 : err / std::max(std::fabs(w), std::numeric_limits<double>::min());
    bool bad = false;
    if (!floating) {
      bad = !same;
    } else {
      const double ulp = ulp_distance(g, w, dtype);
      ag.max_ulp = std::max(ag.max_ulp, ulp);
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
  if (got.size() != want.size()) {
    ag.mismatches += 1;
    if (ag.first_bad < 0) ag.first_bad = std::int64_t(std::min(got.size(), want.size()));
  }
  return ag;
}

array::NdArray apply_array(const Case& c, const std::vector<array::NdArray>& in) {
  switch (c.op) {
    case OpId::Add: return array::add(in.at(0), in.at(1));
    case OpId::Mul: return array::mul(in.at(0), in.at(1));
    case OpId::Neg: return array::neg(in.at(0));
    case OpId::Exp: return array::exp(in.at(0));
    case OpId::Sum: return array::sum(in.at(0), c.axes, c.keepdims);
    case OpId::Matmul: return array::matmul(in.at(0), in.at(1));
  }
  throw ValueError("apply_array: unknown op");
}

tensor::Tensor apply_tensor(const Case& c, const std::vector<tensor::Tensor>& in) {
  switch (c.op) {
    case OpId::Add: return tensor::add(in.at(0), in.at(1));
    case OpId::Mul: return tensor::mul(in.at(0), in.at(1));
    case OpId::Neg: return tensor::neg(in.at(0));
    case OpId::Exp: return tensor::exp(in.at(0));
    case OpId::Sum: return tensor::sum(in.at(0), c.axes, c.keepdims);
    case OpId::Matmul: return tensor::matmul(in.at(0), in.at(1));
  }
  throw ValueError("apply_tensor: unknown op");
}

reports::CheckRecord check_case(const Case& c, core::Device device) {
  reports::CheckRecord r = new_record(c, device);
  if (device.is_cuda() && !tensor::cuda_available()) {
    r.status = "skip";
    r.message = "no CUDA device: " + kernels::cuda::unavailable_reason();
    return r;
  }
  try {
    switch (c.mode) {
      case Mode::Forward: forward_check(c, device, r); break;
      case Mode::Grad: grad_check(c, device, r); break;
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
