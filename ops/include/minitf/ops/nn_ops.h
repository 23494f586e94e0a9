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
}  // namespace nn

}  // namespace minitf
