// FusedBatchNormV3 with is_training=true and FusedBatchNormGradV3 against
// double-precision loops, and tf.layers.batch_normalization's UPDATE_OPS.
#include <cmath>
#include <random>

#include "test_util.h"

namespace {

tf::Tensor random(const tf::Shape& shape, std::mt19937& rng, float lo = -2.f, float hi = 3.f) {
  tf::Tensor t(tf::float32, shape);
  std::uniform_real_distribution<float> u(lo, hi);
  for (float& v : t.data<float>()) v = u(rng);
  return t;
}

}  // namespace

TEST_CASE("FusedBatchNormV3 is_training: batch statistics against double loops") {
  FreshGraph fg;
  std::mt19937 rng(5);
  for (const tf::Shape& shape : {tf::Shape{2, 3, 4, 3}, tf::Shape{1, 1, 1, 2}, tf::Shape{4, 5, 1, 1}}) {
    const int64_t c = shape.dim(3), rows = shape.num_elements() / c;
    auto x = tf::placeholder(tf::float32, shape, "x");
    auto scale = tf::placeholder(tf::float32, {c}, "scale");
    auto offset = tf::placeholder(tf::float32, {c}, "offset");
    auto none = tf::constant(std::vector<float>{}, {0});
    auto r = tf::nn::fused_batch_norm(x, scale, offset, none, none, 0.001f, true);
    auto xv = random(shape, rng), sv = random({c}, rng), ov = random({c}, rng);
    tf::Session sess;
    auto out = sess.run({r.y, r.batch_mean, r.batch_variance, r.y.op().output(3), r.y.op().output(4)},
                        {{x, xv}, {scale, sv}, {offset, ov}});
    for (int64_t k = 0; k < c; ++k) {
      double mean = 0, var = 0;
      for (int64_t i = 0; i < rows; ++i) mean += xv.data<float>()[i * c + k];
      mean /= static_cast<double>(rows);
      for (int64_t i = 0; i < rows; ++i) var += std::pow(xv.data<float>()[i * c + k] - mean, 2);
      var /= static_cast<double>(rows);
      INFO("shape " << shape.to_string() << " channel " << k);
      CHECK(out[1].data<float>()[k] == Approx(mean).margin(1e-6));
      CHECK(out[2].data<float>()[k] == Approx(rows > 1 ? var * rows / (rows - 1) : var).margin(1e-5));
      CHECK(out[3].data<float>()[k] == Approx(mean).margin(1e-6));
      CHECK(out[4].data<float>()[k] == Approx(var).margin(1e-5));
      for (int64_t i = 0; i < rows; ++i) {
        const double want =
            (xv.data<float>()[i * c + k] - mean) / std::sqrt(var + 0.001) * sv.data<float>()[k] +
            ov.data<float>()[k];
        CHECK(out[0].data<float>()[i * c + k] == Approx(want).margin(1e-4));
      }
    }
  }
}

TEST_CASE("batch_normalization(training): moving averages through UPDATE_OPS") {
  FreshGraph fg;
  auto x = tf::placeholder(tf::float32, {2, 2, 2, 2}, "x");
  auto y = tf::layers::batch_normalization(x, {.momentum = 0.9f, .training = true});
  auto updates = tf::get_default_graph().get_operation_collection(tf::kUpdateOps);
  REQUIRE(updates.size() == 2);
  CHECK(updates[0].name() == "batch_normalization/AssignMovingAvg");
  CHECK(updates[1].name() == "batch_normalization/AssignMovingAvg_1");
  CHECK(updates[0].type() == "AssignSub");
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  tf::Tensor xv(tf::float32, {2, 2, 2, 2});
  for (size_t i = 0; i < 16; ++i) xv.data<float>()[i] = static_cast<float>(i);  // channel 0: even, 1: odd
  auto out = sess.run({y}, {{x, xv}}, updates);
  auto vars = tf::global_variables();
  const auto moving_mean = sess.read_variable(vars[2]);
  const auto moving_variance = sess.read_variable(vars[3]);
  // Channel 0 holds 0, 2, ..., 14: mean 7, unbiased variance 24; the moving
  // values start at 0 and 1 and move 10% of the way.
  CHECK(moving_mean.data<float>()[0] == Approx(0.7f));
  CHECK(moving_mean.data<float>()[1] == Approx(0.8f));
  CHECK(moving_variance.data<float>()[0] == Approx(0.9f + 2.4f));
  // Normalized by the batch: mean 0 per channel.
  double s = 0;
  for (size_t i = 0; i < 16; i += 2) s += out[0].data<float>()[i];
  CHECK(s == Approx(0.0).margin(1e-4));
}

TEST_CASE("FusedBatchNormV3 is_training: errors name the op and the shapes") {
  FreshGraph fg;
  auto x = tf::placeholder(tf::float32, {2, 2, 2, 3}, "x");
  auto s = tf::constant({1.f, 1.f, 1.f}, {3});
  auto bad = tf::constant({1.f, 1.f}, {2});
  REQUIRE_THROWS_MATCHES(tf::nn::fused_batch_norm(x, s, bad, bad, bad, 0.001f, true, "bn"), tf::ValueError,
                         Has("'bn' (op: 'FusedBatchNormV3')"));
}
