// The tensor engine's autograd: gradients against hand-derived formulas, PyTorch's rules
// (accumulation, no_grad, detach, version checks, leaf in-place errors), and a central
// finite-difference check in float64 for every differentiable op.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "engine/spec/error.h"
#include "engine/tensor/tensor.h"
#include "tests/test_util.h"

namespace parity::tensor {
namespace {

using spec::DType;

Tensor f64(const Shape& s, std::vector<double> v) {
  return Tensor::from_values<double>(s, std::span<const double>(v.data(), v.size()));
}
Tensor f32(const Shape& s, std::vector<float> v) {
  return Tensor::from_values<float>(s, std::span<const float>(v.data(), v.size()));
}
Tensor leaf(const Shape& s, std::vector<double> v) {
  Tensor t = f64(s, std::move(v));
  t.requires_grad_();
  return t;
}
std::vector<double> V(const Tensor& t) { return t.to_doubles(); }

using parity::testing::expect_error;

void expect_near(const std::vector<double>& got, const std::vector<double>& want, double tol = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

// ---- hand-derived gradients ----------------------------------------------------------------

TEST(Autograd, SumOfMulPlusExp) {
  // d/dx sum(x*y + exp(x)) = y + exp(x); d/dy = x
  Tensor x = leaf({3}, {0, 1, -1}), y = leaf({3}, {2, 3, 4});
  Tensor loss = sum(x * y + exp(x));
  EXPECT_EQ(loss.grad_fn_name(), "SumBackward0");
  loss.backward();
  const double e = 2.718281828459045;
  expect_near(V(x.grad()), {2 + 1, 3 + e, 4 + 1 / e}, 1e-14);
  expect_near(V(y.grad()), {0, 1, -1});
  EXPECT_EQ(x.grad().sizes(), x.sizes());
  EXPECT_TRUE(x.is_leaf());
  EXPECT_FALSE(loss.is_leaf());
}

TEST(Autograd, GradFnNames) {
  Tensor x = leaf({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor w = leaf({3, 2}, {1, 1, 1, 1, 1, 1});
  const std::int64_t d0[] = {0};
  const int perm[] = {1, 0};
  // The names PyTorch prints as grad_fn for the same expressions.
  EXPECT_EQ((x + x).grad_fn_name(), "AddBackward0");
  EXPECT_EQ((x * x).grad_fn_name(), "MulBackward0");
  EXPECT_EQ(neg(x).grad_fn_name(), "NegBackward0");
  EXPECT_EQ(exp(x).grad_fn_name(), "ExpBackward0");
  EXPECT_EQ(sum(x).grad_fn_name(), "SumBackward0");
  EXPECT_EQ(sum(x, d0).grad_fn_name(), "SumBackward1");
  EXPECT_EQ(matmul(x, w).grad_fn_name(), "MmBackward0");
  EXPECT_EQ(x.transpose(0, 1).grad_fn_name(), "TransposeBackward0");
  EXPECT_EQ(x.t().grad_fn_name(), "TBackward0");
  EXPECT_EQ(x.permute(perm).grad_fn_name(), "PermuteBackward0");
  EXPECT_EQ(x.reshape({6}).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(x.t().reshape({6}).grad_fn_name(), "UnsafeViewBackward0");
  EXPECT_EQ(x.slice(0, 1, 2).expand({4, 3}).grad_fn_name(), "ExpandBackward0");
  EXPECT_EQ(x.slice(1, 0, 2).grad_fn_name(), "SliceBackward0");
  EXPECT_EQ(x.clone().grad_fn_name(), "CloneBackward0");
  EXPECT_EQ(x.t().contiguous().grad_fn_name(), "CloneBackward0");
  EXPECT_EQ(x.to(DType::Float32).grad_fn_name(), "ToCopyBackward0");
  EXPECT_EQ(x.grad_fn_name(), "");
}

TEST(Autograd, BroadcastGradientsTakeInputShapes) {
  // loss = sum(x*b + c + s), x (2,3), b (3,), c (2,1), s 0-d
  Tensor x = leaf({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor b = leaf({3}, {1, 1, 1});
  Tensor c = leaf({2, 1}, {0, 0});
  Tensor s = leaf({}, {0});
  sum(x * b + c + s).backward();
  EXPECT_EQ(b.grad().sizes(), (Shape{3}));
  EXPECT_EQ(c.grad().sizes(), (Shape{2, 1}));
  EXPECT_EQ(s.grad().sizes(), (Shape{}));
  expect_near(V(x.grad()), {1, 1, 1, 1, 1, 1});  // = b
  expect_near(V(b.grad()), {3, 5, 7});           // column sums of x
  expect_near(V(c.grad()), {3, 3});              // three elements per row
  expect_near(V(s.grad()), {6});                 // every element
}

TEST(Autograd, GradientsTakeInputDtypes) {
  // float32 leaf + float64 leaf -> float64 result; each grad keeps its leaf's dtype.
  Tensor a = f32({2}, {1, 2});
  a.requires_grad_();
  Tensor d = leaf({2}, {3, 4});
  Tensor r = a * d;
  EXPECT_EQ(r.dtype(), DType::Float64);
  sum(r).backward();
  EXPECT_EQ(a.grad().dtype(), DType::Float32);
  EXPECT_EQ(d.grad().dtype(), DType::Float64);
  expect_near(V(a.grad()), {3, 4});
  expect_near(V(d.grad()), {1, 2});
  // to(dtype) converts the gradient back: d/dx sum(x.to(f64) * [2, 3]) = [2, 3] as float32
  Tensor x = f32({2}, {5, 6});
  x.requires_grad_();
  sum(x.to(DType::Float64) * f64({2}, {2, 3})).backward();
  EXPECT_EQ(x.grad().dtype(), DType::Float32);
  expect_near(V(x.grad()), {2, 3});
  // A non-float result carries no history (torch: x.to(torch.int32).requires_grad is False)
  EXPECT_FALSE(x.to(DType::Int32).requires_grad());
}

TEST(Autograd, AccumulatesAcrossCalls) {
  Tensor x = leaf({2}, {1, 2});
  // d/dx sum(x*x) = 2x, twice -> 4x
  sum(x * x).backward();
  expect_near(V(x.grad()), {2, 4});
  Tensor g1 = x.grad();
  sum(x * x).backward();
  expect_near(V(x.grad()), {4, 8});
  expect_near(V(g1), {4, 8});  // accumulated in place, as PyTorch's AccumulateGrad
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
  sum(x * x).backward();
  expect_near(V(x.grad()), {2, 4});
}

// PyTorch 1.13:
//   l = torch.exp(x).sum(); l.backward(); l.backward()  -> RuntimeError: Trying to backward
//     through the graph a second time (or directly access saved tensors after they have already
//     been freed). ...
//   s = (x + 1).sum(); s.backward(); s.backward()       -> fine (no node saved a tensor)
//   z = (a * a).sum(); z.backward(retain_graph=True); z.backward(); a.grad -> [4., 8.] for a = [1., 2.]
constexpr const char* kFreed = "Trying to backward through the graph a second time (or directly access saved "
                               "tensors after they have already been freed)";

TEST(Autograd, BackwardFreesTheGraph) {
  Tensor x = leaf({2}, {1, 2});
  Tensor loss = sum(exp(x));
  loss.backward();
  expect_error<RuntimeError>([&] { loss.backward(); }, kFreed);
  const double e = 2.718281828459045;
  expect_near(V(x.grad()), {e, e * e}, 1e-13);  // the failed second pass added nothing

  Tensor y = leaf({2}, {1, 2});
  Tensor s = sum(y + Tensor::ones({2}, DType::Float64));
  s.backward();
  s.backward();  // add and sum save no tensor: nothing to free
  expect_near(V(y.grad()), {2, 2});
}

TEST(Autograd, RetainGraphAllowsAnotherBackward) {
  Tensor a = leaf({2}, {1, 2});
  Tensor z = sum(a * a);
  z.backward(Tensor(), /*retain_graph=*/true);
  z.backward();
  expect_near(V(a.grad()), {4, 8});
  expect_error<RuntimeError>([&] { z.backward(); }, kFreed);
}

// torch.autograd.grad, PyTorch 1.13, a = [1., 2.] requiring grad, b = [3., 4.] not, c = [3., 4.] requiring grad:
//   grad((a*a).sum(), [a])                     -> (tensor([2., 4.]),), a.grad stays None
//   grad((a*a).sum(), [b])                     -> RuntimeError: One of the differentiated Tensors does not require grad
//   grad((a*a).sum(), [c])                     -> RuntimeError: One of the differentiated Tensors appears to not have
//                                                 been used in the graph. Set allow_unused=True if this is the desired behavior.
//   grad((a*a).sum(), [a, c], allow_unused=True) -> (tensor([2., 4.]), None)
//   grad(a*a, [a])                             -> RuntimeError: grad can be implicitly created only for scalar outputs
//   grad([(a*a).sum(), a.sum()], [a], [torch.ones(())]) -> RuntimeError: got 2 tensors and 1 gradients
//   m = a * 3; grad((m*m).sum(), [m, a])       -> (tensor([ 6., 12.]), tensor([18., 36.]))
//   grad([(a*a).sum(), (a*a*a).sum()], [a])    -> (tensor([ 5., 16.]),)
TEST(Autograd, GradReturnsWithoutAccumulating) {
  Tensor a = leaf({2}, {1, 2});
  Tensor b = f64({2}, {3, 4});
  Tensor c = leaf({2}, {3, 4});
  std::vector<Tensor> g = grad(std::array{sum(a * a)}, std::array{a});
  ASSERT_EQ(g.size(), 1u);
  expect_near(V(g[0]), {2, 4});
  EXPECT_FALSE(a.grad().defined());

  expect_error<RuntimeError>([&] { grad(std::array{sum(a * a)}, std::array{b}); },
                             "One of the differentiated Tensors does not require grad");
  expect_error<RuntimeError>([&] { grad(std::array{sum(a * a)}, std::array{c}); },
                             "One of the differentiated Tensors appears to not have been used in the graph. Set "
                             "allow_unused=True if this is the desired behavior.");
  g = grad(std::array{sum(a * a)}, std::array{a, c}, {}, false, /*allow_unused=*/true);
  ASSERT_EQ(g.size(), 2u);
  expect_near(V(g[0]), {2, 4});
  EXPECT_FALSE(g[1].defined());
  expect_error<RuntimeError>([&] { grad(std::array{a * a}, std::array{a}); },
                             "grad can be implicitly created only for scalar outputs");
  expect_error<RuntimeError>(
      [&] { grad(std::array{sum(a * a), sum(a)}, std::array{a}, std::array{Tensor::ones({}, DType::Float64)}); },
      "got 2 tensors and 1 gradients");

  // A non-leaf input: the gradient reaching it; and several outputs, summed.
  Tensor m = a * f64({}, {3});
  g = grad(std::array{sum(m * m)}, std::array{m, a});
  expect_near(V(g[0]), {6, 12});
  expect_near(V(g[1]), {18, 36});
  g = grad(std::array{sum(a * a), sum(a * a * a)}, std::array{a});
  expect_near(V(g[0]), {5, 16});
  EXPECT_FALSE(a.grad().defined());
  EXPECT_FALSE(c.grad().defined());
}

// grad frees what it ran, as backward does; with retain_graph it does not. Only the nodes
// leading to an input run (PyTorch 1.13: l = (p.exp() + q).sum(); grad(l, [q]); l.backward()
// works and gives p.grad = exp(p): the exp node never ran; with (p.exp() * q).sum() the
// backward fails, as mul ran and freed exp(p) and q).
TEST(Autograd, GradFreesWhatItRan) {
  Tensor a = leaf({2}, {0, 1});
  Tensor y = sum(exp(a));
  grad(std::array{y}, std::array{a}, {}, /*retain_graph=*/true);
  expect_near(V(grad(std::array{y}, std::array{a})[0]), {1, 2.718281828459045}, 1e-13);
  expect_error<RuntimeError>([&] { grad(std::array{y}, std::array{a}); }, kFreed);

  Tensor p = leaf({2}, {0, 1}), q = leaf({2}, {2, 3});
  Tensor added = sum(exp(p) + q);
  expect_near(V(grad(std::array{added}, std::array{q})[0]), {1, 1});
  added.backward();
  expect_near(V(p.grad()), {1, 2.718281828459045}, 1e-13);
  p.zero_grad();
  Tensor product = sum(exp(p) * q);
  expect_near(V(grad(std::array{product}, std::array{q})[0]), {1, 2.718281828459045}, 1e-13);
  expect_error<RuntimeError>([&] { product.backward(); }, kFreed);
}

// A graph a million nodes deep is freed without recursion (PyTorch deletes its nodes
// iteratively too); before, the nested shared_ptr destructors overflowed the stack.
TEST(Autograd, MillionNodeChainIsFreed) {
  Tensor x = leaf({1}, {1});
  {
    Tensor y = x;
    for (int i = 0; i < 1000000; ++i) y = -y;
    EXPECT_EQ(y.grad_fn_name(), "NegBackward0");
  }  // the chain goes out of scope here
  Tensor y = x;
  for (int i = 0; i < 1000000; ++i) y = -y;
  sum(y).backward();
  expect_near(V(x.grad()), {1});  // an even number of negations
}

TEST(Autograd, SharedSubexpressions) {
  // z = y + y with y = x*x: dz/dx = 4x; the leaf used twice in y gets one summed gradient.
  Tensor x = leaf({2}, {1, 2});
  Tensor y = x * x;
  sum(y + y).backward();
  expect_near(V(x.grad()), {4, 8});
}

TEST(Autograd, NoGrad) {
  Tensor x = leaf({2}, {1, 2});
  EXPECT_TRUE(grad_enabled());
  {
    NoGradGuard guard;
    EXPECT_FALSE(grad_enabled());
    Tensor y = x * x;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_leaf());
    EXPECT_EQ(y.grad_fn_name(), "");
    {
      NoGradGuard inner;
      EXPECT_FALSE(grad_enabled());
    }
    EXPECT_FALSE(grad_enabled());
    // An optimizer-style update of a leaf is allowed without grad mode.
    const std::uint64_t v = x.version();
    x.add_(f64({2}, {10, 10}));
    EXPECT_EQ(x.version(), v + 1);
  }
  EXPECT_TRUE(grad_enabled());
  EXPECT_TRUE((x * x).requires_grad());
  expect_near(V(x), {11, 12});
}

TEST(Autograd, Detach) {
  Tensor x = leaf({3}, {1, 2, 3});
  Tensor d = x.detach();
  EXPECT_EQ(d.storage(), x.storage());
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
  // d is a constant: d/dx sum(d * x) = d = x
  sum(d * x).backward();
  expect_near(V(x.grad()), {1, 2, 3});
  // Same storage, same version counter: a write through d shows in x.
  d.fill_(0);
  expect_near(V(x), {0, 0, 0});
  EXPECT_EQ(x.version(), d.version());
}

TEST(Autograd, InPlaceOnSavedTensorIsCaught) {
  Tensor x = leaf({3}, {0, 1, 2});
  Tensor y = exp(x);  // ExpBackward0 saves its result
  y.add_(f64({3}, {1, 1, 1}));
  expect_error<RuntimeError>([&] { sum(y).backward(); },
                             "one of the variables needed for gradient computation has been modified "
                             "by an inplace operation: [torch.DoubleTensor [3]], which is output 0 of "
                             "ExpBackward0, is at version 1; expected version 0 instead.");
  // A constant saved by MulBackward0 for x's gradient, modified afterwards.
  Tensor c = f64({3}, {1, 2, 3});
  Tensor z = x * c;
  c.add_(f64({3}, {1, 1, 1}));
  expect_error<RuntimeError>([&] { sum(z).backward(); },
                             "[torch.DoubleTensor [3]] is at version 1; expected version 0 instead.");
  // x itself is not saved when c needs no gradient (as PyTorch), so writing x is fine.
  Tensor w = x * c;
  {
    NoGradGuard guard;
    x.add_(f64({3}, {5, 5, 5}));
  }
  sum(w).backward();
  expect_near(V(x.grad()), {2, 3, 4});
}

TEST(Autograd, InPlaceOnLeafIsAnError) {
  Tensor x = leaf({3}, {1, 2, 3});
  const std::string msg = "a leaf Variable that requires grad is being used in an in-place operation.";
  expect_error<RuntimeError>([&] { x.add_(f64({3}, {1, 1, 1})); }, msg);
  expect_error<RuntimeError>([&] { x.fill_(0); }, msg);
  expect_error<RuntimeError>([&] { x.copy_(f64({3}, {0, 0, 0})); }, msg);
  expect_error<RuntimeError>(
      [&] { x.slice(0, 0, 1).fill_(0); },
      "a view of a leaf Variable that requires grad is being used in an in-place operation.");
  // A leaf that does not require grad may be written, even with a grad-requiring operand.
  Tensor buf = Tensor::zeros({3}, DType::Float64);
  buf.add_(x);
  EXPECT_FALSE(buf.is_leaf());
  EXPECT_EQ(buf.grad_fn_name(), "AddBackward0");
  expect_near(V(x), {1, 2, 3});  // the failed calls left x unchanged
}

TEST(Autograd, InPlaceRebasesHistory) {
  Tensor x = leaf({3}, {1, 2, 3}), z = leaf({3}, {4, 5, 6});
  Tensor y = x * f64({3}, {2, 2, 2});
  y.add_(z);  // y = 2x + z
  EXPECT_EQ(y.grad_fn_name(), "AddBackward0");
  sum(y * y).backward();  // d/dx = 2y * 2, d/dz = 2y with y = [6, 9, 12]
  expect_near(V(x.grad()), {24, 36, 48});
  expect_near(V(z.grad()), {12, 18, 24});

  // fill_ and copy_ overwrite: the old history gets zeros, copy_'s source gets the gradient.
  Tensor a = leaf({3}, {1, 2, 3}), v = leaf({1}, {7});
  Tensor f = a * a;
  f.fill_(1);
  EXPECT_EQ(f.grad_fn_name(), "FillBackward0");
  sum(f).backward();
  expect_near(V(a.grad()), {0, 0, 0});
  a.zero_grad();
  Tensor c = a * a;
  c.copy_(v);  // broadcast (1,) -> (3,)
  EXPECT_EQ(c.grad_fn_name(), "CopyBackwards");
  sum(c).backward();
  expect_near(V(a.grad()), {0, 0, 0});
  expect_near(V(v.grad()), {3});
  // Writing through a view of a tensor in a graph is refused rather than mis-differentiated.
  Tensor g = a * a;
  expect_error<RuntimeError>([&] { g.slice(0, 0, 1).fill_(0); }, "not supported");
}

TEST(Autograd, BackwardArguments) {
  Tensor x = leaf({3}, {1, 2, 3});
  Tensor y = x * f64({3}, {2, 2, 2});
  expect_error<RuntimeError>([&] { y.backward(); }, "grad can be implicitly created only for scalar outputs");
  expect_error<RuntimeError>(
      [&] {
        y.backward(f64({2}, {1, 1}));
      },
      "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and "
      "output[0] has a shape of torch.Size([3]).");
  y.backward(f64({3}, {1, 2, 3}));
  expect_near(V(x.grad()), {2, 4, 6});
  expect_error<RuntimeError>([] { Tensor::ones({1}, DType::Float64).backward(); },
                             "element 0 of tensors does not require grad and does not have a grad_fn");
  // One element but not 0-d: the implicit gradient is 1.
  const std::int64_t d0[] = {0};
  Tensor u = leaf({2}, {1, 2});
  sum(u, d0, true).backward();
  expect_near(V(u.grad()), {1, 1});
  // The root may be the leaf itself.
  Tensor s = leaf({}, {5});
  s.backward();
  expect_near(V(s.grad()), {1});
}

TEST(Autograd, RequiresGradRules) {
  Tensor i = Tensor::ones({2}, DType::Int32);
  expect_error<RuntimeError>([&] { i.requires_grad_(); },
                             "only Tensors of floating point dtype can require gradients");
  i.requires_grad_(false);  // allowed
  Tensor x = leaf({2}, {1, 2});
  Tensor y = x * x;
  expect_error<RuntimeError>([&] { y.requires_grad_(false); },
                             "you can only change requires_grad flags of leaf variables.");
  y.requires_grad_(true);  // already does: no-op
  EXPECT_TRUE(y.requires_grad());
  x.requires_grad_(false);
  EXPECT_FALSE((x * x).requires_grad());
}

TEST(Autograd, MatmulSmallCase) {
  // y = A @ B, upstream G: dA = G @ B^T, dB = A^T @ G
  Tensor a = leaf({2, 2}, {1, 2, 3, 4}), b = leaf({2, 2}, {5, 6, 7, 8});
  Tensor y = matmul(a, b);
  y.backward(f64({2, 2}, {1, 0, 0, 2}));
  // [[1,0],[0,2]] @ [[5,7],[6,8]] = [[5,7],[12,16]]
  expect_near(V(a.grad()), {5, 7, 12, 16});
  // [[1,3],[2,4]] @ [[1,0],[0,2]] = [[1,6],[2,8]]
  expect_near(V(b.grad()), {1, 6, 2, 8});
}

TEST(Autograd, ThroughViews) {
  // transpose: d/dx sum(x.t() * w) = w.t()
  Tensor x = leaf({2, 3}, {0, 1, 2, 3, 4, 5});
  sum(x.t() * f64({3, 2}, {1, 2, 3, 4, 5, 6})).backward();
  expect_near(V(x.grad()), {1, 3, 5, 2, 4, 6});

  // slice: d/dx sum(3 * x[:, ::2]) = 3 on the kept columns, 0 elsewhere
  Tensor s = leaf({2, 4}, {0, 0, 0, 0, 0, 0, 0, 0});
  sum(s.slice(1, std::nullopt, std::nullopt, 2) * f64({}, {3})).backward();
  expect_near(V(s.grad()), {3, 0, 3, 0, 3, 0, 3, 0});

  // expand: d/dx sum(x.expand(4, 3) * w) = column sums of w
  Tensor e = leaf({3}, {1, 1, 1});
  sum(e.expand({4, 3}) * Tensor::arange(0, 12, 1, DType::Float64).reshape({4, 3})).backward();
  expect_near(V(e.grad()), {18, 22, 26});

  // permute (2, 0, 1): x.grad[i][j][k] = w[k][i][j] with w = arange(24).reshape(4, 2, 3)
  Tensor p = leaf({2, 3, 4}, std::vector<double>(24, 0.0));
  const int perm[] = {2, 0, 1};
  sum(p.permute(perm) * Tensor::arange(0, 24, 1, DType::Float64).reshape({4, 2, 3})).backward();
  std::vector<double> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) want.push_back(6.0 * k + 3 * i + j);
  expect_near(V(p.grad()), want);

  // reshape through a copy: x.t().reshape(6) lists x00, x10, x01, x11, x02, x12
  Tensor r = leaf({2, 3}, {0, 1, 2, 3, 4, 5});
  sum(r.t().reshape({6}) * Tensor::arange(0, 6, 1, DType::Float64)).backward();
  expect_near(V(r.grad()), {0, 2, 4, 1, 3, 5});

  // sum over a dim without keepdim: the upstream gradient is spread back over that dim
  Tensor q = leaf({2, 3}, {0, 1, 2, 3, 4, 5});
  const std::int64_t d1[] = {1};
  sum(q, d1).backward(f64({2}, {1, 10}));
  expect_near(V(q.grad()), {1, 1, 1, 10, 10, 10});
}

// ---- central finite differences, float64 -------------------------------------------------------

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// Compares backward's gradients of loss = sum(f(inputs) * w), w a fixed random weight (so
// the upstream gradient is not uniform), with (loss(x + h) - loss(x - h)) / 2h per element.
void gradcheck(const Fn& f, std::vector<Shape> shapes, std::uint64_t seed = 1) {
  std::vector<Tensor> in;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    in.push_back(Tensor::random(shapes[i], DType::Float64, seed + i, core::Distribution::Uniform, -1, 1));
    in.back().requires_grad_();
  }
  const Tensor out = f(in);
  const Tensor w =
      Tensor::random(out.sizes(), DType::Float64, seed + 100, core::Distribution::Uniform, -1, 1);
  sum(out * w).backward();

  const double h = 1e-6;
  NoGradGuard guard;
  auto loss = [&] { return sum(f(in) * w).item(); };
  for (std::size_t i = 0; i < in.size(); ++i) {
    ASSERT_TRUE(in[i].grad().defined()) << "input " << i << " got no gradient";
    ASSERT_EQ(in[i].grad().sizes(), in[i].sizes());
    const std::vector<double> analytic = V(in[i].grad());
    auto* p = static_cast<double*>(in[i].data_ptr());  // contiguous fresh leaf
    for (std::int64_t j = 0; j < in[i].numel(); ++j) {
      const double orig = p[j];
      p[j] = orig + h;
      const double up = loss();
      p[j] = orig - h;
      const double down = loss();
      p[j] = orig;
      const double numeric = (up - down) / (2 * h);
      EXPECT_NEAR(analytic[std::size_t(j)], numeric, 1e-6 * (1 + std::fabs(numeric)))
          << "input " << i << " element " << j;
    }
  }
}

TEST(Gradcheck, Add) {
  gradcheck([](auto& x) { return x[0] + x[1]; }, {{2, 3}, {3}});
}
TEST(Gradcheck, Mul) {
  gradcheck([](auto& x) { return x[0] * x[1]; }, {{2, 3}, {2, 1}});
}
TEST(Gradcheck, MulZeroDim) {
  gradcheck([](auto& x) { return x[0] * x[1]; }, {{4}, {}});
}
TEST(Gradcheck, Neg) {
  gradcheck([](auto& x) { return neg(x[0]); }, {{2, 3}});
}
TEST(Gradcheck, Exp) {
  gradcheck([](auto& x) { return exp(x[0]); }, {{2, 3}});
}
TEST(Gradcheck, SumAll) {
  gradcheck([](auto& x) { return sum(x[0]); }, {{2, 3, 4}});
}
TEST(Gradcheck, SumDims) {
  gradcheck(
      [](auto& x) {
        const std::int64_t d[] = {0, 2};
        return sum(x[0], d);
      },
      {{2, 3, 4}});
  gradcheck(
      [](auto& x) {
        const std::int64_t d[] = {-1};
        return sum(x[0], d, true);
      },
      {{2, 3, 4}});
}
TEST(Gradcheck, Matmul) {
  gradcheck([](auto& x) { return matmul(x[0], x[1]); }, {{3, 4}, {4, 2}});
}
TEST(Gradcheck, MatmulOfTransposes) {
  gradcheck([](auto& x) { return matmul(x[0].t(), x[1].t()); }, {{4, 3}, {2, 4}});
}
TEST(Gradcheck, Transpose) {
  gradcheck([](auto& x) { return x[0].transpose(0, 2); }, {{2, 3, 4}});
}
TEST(Gradcheck, Permute) {
  gradcheck(
      [](auto& x) {
        const int p[] = {1, 2, 0};
        return x[0].permute(p);
      },
      {{2, 3, 4}});
}
TEST(Gradcheck, Reshape) {
  gradcheck([](auto& x) { return x[0].reshape({4, -1}); }, {{2, 3, 4}});
  gradcheck([](auto& x) { return x[0].t().reshape({-1}); }, {{3, 4}});
}
TEST(Gradcheck, Expand) {
  gradcheck([](auto& x) { return x[0].expand({2, 3, 4}); }, {{3, 1}});
}
TEST(Gradcheck, Slice) {
  gradcheck([](auto& x) { return x[0].slice(1, 1, std::nullopt, 2).slice(0, -2, std::nullopt); }, {{3, 5}});
}
TEST(Gradcheck, CloneAndContiguous) {
  gradcheck([](auto& x) { return x[0].t().contiguous() * x[0].clone().t(); }, {{3, 2}});
}
TEST(Gradcheck, InPlaceAddOnIntermediate) {
  gradcheck(
      [](auto& x) {
        Tensor y = x[0] * x[0];
        y.add_(exp(x[1]));
        return y;
      },
      {{2, 3}, {3}});
}
TEST(Gradcheck, CopyIntoIntermediate) {
  gradcheck(
      [](auto& x) {
        Tensor y = x[0] * x[0];
        y.copy_(exp(x[1]));
        return y + x[0];
      },
      {{2, 3}, {2, 1}});
}
TEST(Gradcheck, Composite) {
  // A small two-layer expression touching most ops at once.
  gradcheck(
      [](auto& x) {
        Tensor h = exp(neg(matmul(x[0], x[1]) + x[2]));
        const std::int64_t d[] = {0};
        return sum(h * h.slice(1, 0, 1).expand({3, 2}), d, true);
      },
      {{3, 4}, {4, 2}, {2}});
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

// x = torch.tensor([1., 2.], requires_grad=True); y = torch.tensor([3., 4.], requires_grad=True)
// z = x - y; z.backward(torch.tensor([1., 10.])): SubBackward0, x.grad [1, 10], y.grad [-1, -10].
TEST(Autograd, SubGradient) {
  const Tensor x = f32({2}, {1, 2}).requires_grad_(), y = f32({2}, {3, 4}).requires_grad_();
  const Tensor z = call(spec::OpId::Sub, std::array{x, y});
  EXPECT_EQ(z.grad_fn_name(), "SubBackward0");
  z.backward(f32({2}, {1, 10}));
  EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{1, 10}));
  EXPECT_EQ(y.grad().to_doubles(), (std::vector<double>{-1, -10}));
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

using spec::OpId;

// PyTorch 1.13.1: x = torch.tensor([0.5, 0.25], dtype=torch.float64, requires_grad=True);
// torch.sqrt(x).backward(torch.ones(2, dtype=torch.float64)); x.grad.tolist() ->
// [0.7071067811865475, 1.0], and so on per row (acosh at [2.0, 3.0]); grad_fn as PyTorch names it.
TEST(Autograd, UnaryFloatGradients) {
  struct Row {
    OpId op;
    const char* grad_fn;
    double x0, x1, want0, want1;
  };
  const Row rows[] = {
      {OpId::Sqrt, "SqrtBackward0", 0.5, 0.25, 0.7071067811865475, 1.0},
      {OpId::Log, "LogBackward0", 0.5, 0.25, 2.0, 4.0},
      {OpId::Sin, "SinBackward0", 0.5, 0.25, 0.8775825618903728, 0.9689124217106447},
      {OpId::Cos, "CosBackward0", 0.5, 0.25, -0.479425538604203, -0.24740395925452294},
      {OpId::Tanh, "TanhBackward0", 0.5, 0.25, 0.7864477329659274, 0.940014848806378},
      {OpId::Square, "PowBackward0", 0.5, 0.25, 1.0, 0.5},
      {OpId::Reciprocal, "ReciprocalBackward0", 0.5, 0.25, -4.0, -16.0},
      {OpId::Log1p, "Log1PBackward0", 0.5, 0.25, 0.6666666666666666, 0.8},
      {OpId::Expm1, "Expm1Backward0", 0.5, 0.25, 1.6487212707001282, 1.2840254166877414},
      {OpId::Log2, "Log2Backward0", 0.5, 0.25, 2.8853900817779268, 5.7707801635558535},
      {OpId::Log10, "Log10Backward0", 0.5, 0.25, 0.8685889638065037, 1.7371779276130075},
      {OpId::Exp2, "Exp2Backward0", 0.5, 0.25, 0.9802581434685472, 0.8242955588659627},
      {OpId::Tan, "TanBackward0", 0.5, 0.25, 1.2984464104095248, 1.06519949673285},
      {OpId::Asin, "AsinBackward0", 0.5, 0.25, 1.1547005383792517, 1.0327955589886444},
      {OpId::Acos, "AcosBackward0", 0.5, 0.25, -1.1547005383792517, -1.0327955589886444},
      {OpId::Atan, "AtanBackward0", 0.5, 0.25, 0.8, 0.9411764705882353},
      {OpId::Sinh, "SinhBackward0", 0.5, 0.25, 1.1276259652063807, 1.0314130998795732},
      {OpId::Cosh, "CoshBackward0", 0.5, 0.25, 0.5210953054937474, 0.2526123168081683},
      {OpId::Asinh, "AsinhBackward0", 0.5, 0.25, 0.8944271909999159, 0.9701425001453319},
      {OpId::Acosh, "AcoshBackward0", 2.0, 3.0, 0.5773502691896258, 0.35355339059327373},
      {OpId::Atanh, "AtanhBackward0", 0.5, 0.25, 1.3333333333333333, 1.0666666666666667},
  };
  for (const Row& r : rows) {
    Tensor x = Tensor::from_values<double>({2}, std::vector<double>{r.x0, r.x1});
    x.requires_grad_();
    const Tensor y = call(r.op, std::array{x});
    const std::string name(spec::op_spec(r.op).name);
    EXPECT_EQ(y.grad_fn_name(), r.grad_fn) << name;
    y.backward(Tensor::ones({2}, DType::Float64));
    const std::vector<double> g = x.grad().to_doubles();
    EXPECT_NEAR(g[0], r.want0, 4.5e-16 * std::fabs(r.want0)) << name;
    EXPECT_NEAR(g[1], r.want1, 4.5e-16 * std::fabs(r.want1)) << name;
  }
}

// Finite differences over (-1, 1), moved into each op's domain by an affine map.
TEST(Gradcheck, UnaryFloatOps) {
  struct Row {
    OpId op;
    double scale, shift;  // op(scale * x + shift)
  };
  const Row rows[] = {{OpId::Sqrt, 1, 2},       {OpId::Log, 1, 2},     {OpId::Sin, 2, 0},
                      {OpId::Cos, 2, 0},        {OpId::Tanh, 2, 0},    {OpId::Square, 2, 0},
                      {OpId::Reciprocal, 1, 2}, {OpId::Log1p, 0.5, 0}, {OpId::Expm1, 2, 0},
                      {OpId::Log2, 1, 2},       {OpId::Log10, 1, 2},   {OpId::Exp2, 2, 0},
                      {OpId::Tan, 1, 0},        {OpId::Asin, 0.5, 0},  {OpId::Acos, 0.5, 0},
                      {OpId::Atan, 2, 0},       {OpId::Sinh, 2, 0},    {OpId::Cosh, 2, 0},
                      {OpId::Asinh, 2, 0},      {OpId::Acosh, 1, 2.5}, {OpId::Atanh, 0.5, 0}};
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(spec::op_spec(r.op).name));
    gradcheck(
        [&](auto& x) {
          const Tensor a = Tensor::full({}, r.scale, DType::Float64),
                       b = Tensor::full({}, r.shift, DType::Float64);
          return call(r.op, std::array{x[0] * a + b});
        },
        {{2, 3}});
  }
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

// x = torch.tensor([-2., 0., 3., inf, -inf, nan], dtype=torch.float64, requires_grad=True);
// torch.abs(x).backward(torch.ones(6, dtype=torch.float64)): AbsBackward0,
// x.grad [-1, 0, 1, 1, -1, 0]; in float16 too (PyTorch's cpu has a Half abs backward):
// torch.tensor([-2., 0.], dtype=torch.float16) gives [-1, 0].
TEST(Autograd, AbsGradient) {
  Tensor x = Tensor::from_values<double>({6}, std::vector<double>{-2, 0, 3, INFINITY, -INFINITY, NAN});
  x.requires_grad_();
  const Tensor y = call(spec::OpId::Abs, std::array{x});
  EXPECT_EQ(y.grad_fn_name(), "AbsBackward0");
  y.backward(Tensor::ones({6}, DType::Float64));
  EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{-1, 0, 1, 1, -1, 0}));
  Tensor h = Tensor::from_values<double>({2}, std::vector<double>{-2, 0}).to(DType::Float16);
  h.requires_grad_();
  call(spec::OpId::Abs, std::array{h}).backward(Tensor::ones({2}, DType::Float16));
  EXPECT_EQ(h.grad().dtype(), DType::Float16);
  EXPECT_EQ(h.grad().to_doubles(), (std::vector<double>{-1, 0}));
}

TEST(Gradcheck, Abs) {
  gradcheck([](auto& x) { return call(spec::OpId::Abs, std::array{x[0]}); }, {{2, 3}});
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

Tensor leaf64(std::vector<double> v) {
  Tensor t = Tensor::from_values<double>({std::int64_t(v.size())}, v);
  t.requires_grad_();
  return t;
}

// x = torch.tensor([3., -1.], dtype=torch.float64, requires_grad=True), y = [2., 4.];
// torch.div(x, y).backward(torch.ones(2, dtype=torch.float64)): DivBackward0,
// x.grad [0.5, 0.25], y.grad [-0.75, 0.0625]
TEST(Autograd, DivideGradient) {
  Tensor x = leaf64({3, -1}), y = leaf64({2, 4});
  const Tensor q = call(spec::OpId::Divide, std::array{x, y});
  EXPECT_EQ(q.grad_fn_name(), "DivBackward0");
  q.backward(Tensor::ones({2}, DType::Float64));
  EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{0.5, 0.25}));
  EXPECT_EQ(y.grad().to_doubles(), (std::vector<double>{-0.75, 0.0625}));
}

// x = [1., 2., nan, inf], y = [1., 3., 1., inf] (float64, requires_grad), backward of ones:
// torch.maximum: MaximumBackward0, x.grad [0.5, 0, 1, 0.5], y.grad [0.5, 1, 1, 0.5];
// torch.minimum: x.grad [0.5, 1, 1, 0.5], y.grad [0.5, 0, 1, 0.5];
// torch.fmax: FmaxBackward0, x.grad [1, 0, 0, 1], y.grad [0, 1, 1, 0];
// torch.fmin: x.grad [1, 1, 0, 1], y.grad [0, 0, 1, 0]
TEST(Autograd, ExtremumGradients) {
  struct Row {
    spec::OpId op;
    const char* name;
    std::vector<double> gx, gy;
  };
  const Row rows[] = {{spec::OpId::Maximum, "MaximumBackward0", {0.5, 0, 1, 0.5}, {0.5, 1, 1, 0.5}},
                      {spec::OpId::Minimum, "MinimumBackward0", {0.5, 1, 1, 0.5}, {0.5, 0, 1, 0.5}},
                      {spec::OpId::Fmax, "FmaxBackward0", {1, 0, 0, 1}, {0, 1, 1, 0}},
                      {spec::OpId::Fmin, "FminBackward0", {1, 1, 0, 1}, {0, 0, 1, 0}}};
  for (const Row& r : rows) {
    Tensor x = leaf64({1, 2, NAN, INFINITY}), y = leaf64({1, 3, 1, INFINITY});
    const Tensor z = call(r.op, std::array{x, y});
    EXPECT_EQ(z.grad_fn_name(), r.name);
    z.backward(Tensor::ones({4}, DType::Float64));
    EXPECT_EQ(x.grad().to_doubles(), r.gx) << r.name;
    EXPECT_EQ(y.grad().to_doubles(), r.gy) << r.name;
  }
}

TEST(Gradcheck, DivideAndExtremum) {
  // Divisors away from 0: x[1] + 2 is in [1, 3].
  gradcheck([](auto& x) { return call(spec::OpId::Divide, std::array{x[0], x[1] + Tensor::full({}, 2.0, DType::Float64)}); },
            {{2, 3}, {3}});
  for (spec::OpId op : {spec::OpId::Maximum, spec::OpId::Minimum, spec::OpId::Fmax, spec::OpId::Fmin})
    gradcheck([op](auto& x) { return call(op, std::array{x[0], x[1]}); }, {{2, 3}, {3}});
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

using spec::OpId;

// PyTorch 1.13.1: x = torch.tensor([0.5, -2.], dtype=torch.float64, requires_grad=True);
// y = torch.tensor([1.5, 3.], dtype=torch.float64, requires_grad=True); f(x, y).backward(
// torch.tensor([1., 10.], dtype=torch.float64)); x.grad.tolist(), y.grad.tolist() per row.
TEST(Autograd, BinaryFloatGradients) {
  struct Row {
    OpId op;
    const char* grad_fn;
    std::vector<double> gx, gy;
  };
  const Row rows[] = {
      {OpId::Atan2, "Atan2Backward0", {0.6000000000000001, 2.307692307692308}, {-0.2, 1.5384615384615385}},
      {OpId::Hypot, "HypotBackward0", {0.31622776601683794, -5.547001962252292}, {0.9486832980505138, 8.320502943378438}},
      {OpId::Copysign, "CopysignBackward0", {1.0, -10.0}, {0.0, 0.0}},
      {OpId::Logaddexp, "LogaddexpBackward0", {0.2689414213699951, 0.06692850924284856},
       {0.7310585786300049, 9.933071490757152}},
  };
  for (const Row& r : rows) {
    const std::string name(spec::op_spec(r.op).name);
    Tensor x = Tensor::from_values<double>({2}, std::vector<double>{0.5, -2.0}).requires_grad_();
    Tensor y = Tensor::from_values<double>({2}, std::vector<double>{1.5, 3.0}).requires_grad_();
    const Tensor z = call(r.op, std::array{x, y});
    EXPECT_EQ(z.grad_fn_name(), r.grad_fn) << name;
    z.backward(Tensor::from_values<double>({2}, std::vector<double>{1.0, 10.0}));
    for (int i = 0; i < 2; ++i) {
      EXPECT_NEAR(x.grad().to_doubles()[std::size_t(i)], r.gx[std::size_t(i)], 1e-15 * (1 + std::fabs(r.gx[std::size_t(i)]))) << name;
      EXPECT_NEAR(y.grad().to_doubles()[std::size_t(i)], r.gy[std::size_t(i)], 1e-15 * (1 + std::fabs(r.gy[std::size_t(i)]))) << name;
    }
  }
}

// x = torch.tensor([0.5, -2., 0., -0.], dtype=torch.float64, requires_grad=True); y = [-1.5, -3.,
// -1., 1.]; torch.copysign(x, y).backward(torch.ones(4, dtype=torch.float64)): x.grad [-1., 1.,
// 0., 0.] (0 where x is 0), y.grad zeros.
TEST(Autograd, CopysignGradientAtZeros) {
  Tensor x = Tensor::from_values<double>({4}, std::vector<double>{0.5, -2.0, 0.0, -0.0}).requires_grad_();
  Tensor y = Tensor::from_values<double>({4}, std::vector<double>{-1.5, -3.0, -1.0, 1.0}).requires_grad_();
  call(OpId::Copysign, std::array{x, y}).backward(Tensor::ones({4}, DType::Float64));
  EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{-1, 1, 0, 0}));
  EXPECT_EQ(y.grad().to_doubles(), (std::vector<double>{0, 0, 0, 0}));
}

TEST(Gradcheck, BinaryFloatOps) {
  for (OpId op : {OpId::Atan2, OpId::Hypot, OpId::Copysign, OpId::Logaddexp}) {
    SCOPED_TRACE(std::string(spec::op_spec(op).name));
    gradcheck([&](auto& x) { return call(op, std::array{x[0], x[1]}); }, {{2, 3}, {3}});
  }
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

// The bool ops are not differentiable: x = torch.ones(2, requires_grad=True);
// torch.lt(x, x).requires_grad is False and .grad_fn None (the same for eq, ne, le, gt, ge,
// logical_and/or/xor/not, isnan, isinf, isfinite, signbit); torch.eq(x, x).sum().backward():
// RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn
TEST(Autograd, BoolOpsAreNotDifferentiable) {
  Tensor x = Tensor::ones({2}, DType::Float32);
  x.requires_grad_();
  for (const spec::OpSpec& op : spec::op_table()) {
    if (op.output != spec::Output::Bool) continue;
    const Tensor y = op.arity == 2 ? call(op.id, std::array{x, x}) : call(op.id, std::array{x});
    EXPECT_EQ(y.dtype(), DType::Bool) << op.name;
    EXPECT_FALSE(y.requires_grad()) << op.name;
    EXPECT_EQ(y.grad_fn_name(), "") << op.name;
  }
  parity::testing::expect_library_error<Error>(
      [&] { sum(call(spec::OpId::Equal, std::array{x, x})).backward(); }, "RuntimeError",
      "element 0 of tensors does not require grad and does not have a grad_fn");
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

// x = torch.tensor([7., -7.], requires_grad=True), y = torch.tensor([2., 2.], requires_grad=True):
// torch.remainder(x, y).sum().backward(): RemainderBackward1, x.grad [1, 1], y.grad [-3, 4];
// torch.fmod: FmodBackward1, x.grad [1, 1], y.grad [-3, 3];
// x = [2., 0., 3.], y = [3., 2., 0.]: torch.pow(x, y).sum().backward(): PowBackward1,
// x.grad [12, 0, 0], y.grad [8 log 2 = 5.5452, 0, log 3 = 1.0986]
TEST(Autograd, RemainderFmodPowerGradients) {
  for (auto [op, name, gy] : {std::tuple{spec::OpId::Remainder, "RemainderBackward1", std::vector<double>{-3, 4}},
                              std::tuple{spec::OpId::Fmod, "FmodBackward1", std::vector<double>{-3, 3}}}) {
    Tensor x = leaf64({7, -7}), y = leaf64({2, 2});
    const Tensor z = call(op, std::array{x, y});
    EXPECT_EQ(z.grad_fn_name(), name);
    z.backward(Tensor::ones({2}, DType::Float64));
    EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{1, 1})) << name;
    EXPECT_EQ(y.grad().to_doubles(), gy) << name;
  }
  Tensor x = leaf64({2, 0, 3}), y = leaf64({3, 2, 0});
  const Tensor p = call(spec::OpId::Power, std::array{x, y});
  EXPECT_EQ(p.grad_fn_name(), "PowBackward1");
  p.backward(Tensor::ones({3}, DType::Float64));
  EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{12, 0, 0}));
  const std::vector<double> gy = y.grad().to_doubles();
  EXPECT_DOUBLE_EQ(gy[0], 8 * std::log(2.0));
  EXPECT_EQ(gy[1], 0.0);
  EXPECT_DOUBLE_EQ(gy[2], std::log(3.0));
}

TEST(Gradcheck, RemainderFmodPower) {
  // Divisors in [1, 3] and bases in [1.5, 2.5]: away from the jumps and from 0.
  const Tensor two = Tensor::full({}, 2.0, DType::Float64);
  for (spec::OpId op : {spec::OpId::Remainder, spec::OpId::Fmod})
    gradcheck([op, two](auto& x) { return call(op, std::array{x[0] * Tensor::full({}, 5.0, DType::Float64), x[1] + two}); },
              {{2, 3}, {3}});
  gradcheck([two](auto& x) { return call(spec::OpId::Power, std::array{x[0] * Tensor::full({}, 0.5, DType::Float64) + two, x[1]}); },
            {{2, 3}, {3}});
}

// x = torch.tensor([1., 2., 3.], requires_grad=True), y = torch.tensor([4., 5., 6.],
// requires_grad=True): torch.where(torch.tensor([True, False, True]), x, y).backward(
// torch.tensor([1., 2., 3.])): WhereBackward0, x.grad [1, 0, 3], y.grad [0, 2, 0]
TEST(Autograd, WhereGradient) {
  Tensor x = leaf64({1, 2, 3}), y = leaf64({4, 5, 6});
  const Tensor c = Tensor::from_values<double>({3}, std::vector<double>{1, 0, 1}).to(DType::Bool);
  const Tensor z = call(spec::OpId::Where, std::array{c, x, y});
  EXPECT_EQ(z.grad_fn_name(), "WhereBackward0");
  z.backward(Tensor::arange(1, 4, 1, DType::Float64));
  EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{1, 0, 3}));
  EXPECT_EQ(y.grad().to_doubles(), (std::vector<double>{0, 2, 0}));
}

// x = [0, 1, 2, 3, 5, .5, 2, 1], min = [1, 1, 1, 1, 1, 3, 2, 3], max = [4, 4, 4, 3, 4, 2, 2, 2]
// (float64, requires_grad): torch.clamp(x, min, max).backward(torch.ones(8)): ClampBackward0,
// x.grad [0, 1, 1, 1, 0, 0, 1, 0], min.grad [1, 0, 0, 0, 0, 0, 0, 0], max.grad [0, 0, 0, 0, 1,
// 1, 0, 1] (ties go to the input; min > max gives max the gradient); with x = [nan, 1, 1],
// min = [0, nan, 0], max = [2, 2, nan]: every gradient 0
TEST(Autograd, ClipGradientTiesAndNaN) {
  Tensor x = leaf64({0, 1, 2, 3, 5, 0.5, 2, 1}), lo = leaf64({1, 1, 1, 1, 1, 3, 2, 3}),
         hi = leaf64({4, 4, 4, 3, 4, 2, 2, 2});
  const Tensor z = call(spec::OpId::Clip, std::array{x, lo, hi});
  EXPECT_EQ(z.grad_fn_name(), "ClampBackward0");
  z.backward(Tensor::ones({8}, DType::Float64));
  EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{0, 1, 1, 1, 0, 0, 1, 0}));
  EXPECT_EQ(lo.grad().to_doubles(), (std::vector<double>{1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(hi.grad().to_doubles(), (std::vector<double>{0, 0, 0, 0, 1, 1, 0, 1}));
  Tensor a = leaf64({NAN, 1, 1}), b = leaf64({0, NAN, 0}), c = leaf64({2, 2, NAN});
  call(spec::OpId::Clip, std::array{a, b, c}).backward(Tensor::ones({3}, DType::Float64));
  for (const Tensor* t : {&a, &b, &c}) EXPECT_EQ(t->grad().to_doubles(), (std::vector<double>{0, 0, 0}));
}

// x = torch.tensor([nan, inf, -inf, 1., 2.], requires_grad=True): torch.nan_to_num(x).backward(
// torch.tensor([1., 2., 3., 4., 5.])): NanToNumBackward0, x.grad [0, 0, 0, 4, 5]
TEST(Autograd, NanToNumGradient) {
  Tensor x = leaf64({NAN, INFINITY, -INFINITY, 1, 2});
  const Tensor z = call(spec::OpId::NanToNum, std::array{x});
  EXPECT_EQ(z.grad_fn_name(), "NanToNumBackward0");
  z.backward(Tensor::arange(1, 6, 1, DType::Float64));
  EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{0, 0, 0, 4, 5}));
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

// x = torch.tensor([1.5, -0.5, 0., nan, inf], dtype=torch.float64, requires_grad=True),
// g = torch.tensor([1., 2., 3., 4., 5.], dtype=torch.float64): torch.sign(x).backward(g) gives
// SignBackward0 and x.grad [0, 0, 0, 0, 0]; the same zeros for torch.floor (FloorBackward0),
// torch.ceil (CeilBackward0), torch.trunc (TruncBackward0) and torch.round (RoundBackward0),
// and in float32 and bfloat16 (zeros of the gradient's dtype); torch.positive(x).backward(g)
// gives x.grad [1, 2, 3, 4, 5] (torch.positive(x) is x itself: no node of its own).
TEST(Autograd, RoundingAndSignGradients) {
  struct Row {
    spec::OpId op;
    const char* name;
  };
  const Row rows[] = {{spec::OpId::Sign, "SignBackward0"},   {spec::OpId::Floor, "FloorBackward0"},
                      {spec::OpId::Ceil, "CeilBackward0"},   {spec::OpId::Trunc, "TruncBackward0"},
                      {spec::OpId::Rint, "RoundBackward0"}};
  const std::vector<double> xs{1.5, -0.5, 0, NAN, INFINITY}, gs{1, 2, 3, 4, 5};
  for (const Row& r : rows) {
    for (DType d : {DType::Float64, DType::Float32, DType::BFloat16}) {
      Tensor x = Tensor::from_values<double>({5}, xs).to(d);
      x.requires_grad_();
      const Tensor y = call(r.op, std::array{x});
      EXPECT_EQ(y.grad_fn_name(), r.name);
      y.backward(Tensor::from_values<double>({5}, gs).to(d));
      EXPECT_EQ(x.grad().dtype(), d) << r.name;
      EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>(5, 0.0))) << r.name;
    }
  }
  Tensor x = leaf64(xs);
  call(spec::OpId::Positive, std::array{x}).backward(Tensor::from_values<double>({5}, gs));
  EXPECT_EQ(x.grad().to_doubles(), gs);
}

// A zero gradient accumulates with another path's: d/dx (floor(x) + x * x) = 2x.
TEST(Gradcheck, RoundingAndSign) {
  for (spec::OpId op : {spec::OpId::Sign, spec::OpId::Floor, spec::OpId::Ceil, spec::OpId::Trunc, spec::OpId::Rint,
                        spec::OpId::Positive})
    gradcheck([op](auto& x) { return call(op, std::array{x[0]}) + x[0] * x[0]; }, {{2, 3}});
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

// PyTorch 1.13.1: x = torch.tensor([-1.5, 0.5, 2.], dtype=torch.float64, requires_grad=True);
// fn(x).backward(torch.tensor([1., -2., 0.5], dtype=torch.float64)); x.grad and
// fn(x).grad_fn.name() per row (F.silu for silu, F.gelu for gelu and gelu_tanh). cbrt, which PyTorch lacks: from NumPy,
// g / (3 * np.cbrt(x) ** 2). relu at x = [-1., 0., nan, 2.] with g = 1: [0., 0., 1., 1.]
// (threshold_backward passes a NaN result's gradient).
TEST(Autograd, LackingAndCompositeGradients) {
  struct Row {
    spec::OpId op;
    const char* grad_fn;
    std::vector<double> want;
  };
  const Row rows[] = {
      {spec::OpId::Erf, "ErfBackward0", {0.11893028922362936, -1.7575651578708895, 0.010333492677046027}},
      {spec::OpId::Relu, "ReluBackward0", {0.0, -2.0, 0.5}},
      {spec::OpId::Sigmoid, "SigmoidBackward0", {0.14914645207033286, -0.470007424403189, 0.05249679270175331}},
      {spec::OpId::Silu, "SiluBackward0", {-0.041294154299142946, -1.4799223746053038, 0.5453921243924478}},
      {spec::OpId::Cbrt, "CbrtBackward0", {0.2543809427896293, -1.0582673679787995, 0.10499342082457275}},
      {spec::OpId::Gelu, "GeluBackward0", {-0.1274691922299796, -1.7349902493123257, 0.5426159005390985}},
      // F.gelu(x, approximate='tanh')
      {spec::OpId::GeluTanh, "GeluBackward0", {-0.12771079315143308, -1.7347398070692848, 0.5430496283118091}},
  };
  for (const Row& r : rows) {
    Tensor x = Tensor::from_values<double>({3}, std::vector<double>{-1.5, 0.5, 2.0});
    x.requires_grad_();
    const Tensor y = call(r.op, std::array{x});
    const std::string name(spec::op_spec(r.op).name);
    EXPECT_EQ(y.grad_fn_name(), r.grad_fn) << name;
    y.backward(Tensor::from_values<double>({3}, std::vector<double>{1.0, -2.0, 0.5}));
    const std::vector<double> g = x.grad().to_doubles();
    for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(g[i], r.want[i], 1e-15 * std::fabs(r.want[i])) << name << " " << i;
  }
  Tensor x = Tensor::from_values<double>({4}, std::vector<double>{-1.0, 0.0, std::nan(""), 2.0});
  x.requires_grad_();
  call(spec::OpId::Relu, std::array{x}).backward(Tensor::ones({4}, DType::Float64));
  EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{0, 0, 1, 1}));
}

// astype through the registry (input.to(dtype)): float64 -> float32 is ToCopyBackward0 and
// hands back a float64 gradient (x = torch.tensor([1.5, -2.], dtype=torch.float64,
// requires_grad=True); x.to(torch.float32).backward(torch.tensor([3., 0.25])): x.grad is
// [3., 0.25], float64); to its own dtype is the tensor itself (x.to(torch.float64) is x), to an
// integer has no grad_fn; a missing dtype and PyTorch's missing uint16 are refused.
TEST(Autograd, AstypeIsToCopy) {
  Tensor x = Tensor::from_values<double>({2}, std::vector<double>{1.5, -2.0});
  x.requires_grad_();
  spec::Params p;
  p.dtype = DType::Float32;
  const Tensor y = call(spec::OpId::Astype, std::array{x}, p);
  EXPECT_EQ(y.dtype(), DType::Float32);
  EXPECT_EQ(y.grad_fn_name(), "ToCopyBackward0");
  y.backward(Tensor::from_values<float>({2}, std::vector<float>{3.0f, 0.25f}));
  EXPECT_EQ(x.grad().dtype(), DType::Float64);
  EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{3.0, 0.25}));
  p.dtype = DType::Float64;
  EXPECT_EQ(call(spec::OpId::Astype, std::array{x}, p).data_ptr(), x.data_ptr());
  p.dtype = DType::Int32;
  EXPECT_FALSE(call(spec::OpId::Astype, std::array{x}, p).requires_grad());
  EXPECT_THROW(call(spec::OpId::Astype, std::array{x}), parity::ValueError);
  p.dtype = DType::UInt16;
  EXPECT_THROW(call(spec::OpId::Astype, std::array{x}, p), parity::TypeError);
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

// PyTorch 1.13: the gradients and grad_fn names of the reductions.
TEST(Autograd, ReductionGradients) {
  spec::Params dim1;
  dim1.axes = {1};
  // x = torch.tensor([[2., 0., 3.], [0., 0., 1.], [1., 2., 3.]], requires_grad=True)
  // torch.prod(x, 1).backward(torch.ones(3)); x.grad -> [[0, 6, 0], [0, 0, 0], [6, 3, 2]]
  const Tensor x = f32({3, 3}, {2, 0, 3, 0, 0, 1, 1, 2, 3}).requires_grad_();
  const Tensor p = call(spec::OpId::Prod, std::array{x}, dim1);
  EXPECT_EQ(p.grad_fn_name(), "ProdBackward1");
  p.backward(f32({3}, {1, 1, 1}));
  EXPECT_EQ(x.grad().to_doubles(), (std::vector<double>{0, 6, 0, 0, 0, 0, 6, 3, 2}));
  // y = torch.tensor([[2., 1., 3.], [4., 0., 1.], [1., 2., 3.]]); torch.prod(y).backward() -> 144 at the zero
  const Tensor y = f32({3, 3}, {2, 1, 3, 4, 0, 1, 1, 2, 3}).requires_grad_();
  const Tensor py = call(spec::OpId::Prod, std::array{y});
  EXPECT_EQ(py.grad_fn_name(), "ProdBackward0");
  py.backward();
  EXPECT_EQ(y.grad().to_doubles(), (std::vector<double>{0, 0, 0, 0, 144, 0, 0, 0, 0}));
  // z = torch.tensor([1., 3., 3.]); torch.amax(z).backward() -> [0, 0.5, 0.5]
  const Tensor z = f32({3}, {1, 3, 3}).requires_grad_();
  const Tensor mz = call(spec::OpId::Amax, std::array{z});
  EXPECT_EQ(mz.grad_fn_name(), "AmaxBackward0");
  mz.backward();
  EXPECT_EQ(z.grad().to_doubles(), (std::vector<double>{0, 0.5, 0.5}));
  // w = torch.tensor([1., nan, 3.]); torch.amin(w).backward() -> [nan, nan, nan]
  const Tensor w = f32({3}, {1, std::numeric_limits<float>::quiet_NaN(), 3}).requires_grad_();
  call(spec::OpId::Amin, std::array{w}).backward();
  for (double g : w.grad().to_doubles()) EXPECT_TRUE(std::isnan(g));
  // v = torch.ones(2, 3); torch.mean(v, 1).backward(torch.ones(2)) -> 1/3 everywhere (MeanBackward1)
  const Tensor v = Tensor::full({2, 3}, 1, DType::Float64).requires_grad_();
  const Tensor mv = call(spec::OpId::Mean, std::array{v}, dim1);
  EXPECT_EQ(mv.grad_fn_name(), "MeanBackward1");
  mv.backward(Tensor::full({2}, 1, DType::Float64));
  for (double g : v.grad().to_doubles()) EXPECT_EQ(g, 1.0 / 3.0);
  // u = torch.tensor([[1., nan], [2., 3.]]); torch.nansum(u, dim=1).backward(torch.tensor([2., 3.]))
  // -> [[2, 0], [3, 3]], grad_fn NansumBackward0 (with or without dims)
  const Tensor u = f32({2, 2}, {1, std::numeric_limits<float>::quiet_NaN(), 2, 3}).requires_grad_();
  const Tensor nu = call(spec::OpId::Nansum, std::array{u}, dim1);
  EXPECT_EQ(nu.grad_fn_name(), "NansumBackward0");
  EXPECT_EQ(nu.to_doubles(), (std::vector<double>{1, 5}));
  nu.backward(f32({2}, {2, 3}));
  EXPECT_EQ(u.grad().to_doubles(), (std::vector<double>{2, 0, 3, 3}));
  // torch.nanmean(u, dim=1) -> [1., 2.5], grad_fn DivBackward0; .backward(torch.tensor([2., 3.]))
  // -> [[2, 0], [1.5, 1.5]]
  const Tensor m = f32({2, 2}, {1, std::numeric_limits<float>::quiet_NaN(), 2, 3}).requires_grad_();
  const Tensor nm = call(spec::OpId::Nanmean, std::array{m}, dim1);
  EXPECT_EQ(nm.grad_fn_name(), "DivBackward0");
  EXPECT_EQ(nm.to_doubles(), (std::vector<double>{1, 2.5}));
  nm.backward(f32({2}, {2, 3}));
  EXPECT_EQ(m.grad().to_doubles(), (std::vector<double>{2, 0, 1.5, 1.5}));
}

}  // namespace
}  // namespace parity::tensor
