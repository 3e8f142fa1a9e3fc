// Conversions between the engines: zero-copy means the same memory, proven by pointer
// identity and by writes seen from the other side; copies are independent; refusals name
// the fix.
#include <gtest/gtest.h>

#include <array>

#include "engine/interop/convert.h"
#include "engine/spec/error.h"

namespace pa = parity::array;
namespace pt = parity::tensor;
namespace pi = parity::interop;
using parity::spec::DType;

namespace {
pa::NdArray iota(const pa::Shape& shape, DType dtype) {
  return pa::NdArray::arange(0, double(parity::spec::numel(shape)), 1, dtype).reshape(shape);
}
const std::array<std::int64_t, 2> kAt01{0, 1};
}  // namespace

TEST(Interop, FromArraySharesMemory) {
  pa::NdArray a = iota({2, 3}, DType::Float32);
  pt::Tensor t = pi::from_array(a);
  EXPECT_EQ(t.data_ptr(), a.data());
  EXPECT_EQ(t.storage(), a.storage());
  EXPECT_EQ(t.sizes(), (pa::Shape{2, 3}));
  EXPECT_EQ(t.strides(), (pt::Strides{3, 1}));  // a.strides() == (12, 4) bytes
  // A write through the array is seen by the tensor ...
  a.set(kAt01, 42.0);
  EXPECT_EQ(t.to_doubles()[1], 42.0);
  // ... and one through the tensor by the array.
  t.fill_(7.0);
  EXPECT_EQ(a.get(kAt01), 7.0);
}

TEST(Interop, FromArrayKeepsViewLayout) {
  // np.arange(12).reshape(3,4).T: strides (8, 32) bytes -> tensor strides (1, 4).
  pa::NdArray base = iota({3, 4}, DType::Int64);
  pa::NdArray v = base.transpose();
  pt::Tensor t = pi::from_array(v);
  EXPECT_EQ(t.sizes(), (pa::Shape{4, 3}));
  EXPECT_EQ(t.strides(), (pt::Strides{1, 4}));
  EXPECT_EQ(t.to_doubles(), v.to_doubles());
  // A sliced view with an offset: base[1:, 1::2] starts at element 5.
  std::array<pa::Slice, 2> sl{pa::Slice{1, std::nullopt, 1}, pa::Slice{1, std::nullopt, 2}};
  pa::NdArray s = base.slice(sl);
  pt::Tensor ts = pi::from_array(s);
  EXPECT_EQ(ts.storage_offset(), 5);
  EXPECT_EQ(ts.to_doubles(), (std::vector<double>{5, 7, 9, 11}));
}

TEST(Interop, FromArrayRefusesNegativeStridesAndReadOnly) {
  pa::NdArray a = iota({4}, DType::Float64);
  std::array<pa::Slice, 1> rev{pa::Slice{std::nullopt, std::nullopt, -1}};
  pa::NdArray r = a.slice(rev);
  try {
    pi::from_array(r);
    FAIL() << "negative strides accepted";
  } catch (const parity::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("negative"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("to_tensor()"), std::string::npos);
  }
  EXPECT_THROW(pi::from_array(a.broadcast_to({3, 4})), parity::ValueError);
  // The copy path accepts both and gives the same values.
  EXPECT_EQ(pi::to_tensor(r).to_doubles(), (std::vector<double>{3, 2, 1, 0}));
  EXPECT_EQ(pi::to_tensor(a.broadcast_to({2, 4})).numel(), 8);
}

TEST(Interop, ToTensorCopies) {
  pa::NdArray a = iota({2, 2}, DType::Int32);
  pt::Tensor t = pi::to_tensor(a);
  EXPECT_NE(t.data_ptr(), a.data());
  t.fill_(9);
  EXPECT_EQ(a.get(kAt01), 1.0);
}

TEST(Interop, ToArraySharesMemory) {
  pt::Tensor t = pt::Tensor::arange(0, 6, 1, DType::Float64).reshape({2, 3});
  pa::NdArray a = pi::to_array(t);
  EXPECT_EQ(a.data(), t.data_ptr());
  EXPECT_EQ(a.strides(), (pa::Strides{24, 8}));
  t.fill_(3.5);
  EXPECT_EQ(a.get(kAt01), 3.5);
  a.set(kAt01, -1.0);
  EXPECT_EQ(t.to_doubles()[1], -1.0);
  // Transposed tensor view -> array view with the same element order.
  pa::NdArray at = pi::to_array(t.t());
  EXPECT_EQ(at.shape(), (pa::Shape{3, 2}));
  EXPECT_EQ(at.strides(), (pa::Strides{8, 24}));
}

TEST(Interop, ToArrayRefusesGradAndNamesDetach) {
  pt::Tensor t = pt::Tensor::ones({3}, DType::Float32);
  t.requires_grad_();
  try {
    pi::to_array(t);
    FAIL();
  } catch (const parity::RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("detach()"), std::string::npos);
  }
  EXPECT_EQ(pi::to_array(t.detach()).data(), t.data_ptr());
  EXPECT_EQ(pi::copy_to_array(t).to_doubles(), (std::vector<double>{1, 1, 1}));
}

TEST(Interop, CudaTensorToArrayNamesCpu) {
  if (!pt::cuda_available()) {
    // Without a device the cuda tensor cannot even be made; that refusal must be clear too.
    EXPECT_THROW(pt::Tensor::ones({2}, DType::Float32, parity::core::Device::cuda()),
                 parity::DeviceError);
    GTEST_SKIP() << "no CUDA device";
  }
  pt::Tensor t = pt::Tensor::ones({2}, DType::Float32, parity::core::Device::cuda());
  try {
    pi::to_array(t);
    FAIL();
  } catch (const parity::DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find(".cpu()"), std::string::npos);
  }
  pa::NdArray back = pi::copy_to_array(t);
  EXPECT_EQ(back.to_doubles(), (std::vector<double>{1, 1}));
}

TEST(Interop, RoundTripThroughDevice) {
  pa::NdArray a = pa::NdArray::random({5, 7}, DType::Float32, 1234);
  const parity::core::Device dev =
      pt::cuda_available() ? parity::core::Device::cuda() : parity::core::Device::cpu();
  pt::Tensor t = pi::to_tensor(a, dev);
  EXPECT_EQ(t.device(), dev);
  EXPECT_EQ(pi::copy_to_array(t).to_doubles(), a.to_doubles());
}

TEST(Interop, SharedStorageOutlivesEitherSide) {
  pt::Tensor t;
  void* p = nullptr;
  {
    pa::NdArray a = iota({4}, DType::Int64);
    p = a.data();
    t = pi::from_array(a);
  }
  EXPECT_EQ(t.data_ptr(), p);
  EXPECT_EQ(t.to_doubles(), (std::vector<double>{0, 1, 2, 3}));
}
