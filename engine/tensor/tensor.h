#pragma once
// The tensor engine, with PyTorch semantics: a tensor is a view (dtype, sizes, element
// strides >= 0, element offset) over a refcounted Storage on a device (cpu or cuda:N),
// plus autograd state. Tensor is a handle: copies share the same tensor, as in PyTorch.
// Ops run the host/device functors in kernels/ on either device.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/device.h"
#include "engine/core/random.h"
#include "engine/core/storage.h"
#include "engine/spec/broadcast.h"
#include "engine/spec/dtype.h"
#include "engine/spec/ops.h"
#include "engine/spec/params.h"

namespace parity::tensor {

using core::Device;
using spec::DType;
using spec::Shape;
using Strides = std::vector<std::int64_t>;  // in elements, as torch.Tensor.stride()

struct TensorImpl;  // engine/tensor/impl.h

class Tensor {
 public:
  Tensor();  // undefined tensor: defined() is false
  explicit Tensor(std::shared_ptr<TensorImpl> impl);

  // Creation (contiguous).
  static Tensor empty(const Shape& shape, DType dtype, Device device = Device::cpu());
  static Tensor zeros(const Shape& shape, DType dtype, Device device = Device::cpu());
  static Tensor ones(const Shape& shape, DType dtype, Device device = Device::cpu());
  static Tensor full(const Shape& shape, double value, DType dtype, Device device = Device::cpu());
  static Tensor arange(double start, double stop, double step, DType dtype,
                       Device device = Device::cpu());
  // Seeded values generated on the host (core::fill_random) then moved to `device`: the
  // same seed gives the same values on every device.
  static Tensor random(const Shape& shape, DType dtype, std::uint64_t seed,
                       core::Distribution d = core::Distribution::Uniform, double a = 0.0,
                       double b = 1.0, Device device = Device::cpu());
  template <class T>
  static Tensor from_values(const Shape& shape, std::span<const T> values, Device device = Device::cpu());
  // A view over existing storage (must be on one device; ValueError if out of bounds).
  static Tensor from_storage(std::shared_ptr<core::Storage> storage, DType dtype,
                             const Shape& shape, const Strides& strides, std::int64_t offset);

  bool defined() const { return impl_ != nullptr; }
  DType dtype() const;
  const Shape& sizes() const;
  const Strides& strides() const;
  std::int64_t storage_offset() const;  // elements
  int dim() const;
  std::int64_t numel() const;
  Device device() const;
  bool is_contiguous() const;
  const std::shared_ptr<core::Storage>& storage() const;
  void* data_ptr() const;  // first element (storage offset applied)
  // The storage's version counter: bumped by every in-place write.
  std::uint64_t version() const;

  // Autograd.
  bool requires_grad() const;
  Tensor& requires_grad_(bool value = true);  // leaves only; floating dtypes only
  bool is_leaf() const;
  Tensor grad() const;  // undefined until backward() reaches this leaf
  void zero_grad();
  // Backpropagates from this tensor. `gradient` may be omitted for one-element tensors.
  // As PyTorch's, backward frees what each node it runs saved for it, unless retain_graph:
  // a second backward through such a node then fails with PyTorch's message.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  Tensor detach() const;  // shares storage, no history
  std::string grad_fn_name() const;  // "AddBackward", "" for leaves

  // Views (share storage and version counter; carry autograd history).
  Tensor transpose(int dim0, int dim1) const;
  Tensor t() const;  // 2-D transpose
  Tensor permute(std::span<const int> dims) const;
  // A view when strides allow it, else a contiguous copy (torch.reshape). One size may be -1.
  Tensor reshape(const Shape& shape) const;
  Tensor expand(const Shape& shape) const;  // stride 0 on expanded dims
  // torch slicing x[start:stop:step] along `dim`; step must be positive (as in PyTorch).
  Tensor slice(int dim, std::optional<std::int64_t> start, std::optional<std::int64_t> stop,
               std::int64_t step = 1) const;

  // Copies.
  Tensor contiguous() const;  // self when already contiguous
  Tensor clone() const;
  Tensor to(Device device) const;  // self when already there
  Tensor to(DType dtype) const;    // self when already that dtype
  Tensor cpu() const { return to(Device::cpu()); }

  // In-place (bumps the version counter).
  Tensor& add_(const Tensor& other);
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);  // broadcasting, casting, across devices

  // Element access (copies to the host as needed).
  double item() const;  // one-element tensors
  std::vector<double> to_doubles() const;  // all elements in C order

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// The ops, PyTorch semantics: PyTorch promotion (with 0-d categories), broadcasting,
// refusals and error messages from the registry (engine/spec/ops.h). Operands must be on
// one device (DeviceError otherwise). `call` is the one entry; the named functions wrap it.
Tensor call(spec::OpId op, std::span<const Tensor> inputs, const spec::Params& params = {});

Tensor add(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
// torch.sum(a, dim=dims, keepdim=keepdim); empty dims = all. bool/integers -> int64.
Tensor sum(const Tensor& a, std::span<const std::int64_t> dims = {}, bool keepdim = false);
Tensor matmul(const Tensor& a, const Tensor& b);  // 2-D only; float, and int32/int64 on cpu
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }

// Gradient mode, as torch.no_grad(): ops run inside record no history.
bool grad_enabled();
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

// torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, allow_unused): the
// gradients of the outputs with respect to each input (leaves or not), accumulated into no
// leaf's grad. An empty grad_outputs, or an undefined entry, means ones for a one-element
// output. An input the outputs do not depend on is an error, or an undefined tensor with
// allow_unused.
std::vector<Tensor> grad(std::span<const Tensor> outputs, std::span<const Tensor> inputs,
                         std::span<const Tensor> grad_outputs = {}, bool retain_graph = false,
                         bool allow_unused = false);

// Whether the cuda device can be used (CUDA compiled in and a device present).
bool cuda_available();

}  // namespace parity::tensor
