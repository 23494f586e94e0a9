// Fills and initializers: exact constants, distributions, seeds.
#include <cmath>
#include <numeric>

#include "test_util.h"

namespace {

struct Stats {
  double mean = 0, stddev = 0, min = 1e30, max = -1e30;
};

Stats stats(const tf::Tensor& t) {
  Stats s;
  auto v = t.data<float>();
  for (float x : v) {
    s.mean += x;
    s.min = std::min<double>(s.min, x);
    s.max = std::max<double>(s.max, x);
  }
  s.mean /= double(v.size());
  for (float x : v) s.stddev += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(s.stddev / double(v.size()));
  return s;
}

tf::Tensor init_value(const tf::Initializer& init, const tf::Shape& shape) {
  FreshGraph f;
  auto v = tf::get_variable("v", shape, init);
  tf::Session sess(f.g);
  sess.run(v.initializer());
  return sess.run(v);
}

}  // namespace

TEST_CASE("constant, zeros and ones initializers are exact") {
  for (float v : values(init_value(tf::constant_initializer(0.4f), {3, 7}))) REQUIRE(v == 0.4f);
  for (float v : values(init_value(tf::zeros_initializer(), {5}))) REQUIRE(v == 0.f);
  for (float v : values(init_value(tf::ones_initializer(), {2, 2, 2}))) REQUIRE(v == 1.f);
  FreshGraph f;
  auto n = tf::get_variable("n", {4}, tf::constant_initializer(7.f), tf::int32);
  tf::Session sess(f.g);
  sess.run(n.initializer());
  const tf::Tensor t = sess.run(n);
  for (int32_t v : t.data<int32_t>()) REQUIRE(v == 7);
}

TEST_CASE("uniform values stay in bounds with the right mean") {
  const auto t = init_value(tf::random_uniform_initializer(-2.f, 3.f, 1), {500, 400});
  const Stats s = stats(t);
  CHECK(s.min >= -2.0);
  CHECK(s.max < 3.0);
  CHECK(s.mean == Approx(0.5).margin(0.01));
  CHECK(s.stddev == Approx(5.0 / std::sqrt(12.0)).epsilon(0.01));
  const Stats unit = stats(init_value(tf::random_uniform_initializer(), {100000}));
  CHECK(unit.min >= 0.0);
  CHECK(unit.max < 1.0);
}

TEST_CASE("normal and truncated normal have the right moments") {
  const Stats n = stats(init_value(tf::random_normal_initializer(1.f, 0.5f, 2), {200000}));
  CHECK(n.mean == Approx(1.0).margin(0.005));
  CHECK(n.stddev == Approx(0.5).epsilon(0.01));
  const Stats t = stats(init_value(tf::truncated_normal_initializer(0.f, 2.f, 3), {200000}));
  CHECK(t.min > -4.0);
  CHECK(t.max < 4.0);
  CHECK(t.mean == Approx(0.0).margin(0.02));
  // a standard normal cut at +-2 has stddev 0.8796
  CHECK(t.stddev == Approx(2.0 * 0.8796).epsilon(0.01));
}

TEST_CASE("glorot_uniform stays within its limit and fills it") {
  const tf::Shape shape{5, 5, 32, 32};
  const double limit = std::sqrt(6.0 / (25 * 32 + 25 * 32));
  const Stats s = stats(init_value(tf::glorot_uniform_initializer(4), shape));
  CHECK(s.min >= -limit);
  CHECK(s.max <= limit);
  CHECK(s.max > 0.95 * limit);
  CHECK(s.min < -0.95 * limit);
  CHECK(s.mean == Approx(0.0).margin(0.01 * limit));
}

TEST_CASE("seeds reproduce values across sessions and graphs, and differ from each other") {
  auto draw = [](int64_t seed, int num_threads) {
    FreshGraph f;
    auto x = tf::random_normal({1000}, 0.f, 1.f, seed);
    tf::Session sess(f.g, {.num_threads = num_threads});
    return values(sess.run(x));
  };
  auto a = draw(5, 1);
  CHECK(a == draw(5, 2));
  CHECK(a != draw(6, 1));
  // graph seed + op counter decide when no op seed is given
  auto graph_seeded = [] {
    FreshGraph f;
    tf::set_random_seed(17);
    auto x = tf::random_uniform({64});
    auto y = tf::random_uniform({64});
    tf::Session sess(f.g);
    auto r = sess.run({x, y});
    return std::make_pair(values(r[0]), values(r[1]));
  };
  auto g1 = graph_seeded(), g2 = graph_seeded();
  CHECK(g1 == g2);
  CHECK(g1.first != g1.second);
}

TEST_CASE("a random op draws new values on each run, and unseeded ops differ per session") {
  FreshGraph f;
  auto seeded = tf::random_uniform({16}, 0.f, 1.f, 9);
  auto unseeded = tf::random_uniform({16});
  tf::Session s1(f.g), s2(f.g);
  auto a = s1.run(seeded), b = s1.run(seeded), c = s2.run(seeded);
  CHECK(values(a) != values(b));
  CHECK(values(a) == values(c));
  CHECK(values(s1.run(unseeded)) != values(s2.run(unseeded)));
}
