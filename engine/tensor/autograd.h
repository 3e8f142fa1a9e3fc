#pragma once
// Reverse-mode autograd. Each differentiable op that sees an input requiring grad (with grad
// mode on) attaches a Node to its output: which gradient formula to run (a row of the
// formula table in autograd.cpp), the edges to its inputs' nodes, the inputs' metadata, and
// the tensors and parameters the formula needs. Formulas are written over the engine's own
// ops and may return gradients in the broadcast shape or in another dtype/device: the engine
// reduces them to each input's shape, dtype and device once (unbroadcast), so no formula
// repeats that.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/spec/ops.h"
#include "engine/tensor/impl.h"
#include "engine/tensor/tensor.h"

namespace parity::tensor::autograd {

// The backward functions that are not ops of the registry (views, copies, in-place ops):
// rows of the formula table in autograd.cpp, one per function PyTorch names. The ops'
// gradients are rows of the gradient table keyed by spec::OpId (engine/tensor/derivatives.cpp);
// their nodes carry Fn::Op and the op id.
enum class Fn : std::uint8_t {
  Op,          // an op of the registry: its row in the gradient table
  Transpose,   // TransposeBackward0
  T,           // TBackward0
  Permute,     // PermuteBackward0
  View,        // ViewBackward0 (reshape that is a view)
  UnsafeView,  // UnsafeViewBackward0 (reshape that copies)
  Expand,      // ExpandBackward0
  Slice,       // SliceBackward0
  Clone,       // CloneBackward0 (clone, contiguous)
  ToCopy,      // ToCopyBackward0 (to(dtype), to(device))
  Fill,        // FillBackward0 (fill_ on a tensor with history)
  Copy,        // CopyBackwards (copy_ into a tensor with history)
  Add_,        // AddBackward0 (add_ on a tensor with history)
  AccumulateGrad
};
std::string_view fn_name(Fn fn);

struct InputMeta {
  Shape shape;
  DType dtype;
  Device device;
};

// A tensor kept for backward, with the storage version it had when saved: backward
// refuses to use it if an in-place op has written to it since.
class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& t);
  bool defined() const { return saved_; }  // whether anything was saved (released or not)
  Tensor unpack() const;
  // Frees the tensor once backward no longer needs it; unpack then fails as PyTorch's does.
  void release() { data_ = Tensor(); }

 private:
  Tensor data_;  // a detached alias: no history, so no reference cycle through grad_fn
  bool saved_ = false;
  std::uint64_t version_ = 0;
  std::string origin_;  // "output 0 of ExpBackward0", "" for leaves
};

struct Node {
  Fn fn = Fn::AccumulateGrad;
  spec::OpId op{};  // when fn == Fn::Op
  spec::Params params;              // when fn == Fn::Op: the call's parameters (axes normalised)
  // One per input: the node its gradient goes to (null when it needs none) and its meta.
  std::vector<std::shared_ptr<Node>> next;
  std::vector<InputMeta> inputs;
  // Op nodes: what the gradient row declares it needs, saved at record time.
  std::vector<SavedTensor> saved_inputs;  // by input index (undefined where not needed)
  SavedTensor saved_output;
  std::vector<std::int64_t> ints;    // view parameters (dims, slice bounds, permutation)
  std::shared_ptr<TensorImpl> leaf;  // AccumulateGrad: the leaf it accumulates into

  // Scratch of the backward pass that reaches this node (run_backward), valid while `pass`
  // is that pass's number: the edges still to deliver their gradient, and the gradient so
  // far. Kept on the node instead of in hash maps keyed by node, whose allocations were a
  // tenth of a small forward and backward's instructions (docs/performance.md, 2026-12-07).
  // One backward pass at a time may run over a node (the graph is not shared between threads).
  std::uint64_t pass = 0;
  int pending = 0;
  Tensor grad;

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Iterative: a chain of a million nodes is freed without a million nested destructors.
  ~Node();
  void release_saved();  // after backward ran this node, unless retain_graph

  bool needs_grad(std::size_t i) const { return i < next.size() && next[i] != nullptr; }
  // A saved input or the output, for a gradient formula; RuntimeError when the row did
  // not declare it (a formula that reads what its row does not save is a bug in the row).
  Tensor input(std::size_t i) const;
  Tensor output() const;
};
// The name PyTorch prints for the node's grad_fn ("MulBackward0").
std::string_view node_name(const Node& node);

// Attaches a new Node for `fn` to `out` when grad mode is on, some input requires grad and
// out is floating; returns it (to save parameters on), or null.
std::shared_ptr<Node> record(Fn fn, std::initializer_list<Tensor> inputs, const Tensor& out);
// The same for an op of the registry: saves what its gradient row declares.
void record_op(spec::OpId op, std::span<const Tensor> inputs, const Tensor& out, const spec::Params& params);

// In-place ops. Call inplace_check before writing: it throws where PyTorch does (a leaf
// that requires grad, a view of a tensor in a graph) and returns whether the op must be
// recorded. After writing, inplace_record rebases self's history onto a new node.
bool inplace_check(const Tensor& self, std::initializer_list<Tensor> others);
std::shared_ptr<Node> inplace_record(Fn fn, const Tensor& self, std::initializer_list<Tensor> others);

// Views: out shares base's storage; remembers the base for the in-place checks.
void mark_view(const Tensor& base, const Tensor& out);

// The backward engine over one or more roots, each with its gradient (undefined: ones for
// a one-element root). Without `capture` it accumulates into the leaves (Tensor::backward);
// with it, it accumulates into none and returns the gradient reaching each captured tensor
// (autograd::grad), running only the nodes that lead to one.
struct Capture {
  std::span<const Tensor> inputs;
  bool allow_unused = false;
};
std::vector<Tensor> run_backward(std::span<const Tensor> roots, std::span<const Tensor> gradients, bool retain_graph,
                                 const Capture* capture = nullptr);

}  // namespace parity::tensor::autograd
