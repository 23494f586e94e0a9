// Relu, Add/AddV2 with broadcasting, and BiasAdd against naive loops.
#include "reference.h"

TEST_CASE("Add and AddV2 broadcast like NumPy, over mismatched ranks") {
  std::mt19937 rng(11);
  const std::vector<std::pair<tf::Shape, tf::Shape>> table = {
      {{2, 3}, {2, 3}},
      {{2, 3}, {3}},
      {{3}, {2, 3}},
      {{4, 1, 3}, {5, 1}},
      {{1}, {2, 2}},
      {{}, {3, 4}},
      {{2, 1, 4, 1}, {3, 1, 5}},
      {{1, 3, 1, 2, 1, 2}, {3, 4, 1, 5, 1}},
      {{6, 7, 5}, {6, 1, 5}},
      {{1000}, {}},
  };
  for (const auto& [as, bs] : table) {
    INFO(as.to_string() << " + " << bs.to_string());
    FreshGraph f;
    auto a = tf::placeholder(tf::float32, as);
    auto b = tf::placeholder(tf::float32, bs);
    auto av = random_tensor(as, rng), bv = random_tensor(bs, rng);
    tf::Session sess(f.g);
    for (const auto& y : {tf::add(a, b), a + b}) {
      auto got = sess.run(y, {{a, av}, {b, bv}});
      const tf::Shape out = tf::broadcast_shapes(as, bs, "test");
      REQUIRE(got.shape() == out);
      for (int64_t i = 0; i < got.num_elements(); ++i) {
        const float want =
            av.data<float>()[source_index(as, out, i)] + bv.data<float>()[source_index(bs, out, i)];
        REQUIRE(got.data<float>()[i] == want);
      }
    }
  }
}

TEST_CASE("Add of run-time shapes that do not broadcast is an InvalidArgumentError") {
  FreshGraph f;
  auto a = tf::placeholder(tf::float32, {-1});
  auto b = tf::placeholder(tf::float32, {3});
  auto y = a + b;
  tf::Session sess(f.g);
  REQUIRE_THROWS_MATCHES(sess.run(y, {{a, tf::Tensor(tf::float32, {2})}, {b, tf::Tensor(tf::float32, {3})}}),
                         tf::InvalidArgumentError,
                         Has("Dimensions must be equal, but are 2 and 3 for 'add'"));
  auto ok = sess.run(y, {{a, tf::Tensor(tf::float32, {3})}, {b, tf::Tensor::from<float>({3}, {1, 2, 3})}});
  CHECK(ok.data<float>()[2] == 3.f);
}

TEST_CASE("Relu6 matches a naive loop, NaN included") {
  std::mt19937 rng(17);
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {3, 5, 7, 11});
  auto y = tf::nn::relu6(x);
  tf::Session sess(f.g);
  auto xv = random_tensor(x.shape(), rng, -4.f, 10.f);
  xv.data<float>()[7] = std::numeric_limits<float>::quiet_NaN();
  auto got = sess.run(y, {{x, xv}});
  for (int64_t i = 0; i < xv.num_elements(); ++i) {
    const double v = xv.data<float>()[i];
    const double want = std::min(std::max(v, 0.0), 6.0);
    if (std::isnan(v)) {
      REQUIRE(std::isnan(got.data<float>()[i]));
    } else {
      REQUIRE(got.data<float>()[i] == static_cast<float>(want));
    }
  }
  CHECK(y.op().type() == "Relu6");
  CHECK(y.op().name() == "Relu6");
}

TEST_CASE("Relu and BiasAdd match naive loops") {
  std::mt19937 rng(13);
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {3, 5, 7, 9});
  auto b = tf::placeholder(tf::float32, {9});
  auto r = tf::relu(x);
  auto ba = tf::bias_add(x, b);
  tf::Session sess(f.g);
  auto xv = random_tensor(x.shape(), rng), bv = random_tensor(b.shape(), rng);
  auto got = sess.run({r, ba}, {{x, xv}, {b, bv}});
  for (int64_t i = 0; i < xv.num_elements(); ++i) {
    const float v = xv.data<float>()[i];
    REQUIRE(got[0].data<float>()[i] == (v > 0 ? v : 0.f));
    REQUIRE(got[1].data<float>()[i] == v + bv.data<float>()[i % 9]);
  }
}
