#pragma once
// TF 1.x's tf.layers, built on get_variable: each layer opens a variable
// scope named after it ("conv2d", "conv2d_1", ... or the name given) and
// creates exactly the variables TF creates, with TF's names and shapes.
#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <minitf/graph/graph.h>
#include <minitf/scope/initializers.h>
#include <minitf/scope/scopes.h>

namespace minitf {

namespace detail {
template <class T>
struct is_std_function : std::false_type {};
template <class R, class... A>
struct is_std_function<std::function<R(A...)>> : std::true_type {};
}  // namespace detail

// An activation: any callable Output(const Output&), such as tf::nn::relu or
// a lambda. Builders with a trailing name parameter (tf::nn::relu) work as they are.
class Activation {
 public:
  Activation() = default;
  template <class F>
  requires std::invocable<F&, const Output&> || std::invocable<F&, const Output&, const OpName&> Activation(
      F f) {  // NOLINT: converts like a Python callable
    // A null function pointer or an empty std::function is no activation (TF's None).
    if constexpr (std::is_pointer_v<F> || detail::is_std_function<F>::value) {
      if (!f) return;
    }
    if constexpr (std::invocable<F&, const Output&>) {
      fn_ = [f = std::move(f)](const Output& x) mutable { return Output(f(x)); };
    } else {
      fn_ = [f = std::move(f)](const Output& x) mutable { return Output(f(x, OpName{})); };
    }
  }
  explicit operator bool() const { return static_cast<bool>(fn_); }
  Output operator()(const Output& x) const { return fn_(x); }

 private:
  std::function<Output(const Output&)> fn_;
};

namespace layers {

// tf.layers.conv2d's keyword arguments, in TF's order.
struct Conv2DOptions {
  std::vector<int64_t> strides{1, 1};
  std::string padding = "valid";  // "valid" or "same", any case
  std::vector<int64_t> dilation_rate{1, 1};
  Activation activation{};
  bool use_bias = true;
  Initializer kernel_initializer{};  // none: get_variable's default (glorot_uniform)
  Initializer bias_initializer = zeros_initializer();
  bool trainable = true;
  std::string name{};
  Reuse reuse{};
};

// Conv2D (NHWC) with kernel [kh, kw, in, filters] ("conv2d/kernel") and bias
// [filters] ("conv2d/bias"), then the activation. kernel_size is {kh, kw}.
Output conv2d(const Output& inputs, int64_t filters, const std::vector<int64_t>& kernel_size,
              const Conv2DOptions& options = {});

struct DenseOptions {
  Activation activation{};
  bool use_bias = true;
  Initializer kernel_initializer{};
  Initializer bias_initializer = zeros_initializer();
  bool trainable = true;
  std::string name{};
  Reuse reuse{};
};

// MatMul with kernel [in, units] ("dense/kernel"), bias [units], activation.
// Inputs of rank > 2 are multiplied along their last axis, as TF's tensordot.
Output dense(const Output& inputs, int64_t units, const DenseOptions& options = {});

struct PoolingOptions {
  std::string padding = "valid";
  std::string name{};
};

// pool_size and strides are {h, w}.
Output max_pooling2d(const Output& inputs, const std::vector<int64_t>& pool_size,
                     const std::vector<int64_t>& strides, const PoolingOptions& options = {});
Output average_pooling2d(const Output& inputs, const std::vector<int64_t>& pool_size,
                         const std::vector<int64_t>& strides, const PoolingOptions& options = {});

struct BatchNormalizationOptions {
  int64_t axis = -1;  // minitf normalizes the last (channel) axis only, as NHWC models do
  float momentum = 0.99f;
  float epsilon = 1e-3f;
  bool center = true;  // beta
  bool scale = true;   // gamma
  Initializer beta_initializer = zeros_initializer();
  Initializer gamma_initializer = ones_initializer();
  Initializer moving_mean_initializer = zeros_initializer();
  Initializer moving_variance_initializer = ones_initializer();
  // true: normalize with the batch's statistics and add the moving averages'
  // updates to the graph's UPDATE_OPS collection (tf::kUpdateOps), as TF;
  // rank-4 inputs only.
  bool training = false;
  bool trainable = true;
  std::string name{};
  Reuse reuse{};
};

// Batch normalization over the last axis: variables gamma, beta
// (trainable), moving_mean, moving_variance (not trainable). For inference
// it normalizes with the moving statistics; with `training` with the batch's.
Output batch_normalization(const Output& inputs, const BatchNormalizationOptions& options = {});

struct FlattenOptions {
  std::string name{};
};
// [N, ...] -> [N, product of the rest].
Output flatten(const Output& inputs, const FlattenOptions& options = {});

struct DropoutOptions {
  bool training = false;  // false: the identity, as TF at inference
  std::optional<int64_t> seed{};
  std::string name{};
};
// Keeps each value with probability 1 - rate, scaled by 1 / (1 - rate), when training.
Output dropout(const Output& inputs, float rate = 0.5f, const DropoutOptions& options = {});

}  // namespace layers
}  // namespace minitf
