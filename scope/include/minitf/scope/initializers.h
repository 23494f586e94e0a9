#pragma once
// Initializers: functions from (shape, dtype) to the op that computes a variable's first value.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <minitf/graph/graph.h>

namespace minitf {

// A variable initializer, as TF's init_ops classes. An empty one means "none".
class Initializer {
 public:
  using Fn = std::function<Output(const Shape&, DType)>;

  Initializer() = default;
  Initializer(std::string kind, Fn fn) : kind_(std::move(kind)), fn_(std::move(fn)) {}

  bool empty() const { return !fn_; }
  explicit operator bool() const { return !empty(); }
  // "constant(0.4)", "glorot_uniform", ...: what it is, for messages and docs.
  const std::string& kind() const { return kind_; }
  // Adds the ops computing the initial value under the current name scope.
  Output operator()(const Shape& shape, DType dtype) const;

 private:
  std::string kind_;
  Fn fn_;
};

using Seed = std::optional<int64_t>;

Initializer constant_initializer(float value = 0.f);
Initializer zeros_initializer();
Initializer ones_initializer();
Initializer random_uniform_initializer(float minval = 0.f, float maxval = 1.f, Seed seed = std::nullopt);
Initializer random_normal_initializer(float mean = 0.f, float stddev = 1.f, Seed seed = std::nullopt);
Initializer truncated_normal_initializer(float mean = 0.f, float stddev = 1.f, Seed seed = std::nullopt);
// Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)).
Initializer glorot_uniform_initializer(Seed seed = std::nullopt);

// fan_in and fan_out of a weight shape, as TF's _compute_fans.
std::pair<double, double> compute_fans(const Shape& shape);

}  // namespace minitf
