// Reverse-mode autograd: grad mode, recording, the gradient formula table and the backward
// engine. Backward runs with grad mode off, so formulas use the public ops without
// recording anything (no higher-order gradients).
#include "engine/tensor/autograd.h"

#include "engine/spec/fault.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <unordered_map>
#include <unordered_set>

#include "engine/spec/error.h"
#include "engine/tensor/derivatives.h"

namespace parity::tensor {

namespace {
thread_local bool g_grad_enabled = true;
}  // namespace

bool grad_enabled() { return g_grad_enabled; }
NoGradGuard::NoGradGuard() : prev_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = prev_; }

namespace autograd {
namespace {

using Formula = Grads (*)(const Node& node, const Tensor& grad);

InputMeta meta_of(const Tensor& t) { return {t.sizes(), t.dtype(), t.device()}; }

// A zero gradient for input i without allocating its full shape.
Tensor zeros_for(const Node& n, std::size_t i, const Tensor& g) {
  return detail::zeros({}, g.dtype(), g.device()).expand(n.inputs[i].shape);
}

// ---- the gradient formulas (g is the gradient of the node's output) --------------------

// In-place add: self and other both get g.
Grads add_bw(const Node&, const Tensor& g) { return {g, g}; }

Grads transpose_bw(const Node& n, const Tensor& g) { return {g.transpose(int(n.ints[0]), int(n.ints[1]))}; }

Grads t_bw(const Node&, const Tensor& g) { return {g.t()}; }

Grads permute_bw(const Node& n, const Tensor& g) {
  std::vector<int> inverse(n.ints.size());
  for (std::size_t i = 0; i < n.ints.size(); ++i) inverse[std::size_t(n.ints[i])] = int(i);
  return {g.permute(inverse)};
}

Grads reshape_bw(const Node& n, const Tensor& g) { return {g.reshape(n.inputs[0].shape)}; }

// The engine sums the gradient back over the expanded dims.
Grads identity_bw(const Node&, const Tensor& g) { return {g}; }

Grads slice_bw(const Node& n, const Tensor& g) {
  Tensor z = detail::zeros(n.inputs[0].shape, g.dtype(), g.device());
  detail::copy_into(z.slice(int(n.ints[0]), n.ints[1], n.ints[2], n.ints[3]), g);
  return {z};
}

// fill_ and copy_ overwrite self: its previous value gets a zero gradient.
Grads fill_bw(const Node& n, const Tensor& g) { return {zeros_for(n, 0, g)}; }
Grads copy_bw(const Node& n, const Tensor& g) { return {zeros_for(n, 0, g), g}; }

// Op nodes: the formula of the op's row in the gradient table.
Grads op_bw(const Node& n, const Tensor& g) { return grad_row(n.op).formula(n, g); }

Grads accumulate_bw(const Node&, const Tensor&) {
  throw RuntimeError("AccumulateGrad has no formula");  // handled by the engine
}

struct Row {
  Fn fn;
  std::string_view name;  // as PyTorch prints grad_fn
  Formula formula;
};

// clang-format off
constexpr std::array kTable{
  Row{Fn::Op,         "",                    op_bw},
  Row{Fn::Transpose,  "TransposeBackward0",  transpose_bw},
  Row{Fn::T,          "TBackward0",          t_bw},
  Row{Fn::Permute,    "PermuteBackward0",    permute_bw},
  Row{Fn::View,       "ViewBackward0",       reshape_bw},
  Row{Fn::UnsafeView, "UnsafeViewBackward0", reshape_bw},
  Row{Fn::Expand,     "ExpandBackward0",     identity_bw},
  Row{Fn::Slice,      "SliceBackward0",      slice_bw},
  Row{Fn::Clone,      "CloneBackward0",      identity_bw},
  Row{Fn::ToCopy,     "ToCopyBackward0",     identity_bw},
  Row{Fn::Fill,       "FillBackward0",       fill_bw},
  Row{Fn::Copy,       "CopyBackwards",       copy_bw},
  Row{Fn::Add_,       "AddBackward0",        add_bw},
  Row{Fn::AccumulateGrad, "AccumulateGrad",  accumulate_bw},
};
// clang-format on

constexpr bool table_in_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i)
    if (std::size_t(kTable[i].fn) != i) return false;
  return kTable.back().fn == Fn::AccumulateGrad;
}
static_assert(table_in_order(), "formula table rows must follow Fn's order, one per Fn");

const Row& row(Fn fn) { return kTable[std::size_t(fn)]; }

bool takes_part(const TensorImpl& t) { return t.requires_grad || t.grad_fn != nullptr; }

// Where a gradient for `t` goes: its grad_fn, its leaf accumulator, or nowhere.
std::shared_ptr<Node> edge_of(const Tensor& t) {
  TensorImpl& impl = detail::get(t);
  if (impl.grad_fn) return impl.grad_fn;
  if (!impl.requires_grad) return nullptr;
  std::shared_ptr<Node> acc = impl.grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<Node>();
    acc->fn = Fn::AccumulateGrad;
    acc->leaf = t.impl_ptr();
    acc->inputs = {meta_of(t)};
    impl.grad_accumulator = acc;
  }
  return acc;
}

std::shared_ptr<Node> make_node(Fn fn, std::span<const Tensor> inputs) {
  auto node = std::make_shared<Node>();
  node->fn = fn;
  for (const Tensor& t : inputs) {
    node->next.push_back(edge_of(t));
    node->inputs.push_back(meta_of(t));
  }
  return node;
}

// Reduces a formula's gradient to input i's shape (summing broadcast dims), dtype and device.
Tensor conform(Tensor g, const Node& n, std::size_t i) {
  const InputMeta& m = n.inputs[i];
  if (g.sizes() != m.shape) {
    const Shape& gs = g.sizes();
    auto bad = [&] {
      return RuntimeError("Function " + std::string(node_name(n)) +
                          " returned an invalid gradient at index " + std::to_string(i) + " - got " +
                          spec::sizes_str(gs) + " but expected shape compatible with " +
                          spec::sizes_str(m.shape));
    };
    if (m.shape.size() > gs.size()) throw bad();
    const std::size_t lead = gs.size() - m.shape.size();
    std::vector<std::int64_t> dims;
    for (std::size_t d = 0; d < gs.size(); ++d) {
      if (d < lead)
        dims.push_back(std::int64_t(d));
      else if (m.shape[d - lead] == gs[d])
        continue;
      else if (m.shape[d - lead] == 1)
        dims.push_back(std::int64_t(d));
      else
        throw bad();
    }
    if (!dims.empty()) g = sum(g, dims, true);
    g = g.reshape(m.shape);
  }
  if (g.dtype() != m.dtype) g = g.to(m.dtype);
  if (g.device() != m.device) g = g.to(m.device);
  return g;
}

void accumulate(TensorImpl& leaf, const Tensor& g) {
  // The first gradient is copied so .grad never aliases a tensor the caller holds; later
  // ones are added in place, as PyTorch's AccumulateGrad does with grad mode off.
  if (!leaf.grad.defined() || PARITY_FAULT("grad-overwrite"))
    leaf.grad = detail::contiguous_copy(g);
  else
    leaf.grad.add_(g);
}

std::string size_str(const Shape& s) { return "torch.Size(" + spec::sizes_str(s) + ")"; }

}  // namespace

std::string_view fn_name(Fn fn) { return row(fn).name; }

std::string_view node_name(const Node& n) {
  if (n.fn != Fn::Op) return row(n.fn).name;
  const GradRow& r = grad_row(n.op);
  return !n.params.axes.empty() && !r.name_dims.empty() ? r.name_dims : r.name;
}

SavedTensor::SavedTensor(const Tensor& t)
    : data_(detail::alias(t, t.sizes(), t.strides(), t.storage_offset())), saved_(true), version_(t.version()) {
  if (const auto& fn = detail::get(t).grad_fn) origin_ = "output 0 of " + std::string(node_name(*fn));
}

Tensor SavedTensor::unpack() const {
  if (!data_.defined())
    throw RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have "
        "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
        "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
        "if you need to access saved tensors after calling backward.");
  const std::uint64_t now = data_.version();
  if (now != version_)
    throw RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [" +
        detail::torch_type_name(data_) + " " + spec::sizes_str(data_.sizes()) + "]" +
        (origin_.empty() ? "" : ", which is " + origin_ + ",") + " is at version " + std::to_string(now) +
        "; expected version " + std::to_string(version_) + " instead.");
  return data_;
}

Node::~Node() {
  // Children that only this node holds are unlinked here and freed one at a time, each
  // after its own children were moved out, so the recursion never goes deeper than one.
  std::vector<std::shared_ptr<Node>> stack = std::move(next);
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    if (n && n.use_count() == 1)
      for (auto& c : n->next) stack.push_back(std::move(c));
  }
}

void Node::release_saved() {
  for (SavedTensor& t : saved_inputs) t.release();
  saved_output.release();
}

Tensor Node::input(std::size_t i) const {
  if (i >= saved_inputs.size() || !saved_inputs[i].defined())
    throw RuntimeError(std::string(node_name(*this)) + ": the formula reads input " + std::to_string(i) +
                       ", which its gradient row does not save");
  return saved_inputs[i].unpack();
}

Tensor Node::output() const {
  if (!saved_output.defined())
    throw RuntimeError(std::string(node_name(*this)) +
                       ": the formula reads the output, which its gradient row does not save");
  return saved_output.unpack();
}

namespace {
std::shared_ptr<Node> record_node(Fn fn, std::span<const Tensor> inputs, const Tensor& out) {
  if (!grad_enabled() || !spec::is_floating(out.dtype())) return nullptr;
  bool any = false;
  for (const Tensor& t : inputs) any = any || takes_part(detail::get(t));
  if (!any) return nullptr;
  auto node = make_node(fn, inputs);
  detail::get(out).grad_fn = node;
  return node;
}
}  // namespace

std::shared_ptr<Node> record(Fn fn, std::initializer_list<Tensor> inputs, const Tensor& out) {
  return record_node(fn, std::span<const Tensor>(inputs.begin(), inputs.size()), out);
}

void record_op(spec::OpId op, std::span<const Tensor> inputs, const Tensor& out, const spec::Params& params) {
  if (!spec::op_spec(op).differentiable) return;
  auto node = record_node(Fn::Op, inputs, out);
  if (!node) return;
  node->op = op;
  node->params = params;
  // Save only what a needed gradient reads, as PyTorch does, so that unrelated in-place
  // writes do not trip the version check.
  const GradRow& row = grad_row(op);
  node->saved_inputs.resize(inputs.size());
  for (std::size_t i = 0; i < inputs.size() && i < row.needs.size(); ++i) {
    if (!node->needs_grad(i)) continue;
    for (std::size_t j = 0; j < inputs.size(); ++j)
      if ((row.needs[i].inputs & in(int(j))) && !node->saved_inputs[j].defined())
        node->saved_inputs[j] = SavedTensor(inputs[j]);
    if (row.needs[i].output && !node->saved_output.defined()) node->saved_output = SavedTensor(out);
  }
}

void mark_view(const Tensor& base, const Tensor& out) {
  const TensorImpl& b = detail::get(base);
  detail::get(out).view_base = b.view_base ? b.view_base : base.impl_ptr();
}

bool inplace_check(const Tensor& self, std::initializer_list<Tensor> others) {
  if (!grad_enabled()) return false;  // e.g. an optimizer step under no_grad
  const TensorImpl& s = detail::get(self);
  bool any = takes_part(s) || (s.view_base && takes_part(*s.view_base));
  for (const Tensor& t : others) any = any || takes_part(detail::get(t));
  if (!any) return false;
  if (!s.grad_fn && s.requires_grad)
    throw RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
  if (s.view_base) {
    if (!s.view_base->grad_fn && s.view_base->requires_grad)
      throw RuntimeError(
          "a view of a leaf Variable that requires grad is being used in an in-place operation.");
    // PyTorch rebases the base's history here (CopySlices); this engine does not.
    throw RuntimeError(
        "in-place operation on a view of a tensor that takes part in autograd is "
        "not supported; apply it to a clone() of the view instead");
  }
  return spec::is_floating(s.dtype);  // an integer result carries no history
}

std::shared_ptr<Node> inplace_record(Fn fn, const Tensor& self, std::initializer_list<Tensor> others) {
  auto node = std::make_shared<Node>();
  node->fn = fn;
  node->next.push_back(edge_of(self));  // self's history before the write
  node->inputs.push_back(meta_of(self));
  for (const Tensor& t : others) {
    node->next.push_back(edge_of(t));
    node->inputs.push_back(meta_of(t));
  }
  detail::get(self).grad_fn = node;
  return node;
}

namespace {
// The gradient a root starts from: `gradient` checked against it, or ones for one element.
Tensor root_gradient(const Tensor& root, const Tensor& gradient, std::size_t i) {
  const std::string at = std::to_string(i);
  if (!gradient.defined()) {
    if (root.numel() != 1) throw RuntimeError("grad can be implicitly created only for scalar outputs");
    return Tensor::ones(root.sizes(), root.dtype(), root.device());
  }
  if (gradient.sizes() != root.sizes())
    throw RuntimeError("Mismatch in shape: grad_output[" + at + "] has a shape of " + size_str(gradient.sizes()) +
                       " and output[" + at + "] has a shape of " + size_str(root.sizes()) + ".");
  if (gradient.device() != root.device())
    throw DeviceError("invalid gradient at index " + at + " - expected device " + root.device().str() + " but got " +
                      gradient.device().str());
  return gradient.to(root.dtype());
}
}  // namespace

std::vector<Tensor> run_backward(std::span<const Tensor> roots, std::span<const Tensor> gradients, bool retain_graph,
                                 const Capture* capture) {
  if (gradients.size() != roots.size())
    throw RuntimeError("got " + std::to_string(roots.size()) + " tensors and " + std::to_string(gradients.size()) +
                       " gradients");
  for (std::size_t i = 0; i < roots.size(); ++i)
    if (!detail::get(roots[i]).grad_fn && !detail::get(roots[i]).requires_grad)
      throw RuntimeError("element " + std::to_string(i) + " of tensors does not require grad and does not have a grad_fn");
  // Where each captured tensor's gradient arrives: its grad_fn, or its leaf's accumulator
  // (held here, so it lives as long as this backward).
  std::vector<std::shared_ptr<Node>> targets;
  if (capture)
    for (const Tensor& t : capture->inputs) {
      if (!detail::get(t).grad_fn && !detail::get(t).requires_grad)
        throw RuntimeError("One of the differentiated Tensors does not require grad");
      targets.push_back(edge_of(t));
    }
  NoGradGuard no_grad;

  // This pass's number: a node's scratch (Node::pass, pending, grad) is this pass's once
  // `visit` has claimed it (atomic: passes over disjoint graphs may run on several threads).
  static std::atomic<std::uint64_t> passes{0};
  const std::uint64_t pass = passes.fetch_add(1, std::memory_order_relaxed) + 1;
  // Small graphs grow these lists once, not at every doubling (the allocations of a small
  // backward are most of its cost).
  constexpr std::size_t kSmallGraph = 16;
  std::vector<Node*> visited;  // every node this pass reached, to drop their gradients after
  visited.reserve(kSmallGraph);
  const auto visit = [&](Node* n) {
    if (n->pass == pass) return false;
    n->pass = pass;
    n->pending = 0;
    n->grad = Tensor();
    visited.push_back(n);
    return true;
  };
  struct DropGrads {  // an exception must not leave gradients held by the graph
    std::vector<Node*>& nodes;
    ~DropGrads() {
      for (Node* n : nodes) n->grad = Tensor();
    }
  } drop{visited};

  std::vector<std::shared_ptr<Node>> starts;
  starts.reserve(roots.size());
  for (std::size_t i = 0; i < roots.size(); ++i) {
    const Tensor g = root_gradient(roots[i], gradients[i], i);
    std::shared_ptr<Node> start = edge_of(roots[i]);
    visit(start.get());
    Tensor& buf = start->grad;
    buf = buf.defined() ? add(buf, g) : g;
    starts.push_back(std::move(start));
  }

  // Count, per node, the edges that reach it from the roots: a node runs once all of them
  // have delivered their gradient (a topological order).
  std::vector<Node*> reached;  // every node once, the roots first: it grows as it is read
  reached.reserve(kSmallGraph);
  for (const auto& s : starts)
    if (std::find(reached.begin(), reached.end(), s.get()) == reached.end()) reached.push_back(s.get());
  for (std::size_t k = 0; k < reached.size(); ++k) {
    for (const auto& next : reached[k]->next) {
      if (!next) continue;
      const bool first = visit(next.get());
      ++next->pending;
      if (first) reached.push_back(next.get());
    }
  }
  std::vector<Node*> ready;  // the roots no other root reaches, each once, in the callers' order
  ready.reserve(kSmallGraph);
  for (const auto& s : starts)
    if (s->pending == 0 && std::find(ready.begin(), ready.end(), s.get()) == ready.end()) ready.push_back(s.get());

  // With a capture: which nodes lead to a captured one. Only those run their formula, as
  // PyTorch's autograd.grad runs only what the inputs need: one pass over the nodes in
  // reverse topological order (Kahn's, on a copy of the counts).
  std::unordered_set<Node*> wanted, leads;
  if (capture) {
    for (const auto& t : targets) wanted.insert(t.get());
    std::unordered_map<Node*, int> left;
    for (Node* v : visited) left[v] = v->pending;
    std::vector<Node*> topo, todo = ready;
    while (!todo.empty()) {
      Node* n = todo.back();
      todo.pop_back();
      topo.push_back(n);
      for (const auto& next : n->next)
        if (next && --left[next.get()] == 0) todo.push_back(next.get());
    }
    for (auto it = topo.rbegin(); it != topo.rend(); ++it)
      for (const auto& next : (*it)->next)
        if (next && (wanted.count(next.get()) || leads.count(next.get()))) {
          leads.insert(*it);
          break;
        }
  }

  std::unordered_map<Node*, Tensor> captured;
  while (!ready.empty()) {
    Node* n = ready.back();
    ready.pop_back();
    const Tensor gin = std::move(n->grad);
    if (capture && wanted.count(n) && gin.defined()) captured[n] = gin;
    if (n->fn == Fn::AccumulateGrad) {
      if (!capture && gin.defined()) accumulate(*n->leaf, gin);
      continue;
    }
    const bool run = gin.defined() && (!capture || leads.count(n));  // undefined: no path carried a gradient
    Grads out;
    if (run) {
      out = row(n->fn).formula(*n, gin);
      if (out.size() != n->next.size())
        throw RuntimeError(std::string(node_name(*n)) + " returned " + std::to_string(out.size()) +
                           " gradients for " + std::to_string(n->next.size()) + " inputs");
      if (!retain_graph) n->release_saved();
    }
    for (std::size_t i = 0; i < n->next.size(); ++i) {
      Node* next = n->next[i].get();
      if (!next) continue;
      if (run && out[i].defined()) {
        Tensor gi = conform(out[i], *n, i);
        Tensor& buf = next->grad;
        buf = buf.defined() ? add(buf, gi) : gi;
      }
      if (--next->pending == 0) ready.push_back(next);
    }
  }

  std::vector<Tensor> result;
  if (capture)
    for (const auto& t : targets) {
      auto it = captured.find(t.get());
      if (it == captured.end() && !capture->allow_unused)
        throw RuntimeError(
            "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True "
            "if this is the desired behavior.");
      result.push_back(it == captured.end() ? Tensor() : it->second);
    }
  return result;
}

}  // namespace autograd

// ---- autograd members of Tensor -------------------------------------------------------

bool Tensor::requires_grad() const {
  const TensorImpl& t = detail::get(*this);
  return t.requires_grad || t.grad_fn != nullptr;
}

Tensor& Tensor::requires_grad_(bool value) {
  TensorImpl& t = detail::get(*this);
  if (t.grad_fn) {
    if (!value)
      throw RuntimeError(
          "you can only change requires_grad flags of leaf variables. If you want to "
          "use a computed variable in a subgraph that doesn't require "
          "differentiation use var_no_grad = var.detach().");
    return *this;
  }
  if (value && !spec::is_floating(t.dtype))
    throw RuntimeError("only Tensors of floating point dtype can require gradients");
  t.requires_grad = value;
  return *this;
}

bool Tensor::is_leaf() const { return detail::get(*this).grad_fn == nullptr; }

Tensor Tensor::grad() const { return detail::get(*this).grad; }

// As PyTorch 2's zero_grad(set_to_none=True): the next backward starts a fresh .grad.
void Tensor::zero_grad() { detail::get(*this).grad = Tensor(); }

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  autograd::run_backward(std::span<const Tensor>(this, 1), std::span<const Tensor>(&gradient, 1), retain_graph);
}

std::vector<Tensor> grad(std::span<const Tensor> outputs, std::span<const Tensor> inputs,
                         std::span<const Tensor> grad_outputs, bool retain_graph, bool allow_unused) {
  // No grad_outputs: one undefined (ones) per output, as torch.autograd.grad(..., None).
  const std::vector<Tensor> none(grad_outputs.empty() ? outputs.size() : 0);
  const autograd::Capture capture{inputs, allow_unused};
  return autograd::run_backward(outputs, grad_outputs.empty() ? std::span<const Tensor>(none) : grad_outputs,
                                retain_graph, &capture);
}

Tensor Tensor::detach() const { return detail::alias(*this, sizes(), strides(), storage_offset()); }

std::string Tensor::grad_fn_name() const {
  const TensorImpl& t = detail::get(*this);
  return t.grad_fn ? std::string(autograd::node_name(*t.grad_fn)) : std::string();
}

}  // namespace parity::tensor
