// TF 1.x's optimizers (python/training/optimizer.py, gradient_descent.py,
// momentum.py, adam.py), in our words.
#include <minitf/train/optimizer.h>

#include <minitf/ops/array_ops.h>
#include <minitf/ops/control_flow_ops.h>
#include <minitf/ops/gradients.h>
#include <minitf/ops/math_ops.h>
#include <minitf/ops/op_def.h>
#include <minitf/ops/state_ops.h>
#include <minitf/scope/initializers.h>
#include <minitf/scope/scopes.h>

namespace minitf::train {
namespace {

constexpr const char* kGlobalStepKey = "global_step";

Output ref(const Variable& v) { return v.op().output(0); }

}  // namespace

Variable get_global_step() {
  auto defs = get_default_graph().get_collection(kGlobalStepKey);
  if (defs.size() > 1) {
    throw ValueError("The graph has " + std::to_string(defs.size()) +
                     " variables in the 'global_step' collection");
  }
  return defs.empty() ? Variable() : Variable(defs[0]);
}

Variable get_or_create_global_step() {
  if (Variable existing = get_global_step(); !existing.empty()) return existing;
  Graph g = get_default_graph();
  name_scope root("");
  Variable step = get_variable(
      kGlobalStepKey, Shape{},
      GetVariableOptions{.initializer = zeros_initializer(), .dtype = int64, .trainable = false});
  g.add_to_collection(kGlobalStepKey, *step.def());
  return step;
}

GradsAndVars Optimizer::compute_gradients(const Output& loss, const std::vector<Variable>& var_list) {
  if (loss.empty()) throw ValueError("Optimizer '" + name_ + "': compute_gradients got an empty loss");
  std::vector<Variable> vars = var_list;
  if (vars.empty()) {
    auto guard = graph_of(loss.op()).as_default();
    vars = trainable_variables();
  }
  if (vars.empty()) throw ValueError("Optimizer '" + name_ + "': no variables to optimize");
  std::vector<Output> xs;
  for (const Variable& v : vars) xs.push_back(v.value());
  const std::vector<Output> grads = gradients({loss}, xs);
  GradsAndVars out;
  for (size_t i = 0; i < vars.size(); ++i) {
    if (!grads[i].empty()) out.emplace_back(grads[i], vars[i]);
  }
  return out;
}

Operation Optimizer::apply_gradients(const GradsAndVars& grads_and_vars, const Variable& global_step) {
  std::vector<std::pair<Output, Variable>> pairs;
  std::string names;
  for (const auto& [grad, var] : grads_and_vars) {
    if (var.empty()) throw ValueError("Optimizer '" + name_ + "': apply_gradients got an empty variable");
    names += (names.empty() ? "" : ", ") + var.name();
    if (grad.empty()) continue;
    if (grad.dtype() != var.dtype() || !grad.shape().compatible_with(var.shape())) {
      throw ValueError("Optimizer '" + name_ + "': the gradient '" + grad.name() + "' of shape " +
                       grad.shape().to_string() + " does not fit variable '" + var.name() + "' of shape " +
                       var.shape().to_string());
    }
    pairs.emplace_back(grad, var);
  }
  if (pairs.empty()) {
    throw ValueError("No gradients provided for any variable: [" + names + "] (Optimizer '" + name_ + "')");
  }
  if (!global_step.empty() && (global_step.dtype() != int64 || global_step.shape().rank() != 0)) {
    throw ValueError("Optimizer '" + name_ + "': global_step '" + global_step.name() +
                     "' must be an int64 scalar, got " + dtype_name(global_step.dtype()) + " " +
                     global_step.shape().to_string());
  }
  Graph g = graph_of(pairs[0].second.op());
  auto guard = g.as_default();
  {
    name_scope root("");  // slots and TF's non-slot variables are named from the root
    std::vector<Variable> vars;
    for (const auto& p : pairs) vars.push_back(p.second);
    create_slots(vars);
  }
  name_scope scope(name_);
  prepare();
  std::vector<Operation> updates;
  for (const auto& [grad, var] : pairs) {
    name_scope update("update_" + var.op().name());
    updates.push_back(apply_dense(grad, var));
  }
  if (global_step.empty()) return finish(updates, scope.name());
  const Operation done = finish(updates, "update");
  const Tensor one = Tensor::from<int64_t>(Shape{}, {1});
  const Output value = create_op(g, "Const", "value", {}, {{"value", one}, {"dtype", int64}}).output(0);
  return create_op(g, "AssignAdd", scope.name(), {ref(global_step), value}, {}, {done});
}

Operation Optimizer::minimize(const Output& loss, const Variable& global_step,
                              const std::vector<Variable>& var_list) {
  const GradsAndVars grads = compute_gradients(loss, var_list);
  if (grads.empty()) {
    std::string names;
    for (const Variable& v : var_list.empty() ? trainable_variables() : var_list) {
      names += (names.empty() ? "" : ", ") + v.name();
    }
    throw ValueError(
        "No gradients provided for any variable, check your graph for ops that do not support "
        "gradients, between variables [" +
        names + "] and loss '" + loss.name() + "'");
  }
  return apply_gradients(grads, global_step);
}

Operation Optimizer::finish(const std::vector<Operation>& updates, const std::string& name) {
  return group(updates, name);
}

Variable Optimizer::get_slot(const Variable& var, const std::string& slot) const {
  auto it = slots_.find(slot);
  if (it == slots_.end() || var.empty()) return {};
  auto v = it->second.find(var.op().id());
  return v == it->second.end() ? Variable() : v->second;
}

std::vector<std::string> Optimizer::get_slot_names() const {
  std::vector<std::string> names;
  for (const auto& [name, vars] : slots_) names.push_back(name);
  return names;
}

Variable Optimizer::zeros_slot(const Variable& var, const std::string& slot, const std::string& op_name) {
  if (Variable existing = get_slot(var, slot); !existing.empty()) return existing;
  const std::string name = var.op().name() + "/" + op_name;
  Output zero = zeros(var.shape(), var.dtype(), name + "/Initializer/zeros");
  Variable made(zero, name, false);
  slots_[slot][var.op().id()] = made;
  return made;
}

Output Optimizer::scalar(float value, const std::string& name) { return constant(value, name); }

// ---- GradientDescent ----

GradientDescentOptimizer::GradientDescentOptimizer(float learning_rate, const std::string& name)
    : Optimizer(name), learning_rate_(learning_rate) {}

void GradientDescentOptimizer::prepare() { lr_t_ = scalar(learning_rate_, "learning_rate"); }

Operation GradientDescentOptimizer::apply_dense(const Output& grad, const Variable& var) {
  return raw_ops::apply_gradient_descent(ref(var), lr_t_, grad).op();
}

// ---- Momentum ----

MomentumOptimizer::MomentumOptimizer(float learning_rate, float momentum, bool use_nesterov,
                                     const std::string& name)
    : Optimizer(name), learning_rate_(learning_rate), momentum_(momentum), use_nesterov_(use_nesterov) {}

void MomentumOptimizer::create_slots(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) zeros_slot(v, "momentum", name());
}

void MomentumOptimizer::prepare() {
  lr_t_ = scalar(learning_rate_, "learning_rate");
  momentum_t_ = scalar(momentum_, "momentum");
}

Operation MomentumOptimizer::apply_dense(const Output& grad, const Variable& var) {
  return raw_ops::apply_momentum(ref(var), ref(get_slot(var, "momentum")), lr_t_, grad, momentum_t_,
                                 use_nesterov_)
      .op();
}

// ---- Adam ----

AdamOptimizer::AdamOptimizer(float learning_rate, float beta1, float beta2, float epsilon,
                             const std::string& name)
    : Optimizer(name), learning_rate_(learning_rate), beta1_(beta1), beta2_(beta2), epsilon_(epsilon) {}

void AdamOptimizer::create_slots(const std::vector<Variable>& vars) {
  if (beta1_power_.empty()) {
    beta1_power_ = Variable(constant(beta1_, "beta1_power/initial_value"), "beta1_power", false);
    beta2_power_ = Variable(constant(beta2_, "beta2_power/initial_value"), "beta2_power", false);
  }
  for (const Variable& v : vars) {
    zeros_slot(v, "m", name());
    zeros_slot(v, "v", name() + "_1");
  }
}

void AdamOptimizer::prepare() {
  lr_t_ = scalar(learning_rate_, "learning_rate");
  beta1_t_ = scalar(beta1_, "beta1");
  beta2_t_ = scalar(beta2_, "beta2");
  epsilon_t_ = scalar(epsilon_, "epsilon");
}

Operation AdamOptimizer::apply_dense(const Output& grad, const Variable& var) {
  return raw_ops::apply_adam(ref(var), ref(get_slot(var, "m")), ref(get_slot(var, "v")), beta1_power_.value(),
                             beta2_power_.value(), lr_t_, beta1_t_, beta2_t_, epsilon_t_, grad)
      .op();
}

Operation AdamOptimizer::finish(const std::vector<Operation>& updates, const std::string& name) {
  // After every update: beta1_power *= beta1, beta2_power *= beta2.
  Graph g = graph_of(beta1_power_.op());
  const Output m1 = create_op(g, "Mul", "mul", {beta1_power_.value(), beta1_t_}, {}, updates).output(0);
  const Output a1 = raw_ops::assign(ref(beta1_power_), m1);
  const Output m2 = create_op(g, "Mul", "mul", {beta2_power_.value(), beta2_t_}, {}, updates).output(0);
  const Output a2 = raw_ops::assign(ref(beta2_power_), m2);
  std::vector<Operation> all = updates;
  all.push_back(a1.op());
  all.push_back(a2.op());
  return group(all, name);
}

}  // namespace minitf::train
