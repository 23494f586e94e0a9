// Arrays: Placeholder, Const, Identity, Fill, and their builders.
#include <minitf/ops/ops.h>

#include "families.h"

namespace minitf {
namespace {

OutputSpecs fill_shape(const InferenceContext& c) {
  const Shape& s = c.attr<Shape>("shape");
  if (!s.fully_defined()) {
    throw ValueError("Op " + c.what() + " needs a fully defined shape, got " + s.to_string());
  }
  return shape_fns::from_attrs(c);
}

Output make_fill(const Shape& shape, DType dtype, float value, const std::string& name,
                 const std::string& default_name) {
  uint64_t ignored = 0;
  store_exact(value, dtype, &ignored,
              std::string("A fill of dtype ") + dtype_name(dtype) + " (" + default_name + ")");
  return make_op("Fill", name, default_name, {}, {{"shape", shape}, {"dtype", dtype}, {"value", value}});
}

}  // namespace

void register_array_ops(const AddOp& add) {
  add(OpDef("Placeholder")
          .output("output")
          .attr("dtype", AttrType::kType)
          .attr("shape", AttrType::kShape)
          .shape_fn(shape_fns::from_attrs));
  add(OpDef("Const")
          .output("output")
          .attr("value", AttrType::kTensor)
          .attr("dtype", AttrType::kType)
          .set_constant_output()
          .shape_fn([](const InferenceContext& c) {
            const Tensor& t = c.attr<Tensor>("value");
            if (t.dtype() != c.attr<DType>("dtype")) {
              throw ValueError("Op " + c.what() + " has a value of dtype " + dtype_name(t.dtype()) +
                               " but attribute dtype " + dtype_name(c.attr<DType>("dtype")));
            }
            return OutputSpecs{{t.dtype(), t.shape()}};
          }));
  add(OpDef("Identity")
          .input("input")
          .output("output")
          .set_forwards(0, 0)
          .shape_fn(shape_fns::same_as_first));
  add(OpDef("Fill")
          .output("output")
          .attr("shape", AttrType::kShape)
          .attr("dtype", AttrType::kType)
          .attr("value", AttrType::kFloat)
          .shape_fn(fill_shape));
}

Output placeholder(DType dtype, const Shape& shape, const OpName& name) {
  return make_op("Placeholder", name, "Placeholder", {}, {{"dtype", dtype}, {"shape", shape}});
}

Output constant(const Tensor& value, const OpName& name) {
  if (value.empty()) throw ValueError("constant() needs a value, got an empty Tensor");
  return make_op("Const", name, "Const", {}, {{"value", value.clone()}, {"dtype", value.dtype()}});
}
Output constant(float value, const OpName& name) {
  return constant(Tensor::from<float>(Shape{}, {value}), name);
}
Output constant(int32_t value, const OpName& name) {
  return constant(Tensor::from<int32_t>(Shape{}, {value}), name);
}
Output constant(const std::vector<float>& values, const Shape& shape, const OpName& name) {
  return constant(Tensor::from<float>(shape, values), name);
}

Output fill(const Shape& shape, float value, DType dtype, const OpName& name) {
  return make_fill(shape, dtype, value, name, "Fill");
}
Output zeros(const Shape& shape, DType dtype, const OpName& name) {
  return make_fill(shape, dtype, 0.f, name, "zeros");
}
Output ones(const Shape& shape, DType dtype, const OpName& name) {
  return make_fill(shape, dtype, 1.f, name, "ones");
}

Output identity(const Output& x, const OpName& name) { return make_op("Identity", name, "Identity", {x}); }

}  // namespace minitf
