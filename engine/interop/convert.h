#pragma once
// Crossing between the engines, as torch.from_numpy / Tensor.numpy() / torch.tensor(arr) /
// Tensor.to(device) do. Zero-copy conversions share the very same core::Storage (so a write
// through one side is seen through the other, and they share the version counter); where a
// conversion cannot share memory it refuses with an error that names the fix.
#include "engine/array/array.h"
#include "engine/tensor/tensor.h"

namespace parity::interop {

// torch.from_numpy(a): a cpu tensor over a's memory, no copy. Refuses (ValueError) arrays with
// negative strides, strides or offsets that are not whole elements, and read-only arrays.
tensor::Tensor from_array(const array::NdArray& a);

// torch.tensor(a, device=d): a contiguous copy on `device`; any strides are accepted.
tensor::Tensor to_tensor(const array::NdArray& a, core::Device device = core::Device::cpu());

// t.numpy(): an array over t's memory, no copy. Refuses (DeviceError) tensors not on the cpu,
// naming .cpu(); refuses (RuntimeError) tensors that require grad, naming detach().
array::NdArray to_array(const tensor::Tensor& t);

// t.detach().cpu().numpy().copy(): a C-contiguous array copy from any device.
array::NdArray copy_to_array(const tensor::Tensor& t);

}  // namespace parity::interop
