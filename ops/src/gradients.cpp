// tf.gradients: reverse-mode differentiation over the graph, TF 1.x's
// algorithm (python/ops/gradients_util.py) in our own words.
#include <minitf/ops/gradients.h>

#include <deque>
#include <map>
#include <set>
#include <string>

#include <minitf/ops/array_ops.h>
#include <minitf/ops/math_ops.h>
#include <minitf/ops/op_def.h>

#include "name_scope_guard.h"

namespace minitf {
namespace {

bool is_float(DType d) { return d == float32; }

}  // namespace

std::vector<Output> gradients(const std::vector<Output>& ys, const std::vector<Output>& xs,
                              const std::vector<Output>& grad_ys) {
  if (ys.empty()) throw ValueError("tf.gradients needs at least one y");
  for (const Output& t : ys) {
    if (t.empty()) throw ValueError("tf.gradients: a y is an empty Output");
  }
  for (const Output& t : xs) {
    if (t.empty()) throw ValueError("tf.gradients: an x is an empty Output");
  }
  if (!grad_ys.empty() && grad_ys.size() != ys.size()) {
    throw ValueError("tf.gradients: " + std::to_string(grad_ys.size()) + " grad_ys given for " +
                     std::to_string(ys.size()) + " ys");
  }
  Graph g = graph_of(ys[0].op());
  auto check_graph = [&g, &ys](const Output& t, const char* what) {
    if (!t.empty() && !t.op().in_graph(g)) {
      throw ValueError("tf.gradients: " + std::string(what) + " '" + t.name() +
                       "' is not in the graph of y '" + ys[0].name() + "'");
    }
  };
  for (const Output& t : ys) check_graph(t, "y");
  for (const Output& t : xs) check_graph(t, "x");
  for (const Output& t : grad_ys) check_graph(t, "grad_y");

  // Consumers of every op of the graph, by data edge.
  const int64_t n = g.num_operations();
  std::vector<std::vector<int64_t>> consumers(static_cast<size_t>(n));
  for (const Operation& op : g.operations()) {
    for (const Output& in : op.inputs()) consumers[static_cast<size_t>(in.op().id())].push_back(op.id());
  }
  // Ops reachable forward from the xs.
  std::vector<char> reached(static_cast<size_t>(n), 0);
  std::vector<int64_t> stack;
  for (const Output& x : xs) stack.push_back(x.op().id());
  while (!stack.empty()) {
    const int64_t id = stack.back();
    stack.pop_back();
    if (reached[static_cast<size_t>(id)]) continue;
    reached[static_cast<size_t>(id)] = 1;
    for (int64_t c : consumers[static_cast<size_t>(id)]) stack.push_back(c);
  }
  // Of those, the ops on a path back from the ys: the only ops whose gradients are needed.
  std::vector<char> between(static_cast<size_t>(n), 0);
  for (const Output& y : ys) stack.push_back(y.op().id());
  while (!stack.empty()) {
    const int64_t id = stack.back();
    stack.pop_back();
    if (!reached[static_cast<size_t>(id)] || between[static_cast<size_t>(id)]) continue;
    between[static_cast<size_t>(id)] = 1;
    for (const Output& in : g.operation_at(id).inputs()) stack.push_back(in.op().id());
  }
  // An op is ready once every consumer in `between` has given its gradients.
  std::vector<int> pending(static_cast<size_t>(n), 0);
  for (int64_t id = 0; id < n; ++id) {
    if (!between[static_cast<size_t>(id)]) continue;
    for (const Output& in : g.operation_at(id).inputs()) {
      if (between[static_cast<size_t>(in.op().id())]) ++pending[static_cast<size_t>(in.op().id())];
    }
  }

  auto default_guard = g.as_default();  // constants made by gradient functions land in this graph
  NameScopeGuard root(g, g.unique_name("gradients"));
  // Received gradients per (op id, output index), summed when the op is processed.
  std::map<std::pair<int64_t, int>, std::vector<Output>> received;
  for (size_t i = 0; i < ys.size(); ++i) {
    const Output& y = ys[i];
    Output gy;
    if (!grad_ys.empty() && !grad_ys[i].empty()) {
      gy = grad_ys[i];
      if (gy.dtype() != y.dtype() || !gy.shape().compatible_with(y.shape())) {
        throw ValueError("tf.gradients: grad_ys[" + std::to_string(i) + "] '" + gy.name() + "' of dtype " +
                         dtype_name(gy.dtype()) + " and shape " + gy.shape().to_string() +
                         " does not match y '" + y.name() + "' of dtype " + dtype_name(y.dtype()) +
                         " and shape " + y.shape().to_string());
      }
    } else {
      if (!is_float(y.dtype())) {
        throw ValueError("tf.gradients: y '" + y.name() + "' has dtype " + dtype_name(y.dtype()) +
                         "; gradients need float32 ys");
      }
      const std::string name = "grad_ys_" + std::to_string(i);
      gy = y.shape().fully_defined() ? fill(y.shape(), 1.f, y.dtype(), name) : ones_like(y, name);
    }
    received[{y.op().id(), y.index()}].push_back(gy);
  }

  std::deque<int64_t> queue;
  std::set<int64_t> queued;
  for (const Output& y : ys) {
    const int64_t id = y.op().id();
    if (between[static_cast<size_t>(id)] && pending[static_cast<size_t>(id)] == 0 &&
        queued.insert(id).second) {
      queue.push_back(id);
    }
  }
  // Summed gradients of the outputs of processed ops, for the xs.
  std::map<std::pair<int64_t, int>, Output> summed;

  while (!queue.empty()) {
    const Operation op = g.operation_at(queue.front());
    queue.pop_front();
    const std::vector<Output> inputs = op.inputs();
    std::vector<Output> out_grads(static_cast<size_t>(op.num_outputs()));
    bool any = false;
    for (int i = 0; i < op.num_outputs(); ++i) {
      auto it = received.find({op.id(), i});
      if (it == received.end()) continue;
      std::vector<Output>& list = it->second;
      out_grads[static_cast<size_t>(i)] = list.size() == 1 ? list[0] : add_n(list);
      summed[{op.id(), i}] = out_grads[static_cast<size_t>(i)];
      received.erase(it);
      any = true;
    }
    // A from-op none of whose inputs lies between needs no gradient of its inputs.
    bool needs_inputs = false;
    for (const Output& in : inputs) needs_inputs |= bool(between[static_cast<size_t>(in.op().id())]);
    if (any && needs_inputs && !is_not_differentiable(op.type())) {
      const GradFn* fn = find_gradient(op.type());
      if (!fn) {
        throw UnimplementedError("No gradient defined for operation '" + op.name() + "' (op type: " +
                                 op.type() + "); it lies between the ys and the xs of tf.gradients");
      }
      // Float outputs nobody differentiated get zeros, so gradient functions see every output's gradient.
      for (int i = 0; i < op.num_outputs(); ++i) {
        Output& og = out_grads[static_cast<size_t>(i)];
        if (og.empty() && is_float(op.output(i).dtype())) og = zeros_like(op.output(i));
      }
      std::vector<Output> in_grads;
      {
        NameScopeGuard scope(g, g.unique_name(op.name() + "_grad"));
        in_grads = (*fn)(op, out_grads);
      }
      if (in_grads.size() != inputs.size()) {
        throw ValueError("The gradient function of '" + op.name() + "' (op type: " + op.type() +
                         ") returned " + std::to_string(in_grads.size()) + " gradients for " +
                         std::to_string(inputs.size()) + " inputs");
      }
      for (size_t i = 0; i < inputs.size(); ++i) {
        const Output& gin = in_grads[i];
        if (gin.empty() || !between[static_cast<size_t>(inputs[i].op().id())]) continue;
        if (!gin.shape().compatible_with(inputs[i].shape()) || gin.dtype() != inputs[i].dtype()) {
          throw ValueError(
              "Incompatible shapes between op input and calculated input gradient. Forward "
              "operation: " +
              op.name() + ". Input index: " + std::to_string(i) + ". Original input shape: " +
              inputs[i].shape().to_string() + " (" + dtype_name(inputs[i].dtype()) +
              "). Calculated input gradient shape: " + gin.shape().to_string() + " (" +
              dtype_name(gin.dtype()) + ")");
        }
        received[{inputs[i].op().id(), inputs[i].index()}].push_back(gin);
      }
    }
    for (const Output& in : inputs) {
      const int64_t id = in.op().id();
      if (!between[static_cast<size_t>(id)]) continue;
      if (--pending[static_cast<size_t>(id)] == 0 && queued.insert(id).second) queue.push_back(id);
    }
  }

  std::vector<Output> result;
  result.reserve(xs.size());
  for (const Output& x : xs) {
    auto it = summed.find({x.op().id(), x.index()});
    result.push_back(it == summed.end() ? Output() : it->second);
  }
  return result;
}

}  // namespace minitf
