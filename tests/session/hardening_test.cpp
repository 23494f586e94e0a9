// What a session keeps and what it does when the system says no: memory that
// stays bounded, threads that cannot be made, and runs racing with assigns.
#include <malloc.h>

#include <atomic>
#include <thread>

#include <minitf/kernels/threads.h>

#include "test_util.h"

namespace {

// Lifts the thread limit however the test ends.
struct ThreadLimit {
  explicit ThreadLimit(int n) { tf::kernels::testing::limit_live_threads(n); }
  ~ThreadLimit() { tf::kernels::testing::limit_live_threads(-1); }
};

tf::Tensor filled(const tf::Shape& shape, float v) {
  tf::Tensor t(tf::float32, shape);
  for (float& x : t.data<float>()) x = v;
  return t;
}

}  // namespace

TEST_CASE("a session the system refuses threads for fails or falls back, never hangs") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {4}, "x");
  auto y = x + x;
  {
    ThreadLimit limit(2);
    REQUIRE_THROWS_MATCHES(tf::Session(tf::SessionOptions{.num_threads = 3}), tf::ResourceExhaustedError,
                           Has("Cannot create a Session with 3 threads: Cannot start a thread for"));
  }
  {
    ThreadLimit limit(0);
    REQUIRE_THROWS_MATCHES(tf::Session(), tf::ResourceExhaustedError,
                           Has("Cannot create a Session with 1 thread: "));
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (cores >= 2) {
    // Every core would take 2 * cores - 1 threads (elementwise pool and branch threads).
    ThreadLimit limit(2 * cores - 2);
    tf::Session sess;  // the default thread count falls back, with a warning
    CHECK(sess.num_threads() < cores);
    CHECK(sess.run(y, {{x, filled({4}, 1.5f)}}).data<float>()[0] == 3.f);
  }
  tf::Session after;  // and nothing was left behind
  CHECK(after.run(y, {{x, filled({4}, 2.f)}}).data<float>()[3] == 4.f);
}

TEST_CASE("a plan's first run holds no more than its live values") {
  FreshGraph f;
  const tf::Shape shape{256, 1024};  // 1 MiB of float32
  auto x = tf::placeholder(tf::float32, shape, "x");
  tf::Output y = x;
  for (int i = 0; i < 50; ++i) y = tf::relu(y + 1.f);
  tf::Session sess(tf::SessionOptions{.num_threads = 1});
  const tf::Tensor in = filled(shape, 0.f);
  const int64_t base = tf::Tensor::live_buffer_bytes();
  tf::Tensor::reset_peak_buffer_bytes();
  const tf::Tensor out = sess.run(y, {{x, in}});
  const int64_t mib = 1 << 20;
  // x, one value being read, one being written, and the fetched result: 415 MB before.
  CHECK(tf::Tensor::peak_buffer_bytes() - base <= 4 * mib);
  CHECK(out.data<float>()[0] == 50.f);
  // Between runs the session keeps no tensor: not the feed, not the fetch, no intermediate.
  const tf::Tensor again = sess.run(y, {{x, in}});
  CHECK(tf::Tensor::live_buffer_bytes() - base <= 2 * mib);  // `out` and `again`, which we hold
}

TEST_CASE("plans no longer run do not pin their memory") {
  FreshGraph f;
  const tf::Shape shape{256, 1024};
  auto x = tf::placeholder(tf::float32, shape, "x");
  std::vector<tf::Output> chain{x};
  for (int i = 0; i < 60; ++i) chain.push_back(tf::relu(chain.back() + 1.f));
  tf::Session sess(tf::SessionOptions{.num_threads = 1, .max_idle_bytes = 16 << 20});
  const tf::Tensor in = filled(shape, 0.f);
  sess.run(chain[1], {{x, in}});
  malloc_trim(0);
  const size_t before = mallinfo2().uordblks;
  for (size_t i = 2; i < chain.size(); ++i) {  // a one-shot fetch list each time
    CHECK(sess.run(chain[i], {{x, in}}).data<float>()[0] == float(i));
  }
  malloc_trim(0);
  const size_t after = mallinfo2().uordblks;
  INFO("heap in use grew by " << (after > before ? (after - before) >> 20 : 0) << " MiB over 59 plans");
  // Each plan's arena is about 2 MiB: 118 MiB if every idle state were kept.
  CHECK(after < before + (40u << 20));
}

TEST_CASE("convolutions over many input sizes stay correct with a small primitive cache") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, -1, -1, 8}, "x");
  auto w = tf::get_variable("w", {3, 3, 8, 16}, tf::constant_initializer(0.5f));
  auto y = tf::conv2d(x, w, {1, 1, 1, 1}, "VALID");
  tf::Session sess(tf::SessionOptions{.max_conv_primitives = 2});
  sess.run(tf::global_variables_initializer());
  for (int round = 0; round < 3; ++round) {
    for (int side : {3, 5, 7, 9, 11}) {
      const auto out = sess.run(y, {{x, filled({1, side, side, 8}, 1.f)}});
      CHECK(out.shape() == tf::Shape{1, side - 2, side - 2, 16});
      CHECK(out.data<float>()[0] == 36.f);  // 3 * 3 * 8 * 0.5
    }
  }
}

TEST_CASE("concurrent runs read fetched buffers while the next runs reuse them") {
  // 4 threads x 2000 runs of x + x, each thread reading every result it gets:
  // under the tsan preset this found the reuse of a fetched buffer that had no
  // happens-before with the caller's reads.
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {64}, "x");
  auto y = x + x;
  tf::Session sess(tf::SessionOptions{.num_threads = 1});
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const tf::Tensor in = filled({64}, float(t));
      for (int i = 0; i < 2000; ++i) {
        const tf::Tensor out = sess.run(y, {{x, in}});
        for (float v : out.data<float>()) wrong += v != 2.f * float(t);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
}

TEST_CASE("concurrent runs see all of a multi-variable assign or none of it") {
  FreshGraph f;
  auto a = tf::get_variable("a", {256}, tf::zeros_initializer());
  auto b = tf::get_variable("b", {256}, tf::zeros_initializer());
  auto sum_a = a + 0.f;  // computed from the values a run read
  tf::Session sess(tf::SessionOptions{.num_threads = 1});
  sess.run(tf::global_variables_initializer());
  std::atomic<bool> stop{false};
  std::atomic<int> mixed{0}, runs{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        const auto got = sess.run({sum_a, b.value()});
        mixed += got[0].data<float>()[255] != got[1].data<float>()[0];
        ++runs;
      }
    });
  }
  for (int k = 1; k <= 400; ++k) {
    sess.assign_variables({{a.op(), filled({256}, float(k))}, {b.op(), filled({256}, float(k))}});
  }
  stop = true;
  for (auto& th : readers) th.join();
  INFO(runs << " runs");
  CHECK(mixed == 0);
  // A bad value anywhere in the list changes nothing.
  REQUIRE_THROWS_MATCHES(sess.assign_variables({{a.op(), filled({256}, -1.f)}, {b.op(), filled({3}, -1.f)}}),
                         tf::InvalidArgumentError,
                         Has("variable b of float32 [256]; no variable was changed"));
  CHECK(sess.run(a.value()).data<float>()[0] == 400.f);
}
