// Gradients of the nn ops (TF's python/ops/nn_grad.py, in our words): the
// backward ops (Conv2DBackpropFilter, MaxPoolGrad, ReluGrad, ...) are defined
// in nn_ops.cpp beside their forward ops.
#include <minitf/ops/array_ops.h>
#include <minitf/ops/math_ops.h>
#include <minitf/ops/nn_ops.h>

#include "families.h"
#include "grad_util.h"

namespace minitf {
namespace {

using Grads = std::vector<Output>;

Output in(const Operation& op, size_t i) { return op.inputs()[i]; }
const std::vector<int64_t>& ints(const Operation& op, const char* key) {
  return op.attr<std::vector<int64_t>>(key);
}
const std::string& padding(const Operation& op) { return op.attr<std::string>("padding"); }

Grads conv2d_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0), w = in(op, 1);
  const auto& s = ints(op, "strides");
  const auto& d = ints(op, "dilations");
  return {raw_ops::conv2d_backprop_input(grad::shape_of(x), w, g[0], s, padding(op), d),
          raw_ops::conv2d_backprop_filter(x, grad::shape_of(w), g[0], s, padding(op), d)};
}

// Conv2DBackpropInput(input_sizes, filter, out_backprop): a transposed convolution.
Grads conv2d_backprop_input_grad(const Operation& op, const Grads& g) {
  const Output w = in(op, 1), dy = in(op, 2);
  const auto& s = ints(op, "strides");
  const auto& d = ints(op, "dilations");
  return {Output(), raw_ops::conv2d_backprop_filter(g[0], grad::shape_of(w), dy, s, padding(op), d),
          conv2d(g[0], w, s, padding(op), Conv2DOptions{.dilations = d})};
}

Grads depthwise_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0), w = in(op, 1);
  const auto& s = ints(op, "strides");
  const auto& d = ints(op, "dilations");
  return {raw_ops::depthwise_conv2d_native_backprop_input(grad::shape_of(x), w, g[0], s, padding(op), d),
          raw_ops::depthwise_conv2d_native_backprop_filter(x, grad::shape_of(w), g[0], s, padding(op), d)};
}

Grads max_pool_grad(const Operation& op, const Grads& g) {
  return {raw_ops::max_pool_grad(in(op, 0), op.output(0), g[0], ints(op, "ksize"), ints(op, "strides"),
                                 padding(op))};
}

Grads avg_pool_grad(const Operation& op, const Grads& g) {
  return {raw_ops::avg_pool_grad(grad::shape_of(in(op, 0)), g[0], ints(op, "ksize"), ints(op, "strides"),
                                 padding(op))};
}

Grads bias_add_grad(const Operation&, const Grads& g) { return {g[0], raw_ops::bias_add_grad(g[0])}; }

Grads softmax_grad(const Operation& op, const Grads& g) {
  const Output y = op.output(0);
  const int64_t last = y.shape().rank() - 1;
  return {(g[0] - reduce_sum(g[0] * y, {last}, true)) * y};
}

Grads log_softmax_grad(const Operation& op, const Grads& g) {
  const Output y = op.output(0);
  const int64_t last = y.shape().rank() - 1;
  return {g[0] - reduce_sum(g[0], {last}, true) * exp(y)};
}

// The loss gradient [N] times the op's own backprop output [N, C].
Output scale_rows(const Output& loss_grad, const Output& backprop) {
  return expand_dims(loss_grad, -1) * backprop;
}

Grads sparse_xent_grad(const Operation& op, const Grads& g) {
  return {scale_rows(g[0], op.output(1)), Output()};
}

Grads xent_grad(const Operation& op, const Grads& g) {
  const Output logits = in(op, 0);
  return {scale_rows(g[0], op.output(1)), scale_rows(g[0], negative(nn::log_softmax(logits)))};
}

// FusedBatchNormV3: FusedBatchNormGradV3 from the statistics the op saved.
Grads fused_batch_norm_grad(const Operation& op, const Grads& g) {
  const Operation grad =
      create_op(get_default_graph(), "FusedBatchNormGradV3", "FusedBatchNormGradV3",
                {g[0], in(op, 0), in(op, 1), op.output(3), op.output(4), op.output(5)},
                {{"epsilon", op.attr<float>("epsilon")}, {"is_training", op.attr<bool>("is_training")}});
  return {grad.output(0), grad.output(1), grad.output(2), Output(), Output()};
}

}  // namespace

void register_nn_gradients(const GradRegistrar& r) {
  r.gradient("Conv2D", conv2d_grad);
  r.gradient("Conv2DBackpropInput", conv2d_backprop_input_grad);
  r.gradient("DepthwiseConv2dNative", depthwise_grad);
  r.gradient("MaxPool", max_pool_grad);
  r.gradient("AvgPool", avg_pool_grad);
  r.gradient("BiasAdd", bias_add_grad);
  r.gradient("FusedBatchNormV3", fused_batch_norm_grad);
  r.gradient("Relu", [](const Operation& op, const Grads& g) {
    return Grads{raw_ops::relu_grad(g[0], op.output(0))};
  });
  r.gradient("Relu6",
             [](const Operation& op, const Grads& g) { return Grads{raw_ops::relu6_grad(g[0], in(op, 0))}; });
  r.gradient("LeakyRelu", [](const Operation& op, const Grads& g) {
    return Grads{raw_ops::leaky_relu_grad(g[0], in(op, 0), op.attr<float>("alpha"))};
  });
  r.gradient("Elu", [](const Operation& op, const Grads& g) {
    return Grads{raw_ops::elu_grad(g[0], op.output(0))};
  });
  r.gradient("Selu", [](const Operation& op, const Grads& g) {
    return Grads{raw_ops::selu_grad(g[0], op.output(0))};
  });
  r.gradient("Softplus", [](const Operation& op, const Grads& g) {
    return Grads{raw_ops::softplus_grad(g[0], in(op, 0))};
  });
  r.gradient("Sigmoid", [](const Operation& op, const Grads& g) {
    return Grads{raw_ops::sigmoid_grad(op.output(0), g[0])};
  });
  r.gradient("Tanh", [](const Operation& op, const Grads& g) {
    return Grads{raw_ops::tanh_grad(op.output(0), g[0])};
  });
  r.gradient("Softmax", softmax_grad);
  r.gradient("LogSoftmax", log_softmax_grad);
  r.gradient("SparseSoftmaxCrossEntropyWithLogits", sparse_xent_grad);
  r.gradient("SoftmaxCrossEntropyWithLogits", xent_grad);
}

}  // namespace minitf
