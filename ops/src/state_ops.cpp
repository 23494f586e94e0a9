// State: VariableV2 and Assign, the ops tf.Variable and get_variable are made
// of, and the ops that update a variable in place (AssignAdd, AssignSub and
// the optimizers' Apply* ops, TF's core/ops/{state,training}_ops.cc).
#include <minitf/ops/ops.h>

#include <initializer_list>

#include "families.h"

namespace minitf {
namespace {

OutputSpecs assign_shape(const InferenceContext& c) {
  if (!c.attr<bool>("validate_shape")) {
    throw UnimplementedError("Op " + c.what() +
                             ": validate_shape=false is not supported (minitf variables keep their shape)");
  }
  shape_fns::require_same_dtype(c);
  if (!c.shape(0).compatible_with(c.shape(1))) {
    throw ValueError("Shapes " + c.shape(0).to_string() + " and " + c.shape(1).to_string() +
                     " are incompatible for " + c.what());
  }
  return {c.inputs[0]};
}

// The shape rule of the update ops: the inputs in `same` (the variable, its
// slots and the gradient) have the variable's shape, those in `scalars` are
// scalars; the output is the variable.
ShapeFn update_shape(std::initializer_list<size_t> same, std::initializer_list<size_t> scalars) {
  return [same = std::vector<size_t>(same),
          scalars = std::vector<size_t>(scalars)](const InferenceContext& c) {
    const OpDef& def = op_def(c.type);
    for (size_t i : same) {
      if (!c.shape(0).compatible_with(c.shape(i))) {
        throw ValueError("Shapes of " + def.inputs[0].name + " " + c.shape(0).to_string() + " and " +
                         def.inputs[i].name + " " + c.shape(i).to_string() + " are incompatible for " +
                         c.what() + " with input shapes: " + c.input_shapes() + ".");
      }
    }
    for (size_t i : scalars) {
      if (c.shape(i).rank() != 0) {
        throw ValueError(def.inputs[i].name + " must be a scalar, but has shape " + c.shape(i).to_string() +
                         " for " + c.what() + " with input shapes: " + c.input_shapes() + ".");
      }
    }
    return OutputSpecs{c.inputs[0]};
  };
}

// TF refuses a value where a reference input wants the variable itself
// ("requires l-value input"); a tf::Variable converts to its read, not to it.
void require_variable(const Output& ref, const char* type, const char* input) {
  if (ref.empty() || !op_def(ref.op().type()).variable) {
    throw ValueError(std::string("Input '") + input + "' of '" + type +
                     "' Op requires l-value input: the variable's own output (var.op().output(0)), got " +
                     (ref.empty() ? std::string("an empty Output") : "'" + ref.name() + "'"));
  }
}

std::string name_or(const OpName& name, const char* default_name) {
  return name.empty() ? default_name : name.str();
}

}  // namespace

void register_state_ops(const AddOp& add) {
  add(OpDef("VariableV2")
          .output("ref")
          .attr("shape", AttrType::kShape)
          .attr("dtype", AttrType::kType)
          .set_variable()
          .shape_fn(shape_fns::from_attrs));
  add(OpDef("Assign")
          .ref_input("ref")
          .input("value")
          .output("output_ref")
          .attr("validate_shape", true)
          .set_stateful()
          .shape_fn(assign_shape));
  for (const char* type : {"AssignAdd", "AssignSub"}) {
    add(OpDef(type)
            .ref_input("ref")
            .input("value", {float32, int32, int64})
            .output("output_ref")
            .attr("use_locking", false)
            .set_stateful()
            .shape_fn(update_shape({1}, {})));
  }
  // The Apply* ops compute in float32 only (TF's T: numbertype).
  add(OpDef("ApplyGradientDescent")
          .ref_input("var")
          .input("alpha", {float32})
          .input("delta", {float32})
          .output("out")
          .attr("use_locking", false)
          .set_stateful()
          .shape_fn(update_shape({2}, {1})));
  add(OpDef("ApplyMomentum")
          .ref_input("var")
          .ref_input("accum")
          .input("lr", {float32})
          .input("grad", {float32})
          .input("momentum", {float32})
          .output("out")
          .attr("use_locking", false)
          .attr("use_nesterov", false)
          .set_stateful()
          .shape_fn(update_shape({1, 3}, {2, 4})));
  add(OpDef("ApplyAdam")
          .ref_input("var")
          .ref_input("m")
          .ref_input("v")
          .input("beta1_power", {float32})
          .input("beta2_power", {float32})
          .input("lr", {float32})
          .input("beta1", {float32})
          .input("beta2", {float32})
          .input("epsilon", {float32})
          .input("grad", {float32})
          .output("out")
          .attr("use_locking", false)
          .attr("use_nesterov", false)
          .set_stateful()
          .shape_fn(update_shape({1, 2, 9}, {3, 4, 5, 6, 7, 8})));
}

namespace raw_ops {

Operation variable_v2(const Shape& shape, DType dtype, const OpName& name) {
  Graph g = get_default_graph();
  return create_op(g, "VariableV2", name.empty() ? "Variable" : name.str(), {},
                   {{"shape", shape}, {"dtype", dtype}});
}

Output assign(const Output& ref, const Output& value, const OpName& name) {
  Graph g = graph_for({ref});
  return create_op(g, "Assign", name.empty() ? "Assign" : name.str(), {ref, value}).output(0);
}

Output assign_add(const Output& ref, const Output& value, const OpName& name) {
  require_variable(ref, "AssignAdd", "ref");
  return create_op(graph_for({ref}), "AssignAdd", name_or(name, "AssignAdd"), {ref, value}).output(0);
}

Output assign_sub(const Output& ref, const Output& value, const OpName& name) {
  require_variable(ref, "AssignSub", "ref");
  return create_op(graph_for({ref}), "AssignSub", name_or(name, "AssignSub"), {ref, value}).output(0);
}

Output apply_gradient_descent(const Output& var, const Output& alpha, const Output& delta,
                              const OpName& name) {
  require_variable(var, "ApplyGradientDescent", "var");
  return create_op(graph_for({var}), "ApplyGradientDescent", name_or(name, "ApplyGradientDescent"),
                   {var, alpha, delta})
      .output(0);
}

Output apply_momentum(const Output& var, const Output& accum, const Output& lr, const Output& grad,
                      const Output& momentum, bool use_nesterov, const OpName& name) {
  require_variable(var, "ApplyMomentum", "var");
  require_variable(accum, "ApplyMomentum", "accum");
  return create_op(graph_for({var}), "ApplyMomentum", name_or(name, "ApplyMomentum"),
                   {var, accum, lr, grad, momentum}, {{"use_nesterov", use_nesterov}})
      .output(0);
}

Output apply_adam(const Output& var, const Output& m, const Output& v, const Output& beta1_power,
                  const Output& beta2_power, const Output& lr, const Output& beta1, const Output& beta2,
                  const Output& epsilon, const Output& grad, const OpName& name) {
  require_variable(var, "ApplyAdam", "var");
  require_variable(m, "ApplyAdam", "m");
  require_variable(v, "ApplyAdam", "v");
  return create_op(graph_for({var}), "ApplyAdam", name_or(name, "ApplyAdam"),
                   {var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad})
      .output(0);
}

}  // namespace raw_ops
}  // namespace minitf
