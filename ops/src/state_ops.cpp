// State: VariableV2 and Assign, the ops tf.Variable and get_variable are made of.
#include <minitf/ops/ops.h>

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

}  // namespace raw_ops
}  // namespace minitf
