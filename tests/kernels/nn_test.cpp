// MaxPool, AvgPool, Softmax, LogSoftmax and MatMul against naive
// double-precision loops with TF's rules, on random data.
#include "reference.h"

namespace {

// TF's pooling: SAME pads (total / 2) before; max and average over the
// window's cells inside the image (padding never counts).
std::vector<double> naive_pool(const tf::Tensor& x, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                               tf::Padding padding, bool max, tf::Shape* out_shape) {
  const auto& d = x.shape().dims();
  const int64_t n = d[0], h = d[1], w = d[2], c = d[3];
  auto dim = [&](int64_t in, int64_t k, int64_t s, int64_t* pad) {
    if (padding == tf::Padding::Same) {
      const int64_t out = (in + s - 1) / s;
      *pad = std::max<int64_t>(0, (out - 1) * s + k - in) / 2;
      return out;
    }
    *pad = 0;
    return (in - k + s) / s;
  };
  int64_t ph = 0, pw = 0;
  const int64_t oh = dim(h, kh, sh, &ph), ow = dim(w, kw, sw, &pw);
  *out_shape = tf::Shape{n, oh, ow, c};
  std::vector<double> out;
  const float* p = x.data<float>().data();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t ch = 0; ch < c; ++ch) {
          double acc = max ? -std::numeric_limits<double>::infinity() : 0;
          int count = 0;
          for (int64_t u = 0; u < kh; ++u)
            for (int64_t v = 0; v < kw; ++v) {
              const int64_t y = i * sh + u - ph, z = j * sw + v - pw;
              if (y < 0 || y >= h || z < 0 || z >= w) continue;
              const double val = p[((b * h + y) * w + z) * c + ch];
              acc = max ? std::max(acc, val) : acc + val;
              ++count;
            }
          out.push_back(max ? acc : acc / count);
        }
  return out;
}

}  // namespace

TEST_CASE("MaxPool and AvgPool match TF's rules for SAME and VALID, odd sizes and strides") {
  std::mt19937 rng(31);
  struct Case {
    tf::Shape x;
    int64_t kh, kw, sh, sw;
  };
  for (const Case& k :
       {Case{{2, 7, 9, 3}, 3, 3, 2, 2}, Case{{1, 5, 5, 4}, 2, 2, 2, 2}, Case{{3, 6, 11, 2}, 3, 2, 1, 3},
        Case{{1, 4, 4, 1}, 4, 4, 1, 1}, Case{{1, 3, 8, 5}, 1, 1, 2, 3}}) {
    for (tf::Padding padding : {tf::Padding::Same, tf::Padding::Valid}) {
      for (bool max : {true, false}) {
        INFO(k.x.to_string() << " k" << k.kh << "x" << k.kw << " s" << k.sh << "x" << k.sw << " "
                             << tf::padding_name(padding) << (max ? " max" : " avg"));
        FreshGraph f;
        auto x = tf::placeholder(tf::float32, k.x);
        auto y = max ? tf::nn::max_pool(x, {1, k.kh, k.kw, 1}, {1, k.sh, k.sw, 1}, padding)
                     : tf::nn::avg_pool(x, {1, k.kh, k.kw, 1}, {1, k.sh, k.sw, 1}, padding);
        const auto xv = random_tensor(k.x, rng, -3, 3);
        tf::Shape want_shape;
        const auto want = naive_pool(xv, k.kh, k.kw, k.sh, k.sw, padding, max, &want_shape);
        REQUIRE(y.shape() == want_shape);
        for (int threads : {1, 2}) {
          tf::Session sess(f.g, {.num_threads = threads});
          const auto got = sess.run(y, {{x, xv}});
          REQUIRE(got.shape() == want_shape);
          for (size_t i = 0; i < want.size(); ++i)
            REQUIRE(std::fabs(got.data<float>()[i] - want[i]) <= 1e-6 * (1 + std::fabs(want[i])));
        }
      }
    }
  }
}

TEST_CASE("Softmax and LogSoftmax over the last axis match double references") {
  std::mt19937 rng(37);
  for (const tf::Shape& shape : {tf::Shape{10}, tf::Shape{4, 7}, tf::Shape{2, 3, 129}}) {
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, shape);
    auto sm = tf::nn::softmax(x);
    auto lsm = tf::nn::log_softmax(x);
    const auto xv = random_tensor(shape, rng, -20, 20);
    tf::Session sess(f.g);
    const auto got = sess.run({sm, lsm}, {{x, xv}});
    const int64_t c = shape.dim(shape.rank() - 1);
    for (int64_t row = 0; row < xv.num_elements() / c; ++row) {
      const float* p = xv.data<float>().data() + row * c;
      double mx = p[0], sum = 0;
      for (int64_t j = 0; j < c; ++j) mx = std::max(mx, double(p[j]));
      for (int64_t j = 0; j < c; ++j) sum += std::exp(p[j] - mx);
      for (int64_t j = 0; j < c; ++j) {
        const double s = std::exp(p[j] - mx) / sum, ls = p[j] - mx - std::log(sum);
        REQUIRE(std::fabs(got[0].data<float>()[row * c + j] - s) <= 1e-6);
        REQUIRE(std::fabs(got[1].data<float>()[row * c + j] - ls) <= 1e-5 * (1 + std::fabs(ls)));
      }
    }
  }
}

TEST_CASE("MatMul with and without transposes matches a double reference") {
  std::mt19937 rng(41);
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      INFO("transpose_a " << ta << ", transpose_b " << tb);
      const int64_t m = 13, k = 37, n = 6;
      FreshGraph f;
      auto a = tf::placeholder(tf::float32, ta ? tf::Shape{k, m} : tf::Shape{m, k});
      auto b = tf::placeholder(tf::float32, tb ? tf::Shape{n, k} : tf::Shape{k, n});
      auto y = tf::matmul(a, b, ta, tb);
      REQUIRE(y.shape() == tf::Shape{m, n});
      const auto av = random_tensor(a.shape(), rng), bv = random_tensor(b.shape(), rng);
      for (int threads : {1, 2}) {
        tf::Session sess(f.g, {.num_threads = threads});
        const auto got = sess.run(y, {{a, av}, {b, bv}});
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double acc = 0, mag = 0;
            for (int64_t q = 0; q < k; ++q) {
              const double x = av.data<float>()[ta ? q * m + i : i * k + q];
              const double z = bv.data<float>()[tb ? j * k + q : q * n + j];
              acc += x * z;
              mag += std::fabs(x * z);
            }
            REQUIRE(std::fabs(got.data<float>()[i * n + j] - acc) <= 1e-6 * (1 + mag));
          }
      }
    }
  }
}

TEST_CASE("pooling, softmax and matmul check shapes and attributes when built") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 4, 4, 2}, "x");
  CHECK(tf::nn::max_pool(x, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID").op().name() == "MaxPool");
  CHECK(tf::nn::avg_pool(x, {1, 3, 3, 1}, {1, 1, 1, 1}, "SAME").shape() == tf::Shape{1, 4, 4, 2});
  CHECK(tf::nn::softmax(x).op().name() == "Softmax");
  CHECK(tf::nn::log_softmax(x).op().type() == "LogSoftmax");
  REQUIRE_THROWS_MATCHES(tf::nn::max_pool(x, {1, 2, 2, 2}, {1, 1, 1, 1}, "VALID"), tf::UnimplementedError,
                         Has("pooling across the batch or depth dimension is not supported"));
  REQUIRE_THROWS_MATCHES(tf::nn::max_pool(x, {1, 5, 5, 1}, {1, 1, 1, 1}, "VALID"), tf::ValueError,
                         Has("'MaxPool_2' (op: 'MaxPool')"));
  REQUIRE_THROWS_MATCHES(tf::nn::avg_pool(x, {1, 2, 2, 1}, {1, 1, 1, 1}, "FULL"), tf::ValueError,
                         Has("Padding must be \"SAME\" or \"VALID\", got \"FULL\""));
  auto a = tf::placeholder(tf::float32, {3, 4}, "a");
  auto b = tf::placeholder(tf::float32, {5, 4}, "b");
  CHECK(tf::matmul(a, b, false, true).shape() == tf::Shape{3, 5});
  REQUIRE_THROWS_MATCHES(
      tf::matmul(a, b), tf::ValueError,
      Has("Dimensions must be equal, but are 4 and 5 for 'MatMul_1' (op: 'MatMul') with input "
          "shapes: [3,4], [5,4]."));
  REQUIRE_THROWS_MATCHES(tf::matmul(tf::placeholder(tf::float32, {4}), a), tf::ValueError,
                         Has("Shape must be rank 2 but is rank 1 for a"));
}

TEST_CASE("MatMul over an inner dimension of 0 gives zeros, and empty outputs are fine") {
  FreshGraph f;
  auto a = tf::placeholder(tf::float32, {3, -1}, "a");
  auto b = tf::placeholder(tf::float32, {-1, 4}, "b");
  auto y = tf::matmul(a, b);
  tf::Session sess(f.g);
  const auto zeros =
      sess.run(y, {{a, tf::Tensor(tf::float32, {3, 0})}, {b, tf::Tensor(tf::float32, {0, 4})}});
  REQUIRE(zeros.shape() == tf::Shape{3, 4});
  for (float v : zeros.data<float>()) CHECK(v == 0.f);
  auto x = tf::placeholder(tf::float32, {-1, 4, 4, 2}, "x");
  auto pooled = tf::nn::max_pool(x, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
  CHECK(sess.run(pooled, {{x, tf::Tensor(tf::float32, {0, 4, 4, 2})}}).shape() == tf::Shape{0, 2, 2, 2});
}
