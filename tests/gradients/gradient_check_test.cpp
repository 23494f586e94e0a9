// Every gradient function against central finite differences, as ggml's
// test-backend-ops does in its gradient mode: for random inputs x and a
// random projection r of the outputs, the backward graph's J^T r (from
// tf::gradients with grad_ys = r) must match (L(x + e) - L(x - e)) / 2e per
// input element, where L(x) = sum(y(x) * r) is accumulated in double on the
// host from the forward graph's outputs. A test fails when an op type with a
// gradient function has no check here.
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <set>

#include <minitf/ops/op_def.h>

#include "test_util.h"

namespace {

struct Built {
  std::vector<tf::Output> xs;  // placeholders, differentiated
  std::vector<tf::Output> ys;
};

struct Init {
  float lo = -1.f, hi = 1.f;
  float min_abs = 0.f;    // |x| at least this: keeps inputs away from kinks (Relu, Abs)
  bool distinct = false;  // values at least 4 eps apart: no ties (MaxPool, Max, Maximum)
};

struct Check {
  std::string op;     // the op type whose gradient this checks
  std::string label;  // what is special about it
  std::function<Built()> build;
  Init init = {};
  double eps = 1e-2;
  double tol = 2e-3;  // of max(1, the largest numerical derivative)
};

tf::Output ph(const tf::Shape& shape, const std::string& name = "x") {
  return tf::placeholder(tf::float32, shape, name);
}

tf::Output int_const(const std::vector<int32_t>& v, const tf::Shape& shape) {
  return tf::constant(tf::Tensor::from<int32_t>(shape, v));
}

std::vector<Check> checks() {
  std::vector<Check> c;
  auto unary = [&c](const std::string& op, std::function<tf::Output(tf::Output)> f, Init init = {}) {
    c.push_back({op, "",
                 [f] {
                   auto x = ph({2, 3});
                   return Built{{x}, {f(x)}};
                 },
                 init});
  };
  auto binary = [&c](const std::string& op, std::function<tf::Output(tf::Output, tf::Output)> f,
                     Init init = {}) {
    c.push_back({op, "same shapes",
                 [f] {
                   auto a = ph({2, 3}, "a"), b = ph({2, 3}, "b");
                   return Built{{a, b}, {f(a, b)}};
                 },
                 init});
    c.push_back({op, "broadcast [2,1,3] with [4,1]",
                 [f] {
                   auto a = ph({2, 1, 3}, "a"), b = ph({4, 1}, "b");
                   return Built{{a, b}, {f(a, b)}};
                 },
                 init});
  };
  // ---- math ----
  binary("AddV2", [](auto a, auto b) { return a + b; });
  binary("Add", [](auto a, auto b) { return tf::add(a, b); });
  binary("Sub", [](auto a, auto b) { return a - b; });
  binary("Mul", [](auto a, auto b) { return a * b; });
  binary("RealDiv", [](auto a, auto b) { return a / b; }, {.lo = 0.5f, .hi = 2.f});
  binary("Maximum", [](auto a, auto b) { return tf::maximum(a, b); }, {.distinct = true});
  binary("Minimum", [](auto a, auto b) { return tf::minimum(a, b); }, {.distinct = true});
  binary("SquaredDifference", [](auto a, auto b) { return tf::squared_difference(a, b); });
  binary("Pow", [](auto a, auto b) { return tf::pow(a, b); }, {.lo = 0.5f, .hi = 2.f});
  c.push_back({"AddN", "three inputs, one used twice", [] {
                 auto a = ph({3, 2}, "a"), b = ph({3, 2}, "b");
                 return Built{{a, b}, {tf::add_n({a, b, a})}};
               }});
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      c.push_back({"MatMul",
                   std::string("transpose_a=") + (ta ? "1" : "0") + " transpose_b=" + (tb ? "1" : "0"),
                   [ta, tb] {
                     auto a = ph(ta ? tf::Shape{4, 3} : tf::Shape{3, 4}, "a");
                     auto b = ph(tb ? tf::Shape{5, 4} : tf::Shape{4, 5}, "b");
                     return Built{{a, b}, {tf::matmul(a, b, ta, tb)}};
                   }});
    }
  }
  c.push_back({"BatchMatMulV2", "broadcast batch [2,1] x [3]", [] {
                 auto a = ph({2, 1, 3, 4}, "a"), b = ph({3, 4, 2}, "b");
                 return Built{{a, b}, {tf::matmul(a, b)}};
               }});
  c.push_back({"BatchMatMulV2", "adjoint both", [] {
                 auto a = ph({2, 4, 3}, "a"), b = ph({2, 2, 4}, "b");
                 return Built{{a, b}, {tf::matmul(a, b, true, true)}};
               }});
  unary("Neg", [](auto x) { return -x; });
  unary("Abs", [](auto x) { return tf::abs(x); }, {.min_abs = 0.1f});
  unary("Square", [](auto x) { return tf::square(x); });
  unary("Sqrt", [](auto x) { return tf::sqrt(x); }, {.lo = 0.5f, .hi = 2.f});
  unary("Rsqrt", [](auto x) { return tf::rsqrt(x); }, {.lo = 0.5f, .hi = 2.f});
  unary("Exp", [](auto x) { return tf::exp(x); });
  unary("Log", [](auto x) { return tf::log(x); }, {.lo = 0.5f, .hi = 2.f});
  unary("Sigmoid", [](auto x) { return tf::sigmoid(x); }, {.lo = -3.f, .hi = 3.f});
  unary("Tanh", [](auto x) { return tf::tanh(x); });
  for (bool keep : {false, true}) {
    const std::string k = keep ? " keep_dims" : "";
    c.push_back({"Sum", "axis 1" + k, [keep] {
                   auto x = ph({2, 3, 2});
                   return Built{{x}, {tf::reduce_sum(x, {1}, keep)}};
                 }});
    c.push_back({"Mean", "axes 0, 2" + k, [keep] {
                   auto x = ph({2, 3, 2});
                   return Built{{x}, {tf::reduce_mean(x, {0, -1}, keep)}};
                 }});
    c.push_back({"Max",
                 "axis 1" + k,
                 [keep] {
                   auto x = ph({2, 3, 2});
                   return Built{{x}, {tf::reduce_max(x, {1}, keep)}};
                 },
                 {.distinct = true}});
    c.push_back({"Min",
                 "all axes" + k,
                 [keep] {
                   auto x = ph({2, 3});
                   return Built{{x}, {tf::reduce_min(x, {}, keep)}};
                 },
                 {.distinct = true}});
  }
  c.push_back({"Mean", "all axes", [] {
                 auto x = ph({4, 3});
                 return Built{{x}, {tf::reduce_mean(x)}};
               }});
  unary("Cast", [](auto x) { return tf::cast(x, tf::float32); });
  // ---- array ----
  unary("Identity", [](auto x) { return tf::identity(x); });
  unary("Reshape", [](auto x) { return tf::reshape(x, tf::Shape{3, -1}); });
  c.push_back({"Squeeze", "", [] {
                 auto x = ph({2, 1, 3});
                 return Built{{x}, {tf::squeeze(x)}};
               }});
  unary("ExpandDims", [](auto x) { return tf::expand_dims(x, 1); });
  c.push_back({"Transpose", "perm 2,0,1", [] {
                 auto x = ph({2, 3, 4});
                 return Built{{x}, {tf::transpose(x, {2, 0, 1})}};
               }});
  c.push_back({"ConcatV2", "axis 1, unequal sizes", [] {
                 auto a = ph({2, 1}, "a"), b = ph({2, 3}, "b");
                 return Built{{a, b}, {tf::concat({a, b}, 1)}};
               }});
  c.push_back({"Split", "3 pieces, one unused", [] {
                 auto x = ph({2, 6});
                 auto parts = tf::split(x, 3, 1);
                 return Built{{x}, {parts[0], parts[2]}};
               }});
  c.push_back({"SplitV", "sizes 1,3", [] {
                 auto x = ph({4, 2});
                 auto parts = tf::split(x, {1, 3}, 0);
                 return Built{{x}, {parts[0], parts[1]}};
               }});
  c.push_back({"Pack", "axis 1", [] {
                 auto a = ph({2, 3}, "a"), b = ph({2, 3}, "b");
                 return Built{{a, b}, {tf::stack({a, b}, 1)}};
               }});
  c.push_back({"Unpack", "axis 0", [] {
                 auto x = ph({3, 2});
                 auto parts = tf::unstack(x, 0);
                 return Built{{x}, {parts[0], parts[1], parts[2]}};
               }});
  c.push_back({"Pad", "", [] {
                 auto x = ph({2, 3});
                 return Built{{x}, {tf::pad(x, {{1, 0}, {2, 1}})}};
               }});
  c.push_back({"PadV2", "constant 1.5", [] {
                 auto x = ph({2, 3});
                 return Built{{x}, {tf::pad(x, {{0, 1}, {1, 1}}, "CONSTANT", 1.5f)}};
               }});
  c.push_back({"Slice", "", [] {
                 auto x = ph({3, 4});
                 return Built{{x}, {tf::slice(x, {1, 1}, {2, -1})}};
               }});
  c.push_back({"Tile", "", [] {
                 auto x = ph({2, 3});
                 return Built{{x}, {tf::tile(x, {2, 3})}};
               }});
  // ---- nn ----
  for (const char* pad : {"SAME", "VALID"}) {
    c.push_back({"Conv2D", std::string(pad) + " stride 2", [pad] {
                   auto x = ph({2, 5, 5, 2}), w = ph({3, 3, 2, 3}, "w");
                   return Built{{x, w}, {tf::conv2d(x, w, {1, 2, 2, 1}, pad)}};
                 }});
  }
  c.push_back({"Conv2D", "SAME dilation 2", [] {
                 auto x = ph({1, 5, 6, 2}), w = ph({2, 3, 2, 2}, "w");
                 return Built{{x, w}, {tf::conv2d(x, w, {1, 1, 1, 1}, "SAME", {.dilations = {1, 2, 2, 1}})}};
               }});
  c.push_back({"Conv2DBackpropInput", "conv2d_transpose stride 2", [] {
                 auto v = ph({1, 3, 3, 3}), w = ph({3, 3, 2, 3}, "w");
                 return Built{{v, w}, {tf::nn::conv2d_transpose(v, w, {1, 5, 5, 2}, {1, 2, 2, 1}, "SAME")}};
               }});
  c.push_back({"DepthwiseConv2dNative", "SAME multiplier 2", [] {
                 auto x = ph({1, 5, 5, 2}), w = ph({3, 3, 2, 2}, "w");
                 return Built{{x, w}, {tf::nn::depthwise_conv2d_native(x, w, {1, 1, 1, 1}, "SAME")}};
               }});
  c.push_back({"DepthwiseConv2dNative", "VALID stride 2", [] {
                 auto x = ph({2, 6, 5, 3}), w = ph({2, 2, 3, 1}, "w");
                 return Built{{x, w}, {tf::nn::depthwise_conv2d_native(x, w, {1, 2, 2, 1}, "VALID")}};
               }});
  for (const char* pad : {"SAME", "VALID"}) {
    c.push_back({"MaxPool",
                 std::string(pad) + " 3x3 stride 2",
                 [pad] {
                   auto x = ph({2, 5, 5, 2});
                   return Built{{x}, {tf::nn::max_pool(x, {1, 3, 3, 1}, {1, 2, 2, 1}, pad)}};
                 },
                 {.distinct = true}});
    c.push_back({"AvgPool", std::string(pad) + " 3x3 stride 2", [pad] {
                   auto x = ph({2, 5, 5, 2});
                   return Built{{x}, {tf::nn::avg_pool(x, {1, 3, 3, 1}, {1, 2, 2, 1}, pad)}};
                 }});
  }
  c.push_back({"FusedBatchNormV3", "is_training (batch statistics)", [] {
                 auto x = ph({2, 3, 3, 2}), scale = ph({2}, "scale"), offset = ph({2}, "offset");
                 auto none = tf::constant(std::vector<float>{}, {0});
                 return Built{{x, scale, offset},
                              {tf::nn::fused_batch_norm(x, scale, offset, none, none, 0.01f, true).y}};
               }});
  c.push_back({"FusedBatchNormV3", "inference (given statistics)", [] {
                 auto x = ph({2, 2, 3, 2}), scale = ph({2}, "scale"), offset = ph({2}, "offset");
                 auto mean = tf::constant({0.2f, -0.1f}, {2}), variance = tf::constant({0.5f, 1.5f}, {2});
                 return Built{{x, scale, offset},
                              {tf::nn::fused_batch_norm(x, scale, offset, mean, variance, 0.01f).y}};
               }});
  c.push_back({"BiasAdd", "", [] {
                 auto x = ph({2, 3, 4}), b = ph({4}, "b");
                 return Built{{x, b}, {tf::bias_add(x, b)}};
               }});
  unary("Relu", [](auto x) { return tf::relu(x); }, {.min_abs = 0.1f});
  unary("Relu6", [](auto x) { return tf::nn::relu6(x); }, {.lo = -8.f, .hi = 8.f, .min_abs = 0.1f});
  unary("LeakyRelu", [](auto x) { return tf::nn::leaky_relu(x, 0.3f); }, {.min_abs = 0.1f});
  unary("Elu", [](auto x) { return tf::nn::elu(x); }, {.min_abs = 0.1f});
  unary("Selu", [](auto x) { return tf::nn::selu(x); }, {.min_abs = 0.1f});
  unary("Softplus", [](auto x) { return tf::nn::softplus(x); }, {.lo = -3.f, .hi = 3.f});
  c.push_back(
      {"Prelu",
       "alpha per channel",
       [] {
         auto x = ph({2, 3}), a = ph({3}, "alpha");
         return Built{{x, a}, {tf::create_op(tf::get_default_graph(), "Prelu", "Prelu", {x, a}).output(0)}};
       },
       {.min_abs = 0.1f}});
  unary("Softmax", [](auto x) { return tf::nn::softmax(x); });
  unary("LogSoftmax", [](auto x) { return tf::nn::log_softmax(x); });
  c.push_back({"SparseSoftmaxCrossEntropyWithLogits",
               "",
               [] {
                 auto logits = ph({4, 5});
                 auto labels = int_const({0, 4, 2, 2}, {4});
                 return Built{{logits}, {tf::nn::sparse_softmax_cross_entropy_with_logits(labels, logits)}};
               },
               {.lo = -3.f, .hi = 3.f}});
  c.push_back({"SoftmaxCrossEntropyWithLogits",
               "logits and labels (rows normalized to sum 1)",
               [] {
                 // The op's backprop, softmax - labels, is the derivative only for labels that sum to 1
                 // (TF's too); the gradient reaches the raw labels through the normalization.
                 auto logits = ph({3, 4}), raw = ph({3, 4}, "labels");
                 auto labels = raw / tf::reduce_sum(raw, {1}, true);
                 return Built{{logits, raw}, {tf::nn::softmax_cross_entropy_with_logits_v2(labels, logits)}};
               },
               {.lo = 0.2f, .hi = 1.f}});
  return c;
}

// Input `index` of a check gets values from `init`.
tf::Tensor random_tensor(const tf::Shape& shape, const Init& init, double eps, size_t index,
                         std::mt19937& rng) {
  tf::Tensor t(tf::float32, shape);
  auto d = t.data<float>();
  if (init.distinct) {
    // A shuffled ladder: every pair of values further apart than the
    // finite-difference step, within one input and across inputs (each
    // input's ladder is shifted by half a rung from the previous one's).
    const float step = static_cast<float>(5 * eps);
    const float shift = step * 0.5f * static_cast<float>(index % 2);
    for (size_t i = 0; i < d.size(); ++i) d[i] = init.lo + shift + step * static_cast<float>(i);
    std::shuffle(d.begin(), d.end(), rng);
    return t;
  }
  std::uniform_real_distribution<float> u(init.lo, init.hi);
  for (float& v : d) {
    do {
      v = u(rng);
    } while (std::fabs(v) < init.min_abs);
  }
  return t;
}

double projected(const std::vector<tf::Tensor>& ys, const std::vector<tf::Tensor>& rs) {
  double sum = 0;
  for (size_t k = 0; k < ys.size(); ++k) {
    auto y = ys[k].data<float>();
    auto r = rs[k].data<float>();
    for (size_t i = 0; i < y.size(); ++i) sum += static_cast<double>(y[i]) * static_cast<double>(r[i]);
  }
  return sum;
}

void run_check(const Check& check, uint32_t seed) {
  tf::Graph g;
  auto guard = g.as_default();
  const Built b = check.build();
  std::mt19937 rng(seed);
  std::vector<tf::Tensor> xv;
  for (const auto& x : b.xs) xv.push_back(random_tensor(x.shape(), check.init, check.eps, xv.size(), rng));
  // The projection r, given to tf::gradients as grad_ys.
  std::vector<tf::Tensor> rv;
  std::vector<tf::Output> r_const;
  for (const auto& y : b.ys) {
    rv.push_back(random_tensor(y.shape(), Init{}, check.eps, 0, rng));
    r_const.push_back(tf::constant(rv.back()));
  }
  const std::vector<tf::Output> grads = tf::gradients(b.ys, b.xs, r_const);
  tf::Session sess(g);
  auto feeds = [&] {
    tf::FeedDict f;
    for (size_t i = 0; i < b.xs.size(); ++i) f.push_back({b.xs[i], xv[i]});
    return f;
  };
  for (size_t i = 0; i < b.xs.size(); ++i) {
    INFO("input " << i << " '" << b.xs[i].name() << "'");
    REQUIRE_FALSE(grads[i].empty());
    const tf::Tensor analytic = sess.run(grads[i], feeds());
    REQUIRE(analytic.shape() == b.xs[i].shape());
    auto x = xv[i].data<float>();
    std::vector<double> numeric(x.size());
    double scale = 1;
    for (size_t j = 0; j < x.size(); ++j) {
      const float keep = x[j];
      x[j] = static_cast<float>(keep + check.eps);
      const double up = projected(sess.run(b.ys, feeds()), rv);
      x[j] = static_cast<float>(keep - check.eps);
      const double down = projected(sess.run(b.ys, feeds()), rv);
      x[j] = keep;
      // The step actually taken in float32.
      const double h = static_cast<double>(static_cast<float>(keep + check.eps)) -
                       static_cast<double>(static_cast<float>(keep - check.eps));
      numeric[j] = (up - down) / h;
      scale = std::max(scale, std::fabs(numeric[j]));
    }
    auto a = analytic.data<float>();
    for (size_t j = 0; j < x.size(); ++j) {
      INFO("element " << j << ": analytic " << a[j] << ", numeric " << numeric[j]);
      CHECK(std::fabs(static_cast<double>(a[j]) - numeric[j]) <= check.tol * scale);
    }
  }
}

}  // namespace

TEST_CASE("every gradient function matches central finite differences") {
  const auto all = checks();
  for (size_t i = 0; i < all.size(); ++i) {
    const Check& check = all[i];
    DYNAMIC_SECTION(check.op << " " << check.label) { run_check(check, 1234u + static_cast<uint32_t>(i)); }
  }
}

TEST_CASE("every op type with a gradient function has a gradient check") {
  std::set<std::string> checked;
  for (const auto& c : checks()) checked.insert(c.op);
  for (const std::string& type : tf::registered_op_types()) {
    if (!tf::find_gradient(type)) continue;
    INFO("op type " << type);
    CHECK(checked.count(type) == 1);
  }
}
