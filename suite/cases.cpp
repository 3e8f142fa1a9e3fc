#include "suite/cases.h"

#include <algorithm>

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
  }
  return "?";
}

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::Forward: return "forward";
    case Mode::Grad: return "grad";
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
  return s;
}

std::string Case::dtypes_str() const {
  std::string s;
  bool same = std::all_of(dtypes.begin(), dtypes.end(), [&](DType d) { return d == dtypes[0]; });
  for (std::size_t i = 0; i < (same ? 1 : dtypes.size()); ++i)
    s += (i ? "+" : "") + std::string(spec::dtype_name(dtypes[i]));
  return s;
}

std::string Case::key() const {
  return std::string(spec::op_spec(op).name) + "|" + dtypes_str() + "|" + shapes_str() + "|" +
         std::string(layout_name(layout)) + "|" + std::string(mode_name(mode));
}

std::uint64_t Case::seed() const {
  // The key without the layout, so the three layouts of a case hold the same values.
  const std::string k = std::string(spec::op_spec(op).name) + "|" + dtypes_str() + "|" + shapes_str() + "|" +
                        std::string(mode_name(mode));
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across compilers, unlike std::hash
  for (unsigned char ch : k) h = (h ^ ch) * 1099511628211ull;
  return h;
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
    case OpKind::Reduction:
      return {{{{3, 4}}, {}},        {{{3, 4}}, {0}},        {{{3, 4}}, {1}, true},
              {{{2, 3, 5}}, {0, 2}}, {{{2, 3, 5}}, {-1}},    {{{0, 3}}, {0}},
              {{{}}, {}},            {{{1000}}, {}},         {{{64, 129}}, {1}}};
    case OpKind::Matmul:
      return {{{{3, 4}, {4, 5}}},  {{{1, 7}, {7, 1}}}, {{{0, 3}, {3, 2}}},
              {{{5, 0}, {0, 4}}},  {{{16, 33}, {33, 8}}}};
  }
  return {};
}

std::vector<ShapeSet> grad_shapes(OpKind kind) {
  switch (kind) {
    case OpKind::Unary: return {{{{}}}, {{{3, 4}}}};
    case OpKind::Binary: return {{{{3, 4}, {3, 4}}}, {{{3, 4}, {4}}}, {{{2, 1, 3}, {4, 1}}}};
    case OpKind::Reduction: return {{{{3, 4}}, {}}, {{{3, 4}}, {1}}, {{{2, 3, 4}}, {0, 2}, true}};
    case OpKind::Matmul: return {{{{3, 4}, {4, 5}}}, {{{1, 6}, {6, 2}}}};
  }
  return {};
}

// Mixed-dtype pairs where the libraries' promotion rules are worth exercising.
const std::vector<std::pair<DType, DType>>& mixed_pairs() {
  static const std::vector<std::pair<DType, DType>> pairs{
      {DType::Int32, DType::Float32}, {DType::Int64, DType::Float32},
      {DType::Bool, DType::Int32},    {DType::Int32, DType::Float64},
      {DType::Int32, DType::Int64},   {DType::Float32, DType::Float64}};
  return pairs;
}

bool allowed(const CaseFilter& f, DType d) {
  return f.dtypes.empty() || std::find(f.dtypes.begin(), f.dtypes.end(), d) != f.dtypes.end();
}

// Layouts that change anything for these shapes: a transpose needs a 2-d input, a flip a
// non-empty last axis.
std::vector<Layout> layouts_for(const std::vector<Shape>& shapes) {
  std::vector<Layout> out{Layout::Contiguous};
  bool any2d = false, any1d = false;
  for (const Shape& s : shapes) {
    any2d |= s.size() >= 2;
    any1d |= !s.empty() && s.back() > 1;
  }
  if (any2d) out.push_back(Layout::Transposed);
  if (any1d) out.push_back(Layout::NegativeStride);
  return out;
}

}  // namespace

std::vector<Case> make_cases(const CaseFilter& filter) {
  std::vector<Case> out;
  for (const spec::OpSpec& op : spec::op_table()) {
    if (!filter.ops.empty() &&
        std::find(filter.ops.begin(), filter.ops.end(), op.id) == filter.ops.end())
      continue;
    auto add_case = [&](Case c) { out.push_back(std::move(c)); };
    for (const ShapeSet& ss : forward_shapes(op.kind)) {
      for (DType d : spec::kAllDTypes) {
        if (!op.dtypes.contains(d) || !allowed(filter, d)) continue;
        for (Layout l : layouts_for(ss.shapes))
          add_case({op.id, Mode::Forward, ss.shapes, std::vector<DType>(ss.shapes.size(), d),
                    ss.axes, ss.keepdims, l});
      }
    }
    if (op.kind == OpKind::Binary) {
      // Mixed dtypes on a broadcast pair and on a 0-d second operand (PyTorch's categories).
      for (auto [a, b] : mixed_pairs()) {
        if (!allowed(filter, a) || !allowed(filter, b)) continue;
        add_case({op.id, Mode::Forward, {{3, 4}, {4}}, {a, b}, {}, false, Layout::Contiguous});
        add_case({op.id, Mode::Forward, {{3, 4}, {}}, {a, b}, {}, false, Layout::Contiguous});
      }
    }
    if (op.differentiable) {
      for (const ShapeSet& ss : grad_shapes(op.kind))
        for (DType d : {DType::Float32, DType::Float64})
          if (op.dtypes.contains(d) && allowed(filter, d))
            add_case({op.id, Mode::Grad, ss.shapes, std::vector<DType>(ss.shapes.size(), d), ss.axes,
                      ss.keepdims, Layout::Contiguous});
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
    // Integers are drawn as integers in the domain, bool as fair coins.
    array::NdArray values =
        array::NdArray::random(logical, d, seed, core::Distribution::Uniform, op.domain.lo, op.domain.hi);
    Layout layout = c.layout;
    if (layout == Layout::Transposed && logical.size() < 2) layout = Layout::Contiguous;
    if (layout == Layout::NegativeStride && logical.empty()) layout = Layout::Contiguous;
    Input in{values, values, layout};
    if (layout == Layout::Transposed) {
      in.base = values.transpose().copy();  // memory in the transposed order
      in.view = in.base.transpose();        // same logical values, Fortran-like strides
    } else if (layout == Layout::NegativeStride) {
      std::vector<array::Slice> flip(logical.size());
      flip.back() = array::Slice{std::nullopt, std::nullopt, -1};
      in.base = values.slice(flip).copy();  // memory reversed along the last axis
      in.view = in.base.slice(flip);        // negative stride on the last axis
    }
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace parity::suite
