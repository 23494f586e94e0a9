// Conv2D (alone and fused with bias and relu) against a naive loop on random data.
#include "reference.h"

namespace {

struct ConvCase {
  int64_t n, h, w, c, k, o, s;
  tf::Padding padding;
};

std::string describe(const ConvCase& c) {
  return "n=" + std::to_string(c.n) + " h=" + std::to_string(c.h) + " w=" + std::to_string(c.w) +
         " c=" + std::to_string(c.c) + " k=" + std::to_string(c.k) + " o=" + std::to_string(c.o) +
         " s=" + std::to_string(c.s) + " " + tf::padding_name(c.padding);
}

std::vector<ConvCase> cases() {
  std::vector<ConvCase> table;
  const int64_t batches[] = {1, 2, 3};
  const int64_t sizes[][2] = {{7, 5}, {8, 8}, {13, 11}, {1, 1}, {6, 9}};
  const int64_t channels[][2] = {{1, 1}, {3, 8}, {32, 32}, {5, 17}};
  const int64_t kernels[] = {1, 3, 4, 5};
  int i = 0;
  for (int64_t k : kernels)
    for (int64_t s = 1; s <= 3; ++s)
      for (auto padding : {tf::Padding::Same, tf::Padding::Valid})
        for (const auto& hw : sizes) {
          if (padding == tf::Padding::Valid && (hw[0] < k || hw[1] < k)) continue;
          const auto& ch = channels[i % 4];
          table.push_back({batches[i % 3], hw[0], hw[1], ch[0], k, ch[1], s, padding});
          ++i;
        }
  return table;
}

}  // namespace

TEST_CASE("Conv2D matches a naive loop over a table of shapes") {
  std::mt19937 rng(42);
  const auto table = cases();
  REQUIRE(table.size() > 80);
  for (const ConvCase& c : table) {
    INFO(describe(c));
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, {c.n, c.h, c.w, c.c});
    auto w = tf::placeholder(tf::float32, {c.k, c.k, c.c, c.o});
    auto y = tf::conv2d(x, w, {1, c.s, c.s, 1}, c.padding);
    tf::Session sess(f.g);
    auto xv = random_tensor(x.shape(), rng);
    auto wv = random_tensor(w.shape(), rng);
    auto got = sess.run(y, {{x, xv}, {w, wv}});
    tf::Shape want_shape;
    auto want = naive_conv2d(xv, wv, c.s, c.s, c.padding, &want_shape);
    REQUIRE(got.shape() == want_shape);
    REQUIRE(got.shape() == y.shape());
    check_close(got, want);
  }
}

TEST_CASE("fused Conv2D + bias + Relu equals the unfused ops") {
  std::mt19937 rng(7);
  for (int variant = 0; variant < 4; ++variant) {
    INFO("variant " << variant);
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, {2, 9, 7, 6});
    auto w = tf::constant(random_tensor({3, 3, 6, 5}, rng));
    auto b = tf::constant(random_tensor({5}, rng));
    auto conv = tf::conv2d(x, w, {1, 2, 1, 1}, "SAME");
    tf::Output y;
    switch (variant) {
      case 0:
        y = tf::relu(tf::bias_add(conv, b));
        break;
      case 1:
        y = tf::relu(conv + b);
        break;
      case 2:
        y = tf::relu(b + conv);
        break;
      default:
        y = tf::relu(conv);
        break;
    }
    auto xv = random_tensor(x.shape(), rng);
    tf::Session fused(f.g);
    tf::Session plain(f.g, {.fuse_conv = false});
    auto a = fused.run(y, {{x, xv}});
    auto e = plain.run(y, {{x, xv}});
    REQUIRE(a.shape() == e.shape());
    for (int64_t i = 0; i < a.num_elements(); ++i) {
      CHECK(a.data<float>()[i] == Approx(e.data<float>()[i]).margin(1e-5));
    }
    // a reference straight from the loop, bias and relu applied by hand
    tf::Shape s;
    auto ref = naive_conv2d(xv, w.op().attr<tf::Tensor>("value"), 2, 1, tf::Padding::Same, &s);
    auto bias = b.op().attr<tf::Tensor>("value").data<float>();
    for (size_t i = 0; i < ref.size(); ++i) {
      if (variant < 3) ref[i].value += bias[i % 5];
      ref[i].value = std::max(0.0, ref[i].value);
    }
    check_close(a, ref, 1e-5, 1e-5);
  }
}

TEST_CASE("fusion leaves intermediate fetches intact") {
  std::mt19937 rng(3);
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 5, 5, 2});
  auto conv = tf::conv2d(x, tf::constant(random_tensor({3, 3, 2, 4}, rng)), {1, 1, 1, 1}, "SAME");
  auto biased = conv + tf::constant(random_tensor({4}, rng));
  auto y = tf::relu(biased);
  tf::Session sess(f.g);
  auto xv = random_tensor(x.shape(), rng);
  auto both = sess.run({y, biased}, {{x, xv}});
  for (int64_t i = 0; i < both[0].num_elements(); ++i) {
    CHECK(both[0].data<float>()[i] == std::max(0.f, both[1].data<float>()[i]));
  }
}

TEST_CASE("Conv2D with unknown batch runs on the fed shape") {
  std::mt19937 rng(5);
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {-1, 6, 6, 3});
  auto w = tf::constant(random_tensor({3, 3, 3, 2}, rng));
  auto y = tf::conv2d(x, w, {1, 1, 1, 1}, "VALID");
  CHECK(y.shape() == tf::Shape{-1, 4, 4, 2});
  tf::Session sess(f.g);
  for (int64_t n : {1, 4, 2}) {
    auto xv = random_tensor({n, 6, 6, 3}, rng);
    auto got = sess.run(y, {{x, xv}});
    tf::Shape s;
    auto want = naive_conv2d(xv, w.op().attr<tf::Tensor>("value"), 1, 1, tf::Padding::Valid, &s);
    REQUIRE(got.shape() == s);
    check_close(got, want);
  }
}
