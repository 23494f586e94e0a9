#pragma once
// TF 1.x's tf.train optimizers: gradients by tf::gradients, updates by the
// stateful Apply* ops, slot variables named as TF names them.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <minitf/graph/graph.h>
#include <minitf/scope/variable.h>

namespace minitf::train {

// The int64 scalar variable "global_step" of the default graph (zeros
// initializer, not trainable, in the global variables and the "global_step"
// collection): the existing one, else a new one.
Variable get_or_create_global_step();
// The default graph's global step, or an empty Variable when it has none.
Variable get_global_step();

using GradsAndVars = std::vector<std::pair<Output, Variable>>;

// TF's tf.train.Optimizer. Subclasses give the per-variable update.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // (gradient, variable) for each variable of `var_list` (default: the
  // trainable variables) that `loss` reaches, in var_list's order; a
  // variable the loss does not reach is left out. ValueError when none is reached.
  GradsAndVars compute_gradients(const Output& loss, const std::vector<Variable>& var_list = {});
  // One update op per variable under "<name>/update_<var>/", then TF's finish
  // (Adam: beta powers); with a global step, the returned op is an
  // AssignAdd of it named "<name>" that runs after every update. Pairs with
  // an empty gradient are skipped; ValueError when none is left.
  Operation apply_gradients(const GradsAndVars& grads_and_vars, const Variable& global_step = {});
  // compute_gradients then apply_gradients.
  Operation minimize(const Output& loss, const Variable& global_step = {},
                     const std::vector<Variable>& var_list = {});

  const std::string& name() const { return name_; }
  // The slot variable `slot` ("m", "v", "momentum") of `var`; an empty Variable when there is none.
  Variable get_slot(const Variable& var, const std::string& slot) const;
  std::vector<std::string> get_slot_names() const;

 protected:
  explicit Optimizer(std::string name) : name_(std::move(name)) {}
  // Makes the slots of each variable that lacks them (zeros_slot).
  virtual void create_slots(const std::vector<Variable>& vars) = 0;
  // Constants under the "<name>/" scope (learning_rate, ...), before the updates.
  virtual void prepare() = 0;
  // The update of one variable, under "<name>/update_<var>/".
  virtual Operation apply_dense(const Output& grad, const Variable& var) = 0;
  // Groups the updates into one op named `name` (in the "<name>/" scope).
  virtual Operation finish(const std::vector<Operation>& updates, const std::string& name);
  // A zeros variable shaped as `var`, named "<var>/<op_name>", not trainable, kept as slot `slot`.
  Variable zeros_slot(const Variable& var, const std::string& slot, const std::string& op_name);
  // A float32 scalar constant named `name` in the current scope.
  static Output scalar(float value, const std::string& name);

 private:
  std::string name_;
  std::map<std::string, std::map<int64_t, Variable>> slots_;  // slot -> VariableV2 op id -> slot variable
};

// var -= learning_rate * grad (ApplyGradientDescent).
class GradientDescentOptimizer : public Optimizer {
 public:
  explicit GradientDescentOptimizer(float learning_rate, const std::string& name = "GradientDescent");

 private:
  void create_slots(const std::vector<Variable>&) override {}
  void prepare() override;
  Operation apply_dense(const Output& grad, const Variable& var) override;
  float learning_rate_;
  Output lr_t_;
};

// accum = momentum * accum + grad; var -= learning_rate * accum (ApplyMomentum);
// slot "momentum" named "<var>/Momentum".
class MomentumOptimizer : public Optimizer {
 public:
  MomentumOptimizer(float learning_rate, float momentum, bool use_nesterov = false,
                    const std::string& name = "Momentum");

 private:
  void create_slots(const std::vector<Variable>& vars) override;
  void prepare() override;
  Operation apply_dense(const Output& grad, const Variable& var) override;
  float learning_rate_, momentum_;
  bool use_nesterov_;
  Output lr_t_, momentum_t_;
};

// Adam (ApplyAdam), as TF 1.x: slots "m" and "v" named "<var>/Adam" and
// "<var>/Adam_1", and the non-slot variables "beta1_power" and
// "beta2_power", multiplied by beta1 and beta2 after every step.
class AdamOptimizer : public Optimizer {
 public:
  explicit AdamOptimizer(float learning_rate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f,
                         float epsilon = 1e-8f, const std::string& name = "Adam");
  Variable beta1_power() const { return beta1_power_; }
  Variable beta2_power() const { return beta2_power_; }

 private:
  void create_slots(const std::vector<Variable>& vars) override;
  void prepare() override;
  Operation apply_dense(const Output& grad, const Variable& var) override;
  Operation finish(const std::vector<Operation>& updates, const std::string& name) override;
  float learning_rate_, beta1_, beta2_, epsilon_;
  Variable beta1_power_, beta2_power_;
  Output lr_t_, beta1_t_, beta2_t_, epsilon_t_;
};

}  // namespace minitf::train
