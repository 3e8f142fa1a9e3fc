#include "suite/goldens.h"

#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "engine/array/array.h"
#include "engine/interop/convert.h"
#include "engine/spec/error.h"
#include "engine/tensor/tensor.h"
#include "suite/cases.h"
#include "suite/check.h"
#include "suite/golden_file.h"

#ifndef PARITY_SOURCE_DIR
#define PARITY_SOURCE_DIR "."
#endif

namespace parity::suite {

using spec::DType;

namespace {

namespace fs = std::filesystem;

constexpr const char* kReferenceSuffix = " golden";

using GoldenCase = golden::Case;
using Loaded = golden::Array;
using golden::Library;

// The class name the library would raise, as a traceback prints it ("RuntimeError",
// "numpy.AxisError"): the error's own py_class() where Parity's errors carry one, else the
// name of Parity's kind.
template <class E> std::string error_class_name(const E& e) {
  if constexpr (requires { e.py_class(); }) {
    return std::string(e.py_class());
  } else {
    if (dynamic_cast<const TypeError*>(&e)) return "TypeError";
    if (dynamic_cast<const ValueError*>(&e)) return "ValueError";
    if (dynamic_cast<const DeviceError*>(&e)) return "DeviceError";
    return "RuntimeError";
  }
}

struct Raised {
  std::string cls, message;
};

std::string join_dtypes(const GoldenCase& c) {
  bool same = true;
  for (const Loaded& l : c.in) same = same && l.dtype_name == c.in[0].dtype_name;
  std::string s;
  for (std::size_t i = 0; i < (same ? 1 : c.in.size()); ++i) s += (i ? "+" : "") + c.in[i].dtype_name;
  return s;
}

// Why a case cannot run in Parity today ("" when it can).
std::string skip_reason(const GoldenCase& c) {
  auto missing = [](const std::optional<Loaded>& l) { return l && !l->dtype; };
  for (const Loaded& l : c.in)
    if (!l.dtype) return "dtype " + l.dtype_name + " is not in Parity yet";
  for (const auto* l : {&c.out, &c.grad_out})
    if (missing(*l)) return "dtype " + (*l)->dtype_name + " is not in Parity yet";
  for (const auto& g : c.grad_in)
    if (missing(g)) return "dtype " + g->dtype_name + " is not in Parity yet";
  if (!c.unsupported_param.empty()) return "parameter '" + c.unsupported_param + "' is not in Parity yet";
  return "";
}

array::NdArray array_view(array::NdArray a, const std::vector<golden::ViewStep>& steps) {
  for (const golden::ViewStep& s : steps) a = s.transpose ? a.transpose(s.axes) : a.slice(s.slices);
  return a;
}

// The tensor engine's view; nullopt where PyTorch cannot express it (negative steps).
std::optional<tensor::Tensor> tensor_view(tensor::Tensor t, const std::vector<golden::ViewStep>& steps) {
  for (const golden::ViewStep& s : steps) {
    if (s.transpose) {
      t = t.permute(s.axes);
      continue;
    }
    for (std::size_t d = 0; d < s.slices.size(); ++d) {
      if (s.slices[d].step <= 0) return std::nullopt;
      t = t.slice(int(d), s.slices[d].start, s.slices[d].stop, s.slices[d].step);
    }
  }
  return t;
}

std::string fmt_value(double v) { return fmt::format("{:.9g}", v); }

// Integers and bool: exact, compared as stored bits (doubles cannot hold every int64).
// Returns the number of differing elements and the first one's index.
std::pair<std::int64_t, std::int64_t> raw_mismatches(const array::NdArray& got, const array::NdArray& want) {
  const array::NdArray g = got.copy(), w = want.copy();
  const std::size_t item = std::size_t(g.itemsize());
  const auto* a = static_cast<const unsigned char*>(g.data());
  const auto* b = static_cast<const unsigned char*>(w.data());
  std::int64_t n = 0, first = -1;
  for (std::int64_t i = 0; i < g.size(); ++i) {
    if (std::memcmp(a + std::size_t(i) * item, b + std::size_t(i) * item, item) != 0) {
      if (first < 0) first = i;
      ++n;
    }
  }
  return {n, first};
}

// What the goldens judge exactly, whatever the budget: NaN positions, equal infinities, the
// sign of zero. compare_values() does too, except for a NaN against a number where a
// reduction's allowance is itself NaN (infinite terms). The first element that breaks one
// (-1 when none).
std::int64_t first_special_mismatch(const std::vector<double>& got, const std::vector<double>& want) {
  for (std::size_t i = 0; i < got.size() && i < want.size(); ++i) {
    const double g = got[i], w = want[i];
    const bool nan_differs = std::isnan(g) != std::isnan(w);
    const bool inf_differs = (std::isinf(g) || std::isinf(w)) && g != w;
    const bool zero_differs = g == 0 && w == 0 && std::signbit(g) != std::signbit(w);
    if (nan_differs || inf_differs || zero_differs) return std::int64_t(i);
  }
  return -1;
}

std::string element_text(const array::NdArray& a, std::int64_t flat) {
  const array::NdArray c = a.copy();
  if (spec::is_integer(c.dtype())) {
    return spec::visit_dtype(c.dtype(), [&](auto tag) -> std::string {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_integral_v<T>)
        return std::to_string(static_cast<const T*>(c.data())[flat]);
      else
        return "?";
    });
  }
  return fmt_value(c.to_doubles()[std::size_t(flat)]);
}

void fail(reports::CheckRecord& r, const std::string& kind, const std::string& detail) {
  r.status = "fail";
  r.message = kind + ": " + detail;
}

// Judges a value against the golden: dtype, shape, then the values ("" when it agrees).
// `views` are the inputs as arrays (for a reduction's allowance).
void judge_value(const Case& c, const array::NdArray& got, const Loaded& want,
                 const std::vector<array::NdArray>& views, const Library& lib, reports::CheckRecord& r) {
  if (got.dtype() != *want.dtype)
    return fail(
        r, "dtype differs",
        "got " + std::string(spec::dtype_name(got.dtype())) + ", " + lib.name + " gives " + want.dtype_name);
  if (got.shape() != want.shape)
    return fail(r, "shape differs",
                "got " + spec::shape_str(got.shape()) + ", want " + spec::shape_str(want.shape));
  const DType d = got.dtype();
  if (!spec::is_floating(d)) {
    const auto [n, first] = raw_mismatches(got, want.array);
    r.max_abs_err = n == 0 ? 0.0 : reports::kNaN;
    r.budget = 0;
    if (n > 0)
      return fail(r, "value differs",
                  std::to_string(n) + " of " + std::to_string(got.size()) +
                      " elements differ; first at flat index " + std::to_string(first) + ": got " +
                      element_text(got, first) + ", want " + element_text(want.array, first));
    r.status = "pass";
    return;
  }
  const spec::OpSpec& op = spec::op_spec(c.op);
  const std::vector<double> g = got.to_doubles(), w = want.array.to_doubles();
  std::vector<double> allowed;
  const spec::Accuracy& budget = spec::accuracy_for(op, d);
  if (budget.reduce_factor > 0) allowed = reduction_allowance(c, views, w, d);
  const Agreement ag = compare_values(g, w, d, budget.max_ulp, allowed.empty() ? nullptr : &allowed);
  r.max_abs_err = ag.max_abs;
  r.max_rel_err = ag.max_rel;
  r.max_ulp = ag.max_ulp;
  r.budget = allowed.empty() ? budget.max_ulp : ag.worst_allowed;
  if (ag.mismatches > 0) {
    const auto i = std::size_t(ag.first_bad);
    return fail(r, "value differs",
                std::to_string(ag.mismatches) + " of " + std::to_string(w.size()) +
                    " elements over budget; first at flat index " + std::to_string(i) + ": got " +
                    fmt_value(g[i]) + ", want " + fmt_value(w[i]));
  }
  if (const std::int64_t z = first_special_mismatch(g, w); z >= 0)
    return fail(r, "value differs",
                "special value at flat index " + std::to_string(z) + ": got " + fmt_value(g[std::size_t(z)]) +
                    ", want " + fmt_value(w[std::size_t(z)]));
  r.status = "pass";
}

void judge_error(const GoldenCase& gc, const std::optional<Raised>& got, const std::string& gave,
                 const Library& lib, reports::CheckRecord& r) {
  const std::string want = gc.error_class + ": " + gc.error_message;
  if (!got)
    return fail(r, "no error raised", "the engine gave " + gave + "; " + lib.name + " raises " + want);
  if (got->cls != gc.error_class)
    return fail(r, "error class differs", "got " + got->cls + ": " + got->message + "; want " + want);
  if (got->message != gc.error_message)
    return fail(r, "error message differs", "got '" + got->message + "', want '" + gc.error_message + "'");
  r.status = "pass";
}

// Gradient tolerance: |got - want| <= 16 eps (|want| + max|want|) per element, eps of the
// less precise of the gradient's and the upstream gradient's dtypes (PyTorch reduces a
// broadcast gradient in the result's dtype before casting it to the input's); NaN positions
// exact; the sign of zero is not judged (PyTorch does not define it for accumulated gradients).

void judge_grad(const array::NdArray& got, const Loaded& want, DType upstream, int k,
                reports::CheckRecord& r) {
  const std::string which = "d/d(in" + std::to_string(k) + ")";
  if (got.dtype() != *want.dtype)
    return fail(
        r, "gradient differs",
        which + " has dtype " + std::string(spec::dtype_name(got.dtype())) + ", want " + want.dtype_name);
  if (got.shape() != want.shape)
    return fail(
        r, "gradient differs",
        which + " has shape " + spec::shape_str(got.shape()) + ", want " + spec::shape_str(want.shape));
  const std::vector<double> g = got.to_doubles(), w = want.array.to_doubles();
  double scale = 0;
  for (double v : w)
    if (std::isfinite(v)) scale = std::max(scale, std::fabs(v));
  const double eps = std::max(spec::epsilon(got.dtype()), spec::epsilon(upstream));
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double tol = 16 * eps * (std::fabs(w[i]) + scale);
    const bool same = g[i] == w[i] || (std::isnan(g[i]) && std::isnan(w[i]));
    const double err = same ? 0.0 : std::fabs(g[i] - w[i]);
    r.max_abs_err =
        std::max(std::isnan(r.max_abs_err) ? 0.0 : r.max_abs_err, std::isnan(err) ? INFINITY : err);
    if (!same && !(err <= tol))  // (a NaN wanted makes tol NaN: only `same` passes it)
      return fail(r, "gradient differs",
                  which + "[" + std::to_string(i) + "]: got " + fmt_value(g[i]) + ", want " +
                      fmt_value(w[i]) + " (allowed " + fmt_value(tol) + ")");
  }
  r.status = "pass";
}

template <class F>
std::optional<Raised> raised_by(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return Raised{error_class_name(e), e.what()};
  }
  return std::nullopt;
}

reports::CheckRecord new_record(const GoldenCase& gc, const Library& lib, const std::string& mode,
                                const std::string& device) {
  reports::CheckRecord r;
  r.op = std::string(gc.op->name);
  r.dtype = join_dtypes(gc);
  r.device = device;
  for (std::size_t i = 0; i < gc.in.size(); ++i) r.shapes += (i ? "x" : "") + spec::shape_str(gc.in[i].shape);
  r.layout = "contiguous";
  for (const auto& v : gc.views)
    if (!v.empty()) r.layout = "view";
  r.mode = mode;
  r.engine = lib.name == "numpy" ? "array" : "tensor";
  r.params = gc.params_text;
  r.reference = lib.name + " " + lib.version + kReferenceSuffix;
  r.key = "golden|" + lib.name + "/" + lib.stem + "/" + gc.name + "|" + mode + "|" + device;
  return r;
}

Case engine_case(const GoldenCase& gc, const Library& lib, Mode mode) {
  Case c;
  c.op = gc.op->id;
  c.mode = mode;
  for (const Loaded& l : gc.in) {
    c.dtypes.push_back(*l.dtype);
    c.shapes.push_back(l.shape);
  }
  c.axes = gc.axes;
  c.keepdims = gc.keepdims;
  c.scalars = gc.scalars;
  c.target = gc.target;
  return c;
}

std::vector<reports::CheckRecord> replay_numpy(const GoldenCase& gc, const Library& lib) {
  const std::string mode = gc.expect_error ? "error" : "forward";
  reports::CheckRecord r = new_record(gc, lib, mode, "cpu");
  if (std::string why = skip_reason(gc); !why.empty()) {
    r.status = "skip";
    r.message = why;
    return {r};
  }
  try {
    Case c = engine_case(gc, lib, gc.expect_error ? Mode::Error : Mode::Forward);
    std::vector<array::NdArray> views;
    for (std::size_t k = 0; k < gc.in.size(); ++k) views.push_back(array_view(gc.in[k].array, gc.views[k]));
    c.shapes.clear();
    for (const auto& v : views) c.shapes.push_back(v.shape());
    std::optional<array::NdArray> got;
    const std::optional<Raised> err = raised_by([&] { got = apply_array(c, views); });
    if (gc.expect_error) {
      judge_error(
          gc, err,
          got ? std::string(spec::dtype_name(got->dtype())) + " " + spec::shape_str(got->shape()) : "", lib,
          r);
    } else if (err) {
      fail(r, "unexpected error", err->cls + ": " + err->message);
    } else {
      judge_value(c, *got, *gc.out, views, lib, r);
    }
  } catch (const std::exception& e) {
    fail(r, "unexpected error", e.what());
  }
  return {r};
}

void replay_torch_forward(const GoldenCase& gc, const Library& lib, core::Device device,
                          reports::CheckRecord& r) {
  Case c = engine_case(gc, lib, gc.expect_error ? Mode::Error : Mode::Forward);
  std::vector<tensor::Tensor> views;
  std::vector<array::NdArray> view_arrays;
  for (std::size_t k = 0; k < gc.in.size(); ++k) {
    const std::optional<tensor::Tensor> v =
        tensor_view(interop::to_tensor(gc.in[k].array, device), gc.views[k]);
    if (!v) {
      r.status = "skip";
      r.message =
          "in" + std::to_string(k) + "_view has a negative step, which PyTorch's tensors cannot express";
      return;
    }
    views.push_back(*v);
    view_arrays.push_back(interop::copy_to_array(*v));
  }
  c.shapes.clear();
  for (const auto& v : views) c.shapes.push_back(v.sizes());
  std::optional<tensor::Tensor> got;
  const std::optional<Raised> err = raised_by([&] { got = apply_tensor(c, views); });
  if (gc.expect_error) {
    judge_error(gc, err,
                got ? std::string(spec::dtype_name(got->dtype())) + " " + spec::shape_str(got->sizes()) : "",
                lib, r);
  } else if (err) {
    fail(r, "unexpected error", err->cls + ": " + err->message);
  } else if (!(got->device() == device)) {
    fail(r, "value differs", "the result is on " + got->device().str() + ", not " + device.str());
  } else {
    judge_value(c, interop::copy_to_array(*got), *gc.out, view_arrays, lib, r);
  }
}

void replay_torch_grad(const GoldenCase& gc, const Library& lib, core::Device device,
                       reports::CheckRecord& r) {
  Case c = engine_case(gc, lib, Mode::Grad);
  std::vector<tensor::Tensor> leaves, views;
  for (std::size_t k = 0; k < gc.in.size(); ++k) {
    tensor::Tensor leaf = interop::to_tensor(gc.in[k].array, device);
    if (gc.grad_in[k]) leaf.requires_grad_(true);
    const std::optional<tensor::Tensor> v = tensor_view(leaf, gc.views[k]);
    if (!v) {
      r.status = "skip";
      r.message =
          "in" + std::to_string(k) + "_view has a negative step, which PyTorch's tensors cannot express";
      return;
    }
    leaves.push_back(leaf);
    views.push_back(*v);
  }
  c.shapes.clear();
  for (const auto& v : views) c.shapes.push_back(v.sizes());
  const tensor::Tensor out = apply_tensor(c, views);
  if (out.sizes() != gc.grad_out->shape)
    return fail(r, "gradient differs",
                "grad_out has shape " + spec::shape_str(gc.grad_out->shape) + ", the result " +
                    spec::shape_str(out.sizes()));
  out.backward(interop::to_tensor(gc.grad_out->array, device));
  r.status = "pass";
  for (std::size_t k = 0; k < leaves.size(); ++k) {
    if (!gc.grad_in[k]) continue;
    const tensor::Tensor g = leaves[k].grad();
    if (!g.defined()) return fail(r, "gradient differs", "no gradient reached in" + std::to_string(k));
    judge_grad(interop::copy_to_array(g), *gc.grad_in[k], *gc.grad_out->dtype, int(k), r);
    if (r.status == "fail") return;
  }
}

std::vector<reports::CheckRecord> replay_torch(const GoldenCase& gc, const Library& lib,
                                               const GoldenOptions& opts) {
  std::vector<reports::CheckRecord> out;
  const std::string why = skip_reason(gc);
  for (const core::Device& device : opts.devices) {
    if (device.is_cuda() && !tensor::cuda_available()) continue;
    std::vector<std::string> modes{gc.expect_error ? "error" : "forward"};
    if (gc.grad_out) modes.push_back("grad");
    for (const std::string& mode : modes) {
      reports::CheckRecord r = new_record(gc, lib, mode, device.str());
      if (!why.empty()) {
        r.status = "skip";
        r.message = why;
      } else {
        try {
          if (mode == "grad")
            replay_torch_grad(gc, lib, device, r);
          else
            replay_torch_forward(gc, lib, device, r);
        } catch (const std::exception& e) {
          fail(r, "unexpected error", e.what());
        }
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

bool selected(const GoldenCase& gc, const GoldenOptions& opts) {
  if (!opts.ops.empty() && std::find(opts.ops.begin(), opts.ops.end(), gc.op->id) == opts.ops.end())
    return false;
  if (opts.dtypes.empty()) return true;
  for (const Loaded& l : gc.in)
    if (!l.dtype || std::find(opts.dtypes.begin(), opts.dtypes.end(), *l.dtype) == opts.dtypes.end())
      return false;
  return true;
}

}  // namespace

std::vector<reports::CheckRecord> replay_golden_file(const std::string& path, const GoldenOptions& opts) {
  // Every case is read (and so validated) before any runs: a damaged file gives one error.
  const golden::File file = golden::read_file(path);
  std::vector<reports::CheckRecord> out;
  for (const GoldenCase& gc : file.cases) {
    if (!selected(gc, opts)) continue;
    if (opts.shard.active() && !opts.shard.contains("golden|" + file.lib.name + "/" + file.lib.stem + "/" + gc.name))
      continue;
    auto records = file.lib.name == "numpy" ? replay_numpy(gc, file.lib) : replay_torch(gc, file.lib, opts);
    for (auto& r : records) out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> golden_files_in(const std::string& dir) {
  std::vector<std::string> files;
  for (const char* sub : {"numpy", "torch"}) {
    const fs::path d = fs::path(dir) / sub;
    std::error_code ec;
    if (!fs::is_directory(d, ec)) continue;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.path().extension() == ".h5") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string default_datasets_dir() {
  if (const char* env = std::getenv("PARITY_DATASETS"); env && *env) return env;
  return (fs::path(PARITY_SOURCE_DIR) / "datasets").string();
}

bool is_golden_record(const reports::CheckRecord& r) { return r.key.rfind("golden|", 0) == 0; }

std::string failure_kind(const reports::CheckRecord& r) {
  const auto colon = r.message.find(':');
  return colon == std::string::npos ? r.message : r.message.substr(0, colon);
}

void print_golden_summary(const std::vector<reports::CheckRecord>& records, int max_listed) {
  struct Counts {
    int cases = 0, pass = 0, fail = 0, skip = 0;
    std::map<std::string, int> kinds, skips;
  };
  std::map<std::string, Counts> per_lib;  // "numpy 1.24.2", "torch 1.13.0a0"
  for (const auto& r : records) {
    if (!is_golden_record(r)) continue;
    const std::string lib = r.reference.substr(0, r.reference.size() - std::strlen(kReferenceSuffix));
    Counts& c = per_lib[lib];
    ++c.cases;
    if (r.status == "pass")
      ++c.pass;
    else if (r.status == "skip")
      ++c.skip, ++c.skips[r.message];
    else
      ++c.fail, ++c.kinds[failure_kind(r)];
  }
  if (per_lib.empty()) return;
  std::map<std::string, int> listed;
  bool header = false;
  for (const auto& r : records) {
    if (!is_golden_record(r) || r.status != "fail") continue;
    if (!header) fmt::print("\nGolden failures:\n");
    header = true;
    if (listed[failure_kind(r)]++ < max_listed) fmt::print("  FAIL {}: {}\n", r.key, r.message);
  }
  for (const auto& [kind, n] : listed)
    if (n > max_listed)
      fmt::print("  ... and {} more '{}' failures (every one is in the report: -o FILE)\n", n - max_listed,
                 kind);
  fmt::print("\nGoldens (one record per case, mode and device):\n");
  for (const auto& [lib, c] : per_lib) {
    fmt::print("  {}: {} records: {} pass, {} fail, {} skip\n", lib, c.cases, c.pass, c.fail, c.skip);
    for (const auto& [kind, n] : c.kinds) fmt::print("    fail {:>6}  {}\n", n, kind);
    for (const auto& [why, n] : c.skips) fmt::print("    skip {:>6}  {}\n", n, why);
  }
}

std::vector<std::string> golden_paths(const std::vector<std::string>& files,
                                      const std::string& datasets_dir) {
  if (!files.empty()) return files;
  const std::string dir = datasets_dir.empty() ? default_datasets_dir() : datasets_dir;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return golden_files_in(dir);
  if (!datasets_dir.empty() || std::getenv("PARITY_DATASETS"))
    throw ValueError("datasets folder '" + dir + "' does not exist");
  fmt::print("Goldens: none replayed (no datasets folder at {}; set PARITY_DATASETS or --datasets)\n", dir);
  return {};
}

namespace {
// Whether a golden file may hold cases of the selected ops, from its name alone: the
// committed files are named after the library's function (its last component:
// torch.nn.functional.silu is torch/silu.h5), or after Parity's op where the library lacks it
// (numpy/relu.h5 holds the formula's cases) or where the row fixes keyword arguments
// (torch/gelu_tanh.h5: F.gelu with approximate='tanh'), in a folder named after the library, so
// `check --ops neg` need not read and validate the other files. A file named otherwise is read.
bool may_hold_selected_op(const std::string& path, const GoldenOptions& opts) {
  if (opts.ops.empty()) return true;
  const fs::path f(path);
  const std::string lib = f.parent_path().filename().string();
  if (lib != "numpy" && lib != "torch") return true;
  const std::string stem = f.stem().string();
  bool named = false;
  for (const spec::OpSpec& op : spec::op_table()) {
    const std::string_view name = lib == "numpy" ? op.numpy_name : op.torch_name;
    const bool own_name = name.empty() || (lib == "torch" && !op.torch_kwargs.empty());
    const std::string_view last = name.substr(name.rfind('.') + 1);
    if (own_name ? op.name != stem : last != stem) continue;
    named = true;
    if (std::find(opts.ops.begin(), opts.ops.end(), op.id) != opts.ops.end()) return true;
  }
  return !named;
}
}  // namespace

std::vector<reports::CheckRecord> replay_goldens(const std::vector<std::string>& paths,
                                                 const GoldenOptions& opts) {
  // The same file named twice is replayed once (its keys would collide in the report).
  std::set<std::string> seen;
  std::vector<reports::CheckRecord> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    const std::string canonical = fs::weakly_canonical(p, ec).string();
    if (!seen.insert(ec ? p : canonical).second) continue;
    if (!may_hold_selected_op(p, opts)) continue;
    for (auto& r : replay_golden_file(p, opts)) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace parity::suite
