#include <minitf/ops/schema.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

namespace minitf {
namespace {

using Specs = OutputSpecs;

std::string shapes_of(const InferenceContext& c) {
  std::string s;
  for (size_t i = 0; i < c.inputs.size(); ++i) s += (i ? ", " : "") + c.inputs[i].second.to_string();
  return s;
}

void require_float(const InferenceContext& c) {
  for (const auto& [dtype, shape] : c.inputs) {
    if (dtype != float32) {
      throw ValueError("Op " + c.what() + " computes in float32, got an input of dtype " + dtype_name(dtype) +
                       " and shape " + shape.to_string());
    }
  }
}

void require_same_dtype(const InferenceContext& c) {
  for (const auto& in : c.inputs) {
    if (in.first != c.inputs[0].first) {
      throw ValueError("Op " + c.what() + " needs inputs of one dtype, got " + dtype_name(c.inputs[0].first) +
                       " and " + dtype_name(in.first));
    }
  }
}

void require_rank(const InferenceContext& c, size_t input, int rank, const char* what) {
  if (c.inputs[input].second.rank() != rank) {
    throw ValueError("Shape must be rank " + std::to_string(rank) + " but is rank " +
                     std::to_string(c.inputs[input].second.rank()) + " for " + what + " of " + c.what() +
                     " with input shapes: " + shapes_of(c) + ".");
  }
}

// The padding attribute: exactly "SAME" or "VALID".
Padding padding_attr(const InferenceContext& c) {
  const std::string& p = c.attr<std::string>("padding");
  if (p == "SAME") return Padding::Same;
  if (p == "VALID") return Padding::Valid;
  throw ValueError("Op " + c.what() + ": padding must be \"SAME\" or \"VALID\", got \"" + p + "\"");
}

// data_format: NHWC is what the CPU kernels compute; NCHW is valid TF but not implemented here.
void require_nhwc(const InferenceContext& c) {
  const std::string& f = c.attr<std::string>("data_format");
  if (f == "NHWC") return;
  if (f == "NCHW") {
    throw UnimplementedError("Op " + c.what() + " with input shapes: " + shapes_of(c) +
                             ": data_format NCHW is not supported on CPU; only NHWC is (as TF's CPU kernels)");
  }
  throw ValueError("Op " + c.what() + ": data_format must be \"NHWC\" or \"NCHW\", got \"" + f + "\"");
}

Specs from_attrs(const InferenceContext& c) { return {{c.attr<DType>("dtype"), c.attr<Shape>("shape")}}; }

Specs infer_const(const InferenceContext& c) {
  const Tensor& t = c.attr<Tensor>("value");
  return {{t.dtype(), t.shape()}};
}

Specs infer_fill(const InferenceContext& c) {
  const Shape& s = c.attr<Shape>("shape");
  if (!s.fully_defined()) {
    throw ValueError("Op " + c.what() + " needs a fully defined shape, got " + s.to_string());
  }
  return from_attrs(c);
}

Specs infer_random(const InferenceContext& c) {
  if (c.attr<DType>("dtype") != float32) {
    throw ValueError("Op " + c.what() + " draws float32 values only");
  }
  return infer_fill(c);
}

Specs infer_assign(const InferenceContext& c) {
  if (c.attrs.count("validate_shape") && c.attr<int64_t>("validate_shape") != 1) {
    throw UnimplementedError("Op " + c.what() +
                             ": validate_shape=false is not supported (minitf variables keep their shape)");
  }
  require_same_dtype(c);
  const Shape& ref = c.inputs[0].second;
  const Shape& value = c.inputs[1].second;
  if (!ref.compatible_with(value)) {
    throw ValueError("Shapes " + ref.to_string() + " and " + value.to_string() + " are incompatible for " +
                     c.what());
  }
  return {c.inputs[0]};
}

Specs infer_identity(const InferenceContext& c) { return {c.inputs[0]}; }

Specs infer_unary_float(const InferenceContext& c) {
  require_float(c);
  return {c.inputs[0]};
}

Specs infer_add(const InferenceContext& c) {
  require_float(c);
  return {{float32, broadcast_shapes(c.inputs[0].second, c.inputs[1].second, c.what())}};
}

Specs infer_bias_add(const InferenceContext& c) {
  require_float(c);
  require_nhwc(c);
  const Shape& value = c.inputs[0].second;
  const Shape& bias = c.inputs[1].second;
  if (value.rank() < 2) {
    throw ValueError("Shape must be at least rank 2 but is rank " + std::to_string(value.rank()) + " for " +
                     c.what() + " with input shapes: " + shapes_of(c) + ".");
  }
  require_rank(c, 1, 1, "bias");
  const int64_t channels = value.dim(value.rank() - 1);
  if (channels >= 0 && bias.dim(0) >= 0 && channels != bias.dim(0)) {
    throw ValueError("Dimensions must be equal, but are " + std::to_string(channels) + " and " +
                     std::to_string(bias.dim(0)) + " for " + c.what() +
                     " with input shapes: " + shapes_of(c) + ".");
  }
  return {c.inputs[0]};
}

Specs infer_conv2d(const InferenceContext& c) {
  require_nhwc(c);
  require_float(c);
  require_rank(c, 0, 4, "input");
  require_rank(c, 1, 4, "filter");
  const Shape& in = c.inputs[0].second;
  const Shape& f = c.inputs[1].second;
  const auto& strides = c.attr<std::vector<int64_t>>("strides");
  if (strides.size() != 4) {
    throw ValueError("Conv2D " + c.what() + " requires 4 strides {1, sh, sw, 1}, got " +
                     std::to_string(strides.size()));
  }
  if (strides[0] != 1 || strides[3] != 1) {
    throw ValueError("Conv2D " + c.what() +
                     ": strides in the batch and depth dimensions must be 1 (strides {1, sh, sw, 1})");
  }
  if (in.dim(3) >= 0 && f.dim(2) >= 0 && in.dim(3) != f.dim(2)) {
    throw ValueError("Dimensions must be equal, but are " + std::to_string(in.dim(3)) + " and " +
                     std::to_string(f.dim(2)) + " for " + c.what() + " with input shapes: " + shapes_of(c) +
                     ".");
  }
  for (int i = 0; i < 4; ++i) {
    if (f.dim(i) < 0) {
      throw ValueError("Conv2D " + c.what() + " needs a filter of known shape, got " + f.to_string());
    }
  }
  const Padding padding = padding_attr(c);
  const std::string what = c.what() + " with input shapes: " + shapes_of(c);
  const ConvDim h = conv_dim(in.dim(1), f.dim(0), strides[1], padding, what);
  const ConvDim w = conv_dim(in.dim(2), f.dim(1), strides[2], padding, what);
  return {{float32, Shape{in.dim(0), h.out, w.out, f.dim(3)}}};
}

Specs infer_none(const InferenceContext&) { return {}; }

std::unordered_map<std::string, OpSchema> make_registry() {
  std::unordered_map<std::string, OpSchema> r;
  auto reg = [&r](std::string type, int num_inputs, auto infer, std::vector<std::string> attrs = {}) {
    r.emplace(type, OpSchema{type, num_inputs, infer, std::move(attrs)});
  };
  reg("Placeholder", 0, from_attrs, {"dtype", "shape"});
  reg("Const", 0, infer_const, {"dtype", "value"});
  reg("VariableV2", 0, from_attrs, {"dtype", "shape"});
  reg("Assign", 2, infer_assign, {"validate_shape"});
  reg("Identity", 1, infer_identity);
  reg("NoOp", 0, infer_none);
  reg("Conv2D", 2, infer_conv2d, {"strides", "padding", "data_format"});
  reg("Relu", 1, infer_unary_float);
  reg("Add", 2, infer_add);
  reg("AddV2", 2, infer_add);
  reg("BiasAdd", 2, infer_bias_add, {"data_format"});
  reg("Fill", 0, infer_fill, {"dtype", "shape", "value"});
  const std::vector<std::string> seeds{"dtype", "shape", "seed", "seed2"};
  auto with = [&seeds](std::string a, std::string b) {
    auto v = seeds;
    v.push_back(std::move(a));
    v.push_back(std::move(b));
    return v;
  };
  reg("RandomUniform", 0, infer_random, with("minval", "maxval"));
  reg("RandomStandardNormal", 0, infer_random, with("mean", "stddev"));
  reg("TruncatedNormal", 0, infer_random, with("mean", "stddev"));
  return r;
}

const std::unordered_map<std::string, OpSchema>& registry() {
  static const auto r = make_registry();  // built on first use, not at static-init time
  return r;
}

}  // namespace

const OpSchema& op_schema(const std::string& type) {
  auto it = registry().find(type);
  if (it == registry().end()) throw ValueError("Op type not registered: '" + type + "'");
  return it->second;
}

std::vector<std::string> registered_op_types() {
  std::vector<std::string> types;
  for (const auto& [k, v] : registry()) types.push_back(k);
  return types;
}

Operation create_op(Graph& g, const std::string& type, const std::string& name, std::vector<Output> inputs,
                    std::map<std::string, AttrValue> attrs, std::vector<Operation> control_inputs) {
  const OpSchema& schema = op_schema(type);
  std::string full = !name.empty() && name.back() == '/' ? name.substr(0, name.size() - 1)
                                                         : g.unique_name(name.empty() ? type : name);
  if (static_cast<int>(inputs.size()) != schema.num_inputs) {
    throw ValueError("Op '" + full + "' (op: '" + type + "') takes " + std::to_string(schema.num_inputs) +
                     " inputs, got " + std::to_string(inputs.size()));
  }
  for (const auto& [key, value] : attrs) {
    if (std::find(schema.attrs.begin(), schema.attrs.end(), key) == schema.attrs.end()) {
      std::string known;
      for (const std::string& a : schema.attrs) known += (known.empty() ? "" : ", ") + a;
      throw ValueError("Op '" + full + "' (op: '" + type + "') has no attribute '" + key + "' (its attributes: " +
                       (known.empty() ? std::string("none") : known) + ")");
    }
  }
  OutputSpecs in_specs;
  for (const Output& in : inputs) {
    if (in.empty()) throw ValueError("Op '" + full + "' (op: '" + type + "') got an empty input");
    in_specs.emplace_back(in.dtype(), in.shape());
  }
  OutputSpecs outs = schema.infer(InferenceContext{full, type, in_specs, attrs});
  return g.add_node(NodeSpec{type, std::move(full), std::move(inputs), std::move(control_inputs),
                             std::move(attrs), std::move(outs)});
}

OutputSpecs infer_outputs(const Operation& op, const OutputSpecs& inputs) {
  const OpSchema& schema = op_schema(op.type());
  return schema.infer(InferenceContext{op.name(), op.type(), inputs, op.node().attrs});
}

}  // namespace minitf
