// Sessions: targets, fetches, feeds, variable state, errors, threads.
#include <thread>

#include "test_util.h"

TEST_CASE("run a target, one fetch, many fetches, and by name") {
  FreshGraph f;
  tf::Variable v;
  tf::Output x;
  {
    tf::variable_scope foo("foo");
    v = tf::get_variable("v", {2}, tf::constant_initializer(1.5f));
    x = 1.0f + v;
  }
  tf::Session sess(f.g);
  sess.run(tf::global_variables_initializer());
  CHECK(values(sess.run(v)) == std::vector<float>{1.5f, 1.5f});
  CHECK(values(sess.run(x)) == std::vector<float>{2.5f, 2.5f});
  CHECK(values(sess.run("foo/add:0")) == std::vector<float>{2.5f, 2.5f});
  CHECK(values(sess.run("foo/v:0")) == std::vector<float>{1.5f, 1.5f});
  CHECK(sess.run("init").empty());
  auto both = sess.run({x, v});
  REQUIRE(both.size() == 2);
  CHECK(values(both[1]) == std::vector<float>{1.5f, 1.5f});
}

TEST_CASE("reading an uninitialized variable is a FailedPreconditionError") {
  FreshGraph f;
  tf::variable_scope foo("foo");
  auto v = tf::get_variable("v", {1});
  auto x = v + 1.0f;
  tf::Session sess(f.g);
  REQUIRE_THROWS_MATCHES(sess.run(x), tf::FailedPreconditionError,
                         Has("Attempting to use uninitialized value foo/v"));
  sess.run(v.initializer());  // the session keeps working after an error
  CHECK(sess.run(x).num_elements() == 1);
}

TEST_CASE("feeds are checked: dtype, shape, missing placeholders") {
  FreshGraph f;
  auto image = tf::placeholder(tf::float32, {-1, 4, 4, 3}, "image");
  auto y = tf::relu(image);
  tf::Session sess(f.g);
  REQUIRE_THROWS_MATCHES(
      sess.run(y), tf::InvalidArgumentError,
      Has("You must feed a value for placeholder tensor 'image' with dtype float32 and shape [?,4,4,3]"));
  REQUIRE_THROWS_MATCHES(sess.run(y, {{image, tf::Tensor(tf::float32, {1, 4, 5, 3})}}),
                         tf::InvalidArgumentError,
                         Has("Cannot feed value of shape [1,4,5,3] and dtype float32 for Tensor 'image:0', "
                             "which has shape [?,4,4,3]"));
  REQUIRE_THROWS_MATCHES(sess.run(y, {{image, tf::Tensor(tf::int32, {1, 4, 4, 3})}}),
                         tf::InvalidArgumentError, Has("dtype int32 for Tensor 'image:0'"));
  REQUIRE_THROWS_MATCHES(sess.run(y, {{image, tf::Tensor()}}), tf::InvalidArgumentError, Has("empty"));
  REQUIRE_THROWS_MATCHES(sess.run(y, {{image, tf::Tensor(tf::float32, {1, 4, 4, 3})},
                                      {image, tf::Tensor(tf::float32, {1, 4, 4, 3})}}),
                         tf::ValueError, Has("fed twice"));
  CHECK(sess.run(y, {{image, tf::Tensor(tf::float32, {2, 4, 4, 3})}}).shape() == tf::Shape{2, 4, 4, 3});
}

TEST_CASE("unknown names and foreign handles are ValueErrors") {
  FreshGraph f;
  auto x = tf::constant(1.f, "x");
  tf::Graph other;
  tf::Output foreign;
  {
    auto guard = other.as_default();
    foreign = tf::constant(2.f, "y");
  }
  tf::Session sess(f.g);
  REQUIRE_THROWS_MATCHES(sess.run("nope:0"), tf::ValueError,
                         Has("'nope' refers to an Operation not in the graph"));
  REQUIRE_THROWS_MATCHES(sess.run("x:3"), tf::ValueError, Has("only has 1 outputs"));
  REQUIRE_THROWS_MATCHES(sess.run(foreign), tf::ValueError, Has("is not an element of this graph"));
  REQUIRE_THROWS_MATCHES(sess.run(foreign.op()), tf::ValueError, Has("is not an element of this graph"));
  REQUIRE_THROWS_MATCHES(sess.run(x, {{foreign, tf::Tensor(tf::float32, {})}}), tf::ValueError,
                         Has("is not an element of this graph"));
  REQUIRE_THROWS_AS(sess.run(tf::Output()), tf::ValueError);
  CHECK(sess.run(x).scalar<float>() == 1.f);
}

TEST_CASE("feeding an intermediate tensor cuts off what computes it") {
  FreshGraph f;
  auto p = tf::placeholder(tf::float32, {2}, "p");
  auto mid = tf::relu(p);
  auto out = mid + 1.0f;
  tf::Session sess(f.g);
  CHECK(values(sess.run(out, {{mid, tf::Tensor::from<float>({2}, {-3, 4})}})) == std::vector<float>{-2, 5});
  // fetching a fed tensor returns the fed value
  CHECK(values(sess.run(mid, {{mid, tf::Tensor::from<float>({2}, {7, 8})}})) == std::vector<float>{7, 8});
}

TEST_CASE("two sessions over one graph hold independent variables") {
  FreshGraph f;
  auto v = tf::get_variable("v", {1}, tf::zeros_initializer());
  auto p = tf::placeholder(tf::float32, {1});
  auto set = tf::assign(v, p);
  tf::Session a(f.g), b(f.g);
  a.run(set.op(), {{p, tf::Tensor::from<float>({1}, {1})}});
  b.run(set.op(), {{p, tf::Tensor::from<float>({1}, {2})}});
  CHECK(a.run(v).scalar<float>() == 1.f);
  CHECK(b.run(v).scalar<float>() == 2.f);
  tf::Session c(f.g);
  REQUIRE_THROWS_AS(c.run(v), tf::FailedPreconditionError);
}

TEST_CASE("a fetched value never aliases the variable, nor a fed buffer") {
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::constant_initializer(3.f));
  auto p = tf::placeholder(tf::float32, {2});
  auto set = tf::assign(v, p);
  tf::Session sess(f.g);
  sess.run(v.initializer());
  tf::Tensor got = sess.run(v);
  got.data<float>()[0] = 100.f;
  CHECK(sess.run(v).data<float>()[0] == 3.f);
  tf::Tensor fed = tf::Tensor::from<float>({2}, {5, 6});
  sess.run(set.op(), {{p, fed}});
  fed.data<float>()[0] = -1.f;
  CHECK(values(sess.run(v)) == std::vector<float>{5, 6});
  REQUIRE_THROWS_MATCHES(tf::assign(v, tf::zeros({3})), tf::ValueError, Has("incompatible"));
}

TEST_CASE("assigning conv weights refreshes the cached reordered copy") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 4, 4, 16});
  auto w = tf::get_variable("w", {3, 3, 16, 16}, tf::constant_initializer(1.f));
  auto y = tf::conv2d(x, w, {1, 1, 1, 1}, "SAME");
  auto p = tf::placeholder(tf::float32, {3, 3, 16, 16});
  auto set = tf::assign(w, p);
  tf::Session sess(f.g);
  sess.run(w.initializer());
  tf::Tensor ones(tf::float32, {1, 4, 4, 16});
  for (float& v : ones.data<float>()) v = 1.f;
  CHECK(sess.run(y, {{x, ones}}).data<float>()[0] == 4 * 16.f);  // a corner sees 2x2 taps
  tf::Tensor twos(tf::float32, {3, 3, 16, 16});
  for (float& v : twos.data<float>()) v = 2.f;
  sess.run(set.op(), {{p, twos}});
  CHECK(sess.run(y, {{x, ones}}).data<float>()[0] == 8 * 16.f);
}

TEST_CASE("plans are built once per feeds, fetches and targets") {
  FreshGraph f;
  auto p = tf::placeholder(tf::float32, {1});
  auto a = tf::relu(p);
  auto b = a + 1.0f;
  tf::Session sess(f.g);
  const tf::FeedDict feed{{p, tf::Tensor::from<float>({1}, {2})}};
  for (int i = 0; i < 3; ++i) sess.run(b, feed);
  CHECK(sess.num_cached_plans() == 1);
  sess.run({a, b}, feed);
  CHECK(sess.num_cached_plans() == 2);
  sess.run(b, feed);
  CHECK(sess.num_cached_plans() == 2);
}

TEST_CASE("session options set the thread count") {
  FreshGraph f;
  CHECK(tf::Session(f.g, {.num_threads = 3}).num_threads() == 3);
  CHECK(tf::Session(f.g).num_threads() ==
        static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

TEST_CASE("concurrent runs on one session equal a lone run") {
  FreshGraph f;
  auto image = tf::placeholder(tf::float32, {1, 12, 12, 8});
  tf::Output y;
  {
    tf::variable_scope s("net", {.initializer = tf::random_normal_initializer(0.f, 0.1f, 1)});
    auto w1 = tf::get_variable("w1", {3, 3, 8, 8});
    auto b1 = tf::get_variable("b1", {8}, tf::constant_initializer(0.1f));
    y = tf::relu(tf::conv2d(image, w1, {1, 1, 1, 1}, "SAME") + b1);
    y = tf::relu(tf::conv2d(y, w1, {1, 2, 2, 1}, "VALID") + b1);
  }
  tf::Session sess(f.g, {.num_threads = 2});
  sess.run(tf::global_variables_initializer());
  constexpr int kThreads = 4, kRuns = 20;
  std::vector<tf::Tensor> inputs;
  std::vector<std::vector<float>> lone;
  for (int t = 0; t < kThreads; ++t) {
    tf::Tensor in(tf::float32, image.shape());
    for (int64_t i = 0; i < in.num_elements(); ++i) in.data<float>()[i] = float((i * (t + 3)) % 17) / 17.f;
    inputs.push_back(in);
    lone.push_back(values(sess.run(y, {{image, in}})));
  }
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRuns; ++r) mismatches[t] += values(sess.run(y, {{image, inputs[t]}})) != lone[t];
    });
  }
  for (auto& th : threads) th.join();
  CHECK(mismatches == std::vector<int>(kThreads, 0));
}
