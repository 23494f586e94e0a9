// The variable-update ops (ApplyGradientDescent, ApplyMomentum, ApplyAdam,
// AssignAdd, AssignSub) against naive loops: in float in TF's order of
// operations (bit for bit) and in double (close), over several steps.
#include <minitf/ops/op_def.h>

#include <cstdint>
#include <limits>

#include "reference.h"

namespace {

tf::Output ref_of(const tf::Variable& v) { return v.op().output(0); }

tf::Output scalar(const std::string& name) { return tf::placeholder(tf::float32, {}, name); }
tf::Tensor scalar_value(float v) { return tf::Tensor::from<float>({}, {v}); }

// |got - want| within a few float ulps of the reference's magnitude.
void require_close(const tf::Tensor& got, const std::vector<double>& want, const char* what) {
  REQUIRE(got.num_elements() == static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    INFO(what << "[" << i << "]: " << got.data<float>()[i] << " vs " << want[i]);
    REQUIRE(std::abs(double(got.data<float>()[i]) - want[i]) <= 1e-5 * (1.0 + std::abs(want[i])));
  }
}

std::vector<double> to_double(const tf::Tensor& t) {
  return {t.data<float>().begin(), t.data<float>().end()};
}

// Sizes below and above the parallel threshold (32K elements), odd so that blocks end unevenly.
const std::vector<tf::Shape> kShapes = {{}, {7}, {3, 5, 11}, {40009}};

}  // namespace

TEST_CASE("ApplyGradientDescent: var -= alpha * delta, three steps") {
  std::mt19937 rng(3);
  for (const auto& shape : kShapes) {
    INFO(shape.to_string());
    FreshGraph f;
    auto w = tf::get_variable("w", shape, tf::random_normal_initializer(0.f, 1.f, 7));
    auto alpha = scalar("alpha");
    auto delta = tf::placeholder(tf::float32, shape, "delta");
    auto step = tf::raw_ops::apply_gradient_descent(ref_of(w), alpha, delta);
    CHECK(step.op().type() == "ApplyGradientDescent");
    CHECK(step.op().name() == "ApplyGradientDescent");
    CHECK(step.op().attr<bool>("use_locking") == false);
    tf::Session sess(f.g, {.num_threads = 2});
    sess.run(tf::global_variables_initializer());
    tf::Tensor w_f = sess.read_variable(w.op());
    std::vector<double> w_d = to_double(w_f);
    for (int k = 0; k < 3; ++k) {
      const float a = 0.1f * float(k + 1);
      const tf::Tensor d = random_tensor(shape, rng);
      const tf::Tensor out = sess.run(step, {{alpha, scalar_value(a)}, {delta, d}});
      for (int64_t i = 0; i < d.num_elements(); ++i) {
        w_f.data<float>()[i] = w_f.data<float>()[i] - d.data<float>()[i] * a;
        w_d[i] -= double(a) * d.data<float>()[i];
      }
      REQUIRE(values(out) == values(w_f));
      REQUIRE(values(sess.read_variable(w.op())) == values(w_f));
      require_close(out, w_d, "w");
    }
  }
}

TEST_CASE("ApplyMomentum, plain and Nesterov, three steps") {
  std::mt19937 rng(5);
  for (bool nesterov : {false, true}) {
    for (const auto& shape : kShapes) {
      INFO(shape.to_string() << (nesterov ? " nesterov" : ""));
      FreshGraph f;
      auto w = tf::get_variable("w", shape, tf::random_normal_initializer(0.f, 1.f, 7));
      auto acc = tf::get_variable("w/Momentum", shape, tf::random_normal_initializer(0.f, 0.1f, 8));
      auto lr = scalar("lr"), momentum = scalar("momentum");
      auto grad = tf::placeholder(tf::float32, shape, "grad");
      auto step = tf::raw_ops::apply_momentum(ref_of(w), ref_of(acc), lr, grad, momentum, nesterov);
      CHECK(step.op().type() == "ApplyMomentum");
      CHECK(step.op().attr<bool>("use_nesterov") == nesterov);
      tf::Session sess(f.g, {.num_threads = 2});
      sess.run(tf::global_variables_initializer());
      tf::Tensor w_f = sess.read_variable(w.op()), a_f = sess.read_variable(acc.op());
      std::vector<double> w_d = to_double(w_f), a_d = to_double(a_f);
      for (int k = 0; k < 3; ++k) {
        const float l = 0.05f * float(k + 1), mu = 0.9f;
        const tf::Tensor g = random_tensor(shape, rng);
        const tf::Tensor out =
            sess.run(step, {{lr, scalar_value(l)}, {momentum, scalar_value(mu)}, {grad, g}});
        auto wf = w_f.data<float>(), af = a_f.data<float>();
        for (int64_t i = 0; i < g.num_elements(); ++i) {
          const float gi = g.data<float>()[i];
          af[i] = af[i] * mu + gi;
          wf[i] = nesterov ? wf[i] - (gi * l + af[i] * mu * l) : wf[i] - af[i] * l;
          a_d[i] = a_d[i] * mu + gi;
          w_d[i] -= nesterov ? double(l) * gi + double(l) * mu * a_d[i] : double(l) * a_d[i];
        }
        REQUIRE(values(out) == values(w_f));
        REQUIRE(values(sess.read_variable(acc.op())) == values(a_f));
        require_close(out, w_d, "w");
        require_close(sess.read_variable(acc.op()), a_d, "accum");
      }
    }
  }
}

TEST_CASE("ApplyAdam: three consecutive steps against a naive double Adam") {
  std::mt19937 rng(9);
  for (bool nesterov : {false, true}) {
    for (const auto& shape : kShapes) {
      INFO(shape.to_string() << (nesterov ? " nesterov" : ""));
      FreshGraph f;
      auto w = tf::get_variable("w", shape, tf::random_normal_initializer(0.f, 1.f, 7));
      auto m = tf::get_variable("w/Adam", shape, tf::zeros_initializer());
      auto v = tf::get_variable("w/Adam_1", shape, tf::zeros_initializer());
      auto b1p = scalar("beta1_power"), b2p = scalar("beta2_power");
      auto grad = tf::placeholder(tf::float32, shape, "grad");
      const float lr = 0.01f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
      tf::Output step;
      if (nesterov) {  // the builder has no use_nesterov (TF's AdamOptimizer never sets it); the op has
        step = tf::create_op(f.g, "ApplyAdam", "ApplyAdam",
                             {ref_of(w), ref_of(m), ref_of(v), b1p, b2p, tf::constant(lr),
                              tf::constant(beta1), tf::constant(beta2), tf::constant(eps), grad},
                             {{"use_nesterov", true}})
                   .output(0);
      } else {
        step = tf::raw_ops::apply_adam(ref_of(w), ref_of(m), ref_of(v), b1p, b2p, tf::constant(lr),
                                       tf::constant(beta1), tf::constant(beta2), tf::constant(eps), grad);
      }
      CHECK(step.op().type() == "ApplyAdam");
      CHECK(step.op().attr<bool>("use_nesterov") == nesterov);
      tf::Session sess(f.g, {.num_threads = 2});
      sess.run(tf::global_variables_initializer());
      tf::Tensor w_f = sess.read_variable(w.op()), m_f = sess.read_variable(m.op()),
                 v_f = sess.read_variable(v.op());
      std::vector<double> w_d = to_double(w_f), m_d(w_d.size(), 0.0), v_d(w_d.size(), 0.0);
      float beta1_power = 1.f, beta2_power = 1.f;
      for (int t = 1; t <= 3; ++t) {
        beta1_power *= beta1;
        beta2_power *= beta2;
        const tf::Tensor g = random_tensor(shape, rng);
        const tf::Tensor out =
            sess.run(step, {{b1p, scalar_value(beta1_power)}, {b2p, scalar_value(beta2_power)}, {grad, g}});
        // float, in the order of TF's CPU functor
        const float alpha = lr * std::sqrt(1.f - beta2_power) / (1.f - beta1_power);
        auto wf = w_f.data<float>(), mf = m_f.data<float>(), vf = v_f.data<float>();
        // double, the textbook formula with bias correction
        const double lr_t =
            double(lr) * std::sqrt(1.0 - std::pow(double(beta2), t)) / (1.0 - std::pow(double(beta1), t));
        for (int64_t i = 0; i < g.num_elements(); ++i) {
          const float gi = g.data<float>()[i];
          mf[i] = mf[i] + (gi - mf[i]) * (1.f - beta1);
          vf[i] = vf[i] + (gi * gi - vf[i]) * (1.f - beta2);
          wf[i] = nesterov ? wf[i] - ((gi * (1.f - beta1) + beta1 * mf[i]) * alpha) / (std::sqrt(vf[i]) + eps)
                           : wf[i] - (mf[i] * alpha) / (std::sqrt(vf[i]) + eps);
          m_d[i] = beta1 * m_d[i] + (1.0 - beta1) * gi;
          v_d[i] = beta2 * v_d[i] + (1.0 - beta2) * double(gi) * gi;
          const double m_used = nesterov ? beta1 * m_d[i] + (1.0 - beta1) * gi : m_d[i];
          w_d[i] -= lr_t * m_used / (std::sqrt(v_d[i]) + eps);
        }
        REQUIRE(values(out) == values(w_f));
        REQUIRE(values(sess.read_variable(m.op())) == values(m_f));
        REQUIRE(values(sess.read_variable(v.op())) == values(v_f));
        require_close(out, w_d, "var");
        require_close(sess.read_variable(m.op()), m_d, "m");
        require_close(sess.read_variable(v.op()), v_d, "v");
      }
    }
  }
}

TEST_CASE("AssignAdd counts steps in an int64 scalar and AssignSub subtracts and integers wrap around") {
  FreshGraph f;
  auto step = tf::get_variable("global_step", {}, {.dtype = tf::int64, .trainable = false});
  auto inc = tf::raw_ops::assign_add(ref_of(step), tf::constant(tf::Tensor::from<int64_t>({}, {1})));
  CHECK(inc.op().type() == "AssignAdd");
  CHECK(inc.op().name() == "AssignAdd");
  CHECK(inc.dtype() == tf::int64);
  auto x = tf::get_variable("x", {3}, tf::constant_initializer(1.f));
  auto dx = tf::placeholder(tf::float32, {3}, "dx");
  auto sub = tf::raw_ops::assign_sub(ref_of(x), dx, "minus");
  CHECK(sub.op().type() == "AssignSub");
  CHECK(sub.op().name() == "minus");
  auto n = tf::get_variable("n", {2}, {.dtype = tf::int32});
  auto big = tf::constant(tf::Tensor::from<int32_t>({2}, {std::numeric_limits<int32_t>::max(), -5}));
  auto wrap = tf::raw_ops::assign_add(ref_of(n), big);
  auto unwrap = tf::raw_ops::assign_sub(ref_of(n), big);
  tf::Session sess(f.g);
  sess.run(tf::global_variables_initializer());
  for (int64_t k = 1; k <= 3; ++k) CHECK(sess.run(inc).scalar<int64_t>() == k);
  CHECK(sess.read_variable(step.op()).scalar<int64_t>() == 3);
  CHECK(values(sess.run(sub, {{dx, tf::Tensor::from<float>({3}, {0.5f, 1.f, -2.f})}})) ==
        std::vector<float>{0.5f, 0.f, 3.f});
  sess.run(wrap);
  auto once = sess.run(wrap);
  CHECK(once.data<int32_t>()[0] == -2);  // 2 * INT32_MAX wraps to -2
  CHECK(once.data<int32_t>()[1] == -10);
  sess.run(unwrap);
  CHECK(sess.run(unwrap).data<int32_t>()[0] == 0);
}

TEST_CASE("an update never changes a value someone holds: fetched values and earlier reads stay") {
  FreshGraph f;
  auto w = tf::get_variable("w", {4}, tf::constant_initializer(1.f));
  auto read = w.value();
  auto step =
      tf::raw_ops::apply_gradient_descent(ref_of(w), tf::constant(1.f), tf::constant({1, 1, 1, 1}, {4}));
  tf::Session sess(f.g);
  sess.run(tf::global_variables_initializer());
  const tf::Tensor before = sess.run(read);
  auto both = sess.run({read, step});
  const tf::Tensor after = sess.run(step);
  CHECK(values(before) == std::vector<float>{1, 1, 1, 1});
  CHECK(values(after) == std::vector<float>{-1, -1, -1, -1});
  CHECK(values(sess.run(read)) == std::vector<float>{-1, -1, -1, -1});
  CHECK(values(both[1]) == std::vector<float>{0, 0, 0, 0});
}

TEST_CASE("a training step allocates no tensor buffer once warm") {
  FreshGraph f;
  const tf::Shape shape{300, 301};
  auto w = tf::get_variable("w", shape, tf::constant_initializer(1.f));
  auto m = tf::get_variable("m", shape, tf::zeros_initializer());
  auto v = tf::get_variable("v", shape, tf::zeros_initializer());
  auto grad = tf::placeholder(tf::float32, shape, "grad");
  auto step = tf::raw_ops::apply_adam(ref_of(w), ref_of(m), ref_of(v), tf::constant(0.9f),
                                      tf::constant(0.999f), tf::constant(0.01f), tf::constant(0.9f),
                                      tf::constant(0.999f), tf::constant(1e-8f), grad);
  tf::Session sess(f.g, {.num_threads = 2});
  sess.run(tf::global_variables_initializer());
  std::mt19937 rng(1);
  const tf::FeedDict feeds{{grad, random_tensor(shape, rng)}};
  for (int k = 0; k < 2; ++k) sess.run(step.op(), feeds);
  const int64_t allocated = tf::Tensor::buffer_allocations();
  for (int k = 0; k < 5; ++k) sess.run(step.op(), feeds);
  CHECK(tf::Tensor::buffer_allocations() == allocated);
}

TEST_CASE("update ops: errors by type and message") {
  FreshGraph f;
  auto w = tf::get_variable("w", {3}, tf::constant_initializer(1.f));
  auto m = tf::get_variable("m", {3}, tf::zeros_initializer());
  auto n = tf::get_variable("n", {3}, {.dtype = tf::int32});
  auto lr = tf::constant(0.1f);
  auto g3 = tf::constant({1, 2, 3}, {3});
  auto g4 = tf::constant({1, 2, 3, 4}, {4});
  SECTION("shapes that differ, at build time") {
    REQUIRE_THROWS_MATCHES(tf::raw_ops::apply_gradient_descent(ref_of(w), lr, g4), tf::ValueError,
                           Has("Shapes of var [3] and delta [4] are incompatible for 'ApplyGradientDescent' "
                               "(op: 'ApplyGradientDescent')"));
    REQUIRE_THROWS_MATCHES(tf::raw_ops::apply_momentum(ref_of(w), ref_of(m), lr, g4, lr), tf::ValueError,
                           Has("Shapes of var [3] and grad [4] are incompatible for 'ApplyMomentum'"));
    auto m2 = tf::get_variable("m2", {3, 1}, tf::zeros_initializer());
    REQUIRE_THROWS_MATCHES(
        tf::raw_ops::apply_adam(ref_of(w), ref_of(m2), ref_of(m), lr, lr, lr, lr, lr, lr, g3), tf::ValueError,
        Has("Shapes of var [3] and m [3,1] are incompatible for 'ApplyAdam' (op: 'ApplyAdam')"));
    REQUIRE_THROWS_MATCHES(tf::raw_ops::assign_add(ref_of(w), g4), tf::ValueError,
                           Has("Shapes of ref [3] and value [4] are incompatible for 'AssignAdd'"));
  }
  SECTION("scalars must be scalars") {
    REQUIRE_THROWS_MATCHES(tf::raw_ops::apply_gradient_descent(ref_of(w), g3, g3), tf::ValueError,
                           Has("alpha must be a scalar, but has shape [3] for 'ApplyGradientDescent'"));
    REQUIRE_THROWS_MATCHES(
        tf::raw_ops::apply_adam(ref_of(w), ref_of(m), ref_of(m), lr, lr, lr, lr, lr, g3, g3), tf::ValueError,
        Has("epsilon must be a scalar, but has shape [3] for 'ApplyAdam'"));
  }
  SECTION("a variable's read is not the variable") {
    REQUIRE_THROWS_MATCHES(tf::raw_ops::apply_gradient_descent(w, lr, g3), tf::ValueError,
                           Has("Input 'var' of 'ApplyGradientDescent' Op requires l-value input"));
    REQUIRE_THROWS_MATCHES(tf::raw_ops::apply_momentum(ref_of(w), m, lr, g3, lr), tf::ValueError,
                           Has("Input 'accum' of 'ApplyMomentum' Op requires l-value input"));
    REQUIRE_THROWS_MATCHES(tf::raw_ops::assign_add(g3, g3), tf::ValueError,
                           Has("Input 'ref' of 'AssignAdd' Op requires l-value input"));
  }
  SECTION("dtypes: float32 for Apply*, the variable's for AssignAdd") {
    REQUIRE_THROWS_AS(tf::raw_ops::apply_gradient_descent(ref_of(n), lr, g3), tf::ValueError);
    REQUIRE_THROWS_AS(tf::raw_ops::assign_add(ref_of(n), g3), tf::ValueError);
    REQUIRE_THROWS_AS(
        tf::raw_ops::assign_add(ref_of(w), tf::constant(tf::Tensor::from<int32_t>({3}, {1, 2, 3}))),
        tf::ValueError);
  }
  SECTION("an uninitialized variable, at run time") {
    tf::Session sess(f.g);
    REQUIRE_THROWS_MATCHES(sess.run(tf::raw_ops::apply_gradient_descent(ref_of(w), lr, g3)),
                           tf::FailedPreconditionError, Has("Attempting to use uninitialized value w"));
    sess.run(w.initializer());
    REQUIRE_THROWS_MATCHES(sess.run(tf::raw_ops::apply_momentum(ref_of(w), ref_of(m), lr, g3, lr)),
                           tf::FailedPreconditionError, Has("Attempting to use uninitialized value m"));
    REQUIRE_THROWS_MATCHES(
        sess.run(tf::raw_ops::assign_sub(ref_of(n), tf::constant(tf::Tensor(tf::int32, {3})))),
        tf::FailedPreconditionError, Has("Attempting to use uninitialized value n"));
    CHECK(values(sess.read_variable(w.op())) ==
          std::vector<float>{1, 1, 1});  // the failed runs changed nothing
  }
  SECTION("a fed gradient of the wrong shape, at run time") {
    auto g = tf::placeholder(tf::float32, {-1}, "g");
    auto step = tf::raw_ops::apply_gradient_descent(ref_of(w), lr, g);
    tf::Session sess(f.g);
    sess.run(w.initializer());
    REQUIRE_THROWS_MATCHES(
        sess.run(step, {{g, tf::Tensor(tf::float32, {4})}}), tf::InvalidArgumentError,
        Has("Shapes of var [3] and delta [4] are incompatible for 'ApplyGradientDescent'"));
    CHECK(values(sess.run(step, {{g, tf::Tensor::from<float>({3}, {1, 2, 3})}})) ==
          std::vector<float>{1.f - 1.f * 0.1f, 1.f - 2.f * 0.1f, 1.f - 3.f * 0.1f});
  }
}
