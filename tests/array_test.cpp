// Tests of the reference array engine. Expected values are derived by hand or are what the
// cited NumPy expression gives (NumPy 2, 64-bit Linux: dtype=int is int64).
#include "engine/array/array.h"
#include "tests/test_util.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/random.h"
#include "engine/core/storage.h"
#include "engine/spec/error.h"

namespace pa = parity::array;
namespace core = parity::core;
using pa::NdArray;
using pa::Shape;
using pa::Slice;
using pa::Strides;
using parity::spec::DType;

namespace {

using Idx = std::vector<std::int64_t>;
using Vals = std::vector<double>;
constexpr std::optional<std::int64_t> kAll = std::nullopt;

// np.arange(n) (int64), reshaped.
NdArray iota(std::int64_t n, const Shape& shape, DType dtype = DType::Int64) {
  return NdArray::arange(0, double(n), 1, dtype).reshape(shape);
}
NdArray iota(std::int64_t n, DType dtype = DType::Int64) { return NdArray::arange(0, double(n), 1, dtype); }

NdArray sl(const NdArray& a, std::vector<Slice> s) { return a.slice(s); }

double get(const NdArray& a, Idx i) { return a.get(i); }

template <class T>
NdArray values(const Shape& shape, std::vector<T> v) {
  return NdArray::from_values<T>(shape, std::span<const T>(v));
}
NdArray bools(std::vector<bool> v) {
  // std::vector<bool> has no contiguous storage; go through plain bools.
  std::unique_ptr<bool[]> raw(new bool[v.size()]);
  for (std::size_t i = 0; i < v.size(); ++i) raw[i] = v[i];
  return NdArray::from_values<bool>({std::int64_t(v.size())}, std::span<const bool>(raw.get(), v.size()));
}

// Runs f, expects an exception of type E whose message is exactly `msg`.
template <class E, class F>
void expect_error(F f, const std::string& msg) {
  try {
    f();
    ADD_FAILURE() << "expected an exception with message: " << msg;
  } catch (const E& e) {
    EXPECT_EQ(std::string(e.what()), msg);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type, message: " << e.what();
  }
}

bool same_storage(const NdArray& a, const NdArray& b) { return a.storage().get() == b.storage().get(); }

}  // namespace

// ---------------------------------------------------------------------------------------
// Creation

TEST(ArrayCreate, DefaultIsZeroDimFloat64Zero) {
  NdArray a;
  EXPECT_EQ(a.ndim(), 0);
  EXPECT_EQ(a.size(), 1);
  EXPECT_EQ(a.dtype(), DType::Float64);
  EXPECT_EQ(a.get(Idx{}), 0.0);
}

TEST(ArrayCreate, ZerosOnesFull) {
  NdArray z = NdArray::zeros({2, 3}, DType::Float32);
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.strides(), (Strides{12, 4}));  // np.zeros((2,3), np.float32).strides == (12, 4)
  EXPECT_EQ(z.to_doubles(), Vals(6, 0.0));
  EXPECT_EQ(NdArray::ones({3}, DType::Int32).to_doubles(), (Vals{1, 1, 1}));
  // np.full((2,), 2.7, dtype=np.int32) -> [2, 2]; np.full((2,), 0.5, dtype=bool) -> [True, True]
  EXPECT_EQ(NdArray::full({2}, 2.7, DType::Int32).to_doubles(), (Vals{2, 2}));
  EXPECT_EQ(NdArray::full({2}, 0.5, DType::Bool).to_doubles(), (Vals{1, 1}));
  // np.zeros((2, 0, 3)).strides == (24, 24, 8): a size-0 axis counts as 1 in C strides.
  EXPECT_EQ(NdArray::zeros({2, 0, 3}, DType::Float64).strides(), (Strides{24, 24, 8}));
  EXPECT_EQ(NdArray::zeros({2, 0, 3}, DType::Float64).size(), 0);
}

TEST(ArrayCreate, NegativeSizeIsRefused) {
  expect_error<parity::ValueError>(
      [] {
        NdArray::zeros({2, -1}, DType::Float64);
      },
      "negative dimensions are not allowed");
}

// The examples in numpy.arange's docstring.
TEST(ArrayCreate, ArangeMatchesNumPyDocstring) {
  EXPECT_EQ(NdArray::arange(0, 3, 1, DType::Int64).to_doubles(), (Vals{0, 1, 2}));  // np.arange(3)
  EXPECT_EQ(NdArray::arange(3, 7, 1, DType::Int64).to_doubles(), (Vals{3, 4, 5, 6}));
  EXPECT_EQ(NdArray::arange(3, 7, 2, DType::Int64).to_doubles(), (Vals{3, 5}));
  // np.arange(0, 5, 0.5, dtype=int) -> ten zeros: values are first + i*(second - first) with
  // first = int(0), second = int(0.5) = 0.
  EXPECT_EQ(NdArray::arange(0, 5, 0.5, DType::Int64).to_doubles(), Vals(10, 0.0));
  // np.arange(-3, 3, 0.5, dtype=int) -> [-3, -2, ..., 8]: 12 values with delta int(-2.5) + 3 = 1.
  Vals want;
  for (int v = -3; v <= 8; ++v) want.push_back(v);
  EXPECT_EQ(NdArray::arange(-3, 3, 0.5, DType::Int64).to_doubles(), want);
  // np.arange(1, 0) -> empty; np.arange(2, dtype=bool) -> [False, True]
  EXPECT_EQ(NdArray::arange(1, 0, 1, DType::Float64).shape(), (Shape{0}));
  EXPECT_EQ(NdArray::arange(0, 2, 1, DType::Bool).to_doubles(), (Vals{0, 1}));
  // np.arange(0, 1, 0.25) -> [0, 0.25, 0.5, 0.75]; reversed with a negative step.
  EXPECT_EQ(NdArray::arange(0, 1, 0.25, DType::Float64).to_doubles(), (Vals{0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(NdArray::arange(1, 0, -0.25, DType::Float32).to_doubles(), (Vals{1, 0.75, 0.5, 0.25}));
}

TEST(ArrayCreate, ArangeErrors) {
  EXPECT_THROW(NdArray::arange(0, 1, 0, DType::Float64), parity::ValueError);
  EXPECT_THROW(NdArray::arange(0, NAN, 1, DType::Float64), parity::ValueError);
  expect_error<parity::TypeError>(
      [] { NdArray::arange(0, 3, 1, DType::Bool); },
      "arange() is only supported for booleans when the result has at most length 2.");
}

TEST(ArrayCreate, FromValues) {
  NdArray a = values<float>({2, 2}, {1.5f, 2.5f, 3.5f, 4.5f});
  EXPECT_EQ(a.dtype(), DType::Float32);
  EXPECT_EQ(a.at<float>(Idx{1, 0}), 3.5f);
  EXPECT_EQ(bools({true, false}).dtype(), DType::Bool);
  EXPECT_THROW(values<double>({2, 3}, {1, 2, 3}), parity::ValueError);
}

// ---------------------------------------------------------------------------------------
// from_storage validation

TEST(ArrayFromStorage, ViewsInsideTheStorageAreAccepted) {
  std::vector<double> buf{0, 1, 2, 3, 4, 5};
  auto st = core::Storage::borrow(buf.data(), 48, core::Device::cpu(), nullptr);
  // Elements 5, 3, 1: start at byte 40, walk back 16 bytes at a time.
  NdArray a = NdArray::from_storage(st, DType::Float64, {3}, {-16}, 40);
  EXPECT_EQ(a.to_doubles(), (Vals{5, 3, 1}));
  EXPECT_EQ(a.data(), static_cast<void*>(buf.data() + 5));
  // Writes land in the borrowed memory.
  a.set(Idx{0}, 50);
  EXPECT_EQ(buf[5], 50);
  // A 0-size view is valid whatever its offset and strides.
  EXPECT_NO_THROW(NdArray::from_storage(st, DType::Float64, {0, 4}, {1000, -1000}, 4096));
}

TEST(ArrayFromStorage, ViewsReachingOutsideAreRefused) {
  auto st = core::Storage::allocate_cpu(48);
  // [40, 64) past the end of 48 bytes.
  EXPECT_THROW(NdArray::from_storage(st, DType::Float64, {2}, {16}, 40), parity::ValueError);
  // [-8, 16): below the start through a negative stride.
  EXPECT_THROW(NdArray::from_storage(st, DType::Float64, {2}, {-16}, 8), parity::ValueError);
  // The last element ends exactly at byte 48: accepted; one byte more is not.
  EXPECT_NO_THROW(NdArray::from_storage(st, DType::Float64, {2, 3}, {24, 8}, 0));
  EXPECT_THROW(NdArray::from_storage(st, DType::Float64, {2, 3}, {24, 8}, 1), parity::ValueError);
  EXPECT_THROW(NdArray::from_storage(st, DType::Float64, {2, 3}, {8}, 0), parity::ValueError);
  EXPECT_THROW(NdArray::from_storage(nullptr, DType::Float64, {1}, {8}, 0), parity::ValueError);
  // Strides so large the byte offsets overflow int64.
  EXPECT_THROW(NdArray::from_storage(st, DType::Float64, {4}, {std::int64_t(1) << 62}, 0),
               parity::ValueError);
}

TEST(ArrayFromStorage, DeviceStorageIsRefused) {
  static char fake;  // never dereferenced: the check happens before any access
  auto st = core::Storage::adopt(&fake, 8, core::Device::cuda(0), [](void*) {});
  EXPECT_THROW(NdArray::from_storage(st, DType::Float64, {1}, {8}, 0), parity::DeviceError);
}

TEST(ArrayFromStorage, ReadOnlyViewsStayReadOnly) {
  auto st = core::Storage::allocate_cpu(16);
  NdArray a = NdArray::from_storage(st, DType::Float64, {2}, {8}, 0, /*writeable=*/false);
  EXPECT_FALSE(a.writeable());
  expect_error<parity::ValueError>([&] { a.set(Idx{0}, 1); }, "assignment destination is read-only");
  expect_error<parity::ValueError>([&] { a.set_writeable(true); },
                                   "cannot set WRITEABLE flag to True of this array");
}

// ---------------------------------------------------------------------------------------
// Views and strides

TEST(ArrayViews, SliceWithNegativeStepOnAxis1) {
  NdArray a = iota(6, {2, 3});
  NdArray r = sl(a, {Slice{}, Slice{kAll, kAll, -1}});
  EXPECT_EQ(r.strides(), (Strides{24, -8}));  // np.arange(6).reshape(2,3)[:, ::-1].strides
  EXPECT_EQ(r.offset(), 16);                  // element (0, 0) is a[0, 2]
  EXPECT_EQ(r.to_doubles(), (Vals{2, 1, 0, 5, 4, 3}));
  EXPECT_TRUE(same_storage(a, r));
  EXPECT_FALSE(r.is_c_contiguous());
}

// Python slice semantics on np.arange(5).
TEST(ArrayViews, SliceFollowsPythonRules) {
  NdArray a = iota(5);
  auto s = [&](std::optional<std::int64_t> b, std::optional<std::int64_t> e, std::int64_t st) {
    return sl(a, {Slice{b, e, st}});
  };
  EXPECT_EQ(s(kAll, kAll, -1).to_doubles(), (Vals{4, 3, 2, 1, 0}));  // a[::-1]
  EXPECT_EQ(s(kAll, kAll, -1).strides(), (Strides{-8}));
  EXPECT_EQ(s(1, 100, 1).to_doubles(), (Vals{1, 2, 3, 4}));       // a[1:100] clamps
  EXPECT_EQ(s(-2, kAll, 1).to_doubles(), (Vals{3, 4}));           // a[-2:]
  EXPECT_EQ(s(5, 2, 1).shape(), (Shape{0}));                      // a[5:2] is empty
  EXPECT_EQ(s(kAll, kAll, -2).to_doubles(), (Vals{4, 2, 0}));     // a[::-2]
  EXPECT_EQ(s(3, 0, -1).to_doubles(), (Vals{3, 2, 1}));           // a[3:0:-1]
  EXPECT_EQ(s(-100, 2, 1).to_doubles(), (Vals{0, 1}));            // a[-100:2]
  EXPECT_EQ(s(10, -10, -1).to_doubles(), (Vals{4, 3, 2, 1, 0}));  // a[10:-10:-1]
  EXPECT_EQ(s(1, 4, 2).to_doubles(), (Vals{1, 3}));               // a[1:4:2]
  EXPECT_EQ(s(1, 4, 2).strides(), (Strides{16}));
  EXPECT_EQ(s(0, 5, std::numeric_limits<std::int64_t>::min()).shape(), (Shape{0}));
  EXPECT_EQ(s(4, kAll, std::numeric_limits<std::int64_t>::min()).to_doubles(), (Vals{4}));
}

TEST(ArrayViews, SliceErrors) {
  NdArray a = iota(5);
  expect_error<parity::ValueError>([&] { sl(a, {Slice{kAll, kAll, 0}}); }, "slice step cannot be zero");
  expect_error<parity::ValueError>(
      [&] {
        sl(a, {Slice{}, Slice{}});
      },
      "too many indices for array: array is 1-dimensional, but 2 were indexed");
}

TEST(ArrayViews, WritesThroughAViewReachTheBase) {
  NdArray a = iota(5, DType::Float64);
  NdArray r = sl(a, {Slice{kAll, kAll, -1}});
  r.set(Idx{0}, 42);
  EXPECT_EQ(get(a, {4}), 42);
  EXPECT_TRUE(a.shares_memory(r));
}

TEST(ArrayViews, Transpose) {
  NdArray a = iota(6, {2, 3});
  NdArray t = a.transpose();
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_EQ(t.strides(), (Strides{8, 24}));  // np.arange(6).reshape(2,3).T.strides == (8, 24)
  EXPECT_EQ(t.to_doubles(), (Vals{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(get(t, {2, 1}), 5);
  EXPECT_TRUE(same_storage(a, t));
  const int swap[] = {1, 0};
  EXPECT_EQ(a.transpose(swap).strides(), t.strides());
  // np.zeros((2,3,4)).transpose(1,2,0): shape (3,4,2), strides (32, 8, 96).
  const int perm[] = {1, 2, 0};
  NdArray z = NdArray::zeros({2, 3, 4}, DType::Float64).transpose(perm);
  EXPECT_EQ(z.shape(), (Shape{3, 4, 2}));
  EXPECT_EQ(z.strides(), (Strides{32, 8, 96}));
  const int neg[] = {-1, 0};  // np.transpose(a, (-1, 0)) == a.T
  EXPECT_EQ(a.transpose(neg).strides(), t.strides());
}

TEST(ArrayViews, TransposeErrors) {
  NdArray a = iota(6, {2, 3});
  const int short_axes[] = {0};
  const int repeated[] = {0, 0};
  const int out_of_range[] = {0, 2};
  expect_error<parity::ValueError>([&] { a.transpose(short_axes); }, "axes don't match array");
  expect_error<parity::ValueError>([&] { a.transpose(repeated); }, "repeated axis in transpose");
  expect_error<parity::ValueError>([&] { a.transpose(out_of_range); },
                                   "axis 2 is out of bounds for array of dimension 2");
}

TEST(ArrayViews, ReshapeIsAViewWhenStridesAllow) {
  NdArray a = iota(6);
  NdArray r = a.reshape({2, 3});
  EXPECT_TRUE(same_storage(a, r));
  EXPECT_EQ(r.strides(), (Strides{24, 8}));
  EXPECT_EQ(a.reshape({-1, 2}).shape(), (Shape{3, 2}));  // np.arange(6).reshape(-1, 2)
  // np.arange(12)[::2].reshape(2, 3).strides == (48, 16): a strided run is still one axis.
  NdArray s = sl(iota(12), {Slice{kAll, kAll, 2}}).reshape({2, 3});
  EXPECT_EQ(s.strides(), (Strides{48, 16}));
  EXPECT_EQ(s.to_doubles(), (Vals{0, 2, 4, 6, 8, 10}));
  // np.arange(6)[::-1].reshape(2, 3).strides == (-24, -8), values [[5,4,3],[2,1,0]].
  NdArray rev = sl(a, {Slice{kAll, kAll, -1}}).reshape({2, 3});
  EXPECT_TRUE(same_storage(a, rev));
  EXPECT_EQ(rev.strides(), (Strides{-24, -8}));
  EXPECT_EQ(rev.to_doubles(), (Vals{5, 4, 3, 2, 1, 0}));
  // Adding or dropping size-1 axes of a transposed array moves no data.
  NdArray t1 = iota(6, {2, 3}).transpose().reshape({3, 1, 2});
  EXPECT_EQ(t1.to_doubles(), (Vals{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(t1.strides()[0], 8);
  EXPECT_EQ(t1.strides()[2], 24);
  // Writes through the view reach the base.
  r.set(Idx{1, 2}, 99);
  EXPECT_EQ(get(a, {5}), 99);
}

TEST(ArrayViews, ReshapeCopiesWhenItMust) {
  NdArray t = iota(6, {2, 3}).transpose();
  NdArray flat = t.reshape({6});
  EXPECT_FALSE(same_storage(t, flat));
  EXPECT_FALSE(flat.shares_memory(t));
  EXPECT_TRUE(flat.is_c_contiguous());
  // np.arange(6).reshape(2,3).T.reshape(6) -> [0, 3, 1, 4, 2, 5]
  EXPECT_EQ(flat.to_doubles(), (Vals{0, 3, 1, 4, 2, 5}));
}

TEST(ArrayViews, ReshapeErrors) {
  NdArray a = iota(6);
  expect_error<parity::ValueError>([&] { a.reshape({4}); }, "cannot reshape array of size 6 into shape (4,)");
  // NumPy drops a leading unknown size when it prints the shape: np.arange(6).reshape(-1, 4)
  expect_error<parity::ValueError>(
      [&] {
        a.reshape({-1, 4});
      },
      "cannot reshape array of size 6 into shape (4)");
  expect_error<parity::ValueError>(
      [&] {
        a.reshape({2, 2});
      },
      "cannot reshape array of size 6 into shape (2,2)");
  expect_error<parity::ValueError>([&] { a.reshape({-1, -1}); }, "can only specify one unknown dimension");
}

TEST(ArrayViews, ReshapeOfEmptyArrays) {
  NdArray e = NdArray::zeros({0, 3}, DType::Float64);
  EXPECT_EQ(e.reshape({3, 0}).shape(), (Shape{3, 0}));
  EXPECT_EQ(e.reshape({-1}).shape(), (Shape{0}));  // np.zeros((0,3)).reshape(-1).shape == (0,)
  EXPECT_THROW(e.reshape({-1, 0}), parity::ValueError);
}

TEST(ArrayViews, BroadcastToIsReadOnlyWithStrideZero) {
  NdArray a = iota(3, DType::Float64);
  NdArray b = a.broadcast_to({2, 3});
  EXPECT_EQ(b.strides(), (Strides{0, 8}));  // np.broadcast_to(np.arange(3.), (2,3)).strides
  EXPECT_EQ(b.to_doubles(), (Vals{0, 1, 2, 0, 1, 2}));
  EXPECT_FALSE(b.writeable());
  EXPECT_TRUE(b.shares_memory(a));
  expect_error<parity::ValueError>([&] { b.set(Idx{0, 0}, 1); }, "assignment destination is read-only");
  expect_error<parity::ValueError>([&] { b.set_writeable(true); },
                                   "cannot set WRITEABLE flag to True of this array");
  // A view of a read-only array is read-only too.
  NdArray v = sl(b, {Slice{0, 1, 1}});
  EXPECT_FALSE(v.writeable());
  EXPECT_THROW(v.set_writeable(true), parity::ValueError);
  // np.broadcast_to(np.zeros((3,1)), (3,4)).strides == (8, 0)
  EXPECT_EQ(NdArray::zeros({3, 1}, DType::Float64).broadcast_to({3, 4}).strides(), (Strides{8, 0}));
  expect_error<parity::ValueError>([&] { a.broadcast_to({4}); },
                                   "operands could not be broadcast together with remapped shapes "
                                   "[original->remapped]: (3,)  and requested shape (4,)");
  expect_error<parity::ValueError>(
      [&] {
        a.broadcast_to({3, -1});
      },
      "all elements of broadcast shape must be non-negative");
}

TEST(ArrayViews, WriteableFlag) {
  NdArray a = iota(3, DType::Float64);
  a.set_writeable(false);
  EXPECT_THROW(a.set(Idx{0}, 1), parity::ValueError);
  NdArray v = sl(a, {Slice{1, kAll, 1}});
  EXPECT_FALSE(v.writeable());
  EXPECT_THROW(v.set_writeable(true), parity::ValueError);  // base is read-only
  a.set_writeable(true);  // the array that owns its data may become writeable again
  a.set(Idx{0}, 7);
  EXPECT_EQ(get(a, {0}), 7);
  // A copy of read-only data is a fresh, writeable array.
  EXPECT_TRUE(v.copy().writeable());
}

TEST(ArrayViews, ContiguityAndSharing) {
  NdArray a = iota(6, {2, 3});
  EXPECT_TRUE(a.is_c_contiguous());
  EXPECT_FALSE(a.transpose().is_c_contiguous());
  // np.arange(6).reshape(2,3)[:, :1].flags.c_contiguous == False (row stride 24, not 8)
  EXPECT_FALSE(sl(a, {Slice{}, Slice{kAll, 1, 1}}).is_c_contiguous());
  // np.arange(6).reshape(2,3)[:1].flags.c_contiguous == True
  EXPECT_TRUE(sl(a, {Slice{kAll, 1, 1}}).is_c_contiguous());
  EXPECT_TRUE(NdArray::zeros({0, 5}, DType::Float32).is_c_contiguous());

  NdArray f = iota(6);
  NdArray lo = sl(f, {Slice{kAll, 3, 1}}), hi = sl(f, {Slice{3, kAll, 1}});
  EXPECT_FALSE(lo.shares_memory(hi));  // np.may_share_memory(a[:3], a[3:]) == False
  EXPECT_TRUE(f.shares_memory(sl(f, {Slice{kAll, kAll, 2}})));
  EXPECT_FALSE(f.shares_memory(f.copy()));
  EXPECT_FALSE(f.shares_memory(sl(f, {Slice{2, 2, 1}})));  // empty
}

// ---------------------------------------------------------------------------------------
// Element access, copies and casts

TEST(ArrayAccess, BoundsChecksAndNegativeIndices) {
  NdArray a = iota(3);
  EXPECT_EQ(get(a, {-1}), 2);
  EXPECT_EQ(a.at<std::int64_t>(Idx{-3}), 0);
  expect_error<parity::ValueError>([&] { a.get(Idx{5}); }, "index 5 is out of bounds for axis 0 with size 3");
  expect_error<parity::ValueError>([&] { a.get(Idx{-4}); },
                                   "index -4 is out of bounds for axis 0 with size 3");
  expect_error<parity::ValueError>(
      [&] {
        a.get(Idx{0, 0});
      },
      "too many indices for array: array is 1-dimensional, but 2 were indexed");
  EXPECT_THROW(iota(6, {2, 3}).get(Idx{1}), parity::ValueError);
  EXPECT_THROW(a.at<double>(Idx{0}), parity::TypeError);  // no silent conversion in at<>
  EXPECT_THROW(a.set(Idx{3}, 1), parity::ValueError);
}

TEST(ArrayAccess, SetConvertsLikeAPythonFloat) {
  NdArray a = NdArray::zeros({2}, DType::Int32);
  a.set(Idx{0}, -2.7);  // a[0] = -2.7 stores -2
  EXPECT_EQ(a.at<std::int32_t>(Idx{0}), -2);
  expect_error<parity::ValueError>([&] { a.set(Idx{0}, NAN); }, "cannot convert float NaN to integer");
  EXPECT_THROW(a.set(Idx{0}, 3e9), parity::ValueError);  // out of int32 range
  const auto v0 = a.storage()->version();
  a.set(Idx{1}, 1);
  EXPECT_GT(a.storage()->version(), v0);  // writes bump the version counter
}

TEST(ArrayAccess, AstypeIsACCast) {
  NdArray f = values<double>({4}, {-1.7, 1.7, 2.5, -0.5});
  // np.array([-1.7, 1.7, 2.5, -0.5]).astype(np.int32) -> [-1, 1, 2, 0]: truncation toward zero
  EXPECT_EQ(f.astype(DType::Int32).to_doubles(), (Vals{-1, 1, 2, 0}));
  // np.array([0.0, -0.0, 0.5, np.nan]).astype(bool) -> [False, False, True, True]
  EXPECT_EQ(values<double>({4}, {0.0, -0.0, 0.5, NAN}).astype(DType::Bool).to_doubles(), (Vals{0, 0, 1, 1}));
  // np.array([2**32 + 5, -1, 2**31]).astype(np.int32) -> [5, -1, -2147483648]: wraps
  NdArray big = values<std::int64_t>({3}, {(std::int64_t(1) << 32) + 5, -1, std::int64_t(1) << 31});
  EXPECT_EQ(big.astype(DType::Int32).to_doubles(), (Vals{5, -1, -2147483648.0}));
  // NaN to int: x86-64 NumPy gives the minimum value (with a RuntimeWarning).
  EXPECT_EQ(values<double>({1}, {NAN}).astype(DType::Int32).at<std::int32_t>(Idx{0}),
            std::numeric_limits<std::int32_t>::min());
  // float64 -> float32 rounds to nearest.
  EXPECT_EQ(values<double>({1}, {0.1}).astype(DType::Float32).at<float>(Idx{0}), 0.1f);
  EXPECT_EQ(bools({true, false}).astype(DType::Float64).to_doubles(), (Vals{1, 0}));
}

// Float to integer casts where C++ has no answer, as NumPy 1.24's scalar loop gives them on
// x86-64. Each row is [int(np.array([v]).astype(dtype)[0]) for v in kCastInputs]: one-element
// arrays, the scalar loop (a longer contiguous float -> uint32 cast runs in blocks of 4:
// AstypeToUInt32InBlocksOfFourAsNumPy).
template <class T>
void expect_cast(const std::vector<double>& in, DType dtype, const std::vector<T>& want) {
  SCOPED_TRACE(std::string(parity::spec::dtype_name(dtype)));
  for (std::size_t i = 0; i < in.size(); ++i)
    EXPECT_EQ(values<double>({1}, {in[i]}).astype(dtype).at<T>(Idx{0}), want[i]) << in[i];
}

// NumPy 1.24's contiguous float64 -> uint32 loop (Debian's build, x86-64): blocks of four
// through int32 with the top bit flipped from 2**31, the last n % 4 elements and strided loops
// through int64. Measured: a = np.array(w); a.astype(np.uint32) (contiguous) and
// np.repeat(a, 2)[::2].astype(np.uint32) (strided); np.full((3, 6), 1e10).T.astype(np.uint32)
// (Fortran order: the last two in memory, [4, 2] and [5, 2], take the int64 conversion).
TEST(ArrayAccess, AstypeToUInt32InBlocksOfFourAsNumPy) {
  const std::vector<double> w = {0x1p31,  0x1p31 + 256, 0x1p32 + 5, -0x1p31 - 256, 1e10,   -1e10,
                                 0x1p63,  -0x1p63,      0x1p64,     1e20,          -1e20,  255.9,
                                 -0.9,    127.5,        -128.9,     65535.5,       4294967295.0, -4294967296.0};
  const std::vector<double> contiguous = {2147483648, 2147483904, 0, 2147483648, 0,   2147483648,
                                          0,          2147483648, 0, 0,          2147483648, 255,
                                          0,          127,        4294967168, 65535, 4294967295, 0};
  const std::vector<double> strided = {2147483648, 2147483904, 5, 2147483392, 1410065408, 2884901888,
                                       0,          0,          0, 0,          0,          255,
                                       0,          127,        4294967168, 65535, 4294967295, 0};
  const NdArray a = values<double>({18}, w);
  EXPECT_EQ(a.astype(DType::UInt32).to_doubles(), contiguous);
  std::vector<double> doubled;
  for (double v : w) doubled.insert(doubled.end(), {v, v});
  const NdArray every_second = sl(values<double>({36}, doubled), {Slice{kAll, kAll, 2}});
  EXPECT_EQ(every_second.astype(DType::UInt32).to_doubles(), strided);
  const NdArray f = values<double>({3, 6}, std::vector<double>(18, 1e10)).transpose().astype(DType::UInt32);
  for (std::int64_t i = 0; i < 6; ++i)
    for (std::int64_t j = 0; j < 3; ++j)
      EXPECT_EQ(f.at<std::uint32_t>(Idx{i, j}), (j == 2 && i >= 4) ? 1410065408u : 0u) << i << "," << j;
}

TEST(ArrayAccess, AstypeFloatToIntegerOutOfRangeAsNumPy) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> in = {nan,     inf,      -inf,  -0.0,    2.5,          -1.5,          128.0, -129.0,
                                  300.0, -1.0, -32769.0, 0x1p31, 0x1p32 + 5, 0x1p63, 1e20};
  using i64 = std::int64_t;
  using u64 = std::uint64_t;
  const i64 m32 = std::numeric_limits<std::int32_t>::min();
  const i64 m64 = std::numeric_limits<i64>::min();
  const u64 h64 = u64(1) << 63;
  expect_cast<std::int8_t>(in, DType::Int8, {0, 0, 0, 0, 2, -1, -128, 127, 44, -1, -1, 0, 0, 0, 0});
  // through int32: 2**32 + 5 is int32's indefinite, low byte 0 (torch's to(uint8) gives 5)
  expect_cast<std::uint8_t>(in, DType::UInt8, {0, 0, 0, 0, 2, 255, 128, 127, 44, 255, 255, 0, 0, 0, 0});
  expect_cast<std::int16_t>(in, DType::Int16, {0, 0, 0, 0, 2, -1, 128, -129, 300, -1, 32767, 0, 0, 0, 0});
  expect_cast<std::uint16_t>(in, DType::UInt16, {0, 0, 0, 0, 2, 65535, 128, 65407, 300, 65535, 32767, 0, 0, 0, 0});
  expect_cast<std::int32_t>(in, DType::Int32,
                            {std::int32_t(m32), std::int32_t(m32), std::int32_t(m32), 0, 2, -1, 128, -129, 300, -1,
                             -32769, std::int32_t(m32), std::int32_t(m32), std::int32_t(m32), std::int32_t(m32)});
  expect_cast<std::uint32_t>(in, DType::UInt32,
                             {0, 0, 0, 0, 2, 4294967295u, 128, 4294967167u, 300, 4294967295u, 4294934527u,
                              2147483648u, 5, 0, 0});
  expect_cast<i64>(in, DType::Int64,
                   {m64, m64, m64, 0, 2, -1, 128, -129, 300, -1, -32769, i64(1) << 31, (i64(1) << 32) + 5, m64, m64});
  expect_cast<u64>(in, DType::UInt64,
                   {h64, 0, h64, 0, 2, ~u64(0), 128, ~u64(0) - 128, 300, ~u64(0), ~u64(0) - 32768, u64(1) << 31,
                    (u64(1) << 32) + 5, h64, 0});
  // np.array([1 + 2**-11 + 2**-40]).astype(np.float16) -> [1.0009765625]: one rounding (torch: 1.0)
  EXPECT_EQ(values<double>({1}, {1 + 0x1p-11 + 0x1p-40}).astype(DType::Float16).to_doubles()[0],
            1.0009765625);
  // np.array([65519.99, 65520., -1e5]).astype(np.float16) -> [65504., inf, -inf]
  EXPECT_EQ(values<double>({3}, {65519.99, 65520.0, -1e5}).astype(DType::Float16).to_doubles(),
            (Vals{65504.0, inf, -inf}));
  // np.array([2**24 + 1, 2**24 + 3], np.int64).astype(np.float32) -> [16777216., 16777220.]: ties to even
  EXPECT_EQ(values<i64>({2}, {(i64(1) << 24) + 1, (i64(1) << 24) + 3}).astype(DType::Float32).to_doubles(),
            (Vals{16777216.0, 16777220.0}));
}

TEST(ArrayAccess, CopyOfAStridedViewIsContiguous) {
  NdArray r = sl(iota(6, {2, 3}), {Slice{kAll, kAll, -1}, Slice{kAll, kAll, 2}});
  EXPECT_EQ(r.to_doubles(), (Vals{3, 5, 0, 2}));  // a[::-1, ::2]
  NdArray c = r.copy();
  EXPECT_TRUE(c.is_c_contiguous());
  EXPECT_EQ(c.strides(), (Strides{16, 8}));
  EXPECT_EQ(c.to_doubles(), r.to_doubles());
  EXPECT_FALSE(c.shares_memory(r));
}

// ---------------------------------------------------------------------------------------
// add and mul

TEST(ArrayBinary, ContiguousTransposedAndNegativeStride) {
  NdArray a = iota(6, {2, 3});
  EXPECT_EQ(pa::add(a, a).to_doubles(), (Vals{0, 2, 4, 6, 8, 10}));
  // np.arange(6).reshape(2,3).T + np.arange(6).reshape(3,2) -> [[0,4],[3,7],[6,10]]
  NdArray s = pa::add(a.transpose(), iota(6, {3, 2}));
  EXPECT_EQ(s.shape(), (Shape{3, 2}));
  EXPECT_EQ(s.to_doubles(), (Vals{0, 4, 3, 7, 6, 10}));
  EXPECT_TRUE(s.is_c_contiguous());
  // np.arange(5)[::-1] * np.arange(5) -> [0, 3, 4, 3, 0]
  NdArray f = iota(5);
  EXPECT_EQ(pa::mul(sl(f, {Slice{kAll, kAll, -1}}), f).to_doubles(), (Vals{0, 3, 4, 3, 0}));
}

TEST(ArrayBinary, Broadcasting) {
  // np.arange(3).reshape(3,1) * 10 + np.arange(4) -> shape (3,4)
  NdArray col = pa::mul(iota(3, {3, 1}), NdArray::full({}, 10, DType::Int64));
  NdArray s = pa::add(col, iota(4));
  EXPECT_EQ(s.shape(), (Shape{3, 4}));
  EXPECT_EQ(s.to_doubles(), (Vals{0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}));
  // 0-d with 1-d: np.array(2.5) + np.arange(3) -> [2.5, 3.5, 4.5]
  NdArray z = pa::add(NdArray::full({}, 2.5, DType::Float64), iota(3));
  EXPECT_EQ(z.shape(), (Shape{3}));
  EXPECT_EQ(z.to_doubles(), (Vals{2.5, 3.5, 4.5}));
  // 0-d with 0-d stays 0-d.
  EXPECT_EQ(pa::add(NdArray(), NdArray()).ndim(), 0);
  // Empty: (np.zeros((0,3)) + np.arange(3)).shape == (0, 3); np.zeros(0) + np.zeros(1) -> (0,)
  EXPECT_EQ(pa::add(NdArray::zeros({0, 3}, DType::Float64), iota(3)).shape(), (Shape{0, 3}));
  EXPECT_EQ(pa::mul(NdArray::zeros({0}, DType::Int32), NdArray::zeros({1}, DType::Int32)).shape(),
            (Shape{0}));
  expect_error<parity::ValueError>(
      [] {
        pa::add(iota(6, {2, 3}), iota(4));
      },
      "operands could not be broadcast together with shapes (2,3) (4,) ");
}

TEST(ArrayBinary, NumPyPromotion) {
  auto i32 = values<std::int32_t>({1}, {16777217});
  auto f32 = values<float>({1}, {0.0f});
  // np.array([16777217], np.int32) + np.array([0], np.float32) -> array([16777217.]) float64:
  // the int is cast to float64 (exact), not to float32 (which would give 16777216).
  NdArray s = pa::add(i32, f32);
  EXPECT_EQ(s.dtype(), DType::Float64);
  EXPECT_EQ(s.at<double>(Idx{0}), 16777217.0);
  EXPECT_EQ(pa::add(bools({true}), i32).dtype(), DType::Int32);
  EXPECT_EQ(pa::mul(i32, iota(1)).dtype(), DType::Int64);
  EXPECT_EQ(pa::add(f32, values<double>({1}, {1})).dtype(), DType::Float64);
  EXPECT_EQ(pa::add(bools({true}), f32).dtype(), DType::Float32);
  // NEP 50: a 0-d int64 array is not "weak": np.array([1], np.int32) + np.array(1) is int64.
  EXPECT_EQ(pa::add(i32, NdArray::full({}, 1, DType::Int64)).dtype(), DType::Int64);
}

TEST(ArrayBinary, IntegerOverflowWraps) {
  constexpr std::int32_t kMax32 = std::numeric_limits<std::int32_t>::max();
  constexpr std::int32_t kMin32 = std::numeric_limits<std::int32_t>::min();
  // np.array([2**31-1], np.int32) + np.array([1], np.int32) -> [-2147483648]
  EXPECT_EQ(
      pa::add(values<std::int32_t>({1}, {kMax32}), values<std::int32_t>({1}, {1})).at<std::int32_t>(Idx{0}),
      kMin32);
  // 65536 * 65536 = 2^32 -> 0 in int32; -2^31 * -1 -> -2^31
  EXPECT_EQ(pa::mul(values<std::int32_t>({2}, {65536, kMin32}), values<std::int32_t>({2}, {65536, -1}))
                .to_doubles(),
            (Vals{0, double(kMin32)}));
  // np.array([2**62]) * 4 -> [0]; (2**32+1)**2 mod 2**64 = 2**33 + 1
  const std::int64_t p62 = std::int64_t(1) << 62, q = (std::int64_t(1) << 32) + 1;
  NdArray m = pa::mul(values<std::int64_t>({2}, {p62, q}), values<std::int64_t>({2}, {4, q}));
  EXPECT_EQ(m.at<std::int64_t>(Idx{0}), 0);
  EXPECT_EQ(m.at<std::int64_t>(Idx{1}), (std::int64_t(1) << 33) + 1);
}

TEST(ArrayBinary, BoolAddIsOrMulIsAnd) {
  NdArray x = bools({false, false, true, true}), y = bools({false, true, false, true});
  NdArray s = pa::add(x, y), p = pa::mul(x, y);
  EXPECT_EQ(s.dtype(), DType::Bool);
  EXPECT_EQ(s.to_doubles(), (Vals{0, 1, 1, 1}));  // np.add on bool: logical or
  EXPECT_EQ(p.dtype(), DType::Bool);
  EXPECT_EQ(p.to_doubles(), (Vals{0, 0, 0, 1}));  // np.multiply on bool: logical and
}

// ---------------------------------------------------------------------------------------
// neg and exp

TEST(ArrayUnary, Neg) {
  NdArray r = pa::neg(sl(iota(4, DType::Float64), {Slice{kAll, kAll, -1}}));
  EXPECT_EQ(r.to_doubles(), (Vals{-3, -2, -1, -0.0}));
  EXPECT_TRUE(std::signbit(r.at<double>(Idx{3})));  // -(0.0) is -0.0
  NdArray i = pa::neg(values<std::int32_t>({3}, {1, -2, std::numeric_limits<std::int32_t>::min()}));
  EXPECT_EQ(i.dtype(), DType::Int32);
  // np.negative(np.int32(-2**31)) wraps to itself
  EXPECT_EQ(i.to_doubles(), (Vals{-1, 2, double(std::numeric_limits<std::int32_t>::min())}));
  EXPECT_EQ(pa::neg(iota(6, {2, 3}).transpose()).to_doubles(), (Vals{0, -3, -1, -4, -2, -5}));
  // -np.array([True]) raises TypeError with this text.
  expect_error<parity::TypeError>(
      [] { pa::neg(bools({true})); },
      "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the "
      "logical_not function instead.");
}

TEST(ArrayUnary, Exp) {
  // np.exp(np.array([0, 1], np.int32)) -> float64 [1, e]
  NdArray e = pa::exp(values<std::int32_t>({2}, {0, 1}));
  EXPECT_EQ(e.dtype(), DType::Float64);
  EXPECT_EQ(e.to_doubles(), (Vals{1.0, std::numbers::e}));
  // float32 stays float32: exp(1) rounded once to float is the float nearest e.
  NdArray f = pa::exp(values<float>({2}, {0.0f, 1.0f}));
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.at<float>(Idx{1}), static_cast<float>(std::numbers::e));
  EXPECT_EQ(pa::exp(iota(4, {2, 2}, DType::Float64).transpose()).to_doubles(),
            (Vals{1.0, std::exp(2.0), std::exp(1.0), std::exp(3.0)}));
  EXPECT_EQ(pa::exp(values<double>({1}, {-INFINITY})).to_doubles(), (Vals{0.0}));
  // np.exp(np.array([True, False])) is float16 [2.719, 1.]: e rounded to float16 is 2.71875.
  NdArray h = pa::exp(bools({true, false}));
  EXPECT_EQ(h.dtype(), DType::Float16);
  EXPECT_EQ(h.to_doubles(), (Vals{2.71875, 1.0}));
}

// ---------------------------------------------------------------------------------------
// sum

TEST(ArraySum, AxesKeepdimsAndAll) {
  NdArray a = iota(6, {2, 3});
  const std::int64_t ax0[] = {0}, ax1[] = {1}, axm1[] = {-1}, both[] = {0, 1};
  EXPECT_EQ(pa::sum(a, ax0).to_doubles(), (Vals{3, 5, 7}));  // np.arange(6).reshape(2,3).sum(0)
  EXPECT_EQ(pa::sum(a, ax1).to_doubles(), (Vals{3, 12}));
  EXPECT_EQ(pa::sum(a, axm1).to_doubles(), (Vals{3, 12}));
  NdArray all = pa::sum(a);
  EXPECT_EQ(all.ndim(), 0);
  EXPECT_EQ(all.dtype(), DType::Int64);
  EXPECT_EQ(all.get(Idx{}), 15);
  EXPECT_EQ(pa::sum(a, both).get(Idx{}), 15);
  EXPECT_EQ(pa::sum(a, ax1, true).shape(), (Shape{2, 1}));  // keepdims=True
  EXPECT_EQ(pa::sum(a, ax1, true).to_doubles(), (Vals{3, 12}));
  EXPECT_EQ(pa::sum(a, {}, true).shape(), (Shape{1, 1}));
  // np.arange(24).reshape(2,3,4).sum(axis=(0,2)) -> [60, 92, 124] (sum of 12i + 4j + k)
  const std::int64_t ax02[] = {0, 2};
  EXPECT_EQ(pa::sum(iota(24, {2, 3, 4}), ax02).to_doubles(), (Vals{60, 92, 124}));
  EXPECT_EQ(pa::sum(iota(24, {2, 3, 4}, DType::Float64), ax02).to_doubles(), (Vals{60, 92, 124}));
  // 0-d: np.sum(np.array(2.5)) == 2.5
  EXPECT_EQ(pa::sum(NdArray::full({}, 2.5, DType::Float64)).get(Idx{}), 2.5);
}

TEST(ArraySum, StridedInputs) {
  const std::int64_t ax0[] = {0};
  // a.T.sum(0) == a.sum(1) == [3, 12]
  EXPECT_EQ(pa::sum(iota(6, {2, 3}).transpose(), ax0).to_doubles(), (Vals{3, 12}));
  EXPECT_EQ(pa::sum(sl(iota(5, DType::Float32), {Slice{kAll, kAll, -1}})).get(Idx{}), 10);
  // Broadcast input: np.broadcast_to(np.arange(3), (4,3)).sum(0) == [0, 4, 8]
  EXPECT_EQ(pa::sum(iota(3).broadcast_to({4, 3}), ax0).to_doubles(), (Vals{0, 4, 8}));
}

TEST(ArraySum, DTypes) {
  // np.sum(np.array([2**31-1, 1], np.int32)) == 2147483648 (int64 accumulator and result)
  NdArray s = pa::sum(values<std::int32_t>({2}, {std::numeric_limits<std::int32_t>::max(), 1}));
  EXPECT_EQ(s.dtype(), DType::Int64);
  EXPECT_EQ(s.at<std::int64_t>(Idx{}), 2147483648LL);
  // np.sum(np.array([2**63-1, 1])) wraps to -2**63
  EXPECT_EQ(pa::sum(values<std::int64_t>({2}, {std::numeric_limits<std::int64_t>::max(), 1}))
                .at<std::int64_t>(Idx{}),
            std::numeric_limits<std::int64_t>::min());
  // np.sum(np.array([True, False, True])) == 2, int64
  NdArray b = pa::sum(bools({true, false, true}));
  EXPECT_EQ(b.dtype(), DType::Int64);
  EXPECT_EQ(b.at<std::int64_t>(Idx{}), 2);
  EXPECT_EQ(pa::sum(values<float>({2}, {1.5f, 2.0f})).dtype(), DType::Float32);
}

TEST(ArraySum, Empty) {
  // np.sum(np.zeros(0)) == 0.0, float64
  NdArray e = pa::sum(NdArray::zeros({0}, DType::Float64));
  EXPECT_EQ(e.dtype(), DType::Float64);
  EXPECT_EQ(e.get(Idx{}), 0.0);
  EXPECT_EQ(pa::sum(NdArray::zeros({0}, DType::Int32)).get(Idx{}), 0);
  // np.zeros((2,0)).sum(1) -> [0., 0.]; np.zeros((2,0)).sum(0).shape == (0,)
  const std::int64_t ax0[] = {0}, ax1[] = {1};
  EXPECT_EQ(pa::sum(NdArray::zeros({2, 0}, DType::Float32), ax1).to_doubles(), (Vals{0, 0}));
  EXPECT_EQ(pa::sum(NdArray::zeros({2, 0}, DType::Float32), ax0).shape(), (Shape{0}));
}

TEST(ArraySum, AxisErrors) {
  NdArray a = iota(24, {2, 3, 4});
  const std::int64_t dup[] = {0, -3}, out[] = {3}, zero[] = {0};
  expect_error<parity::ValueError>([&] { pa::sum(a, dup); }, "duplicate value in 'axis'");
  expect_error<parity::ValueError>([&] { pa::sum(a, out); },
                                   "axis 3 is out of bounds for array of dimension 3");
  expect_error<parity::ValueError>([&] { pa::sum(NdArray(), zero); },
                                   "axis 0 is out of bounds for array of dimension 0");
}

// Pairwise order, derived by hand for float32 [2^24, 1, 1, 1, 1, 1, 1, 1, 1] (9 terms):
// eight lanes hold the first 8 terms; tree: ((2^24+1) + (1+1)) + ((1+1) + (1+1))
// = (2^24 + 2) + 4 (2^24+1 ties to even 2^24) = 2^24 + 6; then + 1 = 2^24 + 7, a tie that
// rounds to even 2^24 + 8 = 16777224, the exact sum. A plain loop loses every 1: 16777216.
TEST(ArraySum, PairwiseOrderMatchesNumPy) {
  std::vector<float> v(9, 1.0f);
  v[0] = 16777216.0f;
  EXPECT_EQ(pa::sum(values<float>({9}, v)).at<float>(Idx{}), 16777224.0f);
  float naive = 0;
  for (float x : v) naive += x;
  EXPECT_EQ(naive, 16777216.0f);
}

// The bits NumPy 1.24.2 gives; each case's Python is quoted (vals(n) is
// (np.arange(n) % 97).astype(np.float32) * np.float32(0.37)). NumPy sums pairwise only
// within the innermost reduced run, in chunks of its 8192-element buffer, and adds outer
// axes row by row; scripts/check-sum-order checks the same rule over many more layouts.
NdArray bools(const Shape& shape, std::initializer_list<bool> v) {
  return NdArray::from_values<bool>(shape, std::span<const bool>(v.begin(), v.size()));
}
float f32(std::uint32_t bits) { return std::bit_cast<float>(bits); }
NdArray vals(std::int64_t n, const Shape& shape) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[std::size_t(i)] = float(i % 97) * 0.37f;
  return values<float>(shape, v);
}

TEST(ArraySum, FloatOrderIsNumPys) {
  // np.sum(np.full(10**6, 0.1, np.float32)) == 100000.086 (chunks of 8192, then in sequence)
  EXPECT_EQ(pa::sum(NdArray::full({1000000}, 0.1, DType::Float32)).at<float>(Idx{}), f32(0x47c3500b));
  // np.sum(vals(20000))
  EXPECT_EQ(pa::sum(vals(20000, {20000})).at<float>(Idx{}), f32(0x48ad4f1e));
  // a = (np.arange(1551).astype(np.float32) * np.float32(0.1)).reshape(517, 3); np.sum(a, axis=0)
  std::vector<float> v(1551);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = float(i) * 0.1f;
  const NdArray rows = pa::sum(values<float>({517, 3}, v), std::vector<std::int64_t>{0});
  EXPECT_EQ(rows.at<float>(Idx{0}), f32(0x471c4fcd));
  EXPECT_EQ(rows.at<float>(Idx{1}), f32(0x471c8380));
  EXPECT_EQ(rows.at<float>(Idx{2}), f32(0x471cb733));
  // np.sum(vals(1000).reshape(40, 25)[::-1, ::-1])
  const pa::Slice flip{std::nullopt, std::nullopt, -1};
  const pa::Slice both[] = {flip, flip};
  EXPECT_EQ(pa::sum(vals(1000, {40, 25}).slice(both)).at<float>(Idx{}), f32(0x4687d84c));
  // c = vals(120).reshape(4, 5, 6).transpose(2, 0, 1); np.sum(c, axis=(1, 2)); np.sum(c, axis=0)
  const int perm[] = {2, 0, 1};
  const NdArray c = vals(120, {4, 5, 6}).transpose(perm);
  const NdArray inner = pa::sum(c, std::vector<std::int64_t>{1, 2});
  const std::uint32_t want_inner[] = {0x439d10a4, 0x438ed1eb, 0x4392851f, 0x43963851, 0x4399eb83, 0x439d9eba};
  for (std::int64_t i = 0; i < 6; ++i) EXPECT_EQ(inner.at<float>(Idx{i}), f32(want_inner[i])) << i;
  const NdArray outer = pa::sum(c, std::vector<std::int64_t>{0});
  EXPECT_EQ(outer.at<float>(Idx{0, 0}), f32(0x40b1999a));
  EXPECT_EQ(outer.at<float>(Idx{0, 3}), f32(0x42360a3e));
  // np.sum(vals(27000).reshape(3, 9000), axis=1)
  const NdArray long_rows = pa::sum(vals(27000, {3, 9000}), std::vector<std::int64_t>{1});
  EXPECT_EQ(long_rows.at<float>(Idx{0}), f32(0x481bce2f));
  EXPECT_EQ(long_rows.at<float>(Idx{2}), f32(0x481c1fc6));
  // np.sum(np.array([-0.0] * 20)) == 0.0: the sum starts at add's identity, +0.
  const NdArray negzero = pa::sum(NdArray::full({20}, -0.0, DType::Float64));
  EXPECT_FALSE(std::signbit(negzero.at<double>(Idx{})));
}

// ---------------------------------------------------------------------------------------
// matmul

TEST(ArrayMatmul, HandExample) {
  NdArray a = values<double>({2, 3}, {1, 2, 3, 4, 5, 6});
  NdArray b = values<double>({3, 2}, {7, 8, 9, 10, 11, 12});
  // [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
  NdArray c = pa::matmul(a, b);
  EXPECT_EQ(c.shape(), (Shape{2, 2}));
  EXPECT_EQ(c.dtype(), DType::Float64);
  EXPECT_EQ(c.to_doubles(), (Vals{58, 64, 139, 154}));
  // float32 @ float32 -> float32; float32 @ float64 -> float64
  EXPECT_EQ(pa::matmul(a.astype(DType::Float32), b.astype(DType::Float32)).dtype(), DType::Float32);
  EXPECT_EQ(pa::matmul(a.astype(DType::Float32), b).dtype(), DType::Float64);
  EXPECT_EQ(pa::matmul(a.astype(DType::Float32), b.astype(DType::Float32)).to_doubles(),
            (Vals{58, 64, 139, 154}));
}

TEST(ArrayMatmul, StridedInputs) {
  // np.arange(6.).reshape(3,2).T @ np.ones((3,1)) -> [[6], [9]] (column sums 0+2+4, 1+3+5)
  NdArray t = iota(6, {3, 2}, DType::Float64).transpose();
  EXPECT_EQ(pa::matmul(t, NdArray::ones({3, 1}, DType::Float64)).to_doubles(), (Vals{6, 9}));
  // [[1,2,3]] @ np.arange(3.)[::-1].reshape(3,1) = 1*2 + 2*1 + 3*0 = 4
  NdArray rev = sl(iota(3, DType::Float64), {Slice{kAll, kAll, -1}}).reshape({3, 1});
  EXPECT_EQ(pa::matmul(values<double>({1, 3}, {1, 2, 3}), rev).to_doubles(), (Vals{4}));
  // Broadcast (stride 0) operand: np.broadcast_to([[1.],[2.]], (2,2)) @ np.eye(2)
  NdArray bc = values<double>({2, 1}, {1, 2}).broadcast_to({2, 2});
  EXPECT_EQ(pa::matmul(bc, values<double>({2, 2}, {1, 0, 0, 1})).to_doubles(), (Vals{1, 1, 2, 2}));
}

TEST(ArrayMatmul, EmptyInnerDimensionGivesZeros) {
  // np.ones((2,0)) @ np.ones((0,3)) == np.zeros((2,3))
  NdArray c = pa::matmul(NdArray::ones({2, 0}, DType::Float64), NdArray::ones({0, 3}, DType::Float64));
  EXPECT_EQ(c.shape(), (Shape{2, 3}));
  EXPECT_EQ(c.to_doubles(), Vals(6, 0.0));
}

// The reference accumulates each dot product in double with compensation and rounds once.
TEST(ArrayMatmul, AccumulationIsMoreAccurateThanTheInputPrecision) {
  // float32 [1, 2^-24, 2^-24] . [1, 1, 1] = 1 + 2^-23, a float32 number; a float32 loop gives
  // 1 (each 1 + 2^-24 ties to even 1).
  const float h = std::ldexp(1.0f, -24);
  NdArray c = pa::matmul(values<float>({1, 3}, {1.0f, h, h}), NdArray::ones({3, 1}, DType::Float32));
  EXPECT_EQ(c.at<float>(Idx{0, 0}), 1.0f + 2 * h);
  // float64 [1e16, 1, -1e16] . [1, 1, 1] = 1 exactly; a plain double loop gives 0.
  NdArray d = pa::matmul(values<double>({1, 3}, {1e16, 1, -1e16}), NdArray::ones({3, 1}, DType::Float64));
  EXPECT_EQ(d.get(Idx{0, 0}), 1.0);
  // Infinities and NaN propagate instead of turning into NaN through the error terms.
  NdArray inf = pa::matmul(values<double>({1, 2}, {INFINITY, 1}), NdArray::ones({2, 1}, DType::Float64));
  EXPECT_EQ(inf.get(Idx{0, 0}), INFINITY);
  NdArray nan = pa::matmul(values<double>({1, 2}, {NAN, 1}), NdArray::ones({2, 1}, DType::Float64));
  EXPECT_TRUE(std::isnan(nan.get(Idx{0, 0})));
}

TEST(ArrayMatmul, Errors) {
  NdArray a = NdArray::ones({2, 3}, DType::Float64);
  expect_error<parity::ValueError>(
      [&] {
        pa::matmul(a, NdArray::ones({2, 2}, DType::Float64));
      },
      "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
      "(n?,k),(k,m?)->(n?,m?) (size 2 is different from 3)");
  EXPECT_THROW(pa::matmul(a, NdArray::ones({3}, DType::Float64)), parity::ValueError);
}

// np.ones((2,3), bool) @ np.ones((3,2)) -> float64 [[3, 3], [3, 3]];
// np.ones((2,3), np.int64) @ np.ones((3,2), np.int32) -> int64;
// np.array([[True, False]]) @ np.array([[False], [True]]) -> bool [[False]];
// np.array([[2**30, 2**30]], np.int32) @ np.array([[2], [2]], np.int32) -> int32 [[0]] (wraps);
// np.ones((2,3), np.int32) @ np.ones((4,5), np.int32) raises ValueError as for floats.
TEST(ArrayMatmul, IntegerAndBool) {
  const NdArray bf = pa::matmul(NdArray::ones({2, 3}, DType::Bool), NdArray::ones({3, 2}, DType::Float64));
  EXPECT_EQ(bf.dtype(), DType::Float64);
  EXPECT_EQ(bf.get(Idx{1, 1}), 3.0);
  const NdArray li = pa::matmul(NdArray::ones({2, 3}, DType::Int64), NdArray::ones({3, 2}, DType::Int32));
  EXPECT_EQ(li.dtype(), DType::Int64);
  EXPECT_EQ(li.at<std::int64_t>(Idx{0, 1}), 3);
  const NdArray bb = pa::matmul(bools({1, 2}, {true, false}), bools({2, 1}, {false, true}));
  EXPECT_EQ(bb.dtype(), DType::Bool);
  EXPECT_FALSE(bb.at<bool>(Idx{0, 0}));
  const NdArray bt = pa::matmul(bools({1, 2}, {true, true}), bools({2, 1}, {false, true}));
  EXPECT_TRUE(bt.at<bool>(Idx{0, 0}));
  const NdArray wrap =
      pa::matmul(values<std::int32_t>({1, 2}, {1 << 30, 1 << 30}), values<std::int32_t>({2, 1}, {2, 2}));
  EXPECT_EQ(wrap.at<std::int32_t>(Idx{0, 0}), 0);
  expect_error<parity::ValueError>(
      [&] {
        pa::matmul(NdArray::ones({2, 3}, DType::Int32), NdArray::ones({4, 5}, DType::Int32));
      },
      "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
      "(n?,k),(k,m?)->(n?,m?) (size 4 is different from 3)");
}

// ---------------------------------------------------------------------------------------
// random

TEST(ArrayRandom, DeterministicPerSeed) {
  NdArray a = NdArray::random({4, 5}, DType::Float64, 42);
  NdArray b = NdArray::random({4, 5}, DType::Float64, 42);
  NdArray c = NdArray::random({4, 5}, DType::Float64, 43);
  EXPECT_EQ(a.to_doubles(), b.to_doubles());
  EXPECT_NE(a.to_doubles(), c.to_doubles());
  // Element i in C order is core::random_value(..., i, ...) (float64: no rounding).
  const Vals v = a.to_doubles();
  for (std::int64_t i = 0; i < 20; ++i)
    EXPECT_EQ(v[std::size_t(i)], core::random_value(core::Distribution::Uniform, 42, i, 0.0, 1.0));
  // float32 is the same stream rounded once.
  NdArray f = NdArray::random({3}, DType::Float32, 42);
  EXPECT_EQ(f.at<float>(Idx{2}), float(core::random_value(core::Distribution::Uniform, 42, 2, 0.0, 1.0)));
}

TEST(ArrayRandom, UniformRangeAndMean) {
  NdArray u = NdArray::random({1000}, DType::Float64, 7, core::Distribution::Uniform, -2.0, 3.0);
  for (double x : u.to_doubles()) {
    EXPECT_GE(x, -2.0);
    EXPECT_LT(x, 3.0);
  }
  const std::int64_t n = 100000;
  NdArray m = NdArray::random({n}, DType::Float64, 11);
  EXPECT_NEAR(pa::sum(m).get(Idx{}) / double(n), 0.5, 0.01);
  // Integers: uniform in [a, b] inclusive.
  NdArray i = NdArray::random({2000}, DType::Int32, 5, core::Distribution::Uniform, -3, 3);
  bool hit_lo = false, hit_hi = false;
  for (double x : i.to_doubles()) {
    EXPECT_GE(x, -3);
    EXPECT_LE(x, 3);
    hit_lo = hit_lo || x == -3;
    hit_hi = hit_hi || x == 3;
  }
  EXPECT_TRUE(hit_lo && hit_hi);
}

// np.subtract(np.array([5, -2**31], np.int32), np.array([7, 1], np.int32)) -> [-2, 2147483647];
// np.subtract(np.array([True, False]), np.array([1, 5], np.int32)) -> int32 [0, -5];
// np.subtract of two bool arrays raises TypeError.
TEST(ArraySub, ValuesAndRefusal) {
  using parity::spec::OpId;
  const NdArray d =
      pa::call(OpId::Sub, std::array{values<std::int32_t>({2}, {5, std::numeric_limits<std::int32_t>::min()}),
                                     values<std::int32_t>({2}, {7, 1})});
  EXPECT_EQ(d.to_doubles(), (std::vector<double>{-2, 2147483647}));
  const NdArray m =
      pa::call(OpId::Sub, std::array{bools({2}, {true, false}), values<std::int32_t>({2}, {1, 5})});
  EXPECT_EQ(m.dtype(), DType::Int32);
  EXPECT_EQ(m.to_doubles(), (std::vector<double>{0, -5}));
  try {
    pa::call(OpId::Sub, std::array{bools({1}, {true}), bools({1}, {true})});
    FAIL();
  } catch (const parity::TypeError& e) {
    EXPECT_EQ(e.py_class(), "TypeError");
    EXPECT_STREQ(
        e.what(),
        "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, "
        "or the logical_xor function instead.");
  }
}

namespace parity::array {
// np.matmul(np.ones((2, 2)), np.float64(1)) and the mirror (NumPy 1.24.2).
TEST(ArrayMatmul, ZeroDimOperandIsRefusedAsNumPyDoes) {
  const NdArray m = NdArray::ones({2, 2}, DType::Float64), s = NdArray::ones({}, DType::Float64);
  parity::testing::expect_library_error<parity::Error>(
      [&] { matmul(m, s); }, "ValueError",
      "matmul: Input operand 1 does not have enough dimensions (has 0, gufunc core with signature "
      "(n?,k),(k,m?)->(n?,m?) requires 1)");
  parity::testing::expect_library_error<parity::Error>(
      [&] { matmul(s, m); }, "ValueError",
      "matmul: Input operand 0 does not have enough dimensions (has 0, gufunc core with signature "
      "(n?,k),(k,m?)->(n?,m?) requires 1)");
}
}  // namespace parity::array

namespace parity::array {
namespace {

using parity::spec::OpId;

// The float functions on float64 inputs, NumPy 1.24.2:
// np.sqrt(np.array([0.5, 2.0])) -> [0.7071067811865476, 1.4142135623730951], and so on for
// each row (the values as .tolist() prints them). Within the registry's budget of 4 ULPs:
// NumPy's float64 loops (SVML on this AVX-512 machine) err by up to 3; np.cos(0.5) is
// 0.8775825618903725, two ULPs below the correctly rounded 0.8775825618903728 (glibc's).
TEST(ArrayUnary, FloatFunctionsOfFloat64) {
  struct Row {
    OpId op;
    double x0, x1, want0, want1;
  };
  const Row rows[] = {
      {OpId::Sqrt, 0.5, 2.0, 0.7071067811865476, 1.4142135623730951},
      {OpId::Log, 0.5, 2.0, -0.6931471805599453, 0.6931471805599453},
      {OpId::Sin, 0.5, 2.0, 0.47942553860420295, 0.9092974268256816},
      {OpId::Cos, 0.5, 2.0, 0.8775825618903725, -0.4161468365471424},
      {OpId::Tanh, 0.5, 2.0, 0.46211715726000974, 0.9640275800758169},
      {OpId::Log1p, 0.5, 2.0, 0.4054651081081644, 1.0986122886681096},
      {OpId::Expm1, 0.5, 2.0, 0.6487212707001282, 6.38905609893065},
      {OpId::Log2, 0.5, 2.0, -1.0, 1.0},
      {OpId::Log10, 0.5, 2.0, -0.3010299956639812, 0.3010299956639812},
      {OpId::Exp2, 0.5, 2.0, 1.4142135623730951, 4.0},
      {OpId::Tan, 0.5, 2.0, 0.5463024898437905, -2.185039863261519},
      {OpId::Atan, 0.5, 2.0, 0.4636476090008061, 1.1071487177940904},
      {OpId::Sinh, 0.5, 2.0, 0.5210953054937474, 3.6268604078470186},
      {OpId::Cosh, 0.5, 2.0, 1.1276259652063807, 3.7621956910836314},
      {OpId::Asinh, 0.5, 2.0, 0.48121182505960347, 1.4436354751788103},
      {OpId::Asin, 0.5, -0.25, 0.5235987755982989, -0.25268025514207865},
      {OpId::Acos, 0.5, -0.25, 1.0471975511965976, 1.8234765819369751},
      {OpId::Atanh, 0.5, -0.25, 0.5493061443340549, -0.25541281188299536},
      {OpId::Acosh, 1.0, 2.0, 0.0, 1.3169578969248168},
      {OpId::Square, 0.5, -3.0, 0.25, 9.0},
      {OpId::Reciprocal, 0.5, -4.0, 2.0, -0.25},
  };
  for (const Row& r : rows) {
    const NdArray y = call(r.op, std::array{values<double>({2}, {r.x0, r.x1})});
    const std::string name(spec::op_spec(r.op).name);
    ASSERT_EQ(y.dtype(), DType::Float64) << name;
    const Vals got = y.to_doubles();
    EXPECT_NEAR(got[0], r.want0, 4 * 2.3e-16 * std::fabs(r.want0)) << name;
    EXPECT_NEAR(got[1], r.want1, 4 * 2.3e-16 * std::fabs(r.want1)) << name;
  }
}

// np.sqrt(np.array([4, 9], np.int8)) -> float16 [2., 3.]; of int32: float64;
// np.log(np.array([0., -1.])) -> [-inf, nan]; np.sqrt(np.array([-0.])) -> [-0.]
TEST(ArrayUnary, FloatFunctionDtypesAndSpecials) {
  const NdArray h = call(OpId::Sqrt, std::array{values<std::int8_t>({2}, {4, 9})});
  EXPECT_EQ(h.dtype(), DType::Float16);
  EXPECT_EQ(h.to_doubles(), (Vals{2.0, 3.0}));
  EXPECT_EQ(call(OpId::Sin, std::array{values<std::int32_t>({1}, {0})}).dtype(), DType::Float64);
  EXPECT_EQ(call(OpId::Log, std::array{bools({true})}).dtype(), DType::Float16);
  const Vals l = call(OpId::Log, std::array{values<double>({2}, {0.0, -1.0})}).to_doubles();
  EXPECT_EQ(l[0], -INFINITY);
  EXPECT_TRUE(std::isnan(l[1]));
  const Vals z = call(OpId::Sqrt, std::array{values<double>({1}, {-0.0})}).to_doubles();
  EXPECT_TRUE(z[0] == 0.0 && std::signbit(z[0]));
}

// np.square(np.array([True, False])) -> int8 [1, 0]; np.square(np.array([200], np.uint8)) ->
// [64] (wraps); np.reciprocal(np.array([0, 1, 2, -1], np.int32)) -> int32 [-2147483648, 1, 0, -1];
// np.reciprocal(np.array([0, 1, 2], np.uint8)) -> [0, 1, 0]; np.reciprocal of bool is int8.
TEST(ArrayUnary, SquareAndReciprocalKeepIntegers) {
  const NdArray s = call(OpId::Square, std::array{bools({true, false})});
  EXPECT_EQ(s.dtype(), DType::Int8);
  EXPECT_EQ(s.to_doubles(), (Vals{1, 0}));
  EXPECT_EQ(call(OpId::Square, std::array{values<std::uint8_t>({1}, {200})}).to_doubles(), (Vals{64}));
  const NdArray r = call(OpId::Reciprocal, std::array{values<std::int32_t>({4}, {0, 1, 2, -1})});
  EXPECT_EQ(r.dtype(), DType::Int32);
  EXPECT_EQ(r.to_doubles(), (Vals{-2147483648.0, 1, 0, -1}));
  EXPECT_EQ(call(OpId::Reciprocal, std::array{values<std::uint8_t>({3}, {0, 1, 2})}).to_doubles(),
            (Vals{0, 1, 0}));
  EXPECT_EQ(call(OpId::Reciprocal, std::array{bools({true, false})}).dtype(), DType::Int8);
}

}  // namespace
}  // namespace parity::array

namespace parity::array {
namespace {

// np.absolute(np.array([True, False])) -> [True, False] (bool stays bool);
// np.absolute(np.array([-128, 5], np.int8)) -> [-128, 5]; np.absolute(np.array([-0., -2.5])) -> [0., 2.5]
TEST(ArrayUnary, Absolute) {
  using parity::spec::OpId;
  const NdArray b = call(OpId::Abs, std::array{bools({true, false})});
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(b.to_doubles(), (Vals{1, 0}));
  EXPECT_EQ(call(OpId::Abs, std::array{values<std::int8_t>({2}, {-128, 5})}).to_doubles(), (Vals{-128, 5}));
  const Vals f = call(OpId::Abs, std::array{values<double>({2}, {-0.0, -2.5})}).to_doubles();
  EXPECT_EQ(f, (Vals{0.0, 2.5}));
  EXPECT_FALSE(std::signbit(f[0]));
}

}  // namespace
}  // namespace parity::array

namespace parity::array {
namespace {

// np.divide(np.array([1, -1, 0, 7], np.int32), np.array([0, 0, 0, 2], np.int32)) -> float64
// [inf, -inf, nan, 3.5]; np.divide(np.array([True]), np.array([True])).dtype is float64
TEST(ArrayDivide, TrueDivisionOfIntegersIsFloat64) {
  using parity::spec::OpId;
  const NdArray q = call(OpId::Divide, std::array{values<std::int32_t>({4}, {1, -1, 0, 7}),
                                                  values<std::int32_t>({4}, {0, 0, 0, 2})});
  EXPECT_EQ(q.dtype(), DType::Float64);
  const Vals v = q.to_doubles();
  EXPECT_EQ(v[0], INFINITY);
  EXPECT_EQ(v[1], -INFINITY);
  EXPECT_TRUE(std::isnan(v[2]));
  EXPECT_EQ(v[3], 3.5);
  EXPECT_EQ(call(OpId::Divide, std::array{bools({true}), bools({true})}).dtype(), DType::Float64);
}

// np.maximum(np.array([1., nan, 0.], np.float32), np.array([2., 1., -0.], np.float32)) ->
// [2., nan, -0.] (a -0/+0 tie: the second operand in float32 and float64);
// np.minimum(np.float16 [0.], [-0.]) -> [0.] (the first in float16);
// np.fmax(np.array([nan, 1., nan]), np.array([1., nan, nan])) -> [1., 1., nan];
// np.minimum(np.array([True, False]), np.array([True, True])) -> [True, False];
// np.maximum(np.array([-128, 5], np.int8), np.array([127, 3], np.int8)) -> [127, 5]
TEST(ArrayExtremum, NaNTiesAndDtypes) {
  using parity::spec::OpId;
  const Vals m = call(OpId::Maximum, std::array{values<float>({3}, {1.f, NAN, 0.f}), values<float>({3}, {2.f, 1.f, -0.f})})
                     .to_doubles();
  EXPECT_EQ(m[0], 2.0);
  EXPECT_TRUE(std::isnan(m[1]));
  EXPECT_TRUE(m[2] == 0 && std::signbit(m[2]));
  const NdArray h = call(OpId::Minimum, std::array{values<double>({1}, {0.0}).astype(DType::Float16),
                                                   values<double>({1}, {-0.0}).astype(DType::Float16)});
  EXPECT_EQ(h.dtype(), DType::Float16);
  EXPECT_FALSE(std::signbit(h.to_doubles()[0]));
  const Vals f = call(OpId::Fmax, std::array{values<double>({3}, {NAN, 1, NAN}), values<double>({3}, {1, NAN, NAN})})
                     .to_doubles();
  EXPECT_EQ(f[0], 1.0);
  EXPECT_EQ(f[1], 1.0);
  EXPECT_TRUE(std::isnan(f[2]));
  const NdArray b = call(OpId::Minimum, std::array{bools({true, false}), bools({true, true})});
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(b.to_doubles(), (Vals{1, 0}));
  EXPECT_EQ(call(OpId::Maximum, std::array{values<std::int8_t>({2}, {-128, 5}), values<std::int8_t>({2}, {127, 3})})
                .to_doubles(),
            (Vals{127, 5}));
}

}  // namespace
}  // namespace parity::array

namespace parity::array {
namespace {

// The binary float functions, NumPy 1.24.2 (NEP 50): np.arctan2(np.array([0., -0., 0., -0.,
// 1., np.inf, -np.inf]), np.array([0., 0., -0., -0., np.inf, np.inf, -np.inf])) ->
// [0., -0., pi, -pi, 0., pi/4, -3pi/4]; np.hypot([inf, nan, 3.], [nan, inf, 4.]) -> [inf, inf,
// 5.]; np.copysign(np.array([1., 2., 3.], np.float16), np.array([-0., nan, -nan], np.float16))
// -> [-1., 2., -3.]; np.logaddexp([inf, -inf, 1., nan], [inf, -inf, inf, 1.]) -> [inf, -inf,
// inf, nan], np.logaddexp(1., 2.) -> 2.313261687518223;
// np.arctan2(np.array([1], np.uint8), np.array([2], np.int8)) -> float16 [0.463623046875].
TEST(ArrayBinaryFloat, SpecialValuesAndDtypes) {
  using parity::spec::OpId;
  const double pi = 3.141592653589793, inf = INFINITY;
  const Vals a = call(OpId::Atan2, std::array{values<double>({7}, {0., -0., 0., -0., 1., inf, -inf}),
                                              values<double>({7}, {0., 0., -0., -0., inf, inf, -inf})})
                     .to_doubles();
  EXPECT_EQ(a, (Vals{0., -0., pi, -pi, 0., 0.7853981633974483, -2.356194490192345}));
  EXPECT_TRUE(std::signbit(a[1]));
  EXPECT_EQ(call(OpId::Hypot, std::array{values<double>({3}, {inf, NAN, 3.}), values<double>({3}, {NAN, inf, 4.})})
                .to_doubles(),
            (Vals{inf, inf, 5.}));
  const NdArray c = call(OpId::Copysign, std::array{values<double>({3}, {1., 2., 3.}).astype(DType::Float16),
                                                    values<double>({3}, {-0., NAN, -NAN}).astype(DType::Float16)});
  EXPECT_EQ(c.dtype(), DType::Float16);
  EXPECT_EQ(c.to_doubles(), (Vals{-1., 2., -3.}));
  const Vals l = call(OpId::Logaddexp, std::array{values<double>({5}, {inf, -inf, 1., NAN, 1.}),
                                                  values<double>({5}, {inf, -inf, inf, 1., 2.})})
                     .to_doubles();
  EXPECT_EQ(l[0], inf);
  EXPECT_EQ(l[1], -inf);
  EXPECT_EQ(l[2], inf);
  EXPECT_TRUE(std::isnan(l[3]));
  EXPECT_EQ(l[4], 2.313261687518223);
  const NdArray h = call(OpId::Atan2, std::array{values<std::uint8_t>({1}, {1}), values<std::int8_t>({1}, {2})});
  EXPECT_EQ(h.dtype(), DType::Float16);
  EXPECT_EQ(h.to_doubles(), (Vals{0.463623046875}));
}

// np.nextafter(np.array([0, -0., 1, 65504, inf], np.float16), np.array([-1, 1, 0, inf, 0],
// np.float16)) -> [-2**-24, 2**-24, 0.99951171875, inf, 65504.] (float16's own steps).
TEST(ArrayBinaryFloat, NextafterStepsInTheDtype) {
  using parity::spec::OpId;
  const double inf = INFINITY;
  const NdArray n = call(OpId::Nextafter, std::array{values<double>({5}, {0, -0., 1, 65504, inf}).astype(DType::Float16),
                                                     values<double>({5}, {-1, 1, 0, inf, 0}).astype(DType::Float16)});
  EXPECT_EQ(n.dtype(), DType::Float16);
  EXPECT_EQ(n.to_doubles(), (Vals{-0x1p-24, 0x1p-24, 0.99951171875, inf, 65504.}));
  EXPECT_EQ(call(OpId::Nextafter, std::array{values<double>({1}, {1.}), values<double>({1}, {2.})}).to_doubles(),
            (Vals{1.0000000000000002}));
}

// np.bitwise_and/or/xor(np.array([12, -1], np.int8), np.array([10, -128], np.int8)) -> [8, -128],
// [14, -1], [6, 127]; np.bitwise_xor([True, False, True], [True, True, False]) -> [False, True,
// True]; np.bitwise_and(np.array([1.]), np.array([1.])) and (uint64, int64): TypeError.
TEST(ArrayBitwise, ValuesAndRefusals) {
  using parity::spec::OpId;
  const auto x = values<std::int8_t>({2}, {12, -1}), y = values<std::int8_t>({2}, {10, -128});
  EXPECT_EQ(call(OpId::BitwiseAnd, std::array{x, y}).to_doubles(), (Vals{8, -128}));
  EXPECT_EQ(call(OpId::BitwiseOr, std::array{x, y}).to_doubles(), (Vals{14, -1}));
  EXPECT_EQ(call(OpId::BitwiseXor, std::array{x, y}).to_doubles(), (Vals{6, 127}));
  const NdArray b = call(OpId::BitwiseXor, std::array{bools({true, false, true}), bools({true, true, false})});
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(b.to_doubles(), (Vals{0, 1, 1}));
  const std::string msg =
      "ufunc 'bitwise_and' not supported for the input types, and the inputs could not be safely coerced to any "
      "supported types according to the casting rule ''safe''";
  parity::testing::expect_library_error<parity::Error>(
      [] { call(OpId::BitwiseAnd, std::array{values<double>({1}, {1.}), values<double>({1}, {1.})}); }, "TypeError",
      msg);
  parity::testing::expect_library_error<parity::Error>(
      [] {
        call(OpId::BitwiseAnd, std::array{values<std::uint64_t>({1}, {1}), values<std::int64_t>({1}, {1})});
      },
      "TypeError", msg);
}

// np.left_shift / np.right_shift of int8 1, -5 by [-3, 0, 7, 8, 32]: << 1: [0, 1, -128, 0, 0],
// >> -5: [-1, -5, -1, -1, -1]; np.right_shift(np.int8(5), 8) -> 0;
// np.left_shift(np.array([True]), np.array([True])) -> int8 [2].
TEST(ArrayShift, AmountsOutsideTheWidth) {
  using parity::spec::OpId;
  const auto amounts = values<std::int8_t>({5}, {-3, 0, 7, 8, 32});
  EXPECT_EQ(call(OpId::LeftShift, std::array{values<std::int8_t>({5}, {1, 1, 1, 1, 1}), amounts}).to_doubles(),
            (Vals{0, 1, -128, 0, 0}));
  EXPECT_EQ(call(OpId::RightShift, std::array{values<std::int8_t>({5}, {-5, -5, -5, -5, -5}), amounts}).to_doubles(),
            (Vals{-1, -5, -1, -1, -1}));
  EXPECT_EQ(call(OpId::RightShift, std::array{values<std::int8_t>({1}, {5}), values<std::int8_t>({1}, {8})})
                .to_doubles(),
            (Vals{0}));
  const NdArray s = call(OpId::LeftShift, std::array{bools({true}), bools({true})});
  EXPECT_EQ(s.dtype(), DType::Int8);
  EXPECT_EQ(s.to_doubles(), (Vals{2}));
}

}  // namespace
}  // namespace parity::array

namespace parity::array {
namespace {

using parity::spec::OpId;

// Comparisons compute in the promoted dtype and write bool (NumPy 1.24.2, NEP 50):
// np.equal(np.array([16777217, 3], np.int64), np.array([16777216., 3.], np.float32)) ->
// [False, True] and np.greater -> [True, False] (compared in float64, where 2**24 + 1 is
// exact); np.equal(np.array([255], np.uint8), np.array([-1], np.int8)) -> [False] (in int16);
// np.equal(np.array([2**53 + 1], np.int64), np.array([2**53], np.uint64)) -> [True] (in float64).
TEST(ArrayCompare, ComputeDtypeDecides) {
  const NdArray big = values<std::int64_t>({2}, {16777217, 3});
  const NdArray f = values<float>({2}, {16777216.0f, 3.0f});
  const NdArray eq = call(OpId::Equal, std::array{big, f});
  EXPECT_EQ(eq.dtype(), DType::Bool);
  EXPECT_EQ(eq.to_doubles(), (Vals{0, 1}));
  EXPECT_EQ(call(OpId::Greater, std::array{big, f}).to_doubles(), (Vals{1, 0}));
  EXPECT_EQ(call(OpId::Equal, std::array{values<std::uint8_t>({1}, {255}), values<std::int8_t>({1}, {-1})})
                .to_doubles(),
            (Vals{0}));
  EXPECT_EQ(call(OpId::Equal, std::array{values<std::int64_t>({1}, {(std::int64_t(1) << 53) + 1}),
                                         values<std::uint64_t>({1}, {std::uint64_t(1) << 53})})
                .to_doubles(),
            (Vals{1}));
}

// a = np.array([nan, -0., 1.]); b = np.array([1., 0., nan]):
// np.less(a, b) -> [F, F, F]; np.less_equal -> [F, T, F]; np.not_equal -> [T, F, T];
// np.greater_equal -> [F, T, F]; np.equal -> [F, T, F]; np.greater -> [F, F, F]
TEST(ArrayCompare, NaNAndSignedZero) {
  const NdArray a = values<double>({3}, {NAN, -0.0, 1.0}), b = values<double>({3}, {1.0, 0.0, NAN});
  const std::pair<OpId, Vals> rows[] = {{OpId::Less, {0, 0, 0}},         {OpId::LessEqual, {0, 1, 0}},
                                        {OpId::NotEqual, {1, 0, 1}},     {OpId::GreaterEqual, {0, 1, 0}},
                                        {OpId::Equal, {0, 1, 0}},        {OpId::Greater, {0, 0, 0}}};
  for (const auto& [op, want] : rows) {
    const NdArray r = call(op, std::array{a, b});
    EXPECT_EQ(r.dtype(), DType::Bool) << spec::op_spec(op).name;
    EXPECT_EQ(r.to_doubles(), want) << spec::op_spec(op).name;
  }
}

// a = np.array([nan, -0., 2.]); b = np.array([1., 1., 0.]): np.logical_and(a, b) -> [T, F, F],
// np.logical_or -> [T, T, T], np.logical_xor -> [F, T, T], np.logical_not(a) -> [F, T, F]
TEST(ArrayLogical, NaNIsTrueNegativeZeroIsFalse) {
  const NdArray a = values<double>({3}, {NAN, -0.0, 2.0}), b = values<double>({3}, {1.0, 1.0, 0.0});
  EXPECT_EQ(call(OpId::LogicalAnd, std::array{a, b}).to_doubles(), (Vals{1, 0, 0}));
  EXPECT_EQ(call(OpId::LogicalOr, std::array{a, b}).to_doubles(), (Vals{1, 1, 1}));
  EXPECT_EQ(call(OpId::LogicalXor, std::array{a, b}).to_doubles(), (Vals{0, 1, 1}));
  const NdArray n = call(OpId::LogicalNot, std::array{a});
  EXPECT_EQ(n.dtype(), DType::Bool);
  EXPECT_EQ(n.to_doubles(), (Vals{0, 1, 0}));
}

// np.isnan(np.array([1, 2], np.int8)) -> [F, F] (its integer loop), np.isfinite -> [T, T];
// np.isnan(np.array([nan, 1.], np.float16)) -> [T, F] (tested in float16);
// np.isinf(np.array([inf, 65504], np.float16)) -> [T, F];
// np.signbit(np.array([-128, 0], np.int8)) -> [T, F] (through float16: its loops are float only);
// np.signbit(np.array([-0., -nan, nan, -inf])) -> [T, T, F, T]
TEST(ArrayPredicates, EveryDtype) {
  const NdArray i = values<std::int8_t>({2}, {1, 2});
  EXPECT_EQ(call(OpId::Isnan, std::array{i}).to_doubles(), (Vals{0, 0}));
  EXPECT_EQ(call(OpId::Isfinite, std::array{i}).to_doubles(), (Vals{1, 1}));
  const NdArray h = values<double>({2}, {NAN, 1.0}).astype(DType::Float16);
  const NdArray hn = call(OpId::Isnan, std::array{h});
  EXPECT_EQ(hn.dtype(), DType::Bool);
  EXPECT_EQ(hn.to_doubles(), (Vals{1, 0}));
  EXPECT_EQ(call(OpId::Isinf, std::array{values<double>({2}, {INFINITY, 65504.0}).astype(DType::Float16)})
                .to_doubles(),
            (Vals{1, 0}));
  EXPECT_EQ(call(OpId::Signbit, std::array{values<std::int8_t>({2}, {-128, 0})}).to_doubles(), (Vals{1, 0}));
  EXPECT_EQ(call(OpId::Signbit, std::array{values<double>({4}, {-0.0, -NAN, NAN, -INFINITY})}).to_doubles(),
            (Vals{1, 1, 0, 1}));
}

}  // namespace
}  // namespace parity::array

namespace parity::array {
namespace {

// np.floor_divide / np.remainder / np.fmod of np.array([7, -7, 7, -7, 5], np.int32) by
// np.array([2, 2, -2, -2, 0], np.int32): [3, -4, -4, 3, 0], [1, 1, -1, -1, 0], [1, -1, 1, -1, 0]
// (a zero divisor gives 0, with a RuntimeWarning); np.floor_divide(np.array([-128], np.int8),
// np.array([-1], np.int8)) is [-128], np.remainder of them [0];
// np.floor_divide(np.ones(3, bool), np.ones(3, bool)).dtype is int8
TEST(ArrayDivision, IntegersFloorTruncAndZero) {
  using parity::spec::OpId;
  const auto x = values<std::int32_t>({5}, {7, -7, 7, -7, 5}), y = values<std::int32_t>({5}, {2, 2, -2, -2, 0});
  EXPECT_EQ(call(OpId::FloorDivide, std::array{x, y}).to_doubles(), (Vals{3, -4, -4, 3, 0}));
  EXPECT_EQ(call(OpId::Remainder, std::array{x, y}).to_doubles(), (Vals{1, 1, -1, -1, 0}));
  EXPECT_EQ(call(OpId::Fmod, std::array{x, y}).to_doubles(), (Vals{1, -1, 1, -1, 0}));
  const auto m = values<std::int8_t>({1}, {-128}), n = values<std::int8_t>({1}, {-1});
  EXPECT_EQ(call(OpId::FloorDivide, std::array{m, n}).to_doubles(), (Vals{-128}));
  EXPECT_EQ(call(OpId::Remainder, std::array{m, n}).to_doubles(), (Vals{0}));
  EXPECT_EQ(call(OpId::FloorDivide, std::array{bools({true}), bools({true})}).dtype(), DType::Int8);
}

// np.remainder(np.array([-4., 4., -7.5]), np.array([2., -2., 2.])) -> [0., -0., 0.5] (a zero
// remainder has the divisor's sign); np.floor_divide(np.array([7., -7., 1., -0.]),
// np.array([2., 2., 0., 3.])) -> [3., -4., inf, -0.]
TEST(ArrayDivision, FloatsSignsAndZeroDivisor) {
  using parity::spec::OpId;
  const Vals r = call(OpId::Remainder, std::array{values<double>({3}, {-4, 4, -7.5}), values<double>({3}, {2, -2, 2})})
                     .to_doubles();
  EXPECT_TRUE(r[0] == 0 && !std::signbit(r[0]));
  EXPECT_TRUE(r[1] == 0 && std::signbit(r[1]));
  EXPECT_EQ(r[2], 0.5);
  const Vals q = call(OpId::FloorDivide, std::array{values<double>({4}, {7, -7, 1, -0.0}), values<double>({4}, {2, 2, 0, 3})})
                     .to_doubles();
  EXPECT_EQ(q[0], 3.0);
  EXPECT_EQ(q[1], -4.0);
  EXPECT_EQ(q[2], INFINITY);
  EXPECT_TRUE(q[3] == 0 && std::signbit(q[3]));
}

// np.power(np.array([0, 3, 2], np.int64), np.array([0, 40, 3], np.int64)) ->
// [1, -6289078614652622815, 8] (wraps); np.power(np.array([2, 3], np.int8), np.array([-1],
// np.int8)): ValueError: Integers to negative integer powers are not allowed.;
// np.power(np.array([2., 3.]), np.array([-1], np.int8)) -> [0.5, 0.333...]
TEST(ArrayPower, IntegersWrapAndNegativeExponentsRaise) {
  using parity::spec::OpId;
  const NdArray p = call(OpId::Power, std::array{values<std::int64_t>({3}, {0, 3, 2}), values<std::int64_t>({3}, {0, 40, 3})});
  EXPECT_EQ(p.dtype(), DType::Int64);
  const auto* pv = static_cast<const std::int64_t*>(p.data());
  EXPECT_EQ(pv[0], 1);
  EXPECT_EQ(pv[1], -6289078614652622815LL);
  EXPECT_EQ(pv[2], 8);
  try {
    call(OpId::Power, std::array{values<std::int8_t>({2}, {2, 3}), values<std::int8_t>({1}, {-1})});
    FAIL();
  } catch (const parity::Error& e) {
    EXPECT_EQ(e.py_class(), "ValueError");
    EXPECT_STREQ(e.what(), "Integers to negative integer powers are not allowed.");
  }
  const Vals f = call(OpId::Power, std::array{values<double>({2}, {2, 3}), values<std::int8_t>({1}, {-1})}).to_doubles();
  EXPECT_EQ(f[0], 0.5);
  EXPECT_EQ(f[1], 1.0 / 3.0);
}

// np.where(np.array([0., np.nan, -0.]), np.array([1, 2, 3], np.int8), np.array([4, 5, 6], np.int8))
// -> [4, 2, 6] int8 (NaN is true, -0 false); np.where(np.array([True]), np.array([1], np.int8),
// np.array([1.], np.float32)).dtype -> float32; with int64 and float32 -> float64; with int32
// and a 0-d int64 -> int64; np.where(np.array([[True], [False]]), np.array([1., 2., 3.]),
// np.array(0.)) -> [[1, 2, 3], [0, 0, 0]]; np.where(np.ones(3, bool), np.ones(4), np.ones(3)):
// ValueError: operands could not be broadcast together with shapes (3,) (4,) (3,)
TEST(ArrayWhere, ConditionTruthPromotionAndBroadcast) {
  using parity::spec::OpId;
  const NdArray w = call(OpId::Where, std::array{values<double>({3}, {0.0, NAN, -0.0}),
                                                 values<std::int8_t>({3}, {1, 2, 3}), values<std::int8_t>({3}, {4, 5, 6})});
  EXPECT_EQ(w.dtype(), DType::Int8);
  EXPECT_EQ(w.to_doubles(), (Vals{4, 2, 6}));
  const NdArray t = bools({true});
  EXPECT_EQ(call(OpId::Where, std::array{t, values<std::int8_t>({1}, {1}), values<float>({1}, {1})}).dtype(),
            DType::Float32);
  EXPECT_EQ(call(OpId::Where, std::array{t, values<std::int64_t>({1}, {1}), values<float>({1}, {1})}).dtype(),
            DType::Float64);
  EXPECT_EQ(call(OpId::Where, std::array{t, values<std::int32_t>({1}, {1}), values<std::int64_t>({}, {1})}).dtype(),
            DType::Int64);
  const NdArray b = call(OpId::Where, std::array{bools({true, false}).reshape({2, 1}), values<double>({3}, {1, 2, 3}),
                                                 values<double>({}, {0})});
  EXPECT_EQ(b.shape(), (Shape{2, 3}));
  EXPECT_EQ(b.to_doubles(), (Vals{1, 2, 3, 0, 0, 0}));
  expect_error<parity::ValueError>(
      [] {
        call(OpId::Where, std::array{NdArray::ones({3}, DType::Bool), NdArray::ones({4}, DType::Float64),
                                     NdArray::ones({3}, DType::Float64)});
      },
      "operands could not be broadcast together with shapes (3,) (4,) (3,) ");
}

// np.clip(np.array([-0., 0., -0., 0.]), np.array([0., -0., -0., 0.]), np.array([1., 1., -0., -0.]))
// -> [0., -0., -0., -0.] (a tie gives the bound); np.clip(np.array([1., 1.]), np.array([nan, 0.]),
// np.array([2., nan])) -> [nan, nan]; np.clip(np.array([0., 5., 10.]), np.array([6.]),
// np.array([4.])) -> [4., 4., 4.]; np.clip(np.array([1, 200], np.uint8), np.array([-1], np.int8),
// np.array([100], np.int8)) -> int16 [1, 100]; np.clip(np.array([True, False]), np.array([False]),
// np.array([True])) -> bool [True, False]
TEST(ArrayClip, TiesNaNAndMinAboveMax) {
  using parity::spec::OpId;
  const Vals z = call(OpId::Clip, std::array{values<double>({4}, {-0.0, 0.0, -0.0, 0.0}),
                                             values<double>({4}, {0.0, -0.0, -0.0, 0.0}),
                                             values<double>({4}, {1.0, 1.0, -0.0, -0.0})})
                     .to_doubles();
  EXPECT_EQ(z, (Vals{0, 0, 0, 0}));
  EXPECT_EQ(std::signbit(z[0]), false);
  EXPECT_EQ(std::signbit(z[1]), true);
  EXPECT_EQ(std::signbit(z[2]), true);
  EXPECT_EQ(std::signbit(z[3]), true);
  const Vals n = call(OpId::Clip, std::array{values<double>({2}, {1, 1}), values<double>({2}, {NAN, 0}),
                                             values<double>({2}, {2, NAN})})
                     .to_doubles();
  EXPECT_TRUE(std::isnan(n[0]) && std::isnan(n[1]));
  EXPECT_EQ(call(OpId::Clip, std::array{values<double>({3}, {0, 5, 10}), values<double>({1}, {6}),
                                        values<double>({1}, {4})})
                .to_doubles(),
            (Vals{4, 4, 4}));
  const NdArray u = call(OpId::Clip, std::array{values<std::uint8_t>({2}, {1, 200}), values<std::int8_t>({1}, {-1}),
                                                values<std::int8_t>({1}, {100})});
  EXPECT_EQ(u.dtype(), DType::Int16);
  EXPECT_EQ(u.to_doubles(), (Vals{1, 100}));
  // np.clip(np.array([-0., 0., -0., 0.], np.float16), np.array([0., -0., -0., 0.], np.float16),
  // np.array([1., 1., -0., -0.], np.float16)) -> [-0., 0., -0., 0.]: the float16 loop keeps a
  const Vals h = call(OpId::Clip, std::array{values<double>({4}, {-0.0, 0.0, -0.0, 0.0}).astype(DType::Float16),
                                             values<double>({4}, {0.0, -0.0, -0.0, 0.0}).astype(DType::Float16),
                                             values<double>({4}, {1.0, 1.0, -0.0, -0.0}).astype(DType::Float16)})
                     .to_doubles();
  EXPECT_TRUE(std::signbit(h[0]) && !std::signbit(h[1]) && std::signbit(h[2]) && !std::signbit(h[3]));
  const NdArray bo = call(OpId::Clip, std::array{bools({true, false}), bools({false}), bools({true})});
  EXPECT_EQ(bo.dtype(), DType::Bool);
  EXPECT_EQ(bo.to_doubles(), (Vals{1, 0}));
}

// np.nan_to_num(np.array([nan, inf, -inf, 1.], np.float32)) -> [0, 3.4028235e38, -3.4028235e38, 1];
// of float16 -> [0, 65504, -65504, 1]; np.nan_to_num(np.array([nan, inf, -inf, 1.]), nan=2.5,
// posinf=1e300, neginf=-7) -> [2.5, 1e300, -7, 1]; of float16 with nan=1e10, posinf=1e6,
// neginf=-1e6 -> [inf, inf, -inf, 1]; np.nan_to_num(np.array([1, 2], np.int8), nan=5) -> int8 [1, 2]
TEST(ArrayNanToNum, DefaultsParametersAndIntegers) {
  using parity::spec::OpId;
  const NdArray x = values<double>({4}, {NAN, INFINITY, -INFINITY, 1});
  const NdArray f = call(OpId::NanToNum, std::array{x.astype(DType::Float32)});
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.to_doubles(), (Vals{0, double(std::numeric_limits<float>::max()), -double(std::numeric_limits<float>::max()), 1}));
  EXPECT_EQ(call(OpId::NanToNum, std::array{x.astype(DType::Float16)}).to_doubles(), (Vals{0, 65504, -65504, 1}));
  spec::Params p;
  p.scalars = {2.5, 1e300, -7.0};
  EXPECT_EQ(call(OpId::NanToNum, std::array{x}, p).to_doubles(), (Vals{2.5, 1e300, -7, 1}));
  p.scalars = {1e10, 1e6, -1e6};
  EXPECT_EQ(call(OpId::NanToNum, std::array{x.astype(DType::Float16)}, p).to_doubles(),
            (Vals{INFINITY, INFINITY, -INFINITY, 1}));
  p.scalars = {5.0, std::nullopt, std::nullopt};
  const NdArray i = call(OpId::NanToNum, std::array{values<std::int8_t>({2}, {1, 2})}, p);
  EXPECT_EQ(i.dtype(), DType::Int8);
  EXPECT_EQ(i.to_doubles(), (Vals{1, 2}));
}

}  // namespace
}  // namespace parity::array

namespace parity::array {
namespace {

using parity::spec::OpId;

// Bits of a result element, for the signs of zeros.
Vals signbits(const NdArray& a) {
  Vals out;
  for (double v : a.to_doubles()) out.push_back(std::signbit(v) ? 1 : 0);
  return out;
}

// np.positive(np.array([-0., 1.5], np.float32)) -> float32 [-0., 1.5];
// np.positive(np.array([-128, 5], np.int8)) -> [-128, 5]; np.positive(np.array([True])):
// numpy.core._exceptions._UFuncNoLoopError: ufunc 'positive' did not contain a loop with
// signature matching types <class 'numpy.dtype[bool_]'> -> None
TEST(ArrayPositive, ValuesAndRefusals) {
  const NdArray f = call(OpId::Positive, std::array{values<float>({2}, {-0.0f, 1.5f})});
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.to_doubles(), (Vals{0.0, 1.5}));
  EXPECT_EQ(signbits(f), (Vals{1, 0}));
  EXPECT_EQ(call(OpId::Positive, std::array{values<std::int8_t>({2}, {-128, 5})}).to_doubles(), (Vals{-128, 5}));
  parity::testing::expect_library_error<parity::Error>(
      [] { call(OpId::Positive, std::array{bools({true})}); }, "numpy.core._exceptions._UFuncNoLoopError",
      "ufunc 'positive' did not contain a loop with signature matching types <class 'numpy.dtype[bool_]'> -> None");
}

// np.sign(np.array([-3, 0, 5, -128], np.int8)) -> [-1, 0, 1, -1]; np.sign(np.array([0, 7, 255],
// np.uint8)) -> [0, 1, 1]; np.sign(np.array([-0., np.nan, -np.inf, 2.5, 1e-300])) ->
// [0., nan, -1., 1., 1.] (the zero positive); np.sign(np.array([True])): _UFuncNoLoopError
TEST(ArraySign, ValuesAndRefusals) {
  EXPECT_EQ(call(OpId::Sign, std::array{values<std::int8_t>({4}, {-3, 0, 5, -128})}).to_doubles(),
            (Vals{-1, 0, 1, -1}));
  const NdArray u = call(OpId::Sign, std::array{values<std::uint8_t>({3}, {0, 7, 255})});
  EXPECT_EQ(u.dtype(), DType::UInt8);
  EXPECT_EQ(u.to_doubles(), (Vals{0, 1, 1}));
  const NdArray f = call(OpId::Sign, std::array{values<double>({5}, {-0.0, NAN, -INFINITY, 2.5, 1e-300})});
  const Vals v = f.to_doubles();
  EXPECT_EQ(v[0], 0.0);
  EXPECT_FALSE(std::signbit(v[0]));
  EXPECT_TRUE(std::isnan(v[1]));
  EXPECT_EQ((Vals{v[2], v[3], v[4]}), (Vals{-1, 1, 1}));
  parity::testing::expect_library_error<parity::Error>(
      [] { call(OpId::Sign, std::array{bools({true})}); }, "numpy.core._exceptions._UFuncNoLoopError",
      "ufunc 'sign' did not contain a loop with signature matching types <class 'numpy.dtype[bool_]'> -> None");
}

// x = np.array([-2.5, -0.5, 0.5, 1.5, 2.5, -0.]):
// np.floor(x) -> [-3., -1., 0., 1., 2., -0.]; np.ceil(x) -> [-2., -0., 1., 2., 3., -0.];
// np.trunc(x) -> [-2., -0., 0., 1., 2., -0.]; np.rint(x) -> [-2., -0., 0., 2., 2., -0.] (halves to even).
// Integers become floats: np.floor(np.array([-5, 7], np.int8)) -> float16 [-5., 7.],
// np.ceil of np.uint16 float32, np.trunc of np.int32 float64, np.rint(np.array([True, False])) ->
// float16 [1., 0.]; np.floor(np.array([2**53 + 1])) -> [9007199254740992.] (cast to float64 first);
// np.rint(np.array([2.**23 - 0.5], np.float32)) -> [8388608.]
const Vals kHalves{-2.5, -0.5, 0.5, 1.5, 2.5, -0.0};

void expect_rounding(OpId op, const Vals& want, const Vals& want_signs) {
  const NdArray r = call(op, std::array{values<double>({6}, kHalves)});
  EXPECT_EQ(r.dtype(), DType::Float64);
  EXPECT_EQ(r.to_doubles(), want);
  EXPECT_EQ(signbits(r), want_signs);
  // The same in float16 (computed in float, rounded back: exact).
  EXPECT_EQ(call(op, std::array{values<double>({6}, kHalves).astype(DType::Float16)}).to_doubles(), want);
}

TEST(ArrayFloor, ValuesAndRefusals) {
  expect_rounding(OpId::Floor, {-3, -1, 0, 1, 2, -0.0}, {1, 1, 0, 0, 0, 1});
  const NdArray i = call(OpId::Floor, std::array{values<std::int8_t>({2}, {-5, 7})});
  EXPECT_EQ(i.dtype(), DType::Float16);
  EXPECT_EQ(i.to_doubles(), (Vals{-5, 7}));
  EXPECT_EQ(call(OpId::Floor, std::array{values<std::int64_t>({1}, {(1LL << 53) + 1})}).to_doubles(),
            (Vals{9007199254740992.0}));
}

TEST(ArrayCeil, ValuesAndRefusals) {
  expect_rounding(OpId::Ceil, {-2, -0.0, 1, 2, 3, -0.0}, {1, 1, 0, 0, 0, 1});
  EXPECT_EQ(call(OpId::Ceil, std::array{values<std::uint16_t>({1}, {65535})}).dtype(), DType::Float32);
}

TEST(ArrayTrunc, ValuesAndRefusals) {
  expect_rounding(OpId::Trunc, {-2, -0.0, 0, 1, 2, -0.0}, {1, 1, 0, 0, 0, 1});
  EXPECT_EQ(call(OpId::Trunc, std::array{values<std::int32_t>({1}, {-5})}).dtype(), DType::Float64);
}

TEST(ArrayRint, ValuesAndRefusals) {
  expect_rounding(OpId::Rint, {-2, -0.0, 0, 2, 2, -0.0}, {1, 1, 0, 0, 0, 1});
  const NdArray b = call(OpId::Rint, std::array{bools({true, false})});
  EXPECT_EQ(b.dtype(), DType::Float16);
  EXPECT_EQ(b.to_doubles(), (Vals{1, 0}));
  EXPECT_EQ(call(OpId::Rint, std::array{values<float>({1}, {8388607.5f})}).to_doubles(), (Vals{8388608.0}));
}

// np.invert(np.array([0, -1, 127, -128], np.int8)) -> [-1, 0, -128, 127];
// np.invert(np.array([0, 255], np.uint8)) -> [255, 0]; np.invert(np.array([True, False])) ->
// [False, True]; np.invert(np.ones(3)): TypeError: ufunc 'invert' not supported for the input
// types, and the inputs could not be safely coerced to any supported types according to the
// casting rule ''safe''
TEST(ArrayInvert, ValuesAndRefusals) {
  EXPECT_EQ(call(OpId::Invert, std::array{values<std::int8_t>({4}, {0, -1, 127, -128})}).to_doubles(),
            (Vals{-1, 0, -128, 127}));
  EXPECT_EQ(call(OpId::Invert, std::array{values<std::uint8_t>({2}, {0, 255})}).to_doubles(), (Vals{255, 0}));
  const NdArray b = call(OpId::Invert, std::array{bools({true, false})});
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(b.to_doubles(), (Vals{0, 1}));
  parity::testing::expect_library_error<parity::Error>(
      [] { call(OpId::Invert, std::array{values<double>({3}, {1, 1, 1})}); }, "TypeError",
      "ufunc 'invert' not supported for the input types, and the inputs could not be safely coerced to any "
      "supported types according to the casting rule ''safe''");
}

}  // namespace
}  // namespace parity::array

namespace parity::array {
namespace {

using parity::spec::OpId;

// Ops one library lacks, NumPy's side (NumPy 1.24.2, SciPy 1.10.1):
// np.cbrt(np.array([-8., 27., 0.001, -0.], np.float32)) -> [-2., 2.9999998, 0.1, -0.] (glibc's
// cbrtf is an ULP off at 27; the reference rounds cbrt once: 3.);
// np.cbrt(np.array([-8, 1, 64], np.int8)) -> float16 [-2., 1., 4.];
// scipy.special.erf(np.array([-1, 0, 2], np.int8)) -> float32 [-0.8427008, 0., 0.9953223];
// scipy.special.erf(np.array([0.5], np.float16)) -> float32 [0.5204999] (no float16 loop)
TEST(ArrayLacking, CbrtAndErf) {
  const Vals c = call(OpId::Cbrt, std::array{values<float>({4}, {-8.f, 27.f, 0.001f, -0.f})}).to_doubles();
  EXPECT_EQ(c[0], -2.0);
  EXPECT_FLOAT_EQ(float(c[1]), 2.999999761581421f);
  EXPECT_FLOAT_EQ(float(c[2]), 0.10000000149011612f);
  EXPECT_TRUE(c[3] == 0 && std::signbit(c[3]));
  const NdArray ci = call(OpId::Cbrt, std::array{values<std::int8_t>({3}, {-8, 1, 64})});
  EXPECT_EQ(ci.dtype(), DType::Float16);
  EXPECT_EQ(ci.to_doubles(), (Vals{-2, 1, 4}));
  const NdArray e = call(OpId::Erf, std::array{values<std::int8_t>({3}, {-1, 0, 2})});
  EXPECT_EQ(e.dtype(), DType::Float32);
  const Vals ev = e.to_doubles();
  EXPECT_FLOAT_EQ(float(ev[0]), -0.8427007794380188f);
  EXPECT_EQ(ev[1], 0.0);
  EXPECT_FLOAT_EQ(float(ev[2]), 0.9953222870826721f);
  const NdArray eh = call(OpId::Erf, std::array{NdArray::full({1}, 0.5, DType::Float16)});
  EXPECT_EQ(eh.dtype(), DType::Float32);
  EXPECT_FLOAT_EQ(float(eh.to_doubles()[0]), 0.5204998850822449f);
}

// The composites, as NumPy evaluates their formulas (NEP 50):
// np.maximum(np.array([-2., -0., 0., np.nan, 1.5], np.float32), 0) -> [0., 0., 0., nan, 1.5] (+0 at
// -0: the second operand at a tie), in float16 -0 stays -0; np.maximum(np.array([True, False]), 0)
// -> int64 [1, 0]; 1 / (1 + np.exp(-np.array([0, 1, 2], np.uint8))) -> float16 [0.5, 0., 0.] (-x
// wraps to 255 and 254); of np.array([-3, 0, 2], np.int8) -> float16 [0.04745, 0.5, 0.8804];
// x / (1 + np.exp(-x)) of np.array([-1., 1., -np.inf, 3., -0.], np.float32) ->
// [-0.2689414, 0.7310586, nan, 2.8577225, -0.]; 1 / (1 + np.exp(-np.array([True]))): TypeError
TEST(ArrayComposite, FormulasAsNumPyEvaluatesThem) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Vals r = call(OpId::Relu, std::array{values<float>({5}, {-2.f, -0.f, 0.f, nan, 1.5f})}).to_doubles();
  EXPECT_EQ(r[0], 0.0);
  EXPECT_TRUE(r[1] == 0 && !std::signbit(r[1]));
  EXPECT_TRUE(std::isnan(r[3]));
  EXPECT_EQ(r[4], 1.5);
  const Vals rh = call(OpId::Relu, std::array{NdArray::full({1}, -0.0, DType::Float16)}).to_doubles();
  EXPECT_TRUE(rh[0] == 0 && std::signbit(rh[0]));
  const NdArray rb = call(OpId::Relu, std::array{bools({true, false})});
  EXPECT_EQ(rb.dtype(), DType::Int64);
  EXPECT_EQ(rb.to_doubles(), (Vals{1, 0}));
  const NdArray su = call(OpId::Sigmoid, std::array{values<std::uint8_t>({3}, {0, 1, 2})});
  EXPECT_EQ(su.dtype(), DType::Float16);
  EXPECT_EQ(su.to_doubles(), (Vals{0.5, 0, 0}));
  EXPECT_EQ(call(OpId::Sigmoid, std::array{values<std::int8_t>({3}, {-3, 0, 2})}).to_doubles(),
            (Vals{0.047454833984375, 0.5, 0.88037109375}));
  const Vals s = call(OpId::Silu, std::array{values<float>({5}, {-1.f, 1.f, -INFINITY, 3.f, -0.f})}).to_doubles();
  EXPECT_FLOAT_EQ(float(s[0]), -0.26894140243530273f);
  EXPECT_FLOAT_EQ(float(s[1]), 0.7310585975646973f);
  EXPECT_TRUE(std::isnan(s[2]));
  EXPECT_FLOAT_EQ(float(s[3]), 2.857722520828247f);
  EXPECT_TRUE(s[4] == 0 && std::signbit(s[4]));
  try {
    call(OpId::Sigmoid, std::array{bools({true})});
    FAIL();
  } catch (const parity::Error& e) {
    EXPECT_EQ(e.py_class(), "TypeError");
    EXPECT_STREQ(e.what(),
                 "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the "
                 "logical_not function instead.");
  }
}

// gelu's formulas as NumPy evaluates them (NEP 50): 0.5 * x * (1 + scipy.special.erf(x *
// 0.7071067811865476)) of np.array([-3, 0, 2], np.int8) -> float64 [-0.00404969409489031, 0.,
// 1.9544997361036416]; of np.array([-0.75, 1.5, -0.], np.float16) -> float32 [-0.16998861730098724,
// 1.3997581005096436, -0.]; of np.array([True, False]) -> float64 [0.8413447460685429, 0.].
// 0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * (x * x * x)))) of the int8 ->
// float64 [-0.0036373920817729943, 0., 1.954597694087775]; of the float16 -> float16
// [-0.169921875, 1.3984375, -0.].
TEST(ArrayComposite, GeluFormulas) {
  const NdArray gi = call(OpId::Gelu, std::array{values<std::int8_t>({3}, {-3, 0, 2})});
  EXPECT_EQ(gi.dtype(), DType::Float64);
  const Vals gi_want{-0.00404969409489031, 0.0, 1.9544997361036416};
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(gi.to_doubles()[i], gi_want[i], 1e-15) << i;
  const NdArray half = values<float>({3}, {-0.75f, 1.5f, -0.f}).astype(DType::Float16);
  const NdArray gh = call(OpId::Gelu, std::array{half});
  EXPECT_EQ(gh.dtype(), DType::Float32);
  EXPECT_EQ(float(gh.to_doubles()[0]), -0.16998861730098724f);
  EXPECT_EQ(float(gh.to_doubles()[1]), 1.3997581005096436f);
  EXPECT_TRUE(gh.to_doubles()[2] == 0 && std::signbit(gh.to_doubles()[2]));
  const NdArray gb = call(OpId::Gelu, std::array{bools({true, false})});
  EXPECT_EQ(gb.dtype(), DType::Float64);
  EXPECT_NEAR(gb.to_doubles()[0], 0.8413447460685429, 1e-15);
  const NdArray ti = call(OpId::GeluTanh, std::array{values<std::int8_t>({3}, {-3, 0, 2})});
  EXPECT_EQ(ti.dtype(), DType::Float64);
  const Vals ti_want{-0.0036373920817729943, 0.0, 1.954597694087775};
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(ti.to_doubles()[i], ti_want[i], 1e-15) << i;
  const NdArray th = call(OpId::GeluTanh, std::array{half});
  EXPECT_EQ(th.dtype(), DType::Float16);
  EXPECT_EQ(th.to_doubles()[0], -0.169921875);
  EXPECT_EQ(th.to_doubles()[1], 1.3984375);
  EXPECT_TRUE(th.to_doubles()[2] == 0 && std::signbit(th.to_doubles()[2]));
}

// softplus's formula as NumPy evaluates it: np.where(x > 20, x, np.log1p(np.exp(x))) of
// np.array([-1., 0., 20., 20.5, 100., -100., np.inf, -np.inf], np.float32) ->
// [0.31326163, 0.6931472, 20., 20.5, 100., 3.7835059e-44, inf, 0.]; of np.array([-3, 0, 25],
// np.int8) -> float16 [0.04858, 0.6934, 25.]; of np.array([True, False]) -> float16 [1.3135,
// 0.6934]; of np.array([15., 25.], np.float16) -> [inf, 25.] (float16's exp overflows above 11)
TEST(ArrayComposite, SoftplusThroughWhere) {
  const Vals f = call(OpId::Softplus, std::array{values<float>({8}, {-1.f, 0.f, 20.f, 20.5f, 100.f, -100.f, INFINITY,
                                                                     -INFINITY})})
                     .to_doubles();
  const std::vector<float> want{0.31326162815093994f, 0.6931471824645996f, 20.f, 20.5f, 100.f, 3.783505853677006e-44f,
                                INFINITY, 0.f};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_FLOAT_EQ(float(f[i]), want[i]) << i;
  const NdArray i8 = call(OpId::Softplus, std::array{values<std::int8_t>({3}, {-3, 0, 25})});
  EXPECT_EQ(i8.dtype(), DType::Float16);
  EXPECT_EQ(i8.to_doubles(), (Vals{0.048583984375, 0.693359375, 25.0}));
  const NdArray b = call(OpId::Softplus, std::array{bools({true, false})});
  EXPECT_EQ(b.dtype(), DType::Float16);
  EXPECT_EQ(b.to_doubles(), (Vals{1.3134765625, 0.693359375}));
  EXPECT_EQ(call(OpId::Softplus, std::array{values<float>({2}, {15.f, 25.f}).astype(DType::Float16)}).to_doubles(),
            (Vals{INFINITY, 25.0}));
}

}  // namespace
}  // namespace parity::array

namespace {
using parity::spec::OpId;
using parity::spec::Params;

NdArray reduce_call(OpId op, const NdArray& a, std::vector<std::int64_t> axes = {}, bool keepdims = false) {
  Params p;
  p.axes = std::move(axes);
  p.keepdims = keepdims;
  return pa::call(op, std::array{a}, p);
}

// Each expected value is what NumPy 1.24.2 printed for the call in the comment.
TEST(ArrayReductions, ValuesAndDTypes) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const NdArray x = values<float>({2, 3}, {1, float(nan), 3, 4, 5, -1});
  // np.amax(x, axis=1) -> [nan, 5.]; np.amin(x, axis=0) -> [1., nan, -1.]
  const NdArray mx = reduce_call(OpId::Amax, x, {1});
  EXPECT_EQ(mx.dtype(), DType::Float32);
  EXPECT_TRUE(std::isnan(mx.get(Idx{0})));
  EXPECT_EQ(mx.get(Idx{1}), 5.0);
  const NdArray mn = reduce_call(OpId::Amin, x, {0});
  EXPECT_EQ(mn.get(Idx{0}), 1.0);
  EXPECT_TRUE(std::isnan(mn.get(Idx{1})));
  EXPECT_EQ(mn.get(Idx{2}), -1.0);
  // np.amax(np.array([-0., 0.])) -> 0.0 and of [0., -0.] -> -0.0 (the later of a tie);
  // np.amax(np.array([-0., 0.], np.float16)) -> -0.0 (the first)
  EXPECT_FALSE(std::signbit(reduce_call(OpId::Amax, values<double>({2}, {-0.0, 0.0})).get({})));
  EXPECT_TRUE(std::signbit(reduce_call(OpId::Amax, values<double>({2}, {0.0, -0.0})).get({})));
  EXPECT_TRUE(std::signbit(reduce_call(OpId::Amax, values<double>({2}, {-0.0, 0.0}).astype(DType::Float16)).get({})));
  // np.prod(np.array([2, 3, 4], np.uint8)) -> 24 (uint64); np.prod([[1.5, 2.], [3., 4.]], axis=0) -> [4.5, 8.]
  const NdArray pu = reduce_call(OpId::Prod, values<std::uint8_t>({3}, {2, 3, 4}));
  EXPECT_EQ(pu.dtype(), DType::UInt64);
  EXPECT_EQ(pu.get({}), 24.0);
  EXPECT_EQ(reduce_call(OpId::Prod, values<double>({2, 2}, {1.5, 2, 3, 4}), {0}).to_doubles(), (Vals{4.5, 8.0}));
  // np.mean(np.array([1, 2, 4], np.int32)) -> 2.3333333333333335 (float64); of float16 [1, 2] -> 1.5 (float16)
  const NdArray mi = reduce_call(OpId::Mean, values<std::int32_t>({3}, {1, 2, 4}));
  EXPECT_EQ(mi.dtype(), DType::Float64);
  EXPECT_EQ(mi.get({}), 2.3333333333333335);
  const NdArray mh = reduce_call(OpId::Mean, values<float>({2}, {1, 2}).astype(DType::Float16));
  EXPECT_EQ(mh.dtype(), DType::Float16);
  EXPECT_EQ(mh.get({}), 1.5);
  // float(np.mean(np.full(70001, 0.3, np.float16))) -> 0.300048828125: summed in float32
  const NdArray many = reduce_call(OpId::Mean, NdArray::full({70001}, 0.3, DType::Float16));
  EXPECT_EQ(many.get({}), 0.300048828125);
  // np.all([[1., nan], [0., 2.]], axis=1) -> [True, False]; np.any([[0., -0.], [0., nan]], axis=1) -> [False, True]
  const NdArray al = reduce_call(OpId::All, values<double>({2, 2}, {1, nan, 0, 2}), {1});
  EXPECT_EQ(al.dtype(), DType::Bool);
  EXPECT_EQ(al.to_doubles(), (Vals{1, 0}));
  EXPECT_EQ(reduce_call(OpId::Any, values<double>({2, 2}, {0, -0.0, 0, nan}), {1}).to_doubles(), (Vals{0, 1}));
  // np.all(np.ones((0, 3)), axis=0) -> [True, True, True]; np.any of it -> [False, False, False]
  EXPECT_EQ(reduce_call(OpId::All, NdArray::ones({0, 3}, DType::Float32), {0}).to_doubles(), (Vals{1, 1, 1}));
  EXPECT_EQ(reduce_call(OpId::Any, NdArray::ones({0, 3}, DType::Float32), {0}).to_doubles(), (Vals{0, 0, 0}));
}

// np.argmax / np.argmin (NumPy 1.24.2), a = np.array([[1, 3, 3], [nan, 2, nan]], np.float32):
// np.argmax(a) -> 3 (the first NaN of the flattened array), np.argmax(a, axis=1) -> [1, 0]
// (ties: the first), np.argmin(a, axis=0) -> [1, 1, 1], np.argmax(a, axis=1, keepdims=True)
// -> [[1], [0]], np.argmax(np.array([True, False, True])) -> 0, np.argmin(np.array([1., nan,
// 0., nan])) -> 1, np.argmax(np.array([-0., 0.])) -> 0; every result int64.
TEST(ArrayReductions, ArgmaxArgmin) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const NdArray a = values<float>({2, 3}, {1, 3, 3, nan, 2, nan});
  const NdArray all = reduce_call(OpId::Argmax, a);
  EXPECT_EQ(all.dtype(), DType::Int64);
  EXPECT_EQ(all.shape(), Shape{});
  EXPECT_EQ(all.get({}), 3.0);
  EXPECT_EQ(reduce_call(OpId::Argmax, a, {1}).to_doubles(), (Vals{1, 0}));
  EXPECT_EQ(reduce_call(OpId::Argmin, a, {0}).to_doubles(), (Vals{1, 1, 1}));
  const NdArray keep = reduce_call(OpId::Argmax, a, {1}, true);
  EXPECT_EQ(keep.shape(), (Shape{2, 1}));
  EXPECT_EQ(keep.to_doubles(), (Vals{1, 0}));
  EXPECT_EQ(reduce_call(OpId::Argmax, bools({true, false, true})).get({}), 0.0);
  EXPECT_EQ(reduce_call(OpId::Argmin, values<double>({4}, {1, double(nan), 0, double(nan)})).get({}), 1.0);
  EXPECT_EQ(reduce_call(OpId::Argmax, values<double>({2}, {-0.0, 0.0})).get({}), 0.0);
  // a transposed view: positions count along the view's axes, not memory
  EXPECT_EQ(reduce_call(OpId::Argmax, a.transpose(), {1}).to_doubles(), (Vals{1, 0, 1}));
  // np.argmax(np.ones((0, 3)), axis=0); np.argmin(np.ones(0)); np.argmax(np.ones((2, 3)), axis=(0, 1))
  expect_error<parity::ValueError>([] { reduce_call(OpId::Argmax, NdArray::ones({0, 3}, DType::Float64), {0}); },
                                   "attempt to get argmax of an empty sequence");
  expect_error<parity::ValueError>([] { reduce_call(OpId::Argmin, NdArray::ones({0}, DType::Float64)); },
                                   "attempt to get argmin of an empty sequence");
  expect_error<parity::TypeError>([] { reduce_call(OpId::Argmax, NdArray::ones({2, 3}, DType::Float64), {0, 1}); },
                                  "'tuple' object cannot be interpreted as an integer");
  EXPECT_EQ(reduce_call(OpId::Argmax, NdArray::ones({0, 3}, DType::Float64), {1}).shape(), (Shape{0}));
  // a 0-d input counts as 1-d: np.argmax(np.array(3.), axis=0) -> 0 (shape ()), and axis=1 is
  // AxisError "axis 1 is out of bounds for array of dimension 1" (np.amax of it says dimension 0)
  const NdArray scalar = NdArray::ones({}, DType::Float64);
  EXPECT_EQ(reduce_call(OpId::Argmax, scalar, {0}).shape(), Shape{});
  EXPECT_EQ(reduce_call(OpId::Argmin, scalar, {-1}).get({}), 0.0);
  expect_error<parity::ValueError>([&] { reduce_call(OpId::Argmax, scalar, {1}); },
                                   "axis 1 is out of bounds for array of dimension 1");
}

// np.count_nonzero (NumPy 1.24.2), a = np.array([[1, 0, nan], [0, -0., 2]], np.float32):
// np.count_nonzero(a) -> 3 (NaN counts, -0 does not), axis=1 -> [2, 1], axis=(0, 1) with
// keepdims=True -> [[3]]; np.count_nonzero(np.ones((0, 3)), axis=0) -> [0, 0, 0];
// np.count_nonzero(np.array([True, False, True])) -> 2; int64 results.
TEST(ArrayReductions, CountNonzero) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const NdArray a = values<float>({2, 3}, {1, 0, nan, 0, -0.0f, 2});
  const NdArray all = reduce_call(OpId::CountNonzero, a);
  EXPECT_EQ(all.dtype(), DType::Int64);
  EXPECT_EQ(all.get({}), 3.0);
  EXPECT_EQ(reduce_call(OpId::CountNonzero, a, {1}).to_doubles(), (Vals{2, 1}));
  const NdArray keep = reduce_call(OpId::CountNonzero, a, {0, 1}, true);
  EXPECT_EQ(keep.shape(), (Shape{1, 1}));
  EXPECT_EQ(keep.to_doubles(), (Vals{3}));
  EXPECT_EQ(reduce_call(OpId::CountNonzero, NdArray::ones({0, 3}, DType::Float64), {0}).to_doubles(), (Vals{0, 0, 0}));
  EXPECT_EQ(reduce_call(OpId::CountNonzero, bools({true, false, true})).get({}), 2.0);
}

// np.nansum (NumPy 1.24.2): of np.array([[1, 0, nan], [0, -0., 2]], np.float32) -> 3.0 (float32),
// axis=0 -> [1., 0., 2.]; of [nan, nan] -> 0.0; of [nan, inf] -> inf; of [inf, -inf] -> nan;
// of np.array([1, 2], np.uint8) -> 3 (uint64), of int8 -> 3 (int64).
TEST(ArrayReductions, Nansum) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const NdArray a = values<float>({2, 3}, {1, 0, nan, 0, -0.0f, 2});
  const NdArray all = reduce_call(OpId::Nansum, a);
  EXPECT_EQ(all.dtype(), DType::Float32);
  EXPECT_EQ(all.get({}), 3.0);
  EXPECT_EQ(reduce_call(OpId::Nansum, a, {0}).to_doubles(), (Vals{1, 0, 2}));
  EXPECT_EQ(reduce_call(OpId::Nansum, values<double>({2}, {double(nan), double(nan)})).get({}), 0.0);
  EXPECT_EQ(reduce_call(OpId::Nansum, values<double>({2}, {double(nan), inf})).get({}), inf);
  EXPECT_TRUE(std::isnan(reduce_call(OpId::Nansum, values<double>({2}, {inf, -inf})).get({})));
  EXPECT_EQ(reduce_call(OpId::Nansum, values<std::uint8_t>({2}, {1, 2})).dtype(), DType::UInt64);
  const NdArray i8 = reduce_call(OpId::Nansum, values<std::int8_t>({2}, {1, 2}));
  EXPECT_EQ(i8.dtype(), DType::Int64);
  EXPECT_EQ(i8.get({}), 3.0);
}

// np.nanmean (NumPy 1.24.2): of np.array([[1, 0, nan], [0, -0., 2]], np.float32) -> 0.6 (float32:
// 3 / 5), axis=0 -> [0.5, 0., 2.]; of [nan, nan] -> nan; of np.array([1, 2, 4], np.int32) ->
// 2.3333333333333335 (float64, as np.mean).
TEST(ArrayReductions, Nanmean) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const NdArray a = values<float>({2, 3}, {1, 0, nan, 0, -0.0f, 2});
  const NdArray all = reduce_call(OpId::Nanmean, a);
  EXPECT_EQ(all.dtype(), DType::Float32);
  EXPECT_EQ(all.get({}), double(0.6f));
  EXPECT_EQ(reduce_call(OpId::Nanmean, a, {0}).to_doubles(), (Vals{0.5, 0, 2}));
  EXPECT_TRUE(std::isnan(reduce_call(OpId::Nanmean, values<double>({2}, {double(nan), double(nan)})).get({})));
  const NdArray i = reduce_call(OpId::Nanmean, values<std::int32_t>({3}, {1, 2, 4}));
  EXPECT_EQ(i.dtype(), DType::Float64);
  EXPECT_EQ(i.get({}), 2.3333333333333335);
}

// np.amax(np.ones((3, 0)), axis=1); np.amin(np.ones((0,))) (NumPy 1.24.2); a kept zero-length
// axis is no error: np.amax(np.ones((0, 3)), axis=1).shape -> (0,)
TEST(ArrayReductions, ExtremaOfNothingRaise) {
  expect_error<parity::ValueError>([] { reduce_call(OpId::Amax, NdArray::ones({3, 0}, DType::Float64), {1}); },
                                   "zero-size array to reduction operation maximum which has no identity");
  expect_error<parity::ValueError>([] { reduce_call(OpId::Amin, NdArray::ones({0}, DType::Float64)); },
                                   "zero-size array to reduction operation minimum which has no identity");
  EXPECT_EQ(reduce_call(OpId::Amax, NdArray::ones({0, 3}, DType::Float64), {1}).shape(), (Shape{0}));
}

}  // namespace
