#include <minitf/layers/layers.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include <minitf/ops/ops.h>
#include <minitf/scope/variable.h>

#include "layer_scope.h"

namespace minitf::layers {
namespace {

using detail::LayerScope;

Padding padding_of(std::string padding, const std::string& layer) {
  std::transform(padding.begin(), padding.end(), padding.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  if (padding == "valid") return Padding::Valid;
  if (padding == "same") return Padding::Same;
  throw ValueError("tf.layers." + layer + ": padding must be \"valid\" or \"same\", got \"" + padding + "\"");
}

std::vector<int64_t> pair_of(const std::vector<int64_t>& v, const std::string& what,
                             const std::string& layer) {
  if (v.size() == 1 && v[0] > 0) return {v[0], v[0]};
  if (v.size() != 2 || v[0] <= 0 || v[1] <= 0) {
    std::string s;
    for (int64_t x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
    throw ValueError("tf.layers." + layer + ": " + what + " must be one or two positive integers, got (" + s +
                     ")");
  }
  return v;
}

// The known size of the last axis of `inputs`, which sizes the layer's weights.
int64_t last_dim(const Output& inputs, int min_rank, const std::string& layer) {
  const Shape& s = inputs.shape();
  if (s.rank() < min_rank || s.dim(s.rank() - 1) < 0) {
    throw ValueError("tf.layers." + layer + " on '" + inputs.name() + "' of shape " + s.to_string() +
                     ": needs rank >= " + std::to_string(min_rank) + " and a known last dimension");
  }
  return s.dim(s.rank() - 1);
}

Variable weight(const std::string& name, const Shape& shape, const Initializer& initializer, bool trainable) {
  return get_variable(
      name, shape, GetVariableOptions{.initializer = initializer, .dtype = float32, .trainable = trainable});
}

Output activate(const Output& x, const Activation& activation) { return activation ? activation(x) : x; }

}  // namespace

Output conv2d(const Output& inputs, int64_t filters, const std::vector<int64_t>& kernel_size,
              const Conv2DOptions& o) {
  const auto k = pair_of(kernel_size, "kernel_size", "conv2d");
  const auto strides = pair_of(o.strides, "strides", "conv2d");
  const auto dilation = pair_of(o.dilation_rate, "dilation_rate", "conv2d");
  const Padding padding = padding_of(o.padding, "conv2d");
  if (filters <= 0)
    throw ValueError("tf.layers.conv2d: filters must be positive, got " + std::to_string(filters));
  if (inputs.shape().rank() != 4) {
    throw ValueError("tf.layers.conv2d on '" + inputs.name() + "': inputs must be NHWC (rank 4), got shape " +
                     inputs.shape().to_string());
  }
  const int64_t in = last_dim(inputs, 4, "conv2d");
  LayerScope scope(o.name, "conv2d", o.reuse);
  Variable kernel = weight("kernel", {k[0], k[1], in, filters}, o.kernel_initializer, o.trainable);
  Output y = nn::conv2d(inputs, kernel, {1, strides[0], strides[1], 1}, padding,
                        {.dilations = {1, dilation[0], dilation[1], 1}});
  if (o.use_bias) y = nn::bias_add(y, weight("bias", {filters}, o.bias_initializer, o.trainable));
  return activate(y, o.activation);
}

Output dense(const Output& inputs, int64_t units, const DenseOptions& o) {
  if (units <= 0) throw ValueError("tf.layers.dense: units must be positive, got " + std::to_string(units));
  const int64_t in = last_dim(inputs, 2, "dense");
  LayerScope scope(o.name, "dense", o.reuse);
  Variable kernel = weight("kernel", {in, units}, o.kernel_initializer, o.trainable);
  Output y;
  if (inputs.shape().rank() == 2) {
    y = matmul(inputs, kernel);
  } else {
    // TF's tensordot along the last axis: [..., in] -> [-1, in] x [in, units] -> [..., units].
    std::vector<int64_t> out_dims = inputs.shape().dims();
    out_dims.back() = units;
    for (size_t i = 0; i + 1 < out_dims.size(); ++i) {
      if (out_dims[i] < 0) {
        throw UnimplementedError("tf.layers.dense on '" + inputs.name() + "' of shape " +
                                 inputs.shape().to_string() + ": rank > 2 needs known leading dimensions");
      }
    }
    y = reshape(matmul(reshape(inputs, Shape{-1, in}), kernel), Shape(out_dims));
  }
  if (o.use_bias) y = nn::bias_add(y, weight("bias", {units}, o.bias_initializer, o.trainable));
  return activate(y, o.activation);
}

namespace {

Output pooling(const Output& inputs, const std::vector<int64_t>& pool_size,
               const std::vector<int64_t>& strides, const PoolingOptions& o, const std::string& layer,
               bool max) {
  const auto k = pair_of(pool_size, "pool_size", layer);
  const auto s = pair_of(strides, "strides", layer);
  const Padding padding = padding_of(o.padding, layer);
  LayerScope scope(o.name, layer, {});
  const std::vector<int64_t> ksize{1, k[0], k[1], 1}, steps{1, s[0], s[1], 1};
  return max ? nn::max_pool(inputs, ksize, steps, padding) : nn::avg_pool(inputs, ksize, steps, padding);
}

}  // namespace

Output max_pooling2d(const Output& inputs, const std::vector<int64_t>& pool_size,
                     const std::vector<int64_t>& strides, const PoolingOptions& options) {
  return pooling(inputs, pool_size, strides, options, "max_pooling2d", true);
}

Output average_pooling2d(const Output& inputs, const std::vector<int64_t>& pool_size,
                         const std::vector<int64_t>& strides, const PoolingOptions& options) {
  return pooling(inputs, pool_size, strides, options, "average_pooling2d", false);
}

Output batch_normalization(const Output& inputs, const BatchNormalizationOptions& o) {
  const int rank = inputs.shape().rank();
  if (o.axis != -1 && o.axis != rank - 1) {
    throw UnimplementedError("tf.layers.batch_normalization on '" + inputs.name() + "' of shape " +
                             inputs.shape().to_string() +
                             ": minitf normalizes the last axis only, got axis " + std::to_string(o.axis));
  }
  if (o.training && rank != 4) {
    throw UnimplementedError("tf.layers.batch_normalization on '" + inputs.name() + "' of shape " +
                             inputs.shape().to_string() +
                             ": training=true is implemented for rank-4 (NHWC) inputs only");
  }
  const int64_t c = last_dim(inputs, 2, "batch_normalization");
  LayerScope scope(o.name, "batch_normalization", o.reuse);
  Output gamma = o.scale ? Output(weight("gamma", {c}, o.gamma_initializer, o.trainable)) : Output();
  Output beta = o.center ? Output(weight("beta", {c}, o.beta_initializer, o.trainable)) : Output();
  const Variable moving_mean = weight("moving_mean", {c}, o.moving_mean_initializer, false);
  const Variable moving_variance = weight("moving_variance", {c}, o.moving_variance_initializer, false);
  Output mean = moving_mean, variance = moving_variance;
  if (rank == 4) {
    if (gamma.empty()) gamma = constant(std::vector<float>(static_cast<size_t>(c), 1.f), {c});
    if (beta.empty()) beta = constant(std::vector<float>(static_cast<size_t>(c), 0.f), {c});
    if (!o.training) return nn::fused_batch_norm(inputs, gamma, beta, mean, variance, o.epsilon, false).y;
    // The batch's statistics normalize; the moving ones follow them through
    // two AssignSub ops in UPDATE_OPS, which a training step must run (TF's
    // `with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS))`).
    const Output none = constant(std::vector<float>{}, {0});
    const auto [y, batch_mean, batch_variance] =
        nn::fused_batch_norm(inputs, gamma, beta, none, none, o.epsilon, true);
    Graph g = get_default_graph();
    for (const auto& [var, value] :
         {std::pair{moving_mean, batch_mean}, std::pair{moving_variance, batch_variance}}) {
      name_scope ns("AssignMovingAvg");
      const Output decay = constant(1.f - o.momentum, "decay");
      const Output delta = (var.value() - value) * decay;
      g.add_to_collection(kUpdateOps, raw_ops::assign_sub(var.op().output(0), delta, ns.name()).op());
    }
    return y;
  }
  // TF's nn.batch_normalization: x * inv + (beta - mean * inv), inv = rsqrt(var + eps) * gamma.
  Output inv = rsqrt(variance + o.epsilon);
  if (!gamma.empty()) inv = inv * gamma;
  Output shift = beta.empty() ? -(mean * inv) : beta - mean * inv;
  return inputs * inv + shift;
}

Output flatten(const Output& inputs, const FlattenOptions& o) {
  const Shape& s = inputs.shape();
  if (s.rank() < 1)
    throw ValueError("tf.layers.flatten on '" + inputs.name() + "': inputs must have rank >= 1");
  int64_t rest = 1;
  for (int i = 1; i < s.rank(); ++i) {
    if (s.dim(i) < 0) {
      throw UnimplementedError("tf.layers.flatten on '" + inputs.name() + "' of shape " + s.to_string() +
                               ": minitf needs the dimensions after the first known");
    }
    if (__builtin_mul_overflow(rest, s.dim(i), &rest)) {
      throw ValueError("tf.layers.flatten on '" + inputs.name() + "' of shape " + s.to_string() +
                       ": the flattened size overflows int64");
    }
  }
  LayerScope scope(o.name, "flatten", {});
  // TF makes the shape int64 when the size does not fit in an int32.
  if (rest > INT32_MAX) return reshape(inputs, constant(Tensor::from<int64_t>({2}, {-1, rest})));
  return reshape(inputs, constant(Tensor::from<int32_t>({2}, {-1, static_cast<int32_t>(rest)})));
}

Output dropout(const Output& inputs, float rate, const DropoutOptions& o) {
  if (!(rate >= 0.f && rate < 1.f)) {
    throw ValueError("tf.layers.dropout on '" + inputs.name() + "': rate must be in [0, 1), got " +
                     std::to_string(rate));
  }
  LayerScope scope(o.name, "dropout", {});
  if (!o.training) return identity(inputs);
  if (!inputs.shape().fully_defined()) {
    throw UnimplementedError("tf.layers.dropout on '" + inputs.name() + "' of shape " +
                             inputs.shape().to_string() + ": training needs a fully defined shape");
  }
  name_scope ns("dropout");
  Output u = random_uniform(inputs.shape(), 0.f, 1.f, o.seed);
  Output keep = cast(greater_equal(u, constant(rate)), float32);
  return inputs * (1.f / (1.f - rate)) * keep;
}

}  // namespace minitf::layers
