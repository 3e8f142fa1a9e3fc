#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "engine/spec/broadcast.h"
#include "engine/spec/error.h"
#include "engine/spec/ops.h"
#include "engine/spec/promote.h"

namespace ps = parity::spec;
using ps::DType;
using ps::Semantics;

TEST(Spec, PromotionTablesAreSymmetric) {
  for (Semantics s : {Semantics::NumPy, Semantics::PyTorch})
    for (DType a : ps::kAllDTypes)
      for (DType b : ps::kAllDTypes) {
        if (s == Semantics::PyTorch && !(ps::in_torch(a) && ps::in_torch(b))) continue;
        EXPECT_EQ(ps::promote_types(s, a, b), ps::promote_types(s, b, a));
      }
}

// torch.uint16 does not exist in PyTorch 1.13: the tensor rules refuse it by name.
TEST(Spec, TorchRulesRefuseDtypesPyTorchLacks) {
  for (DType t : {DType::UInt16, DType::UInt32, DType::UInt64}) {
    EXPECT_FALSE(ps::in_torch(t));
    EXPECT_THROW(ps::promote_types(Semantics::PyTorch, t, DType::Int64), parity::TypeError);
    ps::Operand in[] = {{t}};
    EXPECT_THROW(ps::result_dtype(ps::OpId::Neg, Semantics::PyTorch, in), parity::TypeError);
    EXPECT_FALSE(ps::accepts(ps::OpId::Add, Semantics::PyTorch, t));
    EXPECT_TRUE(ps::accepts(ps::OpId::Add, Semantics::NumPy, t));
  }
}

// A few cells of the new dtypes, each as the library prints it (the goldens check every cell):
// np.promote_types('u1','i1') int16, ('u2','i2') int32, ('u8','i8') float64, ('i2','f2')
// float32, ('u1','f2') float16, ('i4','f2') float64; torch.promote_types(torch.uint8,
// torch.int8) int16, (uint8, int32) int32, (int16, float16) float16, (float16, bfloat16) float32.
TEST(Spec, PromotionOfTheSmallDtypes) {
  const Semantics N = Semantics::NumPy, T = Semantics::PyTorch;
  EXPECT_EQ(ps::promote_types(N, DType::UInt8, DType::Int8), DType::Int16);
  EXPECT_EQ(ps::promote_types(N, DType::UInt16, DType::Int16), DType::Int32);
  EXPECT_EQ(ps::promote_types(N, DType::UInt32, DType::Int8), DType::Int64);
  EXPECT_EQ(ps::promote_types(N, DType::UInt64, DType::Int64), DType::Float64);
  EXPECT_EQ(ps::promote_types(N, DType::UInt8, DType::UInt32), DType::UInt32);
  EXPECT_EQ(ps::promote_types(N, DType::Int16, DType::Float16), DType::Float32);
  EXPECT_EQ(ps::promote_types(N, DType::UInt8, DType::Float16), DType::Float16);
  EXPECT_EQ(ps::promote_types(N, DType::Int32, DType::Float16), DType::Float64);
  EXPECT_EQ(ps::promote_types(N, DType::Float16, DType::Float32), DType::Float32);
  EXPECT_EQ(ps::promote_types(T, DType::UInt8, DType::Int8), DType::Int16);
  EXPECT_EQ(ps::promote_types(T, DType::UInt8, DType::Int32), DType::Int32);
  EXPECT_EQ(ps::promote_types(T, DType::Int16, DType::Float16), DType::Float16);
  EXPECT_EQ(ps::promote_types(T, DType::Int64, DType::BFloat16), DType::BFloat16);
  EXPECT_EQ(ps::promote_types(T, DType::Float16, DType::BFloat16), DType::Float32);
  // np.exp(np.int8(1)).dtype float16, np.exp(np.int16(1)) float32; np.sum(np.uint8([1])) uint64.
  EXPECT_EQ(ps::float_result_type(N, DType::Int8), DType::Float16);
  EXPECT_EQ(ps::float_result_type(N, DType::UInt16), DType::Float32);
  EXPECT_EQ(ps::float_result_type(N, DType::UInt32), DType::Float64);
  EXPECT_EQ(ps::float_result_type(T, DType::Int8), DType::Float32);
  EXPECT_EQ(ps::sum_result_type(N, DType::UInt8), DType::UInt64);
  EXPECT_EQ(ps::sum_result_type(N, DType::Int8), DType::Int64);
  EXPECT_EQ(ps::sum_result_type(T, DType::UInt8), DType::Int64);
  EXPECT_EQ(ps::sum_result_type(T, DType::Float16), DType::Float16);
}

// np.result_type(np.int32, np.float32) == float64; torch.promote_types(torch.int32, torch.float32) == float32
TEST(Spec, PromotionDiffersWhereTheLibrariesDiffer) {
  EXPECT_EQ(ps::promote_types(Semantics::NumPy, DType::Int32, DType::Float32), DType::Float64);
  EXPECT_EQ(ps::promote_types(Semantics::PyTorch, DType::Int32, DType::Float32), DType::Float32);
  EXPECT_EQ(ps::promote_types(Semantics::NumPy, DType::Int64, DType::Float32), DType::Float64);
  EXPECT_EQ(ps::promote_types(Semantics::PyTorch, DType::Int64, DType::Float32), DType::Float32);
  // Where they agree.
  EXPECT_EQ(ps::promote_types(Semantics::NumPy, DType::Bool, DType::Float32), DType::Float32);
  EXPECT_EQ(ps::promote_types(Semantics::PyTorch, DType::Bool, DType::Int32), DType::Int32);
  EXPECT_EQ(ps::promote_types(Semantics::NumPy, DType::Int32, DType::Int64), DType::Int64);
  EXPECT_EQ(ps::promote_types(Semantics::PyTorch, DType::Float32, DType::Float64), DType::Float64);
}

// torch.ones(2, dtype=torch.int32) + torch.tensor(1, dtype=torch.int64) -> int32
// torch.ones(2, dtype=torch.int32) + torch.tensor(1.5, dtype=torch.float64) -> float64
// torch.ones(2, dtype=torch.float32) + torch.tensor(1.5, dtype=torch.float64) -> float32
TEST(Spec, PyTorchZeroDimOperandsPromoteByCategoryOnly) {
  auto torch = [](DType a, bool za, DType b, bool zb) {
    ps::Operand ops[] = {{a, za}, {b, zb}};
    return ps::result_type(Semantics::PyTorch, ops);
  };
  EXPECT_EQ(torch(DType::Int32, false, DType::Int64, true), DType::Int32);
  EXPECT_EQ(torch(DType::Int32, false, DType::Float64, true), DType::Float64);
  EXPECT_EQ(torch(DType::Float32, false, DType::Float64, true), DType::Float32);
  EXPECT_EQ(torch(DType::Bool, false, DType::Int64, true), DType::Int64);
  EXPECT_EQ(torch(DType::Int32, true, DType::Int64, true), DType::Int64);
  ps::Operand np[] = {{DType::Int32, false}, {DType::Int64, true}};
  EXPECT_EQ(ps::result_type(Semantics::NumPy, np), DType::Int64);
}

TEST(Spec, BroadcastShapes) {
  EXPECT_EQ(ps::broadcast_shapes(Semantics::NumPy, {2, 1, 3}, {4, 1}), (ps::Shape{2, 4, 3}));
  EXPECT_EQ(ps::broadcast_shapes(Semantics::PyTorch, {}, {5}), (ps::Shape{5}));
  EXPECT_EQ(ps::broadcast_shapes(Semantics::NumPy, {0, 1}, {1, 3}), (ps::Shape{0, 3}));
}

TEST(Spec, BroadcastErrorsUseEachLibrarysWording) {
  try {
    ps::broadcast_shapes(Semantics::NumPy, {2, 3}, {4});
    FAIL();
  } catch (const parity::ValueError& e) {
    // np.add(np.ones((2,3)), np.ones(4)): NumPy's text ends with a space.
    EXPECT_STREQ(e.what(), "operands could not be broadcast together with shapes (2,3) (4,) ");
  }
  // torch.ones(2,3) + torch.ones(4)
  try {
    ps::broadcast_shapes(Semantics::PyTorch, {2, 3}, {4});
    FAIL();
  } catch (const parity::ValueError& e) {
    EXPECT_STREQ(e.what(),
                 "The size of tensor a (3) must match the size of tensor b (4) at non-singleton "
                 "dimension 1");
  }
}

TEST(Spec, ResultDtypes) {
  ps::Operand i32[] = {{DType::Int32}};
  EXPECT_EQ(ps::result_dtype(ps::OpId::Exp, Semantics::NumPy, i32), DType::Float64);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Exp, Semantics::PyTorch, i32), DType::Float32);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Sum, Semantics::NumPy, i32), DType::Int64);
  ps::Operand b[] = {{DType::Bool}};
  EXPECT_EQ(ps::result_dtype(ps::OpId::Sum, Semantics::PyTorch, b), DType::Int64);
  EXPECT_THROW(ps::result_dtype(ps::OpId::Neg, Semantics::NumPy, b), parity::TypeError);
  ps::Operand bools[] = {{DType::Bool}, {DType::Bool}};
  EXPECT_THROW(ps::result_dtype(ps::OpId::Matmul, Semantics::PyTorch, bools), parity::TypeError);
}

TEST(Spec, ResultShapes) {
  ps::Shape in[] = {{2, 3, 4}};
  std::int64_t axes[] = {-1, 0};
  EXPECT_EQ(ps::result_shape(ps::OpId::Sum, Semantics::NumPy, in, axes, false), (ps::Shape{3}));
  EXPECT_EQ(ps::result_shape(ps::OpId::Sum, Semantics::NumPy, in, axes, true), (ps::Shape{1, 3, 1}));
  EXPECT_EQ(ps::result_shape(ps::OpId::Sum, Semantics::NumPy, in, {}, false), (ps::Shape{}));
  std::int64_t dup[] = {1, -2};
  EXPECT_THROW(ps::result_shape(ps::OpId::Sum, Semantics::NumPy, in, dup), parity::ValueError);
  std::int64_t bad[] = {3};
  EXPECT_THROW(ps::result_shape(ps::OpId::Sum, Semantics::PyTorch, in, bad), parity::IndexError);
  ps::Shape mm[] = {{2, 3}, {4, 5}};
  EXPECT_THROW(ps::result_shape(ps::OpId::Matmul, Semantics::PyTorch, mm), parity::ValueError);
}

TEST(Spec, AxisRulesOnZeroDim) {
  // torch.tensor(1.).sum(0) is allowed; np.sum(np.float64(1), axis=0) raises AxisError.
  EXPECT_EQ(ps::normalize_axis(Semantics::PyTorch, -1, 0), 0);
  EXPECT_THROW(ps::normalize_axis(Semantics::NumPy, 0, 0), parity::ValueError);
}

TEST(Spec, TableIsComplete) {
  for (const auto& op : ps::op_table()) {
    EXPECT_FALSE(op.name.empty());
    EXPECT_FALSE(op.dtypes.empty()) << op.name;
    EXPECT_EQ(&ps::find_op(op.name), &op);
    EXPECT_GE(op.domain.hi, op.domain.lo) << op.name;
    // A library may lack an op (numpy.erf, torch.cbrt), but not both.
    EXPECT_TRUE(ps::library_has(op, Semantics::NumPy) || ps::library_has(op, Semantics::PyTorch)) << op.name;
  }
  EXPECT_THROW(ps::find_op("gelu_exact"), parity::ValueError);
}

TEST(Spec, Costs) {
  ps::Shape mm[] = {{8, 16}, {16, 4}};
  auto c = ps::op_cost(ps::OpId::Matmul, mm, DType::Float32, DType::Float32);
  EXPECT_DOUBLE_EQ(c.flops, 2.0 * 8 * 16 * 4);
  EXPECT_DOUBLE_EQ(c.bytes, 4.0 * (8 * 16 + 16 * 4 + 8 * 4));
  ps::Shape add[] = {{1000}, {1}};
  c = ps::op_cost(ps::OpId::Add, add, DType::Float64, DType::Float64);
  EXPECT_DOUBLE_EQ(c.bytes, 8.0 * (1000 + 1 + 1000));
}

TEST(Spec, ParseShape) {
  EXPECT_EQ(ps::parse_shape("2x3"), (ps::Shape{2, 3}));
  EXPECT_EQ(ps::parse_shape("(2,)"), (ps::Shape{2}));
  EXPECT_EQ(ps::parse_shape("()"), (ps::Shape{}));
  EXPECT_THROW(ps::parse_shape("2xq"), parity::ValueError);
  EXPECT_EQ(ps::shape_str({2}), "(2,)");
}

TEST(Spec, BroadcastToErrorsUseEachLibrarysWording) {
  auto message = [](Semantics s, const ps::Shape& from, const ps::Shape& to) {
    try {
      ps::check_broadcast_to(s, from, to);
    } catch (const parity::ValueError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // np.broadcast_to(np.ones(3), (4,))
  EXPECT_EQ(message(Semantics::NumPy, {3}, {4}),
            "operands could not be broadcast together with remapped shapes [original->remapped]: (3,)  and "
            "requested shape (4,)");
  // torch.ones(3).expand(4)
  EXPECT_EQ(
      message(Semantics::PyTorch, {3}, {4}),
      "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0.  "
      "Target sizes: [4].  Tensor sizes: [3]");
  // torch.ones(2,3).expand(4,3): the failing dim is counted in the target.
  EXPECT_EQ(
      message(Semantics::PyTorch, {2, 3}, {5, 4, 3}),
      "The expanded size of the tensor (4) must match the existing size (2) at non-singleton dimension 1.  "
      "Target sizes: [5, 4, 3].  Tensor sizes: [2, 3]");
  // np.broadcast_to(np.ones((2,3)), (3,))
  EXPECT_EQ(message(Semantics::NumPy, {2, 3}, {3}),
            "input operand has more dimensions than allowed by the axis remapping");
  EXPECT_EQ(message(Semantics::NumPy, {3, 1}, {2, 3, 4}), "no error");
}

using Err = std::pair<std::string, std::string>;

// Refusals carry the library's class and message (numpy 1.24.2 and torch 1.13.1 on the
// calls quoted above each expectation).
Err refusal_of(ps::OpId op, Semantics s, std::initializer_list<ps::Operand> in,
               ps::Backend b = ps::Backend::Cpu) {
  try {
    ps::result_dtype(op, s, std::span<const ps::Operand>(in.begin(), in.size()), b);
  } catch (const parity::TypeError& e) {
    return {std::string(e.py_class()), e.what()};
  }
  return {"", "no error"};
}

TEST(Spec, MatmulMixedDtypesDivergeByDesign) {
  ps::Operand mixed[] = {{DType::Float32}, {DType::Float64}};
  EXPECT_EQ(ps::result_dtype(ps::OpId::Matmul, Semantics::NumPy, mixed), DType::Float64);
  // torch.ones(2,3) @ torch.ones(3,2, dtype=torch.float64)
  EXPECT_EQ(refusal_of(ps::OpId::Matmul, Semantics::PyTorch, {{DType::Float32}, {DType::Float64}}),
            Err("RuntimeError", "expected scalar type Float but found Double"));
  // torch.ones(2,3,dtype=torch.int32) @ torch.ones(3,2,dtype=torch.bool)
  EXPECT_EQ(refusal_of(ps::OpId::Matmul, Semantics::PyTorch, {{DType::Int32}, {DType::Bool}}),
            Err("RuntimeError", "expected scalar type Int but found Bool"));
  EXPECT_FALSE(ps::op_spec(ps::OpId::Matmul).divergence_list().empty());
}

// np.ones((2,3),bool) @ np.ones((3,2)) -> float64; int64 @ int32 -> int64; bool @ bool -> bool.
// torch: int32 and int64 mm compute on cpu; bool raises '"addmm_impl_cpu_" not implemented for 'Bool''.
TEST(Spec, IntegerAndBoolMatmulAsEachLibrary) {
  ps::Operand bf[] = {{DType::Bool}, {DType::Float64}}, li[] = {{DType::Int64}, {DType::Int32}},
              bb[] = {{DType::Bool}, {DType::Bool}}, ii[] = {{DType::Int32}, {DType::Int32}},
              ll[] = {{DType::Int64}, {DType::Int64}};
  EXPECT_EQ(ps::result_dtype(ps::OpId::Matmul, Semantics::NumPy, bf), DType::Float64);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Matmul, Semantics::NumPy, li), DType::Int64);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Matmul, Semantics::NumPy, bb), DType::Bool);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Matmul, Semantics::PyTorch, ii), DType::Int32);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Matmul, Semantics::PyTorch, ll), DType::Int64);
  EXPECT_EQ(refusal_of(ps::OpId::Matmul, Semantics::PyTorch, {{DType::Bool}, {DType::Bool}}),
            Err("RuntimeError", "\"addmm_impl_cpu_\" not implemented for 'Bool'"));
  // torch.ones(2,3,dtype=torch.bool) @ torch.ones(3,2): operand 0's dtype is dispatched first.
  EXPECT_EQ(refusal_of(ps::OpId::Matmul, Semantics::PyTorch, {{DType::Bool}, {DType::Float32}}),
            Err("RuntimeError", "\"addmm_impl_cpu_\" not implemented for 'Bool'"));
  // np.ones((2,3),np.int32) @ np.ones((4,5),np.int32): a shape error, ValueError, as for floats.
  ps::Shape mm[] = {{2, 3}, {4, 5}};
  try {
    ps::result_shape(ps::OpId::Matmul, Semantics::NumPy, mm);
    FAIL();
  } catch (const parity::ValueError& e) {
    EXPECT_EQ(e.py_class(), "ValueError");
    EXPECT_STREQ(e.what(),
                 "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                 "(n?,k),(k,m?)->(n?,m?) (size 4 is different from 3)");
  }
  try {  // torch.ones(2,3) @ torch.ones(4,5)
    ps::result_shape(ps::OpId::Matmul, Semantics::PyTorch, mm);
    FAIL();
  } catch (const parity::ValueError& e) {
    EXPECT_EQ(e.py_class(), "RuntimeError");
    EXPECT_STREQ(e.what(), "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  }
}

// torch.exp(torch.tensor([True, False])).dtype == torch.float32; np.exp of bool gives float16.
// torch.exp of a cpu float16 tensor raises "exp_vml_cpu" not implemented for 'Half'.
TEST(Spec, ExpOfBoolAndHalf) {
  ps::Operand b[] = {{DType::Bool}};
  EXPECT_EQ(ps::result_dtype(ps::OpId::Exp, Semantics::PyTorch, b), DType::Float32);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Exp, Semantics::NumPy, b), DType::Float16);
  EXPECT_EQ(refusal_of(ps::OpId::Exp, Semantics::PyTorch, {{DType::Float16}}).second,
            "\"exp_vml_cpu\" not implemented for 'Half'");
  ps::Operand h[] = {{DType::Float16}};
  EXPECT_EQ(ps::result_dtype(ps::OpId::Exp, Semantics::PyTorch, h, ps::Backend::Cuda), DType::Float16);
}

// -torch.tensor([True]) raises RuntimeError; -np.array([True]) raises TypeError.
TEST(Spec, NegOfBoolCarriesEachLibrarysClass) {
  EXPECT_EQ(refusal_of(ps::OpId::Neg, Semantics::NumPy, {{DType::Bool}}).first, "TypeError");
  EXPECT_EQ(refusal_of(ps::OpId::Neg, Semantics::PyTorch, {{DType::Bool}}).first, "RuntimeError");
}

// torch.ones(4,0) + torch.ones(4,0,7): RuntimeError "The size of tensor a (0) must match the
// size of tensor b (7) at non-singleton dimension 2" (PyTorch names the rightmost mismatch).
TEST(Spec, TorchBroadcastErrorNamesTheRightmostMismatch) {
  try {
    ps::broadcast_shapes(Semantics::PyTorch, {4, 0}, {4, 0, 7});
    FAIL();
  } catch (const parity::ValueError& e) {
    EXPECT_EQ(e.py_class(), "RuntimeError");
    EXPECT_STREQ(e.what(),
                 "The size of tensor a (0) must match the size of tensor b (7) at non-singleton dimension 2");
  }
  try {  // torch.ones(2,1,4) + torch.ones(3,5)
    ps::broadcast_shapes(Semantics::PyTorch, {2, 1, 4}, {3, 5});
    FAIL();
  } catch (const parity::ValueError& e) {
    EXPECT_STREQ(e.what(),
                 "The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 2");
  }
}

// np.sum(np.ones((2,3)), axis=2): numpy.AxisError (MRO AxisError, ValueError, IndexError);
// torch.ones(2,3).sum(2): IndexError; duplicates: ValueError / RuntimeError.
TEST(Spec, AxisErrorsCarryEachLibrarysClass) {
  try {
    ps::normalize_axis(Semantics::NumPy, 2, 2);
    FAIL();
  } catch (const parity::ValueError& e) {
    EXPECT_EQ(e.py_class(), "numpy.AxisError");
    EXPECT_STREQ(e.what(), "axis 2 is out of bounds for array of dimension 2");
  }
  try {
    ps::normalize_axis(Semantics::PyTorch, 2, 2);
    FAIL();
  } catch (const parity::IndexError& e) {
    EXPECT_EQ(e.py_class(), "IndexError");
    EXPECT_STREQ(e.what(), "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  }
  ps::Shape in[] = {{2, 3}};
  const std::int64_t dup[] = {0, -2};
  try {
    ps::result_shape(ps::OpId::Sum, Semantics::PyTorch, in, dup);
    FAIL();
  } catch (const parity::ValueError& e) {
    EXPECT_EQ(e.py_class(), "RuntimeError");
    EXPECT_STREQ(e.what(), "dim 0 appears multiple times in the list of dims");
  }
}

// Every difference between the two rule books over all same- and mixed-dtype operand pairs
// (n-d and 0-d) is declared as a divergence, and every declared divergence occurs.
TEST(Spec, DivergencesAreDeclaredAndOccur) {
  std::vector<DType> dtypes;
  for (DType d : ps::kAllDTypes)
    if (ps::in_torch(d)) dtypes.push_back(d);  // another dtype is not an op's divergence
  for (const auto& op : ps::op_table()) {
    std::vector<bool> seen(op.divergence_list().size(), false);
    const std::size_t n = std::size_t(op.arity);
    // Every tuple of dtypes (one per operand), each operand n-d or 0-d.
    std::vector<std::size_t> idx(n, 0);
    for (bool more = true; more;) {
      for (unsigned zd = 0; zd < (1u << n); ++zd) {
        std::vector<ps::Operand> in;
        std::string name;
        for (std::size_t k = 0; k < n; ++k) {
          in.push_back({dtypes[idx[k]], ((zd >> k) & 1u) != 0});
          name += std::string(k ? "," : "") + std::string(ps::dtype_name(dtypes[idx[k]]));
        }
        const bool np_ok = !ps::find_refusal(op.id, Semantics::NumPy, in);
        const bool t_ok = !ps::find_refusal(op.id, Semantics::PyTorch, in);
        // A cast's result is its dtype parameter under both libraries.
        const bool cast = op.casts();
        const bool differs =
            np_ok != t_ok || (np_ok && !cast && ps::result_dtype(op.id, Semantics::NumPy, in) !=
                                                    ps::result_dtype(op.id, Semantics::PyTorch, in));
        // Values rows are differences of values inside one dtype (the check and the
        // goldens see them), and NumpyLacks / TorchLacks rows say which library has no such
        // function (every dtype); here they only have to occur somewhere.
        bool declared = false;
        for (std::size_t k = 0; k < op.divergence_list().size(); ++k)
          if (ps::divergence_applies(op, op.divergence_list()[k], in)) {
            seen[k] = true;
            const ps::DivergenceKind kind = op.divergence_list()[k].kind;
            declared = declared || (kind != ps::DivergenceKind::Values && kind != ps::DivergenceKind::NumpyLacks &&
                                    kind != ps::DivergenceKind::TorchLacks);
          }
        EXPECT_EQ(differs, declared) << op.name << " " << name << " zd=" << zd;
      }
      more = false;
      for (std::size_t k = 0; k < n && !more; ++k) {
        if (++idx[k] < dtypes.size()) more = true;
        else idx[k] = 0;
      }
    }
    for (std::size_t k = 0; k < seen.size(); ++k)
      EXPECT_TRUE(seen[k]) << op.name << ": divergence never occurs: " << op.divergence_list()[k].reason;
  }
}

TEST(Spec, LibraryNamesMapToRows) {
  for (const auto& op : ps::op_table()) {
    if (ps::library_has(op, Semantics::NumPy)) {
      EXPECT_EQ(ps::find_library_op(op.numpy_name), &op);
      EXPECT_TRUE(op.numpy_name.starts_with("numpy.")) << op.name;
    }
    if (ps::library_has(op, Semantics::PyTorch)) {
      // gelu_tanh is torch.nn.functional.gelu with approximate='tanh': the name alone is gelu's
      const ps::OpSpec* named = ps::find_library_op(op.torch_name);
      ASSERT_NE(named, nullptr) << op.name;
      EXPECT_EQ(named, op.torch_kwargs.empty() ? &op : &ps::op_spec(ps::OpId::Gelu)) << op.name;
      EXPECT_TRUE(named->torch_kwargs.empty()) << op.name;
      EXPECT_TRUE(op.torch_name.starts_with("torch.")) << op.name;
    }
    for (const ps::Refusal& r : op.refusal_list()) EXPECT_FALSE(r.py_class.empty()) << op.name;
  }
  EXPECT_EQ(ps::find_library_op("numpy.multiply")->id, ps::OpId::Mul);
  EXPECT_EQ(ps::find_library_op("numpy.erf"), nullptr);  // NumPy 1.24 has no erf
  EXPECT_EQ(ps::find_library_op(""), nullptr);           // not the name of every op some library lacks
}

// An op one library lacks says so three ways that must agree: the empty name, a NumpyLacks /
// TorchLacks divergence, and (NumPy) the formula its goldens and the array engine compute; the
// golden name is the qualified name where the library has the op. That the names are the
// libraries' own (np.erf does not exist, torch.erf does) is tests/library_names_test.sh's job.
TEST(Spec, OpsOneLibraryLacks) {
  for (const auto& op : ps::op_table()) {
    for (Semantics s : {Semantics::NumPy, Semantics::PyTorch}) {
      const ps::DivergenceKind lacks =
          s == Semantics::NumPy ? ps::DivergenceKind::NumpyLacks : ps::DivergenceKind::TorchLacks;
      int rows = 0;
      for (const ps::Divergence& d : op.divergence_list()) rows += d.kind == lacks;
      EXPECT_EQ(rows, ps::library_has(op, s) ? 0 : 1) << op.name << " " << ps::semantics_name(s);
    }
    EXPECT_EQ(op.numpy_formula.empty(), ps::library_has(op, Semantics::NumPy)) << op.name;
    if (ps::library_has(op, Semantics::NumPy)) {
      EXPECT_EQ(ps::golden_name(op, Semantics::NumPy), op.numpy_name);
    } else {
      EXPECT_EQ(ps::golden_name(op, Semantics::NumPy), op.numpy_formula);
    }
    EXPECT_EQ(ps::golden_name(op, Semantics::PyTorch), op.torch_name) << op.name;
  }
  // Measured: np.erf is an AttributeError (scipy.special.erf stands in), torch.cbrt and
  // torch.special.cbrt too; np.cbrt and torch.erf exist.
  const ps::OpSpec& erf = ps::op_spec(ps::OpId::Erf);
  EXPECT_FALSE(ps::library_has(erf, Semantics::NumPy));
  EXPECT_EQ(erf.numpy_formula, "scipy.special.erf(x)");
  EXPECT_EQ(erf.torch_name, "torch.erf");
  const ps::OpSpec& cbrt = ps::op_spec(ps::OpId::Cbrt);
  EXPECT_FALSE(ps::library_has(cbrt, Semantics::PyTorch));
  EXPECT_EQ(cbrt.numpy_name, "numpy.cbrt");
}

// Result dtypes of the ops one library lacks and of the composites, as the libraries give them
// (NumPy 1.24.2 under NEP 50, SciPy 1.10.1, PyTorch 1.13.1): scipy.special.erf(np.ones(3,
// np.int8)).dtype is float32, of float16 float32, of int32 float64; torch.erf of int32 float32;
// np.cbrt of int8 float16; np.maximum(np.ones(3, bool), 0) int64, of uint8 uint8;
// 1 / (1 + np.exp(-np.ones(3, np.uint8))) float16, of int16 float32; torch.sigmoid of int8 float32.
TEST(Spec, LackingAndCompositeDtypes) {
  auto rd = [](ps::OpId op, Semantics s, DType d) {
    const ps::Operand in[] = {{d, false}};
    return ps::result_dtype(op, s, in);
  };
  EXPECT_EQ(rd(ps::OpId::Erf, Semantics::NumPy, DType::Int8), DType::Float32);
  EXPECT_EQ(rd(ps::OpId::Erf, Semantics::NumPy, DType::Bool), DType::Float32);
  EXPECT_EQ(rd(ps::OpId::Erf, Semantics::NumPy, DType::Float16), DType::Float32);
  EXPECT_EQ(rd(ps::OpId::Erf, Semantics::NumPy, DType::Int32), DType::Float64);
  EXPECT_EQ(rd(ps::OpId::Erf, Semantics::PyTorch, DType::Int32), DType::Float32);
  EXPECT_EQ(rd(ps::OpId::Cbrt, Semantics::NumPy, DType::Int8), DType::Float16);
  EXPECT_EQ(rd(ps::OpId::Cbrt, Semantics::PyTorch, DType::Int8), DType::Float32);
  EXPECT_EQ(rd(ps::OpId::Relu, Semantics::NumPy, DType::Bool), DType::Int64);
  EXPECT_EQ(rd(ps::OpId::Relu, Semantics::NumPy, DType::UInt8), DType::UInt8);
  EXPECT_EQ(rd(ps::OpId::Relu, Semantics::PyTorch, DType::Int16), DType::Int16);
  EXPECT_EQ(rd(ps::OpId::Sigmoid, Semantics::NumPy, DType::UInt8), DType::Float16);
  EXPECT_EQ(rd(ps::OpId::Sigmoid, Semantics::NumPy, DType::Int16), DType::Float32);
  EXPECT_EQ(rd(ps::OpId::Sigmoid, Semantics::PyTorch, DType::Int8), DType::Float32);
  // np.where(x > 20, x, np.log1p(np.exp(x))) of np.array([True]) is float16, F.softplus of int8
  // RuntimeError: "softplus_cpu" not implemented for 'Char'
  EXPECT_EQ(rd(ps::OpId::Softplus, Semantics::NumPy, DType::Bool), DType::Float16);
  EXPECT_EQ(refusal_of(ps::OpId::Softplus, Semantics::PyTorch, {{DType::Int8}}),
            (Err{"RuntimeError", "\"softplus_cpu\" not implemented for 'Char'"}));
  // torch.relu(torch.ones(3, dtype=torch.bool)): RuntimeError: Boolean inputs not supported for relu;
  // F.silu of int32: RuntimeError: "silu_cpu" not implemented for 'Int'; the formula of a bool
  // array: TypeError from np.negative.
  EXPECT_EQ(refusal_of(ps::OpId::Relu, Semantics::PyTorch, {{DType::Bool}}),
            (Err{"RuntimeError", "Boolean inputs not supported for relu"}));
  EXPECT_EQ(refusal_of(ps::OpId::Silu, Semantics::PyTorch, {{DType::Int32}}),
            (Err{"RuntimeError", "\"silu_cpu\" not implemented for 'Int'"}));
  EXPECT_EQ(refusal_of(ps::OpId::Sigmoid, Semantics::NumPy, {{DType::Bool}}).first, "TypeError");
  EXPECT_EQ(refusal_of(ps::OpId::Sigmoid, Semantics::PyTorch, {{DType::Bool}}).second, "no error");
}

// A cast's result is its dtype parameter; without one the rule has no answer, and PyTorch has
// no uint16 to cast to.
TEST(Spec, CastResultIsTheDTypeParameter) {
  ps::Params p;
  p.dtype = DType::Float16;
  const std::vector<ps::Operand> in{{DType::Int32, false}};
  EXPECT_EQ(ps::result_dtype(ps::OpId::Astype, Semantics::NumPy, in, ps::Backend::Cpu, p), DType::Float16);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Astype, Semantics::PyTorch, in, ps::Backend::Cuda, p), DType::Float16);
  EXPECT_THROW(ps::result_dtype(ps::OpId::Astype, Semantics::NumPy, in), parity::ValueError);
  p.dtype = DType::UInt16;
  EXPECT_EQ(ps::result_dtype(ps::OpId::Astype, Semantics::NumPy, in, ps::Backend::Cpu, p), DType::UInt16);
  EXPECT_THROW(ps::result_dtype(ps::OpId::Astype, Semantics::PyTorch, in, ps::Backend::Cpu, p), parity::TypeError);
  EXPECT_TRUE(ps::op_spec(ps::OpId::Astype).casts());
  EXPECT_FALSE(ps::op_spec(ps::OpId::Add).casts());
  // A cast row is exactly one with a dtype parameter, and both libraries' rule is the cast's.
  for (const ps::OpSpec& op : ps::op_table()) {
    int dtype_params = 0;
    for (const ps::ParamSpec& q : op.param_list()) dtype_params += q.kind == ps::ParamKind::DType;
    EXPECT_EQ(dtype_params, op.casts() ? 1 : 0) << op.name;
    EXPECT_EQ(op.torch_result == ps::Promotion::DTypeParam, op.casts()) << op.name;
  }
}

// The cast rules, on values whose libraries' results differ (tensor_test and array_test hold
// those results): out of range after truncation toward zero, and double rounding to float16.
TEST(Spec, CastRulesPerElement) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(ps::where_holds(ps::Where::CastOutOfRange, DType::UInt8, 0x1p32 + 5, 0));
  EXPECT_TRUE(ps::where_holds(ps::Where::CastOutOfRange, DType::UInt8, -1.0, 0));
  EXPECT_FALSE(ps::where_holds(ps::Where::CastOutOfRange, DType::UInt8, -0.9, 0));  // truncates to 0
  EXPECT_FALSE(ps::where_holds(ps::Where::CastOutOfRange, DType::UInt8, 255.9, 0));
  EXPECT_TRUE(ps::where_holds(ps::Where::CastOutOfRange, DType::Int8, 128.0, 0));
  EXPECT_TRUE(ps::where_holds(ps::Where::CastOutOfRange, DType::Int32, nan, 0));
  EXPECT_TRUE(ps::where_holds(ps::Where::CastOutOfRange, DType::Int64, inf, 0));
  EXPECT_TRUE(ps::where_holds(ps::Where::CastOutOfRange, DType::Int64, 0x1p63, 0));
  EXPECT_FALSE(ps::where_holds(ps::Where::CastOutOfRange, DType::Int64, -0x1p63, 0));
  EXPECT_FALSE(ps::where_holds(ps::Where::CastOutOfRange, DType::Bool, nan, 0));
  EXPECT_FALSE(ps::where_holds(ps::Where::CastOutOfRange, DType::Float16, 1e10, 0));
  EXPECT_TRUE(ps::where_holds(ps::Where::CastRoundsTwice, DType::Float16, 1 + 0x1p-11 + 0x1p-40, 0));
  EXPECT_FALSE(ps::where_holds(ps::Where::CastRoundsTwice, DType::Float16, 1 + 0x1p-11, 0));  // a tie, either way
  EXPECT_FALSE(ps::where_holds(ps::Where::CastRoundsTwice, DType::Float32, 1 + 0x1p-11 + 0x1p-40, 0));
  EXPECT_FALSE(ps::where_holds(ps::Where::CastRoundsTwice, DType::Float16, nan, 0));
}

// The per-element conditions, on values written down by hand, and their broadcasting.
TEST(Spec, WhereHoldsPerElement) {
  EXPECT_TRUE(ps::where_holds(ps::Where::ShiftOutOfRange, DType::Int8, 1, 8));
  EXPECT_FALSE(ps::where_holds(ps::Where::ShiftOutOfRange, DType::Int8, 1, 7));
  EXPECT_TRUE(ps::where_holds(ps::Where::ShiftOutOfRange, DType::Int8, 1, -1));
  EXPECT_FALSE(ps::where_holds(ps::Where::ShiftOutOfRange, DType::Int64, 1, 63));
  EXPECT_TRUE(ps::where_holds(ps::Where::ShiftOutOfRange, DType::Int64, 1, 64));
  EXPECT_TRUE(ps::where_holds(ps::Where::ZeroOperand1, DType::Int32, 5, 0));
  EXPECT_TRUE(ps::where_holds(ps::Where::ZeroOperand1, DType::Float32, 5, -0.0));
  EXPECT_FALSE(ps::where_holds(ps::Where::ZeroOperand1, DType::Int32, 0, 1));
  EXPECT_TRUE(ps::where_holds(ps::Where::NegativeOperand1, DType::Int32, 2, -1));
  EXPECT_FALSE(ps::where_holds(ps::Where::NegativeOperand1, DType::Int32, -2, 0));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(ps::where_holds(ps::Where::NaNOperand, DType::Float32, 1, nan));
  EXPECT_TRUE(ps::where_holds(ps::Where::NaNOperand, DType::Float32, nan, 1));
  EXPECT_FALSE(ps::where_holds(ps::Where::NaNOperand, DType::Float32, 1, 2));
  EXPECT_TRUE(ps::where_holds(ps::Where::Always, DType::Bool, 0, 0));

  // x0 of shape (2, 3), x1 of shape (3,) broadcast over the rows: divisor 0 in columns 0, 2.
  const std::vector<double> x0{1, 2, 3, 4, 5, 6}, x1{0, 1, 0};
  const ps::ElementValues ev[] = {{&x0, {2, 3}}, {&x1, {3}}};
  const std::vector<bool> want{true, false, true, true, false, true};
  EXPECT_EQ(ps::where_mask(ps::Where::ZeroOperand1, DType::Int32, {2, 3}, ev), want);
  // x1 of shape (2, 1): one divisor per row.
  const std::vector<double> col{0, 3};
  const ps::ElementValues ev2[] = {{&x0, {2, 3}}, {&col, {2, 1}}};
  const std::vector<bool> rows{true, true, true, false, false, false};
  EXPECT_EQ(ps::where_mask(ps::Where::ZeroOperand1, DType::Int32, {2, 3}, ev2), rows);
  EXPECT_FALSE(ps::where_any(ps::Where::NegativeOperand1, DType::Int32, {2, 3}, ev2));
  // A shape that does not broadcast is an error, not a wrong mask.
  const ps::ElementValues bad[] = {{&x0, {2, 3}}, {&col, {2}}};
  EXPECT_THROW(ps::where_mask(ps::Where::ZeroOperand1, DType::Int32, {2, 3}, bad), parity::ValueError);
}

// NumPy 1.24.2 (NEP 50) and PyTorch 1.13.1: np.arctan2(np.ones(3, np.uint8), np.ones(3,
// np.int8)).dtype is float16, of (int16, uint8) float32, of (int32, float16) float64;
// np.hypot(np.ones(3, np.uint64), np.ones(3, np.int64)).dtype float64; torch.atan2 of two
// int32 tensors float32, of int64 with bfloat16 bfloat16; np.left_shift(np.ones(3, bool),
// np.ones(3, np.uint8)).dtype uint8, of np.int32 with a 0-d np.int64 int64, torch's int32.
TEST(Spec, BinaryToFloatAndShiftDtypes) {
  auto rd = [](ps::OpId op, Semantics s, std::initializer_list<ps::Operand> in) {
    return ps::result_dtype(op, s, std::span<const ps::Operand>(in.begin(), in.size()));
  };
  EXPECT_EQ(rd(ps::OpId::Atan2, Semantics::NumPy, {{DType::UInt8}, {DType::Int8}}), DType::Float16);
  EXPECT_EQ(rd(ps::OpId::Atan2, Semantics::NumPy, {{DType::Int16}, {DType::UInt8}}), DType::Float32);
  EXPECT_EQ(rd(ps::OpId::Atan2, Semantics::NumPy, {{DType::Int32}, {DType::Float16}}), DType::Float64);
  EXPECT_EQ(rd(ps::OpId::Hypot, Semantics::NumPy, {{DType::UInt64}, {DType::Int64}}), DType::Float64);
  EXPECT_EQ(rd(ps::OpId::Atan2, Semantics::PyTorch, {{DType::Int32}, {DType::Int32}}), DType::Float32);
  EXPECT_EQ(rd(ps::OpId::Atan2, Semantics::PyTorch, {{DType::Int64}, {DType::BFloat16}}), DType::BFloat16);
  EXPECT_EQ(rd(ps::OpId::LeftShift, Semantics::NumPy, {{DType::Bool}, {DType::UInt8}}), DType::UInt8);
  EXPECT_EQ(rd(ps::OpId::LeftShift, Semantics::NumPy, {{DType::Bool}, {DType::Bool}}), DType::Int8);
  EXPECT_EQ(rd(ps::OpId::LeftShift, Semantics::NumPy, {{DType::Int32}, {DType::Int64, true}}), DType::Int64);
  EXPECT_EQ(rd(ps::OpId::LeftShift, Semantics::PyTorch, {{DType::Int32}, {DType::Int64, true}}), DType::Int32);
}

// Refusals of the promoted dtype, named as the library names it: torch.bitwise_and(torch.ones(3,
// dtype=torch.int32), torch.tensor(1.0, dtype=torch.float64)): "bitwise_and_cpu" not implemented
// for 'Double'; torch.hypot(torch.ones(3, dtype=torch.bool), torch.ones(3, dtype=torch.int8)):
// "hypot_cpu" ... 'Char'; np.bitwise_and(np.ones(3, np.uint64), np.ones(3, np.int64)): TypeError
// (they promote to float64); of uint64 with uint8 it computes (uint64).
TEST(Spec, RefusalsOfThePromotedDtype) {
  EXPECT_EQ(refusal_of(ps::OpId::BitwiseAnd, Semantics::PyTorch, {{DType::Int32}, {DType::Float64, true}}),
            (Err{"RuntimeError", "\"bitwise_and_cpu\" not implemented for 'Double'"}));
  EXPECT_EQ(refusal_of(ps::OpId::Hypot, Semantics::PyTorch, {{DType::Bool}, {DType::Int8}}),
            (Err{"RuntimeError", "\"hypot_cpu\" not implemented for 'Char'"}));
  EXPECT_EQ(refusal_of(ps::OpId::BitwiseAnd, Semantics::NumPy, {{DType::UInt64}, {DType::Int64}}).first, "TypeError");
  EXPECT_EQ(refusal_of(ps::OpId::BitwiseAnd, Semantics::NumPy, {{DType::UInt64}, {DType::UInt8}}).second, "no error");
}

// The ops whose result is bool compute in a dtype of their own, each library by its rule
// (NumPy 1.24.2 under NEP 50, PyTorch 1.13.1): np.less(np.ones(3, np.int64), np.ones(3,
// np.float32)) compares in float64 (np.less.types has 'dd->?', not 'qf->?'), torch.lt in
// float32; np.isnan(np.ones(3, np.float16)) tests float16 ('e->?'), and np.signbit of int8 goes
// through float16 (np.signbit.types is ['e->?', 'f->?', 'd->?', 'g->?']) where torch.signbit
// reads int8; every result is bool.
TEST(Spec, BoolOpsComputeInTheirOwnDtype) {
  const ps::Operand mixed[] = {{DType::Int64, false}, {DType::Float32, false}};
  EXPECT_EQ(ps::compute_dtype(ps::OpId::Less, Semantics::NumPy, mixed), DType::Float64);
  EXPECT_EQ(ps::compute_dtype(ps::OpId::Less, Semantics::PyTorch, mixed), DType::Float32);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Less, Semantics::NumPy, mixed), DType::Bool);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Less, Semantics::PyTorch, mixed), DType::Bool);
  const ps::Operand half[] = {{DType::Float16, false}};
  EXPECT_EQ(ps::compute_dtype(ps::OpId::Isnan, Semantics::NumPy, half), DType::Float16);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Isnan, Semantics::NumPy, half), DType::Bool);
  const ps::Operand i8[] = {{DType::Int8, false}};
  EXPECT_EQ(ps::compute_dtype(ps::OpId::Signbit, Semantics::NumPy, i8), DType::Float16);
  EXPECT_EQ(ps::compute_dtype(ps::OpId::Signbit, Semantics::PyTorch, i8), DType::Int8);
  // The ops that are not bool compute in their result dtype.
  EXPECT_EQ(ps::compute_dtype(ps::OpId::Add, Semantics::NumPy, mixed), DType::Float64);
  EXPECT_EQ(ps::result_dtype(ps::OpId::Add, Semantics::NumPy, mixed), DType::Float64);
  // Where PyTorch's narrower compute dtype does not hold an operand (the values as NumPy
  // computes them): 16777217 in float32, -3 in uint8, 1e-300 in float32; NaN stays NaN.
  EXPECT_TRUE(ps::where_holds(ps::Where::OperandInexact, DType::Float32, 16777217.0, 0));
  EXPECT_FALSE(ps::where_holds(ps::Where::OperandInexact, DType::Float32, 16777216.0, 0.5));
  EXPECT_TRUE(ps::where_holds(ps::Where::OperandInexact, DType::UInt8, 1, -3));
  EXPECT_FALSE(ps::where_holds(ps::Where::OperandInexact, DType::UInt8, 255, 0));
  EXPECT_TRUE(ps::where_holds(ps::Where::OperandInexact, DType::Int8, 1, 256));
  EXPECT_TRUE(ps::where_holds(ps::Where::OperandInexact, DType::Float32, 1, 1e-300));
  EXPECT_TRUE(ps::where_holds(ps::Where::OperandInexact, DType::Float16, 2049, 1));
  EXPECT_FALSE(ps::where_holds(ps::Where::OperandInexact, DType::Float16, std::nan(""), -0.0));
  for (const auto& op : ps::op_table()) {
    if (op.output == ps::Output::Bool) {
      EXPECT_FALSE(op.differentiable) << op.name;  // a bool result
    }
    EXPECT_EQ(ps::result_rule_name(op, Semantics::NumPy).ends_with(" -> bool"), op.output == ps::Output::Bool)
        << op.name;
  }
}

// Three operands: np.where(np.ones(2, bool), np.ones((3, 1)), np.ones(4)): ValueError: operands
// could not be broadcast together with shapes (2,) (3,1) (4,) ; torch.where of the same:
// RuntimeError: The size of tensor a (2) must match the size of tensor b (4) at non-singleton
// dimension 1 (the shape so far, (3, 2), against the third); np.where(np.ones((2, 1), bool),
// np.ones(3), np.ones(())).shape -> (2, 3)
TEST(Spec, BroadcastsAnyNumberOfShapes) {
  const std::vector<ps::Shape> ok{{2, 1}, {3}, {}};
  EXPECT_EQ(ps::broadcast_shapes(Semantics::NumPy, ok), (ps::Shape{2, 3}));
  EXPECT_EQ(ps::broadcast_shapes(Semantics::PyTorch, ok), (ps::Shape{2, 3}));
  const std::vector<ps::Shape> bad{{2}, {3, 1}, {4}};
  try {
    ps::broadcast_shapes(Semantics::NumPy, bad);
    FAIL();
  } catch (const parity::ValueError& e) {
    EXPECT_STREQ(e.what(), "operands could not be broadcast together with shapes (2,) (3,1) (4,) ");
  }
  try {
    ps::broadcast_shapes(Semantics::PyTorch, bad);
    FAIL();
  } catch (const parity::ValueError& e) {
    EXPECT_STREQ(e.what(), "The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 1");
  }
}

// where's condition takes no part in the promotion: np.where(np.array([1.]), int8 array, int16
// array).dtype is int16 (not float64), torch.where(torch.tensor([1], dtype=torch.uint8), int8
// [1], int16 [1]) int16; PyTorch refuses a float condition. nan_to_num's defaults: nan 0,
// posinf and neginf the dtype's extremes (np.nan_to_num(np.array([np.inf, -np.inf],
// np.float16)) is [65504, -65504]).
TEST(Spec, ConditionsAndScalarParameters) {
  const ps::Operand w[] = {{DType::Float64, false}, {DType::Int8, false}, {DType::Int16, false}};
  EXPECT_EQ(ps::result_dtype(ps::OpId::Where, Semantics::NumPy, w), DType::Int16);
  EXPECT_THROW(ps::result_dtype(ps::OpId::Where, Semantics::PyTorch, w), parity::TypeError);
  const ps::Operand u[] = {{DType::UInt8, false}, {DType::Int8, false}, {DType::Int16, false}};
  EXPECT_EQ(ps::result_dtype(ps::OpId::Where, Semantics::PyTorch, u), DType::Int16);
  EXPECT_EQ(ps::operand_dtype(ps::OpId::Where, 0, DType::Int16), DType::Bool);
  EXPECT_EQ(ps::operand_dtype(ps::OpId::Where, 1, DType::Int16), DType::Int16);
  EXPECT_TRUE(ps::accepts(ps::OpId::Where, Semantics::PyTorch, DType::Float32));
  ps::Params p;
  EXPECT_EQ(ps::scalar_values(ps::OpId::NanToNum, p, DType::Float16), (std::array<double, 3>{0.0, 65504.0, -65504.0}));
  p.scalars[0] = 1.5;
  p.scalars[2] = -7.0;
  EXPECT_EQ(ps::scalar_values(ps::OpId::NanToNum, p, DType::Float64),
            (std::array<double, 3>{1.5, std::numeric_limits<double>::max(), -7.0}));
  const double tie[] = {1.0, -0.0, 0.0};
  EXPECT_TRUE(ps::where_holds(ps::Where::SignedZeroTie, DType::Float32, tie));
  const double no_tie[] = {-0.0, 1.0, -0.0};
  EXPECT_FALSE(ps::where_holds(ps::Where::SignedZeroTie, DType::Float32, no_tie));
}
