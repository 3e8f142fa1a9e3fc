#pragma once
// The tensor engine's internals: what a Tensor handle points to, and the raw helpers the
// engine's .cpp files share (allocation, device checks, kernel dispatch, copies). Nothing
// here records autograd history; the public ops in tensor.h do that.
#include <cstdint>
#include <memory>
#include <string>

#include "engine/core/iter.h"
#include "engine/tensor/tensor.h"
#include "kernels/common/api.h"

namespace parity::tensor {

namespace autograd {
struct Node;
}

struct TensorImpl {
  std::shared_ptr<core::Storage> storage;
  DType dtype = DType::Float32;
  Shape sizes;
  Strides strides;          // elements, >= 0
  std::int64_t offset = 0;  // elements

  // Autograd. A leaf requires grad when the user says so; a non-leaf has a grad_fn.
  bool requires_grad = false;
  std::shared_ptr<autograd::Node> grad_fn;
  // Leaves: their AccumulateGrad node, created on first use and shared by every later use
  // so that a leaf used twice gets one summed gradient (weak: the graph owns it).
  std::weak_ptr<autograd::Node> grad_accumulator;
  Tensor grad;
  // Set on views: the tensor whose storage they look at (never itself a view). Autograd
  // refuses in-place writes through views of tensors that take part in a graph.
  std::shared_ptr<TensorImpl> view_base;
};

namespace detail {

// The impl behind a handle; RuntimeError for an undefined tensor.
TensorImpl& get(const Tensor& t);

Strides contiguous_strides(const Shape& shape);
// ValueError for negative sizes (PyTorch's wording) or a size that overflows.
std::int64_t checked_numel(const Shape& shape);

// DeviceError unless `d` can be used now (cpu always; cuda when available, index 0).
void check_device(Device d);
std::shared_ptr<core::Storage> allocate(std::size_t nbytes, Device device);

// A new tensor over `storage` with this geometry and no autograd state.
Tensor make(std::shared_ptr<core::Storage> storage, DType dtype, Shape sizes, Strides strides,
            std::int64_t offset);
// Uninitialised contiguous tensor.
Tensor empty(const Shape& shape, DType dtype, Device device);
// Another tensor over t's storage (same dtype) with the given geometry; no autograd state.
Tensor alias(const Tensor& t, Shape sizes, Strides strides, std::int64_t offset);

kernels::Operand operand(const Tensor& t);
kernels::Operand operand(const Tensor& t, Strides strides);

// Kernel entry points of the tensor's device.
void run_elementwise(Device d, spec::OpId op, const kernels::Elementwise& args);
void run_copy(Device d, const kernels::Elementwise& args);
void run_fill(Device d, const Shape& shape, const kernels::Operand& out, double value);
void run_reduce(Device d, const kernels::Reduction& args);
void run_matmul(Device d, const kernels::Matmul& args);

// Raw copies (no autograd, no version bump). copy_into broadcasts src to dst's shape,
// casts, and crosses devices; it handles src overlapping dst by copying src first.
void copy_into(const Tensor& dst, const Tensor& src);
void fill_raw(const Tensor& dst, double value);
Tensor cast(const Tensor& t, DType dtype);         // contiguous copy in `dtype`
Tensor contiguous_copy(const Tensor& t);           // contiguous copy, same device
Tensor to_device(const Tensor& t, Device device);  // t itself when already there
Tensor zeros(const Shape& shape, DType dtype, Device device);

// RuntimeError when `value` does not fit `dtype` (PyTorch's checked conversion).
void check_value_fits(double value, DType dtype);

// "torch.FloatTensor", "torch.cuda.LongTensor": how PyTorch names tensor types in messages.
std::string torch_type_name(const Tensor& t);
// "Float", "Long": how PyTorch names dtypes in casting errors.
std::string torch_dtype_name(DType t);

// Whether two tensors may touch the same bytes (same storage, different geometry).
bool may_overlap(const Tensor& a, const Tensor& b);

}  // namespace detail
}  // namespace parity::tensor
