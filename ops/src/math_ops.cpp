// Math: Add and AddV2 with NumPy broadcasting, `+`, and their builders.
#include <minitf/ops/ops.h>

#include "families.h"

namespace minitf {
namespace {

OutputSpecs broadcast_shape(const InferenceContext& c) {
  return {{float32, broadcast_shapes(c.shape(0), c.shape(1), c.what())}};
}

// `x + 1.0f`: TF opens a name scope "add" and converts the float inside it.
Output add_scalar(const Output& tensor, float value, bool scalar_first) {
  Graph g = graph_for({tensor});
  const std::string scope = g.unique_name("add");
  Output c = create_op(g, "Const", scope + (scalar_first ? "/x/" : "/y/"), {},
                       {{"value", Tensor::from<float>(Shape{}, {value})}, {"dtype", float32}})
                 .output(0);
  return create_op(g, "AddV2", scope + "/",
                   scalar_first ? std::vector<Output>{c, tensor} : std::vector<Output>{tensor, c})
      .output(0);
}

}  // namespace

void register_math_ops(const AddOp& add) {
  for (const char* type : {"Add", "AddV2"}) {
    add(OpDef(type)
            .input("x", {float32})
            .input("y", {float32})
            .output("z")
            .set_elementwise()
            .set_commutative()
            .shape_fn(broadcast_shape));
  }
}

Output add(const Output& a, const Output& b, const OpName& name) {
  return make_op("Add", name, "Add", {a, b});
}
Output operator+(const Output& a, const Output& b) { return make_op("AddV2", "", "add", {a, b}); }
Output operator+(float a, const Output& b) { return add_scalar(b, a, true); }
Output operator+(const Output& a, float b) { return add_scalar(a, b, false); }

}  // namespace minitf
