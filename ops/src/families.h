#pragma once
// What the op family files share: how each registers its definitions, and
// the small shape helpers several families use.
#include <functional>

#include <minitf/ops/op_def.h>

namespace minitf {

using AddOp = std::function<void(OpDef)>;
using AddFusion = std::function<void(FusionRule)>;

void register_array_ops(const AddOp& add);
void register_control_flow_ops(const AddOp& add);
void register_math_ops(const AddOp& add, const AddFusion& add_fusion);
void register_nn_ops(const AddOp& add, const AddFusion& add_fusion);
void register_random_ops(const AddOp& add);
void register_state_ops(const AddOp& add);

// How a family registers gradient functions (its *_grad.cpp, beside its *_ops.cpp).
struct GradRegistrar {
  std::function<void(const std::string&, GradFn)> gradient;
  std::function<void(const std::string&)> not_differentiable;
};
void register_array_gradients(const GradRegistrar& r);
void register_math_gradients(const GradRegistrar& r);
void register_nn_gradients(const GradRegistrar& r);

namespace shape_fns {

// The dtype and shape given by the `dtype` and `shape` attributes.
OutputSpecs from_attrs(const InferenceContext& c);
// Output 0 is input 0's dtype and shape.
OutputSpecs same_as_first(const InferenceContext& c);
// ValueError unless input `i` has rank `rank`.
void require_rank(const InferenceContext& c, size_t i, int rank, const char* what);
// ValueError unless every input has input 0's dtype.
void require_same_dtype(const InferenceContext& c);

}  // namespace shape_fns

// As TF, an op goes into the graph of its first input (the default graph when it has none).
Graph graph_for(const std::vector<Output>& inputs);
// Output 0 of a new op of `type`, named `name` or else `default_name`.
Output make_op(const std::string& type, const std::string& name, const std::string& default_name,
               std::vector<Output> inputs, AttrMap attrs = {});

}  // namespace minitf
