#pragma once
// Shapes and broadcasting, with each library's error message.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/spec/promote.h"

namespace parity::spec {

using Shape = std::vector<std::int64_t>;

std::int64_t numel(const Shape& s);
// "(2,3)" as NumPy prints shapes in its messages; "(2,)" for 1-d, "()" for 0-d.
std::string shape_str(const Shape& s);
// "[2, 3]" as PyTorch prints sizes.
std::string sizes_str(const Shape& s);
// Parses "2x3", "(2,3)", "2,3", "[]" or "" (0-d). Throws ValueError.
Shape parse_shape(std::string_view text);

// The broadcast shape of a and b. Throws ValueError with the message NumPy or PyTorch gives:
//   NumPy:   operands could not be broadcast together with shapes (2,3) (4,)  [trailing space]
//   PyTorch: The size of tensor a (3) must match the size of tensor b (4) at non-singleton
//            dimension 1
Shape broadcast_shapes(Semantics s, const Shape& a, const Shape& b);
// The broadcast shape of any number of operands (where, clip: three). NumPy names every shape
// (np.where(c, x, y): "operands could not be broadcast together with shapes (2,) (3,1) (4,) ");
// PyTorch broadcasts them left to right, so its message names the shape so far as tensor a
// (torch.where of (2,), (3,1), (4,): "The size of tensor a (2) must match the size of tensor b
// (4) at non-singleton dimension 1").
Shape broadcast_shapes(Semantics s, std::span<const Shape> shapes);

// Whether `from` broadcasts to exactly `to` (broadcast_to / expand). Throws ValueError if not.
void check_broadcast_to(Semantics s, const Shape& from, const Shape& to);

// Normalises a possibly negative axis against ndim; throws ValueError (NumPy's AxisError
// wording, or PyTorch's "Dimension out of range").
int normalize_axis(Semantics s, std::int64_t axis, int ndim);

}  // namespace parity::spec
