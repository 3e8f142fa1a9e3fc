// The CUDA kernels at the kernel-API level: device buffers from device_malloc, inputs copied
// over, each entry point of kernels::cuda run and its result compared with kernels::cpu on
// the same bytes (or with a host loop, or with a value derived by hand), in contiguous,
// transposed, strided and broadcast layouts. Whole buffers are compared, so a kernel that
// writes into the gaps of a strided output fails too.
//
// Every test but CudaRuntime.* skips where no CUDA device answers (no GPU, no driver, or
// CUDA not built); CudaRuntime.* run everywhere and check the "no device" path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/core/random.h"
#include "engine/spec/dtype.h"
#include "engine/spec/error.h"
#include "engine/spec/ops.h"
#include "kernels/common/api.h"
#include "kernels/common/cuda_runtime.h"

namespace parity {
namespace {

namespace kc = kernels::cuda;
namespace kcpu = kernels::cpu;
using kernels::Elementwise;
using kernels::Matmul;
using kernels::Operand;
using kernels::Reduction;
using spec::DType;
using spec::OpId;
using spec::Shape;
using Strides = std::vector<std::int64_t>;

// ---------------------------------------------------------------------------------------
// Layouts and buffers

// A view into a buffer: shape, element strides (>= 0) and the offset of its first element.
struct View {
  Shape shape;
  Strides strides;
  std::int64_t offset = 0;
};

Strides contiguous_strides(const Shape& s) {
  Strides st(s.size(), 1);
  for (int d = int(s.size()) - 2; d >= 0; --d) st[d] = st[d + 1] * std::max<std::int64_t>(s[d + 1], 1);
  return st;
}

View contiguous(const Shape& s) { return {s, contiguous_strides(s), 0}; }

// Shape `s` stored with its dims in the order `perm` (perm[0] outermost): a transpose.
View permuted(const Shape& s, const std::vector<int>& perm) {
  Shape stored(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) stored[i] = s[perm[i]];
  const Strides st = contiguous_strides(stored);
  Strides out(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) out[perm[i]] = st[i];
  return {s, out, 0};
}

// Every `step`-th element along each dim of a larger contiguous buffer, from `offset`
// (NumPy's big[..., ::step] of a buffer `step` times larger in each dim).
View sliced(const Shape& s, std::int64_t step, std::int64_t offset) {
  Shape big(s);
  for (auto& d : big) d *= step;
  Strides st = contiguous_strides(big);
  for (auto& x : st) x *= step;
  return {s, st, offset};
}

// Buffer elements the view needs.
std::int64_t extent(const View& v) {
  std::int64_t last = v.offset;
  for (std::size_t d = 0; d < v.shape.size(); ++d) {
    if (v.shape[d] == 0) return v.offset + 1;
    last += (v.shape[d] - 1) * v.strides[d];
  }
  return last + 1;
}

template <class F>
void for_each_index(const Shape& s, F&& f) {
  for (std::int64_t d : s)
    if (d == 0) return;
  std::vector<std::int64_t> idx(s.size(), 0);
  while (true) {
    f(idx);
    int d = int(s.size()) - 1;
    for (; d >= 0; --d) {
      if (++idx[d] < s[d]) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

std::int64_t offset_of(const View& v, const std::vector<std::int64_t>& idx) {
  std::int64_t o = v.offset;
  for (std::size_t d = 0; d < idx.size(); ++d) o += idx[d] * v.strides[d];
  return o;
}

// Element i of a host byte buffer of dtype dt, as a double.
double value_at(DType dt, const std::vector<unsigned char>& bytes, std::int64_t i) {
  return spec::visit_dtype(dt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T v;
    std::memcpy(&v, bytes.data() + std::size_t(i) * sizeof(T), sizeof(T));
    return spec::to_double(v);
  });
}

// The same elements on the host and on the device. Host bytes are the input of the CPU
// kernel; upload() makes the device copy identical.
class Buffer {
 public:
  Buffer(DType dt, std::int64_t n)
      : dt_(dt), n_(n), host_(std::size_t(n) * spec::itemsize(dt)), dev_(kc::device_malloc(host_.size())) {}
  ~Buffer() { kc::device_free(dev_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  DType dtype() const { return dt_; }
  std::int64_t size() const { return n_; }
  std::vector<unsigned char>& host() { return host_; }
  const std::vector<unsigned char>& host() const { return host_; }
  template <class T>
  T* host_as() {
    return reinterpret_cast<T*>(host_.data());
  }

  // Seeded values: bool half true, integers in [-20, 20], floats in [-3, 3).
  void randomize(std::uint64_t seed) {
    const bool fl = spec::is_floating(dt_);
    core::fill_random(core::Distribution::Uniform, dt_, host_.data(), n_, seed, fl ? -3.0 : -20.0,
                      fl ? 3.0 : 20.0);
    upload();
  }
  void upload() { kc::memcpy(dev_, host_.data(), host_.size(), kc::CopyKind::HostToDevice); }
  std::vector<unsigned char> download() const {
    std::vector<unsigned char> out(host_.size());
    kc::memcpy(out.data(), dev_, out.size(), kc::CopyKind::DeviceToHost);
    return out;
  }
  Operand host_op(const View& v) {
    return Operand{host_.data() + std::size_t(v.offset) * spec::itemsize(dt_), dt_, v.strides};
  }
  Operand dev_op(const View& v) const {
    return Operand{static_cast<unsigned char*>(dev_) + std::size_t(v.offset) * spec::itemsize(dt_), dt_,
                   v.strides};
  }

 private:
  DType dt_;
  std::int64_t n_;
  std::vector<unsigned char> host_;
  void* dev_;
};

// Distance in units in the last place between two finite floats of one type.
template <class T>
std::int64_t ulp_distance(T a, T b) {
  using I = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
  I ia, ib;
  std::memcpy(&ia, &a, sizeof(T));
  std::memcpy(&ib, &b, sizeof(T));
  // Map the sign-magnitude bit patterns onto one monotonic integer line.
  const auto line = [](I i) -> std::int64_t {
    return i < 0 ? std::int64_t(std::numeric_limits<I>::min()) - std::int64_t(i) : std::int64_t(i);
  };
  const std::int64_t d = line(ia) - line(ib);
  return d < 0 ? -d : d;
}

// "" when got and want hold the same elements (bit for bit when max_ulp is 0, else within
// max_ulp ULPs for floats), else a description of the first difference.
std::string mismatch(DType dt, const std::vector<unsigned char>& got, const std::vector<unsigned char>& want,
                     double max_ulp = 0) {
  if (got.size() != want.size()) return "buffer sizes differ";
  const std::size_t size = spec::itemsize(dt);
  for (std::size_t i = 0; i < got.size() / size; ++i) {
    if (std::memcmp(got.data() + i * size, want.data() + i * size, size) == 0) continue;
    bool close = false;
    if (max_ulp > 0 && dt == DType::Float32) {
      float a, b;
      std::memcpy(&a, got.data() + i * size, size);
      std::memcpy(&b, want.data() + i * size, size);
      close = double(ulp_distance(a, b)) <= max_ulp;
    } else if (max_ulp > 0 && dt == DType::Float64) {
      double a, b;
      std::memcpy(&a, got.data() + i * size, size);
      std::memcpy(&b, want.data() + i * size, size);
      close = double(ulp_distance(a, b)) <= max_ulp;
    }
    if (!close)
      return "element " + std::to_string(i) + ": got " + std::to_string(value_at(dt, got, std::int64_t(i))) +
             ", want " + std::to_string(value_at(dt, want, std::int64_t(i)));
  }
  return "";
}

std::string dname(DType dt) { return std::string(spec::dtype_name(dt)); }

// The dtypes the tensor engine's kernels take (PyTorch's: no uint16, uint32, uint64).
std::vector<DType> torch_dtypes() {
  std::vector<DType> out;
  for (DType d : spec::kAllDTypes)
    if (spec::in_torch(d)) out.push_back(d);
  return out;
}

// Skips where no device answers; each test then allocates what it needs.
class Cuda : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kc::available()) GTEST_SKIP() << "no CUDA device: " << kc::unavailable_reason();
  }
};

// ---------------------------------------------------------------------------------------
// The runtime without a device (runs everywhere)

TEST(CudaRuntime, ReportsNoDeviceWithoutCrashing) {
  if (kc::available()) {
    EXPECT_TRUE(kc::built());
    EXPECT_EQ(kc::unavailable_reason(), "");
    EXPECT_GE(kc::device_count(), 1);
    return;
  }
  // This machine has no usable device (or CUDA was not built): every call that needs one
  // says so with a DeviceError, and nothing aborts.
  EXPECT_FALSE(kc::unavailable_reason().empty());
  EXPECT_EQ(kc::device_count(), 0);
  EXPECT_THROW(kc::device_malloc(256), DeviceError);
  EXPECT_THROW(kc::host_malloc_pinned(256), DeviceError);
  EXPECT_THROW(kc::device_name(0), DeviceError);
  float host[4] = {1, 2, 3, 4};
  float other[4] = {};
  EXPECT_THROW(kc::memcpy(other, host, sizeof host, kc::CopyKind::HostToDevice), DeviceError);
  EXPECT_THROW({ kc::EventTimer timer; }, DeviceError);
  EXPECT_THROW(kc::flush_l2(), DeviceError);
  const Elementwise args{{4},
                         Operand{other, DType::Float32, {1}},
                         {Operand{host, DType::Float32, {1}}, Operand{host, DType::Float32, {1}}}};
  EXPECT_THROW(kc::elementwise(OpId::Add, args), DeviceError);
  EXPECT_THROW(kc::fill({4}, args.out, 1.0), DeviceError);
  EXPECT_NO_THROW(kc::device_free(nullptr));
  EXPECT_NO_THROW(kc::host_free_pinned(nullptr));
  EXPECT_NO_THROW(kc::synchronize());
  EXPECT_EQ(other[0], 0.0f);  // nothing was written
}

TEST(CudaRuntime, VersionsAreMajorDotMinor) {
  const std::regex version(R"(\d+\.\d+)");
  if (!kc::built()) {
    EXPECT_EQ(kc::runtime_version(), "");
    return;
  }
  // The runtime library knows its own version even where no driver is installed.
  EXPECT_TRUE(std::regex_match(kc::runtime_version(), version)) << kc::runtime_version();
  if (kc::available()) {
    EXPECT_TRUE(std::regex_match(kc::driver_version(), version)) << kc::driver_version();
  }
}

// ---------------------------------------------------------------------------------------
// Runtime facade

TEST_F(Cuda, DescribesTheDevice) {
  ASSERT_GE(kc::device_count(), 1);
  EXPECT_FALSE(kc::device_name(0).empty());
  EXPECT_THROW(kc::device_name(kc::device_count()), DeviceError);
  EXPECT_THROW(kc::device_name(-1), DeviceError);
}

TEST_F(Cuda, AllocatorReusesFreedBlocks) {
  void* a = kc::device_malloc(1000);
  void* b = kc::device_malloc(1000);
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a, b);  // a block in use is never handed out twice
  kc::device_free(a);
  // The freed block comes back for the next request of its size class (1000 and 1001 bytes
  // both round to 1024) instead of a new cudaMalloc.
  void* c = kc::device_malloc(1001);
  EXPECT_EQ(c, a);
  kc::device_free(b);
  kc::device_free(c);
  EXPECT_EQ(kc::device_malloc(0), nullptr);
  EXPECT_NO_THROW(kc::device_free(nullptr));
}

TEST_F(Cuda, MemcpyRoundTrips) {
  std::vector<std::int32_t> src(1000), back(1000, 0);
  for (int i = 0; i < 1000; ++i) src[i] = i * 7 - 3;
  const std::size_t nbytes = src.size() * sizeof(std::int32_t);
  void* d1 = kc::device_malloc(nbytes);
  void* d2 = kc::device_malloc(nbytes);
  kc::memcpy(d1, src.data(), nbytes, kc::CopyKind::HostToDevice);
  kc::memcpy(d2, d1, nbytes, kc::CopyKind::DeviceToDevice);
  kc::memcpy(back.data(), d2, nbytes, kc::CopyKind::DeviceToHost);
  EXPECT_EQ(back, src);

  // Through pinned host memory too.
  auto* pinned = static_cast<std::int32_t*>(kc::host_malloc_pinned(nbytes));
  ASSERT_NE(pinned, nullptr);
  kc::memcpy(pinned, d1, nbytes, kc::CopyKind::DeviceToHost);
  EXPECT_EQ(std::vector<std::int32_t>(pinned, pinned + 1000), src);
  kc::host_free_pinned(pinned);

  // A host pointer where device memory is expected is refused, and the device still works.
  EXPECT_THROW(kc::memcpy(back.data(), src.data(), nbytes, kc::CopyKind::HostToDevice), DeviceError);
  EXPECT_THROW(kc::memcpy(back.data(), src.data(), nbytes, kc::CopyKind::DeviceToHost), DeviceError);
  std::fill(back.begin(), back.end(), 0);
  kc::memcpy(back.data(), d1, nbytes, kc::CopyKind::DeviceToHost);
  EXPECT_EQ(back, src);
  kc::device_free(d1);
  kc::device_free(d2);
}

TEST_F(Cuda, EventTimerMeasuresWork) {
  const std::int64_t n = std::int64_t(1) << 24;
  Buffer buf(DType::Float32, n);
  kc::flush_l2();
  kc::EventTimer timer;
  timer.start();
  kc::fill({n}, buf.dev_op(contiguous({n})), 1.5);
  const double ms = timer.stop_ms();
  EXPECT_GT(ms, 0.0);
  EXPECT_TRUE(std::isfinite(ms));
  kc::synchronize();
}

TEST_F(Cuda, HostPointersAreRefusedAndTheDeviceStaysUsable) {
  float host[4] = {1, 2, 3, 4};
  Buffer out(DType::Float32, 4);
  const Elementwise bad{{4},
                        out.dev_op(contiguous({4})),
                        {Operand{host, DType::Float32, {1}}, Operand{host, DType::Float32, {1}}}};
  EXPECT_THROW(kc::elementwise(OpId::Add, bad), DeviceError);
  // After the refusal, the next kernel runs normally.
  kc::fill({4}, out.dev_op(contiguous({4})), 2.0);
  const auto bytes = out.download();
  EXPECT_EQ(value_at(DType::Float32, bytes, 3), 2.0);
}

// ---------------------------------------------------------------------------------------
// Elementwise against the CPU kernels

// One layout case of an elementwise op: the views of the output and each input.
struct Case {
  std::string name;
  Shape shape;
  View out;
  std::vector<View> in;
};

std::vector<Case> binary_cases() {
  const Shape s{3, 4, 5};
  return {
      {"contiguous", s, contiguous(s), {contiguous(s), contiguous(s)}},
      // b of shape (4, 1) broadcast to (3, 4, 5): b[None, :, :] in NumPy terms.
      {"broadcast", s, contiguous(s), {contiguous(s), View{s, {0, 1, 0}, 0}}},
      {"scalar", s, contiguous(s), {View{s, {0, 0, 0}, 2}, contiguous(s)}},
      {"transposed", s, permuted(s, {1, 2, 0}), {permuted(s, {2, 0, 1}), sliced(s, 2, 3)}},
      {"strided out", s, sliced(s, 2, 1), {contiguous(s), permuted(s, {2, 1, 0})}},
      {"0-d", {}, View{{}, {}, 0}, {View{{}, {}, 1}, View{{}, {}, 0}}},
      {"empty", {3, 0, 5}, contiguous({3, 0, 5}), {contiguous({3, 0, 5}), contiguous({3, 0, 5})}},
      // Many blocks, grid-stride loops, both kernel paths.
      {"long",
       {(1 << 20) + 7},
       contiguous({(1 << 20) + 7}),
       {contiguous({(1 << 20) + 7}), contiguous({(1 << 20) + 7})}},
      {"long transposed",
       {1000, 1100},
       contiguous({1000, 1100}),
       {permuted({1000, 1100}, {1, 0}), View{{1000, 1100}, {1, 0}, 0}}},
  };
}

// The contiguous kernel's two paths (kernels/cuda/elementwise.cu): 16-byte packs where every
// operand is aligned for them, with a scalar tail for n % V; the scalar kernel where one is
// not. Offsets of 1 and 3 elements put an operand off the 16-byte alignment for every dtype
// up to 8 bytes, and lengths around the pack widths (2, 4, 8 and 16 elements, by dtype)
// leave no tail, short tails and tails one short of a pack.
std::vector<Case> alignment_cases() {
  std::vector<Case> out;
  for (std::int64_t n : {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 1027, 4099}) {
    const Shape s{n};
    const View at0 = contiguous(s);
    const View at1{s, {1}, 1}, at3{s, {1}, 3};
    const std::string len = std::to_string(n);
    out.push_back({"aligned, n " + len, s, at0, {at0, at0}});
    out.push_back({"input 0 one element off, n " + len, s, at0, {at1, at0}});
    out.push_back({"input 1 three elements off, n " + len, s, at0, {at0, at3}});
    out.push_back({"output one element off, n " + len, s, at1, {at0, at0}});
    out.push_back({"all three elements off, n " + len, s, at3, {at3, at3}});
  }
  return out;
}

// Runs `cpu` on host buffers and `cuda` on device copies of the same bytes; compares the
// whole output buffers.
template <class CpuFn, class CudaFn>
void compare_elementwise(const Case& c, DType out_dt, const std::vector<DType>& in_dts, CpuFn cpu,
                         CudaFn cuda, double max_ulp, const std::string& what) {
  SCOPED_TRACE(what + " " + c.name);
  Buffer out(out_dt, extent(c.out));
  out.randomize(99);  // the gaps of a strided output must keep these values
  std::vector<std::unique_ptr<Buffer>> ins;
  for (std::size_t k = 0; k < c.in.size(); ++k) {
    ins.push_back(std::make_unique<Buffer>(in_dts[k], extent(c.in[k])));
    ins.back()->randomize(11 + k);
  }
  Elementwise host{c.shape, out.host_op(c.out), {}};
  Elementwise dev{c.shape, out.dev_op(c.out), {}};
  for (std::size_t k = 0; k < c.in.size(); ++k) {
    host.in.push_back(ins[k]->host_op(c.in[k]));
    dev.in.push_back(ins[k]->dev_op(c.in[k]));
  }
  cpu(host);
  cuda(dev);
  EXPECT_EQ(mismatch(out_dt, out.download(), out.host(), max_ulp), "");
}

TEST_F(Cuda, BinaryMatchesCpu) {
  for (OpId op : {OpId::Add, OpId::Mul})
    for (DType dt : torch_dtypes())
      for (const Case& c : binary_cases())
        // One IEEE operation per element: bit-identical on both devices.
        compare_elementwise(
            c, dt, {dt, dt}, [&](const Elementwise& a) { kcpu::elementwise(op, a); },
            [&](const Elementwise& a) { kc::elementwise(op, a); }, 0,
            std::string(spec::op_spec(op).name) + " " + dname(dt));
}

TEST_F(Cuda, PackedAndScalarPathsMatchCpu) {
  for (const Case& c : alignment_cases()) {
    for (DType dt : torch_dtypes())  // add: one IEEE operation, bit-identical
      compare_elementwise(
          c, dt, {dt, dt}, [](const Elementwise& a) { kcpu::elementwise(OpId::Add, a); },
          [](const Elementwise& a) { kc::elementwise(OpId::Add, a); }, 0, "add " + dname(dt));
    const Case u{c.name, c.shape, c.out, {c.in[1]}};  // unary: the second input's layout
    for (DType dt : {DType::Float32, DType::Float64, DType::Int8, DType::Int64})
      compare_elementwise(
          u, dt, {dt}, [](const Elementwise& a) { kcpu::elementwise(OpId::Neg, a); },
          [](const Elementwise& a) { kc::elementwise(OpId::Neg, a); }, 0, "neg " + dname(dt));
  }
}

TEST_F(Cuda, UnaryMatchesCpu) {
  for (const Case& b : binary_cases()) {
    const Case c{b.name, b.shape, b.out, {b.in[0]}};
    for (DType dt : {DType::Int32, DType::Int64, DType::Float32, DType::Float64})
      compare_elementwise(
          c, dt, {dt}, [](const Elementwise& a) { kcpu::elementwise(OpId::Neg, a); },
          [](const Elementwise& a) { kc::elementwise(OpId::Neg, a); }, 0, "neg " + dname(dt));
    // CUDA's expf is within 2 ULPs and exp within 1 (CUDA C Programming Guide, mathematical
    // functions); glibc's are within 1: allow the sum.
    for (DType dt : {DType::Float32, DType::Float64})
      compare_elementwise(
          c, dt, {dt}, [](const Elementwise& a) { kcpu::elementwise(OpId::Exp, a); },
          [](const Elementwise& a) { kc::elementwise(OpId::Exp, a); }, dt == DType::Float32 ? 3 : 2,
          "exp " + dname(dt));
  }
}

TEST_F(Cuda, CopyCastsLikeCpu) {
  const Shape s{6, 7};
  const std::vector<Case> cases = {
      {"contiguous", s, contiguous(s), {contiguous(s)}},
      {"transposed in", s, contiguous(s), {permuted(s, {1, 0})}},
      {"strided out", s, sliced(s, 3, 2), {contiguous(s)}},
      {"broadcast in", s, contiguous(s), {View{s, {1, 0}, 0}}},
  };
  for (DType to : torch_dtypes())
    for (DType from : torch_dtypes())
      for (const Case& c : cases)
        compare_elementwise(
            c, to, {from}, [](const Elementwise& a) { kcpu::copy(a); },
            [](const Elementwise& a) { kc::copy(a); }, 0, dname(from) + " -> " + dname(to));
}

TEST_F(Cuda, FillMatchesCpu) {
  const Shape s{5, 9};
  for (DType dt : torch_dtypes())
    for (const View& v : {contiguous(s), sliced(s, 2, 3), View{{}, {}, 1}})
      for (double value : {2.75, -0.0, -3.0, 1.0}) {
        if (spec::is_unsigned(dt) && value < 0) continue;  // refused (out of range), not filled
        SCOPED_TRACE("fill " + dname(dt) + " " + std::to_string(value));
        Buffer out(dt, extent(v));
        out.randomize(5);
        kcpu::fill(v.shape, out.host_op(v), value);
        kc::fill(v.shape, out.dev_op(v), value);
        EXPECT_EQ(mismatch(dt, out.download(), out.host()), "");
      }
}

// Values derived by hand, so a bug shared by both devices' functors is caught too.
TEST_F(Cuda, ElementwiseHandValues) {
  // torch.tensor([2**31 - 1, 5], dtype=torch.int32) + torch.tensor([1, -7], dtype=torch.int32)
  //   == tensor([-2147483648, -2]): integer addition wraps.
  Buffer a(DType::Int32, 2), b(DType::Int32, 2), out(DType::Int32, 2);
  a.host_as<std::int32_t>()[0] = std::numeric_limits<std::int32_t>::max();
  a.host_as<std::int32_t>()[1] = 5;
  b.host_as<std::int32_t>()[0] = 1;
  b.host_as<std::int32_t>()[1] = -7;
  a.upload();
  b.upload();
  kc::elementwise(OpId::Add,
             {{2}, out.dev_op(contiguous({2})), {a.dev_op(contiguous({2})), b.dev_op(contiguous({2}))}});
  const auto sum = out.download();
  EXPECT_EQ(value_at(DType::Int32, sum, 0), -2147483648.0);
  EXPECT_EQ(value_at(DType::Int32, sum, 1), -2.0);

  // torch.exp(torch.tensor([0.0, 1.0])) == tensor([1.0000, 2.7183]); exp(0) is exactly 1.
  Buffer x(DType::Float32, 2), y(DType::Float32, 2);
  x.host_as<float>()[0] = 0.0f;
  x.host_as<float>()[1] = 1.0f;
  x.upload();
  kc::elementwise(OpId::Exp, {{2}, y.dev_op(contiguous({2})), {x.dev_op(contiguous({2}))}});
  const auto e = y.download();
  EXPECT_EQ(value_at(DType::Float32, e, 0), 1.0);
  EXPECT_NEAR(value_at(DType::Float32, e, 1), 2.718281828459045, 2.718281828459045 * 3e-7);

  // torch.tensor([2.7, -2.7, 0.5]).to(torch.int32) == tensor([2, -2, 0]) (truncation), and
  // .to(torch.bool) == tensor([True, True, True]) (non-zero).
  Buffer f(DType::Float32, 3), i(DType::Int32, 3), t(DType::Bool, 3);
  f.host_as<float>()[0] = 2.7f;
  f.host_as<float>()[1] = -2.7f;
  f.host_as<float>()[2] = 0.5f;
  f.upload();
  kc::copy({{3}, i.dev_op(contiguous({3})), {f.dev_op(contiguous({3}))}});
  kc::copy({{3}, t.dev_op(contiguous({3})), {f.dev_op(contiguous({3}))}});
  const auto ib = i.download(), tb = t.download();
  EXPECT_EQ(value_at(DType::Int32, ib, 0), 2.0);
  EXPECT_EQ(value_at(DType::Int32, ib, 1), -2.0);
  EXPECT_EQ(value_at(DType::Int32, ib, 2), 0.0);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(tb[std::size_t(k)], 1);

  // torch.empty(3, dtype=torch.int32).fill_(2.75) == tensor([2, 2, 2])
  kc::fill({3}, i.dev_op(contiguous({3})), 2.75);
  const auto filled = i.download();
  for (int k = 0; k < 3; ++k) EXPECT_EQ(value_at(DType::Int32, filled, k), 2.0);
}

TEST_F(Cuda, ElementwiseRejectsBadArguments) {
  Buffer a(DType::Int32, 4), f(DType::Float32, 4), bo(DType::Bool, 4);
  const View v = contiguous({4});
  // torch.neg(torch.tensor([True])) raises: negation of bool is not supported.
  EXPECT_THROW(kc::elementwise(OpId::Neg, {{4}, bo.dev_op(v), {bo.dev_op(v)}}), TypeError);
  // The engine casts integers to float before exp; the kernel refuses them.
  EXPECT_THROW(kc::elementwise(OpId::Exp, {{4}, a.dev_op(v), {a.dev_op(v)}}), TypeError);
  // Mixed dtypes: the engine casts first.
  EXPECT_THROW(kc::elementwise(OpId::Add, {{4}, f.dev_op(v), {f.dev_op(v), a.dev_op(v)}}), TypeError);
  EXPECT_THROW(kc::elementwise(OpId::Neg, {{4}, f.dev_op(v), {f.dev_op(v), f.dev_op(v)}}), ValueError);
  EXPECT_THROW(kc::elementwise(OpId::Add, {{4}, f.dev_op(v), {f.dev_op(v)}}), ValueError);
  // Stride lists must match the shape.
  EXPECT_THROW(kc::elementwise(OpId::Add, {{2, 2}, f.dev_op(v), {f.dev_op(v), f.dev_op(v)}}), ValueError);
  // torch.empty(1, dtype=torch.int32).fill_(2**40) raises: value cannot be converted.
  EXPECT_THROW(kc::fill({4}, a.dev_op(v), 1099511627776.0), ValueError);
  EXPECT_THROW(kc::fill({4}, a.dev_op(v), std::nan("")), ValueError);
}

// ---------------------------------------------------------------------------------------
// reduce

// The output of a reduction of `shape` over `axes`: contiguous over the kept dims, stride 0
// on the reduced ones (keepdim layout); `n_out` its element count.
View reduced_view(const Shape& shape, const std::vector<int>& axes, std::int64_t* n_out) {
  Shape out_shape = shape;
  for (int a : axes) out_shape[std::size_t(a)] = 1;
  View out_view = contiguous(out_shape);
  out_view.shape = shape;
  for (int a : axes) out_view.strides[std::size_t(a)] = 0;
  *n_out = spec::numel(out_shape);
  return out_view;
}

// Output bytes that no reduction writes (0xA5 in every byte), on host and device: the kernels
// write every output element, so none of it may survive.
void poison(Buffer& out) {
  std::fill(out.host().begin(), out.host().end(), static_cast<unsigned char>(0xA5));
  out.upload();
}

// Runs sum of `in` (a view of shape `shape`) over `axes` on both devices, into outputs that
// start as garbage, and checks both against a float64 host loop: exact for integers, and for
// floats within |got - want| <= 2 * eps * k * sum(|terms|), k the number of terms (the op
// table's loose bound for any summation order).
void check_sum(DType in_dt, DType out_dt, const View& in_view, const std::vector<int>& axes,
               std::uint64_t seed, bool integral_values = false) {
  const Shape& shape = in_view.shape;
  SCOPED_TRACE("sum " + dname(in_dt) + " -> " + dname(out_dt) + " of " + spec::shape_str(shape) + " over " +
               std::to_string(axes.size()) + " axes");
  std::int64_t n_out = 0;
  const View out_view = reduced_view(shape, axes, &n_out);

  Buffer in(in_dt, extent(in_view));
  in.randomize(seed);
  if (integral_values) {
    // Integers in [-2, 2]: with fewer than 2^23 terms every partial sum is an integer below
    // 2^24, exact in float32, so any summation order gives the exact total.
    spec::visit_dtype(in_dt, [&](auto tag) {
      using T = typename decltype(tag)::type;
      for (std::int64_t i = 0; i < in.size(); ++i)
        in.host_as<T>()[i] = spec::from_double<T>(double(i * 7 % 5) - 2.0);
    });
    in.upload();
  }
  Buffer out(out_dt, std::max<std::int64_t>(n_out, 1));
  poison(out);

  const Reduction host{shape, out.host_op(out_view), in.host_op(in_view), spec::Reduce::Sum};
  const Reduction dev{shape, out.dev_op(out_view), in.dev_op(in_view), spec::Reduce::Sum};
  kcpu::reduce(host);
  kc::reduce(dev);
  const auto got = out.download();

  std::vector<double> want(std::size_t(std::max<std::int64_t>(n_out, 1)), 0.0), mag(want.size(), 0.0);
  std::int64_t terms = 1;
  for (int a : axes) terms *= shape[std::size_t(a)];
  for_each_index(shape, [&](const std::vector<std::int64_t>& idx) {
    const double v = value_at(in_dt, in.host(), offset_of(in_view, idx));
    want[std::size_t(offset_of(out_view, idx))] += v;
    mag[std::size_t(offset_of(out_view, idx))] += std::fabs(v);
  });
  const double eps = out_dt == DType::Float32 ? 0x1p-24 : 0x1p-53;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double tol =
        spec::is_floating(out_dt) && !integral_values ? 2 * eps * double(terms) * mag[i] + 1e-30 : 0.0;
    EXPECT_NEAR(value_at(out_dt, got, std::int64_t(i)), want[i], tol) << "cuda, output " << i;
    EXPECT_NEAR(value_at(out_dt, out.host(), std::int64_t(i)), want[i], tol) << "cpu, output " << i;
  }
}

TEST_F(Cuda, SumMatchesHostLoopOverAxes) {
  const Shape s{5, 6, 7};
  const std::vector<std::vector<int>> axes_sets = {{}, {0}, {1}, {2}, {0, 2}, {0, 1, 2}};
  for (DType in : torch_dtypes()) {
    // torch.sum's result dtype: int64 for bool and integers, the input's for floats; float16
    // and bfloat16 accumulate in float32 (the kernels' output is the accumulation).
    const DType r = spec::sum_result_type(spec::Semantics::PyTorch, in);
    const DType out = spec::is_half(r) ? DType::Float32 : r;
    for (const auto& axes : axes_sets)
      for (const View& v : {contiguous(s), permuted(s, {2, 0, 1}), sliced(s, 2, 5)})
        check_sum(in, out, v, axes, 21);
  }
  // sum(dtype=torch.float64) of a float32 input accumulates in float64.
  check_sum(DType::Float32, DType::Float64, contiguous(s), {1}, 22);
}

TEST_F(Cuda, SumLargeShapesUseEveryPath) {
  for (DType dt : {DType::Float32, DType::Float64, DType::Int32}) {
    const DType out = spec::sum_result_type(spec::Semantics::PyTorch, dt);
    // Everything into one output: the range is split over many blocks and recombined.
    check_sum(dt, out, contiguous({(1 << 22) + 5}), {0}, 1, true);
    // Few outputs, long rows.
    check_sum(dt, out, contiguous({4, 1 << 20}), {1}, 2, true);
    // Many outputs, reduced dim leading: one thread per output reading in order.
    check_sum(dt, out, contiguous({40, 40000}), {0}, 3, true);
    check_sum(dt, out, contiguous({3, 100000}), {0}, 4, true);
    // Many outputs, short contiguous rows: one small block per output.
    check_sum(dt, out, contiguous({40000, 40}), {1}, 5, true);
    // Two reduced dims that do not merge (div/mod over the reduced range), transposed input.
    check_sum(dt, out, permuted({64, 3, 512}, {1, 2, 0}), {0, 2}, 6, true);
  }
}

TEST_F(Cuda, SumWritesTheOutput) {
  // The kernel contract is out = sum(in): [1, 2, 3, 4] summed into an output holding 10
  // gives 10, whatever was there before.
  Buffer in(DType::Int32, 4), out(DType::Int64, 4);
  for (int k = 0; k < 4; ++k) in.host_as<std::int32_t>()[k] = k + 1;
  in.upload();
  out.host_as<std::int64_t>()[0] = 10;
  out.upload();
  kc::reduce({{4}, out.dev_op(View{{4}, {0}, 0}), in.dev_op(contiguous({4})), spec::Reduce::Sum});
  EXPECT_EQ(value_at(DType::Int64, out.download(), 0), 10.0);

  // 1 + 2 + ... + n = n (n + 1) / 2 for n = 100000, in a bool count too: sum of n trues is n.
  const std::int64_t n = 100000;
  Buffer big(DType::Int32, n), flags(DType::Bool, n), total(DType::Int64, 2);
  for (std::int64_t k = 0; k < n; ++k) {
    big.host_as<std::int32_t>()[k] = std::int32_t(k + 1);
    flags.host()[std::size_t(k)] = 1;
  }
  big.upload();
  flags.upload();
  poison(total);
  kc::reduce({{n}, total.dev_op(View{{n}, {0}, 0}), big.dev_op(contiguous({n})), spec::Reduce::Sum});
  kc::reduce({{n}, total.dev_op(View{{n}, {0}, 1}), flags.dev_op(contiguous({n})), spec::Reduce::Sum});
  const auto t = total.download();
  EXPECT_EQ(value_at(DType::Int64, t, 0), double(n * (n + 1) / 2));
  EXPECT_EQ(value_at(DType::Int64, t, 1), double(n));
}

// Runs `op` of `in` over `axes` on both devices into outputs of `out_dt` that start as
// garbage, and expects the two outputs to match bit for bit (max, min, all and any give one
// value in any order of combination; integer prod wraps, exact in any order too).
void check_reduce_matches_cpu(spec::Reduce op, Buffer& in, const View& in_view, DType out_dt,
                              const std::vector<int>& axes) {
  const Shape& shape = in_view.shape;
  SCOPED_TRACE(std::string(spec::reduce_name(op)) + " " + dname(in.dtype()) + " -> " + dname(out_dt) +
               " of " + spec::shape_str(shape) + " over " + std::to_string(axes.size()) + " axes");
  std::int64_t n_out = 0;
  const View out_view = reduced_view(shape, axes, &n_out);
  Buffer out(out_dt, std::max<std::int64_t>(n_out, 1));
  poison(out);
  kcpu::reduce({shape, out.host_op(out_view), in.host_op(in_view), op});
  kc::reduce({shape, out.dev_op(out_view), in.dev_op(in_view), op});
  EXPECT_EQ(mismatch(out_dt, out.download(), out.host()), "");
}

// Seeded values in `b` (host and device), with a NaN at every `nan_every`-th element for
// float dtypes (0: none) and a zero at every `zero_every`-th element (0: none).
void seed_for_reduce(Buffer& b, std::uint64_t seed, std::int64_t nan_every, std::int64_t zero_every) {
  b.randomize(seed);
  spec::visit_dtype(b.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (std::int64_t i = 0; i < b.size(); ++i) {
      if (zero_every > 0 && i % zero_every == 3) b.host_as<T>()[i] = spec::from_double<T>(0.0);
      if constexpr (spec::is_float_v<T>)
        if (nan_every > 0 && i % nan_every == 11) b.host_as<T>()[i] = spec::from_double<T>(std::nan(""));
    }
  });
  b.upload();
}

TEST_F(Cuda, MaxMinMatchCpuWithNaN) {
  const Shape s{5, 6, 7};
  const std::vector<std::vector<int>> axes_sets = {{}, {0}, {2}, {0, 2}, {0, 1, 2}};
  for (DType dt : torch_dtypes())
    for (spec::Reduce op : {spec::Reduce::Max, spec::Reduce::Min})
      for (const View& v : {contiguous(s), permuted(s, {2, 0, 1})})
        for (const auto& axes : axes_sets) {
          // A NaN in some of the outputs' ranges (every 97th element): those outputs are NaN.
          Buffer in(dt, extent(v));
          seed_for_reduce(in, 31, 97, 0);
          check_reduce_matches_cpu(op, in, v, dt, axes);
        }
  // Every path of the work: split blocks, block per output, thread per output.
  for (DType dt : {DType::Float32, DType::Float16, DType::Int32})
    for (const Shape& shape : {Shape{(1 << 22) + 5}, Shape{4, 1 << 20}, Shape{40, 40000}, Shape{40000, 40}}) {
      const std::vector<int> axes = {shape.size() == 2 && shape[0] == 40 ? 0 : int(shape.size()) - 1};
      Buffer in(dt, spec::numel(shape));
      seed_for_reduce(in, 32, 0, 0);
      check_reduce_matches_cpu(spec::Reduce::Max, in, contiguous(shape), dt, axes);
      // One NaN near the end of the buffer.
      if (spec::is_floating(dt)) {
        spec::visit_dtype(dt, [&](auto tag) {
          using T = typename decltype(tag)::type;
          in.host_as<T>()[in.size() - 7] = spec::from_double<T>(std::nan(""));
        });
        in.upload();
        check_reduce_matches_cpu(spec::Reduce::Min, in, contiguous(shape), dt, axes);
      }
    }

  // Hand values: torch.tensor([1., float('nan'), 3.]).max() is nan, .min() too;
  // torch.tensor([-5, 7, 2], dtype=torch.int8).max() == 7, .min() == -5.
  Buffer f(DType::Float32, 3), m(DType::Float32, 2), i8(DType::Int8, 3), mi(DType::Int8, 2);
  f.host_as<float>()[0] = 1.0f;
  f.host_as<float>()[1] = std::numeric_limits<float>::quiet_NaN();
  f.host_as<float>()[2] = 3.0f;
  f.upload();
  i8.host_as<std::int8_t>()[0] = -5;
  i8.host_as<std::int8_t>()[1] = 7;
  i8.host_as<std::int8_t>()[2] = 2;
  i8.upload();
  kc::reduce({{3}, m.dev_op(View{{3}, {0}, 0}), f.dev_op(contiguous({3})), spec::Reduce::Max});
  kc::reduce({{3}, m.dev_op(View{{3}, {0}, 1}), f.dev_op(contiguous({3})), spec::Reduce::Min});
  kc::reduce({{3}, mi.dev_op(View{{3}, {0}, 0}), i8.dev_op(contiguous({3})), spec::Reduce::Max});
  kc::reduce({{3}, mi.dev_op(View{{3}, {0}, 1}), i8.dev_op(contiguous({3})), spec::Reduce::Min});
  const auto mf = m.download(), mb = mi.download();
  EXPECT_TRUE(std::isnan(value_at(DType::Float32, mf, 0)));
  EXPECT_TRUE(std::isnan(value_at(DType::Float32, mf, 1)));
  EXPECT_EQ(value_at(DType::Int8, mb, 0), 7.0);
  EXPECT_EQ(value_at(DType::Int8, mb, 1), -5.0);
}

// ArgMax and ArgMin: the cuda block tree against the cpu scan, position for position, with
// NaNs in some outputs' ranges and (int8, uint8) many ties, on contiguous and permuted
// inputs, over one axis, two and all; then one long row (a NaN near its end for ArgMin).
TEST_F(Cuda, ArgMatchesCpu) {
  const Shape s{5, 6, 7};
  const std::vector<std::vector<int>> axes_sets = {{0}, {2}, {0, 2}, {0, 1, 2}};
  for (DType dt : torch_dtypes()) {
    if (dt == DType::Bool) continue;  // PyTorch has no Bool argmax; the engine refuses it first
    for (spec::Reduce op : {spec::Reduce::ArgMax, spec::Reduce::ArgMin})
      for (const View& v : {contiguous(s), permuted(s, {2, 0, 1})})
        for (const auto& axes : axes_sets) {
          Buffer in(dt, extent(v));
          seed_for_reduce(in, 41, 97, 0);
          check_reduce_matches_cpu(op, in, v, DType::Int64, axes);
        }
  }
  for (DType dt : {DType::Float32, DType::Int8}) {
    const Shape shape{(1 << 22) + 5};
    Buffer in(dt, spec::numel(shape));
    seed_for_reduce(in, 42, 0, 0);
    check_reduce_matches_cpu(spec::Reduce::ArgMax, in, contiguous(shape), DType::Int64, {0});
    if (spec::is_floating(dt)) {
      in.host_as<float>()[in.size() - 7] = std::numeric_limits<float>::quiet_NaN();
      in.upload();
      check_reduce_matches_cpu(spec::Reduce::ArgMin, in, contiguous(shape), DType::Int64, {0});
    }
  }
}

TEST_F(Cuda, AllAnyMatchCpu) {
  const Shape s{5, 6, 7};
  const std::vector<std::vector<int>> axes_sets = {{}, {0}, {2}, {0, 2}, {0, 1, 2}};
  // A zero at every 13th element: over 7 elements about half the outputs hold one. NaN is
  // true (torch.tensor([float('nan')]).all() is True).
  for (DType dt : torch_dtypes())
    for (spec::Reduce op : {spec::Reduce::All, spec::Reduce::Any})
      for (DType out : {DType::Bool, DType::UInt8})
        for (const auto& axes : axes_sets) {
          const View v = permuted(s, {1, 2, 0});
          Buffer in(dt, extent(v));
          seed_for_reduce(in, 41, 29, 13);
          check_reduce_matches_cpu(op, in, v, out, axes);
        }
  // Long ranges through every path, uint8 in and out (torch.all of uint8 is uint8).
  for (const Shape& shape : {Shape{(1 << 22) + 5}, Shape{4, 1 << 20}, Shape{40, 40000}, Shape{40000, 40}}) {
    const std::vector<int> axes = {shape.size() == 2 && shape[0] == 40 ? 0 : int(shape.size()) - 1};
    Buffer in(DType::UInt8, spec::numel(shape));
    seed_for_reduce(in, 42, 0, 0);
    for (std::int64_t k = 0; k < in.size(); ++k)  // non-zero but for a few zeros
      if (in.host()[std::size_t(k)] == 0) in.host()[std::size_t(k)] = 1;
    in.host()[std::size_t(in.size() / 3)] = 0;
    in.upload();
    check_reduce_matches_cpu(spec::Reduce::All, in, contiguous(shape), DType::UInt8, axes);
    check_reduce_matches_cpu(spec::Reduce::Any, in, contiguous(shape), DType::UInt8, axes);
  }
  // Integer prod wraps (exact in any order): int64 products of int32 inputs.
  Buffer p(DType::Int32, 5 * 6 * 7);
  seed_for_reduce(p, 43, 0, 0);
  check_reduce_matches_cpu(spec::Reduce::Prod, p, contiguous(s), DType::Int64, {1});
  check_reduce_matches_cpu(spec::Reduce::Prod, p, contiguous(s), DType::Int64, {0, 1, 2});
}

TEST_F(Cuda, EmptyReductionsWriteTheIdentity) {
  // torch.zeros(3, 0).sum(1) == zeros(3), .prod(1) == ones(3), .all(1) == [True] * 3,
  // .any(1) == [False] * 3; max and min have no identity in PyTorch (the engine refuses
  // them), the kernel writes -inf and +inf.
  Buffer in(DType::Float32, 1);
  const View in_view{{3, 0}, {1, 1}, 0};
  const View out_view{{3, 0}, {1, 0}, 0};
  struct Case {
    spec::Reduce op;
    DType out;
    double want;
  };
  const double inf = std::numeric_limits<double>::infinity();
  for (const Case& c :
       {Case{spec::Reduce::Sum, DType::Float32, 0.0}, Case{spec::Reduce::Prod, DType::Int64, 1.0},
        Case{spec::Reduce::Max, DType::Float32, -inf}, Case{spec::Reduce::Min, DType::Float32, inf},
        Case{spec::Reduce::All, DType::Bool, 1.0}, Case{spec::Reduce::Any, DType::UInt8, 0.0}}) {
    SCOPED_TRACE(std::string(spec::reduce_name(c.op)));
    Buffer out(c.out, 3);
    poison(out);
    kcpu::reduce({{3, 0}, out.host_op(out_view), in.host_op(in_view), c.op});
    kc::reduce({{3, 0}, out.dev_op(out_view), in.dev_op(in_view), c.op});
    const auto got = out.download();
    EXPECT_EQ(mismatch(c.out, got, out.host()), "");
    for (int k = 0; k < 3; ++k) EXPECT_EQ(value_at(c.out, got, k), c.want) << "output " << k;
  }
  // torch.zeros(0, 4).sum(0) == zeros(4), in a strided (every other element) output whose
  // gaps stay as they were.
  Buffer out(DType::Int64, 8);
  poison(out);
  const auto before = out.host();
  kc::reduce(
      {{0, 4}, out.dev_op(View{{0, 4}, {0, 2}, 0}), in.dev_op(View{{0, 4}, {4, 1}, 0}), spec::Reduce::Sum});
  const auto got = out.download();
  for (int k = 0; k < 8; ++k) {
    if (k % 2 == 0)
      EXPECT_EQ(value_at(DType::Int64, got, k), 0.0) << "output " << k;
    else
      EXPECT_EQ(std::memcmp(got.data() + k * 8, before.data() + k * 8, 8), 0) << "gap " << k;
  }
  // No output at all (a kept dim of size 0): nothing is written.
  kc::reduce(
      {{0, 4}, out.dev_op(View{{0, 4}, {1, 0}, 0}), in.dev_op(View{{0, 4}, {4, 1}, 0}), spec::Reduce::Sum});
  EXPECT_EQ(mismatch(DType::Int64, out.download(), got), "");
}

TEST_F(Cuda, ReduceRejectsBadArguments) {
  Buffer in(DType::Int32, 4), i32(DType::Int32, 1), f16(DType::Float16, 1), b(DType::Bool, 1);
  const View red{{4}, {0}, 0};
  const Operand x = in.dev_op(contiguous({4}));
  // Sum and prod accumulate in int64, float32 or float64 only.
  EXPECT_THROW(kc::reduce({{4}, i32.dev_op(red), x, spec::Reduce::Sum}), TypeError);
  EXPECT_THROW(kc::reduce({{4}, f16.dev_op(red), x, spec::Reduce::Prod}), TypeError);
  // Max and min write the input's dtype; all and any bool or uint8.
  EXPECT_THROW(kc::reduce({{4}, f16.dev_op(red), x, spec::Reduce::Max}), TypeError);
  EXPECT_THROW(kc::reduce({{4}, i32.dev_op(red), x, spec::Reduce::All}), TypeError);
  EXPECT_NO_THROW(kc::reduce({{4}, b.dev_op(red), x, spec::Reduce::Any}));
  // Mean is a sum divided by the count (the engine's); none is no reduction.
  EXPECT_THROW(kc::reduce({{4}, i32.dev_op(red), x, spec::Reduce::Mean}), ValueError);
  EXPECT_THROW(kc::reduce({{4}, i32.dev_op(red), x, spec::Reduce::None}), ValueError);
  // Stride lists must match the shape.
  EXPECT_THROW(kc::reduce({{2, 2}, i32.dev_op(red), x, spec::Reduce::Max}), ValueError);
}

// ---------------------------------------------------------------------------------------
// matmul

enum class Lay { Row, Col, Sliced, Broadcast };

View matrix_view(std::int64_t rows, std::int64_t cols, Lay lay) {
  switch (lay) {
    case Lay::Row:
      return contiguous({rows, cols});
    case Lay::Col:
      return permuted({rows, cols}, {1, 0});
    case Lay::Sliced:
      return sliced({rows, cols}, 2, 1);
    case Lay::Broadcast:
      return View{{rows, cols}, {0, 1}, 0};  // one row repeated
  }
  return {};
}

const char* lay_name(Lay l) {
  switch (l) {
    case Lay::Row:
      return "row";
    case Lay::Col:
      return "col";
    case Lay::Sliced:
      return "sliced";
    case Lay::Broadcast:
      return "broadcast";
  }
  return "?";
}

// C = A B on the device against a float64 host loop: |got - want| <= 2 * eps * k *
// sum_p |a_ip b_pj| per element (any summation order); the gaps of a strided C untouched.
void check_matmul(DType dt, std::int64_t m, std::int64_t n, std::int64_t k, Lay la, Lay lb, Lay lc) {
  SCOPED_TRACE("matmul " + dname(dt) + " m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" +
               std::to_string(k) + " a " + lay_name(la) + " b " + lay_name(lb) + " c " + lay_name(lc));
  const View va = matrix_view(m, k, la), vb = matrix_view(k, n, lb), vc = matrix_view(m, n, lc);
  Buffer a(dt, extent(va)), b(dt, extent(vb)), c(dt, extent(vc));
  a.randomize(31);
  b.randomize(32);
  c.randomize(33);
  const Operand oa = a.dev_op(va), ob = b.dev_op(vb), oc = c.dev_op(vc);
  kc::matmul(Matmul{m, n, k, oa, ob, oc});
  const auto got = c.download();

  std::set<std::int64_t> written;
  const double eps = dt == DType::Float32 ? 0x1p-24 : 0x1p-53;
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double want = 0, mag = 0;
      for (std::int64_t p = 0; p < k; ++p) {
        const double x = value_at(dt, a.host(), offset_of(va, {i, p}));
        const double y = value_at(dt, b.host(), offset_of(vb, {p, j}));
        want += x * y;
        mag += std::fabs(x * y);
      }
      const std::int64_t at = offset_of(vc, {i, j});
      written.insert(at);
      EXPECT_NEAR(value_at(dt, got, at), want, 2 * eps * double(k) * mag + 1e-300)
          << "C[" << i << ", " << j << "]";
    }
  for (std::int64_t e = 0; e < c.size(); ++e) {
    if (!written.count(e)) {
      ASSERT_EQ(value_at(dt, got, e), value_at(dt, c.host(), e)) << "gap " << e;
    }
  }
}

TEST_F(Cuda, MatmulMatchesHostLoopInEveryLayout) {
  for (DType dt : {DType::Float32, DType::Float64})
    for (Lay la : {Lay::Row, Lay::Col, Lay::Sliced})
      for (Lay lb : {Lay::Row, Lay::Col, Lay::Sliced})
        for (Lay lc : {Lay::Row, Lay::Col, Lay::Sliced}) check_matmul(dt, 13, 11, 17, la, lb, lc);
}

TEST_F(Cuda, MatmulShapes) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    check_matmul(dt, 64, 48, 80, Lay::Row, Lay::Row, Lay::Row);
    check_matmul(dt, 130, 70, 257, Lay::Col, Lay::Row, Lay::Row);
    check_matmul(dt, 1, 9, 4, Lay::Row, Lay::Col, Lay::Row);        // row vector times matrix
    check_matmul(dt, 9, 1, 4, Lay::Row, Lay::Row, Lay::Col);        // matrix times column vector
    check_matmul(dt, 7, 6, 1, Lay::Col, Lay::Row, Lay::Row);        // outer product
    check_matmul(dt, 1, 1, 300, Lay::Row, Lay::Row, Lay::Row);      // dot product
    check_matmul(dt, 8, 5, 6, Lay::Broadcast, Lay::Row, Lay::Row);  // stride-0 rows: copied
  }
}

TEST_F(Cuda, MatmulEdgeCases) {
  // torch.zeros(3, 0) @ torch.zeros(0, 4) == torch.zeros(3, 4): every output an empty sum.
  Buffer c(DType::Float32, 12), a(DType::Float32, 1), b(DType::Float32, 1);
  c.randomize(7);
  kc::matmul(Matmul{3, 4, 0, a.dev_op(View{{3, 0}, {0, 1}, 0}), b.dev_op(View{{0, 4}, {4, 1}, 0}),
                    c.dev_op(contiguous({3, 4}))});
  const auto zeros = c.download();
  for (int e = 0; e < 12; ++e) EXPECT_EQ(value_at(DType::Float32, zeros, e), 0.0);
  // m == 0: nothing to write.
  c.randomize(8);
  kc::matmul(Matmul{0, 4, 3, a.dev_op(View{{0, 3}, {3, 1}, 0}), b.dev_op(View{{3, 4}, {4, 1}, 0}),
                    c.dev_op(View{{0, 4}, {4, 1}, 0})});
  EXPECT_EQ(mismatch(DType::Float32, c.download(), c.host()), "");

  // [[1, 2], [3, 4]] @ [[5, 6], [7, 8]] == [[19, 22], [43, 50]]
  Buffer x(DType::Float64, 4), y(DType::Float64, 4), z(DType::Float64, 4);
  const double xv[] = {1, 2, 3, 4}, yv[] = {5, 6, 7, 8};
  std::memcpy(x.host().data(), xv, sizeof xv);
  std::memcpy(y.host().data(), yv, sizeof yv);
  x.upload();
  y.upload();
  const View v = contiguous({2, 2});
  kc::matmul(Matmul{2, 2, 2, x.dev_op(v), y.dev_op(v), z.dev_op(v)});
  const auto zb = z.download();
  EXPECT_EQ(value_at(DType::Float64, zb, 0), 19.0);
  EXPECT_EQ(value_at(DType::Float64, zb, 1), 22.0);
  EXPECT_EQ(value_at(DType::Float64, zb, 2), 43.0);
  EXPECT_EQ(value_at(DType::Float64, zb, 3), 50.0);

  // torch.matmul of int tensors is not a cuBLAS op here; mixed dtypes are cast by the engine.
  Buffer i(DType::Int32, 4), f(DType::Float32, 4);
  EXPECT_THROW(kc::matmul(Matmul{2, 2, 2, i.dev_op(v), i.dev_op(v), i.dev_op(v)}), TypeError);
  EXPECT_THROW(kc::matmul(Matmul{2, 2, 2, f.dev_op(v), x.dev_op(v), f.dev_op(v)}), TypeError);
}

// The ops whose result is bool (the registry's Output::Bool) read their compute dtype and
// write bool, on the device as on the cpu: every dtype, every layout, both arities. Integer
// inputs in [-20, 20] tie often; float inputs exercise the strict comparisons.
TEST_F(Cuda, BoolResultOpsMatchCpu) {
  for (const spec::OpSpec& op : spec::op_table()) {
    if (op.output != spec::Output::Bool) continue;
    for (DType dt : torch_dtypes())
      for (const Case& b : binary_cases()) {
        const Case c = op.arity == 2 ? b : Case{b.name, b.shape, b.out, {b.in[0]}};
        compare_elementwise(
            c, DType::Bool, std::vector<DType>(std::size_t(op.arity), dt),
            [&](const Elementwise& a) { kcpu::elementwise(op.id, a); },
            [&](const Elementwise& a) { kc::elementwise(op.id, a); }, 0, std::string(op.name) + " " + dname(dt));
      }
  }
  // A bool op writes bool: another output dtype is refused, as on the cpu.
  Buffer f(DType::Float32, 4);
  const View v = contiguous({4});
  EXPECT_THROW(kc::elementwise(OpId::Less, {{4}, f.dev_op(v), {f.dev_op(v), f.dev_op(v)}}), TypeError);
}

}  // namespace
}  // namespace parity
