#include "engine/interop/convert.h"

#include "engine/spec/error.h"

namespace parity::interop {

tensor::Tensor from_array(const array::NdArray& a) {
  const std::int64_t item = a.itemsize();
  tensor::Strides strides;
  for (std::int64_t s : a.strides()) {
    if (s < 0)
      throw ValueError(
          "At least one stride in the given array is negative, and tensors with negative strides "
          "are not supported; make a copy with to_tensor() (or array.copy()) first");
    if (s % item != 0)
      throw ValueError("array strides are not a multiple of the element size (" +
                       std::to_string(item) + " bytes); make a copy with to_tensor() first");
    strides.push_back(s / item);
  }
  if (a.offset() % item != 0)
    throw ValueError("array offset is not a multiple of the element size; copy it first");
  if (!a.writeable())
    throw ValueError("the array is read-only and a tensor cannot be; copy it with to_tensor() "
                     "(or array.copy()) first");
  return tensor::Tensor::from_storage(a.storage(), a.dtype(), a.shape(), strides,
                                      a.offset() / item);
}

tensor::Tensor to_tensor(const array::NdArray& a, core::Device device) {
  // A C-contiguous copy can always be shared; then one more copy if it must move devices.
  const array::NdArray c = a.copy();
  tensor::Tensor t = tensor::Tensor::from_storage(c.storage(), c.dtype(), c.shape(),
                                                  [&] {
                                                    tensor::Strides s;
                                                    for (auto b : c.strides()) s.push_back(b / c.itemsize());
                                                    return s;
                                                  }(),
                                                  0);
  return device.is_cpu() ? t : t.to(device);
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
  return to_array(t.detach().cpu()).copy();
}

}  // namespace parity::interop
