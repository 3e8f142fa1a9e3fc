// Strided views, PyTorch rules: they share storage (and so the version counter) and carry
// autograd history through their own backward nodes.
#include <algorithm>
#include <optional>

#include "engine/spec/error.h"
#include "engine/tensor/autograd.h"
#include "engine/tensor/impl.h"

namespace parity::tensor {
namespace {

// A shape or argument error that PyTorch raises as RuntimeError.
ValueError torch_runtime_error(const std::string& what) { return ValueError(what, py::kRuntimeError); }

constexpr auto kTorch = spec::Semantics::PyTorch;

Tensor view_of(const Tensor& base, Shape sizes, Strides strides, std::int64_t offset) {
  Tensor out = detail::alias(base, std::move(sizes), std::move(strides), offset);
  autograd::mark_view(base, out);
  return out;
}

// Strides that let a tensor of (sizes, strides) be seen with `shape` without copying, or
// nothing when no such strides exist. After PyTorch's computeStride: walk the old dims from
// the innermost, grouping runs that are contiguous with each other ("chunks"); each chunk
// must be covered exactly by a run of new dims, which then step through it.
std::optional<Strides> view_strides(const Shape& sizes, const Strides& strides, const Shape& shape) {
  Strides out(shape.size(), 1);
  if (sizes.empty()) return out;  // 0-d: every new dim has size 1
  const std::int64_t n = spec::numel(sizes);
  if (n == 0) {
    if (sizes == shape) return strides;
    return detail::contiguous_strides(shape);  // no element is ever addressed
  }
  int view_d = int(shape.size()) - 1;
  std::int64_t chunk_base = strides.back();
  std::int64_t tensor_numel = 1, view_numel = 1;
  for (int d = int(sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= sizes[std::size_t(d)];
    const bool chunk_ends = d == 0 || (sizes[std::size_t(d - 1)] != 1 &&
                                       strides[std::size_t(d - 1)] != tensor_numel * chunk_base);
    if (!chunk_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || shape[std::size_t(view_d)] == 1)) {
      out[std::size_t(view_d)] = view_numel * chunk_base;
      view_numel *= shape[std::size_t(view_d)];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      chunk_base = strides[std::size_t(d - 1)];
      tensor_numel = 1;
      view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

// torch's infer_size: at most one -1, filled in from the element count.
Shape infer_shape(const Shape& shape, std::int64_t numel) {
  std::optional<std::size_t> infer;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer) throw torch_runtime_error("only one dimension can be inferred");
      infer = i;
    } else if (shape[i] < 0) {
      throw torch_runtime_error("invalid shape dimension " + std::to_string(shape[i]));
    } else {
      known *= shape[i];
    }
  }
  Shape out = shape;
  if (infer) {
    if (known == 0)
      throw torch_runtime_error("cannot reshape tensor of " + std::to_string(numel) + " elements into shape " +
                       spec::sizes_str(shape) +
                       " because the unspecified dimension size -1 can be any value and is ambiguous");
    if (numel % known == 0) {
      out[*infer] = numel / known;
      return out;
    }
  } else if (known == numel) {
    return out;
  }
  throw torch_runtime_error("shape '" + spec::sizes_str(shape) + "' is invalid for input of size " +
                   std::to_string(numel));
}

}  // namespace

Tensor Tensor::transpose(int dim0, int dim1) const {
  const int n = dim();
  const int a = spec::normalize_axis(kTorch, dim0, n);
  const int b = spec::normalize_axis(kTorch, dim1, n);
  Shape s = sizes();
  Strides st = strides();
  if (n > 0) {
    std::swap(s[std::size_t(a)], s[std::size_t(b)]);
    std::swap(st[std::size_t(a)], st[std::size_t(b)]);
  }
  Tensor out = view_of(*this, std::move(s), std::move(st), storage_offset());
  if (auto node = autograd::record(autograd::Fn::Transpose, {*this}, out)) node->ints = {a, b};
  return out;
}

Tensor Tensor::t() const {
  const int n = dim();
  if (n > 2)
    throw torch_runtime_error("t() expects a tensor with <= 2 dimensions, but self is " + std::to_string(n) + "D");
  Shape s = sizes();
  Strides st = strides();
  if (n == 2) {
    std::swap(s[0], s[1]);
    std::swap(st[0], st[1]);
  }
  Tensor out = view_of(*this, std::move(s), std::move(st), storage_offset());
  autograd::record(autograd::Fn::T, {*this}, out);
  return out;
}

Tensor Tensor::permute(std::span<const int> dims) const {
  const int n = dim();
  if (int(dims.size()) != n)
    throw torch_runtime_error(
        "permute(sparse_coo): number of dimensions in the tensor input does not match "
        "the length of the desired ordering of dimensions i.e. input.dim() = " +
        std::to_string(n) + " is not equal to len(dims) = " + std::to_string(dims.size()));
  std::vector<std::int64_t> perm(dims.size());
  std::vector<bool> seen(dims.size(), false);
  Shape s(dims.size());
  Strides st(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const int d = spec::normalize_axis(kTorch, dims[i], n);
    if (seen[std::size_t(d)]) throw torch_runtime_error("permute(): duplicate dims are not allowed.");
    seen[std::size_t(d)] = true;
    perm[i] = d;
    s[i] = sizes()[std::size_t(d)];
    st[i] = strides()[std::size_t(d)];
  }
  Tensor out = view_of(*this, std::move(s), std::move(st), storage_offset());
  if (auto node = autograd::record(autograd::Fn::Permute, {*this}, out)) node->ints = perm;
  return out;
}

Tensor Tensor::reshape(const Shape& shape) const {
  const Shape target = infer_shape(shape, numel());
  if (auto st = view_strides(sizes(), strides(), target)) {
    Tensor out = view_of(*this, target, std::move(*st), storage_offset());
    autograd::record(autograd::Fn::View, {*this}, out);
    return out;
  }
  // Not expressible as a view: copy to contiguous memory (torch.reshape's clone path).
  const Tensor copy = detail::contiguous_copy(*this);
  Tensor out = detail::alias(copy, target, detail::contiguous_strides(target), 0);
  autograd::record(autograd::Fn::UnsafeView, {*this}, out);
  return out;
}

Tensor Tensor::expand(const Shape& shape) const {
  const Shape& in = sizes();
  if (shape.size() < in.size())
    throw torch_runtime_error("expand(" + detail::torch_type_name(*this) + "{" + spec::sizes_str(in) +
                     "}, size=" + spec::sizes_str(shape) + "): the number of sizes provided (" +
                     std::to_string(shape.size()) +
                     ") must be greater or equal to the number of dimensions in the tensor (" +
                     std::to_string(in.size()) + ")");
  const std::size_t lead = shape.size() - in.size();
  Shape target = shape;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (i < lead)
        throw torch_runtime_error(
            "The expanded size of the tensor (-1) isn't allowed in a leading, "
            "non-existing dimension " +
            std::to_string(i));
      target[i] = in[i - lead];
    } else if (shape[i] < 0) {
      throw torch_runtime_error("The expanded size of the tensor (" + std::to_string(shape[i]) +
                       ") must be non-negative");
    }
  }
  spec::check_broadcast_to(kTorch, in, target);
  Strides st(target.size(), 0);
  for (std::size_t i = lead; i < target.size(); ++i)
    st[i] = in[i - lead] == target[i] ? strides()[i - lead] : 0;
  Tensor out = view_of(*this, target, std::move(st), storage_offset());
  autograd::record(autograd::Fn::Expand, {*this}, out);
  return out;
}

Tensor Tensor::slice(int dim, std::optional<std::int64_t> start, std::optional<std::int64_t> stop,
                     std::int64_t step) const {
  if (this->dim() == 0) throw IndexError("slice() cannot be applied to a 0-dim tensor.");
  if (step <= 0) throw torch_runtime_error("step must be greater than zero");
  const int d = spec::normalize_axis(kTorch, dim, this->dim());
  const std::int64_t size = sizes()[std::size_t(d)];
  // Python slice bounds: negative counts from the end, then clamp into [0, size].
  auto clamp = [size](std::int64_t v) {
    if (v < 0) v = v < -size ? 0 : v + size;
    return std::min(v, size);
  };
  const std::int64_t b = clamp(start.value_or(0));
  const std::int64_t e = std::max(b, clamp(stop.value_or(size)));
  Shape s = sizes();
  Strides st = strides();
  s[std::size_t(d)] = e == b ? 0 : (e - b - 1) / step + 1;  // no overflow for a huge step
  const std::int64_t offset = storage_offset() + b * st[std::size_t(d)];
  st[std::size_t(d)] *= step;
  Tensor out = view_of(*this, std::move(s), std::move(st), offset);
  if (auto node = autograd::record(autograd::Fn::Slice, {*this}, out)) node->ints = {d, b, e, step};
  return out;
}

}  // namespace parity::tensor
