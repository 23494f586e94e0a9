// Relu, Add/AddV2 with broadcasting, and BiasAdd against naive loops.
#include <minitf/ops/op_def.h>

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

TEST_CASE("Prelu (TF.js's) matches a naive double loop with alpha broadcast per channel and per element") {
  std::mt19937 rng(17);
  const std::vector<std::pair<tf::Shape, tf::Shape>> table = {
      {{1, 4, 4, 3}, {3}}, {{2, 3, 5, 4}, {1, 1, 4}}, {{2, 3, 5, 4}, {3, 5, 4}}, {{6}, {}}, {{0, 3}, {3}}};
  for (const auto& [xs, as] : table) {
    INFO(xs.to_string() << " with alpha " << as.to_string());
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, xs);
    auto alpha = tf::placeholder(tf::float32, as);
    auto y = tf::create_op(f.g, "Prelu", "prelu", {x, alpha}).output(0);
    REQUIRE(y.shape() == xs);
    auto xv = random_tensor(xs, rng), av = random_tensor(as, rng);
    if (xv.num_elements() > 0) xv.data<float>()[0] = NAN;
    tf::Session sess(f.g);
    auto got = sess.run(y, {{x, xv}, {alpha, av}});
    for (int64_t i = 0; i < got.num_elements(); ++i) {
      const double xi = xv.data<float>()[i];
      const double want = xi < 0 ? double(av.data<float>()[source_index(as, xs, i)]) * xi : xi;
      if (std::isnan(want)) {
        REQUIRE(std::isnan(got.data<float>()[i]));
      } else {
        REQUIRE(std::abs(got.data<float>()[i] - want) <= 1e-6 * std::max(1.0, std::abs(want)));
      }
    }
  }
  FreshGraph f;
  REQUIRE_THROWS_MATCHES(
      tf::create_op(f.g, "Prelu", "p",
                    {tf::placeholder(tf::float32, {4}), tf::placeholder(tf::float32, {2, 4})}),
      tf::ValueError,
      Has("'p' (op: 'Prelu') needs alpha that broadcasts to x's shape, got x [4] and alpha [2,4]"));
}

TEST_CASE("AddN sums its inputs like a naive loop, float and int, and refuses mixed shapes") {
  std::mt19937 rng(19);
  FreshGraph f;
  std::vector<tf::Output> xs;
  std::vector<tf::Tensor> vs;
  tf::FeedDict feed;
  for (int i = 0; i < 4; ++i) {
    xs.push_back(tf::placeholder(tf::float32, {3, 5}));
    vs.push_back(random_tensor({3, 5}, rng));
    feed.emplace_back(xs.back(), vs.back());
  }
  auto n0 = tf::placeholder(tf::int64, {2}), n1 = tf::placeholder(tf::int64, {2});
  feed.emplace_back(n0, tf::Tensor::from<int64_t>({2}, {int64_t{1} << 40, -3}));
  feed.emplace_back(n1, tf::Tensor::from<int64_t>({2}, {5, 7}));
  auto y = tf::add_n(xs);
  CHECK(y.op().type() == "AddN");
  CHECK(y.op().name() == "AddN");
  tf::Session sess(f.g);
  auto outs = sess.run({y, tf::add_n({xs[2]}), tf::add_n({n0, n1})}, feed);
  for (int64_t i = 0; i < 15; ++i) {
    double want = 0;
    for (const auto& v : vs) want += v.data<float>()[i];
    REQUIRE(std::abs(outs[0].data<float>()[i] - want) <= 1e-5);
  }
  CHECK(values(outs[1]) == values(vs[2]));
  CHECK(outs[2].data<int64_t>()[0] == (int64_t{1} << 40) + 5);
  CHECK(outs[2].data<int64_t>()[1] == 4);
  REQUIRE_THROWS_MATCHES(tf::add_n({xs[0], tf::placeholder(tf::float32, {5, 3})}), tf::ValueError,
                         Has("(op: 'AddN') needs inputs of one shape, got [3,5], [5,3]"));
  REQUIRE_THROWS_MATCHES(tf::add_n({}), tf::ValueError, Has("add_n needs at least one input"));
}
