// tf::gradients: TF's names for the backward graph, sums for shared
// tensors, stop_gradient, unconnected inputs and errors.
#include <algorithm>
#include <cmath>

#include "test_util.h"

namespace {

// A small convnet tower on `x` whose variables live under `scope` (reused when `reuse`).
tf::Output tower(const tf::Output& x, bool reuse) {
  tf::variable_scope s("net", {.reuse = tf::Reuse(reuse)});
  tf::Output h;
  {
    tf::variable_scope c("conv1");
    auto w = tf::get_variable("kernel", {3, 3, 1, 4});
    auto b = tf::get_variable("bias", {4}, tf::zeros_initializer());
    h = tf::relu(tf::bias_add(tf::conv2d(x, w, {1, 1, 1, 1}, "SAME"), b));
  }
  h = tf::nn::max_pool(h, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
  h = tf::reshape(h, tf::Shape{-1, 4 * 4 * 4});
  tf::variable_scope d("dense");
  auto k = tf::get_variable("kernel", {64, 3});
  return tf::matmul(h, k);
}

std::vector<std::string> input_names(const tf::Operation& op) {
  std::vector<std::string> names;
  for (const auto& in : op.inputs()) names.push_back(in.name());
  return names;
}

}  // namespace

TEST_CASE("gradients: TF's names for a convnet's backward graph") {
  FreshGraph fg;
  auto x = tf::placeholder(tf::float32, {2, 8, 8, 1}, "x");
  auto labels = tf::constant(tf::Tensor::from<int32_t>({2}, {0, 2}));
  auto logits = tower(x, false);
  auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(labels, logits));
  auto vars = tf::trainable_variables();
  REQUIRE(vars.size() == 3);
  std::vector<tf::Output> xs(vars.begin(), vars.end());
  auto grads = tf::gradients({loss}, xs);
  REQUIRE(grads.size() == 3);
  CHECK(grads[0].name() == "gradients/net/conv1/Conv2D_grad/Conv2DBackpropFilter:0");
  CHECK(grads[1].name() == "gradients/net/conv1/BiasAdd_grad/BiasAddGrad:0");
  CHECK(grads[2].name() == "gradients/net/dense/MatMul_grad/MatMul_1:0");
  tf::Graph g = tf::get_default_graph();
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"gradients/grad_ys_0", "Fill"},
      {"gradients/net/conv1/Relu_grad/ReluGrad", "ReluGrad"},
      {"gradients/net/MaxPool_grad/MaxPoolGrad", "MaxPoolGrad"},
      {"gradients/net/Reshape_grad/Reshape", "Reshape"},
      {"gradients/net/dense/MatMul_grad/MatMul", "MatMul"},
      {"gradients/net/conv1/Conv2D_grad/Conv2DBackpropInput", "Conv2DBackpropInput"},
  };
  for (const auto& [name, type] : expected) {
    INFO(name);
    CHECK(g.get_operation_by_name(name).type() == type);
  }
  // A second call opens its own scope.
  auto again = tf::gradients({loss}, {xs[2]});
  CHECK(again[0].name() == "gradients_1/net/dense/MatMul_grad/MatMul_1:0");
}

TEST_CASE("gradients: a variable shared by two towers gets the sum of both towers' gradients") {
  FreshGraph fg;
  auto x1 = tf::placeholder(tf::float32, {2, 8, 8, 1}, "x1");
  auto x2 = tf::placeholder(tf::float32, {2, 8, 8, 1}, "x2");
  auto first = tf::reduce_sum(tower(x1, false));  // creates the variables
  auto y = first + tf::reduce_sum(tower(x2, true));
  auto vars = tf::trainable_variables();
  REQUIRE(vars.size() == 3);  // shared, not duplicated
  auto both = tf::gradients({y}, {vars[0]});
  CHECK(both[0].name().rfind("gradients/AddN", 0) == 0);  // AddN, AddN_1, ...: one per shared variable
  CHECK(both[0].op().type() == "AddN");
  auto names = input_names(both[0].op());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"gradients/net/conv1/Conv2D_grad/Conv2DBackpropFilter:0",
                                          "gradients/net_1/conv1/Conv2D_grad/Conv2DBackpropFilter:0"});
  // And the sum is the sum: each tower's gradient alone, added.
  auto one = tf::gradients({tf::reduce_sum(tower(x1, true))}, {vars[0]});
  auto other = tf::gradients({tf::reduce_sum(tower(x2, true))}, {vars[0]});
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  tf::Tensor a(tf::float32, {2, 8, 8, 1}), b(tf::float32, {2, 8, 8, 1});
  for (size_t i = 0; i < a.data<float>().size(); ++i) {
    a.data<float>()[i] = static_cast<float>(i % 7) * 0.25f - 0.5f;
    b.data<float>()[i] = static_cast<float>(i % 5) * 0.3f - 0.4f;
  }
  auto r = sess.run({both[0], one[0], other[0]}, {{x1, a}, {x2, b}});
  auto s = r[0].data<float>(), p = r[1].data<float>(), q = r[2].data<float>();
  for (size_t i = 0; i < s.size(); ++i) CHECK(s[i] == Approx(p[i] + q[i]).margin(1e-5));
}

TEST_CASE("gradients: stop_gradient, unconnected inputs and integer paths give no gradient") {
  FreshGraph fg;
  auto x = tf::placeholder(tf::float32, {3}, "x");
  auto z = tf::placeholder(tf::float32, {3}, "z");
  auto g = tf::gradients({tf::stop_gradient(x) * 2.f}, {x, z});
  CHECK(g[0].empty());
  CHECK(g[1].empty());
  // x * stop_gradient(x): only the first factor is differentiated.
  auto h = tf::gradients({x * tf::stop_gradient(x)}, {x});
  auto am = tf::gradients({tf::cast(tf::argmax(x, 0), tf::float32)}, {x});
  CHECK(am[0].empty());
  tf::Session sess;
  auto v = sess.run(h[0], {{x, tf::Tensor::from<float>({3}, {1.f, -2.f, 3.f})}});
  CHECK(values(v) == std::vector<float>{1.f, -2.f, 3.f});
  // The y itself: ones.
  auto self = tf::gradients({x}, {x});
  CHECK(values(sess.run(self[0], {{x, tf::Tensor::from<float>({3}, {5.f, 6.f, 7.f})}})) ==
        std::vector<float>{1.f, 1.f, 1.f});
}

TEST_CASE("gradients: grad_ys scale the result") {
  FreshGraph fg;
  auto x = tf::placeholder(tf::float32, {2}, "x");
  auto gy = tf::constant({3.f, -1.f}, {2});
  auto g = tf::gradients({tf::square(x)}, {x}, {gy});
  tf::Session sess;
  CHECK(values(sess.run(g[0], {{x, tf::Tensor::from<float>({2}, {2.f, 5.f})}})) ==
        std::vector<float>{12.f, -10.f});
}

TEST_CASE("gradients: errors name the op, the shapes and the graph") {
  FreshGraph fg;
  auto x = tf::placeholder(tf::float32, {4, 3}, "x");
  SECTION("an op on the path without a gradient function") {
    auto y = tf::strided_slice(x, {1}, {3}, {1}, 0, 0, 0, 0, 0, "cut");
    REQUIRE_THROWS_MATCHES(tf::gradients({y}, {x}), tf::UnimplementedError,
                           Has("No gradient defined for operation 'cut' (op type: StridedSlice)"));
  }
  SECTION("grad_ys of the wrong shape") {
    auto y = x * 2.f;
    REQUIRE_THROWS_MATCHES(tf::gradients({y}, {x}, {tf::constant({1.f, 2.f}, {2})}), tf::ValueError,
                           Has("grad_ys[0] 'Const:0' of dtype float32 and shape [2] does not match y 'mul:0' "
                               "of dtype float32 and shape [4,3]"));
  }
  SECTION("an integer y without grad_ys") {
    REQUIRE_THROWS_MATCHES(tf::gradients({tf::argmax(x, 1)}, {x}), tf::ValueError,
                           Has("y 'ArgMax:0' has dtype int64"));
  }
  SECTION("no ys, or an x of another graph") {
    REQUIRE_THROWS_MATCHES(tf::gradients({}, {x}), tf::ValueError, Has("at least one y"));
    tf::Graph other;
    tf::Output foreign;
    {
      auto guard = other.as_default();
      foreign = tf::placeholder(tf::float32, {1}, "foreign");
    }
    REQUIRE_THROWS_MATCHES(tf::gradients({x * 2.f}, {foreign}), tf::ValueError,
                           Has("x 'foreign:0' is not in the graph of y 'mul:0'"));
  }
}

TEST_CASE(
    "gradients: a batch dimension left unknown (-1) is resolved when the session plans the fed shapes") {
  // The backward ops then take their sizes from Shape ops, which the planner
  // folds once the fed shapes are known; the result must equal a graph whose
  // batch is fixed.
  std::vector<std::vector<float>> results[2];
  std::vector<tf::Tensor> weights;
  for (int fixed = 0; fixed < 2; ++fixed) {
    FreshGraph fg;
    auto x = tf::placeholder(tf::float32, {fixed ? 3 : -1, 8, 8, 1}, "x");
    auto labels = tf::placeholder(tf::int32, {fixed ? 3 : -1}, "labels");
    auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(labels, tower(x, false)));
    auto vars = tf::trainable_variables();
    std::vector<tf::Output> xs(vars.begin(), vars.end());
    xs.push_back(x);
    auto grads = tf::gradients({loss}, xs);
    grads.push_back(grads.back() * 2.f);  // an elementwise op whose only input is a backward op's output
    tf::Session sess;
    sess.run(tf::global_variables_initializer());
    if (fixed) {
      for (size_t i = 0; i < vars.size(); ++i) sess.assign_variable(vars[i], weights[i]);
    } else {
      for (const auto& v : vars) weights.push_back(sess.read_variable(v));
    }
    tf::Tensor images(tf::float32, {3, 8, 8, 1});
    for (size_t i = 0; i < images.data<float>().size(); ++i) images.data<float>()[i] = std::sin(0.37f * i);
    auto out = sess.run(grads, {{x, images}, {labels, tf::Tensor::from<int32_t>({3}, {0, 2, 1})}});
    for (const auto& t : out) results[fixed].push_back(values(t));
  }
  REQUIRE(results[0].size() == results[1].size());
  for (size_t i = 0; i < results[0].size(); ++i) {
    INFO("gradient " << i);
    REQUIRE(results[0][i].size() == results[1][i].size());
    for (size_t j = 0; j < results[0][i].size(); ++j)
      CHECK(results[0][i][j] == Approx(results[1][i][j]).margin(1e-6));
  }
}
