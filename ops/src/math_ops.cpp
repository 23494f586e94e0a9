// Math: MatMul, the broadcasting binary ops (Add, AddV2, Sub, Mul, RealDiv, Maximum,
// Minimum, SquaredDifference, Pow), the unary ones (Neg, Abs, Square, Sqrt,
// Rsqrt, Exp, Log, Sigmoid, Tanh), operators, and their builders.
#include <minitf/ops/ops.h>

#include "families.h"

namespace minitf {
namespace {

OutputSpecs broadcast_shape(const InferenceContext& c) {
  shape_fns::require_same_dtype(c);
  return {{c.inputs[0].first, broadcast_shapes(c.shape(0), c.shape(1), c.what())}};
}

// `x - 1.0f` as TF writes it: a name scope ("sub"), the float converted inside
// it ("sub/y", or "sub/x" when it comes first), and the op named after the scope.
Output binary_with_scalar(const std::string& type, const std::string& scope_name, const Output& tensor,
                          float value, bool scalar_first) {
  Graph g = graph_for({tensor});
  const std::string scope = g.unique_name(scope_name);
  Output c = create_op(g, "Const", scope + (scalar_first ? "/x/" : "/y/"), {},
                       {{"value", Tensor::from<float>(Shape{}, {value})}, {"dtype", float32}})
                 .output(0);
  return create_op(g, type, scope + "/",
                   scalar_first ? std::vector<Output>{c, tensor} : std::vector<Output>{tensor, c})
      .output(0);
}

OutputSpecs matmul_shape(const InferenceContext& c) {
  shape_fns::require_rank(c, 0, 2, "a");
  shape_fns::require_rank(c, 1, 2, "b");
  const bool ta = c.attr<bool>("transpose_a"), tb = c.attr<bool>("transpose_b");
  const Shape& a = c.shape(0);
  const Shape& b = c.shape(1);
  const int64_t ka = a.dim(ta ? 0 : 1), kb = b.dim(tb ? 1 : 0);
  if (ka >= 0 && kb >= 0 && ka != kb) {
    throw ValueError("Dimensions must be equal, but are " + std::to_string(ka) + " and " +
                     std::to_string(kb) + " for " + c.what() + " with input shapes: " + c.input_shapes() +
                     ".");
  }
  return {{float32, Shape{a.dim(ta ? 1 : 0), b.dim(tb ? 0 : 1)}}};
}

}  // namespace

void register_math_ops(const AddOp& add) {
  add(OpDef("MatMul")
          .input("a", {float32})
          .input("b", {float32})
          .output("product")
          .attr("transpose_a", false)
          .attr("transpose_b", false)
          .shape_fn(matmul_shape));
  struct Binary {
    const char* type;
    bool commutative;
  };
  for (const Binary& b : {Binary{"Add", true}, Binary{"AddV2", true}, Binary{"Sub", false},
                          Binary{"Mul", true}, Binary{"RealDiv", false}, Binary{"Maximum", true},
                          Binary{"Minimum", true}, Binary{"SquaredDifference", true}, Binary{"Pow", false}}) {
    OpDef def = OpDef(b.type)
                    .input("x", {float32})
                    .input("y", {float32})
                    .output("z")
                    .set_elementwise()
                    .shape_fn(broadcast_shape);
    def.commutative = b.commutative;
    add(std::move(def));
  }
  for (const char* type : {"Neg", "Abs", "Square", "Sqrt", "Rsqrt", "Exp", "Log", "Sigmoid", "Tanh"}) {
    add(OpDef(type).input("x", {float32}).output("y").set_elementwise().shape_fn(shape_fns::same_as_first));
  }
}

Output add(const Output& a, const Output& b, const OpName& name) {
  return make_op("Add", name, "Add", {a, b});
}
Output subtract(const Output& a, const Output& b, const OpName& name) {
  return make_op("Sub", name, "Sub", {a, b});
}
Output multiply(const Output& a, const Output& b, const OpName& name) {
  return make_op("Mul", name, "Mul", {a, b});
}
Output divide(const Output& a, const Output& b, const OpName& name) {
  return make_op("RealDiv", name, "truediv", {a, b});
}
Output maximum(const Output& a, const Output& b, const OpName& name) {
  return make_op("Maximum", name, "Maximum", {a, b});
}
Output minimum(const Output& a, const Output& b, const OpName& name) {
  return make_op("Minimum", name, "Minimum", {a, b});
}
Output squared_difference(const Output& a, const Output& b, const OpName& name) {
  return make_op("SquaredDifference", name, "SquaredDifference", {a, b});
}
Output pow(const Output& a, const Output& b, const OpName& name) {
  return make_op("Pow", name, "Pow", {a, b});
}

Output matmul(const Output& a, const Output& b, bool transpose_a, bool transpose_b, const OpName& name) {
  return make_op("MatMul", name, "MatMul", {a, b},
                 {{"transpose_a", transpose_a}, {"transpose_b", transpose_b}});
}

Output negative(const Output& x, const OpName& name) { return make_op("Neg", name, "Neg", {x}); }
Output abs(const Output& x, const OpName& name) { return make_op("Abs", name, "Abs", {x}); }
Output square(const Output& x, const OpName& name) { return make_op("Square", name, "Square", {x}); }
Output sqrt(const Output& x, const OpName& name) { return make_op("Sqrt", name, "Sqrt", {x}); }
Output rsqrt(const Output& x, const OpName& name) { return make_op("Rsqrt", name, "Rsqrt", {x}); }
Output exp(const Output& x, const OpName& name) { return make_op("Exp", name, "Exp", {x}); }
Output log(const Output& x, const OpName& name) { return make_op("Log", name, "Log", {x}); }
Output sigmoid(const Output& x, const OpName& name) { return make_op("Sigmoid", name, "Sigmoid", {x}); }
Output tanh(const Output& x, const OpName& name) { return make_op("Tanh", name, "Tanh", {x}); }

Output operator+(const Output& a, const Output& b) { return make_op("AddV2", "", "add", {a, b}); }
Output operator+(float a, const Output& b) { return binary_with_scalar("AddV2", "add", b, a, true); }
Output operator+(const Output& a, float b) { return binary_with_scalar("AddV2", "add", a, b, false); }
Output operator-(const Output& a, const Output& b) { return make_op("Sub", "", "sub", {a, b}); }
Output operator-(float a, const Output& b) { return binary_with_scalar("Sub", "sub", b, a, true); }
Output operator-(const Output& a, float b) { return binary_with_scalar("Sub", "sub", a, b, false); }
Output operator*(const Output& a, const Output& b) { return make_op("Mul", "", "mul", {a, b}); }
Output operator*(float a, const Output& b) { return binary_with_scalar("Mul", "mul", b, a, true); }
Output operator*(const Output& a, float b) { return binary_with_scalar("Mul", "mul", a, b, false); }
Output operator/(const Output& a, const Output& b) { return make_op("RealDiv", "", "truediv", {a, b}); }
Output operator/(float a, const Output& b) { return binary_with_scalar("RealDiv", "truediv", b, a, true); }
Output operator/(const Output& a, float b) { return binary_with_scalar("RealDiv", "truediv", a, b, false); }
Output operator-(const Output& x) { return make_op("Neg", "", "Neg", {x}); }

}  // namespace minitf
