#pragma once
// The reference CPU array engine, with NumPy semantics: an n-d view (dtype, shape, byte
// strides that may be negative, byte offset, writeable flag) over a refcounted Storage.
// Plain and readable on purpose: it is the reference the tensor engine is judged against,
// and it shares no kernel code with it.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "engine/core/random.h"
#include "engine/core/storage.h"
#include "engine/spec/broadcast.h"
#include "engine/spec/dtype.h"
#include "engine/spec/ops.h"
#include "engine/spec/params.h"

namespace parity::array {

using spec::DType;
using spec::Shape;
using Strides = std::vector<std::int64_t>;  // in bytes, as numpy.ndarray.strides

// One axis of a basic slice, as Python's start:stop:step (step != 0, may be negative).
struct Slice {
  std::optional<std::int64_t> start;
  std::optional<std::int64_t> stop;
  std::int64_t step = 1;
};

class NdArray {
 public:
  NdArray();  // 0-d float64 zero

  // Creation (C-contiguous, owned, writeable).
  static NdArray empty(const Shape& shape, DType dtype);
  static NdArray zeros(const Shape& shape, DType dtype);
  static NdArray ones(const Shape& shape, DType dtype);
  static NdArray full(const Shape& shape, double value, DType dtype);
  // numpy.arange(start, stop, step, dtype); step != 0.
  static NdArray arange(double start, double stop, double step, DType dtype);
  // Seeded Philox values: element i (in C order) is core::random_value(d, seed, i, a, b)
  // rounded to dtype; identical on every machine.
  static NdArray random(const Shape& shape, DType dtype, std::uint64_t seed,
                        core::Distribution d = core::Distribution::Uniform, double a = 0.0,
                        double b = 1.0);
  // Copies `values` (C order) into a new array of `shape`.
  template <class T> static NdArray from_values(const Shape& shape, std::span<const T> values);
  // A view over existing storage. Throws ValueError when the view would reach outside it.
  static NdArray from_storage(std::shared_ptr<core::Storage> storage, DType dtype,
                              const Shape& shape, const Strides& strides, std::int64_t offset,
                              bool writeable = true);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  const Strides& strides() const { return strides_; }
  std::int64_t offset() const { return offset_; }  // bytes from storage start
  int ndim() const { return int(shape_.size()); }
  std::int64_t size() const;  // number of elements
  std::int64_t itemsize() const { return std::int64_t(spec::itemsize(dtype_)); }
  bool writeable() const { return writeable_; }
  void set_writeable(bool w);  // true is refused (ValueError) on a view of read-only data
  bool is_c_contiguous() const;
  const std::shared_ptr<core::Storage>& storage() const { return storage_; }
  // Pointer to the element at index (0, ..., 0).
  void* data() const;
  // Whether the two arrays' element ranges in memory may overlap.
  bool shares_memory(const NdArray& other) const;

  // Views (share storage).
  NdArray slice(std::span<const Slice> slices) const;  // fewer slices than ndim: rest are ':'
  NdArray transpose() const;                              // reverse axes (.T)
  NdArray transpose(std::span<const int> axes) const;     // numpy.transpose(a, axes)
  // A view when the strides allow it, else a C-order copy. One size may be -1.
  NdArray reshape(const Shape& shape) const;
  // Read-only view with stride 0 on broadcast axes (numpy.broadcast_to).
  NdArray broadcast_to(const Shape& shape) const;

  // Copies (new owned C-contiguous storage).
  NdArray copy() const;
  NdArray astype(DType dtype) const;  // C casts; to bool is x != 0

  // Element access by full index (negative indices count from the end).
  double get(std::span<const std::int64_t> index) const;  // converted to double
  template <class T> T at(std::span<const std::int64_t> index) const;
  void set(std::span<const std::int64_t> index, double value);  // ValueError if read-only
  // All elements in C order, converted to double (int64 beyond 2^53 loses precision).
  std::vector<double> to_doubles() const;

 private:
  std::shared_ptr<core::Storage> storage_;
  DType dtype_ = DType::Float64;
  Shape shape_;
  Strides strides_;
  std::int64_t offset_ = 0;
  bool writeable_ = true;
  // The data behind this view is read-only at its source (broadcast_to, from_storage with
  // writeable=false, or a view taken of a read-only array): set_writeable(true) is refused.
  bool readonly_base_ = false;
};

// The ops, NumPy semantics: NumPy promotion (NEP 50), broadcasting, refusals and error
// messages from the registry (engine/spec/ops.h). Inputs may have any strides; results are
// new C-contiguous arrays. `call` is the one entry; the named functions wrap it.
NdArray call(spec::OpId op, std::span<const NdArray> inputs, const spec::Params& params = {});

NdArray add(const NdArray& a, const NdArray& b);
NdArray mul(const NdArray& a, const NdArray& b);
NdArray neg(const NdArray& a);
NdArray exp(const NdArray& a);
// numpy.sum(a, axis=axes, keepdims=keepdims); empty axes = all. Float sums add in NumPy's
// order: its iterator's axis order and chunks, pairwise only along the innermost reduced
// run; bool and integers accumulate in int64.
NdArray sum(const NdArray& a, std::span<const std::int64_t> axes = {}, bool keepdims = false);
NdArray matmul(const NdArray& a, const NdArray& b);  // 2-D only; any dtype, as np.matmul

}  // namespace parity::array
