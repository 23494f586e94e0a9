#include <minitf/ops/ops.h>
#include <minitf/scope/initializers.h>

#include <cmath>
#include <sstream>

namespace minitf {
namespace {

std::string number(float v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

void require_float(const char* what, DType dtype) {
  if (dtype != float32) {
    throw ValueError(std::string(what) + " makes float32 values only, asked for " + dtype_name(dtype));
  }
}

}  // namespace

Output Initializer::operator()(const Shape& shape, DType dtype) const {
  if (!fn_) throw ValueError("Initializer is empty");
  return fn_(shape, dtype);
}

Initializer constant_initializer(float value) {
  return Initializer("constant(" + number(value) + ")", [value](const Shape& shape, DType dtype) {
    Tensor t(dtype, shape);
    with_dtype(dtype, [&](auto zero) {
      using T = decltype(zero);
      T v{};
      store_exact(value, dtype, &v, "constant_initializer(" + number(value) + ") for " + dtype_name(dtype));
      for (auto&& x : t.data<T>()) x = v;
    });
    return constant(t);
  });
}

Initializer zeros_initializer() {
  return Initializer("zeros", [](const Shape& shape, DType dtype) { return zeros(shape, dtype); });
}

Initializer ones_initializer() {
  return Initializer("ones", [](const Shape& shape, DType dtype) { return ones(shape, dtype); });
}

Initializer random_uniform_initializer(float minval, float maxval, Seed seed) {
  return Initializer("random_uniform(" + number(minval) + ", " + number(maxval) + ")",
                     [=](const Shape& shape, DType dtype) {
                       require_float("random_uniform_initializer", dtype);
                       return random_uniform(shape, minval, maxval, seed);
                     });
}

Initializer random_normal_initializer(float mean, float stddev, Seed seed) {
  return Initializer("random_normal(" + number(mean) + ", " + number(stddev) + ")",
                     [=](const Shape& shape, DType dtype) {
                       require_float("random_normal_initializer", dtype);
                       return random_normal(shape, mean, stddev, seed);
                     });
}

Initializer truncated_normal_initializer(float mean, float stddev, Seed seed) {
  return Initializer("truncated_normal(" + number(mean) + ", " + number(stddev) + ")",
                     [=](const Shape& shape, DType dtype) {
                       require_float("truncated_normal_initializer", dtype);
                       return truncated_normal(shape, mean, stddev, seed);
                     });
}

std::pair<double, double> compute_fans(const Shape& shape) {
  const auto& d = shape.dims();
  if (d.empty()) return {1, 1};
  if (d.size() == 1) return {double(d[0]), double(d[0])};
  if (d.size() == 2) return {double(d[0]), double(d[1])};
  double receptive = 1;
  for (size_t i = 0; i + 2 < d.size(); ++i) receptive *= double(d[i]);
  return {double(d[d.size() - 2]) * receptive, double(d[d.size() - 1]) * receptive};
}

Initializer glorot_uniform_initializer(Seed seed) {
  return Initializer("glorot_uniform", [seed](const Shape& shape, DType dtype) {
    require_float("glorot_uniform_initializer", dtype);
    auto [fan_in, fan_out] = compute_fans(shape);
    const double limit = std::sqrt(6.0 / std::max(1.0, fan_in + fan_out));
    return random_uniform(shape, static_cast<float>(-limit), static_cast<float>(limit), seed);
  });
}

}  // namespace minitf
