// Optimizers: TF's names for slots and update ops, the update rules against
// double-precision references, the global step, checkpoints of slots, errors.
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "test_util.h"

namespace {

std::vector<std::string> variable_names() {
  std::vector<std::string> names;
  for (const auto& v : tf::global_variables()) names.push_back(v.op().name());
  return names;
}

// loss = sum((w * x - t)^2) for a [2,3] variable w under "layer".
struct Quadratic {
  tf::Variable w;
  tf::Output x, loss;
  std::vector<float> x_values = {0.5f, -1.f, 2.f, 1.5f, 0.25f, -0.75f};
  std::vector<float> t_values = {1.f, 0.f, -1.f, 2.f, 0.5f, 1.f};
  std::vector<float> w0 = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f};
  Quadratic() {
    tf::variable_scope s("layer");
    w = tf::Variable(tf::constant(w0, {2, 3}), "kernel");
    x = tf::constant(x_values, {2, 3});
    loss = tf::reduce_sum(tf::square(w * x - tf::constant(t_values, {2, 3})));
  }
  // d loss / d w in double.
  std::vector<double> grad(const std::vector<double>& wv) const {
    std::vector<double> g(6);
    for (size_t i = 0; i < 6; ++i) g[i] = 2.0 * (wv[i] * x_values[i] - t_values[i]) * x_values[i];
    return g;
  }
};

}  // namespace

TEST_CASE("Adam: TF's slot, non-slot and update names") {
  FreshGraph fg;
  auto x = tf::placeholder(tf::float32, {1, 4, 4, 1}, "x");
  tf::Output y;
  {
    tf::variable_scope s("conv1");
    auto k = tf::get_variable("kernel", {3, 3, 1, 2});
    auto b = tf::get_variable("bias", {2}, tf::zeros_initializer());
    y = tf::bias_add(tf::conv2d(x, k, {1, 1, 1, 1}, "SAME"), b);
  }
  auto loss = tf::reduce_mean(tf::square(y));
  auto step = tf::train::get_or_create_global_step();
  CHECK(step.op().name() == "global_step");
  CHECK(step.dtype() == tf::int64);
  CHECK(tf::train::get_or_create_global_step() == step);
  tf::train::AdamOptimizer adam(0.01f);
  tf::Operation train = adam.minimize(loss, step);
  CHECK(variable_names() == std::vector<std::string>{"conv1/kernel", "conv1/bias", "global_step",
                                                     "beta1_power", "beta2_power", "conv1/kernel/Adam",
                                                     "conv1/kernel/Adam_1", "conv1/bias/Adam",
                                                     "conv1/bias/Adam_1"});
  CHECK(tf::trainable_variables().size() == 2);
  CHECK(train.name() == "Adam");
  CHECK(train.type() == "AssignAdd");
  tf::Graph g = tf::get_default_graph();
  const std::vector<std::pair<std::string, std::string>> ops = {
      {"Adam/learning_rate", "Const"},
      {"Adam/beta1", "Const"},
      {"Adam/beta2", "Const"},
      {"Adam/epsilon", "Const"},
      {"Adam/update_conv1/kernel/ApplyAdam", "ApplyAdam"},
      {"Adam/update_conv1/bias/ApplyAdam", "ApplyAdam"},
      {"Adam/mul", "Mul"},
      {"Adam/Assign", "Assign"},
      {"Adam/mul_1", "Mul"},
      {"Adam/Assign_1", "Assign"},
      {"Adam/update", "NoOp"},
      {"conv1/kernel/Adam/Initializer/zeros", "Fill"},
      {"gradients/conv1/Conv2D_grad/Conv2DBackpropFilter", "Conv2DBackpropFilter"},
  };
  for (const auto& [name, type] : ops) {
    INFO(name);
    CHECK(g.get_operation_by_name(name).type() == type);
  }
  CHECK(adam.get_slot(tf::trainable_variables()[0], "m").op().name() == "conv1/kernel/Adam");
  CHECK(adam.get_slot(tf::trainable_variables()[0], "v").op().name() == "conv1/kernel/Adam_1");
  CHECK(adam.get_slot_names() == std::vector<std::string>{"m", "v"});
  // A second optimizer of another kind: its own scope and slots.
  tf::train::MomentumOptimizer momentum(0.1f, 0.9f);
  auto train2 = momentum.minimize(loss);
  CHECK(train2.name() == "Momentum");
  CHECK(train2.type() == "NoOp");
  CHECK(g.get_operation_by_name("conv1/kernel/Momentum").type() == "VariableV2");
  CHECK(g.get_operation_by_name("Momentum/update_conv1/bias/ApplyMomentum").type() == "ApplyMomentum");
}

TEST_CASE("Adam: three steps against TF's update rule in double") {
  FreshGraph fg;
  Quadratic q;
  auto step = tf::train::get_or_create_global_step();
  const double lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  tf::train::AdamOptimizer adam(static_cast<float>(lr));
  auto train = adam.minimize(q.loss, step);
  tf::Session sess(tf::SessionOptions{.num_threads = 1});
  sess.run(tf::global_variables_initializer());
  std::vector<double> w(q.w0.begin(), q.w0.end()), m(6, 0.0), v(6, 0.0);
  double p1 = b1, p2 = b2;
  for (int t = 1; t <= 3; ++t) {
    sess.run(train);
    const auto g = q.grad(w);
    const double lr_t = lr * std::sqrt(1 - p2) / (1 - p1);
    for (size_t i = 0; i < 6; ++i) {
      m[i] += (g[i] - m[i]) * (1 - b1);
      v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
      w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
    }
    p1 *= b1, p2 *= b2;
    const auto got = sess.read_variable(q.w);
    for (size_t i = 0; i < 6; ++i) CHECK(got.data<float>()[i] == Approx(w[i]).epsilon(1e-5));
  }
  CHECK(sess.read_variable(step).data<int64_t>()[0] == 3);
  CHECK(sess.read_variable(adam.beta1_power()).data<float>()[0] == Approx(std::pow(b1, 4)).epsilon(1e-6));
  CHECK(sess.read_variable(adam.beta2_power()).data<float>()[0] == Approx(std::pow(b2, 4)).epsilon(1e-6));
  const auto m_got = sess.read_variable(adam.get_slot(q.w, "m"));
  for (size_t i = 0; i < 6; ++i) CHECK(m_got.data<float>()[i] == Approx(m[i]).epsilon(1e-5));
}

TEST_CASE("GradientDescent and Momentum: updates against double references") {
  FreshGraph fg;
  Quadratic q;
  SECTION("GradientDescent") {
    tf::train::GradientDescentOptimizer sgd(0.1f);
    auto train = sgd.minimize(q.loss);
    CHECK(train.name() == "GradientDescent");
    CHECK(tf::get_default_graph()
              .get_operation_by_name("GradientDescent/update_layer/kernel/ApplyGradientDescent")
              .type() == "ApplyGradientDescent");
    tf::Session sess;
    sess.run(tf::global_variables_initializer());
    std::vector<double> w(q.w0.begin(), q.w0.end());
    for (int t = 0; t < 2; ++t) {
      sess.run(train);
      const auto g = q.grad(w);
      for (size_t i = 0; i < 6; ++i) w[i] -= 0.1 * g[i];
    }
    const auto got = sess.read_variable(q.w);
    for (size_t i = 0; i < 6; ++i) CHECK(got.data<float>()[i] == Approx(w[i]).epsilon(1e-5));
  }
  SECTION("Momentum, with and without Nesterov") {
    for (bool nesterov : {false, true}) {
      tf::train::MomentumOptimizer mom(0.05f, 0.9f, nesterov, nesterov ? "Nesterov" : "Momentum");
      auto train = mom.minimize(q.loss);
      tf::Session sess;
      sess.run(tf::global_variables_initializer());
      std::vector<double> w(q.w0.begin(), q.w0.end()), a(6, 0.0);
      for (int t = 0; t < 3; ++t) {
        sess.run(train);
        const auto g = q.grad(w);
        for (size_t i = 0; i < 6; ++i) {
          a[i] = a[i] * 0.9 + g[i];
          w[i] -= nesterov ? 0.05 * g[i] + 0.05 * 0.9 * a[i] : 0.05 * a[i];
        }
      }
      INFO("nesterov " << nesterov);
      const auto got = sess.read_variable(q.w);
      for (size_t i = 0; i < 6; ++i) CHECK(got.data<float>()[i] == Approx(w[i]).epsilon(1e-5));
      CHECK(mom.get_slot(q.w, "momentum").op().name() == std::string("layer/kernel/") + mom.name());
    }
  }
}

TEST_CASE("Saver saves and restores slots, beta powers and the int64 global step") {
  FreshGraph fg;
  Quadratic q;
  auto step = tf::train::get_or_create_global_step();
  tf::train::AdamOptimizer adam(0.05f);
  auto train = adam.minimize(q.loss, step);
  tf::train::Saver saver;
  const std::string path =
      (std::filesystem::temp_directory_path() / "minitf_optimizer_test.safetensors").string();
  tf::Session a(tf::SessionOptions{.num_threads = 1});
  a.run(tf::global_variables_initializer());
  a.run(train);
  a.run(train);
  saver.save(a, path);
  a.run(train);  // the uninterrupted third step
  tf::Session b(tf::SessionOptions{.num_threads = 1});
  saver.restore(b, path);
  CHECK(b.read_variable(step).data<int64_t>()[0] == 2);
  b.run(train);  // the third step, after a restore
  for (const auto& v : tf::global_variables()) {
    INFO(v.op().name());
    const auto x = a.read_variable(v), y = b.read_variable(v);
    REQUIRE(x.dtype() == y.dtype());
    if (x.dtype() == tf::int64) {
      CHECK(x.data<int64_t>()[0] == y.data<int64_t>()[0]);
    } else {
      CHECK(values(x) == values(y));
    }
  }
  std::remove(path.c_str());
}

TEST_CASE("Optimizers: errors name the variables and the loss") {
  FreshGraph fg;
  Quadratic q;
  auto other = tf::get_variable("other", {3});
  tf::train::GradientDescentOptimizer sgd(0.1f);
  SECTION("a loss that reaches none of the variables") {
    REQUIRE_THROWS_MATCHES(sgd.minimize(q.loss, {}, {other}), tf::ValueError,
                           Has("No gradients provided for any variable, check your graph for ops that do not "
                               "support gradients, between variables [other:0] and loss 'layer/Sum:0'"));
  }
  SECTION("compute_gradients leaves out unreached variables") {
    auto gv = sgd.compute_gradients(q.loss);
    REQUIRE(gv.size() == 1);
    CHECK(gv[0].second == q.w);
  }
  SECTION("an int32 global step") {
    auto bad = tf::get_variable("step32", {}, tf::zeros_initializer(), tf::int32);
    REQUIRE_THROWS_MATCHES(sgd.minimize(q.loss, bad), tf::ValueError,
                           Has("global_step 'step32:0' must be an int64 scalar, got int32 []"));
  }
  SECTION("a gradient that does not fit its variable") {
    REQUIRE_THROWS_MATCHES(sgd.apply_gradients({{tf::constant({1.f, 2.f, 3.f}, {3}), q.w}}), tf::ValueError,
                           Has("does not fit variable 'layer/kernel:0' of shape [2,3]"));
  }
}
