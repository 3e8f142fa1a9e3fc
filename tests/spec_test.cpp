#include <gtest/gtest.h>

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
      for (DType b : ps::kAllDTypes) EXPECT_EQ(ps::promote_types(s, a, b), ps::promote_types(s, b, a));
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
  ps::Operand ints[] = {{DType::Int32}, {DType::Int32}};
  EXPECT_THROW(ps::result_dtype(ps::OpId::Matmul, Semantics::PyTorch, ints), parity::TypeError);
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
  EXPECT_THROW(ps::result_shape(ps::OpId::Sum, Semantics::PyTorch, in, bad), parity::ValueError);
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
    EXPECT_FALSE(op.numpy_name.empty());
    EXPECT_FALSE(op.torch_name.empty());
  }
  EXPECT_THROW(ps::find_op("tanh"), parity::ValueError);
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
  EXPECT_EQ(message(Semantics::PyTorch, {3}, {4}),
            "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0.  "
            "Target sizes: [4].  Tensor sizes: [3]");
  // torch.ones(2,3).expand(4,3): the failing dim is counted in the target.
  EXPECT_EQ(message(Semantics::PyTorch, {2, 3}, {5, 4, 3}),
            "The expanded size of the tensor (4) must match the existing size (2) at non-singleton dimension 1.  "
            "Target sizes: [5, 4, 3].  Tensor sizes: [2, 3]");
  // np.broadcast_to(np.ones((2,3)), (3,))
  EXPECT_EQ(message(Semantics::NumPy, {2, 3}, {3}),
            "input operand has more dimensions than allowed by the axis remapping");
  EXPECT_EQ(message(Semantics::NumPy, {3, 1}, {2, 3, 4}), "no error");
}

// torch.ones(2,3) @ torch.ones(3,2, dtype=torch.float64) raises; np.matmul promotes to float64.
TEST(Spec, MatmulMixedDtypesDivergeByDesign) {
  ps::Operand mixed[] = {{DType::Float32}, {DType::Float64}};
  EXPECT_EQ(ps::result_dtype(ps::OpId::Matmul, Semantics::NumPy, mixed), DType::Float64);
  try {
    ps::result_dtype(ps::OpId::Matmul, Semantics::PyTorch, mixed);
    FAIL() << "PyTorch rule accepted mixed-dtype matmul";
  } catch (const parity::TypeError& e) {
    EXPECT_STREQ(e.what(), "expected mat1 and mat2 to have the same dtype, but got: float != double");
  }
  EXPECT_FALSE(ps::op_spec(ps::OpId::Matmul).divergence.empty());
}
