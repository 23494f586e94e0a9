// tf.nn: Conv2D, BiasAdd, Relu, the internal _FusedConv2D the planner
// rewrites chains into, and their builders.
#include <minitf/ops/ops.h>

#include <algorithm>
#include <functional>
#include <limits>

#include "families.h"
#include "name_scope_guard.h"
#include "nn_common.h"

namespace minitf {
namespace nn_detail {

using shape_fns::require_rank;

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

int64_t merge_dim(int64_t a, int64_t b, const InferenceContext& c) {
  if (a >= 0 && b >= 0 && a != b) {
    throw ValueError("Dimensions must be equal, but are " + std::to_string(a) + " and " + std::to_string(b) +
                     " for " + c.what() + " with input shapes: " + c.input_shapes() + ".");
  }
  return a >= 0 ? a : b;
}

ConvAttrs conv_attrs(const InferenceContext& c) {
  require_nhwc(c);
  const auto& strides = c.attr<std::vector<int64_t>>("strides");
  const auto& dilations = c.attr<std::vector<int64_t>>("dilations");
  if (strides.size() != 4) {
    throw ValueError(c.type + " " + c.what() + " requires 4 strides {1, sh, sw, 1}, got " +
                     std::to_string(strides.size()));
  }
  if (strides[0] != 1 || strides[3] != 1) {
    throw ValueError(c.type + " " + c.what() +
                     ": strides in the batch and depth dimensions must be 1 (strides {1, sh, sw, 1})");
  }
  if (dilations.size() != 4) {
    throw ValueError(c.type + " " + c.what() + " requires 4 dilations {1, dh, dw, 1}, got " +
                     std::to_string(dilations.size()));
  }
  if (dilations[0] != 1 || dilations[3] != 1) {
    throw ValueError(c.type + " " + c.what() +
                     ": dilations in the batch and depth dimensions must be 1 (dilations {1, dh, dw, 1})");
  }
  if (dilations[1] < 1 || dilations[2] < 1) {
    throw ValueError(c.type + " " + c.what() + ": dilated rates should be larger than 0, got dilations {1, " +
                     std::to_string(dilations[1]) + ", " + std::to_string(dilations[2]) + ", 1}");
  }
  return {strides[1], strides[2], dilations[1], dilations[2], padding_of(c)};
}

int64_t dilated(int64_t kernel, int64_t dilation, const InferenceContext& c) {
  if (kernel < 1) return kernel;  // conv_dim names it
  if (kernel - 1 > (std::numeric_limits<int64_t>::max() - 1) / dilation) {
    throw ValueError("Op " + c.what() + ": the dilated filter size overflows (filter " +
                     std::to_string(kernel) + ", dilation " + std::to_string(dilation) + ")");
  }
  return (kernel - 1) * dilation + 1;
}

void require_known_filter(const InferenceContext& c, size_t input) {
  const Shape& f = c.shape(input);
  for (int i = 0; i < 4; ++i) {
    if (f.dim(i) < 0) {
      throw ValueError(c.type + " " + c.what() + " needs a filter of known shape, got " + f.to_string());
    }
  }
}

Padding parse_padding(std::string_view padding) {
  if (padding == "SAME") return Padding::Same;
  if (padding == "VALID") return Padding::Valid;
  throw ValueError("Padding must be \"SAME\" or \"VALID\", got \"" + std::string(padding) + "\"");
}

std::optional<std::vector<int64_t>> sizes_value(const InferenceContext& c, size_t input, const char* name,
                                                const std::vector<int64_t>& lengths) {
  require_rank(c, input, 1, name);
  const auto fits = [&](int64_t n) { return std::find(lengths.begin(), lengths.end(), n) != lengths.end(); };
  const std::string want = std::string(name) + " must have 4 elements" +
                           (lengths.size() > 1 ? " {N, H, W, C} (or 2: {H, W})" : "") + ", got ";
  const int64_t len = c.shape(input).dim(0);
  if (len >= 0 && !fits(len)) throw ValueError("Op " + c.what() + ": " + want + std::to_string(len));
  auto sizes = c.ints(input);
  if (!sizes) return sizes;
  std::string list;
  for (int64_t v : *sizes) list += (list.empty() ? "" : ",") + std::to_string(v);
  if (!fits(static_cast<int64_t>(sizes->size())))
    throw ValueError("Op " + c.what() + ": " + want + "[" + list + "]");
  for (int64_t v : *sizes) {
    if (v < 0) throw ValueError("Op " + c.what() + ": " + name + " must be non-negative, got [" + list + "]");
  }
  return sizes;
}

void check_backprop_spatial(const InferenceContext& c, const ConvAttrs& a, const Shape& in, const Shape& f,
                            const Shape& dy, const char* sizes_name) {
  const std::string what = c.what() + " with input shapes: " + c.input_shapes();
  for (int i = 1; i <= 2; ++i) {
    if (in.dim(i) < 0 || f.dim(i - 1) < 0 || dy.dim(i) < 0) continue;
    const int64_t k = dilated(f.dim(i - 1), i == 1 ? a.dilation_h : a.dilation_w, c);
    const int64_t stride = i == 1 ? a.stride_h : a.stride_w;
    const int64_t want = a.padding == Padding::Valid && in.dim(i) < k
                             ? -1
                             : conv_dim(in.dim(i), k, stride, a.padding, what).out;
    if (want != dy.dim(i)) {
      throw ValueError(
          c.type + " " + c.what() + ": size of out_backprop doesn't match computed: actual = " +
          std::to_string(dy.dim(i)) + ", computed = " + (want < 0 ? "none" : std::to_string(want)) +
          " spatial_dim: " + std::to_string(i) + " input: " + std::to_string(in.dim(i)) +
          " filter: " + std::to_string(f.dim(i - 1)) + " output: " + std::to_string(dy.dim(i)) + " stride: " +
          std::to_string(stride) + " dilation: " + std::to_string(i == 1 ? a.dilation_h : a.dilation_w) +
          " (" + sizes_name + " " + (std::string(sizes_name) == "filter_sizes" ? f : in).to_string() + ")");
    }
  }
}

Shape pool_output(const InferenceContext& c, const Shape& in) {
  require_nhwc(c);
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
  const std::string what = c.what() + " with input shapes: " + c.input_shapes();
  const ConvDim h = conv_dim(in.dim(1), k[1], s[1], padding_of(c), what);
  const ConvDim w = conv_dim(in.dim(2), k[2], s[2], padding_of(c), what);
  return Shape{in.dim(0), h.out, w.out, in.dim(3)};
}

}  // namespace nn_detail

namespace {

using namespace nn_detail;
using shape_fns::require_rank;

// Output height and width of a convolution of `in` (NHWC) with a [kh, kw, ...] filter.
std::pair<int64_t, int64_t> conv_out_hw(const InferenceContext& c, const ConvAttrs& a, const Shape& in,
                                        const Shape& f) {
  const std::string what = c.what() + " with input shapes: " + c.input_shapes();
  const ConvDim h = conv_dim(in.dim(1), dilated(f.dim(0), a.dilation_h, c), a.stride_h, a.padding, what);
  const ConvDim w = conv_dim(in.dim(2), dilated(f.dim(1), a.dilation_w, c), a.stride_w, a.padding, what);
  return {h.out, w.out};
}

OutputSpecs conv2d_shape(const InferenceContext& c) {
  const ConvAttrs a = conv_attrs(c);
  require_rank(c, 0, 4, "input");
  require_rank(c, 1, 4, "filter");
  const Shape& in = c.shape(0);
  const Shape& f = c.shape(1);
  merge_dim(in.dim(3), f.dim(2), c);
  require_known_filter(c, 1);
  const auto [h, w] = conv_out_hw(c, a, in, f);
  return {{float32, Shape{in.dim(0), h, w, f.dim(3)}}};
}

// Filter [kh, kw, in, multiplier]: in * multiplier output channels, channel
// c * multiplier + m from input channel c.
OutputSpecs depthwise_shape(const InferenceContext& c) {
  const ConvAttrs a = conv_attrs(c);
  require_rank(c, 0, 4, "input");
  require_rank(c, 1, 4, "filter");
  const Shape& in = c.shape(0);
  const Shape& f = c.shape(1);
  merge_dim(in.dim(3), f.dim(2), c);
  require_known_filter(c, 1);
  int64_t channels = 0;
  if (__builtin_mul_overflow(f.dim(2), f.dim(3), &channels)) {
    throw ValueError("Op " + c.what() + ": in_channels * channel_multiplier overflows for filter " +
                     f.to_string());
  }
  const auto [h, w] = conv_out_hw(c, a, in, f);
  return {{float32, Shape{in.dim(0), h, w, channels}}};
}

// The gradient of Conv2D with respect to its input: of shape `input_sizes`
// (a constant's value when known: {N, H, W, C}, or {H, W} as TF also takes),
// checked against the filter and out_backprop as TF's kernel checks them.
OutputSpecs conv2d_backprop_input_shape(const InferenceContext& c) {
  const ConvAttrs a = conv_attrs(c);
  require_rank(c, 0, 1, "input_sizes");
  require_rank(c, 1, 4, "filter");
  require_rank(c, 2, 4, "out_backprop");
  const Shape& f = c.shape(1);
  const Shape& dy = c.shape(2);
  const int64_t out_channels = merge_dim(dy.dim(3), f.dim(3), c);
  (void)out_channels;
  Shape out{dy.dim(0), Shape::kUnknown, Shape::kUnknown, f.dim(2)};
  if (const auto sizes = sizes_value(c, 0, "input_sizes", {4, 2})) {
    const std::vector<int64_t>& v = *sizes;
    const bool full = v.size() == 4;
    out = Shape{merge_dim(full ? v[0] : -1, dy.dim(0), c), full ? v[1] : v[0], full ? v[2] : v[1],
                merge_dim(full ? v[3] : -1, f.dim(2), c)};
  }
  require_known_filter(c, 1);
  check_backprop_spatial(c, a, out, f, dy, "input_sizes");
  return {{float32, out}};
}

// `bias` of shape [C] against `value` of shape [..., C].
void check_bias(const InferenceContext& c, const Shape& value, size_t bias_input, const char* name = "bias") {
  const Shape& bias = c.shape(bias_input);
  if (value.rank() < 2) {
    throw ValueError("Shape must be at least rank 2 but is rank " + std::to_string(value.rank()) + " for " +
                     c.what() + " with input shapes: " + c.input_shapes() + ".");
  }
  require_rank(c, bias_input, 1, name);
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

// What the fused convolution kernels compute: an optional BiasAdd (one arg,
// the bias) or FusedBatchNorm (four args: scale, offset, mean and variance,
// folded into the filter and a bias with the `epsilon` attribute), then an
// optional Relu or Relu6, after `conv` (Conv2D's or DepthwiseConv2dNative's shape).
OutputSpecs fused_shape(const InferenceContext& c, OutputSpecs (*conv)(const InferenceContext&)) {
  OutputSpecs out = conv(c);
  const auto& fused = c.attr<std::vector<std::string>>("fused_ops");
  const int64_t num_args = c.attr<int64_t>("num_args");
  size_t next = 0;
  int64_t want_args = 0;
  if (next < fused.size() && fused[next] == "BiasAdd") {
    want_args = 1;
    ++next;
  } else if (next < fused.size() && fused[next] == "FusedBatchNorm") {
    want_args = 4;
    ++next;
  }
  if (next < fused.size() && (fused[next] == "Relu" || fused[next] == "Relu6")) ++next;
  if (next != fused.size()) {
    throw UnimplementedError(
        "Op " + c.what() + ": fused_ops " + std::to_string(fused.size()) + " ops starting at \"" +
        fused[next] + "\" are not implemented (minitf fuses [BiasAdd or FusedBatchNorm][, Relu or Relu6])");
  }
  if (num_args != want_args) {
    throw ValueError("Op " + c.what() + " with fused_ops of " + std::to_string(fused.size()) +
                     " ops needs num_args " + std::to_string(want_args) + ", got " +
                     std::to_string(num_args));
  }
  if (want_args == 1) check_bias(c, out[0].second, 2);
  if (want_args == 4) {
    // scale, offset, mean, variance: each [C], C the output's channels.
    const char* names[] = {"scale", "offset", "mean", "variance"};
    for (size_t i = 2; i < 6; ++i) check_bias(c, out[0].second, i, names[i - 2]);
  }
  return out;
}

// MaxPool and AvgPool: NHWC, a window over height and width only.
OutputSpecs pool_shape(const InferenceContext& c) {
  require_rank(c, 0, 4, "input");
  return {{float32, pool_output(c, c.shape(0))}};
}

OutputSpecs softmax_shape(const InferenceContext& c) {
  if (c.shape(0).rank() < 1) {
    throw ValueError("Shape must be at least rank 1 but is rank 0 for " + c.what() +
                     " with input shapes: " + c.input_shapes() + ".");
  }
  return {c.inputs[0]};
}

OutputSpecs lrn_shape(const InferenceContext& c) {
  require_rank(c, 0, 4, "input");
  if (c.attr<int64_t>("depth_radius") < 0) {
    throw ValueError("Op " + c.what() + ": depth_radius must be non-negative, got " +
                     std::to_string(c.attr<int64_t>("depth_radius")));
  }
  return {c.inputs[0]};
}

// FusedBatchNormV3: y like x, then batch_mean, batch_variance and reserve
// spaces 1 and 2 of shape [C], and reserve_space_3, a scalar (TF's CPU
// kernel's). Training with exponential_avg_factor 1 takes empty ([0]) mean
// and variance, as tf.nn.fused_batch_norm passes them.
OutputSpecs fused_batch_norm_shape(const InferenceContext& c) {
  require_nhwc(c);
  require_rank(c, 0, 4, "x");
  int64_t channels = c.shape(0).dim(3);
  const bool estimates_unused = c.attr<bool>("is_training") && c.attr<float>("exponential_avg_factor") == 1.f;
  const char* names[] = {"x", "scale", "offset", "mean", "variance"};
  for (size_t i = 1; i < 5; ++i) {
    require_rank(c, i, 1, names[i]);
    if (i >= 3 && estimates_unused && c.shape(i).dim(0) == 0) continue;
    channels = merge_dim(channels, c.shape(i).dim(0), c);
  }
  Shape y = c.shape(0);
  y = Shape{y.dim(0), y.dim(1), y.dim(2), channels};
  const TensorSpec vec{float32, Shape{channels}};
  return {{float32, y}, vec, vec, vec, vec, {float32, Shape{}}};
}

}  // namespace

void register_nn_ops(const AddOp& add, const AddFusion& add_fusion) {
  // Made here, not at namespace scope: an op registered from a user's static
  // initializer may build the registry before this file's statics exist.
  const std::vector<AttrValue> paddings{std::string("SAME"), std::string("VALID")};
  const std::vector<AttrValue> formats{std::string("NHWC"), std::string("NCHW")};
  const AttrValue ones = std::vector<int64_t>{1, 1, 1, 1};
  const AttrValue no_paddings = std::vector<int64_t>{};
  // Conv2D, DepthwiseConv2dNative and their fused forms (TF's internal
  // _FusedConv2D, _FusedDepthwiseConv2dNative) share inputs and attributes.
  auto conv_op = [&](const std::string& type, bool fused, ShapeFn shape) {
    OpDef def(type);
    std::move(def).input("input", {float32}).input("filter", {float32});
    if (fused) std::move(def).input_list("args", "num_args", {float32});
    std::move(def)
        .output("output")
        .attr("strides", AttrType::kInts)
        .attr("padding", AttrType::kString, paddings)
        .attr("data_format", std::string("NHWC"), formats)
        .attr("dilations", ones)
        .attr("explicit_paddings", no_paddings, {no_paddings});  // TF's EXPLICIT padding is not implemented
    if (type.find("Conv2D") != std::string::npos) std::move(def).attr("use_cudnn_on_gpu", true);
    if (fused) {
      std::move(def)
          .attr("fused_ops", std::vector<std::string>{})
          .attr("num_args", int64_t{0})
          .attr("epsilon", 0.0001f)        // FusedBatchNorm's, as TF's
          .attr("leakyrelu_alpha", 0.2f);  // LeakyRelu's (TF's attribute; minitf fuses Relu and Relu6)
    }
    std::move(def).shape_fn(std::move(shape));
    return def;
  };
  add(conv_op("Conv2D", false, conv2d_shape));
  add(conv_op("_FusedConv2D", true, [](const InferenceContext& c) { return fused_shape(c, conv2d_shape); }));
  add(conv_op("DepthwiseConv2dNative", false, depthwise_shape));
  add(conv_op("_FusedDepthwiseConv2dNative", true,
              [](const InferenceContext& c) { return fused_shape(c, depthwise_shape); }));
  add(OpDef("Conv2DBackpropInput")
          .input("input_sizes", {int32})
          .input("filter", {float32})
          .input("out_backprop", {float32})
          .output("output")
          .attr("strides", AttrType::kInts)
          .attr("padding", AttrType::kString, paddings)
          .attr("data_format", std::string("NHWC"), formats)
          .attr("dilations", ones)
          .attr("explicit_paddings", no_paddings, {no_paddings})
          .attr("use_cudnn_on_gpu", true)
          .type_attr("input_sizes", "")
          .shape_fn(conv2d_backprop_input_shape));
  add(OpDef("LRN")
          .input("input", {float32})
          .output("output")
          .attr("depth_radius", int64_t{5})
          .attr("bias", 1.f)
          .attr("alpha", 1.f)
          .attr("beta", 0.5f)
          .shape_fn(lrn_shape));
  add(OpDef("FusedBatchNormV3")
          .input("x", {float32})
          .input("scale", {float32})
          .input("offset", {float32})
          .input("mean", {float32})
          .input("variance", {float32})
          .output("y")
          .output("batch_mean")
          .output("batch_variance")
          .output("reserve_space_1")
          .output("reserve_space_2")
          .output("reserve_space_3")
          .attr("epsilon", 0.0001f)
          .attr("exponential_avg_factor", 1.f)
          .attr("data_format", std::string("NHWC"), formats)
          .attr("is_training", true)
          .type_attr("scale", "U")
          .type_attr("offset", "U")
          .type_attr("mean", "U")
          .type_attr("variance", "U")
          .shape_fn(fused_batch_norm_shape));
  // Its gradient: x_backprop like x, scale_backprop and offset_backprop [C],
  // reserve spaces 4 and 5 empty ([0]), from the mean and variance the forward
  // op saved in its reserve spaces 1 and 2.
  add(OpDef("FusedBatchNormGradV3")
          .input("y_backprop", {float32})
          .input("x", {float32})
          .input("scale", {float32})
          .input("reserve_space_1", {float32})
          .input("reserve_space_2", {float32})
          .input("reserve_space_3", {float32})
          .output("x_backprop")
          .output("scale_backprop")
          .output("offset_backprop")
          .output("reserve_space_4")
          .output("reserve_space_5")
          .attr("epsilon", 0.0001f)
          .attr("data_format", std::string("NHWC"), formats)
          .attr("is_training", true)
          .type_attr("scale", "U")
          .type_attr("reserve_space_1", "U")
          .type_attr("reserve_space_2", "U")
          .type_attr("reserve_space_3", "U")
          .shape_fn([](const InferenceContext& c) {
            require_nhwc(c);
            require_rank(c, 0, 4, "y_backprop");
            require_rank(c, 1, 4, "x");
            Shape x = c.shape(1);
            std::vector<int64_t> dims;
            for (int i = 0; i < 4; ++i) dims.push_back(merge_dim(x.dim(i), c.shape(0).dim(i), c));
            int64_t channels = dims[3];
            const char* names[] = {"", "", "scale", "reserve_space_1", "reserve_space_2"};
            for (size_t i = 2; i < 5; ++i) {
              require_rank(c, i, 1, names[i]);
              channels = merge_dim(channels, c.shape(i).dim(0), c);
            }
            dims[3] = channels;
            const TensorSpec vec{float32, Shape{channels}};
            const TensorSpec none{float32, Shape{0}};
            return OutputSpecs{{float32, Shape(dims)}, vec, vec, none, none};
          }));
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
  for (const std::string type : {"MaxPool", "AvgPool"}) {
    OpDef def = OpDef(type)
                    .input("value", {float32})
                    .output("output")
                    .attr("ksize", AttrType::kInts)
                    .attr("strides", AttrType::kInts)
                    .attr("padding", AttrType::kString, paddings)
                    .attr("data_format", std::string("NHWC"), formats)
                    .shape_fn(pool_shape);
    if (type == "MaxPool") std::move(def).attr("explicit_paddings", no_paddings, {no_paddings});
    add(std::move(def));
  }
  for (const char* type : {"Softmax", "LogSoftmax"}) {
    add(OpDef(type)
            .input("logits", {float32})
            .output(type == std::string("Softmax") ? "softmax" : "logsoftmax")
            .shape_fn(softmax_shape));
  }
  register_nn_grad_ops(add);
  // A FusedBatchNormV3 for inference folds into the convolution's filter and
  // bias (TF's remapper fuses the same ones: is_training false, NHWC, only y used).
  const NormStage batch_norm{"FusedBatchNormV3",
                             "FusedBatchNorm",
                             {{"is_training", false}, {"data_format", std::string("NHWC")}},
                             {"epsilon"}};
  add_fusion(FusionRule{
      "Conv2D", "_FusedConv2D", {"BiasAdd", "Add", "AddV2"}, {"Relu", "Relu6"}, "BiasAdd", {batch_norm}});
  add_fusion(FusionRule{"DepthwiseConv2dNative",
                        "_FusedDepthwiseConv2dNative",
                        {"BiasAdd", "Add", "AddV2"},
                        {"Relu", "Relu6"},
                        "BiasAdd",
                        {batch_norm}});
}

Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides, Padding padding,
              const OpName& name) {
  return conv2d(input, filter, strides, padding, Conv2DOptions{}, name);
}
Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
              std::string_view padding, const OpName& name) {
  return conv2d(input, filter, strides, parse_padding(padding), Conv2DOptions{}, name);
}
Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides, Padding padding,
              const Conv2DOptions& options, const OpName& name) {
  return make_op("Conv2D", name, "Conv2D", {input, filter},
                 {{"strides", strides},
                  {"padding", std::string(padding_name(padding))},
                  {"dilations", options.dilations}});
}
Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
              std::string_view padding, const Conv2DOptions& options, const OpName& name) {
  return conv2d(input, filter, strides, parse_padding(padding), options, name);
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

using nn_detail::parse_padding;

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

Output depthwise_conv2d_native(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
                               Padding padding, const OpName& name) {
  return make_op("DepthwiseConv2dNative", name, "DepthwiseConv2dNative", {input, filter},
                 {{"strides", strides}, {"padding", std::string(padding_name(padding))}});
}
Output depthwise_conv2d_native(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
                               std::string_view padding, const OpName& name) {
  return depthwise_conv2d_native(input, filter, strides, parse_padding(padding), name);
}
Output depthwise_conv2d_native(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
                               std::string_view padding, const Conv2DOptions& options, const OpName& name) {
  return make_op("DepthwiseConv2dNative", name, "DepthwiseConv2dNative", {input, filter},
                 {{"strides", strides},
                  {"padding", std::string(padding_name(parse_padding(padding)))},
                  {"dilations", options.dilations}});
}
Output depthwise_conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
                        std::string_view padding, const OpName& name) {
  return make_op("DepthwiseConv2dNative", name, "depthwise", {input, filter},
                 {{"strides", strides}, {"padding", std::string(padding_name(parse_padding(padding)))}});
}

namespace {

// tf.nn.conv2d_transpose: the op is named as its name scope, and output_shape
// made inside that scope ("conv2d_transpose/output_shape").
Output conv2d_transpose_impl(const Output& value, const Output& filter,
                             const std::function<Output(Graph&)>& output_shape,
                             const std::vector<int64_t>& strides, std::string_view padding,
                             const OpName& name) {
  const std::string pad = padding_name(parse_padding(padding));
  Graph g = graph_for({value, filter});
  const std::string scope = g.unique_name(name.empty() ? "conv2d_transpose" : name.str());
  Output sizes;
  {
    NameScopeGuard guard(g, scope);
    sizes = output_shape(g);
  }
  return create_op(g, "Conv2DBackpropInput", scope + "/", {sizes, filter, value},
                   {{"strides", strides}, {"padding", pad}})
      .output(0);
}

}  // namespace

Output conv2d_transpose(const Output& value, const Output& filter, const std::vector<int64_t>& output_shape,
                        const std::vector<int64_t>& strides, std::string_view padding, const OpName& name) {
  std::vector<int32_t> dims;
  for (int64_t d : output_shape) {
    if (d < 0 || d > std::numeric_limits<int32_t>::max()) {
      std::string list;
      for (int64_t v : output_shape) list += (list.empty() ? "" : ",") + std::to_string(v);
      throw ValueError("conv2d_transpose needs an output_shape of non-negative int32 sizes, got [" + list +
                       "]");
    }
    dims.push_back(static_cast<int32_t>(d));
  }
  const Tensor t = Tensor::from<int32_t>(Shape{static_cast<int64_t>(dims.size())}, dims);
  return conv2d_transpose_impl(
      value, filter,
      [&](Graph& g) {
        return create_op(g, "Const", "output_shape", {}, {{"value", t}, {"dtype", int32}}).output(0);
      },
      strides, padding, name);
}
Output conv2d_transpose(const Output& value, const Output& filter, const Output& output_shape,
                        const std::vector<int64_t>& strides, std::string_view padding, const OpName& name) {
  return conv2d_transpose_impl(
      value, filter, [&](Graph&) { return output_shape; }, strides, padding, name);
}

Output lrn(const Output& input, int64_t depth_radius, float bias, float alpha, float beta,
           const OpName& name) {
  return make_op("LRN", name, "LRN", {input},
                 {{"depth_radius", depth_radius}, {"bias", bias}, {"alpha", alpha}, {"beta", beta}});
}

FusedBatchNormOutputs fused_batch_norm(const Output& x, const Output& scale, const Output& offset,
                                       const Output& mean, const Output& variance, float epsilon,
                                       bool is_training, const OpName& name) {
  // TF raises epsilon to cuDNN's minimum on every device, so a model means the same everywhere.
  constexpr float kMinEpsilon = 1.001e-5f;
  const Operation op =
      create_op(graph_for({x}), "FusedBatchNormV3", name.empty() ? "FusedBatchNormV3" : name.str(),
                {x, scale, offset, mean, variance},
                {{"epsilon", epsilon > kMinEpsilon ? epsilon : kMinEpsilon}, {"is_training", is_training}});
  return {op.output(0), op.output(1), op.output(2)};
}

}  // namespace minitf::nn
