// The arena: liveness-based placement, no allocation in a steady-state run,
// and the same results as runs that allocate every tensor.
#include <random>

#include "../../session/src/arena.h"
#include "test_util.h"

TEST_CASE("arena placement never overlaps buffers alive at the same step") {
  std::mt19937 rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<minitf::detail::ArenaRequest> reqs;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      const int first = static_cast<int>(rng() % 30);
      reqs.push_back({1 + rng() % 5000, first, first + static_cast<int>(rng() % 8)});
    }
    const auto layout = minitf::detail::plan_arena(reqs);
    size_t sum = 0;
    for (int i = 0; i < n; ++i) {
      sum += (reqs[i].bytes + 63) / 64 * 64;
      REQUIRE(layout.offsets[i] % 64 == 0);
      REQUIRE(layout.offsets[i] + reqs[i].bytes <= layout.total);
      for (int j = 0; j < i; ++j) {
        const bool together = reqs[i].first <= reqs[j].last && reqs[j].first <= reqs[i].last;
        const bool apart = layout.offsets[i] + reqs[i].bytes <= layout.offsets[j] ||
                           layout.offsets[j] + reqs[j].bytes <= layout.offsets[i];
        REQUIRE((!together || apart));
      }
    }
    REQUIRE(layout.total <= sum);
  }
  // a chain reuses memory: a -> b -> c -> d needs two buffers, not four
  const auto chain = minitf::detail::plan_arena({{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}});
  CHECK(chain.total == 2 * 1024);
}

TEST_CASE("arena placement of a 100,000-step chain packs into two buffers") {
  // Placement only looks at buffers still alive, so this takes milliseconds;
  // scanning every placed buffer took seconds (quadratic).
  std::vector<minitf::detail::ArenaRequest> chain;
  for (int i = 0; i < 100000; ++i) chain.push_back({4096, i, i + 1});
  const auto layout = minitf::detail::plan_arena(chain);
  CHECK(layout.total == 2 * 4096);
  for (size_t i = 1; i < chain.size(); ++i) REQUIRE(layout.offsets[i] != layout.offsets[i - 1]);
}

TEST_CASE("a steady-state run allocates no tensor buffer but its fetches") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 8, 8, 4});
  tf::Output y = x;
  {
    tf::variable_scope s("net", {.initializer = tf::random_normal_initializer(0.f, 0.1f, 3)});
    for (int i = 0; i < 3; ++i) {
      tf::variable_scope layer("layer" + std::to_string(i));
      auto w = tf::get_variable("w", {3, 3, 4, 4});
      auto b = tf::get_variable("b", {4});
      y = tf::relu(tf::conv2d(y, w, {1, 1, 1, 1}, "SAME") + b);
      y = y + tf::relu(y);  // unfused elementwise work too
    }
  }
  auto target = tf::no_op("after", {y.op()});
  tf::Session sess(f.g);
  sess.run(tf::global_variables_initializer());
  const tf::FeedDict feed{{x, tf::Tensor(tf::float32, {1, 8, 8, 4})}};
  sess.run(y, feed);  // plans, records sizes, builds the arena
  sess.run(target, feed);
  const int64_t before = tf::Tensor::buffer_allocations();
  for (int i = 0; i < 5; ++i) sess.run(target, feed);
  CHECK(tf::Tensor::buffer_allocations() - before == 0);
  // A fetched tensor is computed into a buffer the caller then owns: one per run
  // while the caller keeps them, none when the caller lets go before the next run.
  std::vector<tf::Tensor> kept{sess.run(y, feed)};  // from here on the slot's buffer is always held
  const int64_t before_kept = tf::Tensor::buffer_allocations();
  for (int i = 0; i < 5; ++i) kept.push_back(sess.run(y, feed));
  CHECK(tf::Tensor::buffer_allocations() - before_kept == 5);
  kept.clear();
  sess.run(y, feed);
  const int64_t before_dropped = tf::Tensor::buffer_allocations();
  for (int i = 0; i < 5; ++i) sess.run(y, feed);
  CHECK(tf::Tensor::buffer_allocations() - before_dropped == 0);
}

TEST_CASE("arena runs equal allocating runs, across feed shapes and repeated runs") {
  std::mt19937 rng(9);
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {-1, -1, -1, 3});
  tf::Output y;
  {
    tf::variable_scope s("net", {.initializer = tf::random_normal_initializer(0.f, 0.2f, 5)});
    auto w = tf::get_variable("w", {3, 3, 3, 6});
    auto b = tf::get_variable("b", {6});
    auto h = tf::relu(tf::conv2d(x, w, {1, 1, 1, 1}, "SAME") + b);
    auto w2 = tf::get_variable("w2", {3, 3, 6, 6});
    y = tf::relu(tf::bias_add(tf::conv2d(h, w2, {1, 2, 2, 1}, "VALID"), b)) + tf::relu(tf::zeros({6}) + 1.f);
  }
  tf::Session arena(f.g), plain(f.g, {.use_arena = false});
  arena.run(tf::global_variables_initializer());
  plain.run(tf::global_variables_initializer());
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  for (auto [n, hw] : {std::pair{1, 9}, {1, 9}, {2, 7}, {1, 9}, {3, 12}, {3, 12}}) {
    tf::Tensor in(tf::float32, {n, hw, hw, 3});
    for (float& v : in.data<float>()) v = d(rng);
    INFO("n=" << n << " hw=" << hw);
    CHECK(values(arena.run(y, {{x, in}})) == values(plain.run(y, {{x, in}})));
  }
}

TEST_CASE("shared-weight towers run side by side give what a serial run gives") {
  std::mt19937 rng(21);
  FreshGraph f;
  auto image1 = tf::placeholder(tf::float32, {1, 10, 10, 8});
  auto image2 = tf::placeholder(tf::float32, {1, 10, 10, 8});
  auto tower = [](const tf::Output& x) {
    tf::Output y = x;
    for (const char* name : {"conv1", "conv2"}) {
      tf::variable_scope s(name);
      auto w = tf::get_variable("w", {3, 3, 8, 8}, tf::random_normal_initializer(0.f, 0.2f, 1));
      auto b = tf::get_variable("b", {8}, tf::constant_initializer(0.1f));
      y = tf::relu(tf::conv2d(y, w, {1, 1, 1, 1}, "SAME") + b) + tf::relu(y);
    }
    return y;
  };
  tf::Output r1, r2;
  {
    tf::variable_scope scope("image_filters");
    r1 = tower(image1);
    scope.reuse_variables();
    r2 = tower(image2);
  }
  tf::Session side_by_side(f.g, {.num_threads = 2, .branches = tf::Branches::Parallel});
  tf::Session serial(f.g, {.num_threads = 2, .branches = tf::Branches::Serial});
  tf::Session automatic(f.g, {.num_threads = 2});
  for (auto* s : {&side_by_side, &serial, &automatic}) s->run(tf::global_variables_initializer());
  std::uniform_real_distribution<float> d(0.f, 1.f);
  for (int run = 0; run < 10; ++run) {
    tf::Tensor a(tf::float32, image1.shape()), b(tf::float32, image2.shape());
    for (float& v : a.data<float>()) v = d(rng);
    for (float& v : b.data<float>()) v = d(rng);
    const tf::FeedDict feed{{image1, a}, {image2, b}};
    auto want = serial.run({r1, r2}, feed);
    auto got = side_by_side.run({r1, r2}, feed);
    auto chosen = automatic.run({r1, r2}, feed);  // times both ways on its first runs
    for (int i = 0; i < 2; ++i) {
      CHECK(values(got[i]) == values(want[i]));
      CHECK(values(chosen[i]) == values(want[i]));
    }
  }
}
