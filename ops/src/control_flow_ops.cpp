// Control flow: NoOp, and tf.group built on it.
#include <minitf/ops/ops.h>

#include "families.h"

namespace minitf {

void register_control_flow_ops(const AddOp& add) {
  add(OpDef("NoOp").shape_fn([](const InferenceContext&) { return OutputSpecs{}; }));
}

Operation no_op(const OpName& name, std::vector<Operation> control_inputs) {
  Graph g = get_default_graph();
  return create_op(g, "NoOp", name.empty() ? "NoOp" : name.str(), {}, {}, std::move(control_inputs));
}
Operation group(std::vector<Operation> ops, const OpName& name) {
  return no_op(name.empty() ? OpName("group_deps") : name, std::move(ops));
}

}  // namespace minitf
