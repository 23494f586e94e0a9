#pragma once
// tf.nn builders: convolutions, activations, pooling, softmax, normalization.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <minitf/graph/graph.h>
#include <minitf/ops/math_ops.h>

namespace minitf {

// tf.nn.conv2d: input NHWC, filter [kh, kw, in, out], strides {1, sh, sw, 1}.
Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides, Padding padding,
              const OpName& name = {});
Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
              std::string_view padding, const OpName& name = {});
// What tf.nn.conv2d takes besides strides and padding: `tf::conv2d(x, w, s, "SAME", {.dilations = {1, 2, 2,
// 1}})`.
struct Conv2DOptions {
  std::vector<int64_t> dilations = {1, 1, 1, 1};  // {1, dh, dw, 1}: filter taps dh rows and dw columns apart
};
Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides, Padding padding,
              const Conv2DOptions& options, const OpName& name = {});
Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
              std::string_view padding, const Conv2DOptions& options, const OpName& name = {});
Output relu(const Output& x, const OpName& name = {});
Output bias_add(const Output& value, const Output& bias, const OpName& name = {});

// tf.nn: the ops above that TF keeps there, and more.
namespace nn {
using minitf::bias_add;
using minitf::conv2d;
using minitf::relu;
// min(max(x, 0), 6)
Output relu6(const Output& x, const OpName& name = {});
// x for x > 0, alpha * x otherwise
Output leaky_relu(const Output& x, float alpha = 0.2f, const OpName& name = {});
// x for x >= 0, exp(x) - 1 otherwise
Output elu(const Output& x, const OpName& name = {});
// scale * elu with TF's (alpha, scale) of the self-normalizing paper
Output selu(const Output& x, const OpName& name = {});
// log(exp(x) + 1), computed as TF does for large and small x
Output softplus(const Output& x, const OpName& name = {});
using minitf::sigmoid;
using minitf::tanh;
// Pooling over NHWC: ksize and strides as {1, h, w, 1}; AvgPool averages the
// window's cells inside the image only (TF's rule).
Output max_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                Padding padding, const OpName& name = {});
Output max_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                std::string_view padding, const OpName& name = {});
Output avg_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                Padding padding, const OpName& name = {});
Output avg_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                std::string_view padding, const OpName& name = {});
// Softmax and log-softmax over the last axis.
Output softmax(const Output& logits, const OpName& name = {});
Output log_softmax(const Output& logits, const OpName& name = {});

// tf.nn.depthwise_conv2d_native: input NHWC, filter [kh, kw, in, multiplier];
// output channel c * multiplier + m is input channel c convolved with filter [:, :, c, m].
Output depthwise_conv2d_native(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
                               Padding padding, const OpName& name = {});
Output depthwise_conv2d_native(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
                               std::string_view padding, const OpName& name = {});
Output depthwise_conv2d_native(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
                               std::string_view padding, const Conv2DOptions& options,
                               const OpName& name = {});
inline Output depthwise_conv2d_native(const Output& input, const Output& filter,
                                      const std::vector<int64_t>& strides, Padding padding,
                                      const Conv2DOptions& options, const OpName& name = {}) {
  return depthwise_conv2d_native(input, filter, strides, padding_name(padding), options, name);
}
// tf.nn.depthwise_conv2d without `rate`: the same op, named "depthwise" by default.
Output depthwise_conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
                        std::string_view padding, const OpName& name = {});
inline Output depthwise_conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
                               Padding padding, const OpName& name = {}) {
  return depthwise_conv2d(input, filter, strides, padding_name(padding), name);
}
// tf.nn.conv2d_transpose: Conv2DBackpropInput of `value` (NHWC) with filter
// [kh, kw, out_channels, in_channels], giving `output_shape` {N, H, W, out_channels}.
Output conv2d_transpose(const Output& value, const Output& filter, const std::vector<int64_t>& output_shape,
                        const std::vector<int64_t>& strides, std::string_view padding,
                        const OpName& name = {});
// The same, with the output shape an int32 tensor (a constant, or computed: then known when it runs).
Output conv2d_transpose(const Output& value, const Output& filter, const Output& output_shape,
                        const std::vector<int64_t>& strides, std::string_view padding,
                        const OpName& name = {});
inline Output conv2d_transpose(const Output& value, const Output& filter,
                               const std::vector<int64_t>& output_shape, const std::vector<int64_t>& strides,
                               Padding padding, const OpName& name = {}) {
  return conv2d_transpose(value, filter, output_shape, strides, padding_name(padding), name);
}
inline Output conv2d_transpose(const Output& value, const Output& filter, const Output& output_shape,
                               const std::vector<int64_t>& strides, Padding padding,
                               const OpName& name = {}) {
  return conv2d_transpose(value, filter, output_shape, strides, padding_name(padding), name);
}
// tf.nn.lrn (local_response_normalization): over NHWC's channel axis,
// input / (bias + alpha * sum of input^2 over channels d - r .. d + r)^beta.
Output lrn(const Output& input, int64_t depth_radius = 5, float bias = 1.f, float alpha = 1.f,
           float beta = 0.5f, const OpName& name = {});
inline Output local_response_normalization(const Output& input, int64_t depth_radius = 5, float bias = 1.f,
                                           float alpha = 1.f, float beta = 0.5f, const OpName& name = {}) {
  return lrn(input, depth_radius, bias, alpha, beta, name);
}
// What fused_batch_norm returns: `auto [y, mean, variance] = tf::nn::fused_batch_norm(...)`.
struct FusedBatchNormOutputs {
  Output y, batch_mean, batch_variance;
};
// tf.nn.fused_batch_norm (FusedBatchNormV3) over NHWC for inference:
// (x - mean) / sqrt(variance + epsilon) * scale + offset, per channel; epsilon
// below 1.001e-5 is raised to it, as TF's. is_training = true is not implemented.
FusedBatchNormOutputs fused_batch_norm(const Output& x, const Output& scale, const Output& offset,
                                       const Output& mean, const Output& variance, float epsilon = 0.001f,
                                       bool is_training = false, const OpName& name = {});
// tf.nn.sparse_softmax_cross_entropy_with_logits (TF 1.x: labels first): the
// loss [N] of logits [N, C] against class ids `labels` [N] (int32 or int64),
// made as TF's wrapper makes it, under the name scope
// "SparseSoftmaxCrossEntropyWithLogits" (its op named so inside). A label
// outside [0, C) is an InvalidArgumentError when it runs.
Output sparse_softmax_cross_entropy_with_logits(const Output& labels, const Output& logits,
                                                const OpName& name = {});
// tf.nn.softmax_cross_entropy_with_logits_v2: the loss [N] of logits [N, C]
// against probabilities `labels` [N, C]; the op is named as its name scope,
// "softmax_cross_entropy_with_logits".
Output softmax_cross_entropy_with_logits_v2(const Output& labels, const Output& logits,
                                            const OpName& name = {});
}  // namespace nn

// TF's generated op wrappers (tf.raw_ops) for the backward ops training needs:
// TF's op types, input order and attributes; default names are the op types.
namespace raw_ops {
// The gradient of Conv2D with respect to its filter, of shape filter_sizes (int32 {kh, kw, in, out}).
Output conv2d_backprop_filter(const Output& input, const Output& filter_sizes, const Output& out_backprop,
                              const std::vector<int64_t>& strides, std::string_view padding,
                              const std::vector<int64_t>& dilations = {1, 1, 1, 1}, const OpName& name = {});
// The gradient of Conv2D with respect to its input, of shape input_sizes (int32 {N, H, W, C}).
Output conv2d_backprop_input(const Output& input_sizes, const Output& filter, const Output& out_backprop,
                             const std::vector<int64_t>& strides, std::string_view padding,
                             const std::vector<int64_t>& dilations = {1, 1, 1, 1}, const OpName& name = {});
// The gradients of DepthwiseConv2dNative (filter [kh, kw, in, multiplier]).
Output depthwise_conv2d_native_backprop_input(const Output& input_sizes, const Output& filter,
                                              const Output& out_backprop, const std::vector<int64_t>& strides,
                                              std::string_view padding,
                                              const std::vector<int64_t>& dilations = {1, 1, 1, 1},
                                              const OpName& name = {});
Output depthwise_conv2d_native_backprop_filter(const Output& input, const Output& filter_sizes,
                                               const Output& out_backprop,
                                               const std::vector<int64_t>& strides, std::string_view padding,
                                               const std::vector<int64_t>& dilations = {1, 1, 1, 1},
                                               const OpName& name = {});
// MaxPool's gradient: each window's grad goes to its first maximal element of orig_input.
Output max_pool_grad(const Output& orig_input, const Output& orig_output, const Output& grad,
                     const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                     std::string_view padding, const OpName& name = {});
// AvgPool's gradient, of shape orig_input_shape (int32 {N, H, W, C}).
Output avg_pool_grad(const Output& orig_input_shape, const Output& grad, const std::vector<int64_t>& ksize,
                     const std::vector<int64_t>& strides, std::string_view padding, const OpName& name = {});
// gradients * (features > 0)
Output relu_grad(const Output& gradients, const Output& features, const OpName& name = {});
// gradients * (0 < features < 6)
Output relu6_grad(const Output& gradients, const Output& features, const OpName& name = {});
// out_backprop summed over every axis but the last.
Output bias_add_grad(const Output& out_backprop, const OpName& name = {});
// What the softmax cross entropies give: the loss [N] and its gradient with respect to the logits [N, C].
struct SoftmaxCrossEntropyOutputs {
  Output loss, backprop;
};
// features [N, C] logits, labels [N, C] probabilities: loss [N], backprop = softmax(features) - labels.
SoftmaxCrossEntropyOutputs softmax_cross_entropy_with_logits(const Output& features, const Output& labels,
                                                             const OpName& name = {});
// labels [N] class ids (int32 or int64); one outside [0, C) is an InvalidArgumentError when it runs.
SoftmaxCrossEntropyOutputs sparse_softmax_cross_entropy_with_logits(const Output& features,
                                                                    const Output& labels,
                                                                    const OpName& name = {});
// dy * y * (1 - y), y = sigmoid(x)
Output sigmoid_grad(const Output& y, const Output& dy, const OpName& name = {});
// dy * (1 - y * y), y = tanh(x)
Output tanh_grad(const Output& y, const Output& dy, const OpName& name = {});
// gradients where outputs >= 0, gradients * (outputs + 1) elsewhere
Output elu_grad(const Output& gradients, const Output& outputs, const OpName& name = {});
Output selu_grad(const Output& gradients, const Output& outputs, const OpName& name = {});
// gradients * sigmoid(features)
Output softplus_grad(const Output& gradients, const Output& features, const OpName& name = {});
Output leaky_relu_grad(const Output& gradients, const Output& features, float alpha = 0.2f,
                       const OpName& name = {});
}  // namespace raw_ops

}  // namespace minitf
