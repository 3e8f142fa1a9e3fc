#include "engine/interop/convert.h"

#include <optional>
#include <string>

#include "engine/spec/error.h"

namespace parity::interop {

namespace {

// The element strides of `a` when a tensor can view it (no negative strides, whole elements).
std::optional<tensor::Strides> tensor_strides(const array::NdArray& a, std::string* why = nullptr) {
  const std::int64_t item = a.itemsize();
  tensor::Strides strides;
  for (std::int64_t s : a.strides()) {
    if (s < 0) {
      if (why)
        *why = "At least one stride in the given array is negative, and tensors with negative strides "
               "are not supported; make a copy with to_tensor() (or array.copy()) first";
      return std::nullopt;
    }
    if (s % item != 0) {
      if (why)
        *why = "array strides are not a multiple of the element size (" + std::to_string(item) +
               " bytes); make a copy with to_tensor() first";
      return std::nullopt;
    }
    strides.push_back(s / item);
  }
  if (a.offset() % item != 0) {
    if (why) *why = "array offset is not a multiple of the element size; copy it with to_tensor() first";
    return std::nullopt;
  }
  return strides;
}

tensor::Tensor view_of(const array::NdArray& a, const tensor::Strides& strides) {
  return tensor::Tensor::from_storage(a.storage(), a.dtype(), a.shape(), strides, a.offset() / a.itemsize());
}

}  // namespace

tensor::Tensor from_array(const array::NdArray& a) {
  std::string why;
  const auto strides = tensor_strides(a, &why);
  if (!strides) throw ValueError(why);
  if (!a.writeable())
    throw ValueError("the array is read-only and a tensor cannot be; copy it with to_tensor() "
                     "(or array.copy()) first");
  return view_of(a, *strides);
}

tensor::Tensor to_tensor(const array::NdArray& a, core::Device device) {
  // Where a tensor can view the array, the tensor engine's own copy kernels do the work (a
  // contiguous array moves to a device in one transfer). Negative strides, which no tensor
  // can express, are first made C-contiguous by the array engine.
  const auto strides = tensor_strides(a);
  const array::NdArray src = strides ? a : a.copy();
  const tensor::Tensor view = view_of(src, strides ? *strides : tensor_strides(src).value());
  if (!device.is_cpu()) return view.to(device);
  return strides ? view.clone() : view;  // src is already a private copy
}

array::NdArray to_array(const tensor::Tensor& t) {
  if (!t.device().is_cpu())
    throw DeviceError("can't convert " + t.device().str() +
                      " device type tensor to an array; use Tensor.cpu() to copy the tensor to "
                      "host memory first");
  if (t.requires_grad())
    throw RuntimeError("can't convert a tensor that requires grad to an array; use "
                       "tensor.detach() first");
  const std::int64_t item = std::int64_t(spec::itemsize(t.dtype()));
  array::Strides strides;
  for (std::int64_t s : t.strides()) strides.push_back(s * item);
  return array::NdArray::from_storage(t.storage(), t.dtype(), t.sizes(), strides,
                                      t.storage_offset() * item, true);
}

array::NdArray copy_to_array(const tensor::Tensor& t) {
  // A device tensor's cpu() is already a private contiguous copy; a host one is cloned.
  const tensor::Tensor d = t.detach();
  return to_array(d.device().is_cpu() ? d.clone() : d.cpu());
}

}  // namespace parity::interop
