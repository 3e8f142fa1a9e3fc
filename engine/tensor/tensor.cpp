// Tensor handles: creation, accessors, copies, in-place ops and element access.
#include <cmath>
#include <cstring>
#include <type_traits>

#include "engine/spec/error.h"
#include "engine/spec/ops.h"
#include "engine/tensor/autograd.h"
#include "engine/tensor/impl.h"
#include "kernels/common/cuda_runtime.h"
#include "kernels/common/functors.h"

namespace parity::tensor {

using detail::get;

Tensor::Tensor() = default;
Tensor::Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

// ---- creation -------------------------------------------------------------------------

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  detail::check_device(device);
  return detail::empty(shape, dtype, device);
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  return full(shape, 0.0, dtype, device);
}

Tensor Tensor::ones(const Shape& shape, DType dtype, Device device) {
  return full(shape, 1.0, dtype, device);
}

Tensor Tensor::full(const Shape& shape, double value, DType dtype, Device device) {
  detail::check_value_fits(value, dtype);
  Tensor out = empty(shape, dtype, device);
  detail::fill_raw(out, value);
  return out;
}

Tensor Tensor::arange(double start, double stop, double step, DType dtype, Device device) {
  if (!std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step))
    throw ValueError("unsupported range: " + std::to_string(start) + " -> " + std::to_string(stop));
  if (step == 0) throw ValueError("step must be nonzero");
  if ((step > 0 && stop < start) || (step < 0 && stop > start))
    throw ValueError("upper bound and larger bound inconsistent with step sign");
  // As torch.arange: ceil((end - start) / step) elements, element i = start + i * step.
  const double count = std::ceil((stop - start) / step);
  if (count > 9.0e15) throw ValueError("arange: too many elements");
  const auto n = std::int64_t(count);
  detail::check_value_fits(start, dtype);
  if (n > 0) detail::check_value_fits(start + double(n - 1) * step, dtype);
  Tensor host = detail::empty({n}, dtype, Device::cpu());
  spec::visit_torch_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = static_cast<T*>(host.data_ptr());
    for (std::int64_t i = 0; i < n; ++i) p[i] = kernels::cast_value<T>(start + double(i) * step);
  });
  return detail::to_device(host, device);
}

Tensor Tensor::random(const Shape& shape, DType dtype, std::uint64_t seed, core::Distribution d, double a,
                      double b, Device device) {
  detail::check_device(device);
  Tensor host = detail::empty(shape, dtype, Device::cpu());
  core::fill_random(d, dtype, host.data_ptr(), host.numel(), seed, a, b);
  return detail::to_device(host, device);
}

template <class T>
Tensor Tensor::from_values(const Shape& shape, std::span<const T> values, Device device) {
  detail::check_device(device);
  Tensor host = detail::empty(shape, spec::dtype_of<T>(), Device::cpu());
  if (std::int64_t(values.size()) != host.numel())
    throw ValueError("from_values: " + std::to_string(values.size()) + " values for sizes " +
                     spec::sizes_str(shape) + " (" + std::to_string(host.numel()) + " elements)");
  if (!values.empty()) std::memcpy(host.data_ptr(), values.data(), values.size() * sizeof(T));
  return detail::to_device(host, device);
}
template Tensor Tensor::from_values<bool>(const Shape&, std::span<const bool>, Device);
template Tensor Tensor::from_values<std::int32_t>(const Shape&, std::span<const std::int32_t>, Device);
template Tensor Tensor::from_values<std::int64_t>(const Shape&, std::span<const std::int64_t>, Device);
template Tensor Tensor::from_values<float>(const Shape&, std::span<const float>, Device);
template Tensor Tensor::from_values<double>(const Shape&, std::span<const double>, Device);

Tensor Tensor::from_storage(std::shared_ptr<core::Storage> storage, DType dtype, const Shape& shape,
                            const Strides& strides, std::int64_t offset) {
  if (!storage) throw ValueError("from_storage: storage is null");
  if (strides.size() != shape.size())
    throw ValueError("from_storage: " + std::to_string(strides.size()) + " strides for " +
                     std::to_string(shape.size()) + " sizes");
  const std::int64_t n = detail::checked_numel(shape);
  for (std::int64_t s : strides)
    if (s < 0) throw ValueError("from_storage: negative strides are not supported (PyTorch has none)");
  if (offset < 0) throw ValueError("from_storage: negative storage offset " + std::to_string(offset));
  const auto isz = std::int64_t(spec::itemsize(dtype));
  std::int64_t needed = 0;  // bytes the view reaches, as PyTorch's setStorage computes it
  if (n > 0) {
    std::int64_t last = offset;
    for (std::size_t d = 0; d < shape.size(); ++d) last += (shape[d] - 1) * strides[d];
    needed = (last + 1) * isz;
  }
  if (needed > std::int64_t(storage->nbytes()))
    throw ValueError("setStorage: sizes " + spec::sizes_str(shape) + ", strides " + spec::sizes_str(strides) +
                     ", storage offset " + std::to_string(offset) + ", and itemsize " + std::to_string(isz) +
                     " requiring a storage size of " + std::to_string(needed) +
                     " are out of bounds for storage of size " + std::to_string(storage->nbytes()));
  return detail::make(std::move(storage), dtype, shape, strides, offset);
}

// ---- accessors ------------------------------------------------------------------------

DType Tensor::dtype() const { return get(*this).dtype; }
const Shape& Tensor::sizes() const { return get(*this).sizes; }
const Strides& Tensor::strides() const { return get(*this).strides; }
std::int64_t Tensor::storage_offset() const { return get(*this).offset; }
int Tensor::dim() const { return int(get(*this).sizes.size()); }
std::int64_t Tensor::numel() const { return spec::numel(get(*this).sizes); }
Device Tensor::device() const { return get(*this).storage->device(); }
const std::shared_ptr<core::Storage>& Tensor::storage() const { return get(*this).storage; }
std::uint64_t Tensor::version() const { return get(*this).storage->version(); }

bool Tensor::is_contiguous() const {
  const TensorImpl& t = get(*this);
  if (numel() == 0) return true;
  std::int64_t expected = 1;
  for (std::size_t d = t.sizes.size(); d-- > 0;) {
    if (t.sizes[d] == 1) continue;  // a size-1 dim's stride never matters
    if (t.strides[d] != expected) return false;
    expected *= t.sizes[d];
  }
  return true;
}

void* Tensor::data_ptr() const {
  const TensorImpl& t = get(*this);
  auto* base = static_cast<char*>(t.storage->data());
  if (!base) return nullptr;  // zero-byte storage
  return base + t.offset * std::int64_t(spec::itemsize(t.dtype));
}

bool cuda_available() { return kernels::cuda::available(); }

// ---- copies ---------------------------------------------------------------------------

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  return clone();
}

Tensor Tensor::clone() const {
  Tensor out = detail::contiguous_copy(*this);
  autograd::record(autograd::Fn::Clone, {*this}, out);
  return out;
}

Tensor Tensor::to(Device device) const {
  if (this->device() == device) return *this;
  Tensor out = detail::to_device(*this, device);
  autograd::record(autograd::Fn::ToCopy, {*this}, out);
  return out;
}

Tensor Tensor::to(DType dtype) const {
  if (this->dtype() == dtype) return *this;
  Tensor out = detail::cast(*this, dtype);
  autograd::record(autograd::Fn::ToCopy, {*this}, out);
  return out;
}

// ---- in-place -------------------------------------------------------------------------

namespace {

// PyTorch's canCast: no float -> integer/bool, no integer -> bool.
bool can_cast(DType from, DType to) {
  if (spec::is_floating(from) && !spec::is_floating(to)) return false;
  if (!spec::is_bool(from) && spec::is_bool(to)) return false;
  return true;
}

// Writing through a stride-0 dim would write one element several times.
void check_internal_overlap(const Tensor& t) {
  for (std::size_t d = 0; d < t.sizes().size(); ++d)
    if (t.sizes()[d] > 1 && t.strides()[d] == 0)
      throw RuntimeError(
          "unsupported operation: more than one element of the written-to tensor "
          "refers to a single memory location. Please clone() the tensor before "
          "performing the operation.");
}

void check_output_shape(const Tensor& self, const Shape& broadcast) {
  if (broadcast != self.sizes())
    throw ValueError("output with shape " + spec::sizes_str(self.sizes()) +
                     " doesn't match the broadcast shape " + spec::sizes_str(broadcast));
}

}  // namespace

Tensor& Tensor::add_(const Tensor& other) {
  get(*this);
  get(other);
  if (device() != other.device())
    throw DeviceError(
        "Expected all tensors to be on the same device, but found at least two "
        "devices, " +
        device().str() + " and " + other.device().str() + "!");
  const spec::Operand ops[] = {{dtype(), dim() == 0}, {other.dtype(), other.dim() == 0}};
  const DType rt = spec::result_dtype(spec::OpId::Add, spec::Semantics::PyTorch, ops);
  if (!can_cast(rt, dtype()))
    // torch.ones(3, dtype=torch.int32).add_(torch.ones(3))
    throw TypeError("result type " + detail::torch_dtype_name(rt) + " can't be cast to the desired output type " +
                        detail::torch_dtype_name(dtype()),
                    py::kRuntimeError);
  const Shape shapes[] = {sizes(), other.sizes()};
  check_output_shape(*this, spec::result_shape(spec::OpId::Add, spec::Semantics::PyTorch, shapes));
  check_internal_overlap(*this);
  const bool record = autograd::inplace_check(*this, {other});

  if (rt == dtype()) {
    Tensor o = other.dtype() == rt ? other : detail::cast(other, rt);
    if (detail::may_overlap(*this, o)) o = detail::contiguous_copy(o);
    const Strides bs = core::broadcast_strides(o.sizes(), o.strides(), sizes());
    detail::run_elementwise(
        device(), spec::OpId::Add,
        kernels::Elementwise{
            sizes(), detail::operand(*this), {detail::operand(*this), detail::operand(o, bs)}});
  } else {
    // Compute in the promoted dtype, then cast back into self (as PyTorch's TensorIterator).
    Tensor wide;
    {
      NoGradGuard guard;
      wide = add(*this, other);
    }
    detail::copy_into(*this, wide);
  }
  storage()->bump_version();
  if (record) autograd::inplace_record(autograd::Fn::Add_, *this, {other});
  return *this;
}

Tensor& Tensor::fill_(double value) {
  get(*this);
  detail::check_value_fits(value, dtype());
  const bool record = autograd::inplace_check(*this, {});
  detail::fill_raw(*this, value);
  storage()->bump_version();
  if (record) autograd::inplace_record(autograd::Fn::Fill, *this, {});
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  get(*this);
  get(src);
  check_output_shape(*this, spec::broadcast_shapes(spec::Semantics::PyTorch, sizes(), src.sizes()));
  check_internal_overlap(*this);
  const bool record = autograd::inplace_check(*this, {src});
  detail::copy_into(*this, src);
  storage()->bump_version();
  if (record) autograd::inplace_record(autograd::Fn::Copy, *this, {src});
  return *this;
}

// ---- element access -------------------------------------------------------------------

double Tensor::item() const {
  const std::int64_t n = numel();
  if (n != 1)
    throw RuntimeError("a Tensor with " + std::to_string(n) + " elements cannot be converted to Scalar");
  return to_doubles()[0];
}

std::vector<double> Tensor::to_doubles() const {
  Tensor host = detail::to_device(*this, Device::cpu());
  if (!host.is_contiguous()) host = detail::contiguous_copy(host);
  std::vector<double> out(std::size_t(host.numel()));
  spec::visit_torch_dtype(host.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = static_cast<const T*>(host.data_ptr());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = spec::to_double(p[i]);
  });
  return out;
}

}  // namespace parity::tensor
