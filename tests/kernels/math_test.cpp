// The broadcasting binary ops, unary math and activations against naive
// double-precision loops on random data, NaN included where TF keeps it.
#include <functional>
#include <limits>

#include "reference.h"

namespace {

bool close(float got, double want, double tol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == static_cast<float>(want);
  return std::fabs(got - want) <= tol * (1.0 + std::fabs(want));
}

}  // namespace

TEST_CASE("binary math ops broadcast like NumPy and match double references") {
  struct Op {
    const char* type;
    std::function<tf::Output(tf::Output, tf::Output)> build;
    std::function<double(double, double)> ref;
    float lo_a, hi_a, lo_b, hi_b;
  };
  const std::vector<Op> ops = {
      {"Sub", [](auto a, auto b) { return tf::subtract(a, b); }, [](double a, double b) { return a - b; }, -2,
       2, -2, 2},
      {"Mul", [](auto a, auto b) { return tf::multiply(a, b); }, [](double a, double b) { return a * b; }, -2,
       2, -2, 2},
      {"RealDiv", [](auto a, auto b) { return tf::divide(a, b); }, [](double a, double b) { return a / b; },
       -2, 2, 0.5, 2},
      {"Maximum", [](auto a, auto b) { return tf::maximum(a, b); },
       [](double a, double b) { return std::max(a, b); }, -2, 2, -2, 2},
      {"Minimum", [](auto a, auto b) { return tf::minimum(a, b); },
       [](double a, double b) { return std::min(a, b); }, -2, 2, -2, 2},
      {"SquaredDifference", [](auto a, auto b) { return tf::squared_difference(a, b); },
       [](double a, double b) { return (a - b) * (a - b); }, -2, 2, -2, 2},
      {"Pow", [](auto a, auto b) { return tf::pow(a, b); }, [](double a, double b) { return std::pow(a, b); },
       0.1, 3, -2, 2},
  };
  const std::vector<std::pair<tf::Shape, tf::Shape>> shapes = {
      {{7, 5}, {7, 5}},          {{7, 5}, {}},         {{}, {7, 5}}, {{4, 1, 3}, {5, 1}},
      {{2, 1, 4, 1}, {3, 1, 5}}, {{3, 40000}, {40000}}};
  std::mt19937 rng(21);
  for (const Op& op : ops) {
    for (const auto& [as, bs] : shapes) {
      INFO(op.type << " " << as.to_string() << ", " << bs.to_string());
      FreshGraph f;
      auto a = tf::placeholder(tf::float32, as);
      auto b = tf::placeholder(tf::float32, bs);
      auto y = op.build(a, b);
      REQUIRE(y.op().type() == op.type);
      const auto av = random_tensor(as, rng, op.lo_a, op.hi_a), bv = random_tensor(bs, rng, op.lo_b, op.hi_b);
      for (int threads : {1, 2}) {
        tf::Session sess(f.g, {.num_threads = threads});
        const auto got = sess.run(y, {{a, av}, {b, bv}});
        const tf::Shape out = tf::broadcast_shapes(as, bs, "test");
        REQUIRE(got.shape() == out);
        for (int64_t i = 0; i < got.num_elements(); ++i) {
          const double want =
              op.ref(av.data<float>()[source_index(as, out, i)], bv.data<float>()[source_index(bs, out, i)]);
          REQUIRE(close(got.data<float>()[i], want, 1e-6));
        }
      }
    }
  }
}

TEST_CASE("unary math ops and activations match double references") {
  struct Op {
    const char* type;
    std::function<tf::Output(tf::Output)> build;
    std::function<double(double)> ref;
    float lo, hi;
    double tol;
  };
  const double selu_scale = 1.0507009873554804934193349852946, selu_alpha = 1.6732632423543772848170429916717;
  const std::vector<Op> ops = {
      {"Neg", [](auto x) { return -x; }, [](double x) { return -x; }, -3, 3, 0},
      {"Abs", [](auto x) { return tf::abs(x); }, [](double x) { return std::fabs(x); }, -3, 3, 0},
      {"Square", [](auto x) { return tf::square(x); }, [](double x) { return x * x; }, -3, 3, 1e-7},
      {"Sqrt", [](auto x) { return tf::sqrt(x); }, [](double x) { return std::sqrt(x); }, 0, 9, 1e-6},
      {"Rsqrt", [](auto x) { return tf::rsqrt(x); }, [](double x) { return 1 / std::sqrt(x); }, 0.01, 9,
       1e-6},
      {"Exp", [](auto x) { return tf::exp(x); }, [](double x) { return std::exp(x); }, -20, 20, 1e-6},
      {"Log", [](auto x) { return tf::log(x); }, [](double x) { return std::log(x); }, 1e-3, 100, 1e-6},
      {"Sigmoid", [](auto x) { return tf::sigmoid(x); }, [](double x) { return 1 / (1 + std::exp(-x)); }, -20,
       20, 1e-6},
      {"Tanh", [](auto x) { return tf::tanh(x); }, [](double x) { return std::tanh(x); }, -10, 10, 1e-6},
      {"Relu6", [](auto x) { return tf::nn::relu6(x); },
       [](double x) { return std::min(std::max(x, 0.0), 6.0); }, -4, 10, 0},
      {"LeakyRelu", [](auto x) { return tf::nn::leaky_relu(x, 0.3f); },
       [](double x) { return x > 0 ? x : 0.3f * x; }, -4, 4, 1e-7},
      {"Elu", [](auto x) { return tf::nn::elu(x); }, [](double x) { return x < 0 ? std::expm1(x) : x; }, -10,
       4, 1e-6},
      {"Selu", [](auto x) { return tf::nn::selu(x); },
       [&](double x) { return selu_scale * (x < 0 ? selu_alpha * std::expm1(x) : x); }, -10, 4, 1e-6},
      {"Softplus", [](auto x) { return tf::nn::softplus(x); },
       [](double x) { return std::log1p(std::exp(x)); }, -30, 30, 1e-6},
  };
  std::mt19937 rng(23);
  for (const Op& op : ops) {
    INFO(op.type);
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, {3, 1001});
    auto y = op.build(x);
    REQUIRE(y.op().type() == op.type);
    auto xv = random_tensor(x.shape(), rng, op.lo, op.hi);
    xv.data<float>()[5] = std::numeric_limits<float>::quiet_NaN();
    for (int threads : {1, 2}) {
      tf::Session sess(f.g, {.num_threads = threads});
      const auto got = sess.run(y, {{x, xv}});
      for (int64_t i = 0; i < got.num_elements(); ++i) {
        INFO("x = " << xv.data<float>()[i]);
        REQUIRE(close(got.data<float>()[i], op.ref(xv.data<float>()[i]), op.tol));
      }
    }
  }
}

TEST_CASE("operators and builders are named as TF names them") {
  {
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, {2}, "x");
    const std::vector<std::pair<tf::Output, std::string>> table = {
        {x - x, "sub"},     {x * x, "mul"},     {x / x, "truediv"},     {-x, "Neg"},
        {x - 1.f, "sub_1"}, {2.f * x, "mul_1"}, {1.f / x, "truediv_1"},
    };
    for (const auto& [out, name] : table) CHECK(out.op().name() == name);
    CHECK(table[4].first.op().inputs()[1].op().name() == "sub_1/y");
    CHECK(table[5].first.op().inputs()[0].op().name() == "mul_1/x");
    CHECK(table[6].first.op().type() == "RealDiv");
  }
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2}, "x");
  const std::vector<std::pair<tf::Output, std::string>> table = {
      {tf::subtract(x, x), "Sub"},
      {tf::multiply(x, x), "Mul"},
      {tf::divide(x, x), "truediv"},
      {tf::maximum(x, x), "Maximum"},
      {tf::minimum(x, x), "Minimum"},
      {tf::squared_difference(x, x), "SquaredDifference"},
      {tf::pow(x, x), "Pow"},
      {tf::negative(x), "Neg"},
      {tf::sigmoid(x), "Sigmoid"},
      {tf::nn::tanh(x), "Tanh"},
      {tf::nn::leaky_relu(x), "LeakyRelu"},
      {tf::nn::elu(x), "Elu"},
      {tf::nn::selu(x), "Selu"},
      {tf::nn::softplus(x), "Softplus"},
  };
  for (const auto& [out, name] : table) CHECK(out.op().name() == name);
  CHECK(table[10].first.op().attr<float>("alpha") == 0.2f);
  REQUIRE_THROWS_MATCHES(tf::subtract(x, tf::placeholder(tf::float32, {3})), tf::ValueError,
                         Has("Dimensions must be equal, but are 2 and 3 for 'Sub_1' (op: 'Sub')"));
  REQUIRE_THROWS_MATCHES(x * tf::constant(int32_t{2}), tf::ValueError,
                         Has("(op: 'Mul') computes in float32, got an input 'y' of dtype int32"));
}
