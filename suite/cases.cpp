#include "suite/cases.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

namespace parity::suite {

using spec::DType;
using spec::OpId;
using spec::OpKind;
using spec::Shape;

std::string_view layout_name(Layout l) {
  switch (l) {
    case Layout::Contiguous: return "contiguous";
    case Layout::Transposed: return "transposed";
    case Layout::NegativeStride: return "negative-stride";
    case Layout::Sliced: return "sliced";
    case Layout::Offset: return "offset";
    case Layout::Broadcast: return "broadcast";
  }
  return "?";
}

bool layout_applies(Layout l, const Shape& s) {
  switch (l) {
    case Layout::Contiguous: return true;
    case Layout::Transposed: return s.size() >= 2 && spec::numel(s) > 1;
    case Layout::NegativeStride: return !s.empty() && s.back() > 1;
    case Layout::Sliced: return !s.empty() && s.back() >= 1 && spec::numel(s) > 0;
    case Layout::Offset: return spec::numel(s) > 0;
    case Layout::Broadcast: return !s.empty() && s[0] > 1 && spec::numel(s) > 0;
  }
  return false;
}

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::Forward: return "forward";
    case Mode::ForwardSpecial: return "forward-special";
    case Mode::Grad: return "grad";
    case Mode::GradSharedLeaf: return "grad-shared-leaf";
    case Mode::GradTwice: return "grad-backward-twice";
    case Mode::Error: return "error";
  }
  return "?";
}

std::string Case::shapes_str() const {
  std::string s;
  for (std::size_t i = 0; i < shapes.size(); ++i) s += (i ? "x" : "") + spec::shape_str(shapes[i]);
  if (spec::op_spec(op).kind == OpKind::Reduction) {
    s += " axes=" + (axes.empty() ? std::string("all") : spec::shape_str(axes));
    if (keepdims) s += " keepdims";
  }
  // The Scalar parameters the case sets, by their NumPy names ("nan=1.5 posinf=100").
  std::size_t k = 0;
  for (const spec::ParamSpec& p : spec::op_spec(op).param_list()) {
    if (p.kind != spec::ParamKind::Scalar) continue;
    if (k < scalars.size() && scalars[k]) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", *scalars[k]);
      s += " " + std::string(p.numpy_name) + "=" + buf;
    }
    ++k;
  }
  if (target) s += " dtype=" + std::string(spec::dtype_name(*target));
  return s;
}

spec::Params Case::params() const {
  spec::Params p;
  p.axes = axes;
  p.keepdims = keepdims;
  p.scalars = scalars;
  p.dtype = target;
  return p;
}

std::string Case::dtypes_str() const {
  std::string s;
  bool same = std::all_of(dtypes.begin(), dtypes.end(), [&](DType d) { return d == dtypes[0]; });
  for (std::size_t i = 0; i < (same ? 1 : dtypes.size()); ++i)
    s += (i ? "+" : "") + std::string(spec::dtype_name(dtypes[i]));
  return s;
}

std::string Case::layouts_str() const {
  bool same = true;
  for (std::size_t i = 1; i < shapes.size(); ++i) same = same && operand_layout(i) == operand_layout(0);
  std::string s;
  for (std::size_t i = 0; i < (same ? std::min<std::size_t>(shapes.size(), 1) : shapes.size()); ++i)
    s += (i ? "+" : "") + std::string(layout_name(operand_layout(i)));
  return s.empty() ? std::string(layout_name(layout)) : s;
}

std::string Case::key() const {
  return std::string(spec::op_spec(op).name) + "|" + dtypes_str() + "|" + shapes_str() + "|" + layouts_str() +
         "|" + std::string(mode_name(mode));
}

std::uint64_t Case::seed() const {
  // The key without the layout, so every layout of a case holds the same values.
  const std::string k = std::string(spec::op_spec(op).name) + "|" + dtypes_str() + "|" + shapes_str() + "|" +
                        std::string(mode_name(mode));
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across compilers, unlike std::hash
  for (unsigned char ch : k) h = (h ^ ch) * 1099511628211ull;
  return h;
}

namespace {

// The limits of a float dtype, as doubles (numeric_limits has no 16-bit floats).
struct FloatLimits {
  double denorm_min, min, max, epsilon;
};
FloatLimits float_limits(DType dtype) {
  switch (dtype) {
    case DType::Float16: return {0x1p-24, 0x1p-14, 65504.0, 0x1p-10};
    case DType::BFloat16: return {0x1p-133, 0x1p-126, 0x1.fep127, 0x1p-7};
    case DType::Float32: {
      using L = std::numeric_limits<float>;
      return {double(L::denorm_min()), double(L::min()), double(L::max()), double(L::epsilon())};
    }
    default: {
      using L = std::numeric_limits<double>;
      return {L::denorm_min(), L::min(), L::max(), L::epsilon()};
    }
  }
}

}  // namespace

std::vector<double> special_values(DType dtype, OpKind kind, std::uint8_t mask) {
  if (!spec::is_floating(dtype)) return {};
  const bool reduces = kind == OpKind::Reduction || kind == OpKind::Matmul;
  const FloatLimits L = float_limits(dtype);
  constexpr double inf = std::numeric_limits<double>::infinity();
  // Each kind of special value only where the row's mask asks for it.
  std::vector<double> v;
  auto add = [&](std::uint8_t bit, std::initializer_list<double> values) {
    if (mask & bit) v.insert(v.end(), values);
  };
  add(spec::kSignedZero, {0.0, -0.0});
  add(spec::kInf, {inf, -inf});
  add(spec::kNaN, {std::numeric_limits<double>::quiet_NaN()});
  add(spec::kDenormal, {L.denorm_min, -L.denorm_min, 3 * L.denorm_min});
  add(spec::kExtremes, {L.min, -L.min});
  if (!reduces) {
    add(spec::kExtremes, {L.max, -L.max});
    v.insert(v.end(), {1.0, -1.0, 0.5, -0.5, L.epsilon});
  }
  return v;
}

// Integer extremes and the edges around them, as int64 values that wrap into the dtype
// (uint64's maximum is -1 here); none unless the mask has kExtremes.
std::vector<std::int64_t> special_integers(DType dtype, std::uint8_t mask) {
  if (!spec::is_integer(dtype) || !(mask & spec::kExtremes)) return {};
  const int bits = int(spec::itemsize(dtype)) * 8;
  if (spec::is_unsigned(dtype)) {
    const std::int64_t max = bits == 64 ? -1 : (std::int64_t(1) << bits) - 1;
    const std::int64_t top_bit = bits == 64 ? std::numeric_limits<std::int64_t>::min() : std::int64_t(1) << (bits - 1);
    return {0, 1, max, max - 1, top_bit, top_bit - 1};
  }
  const std::int64_t max = bits == 64 ? std::numeric_limits<std::int64_t>::max() : (std::int64_t(1) << (bits - 1)) - 1;
  const std::int64_t min = -max - 1;
  return {min, max, min + 1, max - 1, -1, 0, 1};
}

namespace {

struct ShapeSet {
  std::vector<Shape> shapes;
  std::vector<std::int64_t> axes;
  bool keepdims = false;
};

std::vector<ShapeSet> forward_shapes(OpKind kind) {
  switch (kind) {
    case OpKind::Unary:
      return {{{{}}}, {{{0}}}, {{{7}}}, {{{3, 4}}}, {{{2, 3, 5}}}, {{{4097}}}};
    case OpKind::Binary:
      return {{{{3, 4}, {3, 4}}},  {{{3, 4}, {4}}},    {{{2, 1, 4}, {3, 1}}}, {{{}, {5}}},
              {{{5}, {}}},         {{{0, 3}, {3}}},    {{{}, {}}},            {{{33, 65}, {33, 65}}}};
    case OpKind::Ternary:
      // Each operand broadcast on its own (a 0-d or row condition, 0-d bounds), empty, 0-d,
      // and long rows that reach the vectorised loops and their tails.
      return {{{{3, 4}, {3, 4}, {3, 4}}},    {{{3, 4}, {4}, {}}},        {{{4}, {3, 4}, {3, 1}}},
              {{{}, {2, 3}, {3}}},           {{{2, 1, 4}, {3, 1}, {4}}}, {{{0, 3}, {3}, {1}}},
              {{{}, {}, {}}},                {{{33, 65}, {33, 65}, {33, 65}}}, {{{4097}, {4097}, {4097}}}};
    case OpKind::Reduction:
      // Lengths around the pairwise block sizes (8, 128) and outer-axis runs of 16+ rows (a
      // kernel that blocks rows must carry between blocks), plus one of more than 2^16 terms.
      return {{{{3, 4}}, {}},          {{{3, 4}}, {0}},        {{{3, 4}}, {1}, true},
              {{{2, 3, 5}}, {0, 2}},   {{{2, 3, 5}}, {-1}},    {{{0, 3}}, {0}},
              {{{}}, {}},              {{{1000}}, {}},         {{{64, 129}}, {1}},
              {{{7}}, {}},             {{{8}}, {}},            {{{9}}, {}},
              {{{127}}, {}},           {{{128}}, {}},          {{{129}}, {}},
              {{{16, 5}}, {0}},        {{{129, 7}}, {0}},      {{{517, 3}}, {0}},
              {{{9, 128}}, {1}},       {{{20, 3, 40}}, {0, 2}}, {{{70001}}, {}},
              {{{300, 250}}, {0}, true}};
    case OpKind::Matmul:
      return {{{{3, 4}, {4, 5}}},  {{{1, 7}, {7, 1}}}, {{{0, 3}, {3, 2}}},
              {{{5, 0}, {0, 4}}},  {{{16, 33}, {33, 8}}}};
  }
  return {};
}

// Shapes whose inputs get special values: long enough to reach vectorised bodies and tails.
std::vector<ShapeSet> special_shapes(OpKind kind) {
  switch (kind) {
    case OpKind::Unary: return {{{{3, 4}}}, {{{4097}}}};
    case OpKind::Binary: return {{{{33, 65}, {33, 65}}}, {{{4097}, {4097}}}, {{{3, 4}, {4}}}};
    case OpKind::Ternary:
      return {{{{33, 65}, {33, 65}, {33, 65}}}, {{{4097}, {4097}, {4097}}}, {{{3, 4}, {4}, {3, 1}}}};
    case OpKind::Reduction: return {{{{1000}}, {}}, {{{64, 129}}, {1}}, {{{517, 3}}, {0}}};
    case OpKind::Matmul: return {{{{16, 33}, {33, 8}}}};
  }
  return {};
}

std::vector<ShapeSet> grad_shapes(OpKind kind) {
  switch (kind) {
    case OpKind::Unary: return {{{{}}}, {{{3, 4}}}};
    case OpKind::Binary: return {{{{3, 4}, {3, 4}}}, {{{3, 4}, {4}}}, {{{2, 1, 3}, {4, 1}}}};
    case OpKind::Ternary: return {{{{3, 4}, {3, 4}, {3, 4}}}, {{{3, 4}, {4}, {3, 1}}}, {{{4}, {2, 1, 4}, {3, 1}}}};
    case OpKind::Reduction: return {{{{3, 4}}, {}}, {{{3, 4}}, {1}}, {{{2, 3, 4}}, {0, 2}, true}};
    case OpKind::Matmul: return {{{{3, 4}, {4, 5}}}, {{{1, 6}, {6, 2}}}};
  }
  return {};
}

// Mixed-dtype pairs where the libraries' promotion rules are worth exercising.
const std::vector<std::pair<DType, DType>>& mixed_pairs() {
  static const std::vector<std::pair<DType, DType>> pairs{
      {DType::Int32, DType::Float32}, {DType::Int64, DType::Float32},  {DType::Bool, DType::Int32},
      {DType::Int32, DType::Float64}, {DType::Int32, DType::Int64},    {DType::Float32, DType::Float64},
      {DType::UInt8, DType::Int8},    {DType::Int16, DType::Float16},  {DType::Float16, DType::BFloat16},
      {DType::UInt8, DType::Float32}, {DType::Int8, DType::BFloat16},  {DType::Bool, DType::Float16},
      {DType::Float16, DType::Float64}};
  return pairs;
}

bool allowed(const CaseFilter& f, DType d) {
  return f.dtypes.empty() || std::find(f.dtypes.begin(), f.dtypes.end(), d) != f.dtypes.end();
}

// A mixed case: the first operand that is not a condition of dtype `a`, the others `b`.
std::vector<DType> mixed_dtypes(const spec::OpSpec& op, DType a, DType b) {
  std::vector<DType> out = operand_dtypes(op, std::size_t(op.arity), b);
  for (std::size_t k = 0; k < out.size(); ++k)
    if (!op.is_condition(k)) {
      out[k] = a;
      break;
    }
  return out;
}

// Scalar parameters worth setting for an op that takes them (nan_to_num): ordinary values,
// and values no float16 or float32 holds (the replacement becomes inf).
const std::vector<std::array<std::optional<double>, spec::kMaxScalarParams>>& scalar_settings() {
  static const std::vector<std::array<std::optional<double>, spec::kMaxScalarParams>> s{
      {1.5, 100.0, -100.0}, {-0.0, std::nullopt, 7.0}, {1e300, 1e300, -1e300}};
  return s;
}
bool takes_scalars(const spec::OpSpec& op) {
  for (const spec::ParamSpec& p : op.param_list())
    if (p.kind == spec::ParamKind::Scalar) return true;
  return false;
}

// The targets of an op with a dtype parameter (astype): every dtype of the op's (both
// libraries' dtypes) that the filter lists; one unset target for the other ops.
std::vector<std::optional<DType>> targets(const spec::OpSpec& op, const CaseFilter& f) {
  if (!op.casts()) return {std::nullopt};
  std::vector<std::optional<DType>> out;
  for (DType t : spec::kAllDTypes)
    if (op.dtypes.contains(t) && allowed(f, t)) out.push_back(t);
  return out;
}

// The layout combinations worth running for these shapes, one layout per operand: every
// layout on each operand alone (the others contiguous), so that a kernel that looks only at
// its first operand's strides is caught on the second; and every layout on all of them.
std::vector<std::vector<Layout>> layout_combos(const std::vector<Shape>& shapes) {
  std::vector<std::vector<Layout>> out{std::vector<Layout>(shapes.size(), Layout::Contiguous)};
  for (Layout l : kAllLayouts) {
    if (l == Layout::Contiguous) continue;
    std::size_t applies = 0;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      if (!layout_applies(l, shapes[i])) continue;
      ++applies;
      std::vector<Layout> one(shapes.size(), Layout::Contiguous);
      one[i] = l;
      out.push_back(one);
    }
    if (applies == shapes.size() && shapes.size() > 1) out.emplace_back(shapes.size(), l);
  }
  return out;
}

// splitmix64: a cheap, well-mixed hash of (seed, i) that picks where special values go.
std::uint64_t mix(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ull * (i + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Replaces about one element in `every` of a C-contiguous array with one of `specials`.
template <class V>
void mix_in(array::NdArray& values, const std::vector<V>& specials, std::uint64_t seed, std::uint64_t every) {
  if (specials.empty()) return;
  char* p = static_cast<char*>(values.data());
  spec::visit_dtype(values.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (std::int64_t i = 0, n = values.size(); i < n; ++i) {
      const std::uint64_t h = mix(seed, std::uint64_t(i));
      if (h % every != 0) continue;
      const V v = specials[(h >> 32) % specials.size()];  // every special fits its dtype
      T t{};
      if constexpr (std::is_same_v<V, double>)
        t = spec::from_double<T>(v);
      else if constexpr (std::is_integral_v<T>)
        t = T(v);  // wraps (uint64's maximum comes as -1)
      else
        throw ValueError("integer specials for a float dtype");
      std::memcpy(p + i * std::int64_t(sizeof(T)), &t, sizeof(T));
    }
  });
}

}  // namespace

std::vector<DType> operand_dtypes(const spec::OpSpec& op, std::size_t n, DType d) {
  std::vector<DType> out(n, d);
  for (std::size_t k = 0; k < n; ++k)
    if (op.is_condition(k)) out[k] = DType::Bool;
  return out;
}

std::vector<Case> make_cases(const CaseFilter& filter) {
  std::vector<Case> out;
  for (const spec::OpSpec& op : spec::op_table()) {
    if (!filter.ops.empty() &&
        std::find(filter.ops.begin(), filter.ops.end(), op.id) == filter.ops.end())
      continue;
    auto add_case = [&](Case c) { out.push_back(std::move(c)); };
    const std::vector<std::optional<DType>> to = targets(op, filter);
    if (to.empty()) continue;  // a cast whose targets the filter leaves out
    for (const ShapeSet& ss : forward_shapes(op.kind)) {
      for (DType d : spec::kAllDTypes) {
        if (!op.dtypes.contains(d) || !allowed(filter, d)) continue;
        for (const std::optional<DType>& t : to)
          for (const auto& combo : layout_combos(ss.shapes)) {
            Case c{op.id, Mode::Forward, ss.shapes, operand_dtypes(op, ss.shapes.size(), d), ss.axes, ss.keepdims,
                   combo[0], combo};
            c.target = t;
            add_case(std::move(c));
          }
      }
    }
    for (const ShapeSet& ss : special_shapes(op.kind)) {
      for (DType d : spec::kAllDTypes) {
        if (!op.dtypes.contains(d) || !allowed(filter, d)) continue;
        if (special_values(d, op.kind, op.specials).empty() && special_integers(d, op.specials).empty()) continue;
        for (const std::optional<DType>& t : to) {
          Case c{op.id, Mode::ForwardSpecial, ss.shapes, operand_dtypes(op, ss.shapes.size(), d), ss.axes,
                 ss.keepdims, Layout::Contiguous};
          c.target = t;
          add_case(std::move(c));
        }
        // The op's parameters set, on the same special values.
        if (takes_scalars(op))
          for (const auto& set : scalar_settings()) {
            Case c{op.id, Mode::ForwardSpecial, ss.shapes, operand_dtypes(op, ss.shapes.size(), d), ss.axes,
                   ss.keepdims, Layout::Contiguous};
            c.scalars = set;
            add_case(std::move(c));
          }
      }
    }
    if (op.kind == OpKind::Binary || op.kind == OpKind::Ternary) {
      // Mixed dtypes on a broadcast pair and on a 0-d second operand (PyTorch's categories),
      // the first value operand against the others. Where both libraries refuse the pair
      // (bitwise ops of floats), an error case instead.
      const std::size_t n = std::size_t(op.arity);
      for (auto [a, b] : mixed_pairs()) {
        if (!allowed(filter, a) || !allowed(filter, b)) continue;
        const std::vector<DType> dts = mixed_dtypes(op, a, b);
        std::vector<spec::Operand> ops;
        for (DType t : dts) ops.push_back({t, false});
        const bool refused = spec::find_refusal(op.id, spec::Semantics::NumPy, ops) &&
                             spec::find_refusal(op.id, spec::Semantics::PyTorch, ops);
        const Mode mode = refused ? Mode::Error : Mode::Forward;
        std::vector<Shape> row(n, Shape{4}), scalar(n, Shape{});
        row[0] = scalar[0] = {3, 4};
        add_case({op.id, mode, row, dts, {}, false, Layout::Contiguous});
        add_case({op.id, mode, scalar, dts, {}, false, Layout::Contiguous});
      }
      // Conditions of other dtypes (NumPy reads any dtype's truth; PyTorch takes bool and
      // uint8 only), with special values so that NaN and -0 conditions occur.
      if (op.conditions != 0)
        for (DType cd : {DType::UInt8, DType::Int32, DType::Float32, DType::Float64}) {
          if (!allowed(filter, cd) || !allowed(filter, DType::Float32)) continue;
          std::vector<DType> dts = operand_dtypes(op, n, DType::Float32);
          for (std::size_t k = 0; k < n; ++k)
            if (op.is_condition(k)) dts[k] = cd;
          add_case({op.id, Mode::ForwardSpecial, std::vector<Shape>(n, Shape{4097}), dts, {}, false,
                    Layout::Contiguous});
        }
    }
    if (op.differentiable) {
      for (DType d : {DType::Float32, DType::Float64}) {
        if (!op.dtypes.contains(d) || !allowed(filter, d)) continue;
        // A cast is differentiated from one float to the other (float32 to float64 and back).
        const DType other = d == DType::Float32 ? DType::Float64 : DType::Float32;
        const std::optional<DType> grad_target = to.front() ? std::optional<DType>(other) : std::nullopt;
        if (grad_target && !allowed(filter, other)) continue;
        auto add_grad = [&](Case c) {
          c.target = grad_target;
          add_case(std::move(c));
        };
        const auto shapes = grad_shapes(op.kind);
        for (const ShapeSet& ss : shapes) {
          // torch.prod takes one dim: a gradient over several has no PyTorch call to match
          if (op.torch_single_dim() && ss.axes.size() > 1) continue;
          add_grad({op.id, Mode::Grad, ss.shapes, operand_dtypes(op, ss.shapes.size(), d), ss.axes, ss.keepdims,
                    Layout::Contiguous});
        }
        // Gradients that must accumulate: twice through a retained graph, and (for ops of
        // several operands) one leaf in every operand slot, square where the op needs it.
        const ShapeSet& first = shapes.at(std::min<std::size_t>(1, shapes.size() - 1));
        add_grad({op.id, Mode::GradTwice, first.shapes, operand_dtypes(op, first.shapes.size(), d), first.axes,
                  first.keepdims, Layout::Contiguous});
        if (op.arity > 1) {
          const Shape square = op.kind == OpKind::Matmul ? Shape{4, 4} : Shape{3, 4};
          add_grad({op.id, Mode::GradSharedLeaf, std::vector<Shape>(std::size_t(op.arity), square),
                    operand_dtypes(op, std::size_t(op.arity), d), {}, false, Layout::Contiguous});
        }
      }
    }
    if (op.kind == OpKind::Matmul && allowed(filter, DType::Float32) && allowed(filter, DType::Float64))
      add_case({op.id, Mode::Forward, {{3, 4}, {4, 5}}, {DType::Float32, DType::Float64}, {}, false,
                Layout::Contiguous});
    // Refusals that both libraries make: each engine must raise its own library's error.
    // (Dtypes outside the spec but accepted by the libraries, like exp of bool, are not
    // refusals to check.)
    const DType f = allowed(filter, DType::Float32) ? DType::Float32 : DType::Float64;
    switch (op.kind) {
      case OpKind::Unary:
        if (!spec::accepts(op.id, spec::Semantics::NumPy, DType::Bool) &&
            !spec::accepts(op.id, spec::Semantics::PyTorch, DType::Bool) && allowed(filter, DType::Bool))
          add_case({op.id, Mode::Error, {{3}}, {DType::Bool}, {}, false, Layout::Contiguous});
        break;
      case OpKind::Binary:
        add_case({op.id, Mode::Error, {{2, 3}, {4}}, {f, f}, {}, false, Layout::Contiguous});
        break;
      case OpKind::Ternary:
        // Shapes that do not broadcast, between the first two and between the third and the
        // first two's broadcast (PyTorch names the shape so far as tensor a).
        add_case({op.id, Mode::Error, {{2, 3}, {4}, {3}}, operand_dtypes(op, 3, f), {}, false, Layout::Contiguous});
        add_case({op.id, Mode::Error, {{2}, {3, 1}, {4}}, operand_dtypes(op, 3, f), {}, false, Layout::Contiguous});
        break;
      case OpKind::Reduction:
        add_case({op.id, Mode::Error, {{2, 3}}, {f}, {0, -2}, false, Layout::Contiguous});
        add_case({op.id, Mode::Error, {{2, 3}}, {f}, {2}, false, Layout::Contiguous});
        break;
      case OpKind::Matmul:
        add_case({op.id, Mode::Error, {{2, 3}, {4, 5}}, {f, f}, {}, false, Layout::Contiguous});
        break;
    }
  }
  return out;
}

std::vector<Input> make_inputs(const Case& c) {
  const spec::OpSpec& op = spec::op_spec(c.op);
  std::vector<Input> out;
  for (std::size_t i = 0; i < c.shapes.size(); ++i) {
    const Shape& logical = c.shapes[i];
    const DType d = c.dtypes[i];
    const std::uint64_t seed = c.seed() + i;
    Layout layout = c.operand_layout(i);
    if (!layout_applies(layout, logical)) layout = Layout::Contiguous;
    // Broadcast: one row of values, seen along axis 0 with stride 0.
    Shape drawn = logical;
    if (layout == Layout::Broadcast) drawn[0] = 1;
    // Integers are drawn as integers in the domain, bool as fair coins.
    const spec::Domain dom = spec::domain_for(op, d);
    array::NdArray values = array::NdArray::random(drawn, d, seed, core::Distribution::Uniform, dom.lo, dom.hi);
    if (c.mode == Mode::ForwardSpecial) {
      // Dense for elementwise ops; sparse where one NaN or inf poisons a whole output element.
      const bool reduces = op.kind == OpKind::Reduction || op.kind == OpKind::Matmul;
      const std::uint64_t every = reduces ? 64 : 4;
      mix_in(values, special_values(d, op.kind, op.specials), seed ^ 0x5bd1e995ull, every);
      mix_in(values, special_integers(d, op.specials), seed ^ 0x5bd1e995ull, every);
    }
    Input in{values, values, layout};
    switch (layout) {
      case Layout::Contiguous: break;
      case Layout::Transposed:
        in.base = values.transpose().copy();  // memory in the transposed order
        in.view = in.base.transpose();        // same logical values, Fortran-like strides
        break;
      case Layout::NegativeStride: {
        std::vector<array::Slice> flip(logical.size());
        flip.back() = array::Slice{std::nullopt, std::nullopt, -1};
        in.base = values.slice(flip).copy();  // memory reversed along the last axis
        in.view = in.base.slice(flip);        // negative stride on the last axis
        break;
      }
      case Layout::Sliced: {
        // The values at even positions of a buffer twice as wide; the odd ones hold other
        // values, so a kernel that ignores the stride reads wrong numbers.
        Shape wide = logical;
        wide.back() *= 2;
        in.base = array::NdArray::random(wide, d, seed ^ 0xa5a5a5a5ull, core::Distribution::Uniform, dom.lo, dom.hi);
        std::vector<array::Slice> step(logical.size());
        step.back() = array::Slice{std::nullopt, std::nullopt, 2};
        array::NdArray target = in.base.slice(step);
        const std::vector<double> v = values.to_doubles();
        // Written element by element through the strided view (values fit the dtype exactly).
        std::vector<std::int64_t> idx(logical.size(), 0);
        for (std::size_t e = 0; e < v.size(); ++e) {
          std::int64_t rest = std::int64_t(e);
          for (std::size_t k = logical.size(); k-- > 0;) {
            idx[k] = rest % logical[k];
            rest /= logical[k];
          }
          target.set(idx, v[e]);
        }
        in.view = target;
        break;
      }
      case Layout::Offset: {
        constexpr std::int64_t kOffset = 3;
        const std::int64_t n = values.size(), isz = values.itemsize();
        in.base =
            array::NdArray::random({n + kOffset}, d, seed ^ 0x3c3c3c3cull, core::Distribution::Uniform, dom.lo, dom.hi);
        std::memcpy(static_cast<char*>(in.base.data()) + kOffset * isz, values.data(), std::size_t(n * isz));
        array::Strides strides(logical.size());
        std::int64_t step = isz;
        for (std::size_t k = logical.size(); k-- > 0;) {
          strides[k] = step;
          step *= std::max<std::int64_t>(logical[k], 1);
        }
        in.view = array::NdArray::from_storage(in.base.storage(), d, logical, strides, kOffset * isz);
        in.offset = kOffset;
        break;
      }
      case Layout::Broadcast:
        in.base = values;
        in.view = values.broadcast_to(logical);
        break;
    }
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace parity::suite
