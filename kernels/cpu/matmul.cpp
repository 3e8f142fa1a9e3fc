// CPU matmul: a plain i-k-j loop over row-major operands (copied to contiguous buffers when
// their columns are not unit-stride), blocked over output columns so the block of b and the
// output row stay in cache. Accumulates in the operands' dtype, as PyTorch does for float;
// int32 and int64 wrap modulo 2^N (unsigned arithmetic), as PyTorch's cpu mm does.
#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/spec/error.h"
#include "kernels/common/api.h"
#include "kernels/common/functors.h"

namespace parity::kernels::cpu {
namespace {

// A row-major view of an operand: data and row stride, columns unit-stride.
template <class T>
struct RowMajor {
  const T* data;
  std::int64_t ld;
};

template <class T>
RowMajor<T> row_major(const Operand& o, std::int64_t rows, std::int64_t cols, std::vector<T>& tmp) {
  const T* p = static_cast<const T*>(o.data);
  if (o.strides[1] == 1 || cols <= 1) return {p, o.strides[0]};
  tmp.resize(std::size_t(rows * cols));
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      tmp[std::size_t(i * cols + j)] = p[i * o.strides[0] + j * o.strides[1]];
  return {tmp.data(), cols};
}

template <class T>
void matmul_impl(const Matmul& args) {
  const std::int64_t m = args.m, n = args.n, k = args.k;
  std::vector<T> ta, tb, tc;
  const RowMajor<T> a = row_major<T>(args.a, m, k, ta);
  const RowMajor<T> b = row_major<T>(args.b, k, n, tb);
  // Write straight into out when its rows are unit-stride, else into a buffer scattered after.
  T* out = static_cast<T*>(args.out.data);
  const bool direct = args.out.strides[1] == 1 || n <= 1;
  if (!direct) tc.assign(std::size_t(m * n), T(0));
  T* c = direct ? out : tc.data();
  const std::int64_t ldc = direct ? args.out.strides[0] : n;

  for (std::int64_t i = 0; i < m; ++i) std::fill_n(c + i * ldc, n, T(0));
  constexpr std::int64_t kColBlock = 512;
  for (std::int64_t j0 = 0; j0 < n; j0 += kColBlock) {
    const std::int64_t w = std::min(kColBlock, n - j0);
    for (std::int64_t i = 0; i < m; ++i) {
      T* crow = c + i * ldc + j0;
      const T* arow = a.data + i * a.ld;
      for (std::int64_t kk = 0; kk < k; ++kk) {
        const T aik = arow[kk];
        const T* brow = b.data + kk * b.ld + j0;
        if constexpr (std::is_integral_v<T>) {
          using U = wrap_t<T>;  // kernels/common/functors.h
          for (std::int64_t j = 0; j < w; ++j) crow[j] = T(U(crow[j]) + U(aik) * U(brow[j]));
        } else {
          for (std::int64_t j = 0; j < w; ++j) crow[j] += aik * brow[j];
        }
      }
    }
  }
  if (!direct)
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j)
        out[i * args.out.strides[0] + j * args.out.strides[1]] = tc[std::size_t(i * n + j)];
}

}  // namespace

void matmul(const Matmul& args) {
  if (args.m < 0 || args.n < 0 || args.k < 0) throw ValueError("matmul kernel: negative size");
  for (const Operand* o : {&args.a, &args.b, &args.out})
    if (o->strides.size() != 2) throw ValueError("matmul kernel: operands need [row, column] strides");
  if (args.a.dtype != args.out.dtype || args.b.dtype != args.out.dtype)
    throw TypeError("matmul kernel: a, b and out must share one dtype (cast the inputs first)");
  spec::visit_torch_dtype(args.out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool> && !spec::is_half_v<T>)
      matmul_impl<T>(args);
    else  // float16 and bfloat16 run in float32: the engine casts them
      throw TypeError("matmul kernel: dtype " + std::string(spec::dtype_name(args.out.dtype)) +
                      " is not supported (integers, float32, float64)");
  });
}

}  // namespace parity::kernels::cpu
