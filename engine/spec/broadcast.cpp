#include "engine/spec/broadcast.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "engine/spec/error.h"
#include "engine/spec/fault.h"

namespace parity::spec {

std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

std::string shape_str(const Shape& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(s[i]);
  }
  if (s.size() == 1) out += ',';
  return out + ")";
}

std::string sizes_str(const Shape& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

Shape parse_shape(std::string_view text) {
  Shape out;
  std::string_view t = text;
  auto strip = [](std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    return v;
  };
  t = strip(t);
  if (!t.empty() && (t.front() == '(' || t.front() == '[')) {
    char close = t.front() == '(' ? ')' : ']';
    if (t.back() != close) throw ValueError("bad shape '" + std::string(text) + "'");
    t = strip(t.substr(1, t.size() - 2));
  }
  while (!t.empty()) {
    std::size_t cut = t.find_first_of(",x");
    std::string_view tok = strip(t.substr(0, cut));
    t = cut == std::string_view::npos ? std::string_view{} : t.substr(cut + 1);
    if (tok.empty() && t.empty() && !out.empty()) break;  // trailing comma: "(2,)"
    std::int64_t v = -1;
    auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
    if (ec != std::errc{} || p != tok.data() + tok.size() || v < 0)
      throw ValueError("bad shape '" + std::string(text) + "' (expected sizes like 2x3 or (2,3))");
    out.push_back(v);
  }
  return out;
}

Shape broadcast_shapes(Semantics s, const Shape& a, const Shape& b) {
  const std::size_t nd = std::max(a.size(), b.size());
  Shape out(nd);
  // From the right, as both libraries walk: PyTorch names the rightmost mismatch
  // (torch.ones(4,0) + torch.ones(4,0,7) fails at dimension 2, sizes 0 and 7).
  for (std::size_t i = nd; i-- > 0;) {
    // i counts result dims from the left; look up each operand's dim aligned to the right.
    const std::size_t from_right = nd - 1 - i;
    const std::int64_t da = from_right < a.size() ? a[a.size() - 1 - from_right] : 1;
    const std::int64_t db = from_right < b.size() ? b[b.size() - 1 - from_right] : 1;
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else if (s == Semantics::NumPy) {
      // NumPy ends the message with a space after the last shape.
      throw ValueError(std::string(PARITY_FAULT("error-message") ? "operands cannot be broadcast together with shapes "
                                                                 : "operands could not be broadcast together with shapes ") +
                       shape_str(a) +
                       " " + shape_str(b) + " ");
    } else {
      throw ValueError("The size of tensor a (" + std::to_string(da) +
                           ") must match the size of tensor b (" + std::to_string(db) +
                           ") at non-singleton dimension " + std::to_string(i),
                       py::kRuntimeError);
    }
  }
  return out;
}

Shape broadcast_shapes(Semantics s, std::span<const Shape> shapes) {
  if (shapes.empty()) return {};
  Shape out = shapes[0];
  for (std::size_t k = 1; k < shapes.size(); ++k) {
    if (s == Semantics::PyTorch || shapes.size() == 2) {
      out = broadcast_shapes(s, out, shapes[k]);
      continue;
    }
    try {
      out = broadcast_shapes(s, out, shapes[k]);
    } catch (const ValueError&) {
      std::string all;
      for (const Shape& sh : shapes) all += shape_str(sh) + " ";
      throw ValueError("operands could not be broadcast together with shapes " + all);
    }
  }
  return out;
}

void check_broadcast_to(Semantics s, const Shape& from, const Shape& to) {
  if (from.size() > to.size()) {
    if (s == Semantics::NumPy)
      throw ValueError("input operand has more dimensions than allowed by the axis remapping");
    throw ValueError("the number of sizes provided (" + std::to_string(to.size()) +
                         ") must be greater or equal to the number of dimensions in the tensor (" +
                         std::to_string(from.size()) + ")",
                     py::kRuntimeError);
  }
  for (std::size_t k = 0; k < from.size(); ++k) {
    const std::size_t i = to.size() - 1 - k;  // dim of the target, counted from the left
    const std::int64_t f = from[from.size() - 1 - k], t = to[i];
    if (f == t || f == 1) continue;
    // np.broadcast_to(np.ones(3), (4,)) and torch.ones(3).expand(4), word for word.
    if (s == Semantics::NumPy)
      throw ValueError("operands could not be broadcast together with remapped shapes "
                       "[original->remapped]: " + shape_str(from) + "  and requested shape " + shape_str(to));
    throw ValueError("The expanded size of the tensor (" + std::to_string(t) + ") must match the existing size (" +
                         std::to_string(f) + ") at non-singleton dimension " + std::to_string(i) +
                         ".  Target sizes: " + sizes_str(to) + ".  Tensor sizes: " + sizes_str(from),
                     py::kRuntimeError);
  }
}

int normalize_axis(Semantics s, std::int64_t axis, int ndim) {
  // PyTorch lets a 0-d tensor take dim 0 or -1; NumPy has no axis on a 0-d array.
  const int span = s == Semantics::PyTorch ? std::max(ndim, 1) : ndim;
  const std::int64_t lo = -span, hi = span - 1;
  if (axis < lo || axis > hi) {
    // np.sum(np.ones((2,3)), axis=2) raises numpy.AxisError (a ValueError and an IndexError);
    // torch.ones(2,3).sum(2) raises IndexError.
    if (s == Semantics::NumPy)
      throw ValueError("axis " + std::to_string(axis) + " is out of bounds for array of dimension " +
                           std::to_string(ndim),
                       py::kAxisError);
    throw IndexError("Dimension out of range (expected to be in range of [" + std::to_string(lo) +
                     ", " + std::to_string(hi) + "], but got " + std::to_string(axis) + ")");
  }
  return int(axis < 0 ? axis + span : axis);
}

}  // namespace parity::spec
