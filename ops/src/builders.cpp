#include <minitf/ops/ops.h>
#include <minitf/ops/schema.h>

namespace minitf {
namespace {

// TF's default graph seed, used when only an op seed is given.
constexpr int64_t kDefaultGraphSeed = 87654321;

Output single(Operation op) { return op.output(0); }

// As TF, an op goes into the graph of its first input (the default graph when it has none).
Graph graph_for(const std::vector<Output>& inputs) {
  if (!inputs.empty() && !inputs[0].empty()) return graph_of(inputs[0].op());
  return get_default_graph();
}

Output make(const std::string& type, const std::string& name, const std::string& default_name,
            std::vector<Output> inputs, std::map<std::string, AttrValue> attrs = {}) {
  Graph g = graph_for(inputs);
  return single(create_op(g, type, name.empty() ? default_name : name, std::move(inputs), std::move(attrs)));
}

Output make_fill(const std::string& type, const Shape& shape, DType dtype,
                 std::map<std::string, AttrValue> attrs, const std::string& name,
                 const std::string& default_name) {
  if (dtype == int32 && attrs.count("value")) {
    exact_int32(std::get<float>(attrs["value"]), "A fill of dtype int32 (" + default_name + ")");
  }
  attrs["shape"] = shape;
  attrs["dtype"] = dtype;
  return make(type, name, default_name, {}, std::move(attrs));
}

Output make_random(const std::string& type, const Shape& shape, float a, float b, std::optional<int64_t> seed,
                   const std::string& name, const std::string& default_name) {
  Graph g = get_default_graph();
  auto [seed1, seed2] = get_seed(g, seed);
  const bool uniform = type == "RandomUniform";
  if (uniform ? !(b > a) : !(b >= 0.f)) {
    throw ValueError(uniform ? "random_uniform needs minval < maxval, got [" + std::to_string(a) + ", " +
                                   std::to_string(b) + ")"
                             : "A normal distribution needs stddev >= 0, got " + std::to_string(b));
  }
  return make_fill(type, shape, float32,
                   {{uniform ? "minval" : "mean", a},
                    {uniform ? "maxval" : "stddev", b},
                    {"seed", seed1},
                    {"seed2", seed2}},
                   name, default_name);
}

Padding parse_padding(std::string_view padding) {
  if (padding == "SAME") return Padding::Same;
  if (padding == "VALID") return Padding::Valid;
  throw ValueError("Padding must be \"SAME\" or \"VALID\", got \"" + std::string(padding) + "\"");
}

// `x + 1.0f`: TF opens a name scope "add" and converts the float inside it.
Output add_scalar(const Output& tensor, float value, bool scalar_first) {
  Graph g = graph_for({tensor});
  const std::string scope = g.unique_name("add");
  Tensor t(float32, Shape{});
  t.data<float>()[0] = value;
  Output c = single(
      create_op(g, "Const", scope + (scalar_first ? "/x/" : "/y/"), {}, {{"value", t}, {"dtype", float32}}));
  return single(create_op(g, "AddV2", scope + "/",
                          scalar_first ? std::vector<Output>{c, tensor} : std::vector<Output>{tensor, c}));
}

}  // namespace

std::pair<int64_t, int64_t> get_seed(Graph& g, std::optional<int64_t> op_seed) {
  const int64_t graph_seed = g.seed();
  std::pair<int64_t, int64_t> seeds{0, 0};
  if (graph_seed >= 0) {
    seeds = {graph_seed, op_seed ? *op_seed : g.next_seed_id()};
  } else if (op_seed) {
    seeds = {kDefaultGraphSeed, *op_seed};
  } else {
    return {0, 0};
  }
  if (seeds.first == 0 && seeds.second == 0) seeds.second = 0x7fffffff;  // as TF: (0, 0) means random
  return seeds;
}

Output placeholder(DType dtype, const Shape& shape, const OpName& name) {
  return make("Placeholder", name, "Placeholder", {}, {{"dtype", dtype}, {"shape", shape}});
}

Output constant(const Tensor& value, const OpName& name) {
  if (value.empty()) throw ValueError("constant() needs a value, got an empty Tensor");
  return make("Const", name, "Const", {}, {{"value", value.clone()}, {"dtype", value.dtype()}});
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
  return make_fill("Fill", shape, dtype, {{"value", value}}, name, "Fill");
}
Output zeros(const Shape& shape, DType dtype, const OpName& name) {
  return make_fill("Fill", shape, dtype, {{"value", 0.f}}, name, "zeros");
}
Output ones(const Shape& shape, DType dtype, const OpName& name) {
  return make_fill("Fill", shape, dtype, {{"value", 1.f}}, name, "ones");
}

Output random_normal(const Shape& shape, float mean, float stddev, std::optional<int64_t> seed,
                     const OpName& name) {
  return make_random("RandomStandardNormal", shape, mean, stddev, seed, name, "random_normal");
}
Output random_uniform(const Shape& shape, float minval, float maxval, std::optional<int64_t> seed,
                      const OpName& name) {
  return make_random("RandomUniform", shape, minval, maxval, seed, name, "random_uniform");
}
Output truncated_normal(const Shape& shape, float mean, float stddev, std::optional<int64_t> seed,
                        const OpName& name) {
  return make_random("TruncatedNormal", shape, mean, stddev, seed, name, "truncated_normal");
}

Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides, Padding padding,
              const OpName& name) {
  return make("Conv2D", name, "Conv2D", {input, filter},
              {{"strides", strides},
               {"padding", std::string(padding_name(padding))},
               {"data_format", std::string("NHWC")}});
}
Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
              std::string_view padding, const OpName& name) {
  return conv2d(input, filter, strides, parse_padding(padding), name);
}

Output relu(const Output& x, const OpName& name) { return make("Relu", name, "Relu", {x}); }
Output add(const Output& a, const Output& b, const OpName& name) {
  return make("Add", name, "Add", {a, b});
}
Output bias_add(const Output& value, const Output& bias, const OpName& name) {
  return make("BiasAdd", name, "BiasAdd", {value, bias}, {{"data_format", std::string("NHWC")}});
}
Output identity(const Output& x, const OpName& name) { return make("Identity", name, "Identity", {x}); }

Operation no_op(const OpName& name, std::vector<Operation> control_inputs) {
  Graph g = get_default_graph();
  return create_op(g, "NoOp", name.empty() ? "NoOp" : name.str(), {}, {},
                   std::move(control_inputs));
}
Operation group(std::vector<Operation> ops, const OpName& name) {
  return no_op(name.empty() ? OpName("group_deps") : name, std::move(ops));
}

Output operator+(const Output& a, const Output& b) { return make("AddV2", "", "add", {a, b}); }
Output operator+(float a, const Output& b) { return add_scalar(b, a, true); }
Output operator+(const Output& a, float b) { return add_scalar(a, b, false); }

}  // namespace minitf
