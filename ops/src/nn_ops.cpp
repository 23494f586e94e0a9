// tf.nn: Conv2D, BiasAdd, Relu, the internal _FusedConv2D the planner
// rewrites chains into, and their builders.
#include <minitf/ops/ops.h>

#include "families.h"

namespace minitf {
namespace {

using shape_fns::require_rank;

// data_format: NHWC is what the CPU kernels compute; NCHW is valid TF but not implemented here.
void require_nhwc(const InferenceContext& c) {
  if (c.attr<std::string>("data_format") == "NCHW") {
    throw UnimplementedError(
        "Op " + c.what() + " with input shapes: " + c.input_shapes() +
        ": data_format NCHW is not supported on CPU; only NHWC is (as TF's CPU kernels)");
  }
}

Padding padding_of(const InferenceContext& c) {
  return c.attr<std::string>("padding") == "SAME" ? Padding::Same : Padding::Valid;
}

OutputSpecs conv2d_shape(const InferenceContext& c) {
  require_nhwc(c);
  require_rank(c, 0, 4, "input");
  require_rank(c, 1, 4, "filter");
  const Shape& in = c.shape(0);
  const Shape& f = c.shape(1);
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
                     std::to_string(f.dim(2)) + " for " + c.what() +
                     " with input shapes: " + c.input_shapes() + ".");
  }
  for (int i = 0; i < 4; ++i) {
    if (f.dim(i) < 0) {
      throw ValueError("Conv2D " + c.what() + " needs a filter of known shape, got " + f.to_string());
    }
  }
  const std::string what = c.what() + " with input shapes: " + c.input_shapes();
  const ConvDim h = conv_dim(in.dim(1), f.dim(0), strides[1], padding_of(c), what);
  const ConvDim w = conv_dim(in.dim(2), f.dim(1), strides[2], padding_of(c), what);
  return {{float32, Shape{in.dim(0), h.out, w.out, f.dim(3)}}};
}

// `bias` of shape [C] against `value` of shape [..., C].
void check_bias(const InferenceContext& c, const Shape& value, size_t bias_input) {
  const Shape& bias = c.shape(bias_input);
  if (value.rank() < 2) {
    throw ValueError("Shape must be at least rank 2 but is rank " + std::to_string(value.rank()) + " for " +
                     c.what() + " with input shapes: " + c.input_shapes() + ".");
  }
  require_rank(c, bias_input, 1, "bias");
  const int64_t channels = value.dim(value.rank() - 1);
  if (channels >= 0 && bias.dim(0) >= 0 && channels != bias.dim(0)) {
    throw ValueError("Dimensions must be equal, but are " + std::to_string(channels) + " and " +
                     std::to_string(bias.dim(0)) + " for " + c.what() +
                     " with input shapes: " + c.input_shapes() + ".");
  }
}

OutputSpecs bias_add_shape(const InferenceContext& c) {
  require_nhwc(c);
  check_bias(c, c.shape(0), 1);
  return {c.inputs[0]};
}

// What the _FusedConv2D kernel computes: an optional BiasAdd, then an optional Relu.
OutputSpecs fused_conv2d_shape(const InferenceContext& c) {
  OutputSpecs out = conv2d_shape(c);
  const auto& fused = c.attr<std::vector<std::string>>("fused_ops");
  const int64_t num_args = c.attr<int64_t>("num_args");
  size_t next = 0;
  const bool bias = next < fused.size() && fused[next] == "BiasAdd";
  if (bias) ++next;
  if (next < fused.size() && fused[next] == "Relu") ++next;
  if (next != fused.size()) {
    throw UnimplementedError("Op " + c.what() + ": fused_ops " + std::to_string(fused.size()) +
                             " ops starting at \"" + fused[next] +
                             "\" are not implemented (minitf fuses [BiasAdd][, Relu])");
  }
  if (num_args != (bias ? 1 : 0)) {
    throw ValueError("Op " + c.what() + " with fused_ops of " + std::to_string(fused.size()) +
                     " ops needs num_args " + std::to_string(bias ? 1 : 0) + ", got " +
                     std::to_string(num_args));
  }
  if (bias) check_bias(c, out[0].second, 2);
  return out;
}

// MaxPool and AvgPool: NHWC, a window over height and width only.
OutputSpecs pool_shape(const InferenceContext& c) {
  require_nhwc(c);
  require_rank(c, 0, 4, "input");
  const auto& k = c.attr<std::vector<int64_t>>("ksize");
  const auto& s = c.attr<std::vector<int64_t>>("strides");
  if (k.size() != 4 || s.size() != 4) {
    throw ValueError("Op " + c.what() + " needs ksize and strides of 4 values {1, h, w, 1}, got " +
                     std::to_string(k.size()) + " and " + std::to_string(s.size()));
  }
  if (k[0] != 1 || s[0] != 1 || k[3] != 1 || s[3] != 1) {
    throw UnimplementedError(
        "Op " + c.what() +
        ": pooling across the batch or depth dimension is not supported (ksize and strides "
        "must be {1, h, w, 1})");
  }
  for (int i = 1; i <= 2; ++i) {
    if (k[static_cast<size_t>(i)] < 1 || s[static_cast<size_t>(i)] < 1) {
      throw ValueError("Op " + c.what() + " needs ksize and strides of at least 1");
    }
  }
  const Shape& in = c.shape(0);
  const std::string what = c.what() + " with input shapes: " + c.input_shapes();
  const ConvDim h = conv_dim(in.dim(1), k[1], s[1], padding_of(c), what);
  const ConvDim w = conv_dim(in.dim(2), k[2], s[2], padding_of(c), what);
  return {{float32, Shape{in.dim(0), h.out, w.out, in.dim(3)}}};
}

OutputSpecs softmax_shape(const InferenceContext& c) {
  if (c.shape(0).rank() < 1) {
    throw ValueError("Shape must be at least rank 1 but is rank 0 for " + c.what() +
                     " with input shapes: " + c.input_shapes() + ".");
  }
  return {c.inputs[0]};
}

Padding parse_padding(std::string_view padding) {
  if (padding == "SAME") return Padding::Same;
  if (padding == "VALID") return Padding::Valid;
  throw ValueError("Padding must be \"SAME\" or \"VALID\", got \"" + std::string(padding) + "\"");
}

}  // namespace

void register_nn_ops(const AddOp& add, const AddFusion& add_fusion) {
  // Made here, not at namespace scope: an op registered from a user's static
  // initializer may build the registry before this file's statics exist.
  const std::vector<AttrValue> paddings{std::string("SAME"), std::string("VALID")};
  const std::vector<AttrValue> formats{std::string("NHWC"), std::string("NCHW")};
  add(OpDef("Conv2D")
          .input("input", {float32})
          .input("filter", {float32})
          .output("output")
          .attr("strides", AttrType::kInts)
          .attr("padding", AttrType::kString, paddings)
          .attr("data_format", std::string("NHWC"), formats)
          .shape_fn(conv2d_shape));
  add(OpDef("_FusedConv2D")
          .input("input", {float32})
          .input("filter", {float32})
          .input_list("args", "num_args", {float32})
          .output("output")
          .attr("strides", AttrType::kInts)
          .attr("padding", AttrType::kString, paddings)
          .attr("data_format", std::string("NHWC"), formats)
          .attr("fused_ops", std::vector<std::string>{})
          .attr("num_args", int64_t{0})
          .shape_fn(fused_conv2d_shape));
  add(OpDef("BiasAdd")
          .input("value", {float32})
          .input("bias", {float32})
          .output("output")
          .attr("data_format", std::string("NHWC"), formats)
          .shape_fn(bias_add_shape));
  add(OpDef("Relu")
          .input("features", {float32})
          .output("activations")
          .set_elementwise()
          .shape_fn(shape_fns::same_as_first));
  add(OpDef("Relu6")
          .input("features", {float32})
          .output("activations")
          .set_elementwise()
          .shape_fn(shape_fns::same_as_first));
  for (const char* type : {"Elu", "Selu", "Softplus"}) {
    add(OpDef(type)
            .input("features", {float32})
            .output("activations")
            .set_elementwise()
            .shape_fn(shape_fns::same_as_first));
  }
  add(OpDef("LeakyRelu")
          .input("features", {float32})
          .output("activations")
          .attr("alpha", 0.2f)
          .set_elementwise()
          .shape_fn(shape_fns::same_as_first));
  for (const char* type : {"MaxPool", "AvgPool"}) {
    add(OpDef(type)
            .input("value", {float32})
            .output("output")
            .attr("ksize", AttrType::kInts)
            .attr("strides", AttrType::kInts)
            .attr("padding", AttrType::kString, paddings)
            .attr("data_format", std::string("NHWC"), formats)
            .shape_fn(pool_shape));
  }
  for (const char* type : {"Softmax", "LogSoftmax"}) {
    add(OpDef(type)
            .input("logits", {float32})
            .output(type == std::string("Softmax") ? "softmax" : "logsoftmax")
            .shape_fn(softmax_shape));
  }
  add_fusion(FusionRule{"Conv2D", "_FusedConv2D", {"BiasAdd", "Add", "AddV2"}, {"Relu"}});
}

Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides, Padding padding,
              const OpName& name) {
  return make_op("Conv2D", name, "Conv2D", {input, filter},
                 {{"strides", strides}, {"padding", std::string(padding_name(padding))}});
}
Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
              std::string_view padding, const OpName& name) {
  return conv2d(input, filter, strides, parse_padding(padding), name);
}
Output relu(const Output& x, const OpName& name) { return make_op("Relu", name, "Relu", {x}); }
Output nn::relu6(const Output& x, const OpName& name) { return make_op("Relu6", name, "Relu6", {x}); }
Output nn::leaky_relu(const Output& x, float alpha, const OpName& name) {
  return make_op("LeakyRelu", name, "LeakyRelu", {x}, {{"alpha", alpha}});
}
Output nn::elu(const Output& x, const OpName& name) { return make_op("Elu", name, "Elu", {x}); }
Output nn::selu(const Output& x, const OpName& name) { return make_op("Selu", name, "Selu", {x}); }
Output nn::softplus(const Output& x, const OpName& name) {
  return make_op("Softplus", name, "Softplus", {x});
}
Output bias_add(const Output& value, const Output& bias, const OpName& name) {
  return make_op("BiasAdd", name, "BiasAdd", {value, bias});
}

}  // namespace minitf

namespace minitf::nn {

Output max_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                Padding padding, const OpName& name) {
  return make_op("MaxPool", name, "MaxPool", {value},
                 {{"ksize", ksize}, {"strides", strides}, {"padding", std::string(padding_name(padding))}});
}
Output max_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                std::string_view padding, const OpName& name) {
  return max_pool(value, ksize, strides, parse_padding(padding), name);
}
Output avg_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                Padding padding, const OpName& name) {
  return make_op("AvgPool", name, "AvgPool", {value},
                 {{"ksize", ksize}, {"strides", strides}, {"padding", std::string(padding_name(padding))}});
}
Output avg_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                std::string_view padding, const OpName& name) {
  return avg_pool(value, ksize, strides, parse_padding(padding), name);
}
Output softmax(const Output& logits, const OpName& name) {
  return make_op("Softmax", name, "Softmax", {logits});
}
Output log_softmax(const Output& logits, const OpName& name) {
  return make_op("LogSoftmax", name, "LogSoftmax", {logits});
}

}  // namespace minitf::nn
