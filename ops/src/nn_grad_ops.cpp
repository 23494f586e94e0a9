// The backward ops of tf.nn that training needs (TF's core/ops/nn_ops.cc and
// the two activation gradients of math_ops.cc): convolution and pooling
// gradients, activation gradients, BiasAddGrad and the softmax cross
// entropies; their raw builders and TF 1.x's tf.nn loss wrappers.
#include <minitf/ops/ops.h>

#include "families.h"
#include "name_scope_guard.h"
#include "nn_common.h"

namespace minitf {
namespace {

using namespace nn_detail;
using shape_fns::require_rank;

// Both inputs of one shape, and the output too (TF's MergeBothInputsShapeFn).
OutputSpecs merge_both(const InferenceContext& c) {
  const Shape& a = c.shape(0);
  const Shape& b = c.shape(1);
  if (a.rank() != b.rank()) {
    throw ValueError("Shapes must be equal rank, but are " + std::to_string(a.rank()) + " and " +
                     std::to_string(b.rank()) + " for " + c.what() +
                     " with input shapes: " + c.input_shapes() + ".");
  }
  std::vector<int64_t> dims;
  for (int i = 0; i < a.rank(); ++i) dims.push_back(merge_dim(a.dim(i), b.dim(i), c));
  return {{float32, Shape(std::move(dims))}};
}

// The gradient of Conv2D (or DepthwiseConv2dNative) with respect to its
// filter: of shape `filter_sizes` when that is a known constant, else with
// the channels input and out_backprop give; checked as TF's kernel checks.
OutputSpecs backprop_filter_shape(const InferenceContext& c, bool depthwise) {
  const ConvAttrs a = conv_attrs(c);
  require_rank(c, 0, 4, "input");
  require_rank(c, 2, 4, "out_backprop");
  const Shape& x = c.shape(0);
  const Shape& dy = c.shape(2);
  merge_dim(x.dim(0), dy.dim(0), c);
  Shape f{Shape::kUnknown, Shape::kUnknown, x.dim(3), depthwise ? Shape::kUnknown : dy.dim(3)};
  if (const auto sizes = sizes_value(c, 1, "filter_sizes", {4})) {
    const std::vector<int64_t>& v = *sizes;
    f = Shape{v[0], v[1], merge_dim(v[2], x.dim(3), c), depthwise ? v[3] : merge_dim(v[3], dy.dim(3), c)};
  }
  if (depthwise && f.dim(2) >= 0 && dy.dim(3) >= 0) {
    // out_backprop has in_channels * channel_multiplier channels.
    const bool known = f.dim(3) >= 0;
    const bool fits = known ? f.dim(2) * f.dim(3) == dy.dim(3)
                            : (f.dim(2) > 0 ? dy.dim(3) % f.dim(2) == 0 : dy.dim(3) == 0);
    if (!fits) {
      throw ValueError(c.type + " " + c.what() + ": out_backprop depth " + std::to_string(dy.dim(3)) +
                       " is not in_channels * channel_multiplier of filter_sizes " + f.to_string() +
                       " (input shapes: " + c.input_shapes() + ")");
    }
    if (!known && f.dim(2) > 0) f = Shape{f.dim(0), f.dim(1), f.dim(2), dy.dim(3) / f.dim(2)};
  }
  check_backprop_spatial(c, a, x, f, dy, "filter_sizes");
  return {{float32, f}};
}

// The gradient of DepthwiseConv2dNative with respect to its input.
OutputSpecs depthwise_backprop_input_shape(const InferenceContext& c) {
  const ConvAttrs a = conv_attrs(c);
  require_rank(c, 1, 4, "filter");
  require_rank(c, 2, 4, "out_backprop");
  const Shape& f = c.shape(1);
  const Shape& dy = c.shape(2);
  require_known_filter(c, 1);
  merge_dim(dy.dim(3), f.dim(2) * f.dim(3), c);
  Shape out{dy.dim(0), Shape::kUnknown, Shape::kUnknown, f.dim(2)};
  if (const auto sizes = sizes_value(c, 0, "input_sizes", {4})) {
    const std::vector<int64_t>& v = *sizes;
    out = Shape{merge_dim(v[0], dy.dim(0), c), v[1], v[2], merge_dim(v[3], f.dim(2), c)};
  }
  check_backprop_spatial(c, a, out, f, dy, "input_sizes");
  return {{float32, out}};
}

// MaxPoolGrad: orig_input's shape; orig_output and grad are the pooling's output shape.
OutputSpecs max_pool_grad_shape(const InferenceContext& c) {
  require_rank(c, 0, 4, "orig_input");
  require_rank(c, 1, 4, "orig_output");
  require_rank(c, 2, 4, "grad");
  const Shape& in = c.shape(0);
  const Shape pooled = pool_output(c, in);
  std::vector<int64_t> dims = in.dims();
  for (int i = 0; i < 4; ++i) {
    const int64_t d = merge_dim(merge_dim(pooled.dim(i), c.shape(1).dim(i), c), c.shape(2).dim(i), c);
    if (i == 0 || i == 3) dims[static_cast<size_t>(i)] = d;
  }
  return {{float32, Shape(std::move(dims))}};
}

// AvgPoolGrad: of shape orig_input_shape (a known constant's value, or partly known from grad).
OutputSpecs avg_pool_grad_shape(const InferenceContext& c) {
  require_rank(c, 1, 4, "grad");
  const Shape& g = c.shape(1);
  Shape out{g.dim(0), Shape::kUnknown, Shape::kUnknown, g.dim(3)};
  if (const auto sizes = sizes_value(c, 0, "orig_input_shape", {4})) {
    const std::vector<int64_t>& v = *sizes;
    out = Shape{merge_dim(v[0], g.dim(0), c), v[1], v[2], merge_dim(v[3], g.dim(3), c)};
  }
  const Shape pooled = pool_output(c, out);
  for (int i = 1; i <= 2; ++i) {
    if (pooled.dim(i) >= 0 && g.dim(i) >= 0 && pooled.dim(i) != g.dim(i)) {
      throw ValueError("AvgPoolGrad " + c.what() + ": grad of shape " + g.to_string() +
                       " is not the pooled shape " + pooled.to_string() + " of orig_input_shape " +
                       out.to_string());
    }
  }
  return {{float32, out}};
}

OutputSpecs bias_add_grad_shape(const InferenceContext& c) {
  require_nhwc(c);
  const Shape& x = c.shape(0);
  if (x.rank() < 2) {
    throw ValueError("Shape must be at least rank 2 but is rank " + std::to_string(x.rank()) + " for " +
                     c.what() + " with input shapes: " + c.input_shapes() + ".");
  }
  return {{float32, Shape{x.dim(x.rank() - 1)}}};
}

// features and labels [N, C] (or shapes that broadcast to a rank-2 shape, as TF): loss [N], backprop [N, C].
OutputSpecs softmax_xent_shape(const InferenceContext& c) {
  const Shape& f = c.shape(0);
  const Shape& l = c.shape(1);
  Shape both;
  if (f.rank() == 2 && l.rank() == 2 && f.compatible_with(l)) {
    both = Shape{merge_dim(f.dim(0), l.dim(0), c), merge_dim(f.dim(1), l.dim(1), c)};
  } else {
    both = broadcast_shapes(f, l, c.what());
    if (both.rank() != 2) {
      throw ValueError("Shape must be broadcasted with rank 2, but is rank " + std::to_string(both.rank()) +
                       " for " + c.what() + " with input shapes: " + c.input_shapes() + ".");
    }
  }
  return {{float32, Shape{both.dim(0)}}, {float32, both}};
}

// features [N, C], labels [N] (class ids): loss [N], backprop [N, C].
OutputSpecs sparse_softmax_xent_shape(const InferenceContext& c) {
  require_rank(c, 0, 2, "features");
  require_rank(c, 1, 1, "labels");
  const int64_t batch = merge_dim(c.shape(0).dim(0), c.shape(1).dim(0), c);
  return {{float32, Shape{batch}}, {float32, Shape{batch, c.shape(0).dim(1)}}};
}

}  // namespace

void register_nn_grad_ops(const AddOp& add) {
  const std::vector<AttrValue> paddings{std::string("SAME"), std::string("VALID")};
  const std::vector<AttrValue> formats{std::string("NHWC"), std::string("NCHW")};
  const AttrValue ones = std::vector<int64_t>{1, 1, 1, 1};
  const AttrValue no_paddings = std::vector<int64_t>{};  // TF's EXPLICIT padding is not implemented
  // The convolution gradients: one input is an int32 shape (input_sizes or filter_sizes).
  auto conv_grad = [&](const std::string& type, bool sizes_first, ShapeFn shape) {
    OpDef def(type);
    if (sizes_first) {
      std::move(def).input("input_sizes", {int32}).input("filter", {float32}).type_attr("input_sizes", "");
    } else {
      std::move(def).input("input", {float32}).input("filter_sizes", {int32}).type_attr("filter_sizes", "");
    }
    std::move(def)
        .input("out_backprop", {float32})
        .output("output")
        .attr("strides", AttrType::kInts)
        .attr("padding", AttrType::kString, paddings)
        .attr("explicit_paddings", no_paddings, {no_paddings})
        .attr("data_format", std::string("NHWC"), formats)
        .attr("dilations", ones);
    if (type.starts_with("Conv2D")) std::move(def).attr("use_cudnn_on_gpu", true);
    std::move(def).shape_fn(std::move(shape));
    return def;
  };
  add(conv_grad("Conv2DBackpropFilter", false,
                [](const InferenceContext& c) { return backprop_filter_shape(c, false); }));
  add(conv_grad("DepthwiseConv2dNativeBackpropInput", true, depthwise_backprop_input_shape));
  add(conv_grad("DepthwiseConv2dNativeBackpropFilter", false,
                [](const InferenceContext& c) { return backprop_filter_shape(c, true); }));
  add(OpDef("MaxPoolGrad")
          .input("orig_input", {float32})
          .input("orig_output", {float32})
          .input("grad", {float32})
          .output("output")
          .attr("ksize", AttrType::kInts)
          .attr("strides", AttrType::kInts)
          .attr("padding", AttrType::kString, paddings)
          .attr("explicit_paddings", no_paddings, {no_paddings})
          .attr("data_format", std::string("NHWC"), formats)
          .shape_fn(max_pool_grad_shape));
  add(OpDef("AvgPoolGrad")
          .input("orig_input_shape", {int32})
          .input("grad", {float32})
          .output("output")
          .attr("ksize", AttrType::kInts)
          .attr("strides", AttrType::kInts)
          .attr("padding", AttrType::kString, paddings)
          .attr("data_format", std::string("NHWC"), formats)
          .type_attr("orig_input_shape", "")
          .shape_fn(avg_pool_grad_shape));
  add(OpDef("BiasAddGrad")
          .input("out_backprop", {float32})
          .output("output")
          .attr("data_format", std::string("NHWC"), formats)
          .shape_fn(bias_add_grad_shape));
  // Activation gradients: (the incoming gradient, what the activation saw or gave).
  for (const char* type : {"ReluGrad", "Relu6Grad", "SoftplusGrad"}) {
    add(OpDef(type)
            .input("gradients", {float32})
            .input("features", {float32})
            .output("backprops")
            .set_elementwise()
            .shape_fn(merge_both));
  }
  for (const char* type : {"EluGrad", "SeluGrad"}) {
    add(OpDef(type)
            .input("gradients", {float32})
            .input("outputs", {float32})
            .output("backprops")
            .set_elementwise()
            .shape_fn(merge_both));
  }
  add(OpDef("LeakyReluGrad")
          .input("gradients", {float32})
          .input("features", {float32})
          .output("backprops")
          .attr("alpha", 0.2f)
          .set_elementwise()
          .shape_fn(merge_both));
  for (const char* type : {"SigmoidGrad", "TanhGrad"}) {
    add(OpDef(type)
            .input("y", {float32})
            .input("dy", {float32})
            .output("z")
            .set_elementwise()
            .shape_fn(merge_both));
  }
  add(OpDef("SoftmaxCrossEntropyWithLogits")
          .input("features", {float32})
          .input("labels", {float32})
          .output("loss")
          .output("backprop")
          .shape_fn(softmax_xent_shape));
  add(OpDef("SparseSoftmaxCrossEntropyWithLogits")
          .input("features", {float32})
          .input("labels", {int32, int64})
          .output("loss")
          .output("backprop")
          .type_attr("labels", "Tlabels")
          .shape_fn(sparse_softmax_xent_shape));
}

namespace raw_ops {
namespace {

AttrMap conv_grad_attrs(const std::vector<int64_t>& strides, std::string_view padding,
                        const std::vector<int64_t>& dilations) {
  return {{"strides", strides},
          {"padding", std::string(padding_name(parse_padding(padding)))},
          {"dilations", dilations}};
}

AttrMap pool_attrs(const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                   std::string_view padding) {
  return {
      {"ksize", ksize}, {"strides", strides}, {"padding", std::string(padding_name(parse_padding(padding)))}};
}

SoftmaxCrossEntropyOutputs xent(const std::string& type, const Output& features, const Output& labels,
                                const OpName& name) {
  const Operation op =
      create_op(graph_for({features, labels}), type, name.empty() ? type : name.str(), {features, labels});
  return {op.output(0), op.output(1)};
}

}  // namespace

Output conv2d_backprop_filter(const Output& input, const Output& filter_sizes, const Output& out_backprop,
                              const std::vector<int64_t>& strides, std::string_view padding,
                              const std::vector<int64_t>& dilations, const OpName& name) {
  return make_op("Conv2DBackpropFilter", name, "Conv2DBackpropFilter", {input, filter_sizes, out_backprop},
                 conv_grad_attrs(strides, padding, dilations));
}
Output conv2d_backprop_input(const Output& input_sizes, const Output& filter, const Output& out_backprop,
                             const std::vector<int64_t>& strides, std::string_view padding,
                             const std::vector<int64_t>& dilations, const OpName& name) {
  return make_op("Conv2DBackpropInput", name, "Conv2DBackpropInput", {input_sizes, filter, out_backprop},
                 conv_grad_attrs(strides, padding, dilations));
}
Output depthwise_conv2d_native_backprop_input(const Output& input_sizes, const Output& filter,
                                              const Output& out_backprop, const std::vector<int64_t>& strides,
                                              std::string_view padding, const std::vector<int64_t>& dilations,
                                              const OpName& name) {
  return make_op("DepthwiseConv2dNativeBackpropInput", name, "DepthwiseConv2dNativeBackpropInput",
                 {input_sizes, filter, out_backprop}, conv_grad_attrs(strides, padding, dilations));
}
Output depthwise_conv2d_native_backprop_filter(const Output& input, const Output& filter_sizes,
                                               const Output& out_backprop,
                                               const std::vector<int64_t>& strides, std::string_view padding,
                                               const std::vector<int64_t>& dilations, const OpName& name) {
  return make_op("DepthwiseConv2dNativeBackpropFilter", name, "DepthwiseConv2dNativeBackpropFilter",
                 {input, filter_sizes, out_backprop}, conv_grad_attrs(strides, padding, dilations));
}
Output max_pool_grad(const Output& orig_input, const Output& orig_output, const Output& grad,
                     const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                     std::string_view padding, const OpName& name) {
  return make_op("MaxPoolGrad", name, "MaxPoolGrad", {orig_input, orig_output, grad},
                 pool_attrs(ksize, strides, padding));
}
Output avg_pool_grad(const Output& orig_input_shape, const Output& grad, const std::vector<int64_t>& ksize,
                     const std::vector<int64_t>& strides, std::string_view padding, const OpName& name) {
  return make_op("AvgPoolGrad", name, "AvgPoolGrad", {orig_input_shape, grad},
                 pool_attrs(ksize, strides, padding));
}
Output relu_grad(const Output& gradients, const Output& features, const OpName& name) {
  return make_op("ReluGrad", name, "ReluGrad", {gradients, features});
}
Output relu6_grad(const Output& gradients, const Output& features, const OpName& name) {
  return make_op("Relu6Grad", name, "Relu6Grad", {gradients, features});
}
Output bias_add_grad(const Output& out_backprop, const OpName& name) {
  return make_op("BiasAddGrad", name, "BiasAddGrad", {out_backprop});
}
SoftmaxCrossEntropyOutputs softmax_cross_entropy_with_logits(const Output& features, const Output& labels,
                                                             const OpName& name) {
  return xent("SoftmaxCrossEntropyWithLogits", features, labels, name);
}
SoftmaxCrossEntropyOutputs sparse_softmax_cross_entropy_with_logits(const Output& features,
                                                                    const Output& labels,
                                                                    const OpName& name) {
  return xent("SparseSoftmaxCrossEntropyWithLogits", features, labels, name);
}
Output sigmoid_grad(const Output& y, const Output& dy, const OpName& name) {
  return make_op("SigmoidGrad", name, "SigmoidGrad", {y, dy});
}
Output tanh_grad(const Output& y, const Output& dy, const OpName& name) {
  return make_op("TanhGrad", name, "TanhGrad", {y, dy});
}
Output elu_grad(const Output& gradients, const Output& outputs, const OpName& name) {
  return make_op("EluGrad", name, "EluGrad", {gradients, outputs});
}
Output selu_grad(const Output& gradients, const Output& outputs, const OpName& name) {
  return make_op("SeluGrad", name, "SeluGrad", {gradients, outputs});
}
Output softplus_grad(const Output& gradients, const Output& features, const OpName& name) {
  return make_op("SoftplusGrad", name, "SoftplusGrad", {gradients, features});
}
Output leaky_relu_grad(const Output& gradients, const Output& features, float alpha, const OpName& name) {
  return make_op("LeakyReluGrad", name, "LeakyReluGrad", {gradients, features}, {{"alpha", alpha}});
}

}  // namespace raw_ops

namespace nn {

Output sparse_softmax_cross_entropy_with_logits(const Output& labels, const Output& logits,
                                                const OpName& name) {
  // TF 1.x's checks, in its words, before anything is made.
  const Shape& l = labels.shape();
  const Shape& f = logits.shape();
  if (f.rank() == 0) {
    throw ValueError("Logits cannot be scalars - received shape " + f.to_string() + ".");
  }
  if (l.rank() != f.rank() - 1) {
    throw ValueError("Rank mismatch: Rank of labels (received " + std::to_string(l.rank()) +
                     ") should equal rank of logits minus 1 (received " + std::to_string(f.rank()) + ").");
  }
  bool defined = l.fully_defined();
  for (int i = 0; i + 1 < f.rank(); ++i) defined = defined && f.dim(i) >= 0;
  bool same = true;
  for (int i = 0; i < l.rank(); ++i) same = same && l.dim(i) == f.dim(i);
  if (defined && !same) {
    throw ValueError("Shape mismatch: The shape of labels (received " + l.to_string() +
                     ") should equal the shape of logits except for the last dimension (received " +
                     f.to_string() + ").");
  }
  if (f.rank() != 2) {
    throw UnimplementedError(
        "sparse_softmax_cross_entropy_with_logits: minitf takes logits of rank 2 [batch, classes] only, "
        "got " +
        f.to_string() + " (reshape to rank 2 first)");
  }
  // with ops.name_scope(name, "SparseSoftmaxCrossEntropyWithLogits"): the
  // labels' Shape TF stores for later, then the op named `name` (or its type) inside.
  Graph g = graph_for({labels, logits});
  const std::string scope = g.unique_name(name.empty() ? "SparseSoftmaxCrossEntropyWithLogits" : name.str());
  NameScopeGuard guard(g, scope);
  shape(labels);
  return raw_ops::sparse_softmax_cross_entropy_with_logits(
             logits, labels, name.empty() ? OpName("SparseSoftmaxCrossEntropyWithLogits") : name)
      .loss;
}

Output softmax_cross_entropy_with_logits_v2(const Output& labels, const Output& logits, const OpName& name) {
  if (logits.shape().rank() != 2 || labels.shape().rank() != 2) {
    throw UnimplementedError(
        "softmax_cross_entropy_with_logits_v2: minitf takes labels and logits of rank 2 [batch, classes] "
        "only, "
        "got labels " +
        labels.shape().to_string() + " and logits " + logits.shape().to_string());
  }
  // with ops.name_scope(name, "softmax_cross_entropy_with_logits") as name:
  // the op takes the scope's own name.
  Graph g = graph_for({logits, labels});
  const std::string scope = g.unique_name(name.empty() ? "softmax_cross_entropy_with_logits" : name.str());
  const Operation op = create_op(g, "SoftmaxCrossEntropyWithLogits", scope + "/", {logits, labels});
  return op.output(0);
}

}  // namespace nn
}  // namespace minitf
