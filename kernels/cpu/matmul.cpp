// CPU matmul. float32 and float64 go to OpenBLAS's CBLAS (sgemm, dgemm), as PyTorch's cpu
// mm goes to its BLAS: each operand as it lies when one of its strides is 1 (row-major: no
// transpose; column-major: transposed, so a transposed view is not copied), copied to a
// row-major buffer otherwise; the product straight into out when its rows are unit-stride.
// Integers (and sizes beyond CBLAS's int) take a plain i-k-j loop over row-major operands,
// blocked over output columns so the block of b and the output row stay in cache; it
// accumulates in the operands' dtype, and int32 and int64 wrap modulo 2^N (unsigned
// arithmetic), as PyTorch's cpu mm does. The array engine keeps its own reference matmul,
// which shares none of this.
#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/spec/error.h"
#include "kernels/common/api.h"
#include "kernels/common/functors.h"
#include "kernels/cpu/parallel.h"

namespace parity::kernels::cpu {
namespace {

// A row-major view of an operand: data and row stride, columns unit-stride; copied into tmp
// unless they already are (or always, with `copy`).
template <class T>
struct RowMajor {
  const T* data;
  std::int64_t ld;
};

template <class T>
RowMajor<T> row_major(const Operand& o, std::int64_t rows, std::int64_t cols, std::vector<T>& tmp,
                      bool copy = false) {
  const T* p = static_cast<const T*>(o.data);
  if (!copy && (o.strides[1] == 1 || cols <= 1)) return {p, o.strides[0]};
  tmp.resize(std::size_t(rows * cols));
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      tmp[std::size_t(i * cols + j)] = p[i * o.strides[0] + j * o.strides[1]];
  return {tmp.data(), cols};
}

// out[i, j] = c[i * n + j]: a product computed in a row-major buffer, written to an output
// whose rows are not unit-stride.
template <class T>
void scatter(const std::vector<T>& c, std::int64_t m, std::int64_t n, const Operand& out) {
  T* o = static_cast<T*>(out.data);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) o[i * out.strides[0] + j * out.strides[1]] = c[std::size_t(i * n + j)];
}

// An operand as CBLAS takes it (row-major order): its data, whether it is passed transposed,
// and its leading dimension.
template <class T>
struct BlasOperand {
  const T* data;
  CBLAS_TRANSPOSE trans;
  std::int64_t ld;
};

bool fits_int(std::int64_t v) { return v >= 0 && v <= INT_MAX; }

// o (rows x cols) for CBLAS: rows unit-stride (no transpose, ld its row stride), or columns
// unit-stride (transposed, ld its column stride), else a row-major copy in tmp. A dimension of
// one element has any stride: its leading dimension is then the other's extent.
template <class T>
BlasOperand<T> blas_operand(const Operand& o, std::int64_t rows, std::int64_t cols, std::vector<T>& tmp) {
  const T* p = static_cast<const T*>(o.data);
  const std::int64_t s0 = o.strides[0], s1 = o.strides[1];
  if ((s1 == 1 || cols <= 1) && (rows <= 1 || s0 >= std::max<std::int64_t>(cols, 1)))
    return {p, CblasNoTrans, rows <= 1 ? std::max<std::int64_t>(cols, 1) : s0};
  if ((s0 == 1 || rows <= 1) && (cols <= 1 || s1 >= std::max<std::int64_t>(rows, 1)))
    return {p, CblasTrans, cols <= 1 ? std::max<std::int64_t>(rows, 1) : s1};
  // Neither layout fits CBLAS (no unit stride, or rows that overlap): a row-major copy.
  const RowMajor<T> copy = row_major<T>(o, rows, cols, tmp, true);
  return {copy.data, CblasNoTrans, std::max<std::int64_t>(copy.ld, 1)};
}

// OpenBLAS's threads follow the kernels' (PARITY_NUM_THREADS); set only when that changes.
void sync_blas_threads() {
  static std::atomic<int> set{0};
  const int want = num_threads();
  if (set.exchange(want, std::memory_order_relaxed) != want) openblas_set_num_threads(want);
}

// out = a @ b through sgemm / dgemm; false (nothing written) where a size or leading dimension
// is beyond CBLAS's int, for the loop below.
template <class T>
bool blas_matmul(const Matmul& args) {
  const std::int64_t m = args.m, n = args.n, k = args.k;
  if (!fits_int(m) || !fits_int(n) || !fits_int(k)) return false;
  std::vector<T> ta, tb, tc;
  const BlasOperand<T> a = blas_operand<T>(args.a, m, k, ta);
  const BlasOperand<T> b = blas_operand<T>(args.b, k, n, tb);
  T* out = static_cast<T*>(args.out.data);
  const bool direct = (args.out.strides[1] == 1 || n <= 1) &&
                      (m <= 1 || args.out.strides[0] >= std::max<std::int64_t>(n, 1));
  const std::int64_t ldc = direct && m > 1 ? args.out.strides[0] : std::max<std::int64_t>(n, 1);
  if (!fits_int(a.ld) || !fits_int(b.ld) || !fits_int(ldc)) return false;
  if (m == 0 || n == 0) return true;
  if (!direct) tc.assign(std::size_t(m * n), T(0));
  T* c = direct ? out : tc.data();
  if (k == 0) {  // the empty sum, without asking the BLAS what beta = 0 does with k = 0
    for (std::int64_t i = 0; i < m; ++i) std::fill_n(c + i * ldc, n, T(0));
  } else {
    sync_blas_threads();
    if constexpr (std::is_same_v<T, float>)
      cblas_sgemm(CblasRowMajor, a.trans, b.trans, int(m), int(n), int(k), 1.0f, a.data, int(a.ld), b.data,
                  int(b.ld), 0.0f, c, int(ldc));
    else
      cblas_dgemm(CblasRowMajor, a.trans, b.trans, int(m), int(n), int(k), 1.0, a.data, int(a.ld), b.data,
                  int(b.ld), 0.0, c, int(ldc));
  }
  if (!direct) scatter(tc, m, n, args.out);
  return true;
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
  if (!direct) scatter(tc, m, n, args.out);
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
    if constexpr (std::is_floating_point_v<T>) {
      if (!blas_matmul<T>(args)) matmul_impl<T>(args);
    } else if constexpr (!std::is_same_v<T, bool> && !spec::is_half_v<T>) {
      matmul_impl<T>(args);
    } else {  // float16 and bfloat16 run in float32: the engine casts them
      throw TypeError("matmul kernel: dtype " + std::string(spec::dtype_name(args.out.dtype)) +
                      " is not supported (integers, float32, float64)");
    }
  });
}

}  // namespace parity::kernels::cpu
