#pragma once
// The gradient table, keyed by op (as PyTorch's tools/autograd/derivatives.yaml): each row
// says what the op's backward reads for each input's gradient (inputs by index, the output)
// and gives the formula in the engine's own ops. The engine saves exactly what the row
// declares, and reduces each returned gradient to its input's shape, dtype and device once
// (unbroadcast), so no formula repeats that.
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/spec/ops.h"
#include "engine/tensor/tensor.h"

namespace parity::tensor::autograd {

struct Node;
using Grads = std::vector<Tensor>;

// What the gradient of one input reads: a bit mask of saved inputs, and the output.
struct Needs {
  std::uint8_t inputs = 0;  // bit i: input i
  bool output = false;
};
inline constexpr std::uint8_t in(int i) { return std::uint8_t(1u << i); }

struct GradRow {
  spec::OpId op;
  std::string_view name;       // the grad_fn PyTorch prints: "MulBackward0"
  std::string_view name_dims;  // when the call names dims ("SumBackward1"); "" = name
  std::array<Needs, spec::kMaxArity> needs;  // per input
  // g is the gradient of the output; returns one gradient per input (undefined where
  // node.needs_grad(i) is false). Null for ops the registry marks not differentiable.
  Grads (*formula)(const Node& node, const Tensor& g);
};

const GradRow& grad_row(spec::OpId op);

}  // namespace parity::tensor::autograd
