// MaxPool, AvgPool, Softmax, LogSoftmax and MatMul against naive
// double-precision loops with TF's rules, on random data.
#include <minitf/ops/op_def.h>

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

TEST_CASE("LRN matches TF's formula over the channel window, radius past the channels included") {
  std::mt19937 rng(43);
  struct Case {
    tf::Shape x;
    int64_t radius;
    float bias, alpha, beta;
  };
  for (const Case& k :
       {Case{{2, 3, 4, 7}, 5, 1.f, 1.f, 0.5f}, Case{{1, 2, 3, 16}, 2, 2.f, 1e-4f, 0.75f},
        Case{{1, 1, 1, 1}, 0, 1.f, 0.5f, 0.5f}, Case{{3, 2, 2, 5}, 1, 0.5f, 2.f, 1.f},
        Case{{1, 4, 4, 9}, 1000000, 1.f, 0.1f, 0.75f}, Case{{1, 5, 3, 33}, 4, 1.f, 0.01f, 0.6f}}) {
    INFO(k.x.to_string() << " radius " << k.radius << " bias " << k.bias << " alpha " << k.alpha << " beta "
                         << k.beta);
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, k.x);
    auto y = tf::nn::lrn(x, k.radius, k.bias, k.alpha, k.beta);
    REQUIRE(y.shape() == k.x);
    const auto xv = random_tensor(k.x, rng, -3, 3);
    const int64_t c = k.x.dim(3);
    for (int threads : {1, 2}) {
      tf::Session sess(f.g, {.num_threads = threads});
      const auto got = sess.run(y, {{x, xv}});
      REQUIRE(got.shape() == k.x);
      for (int64_t i = 0; i < xv.num_elements(); ++i) {
        const int64_t d = i % c, base = i - d;
        double sum = 0;
        for (int64_t j = std::max<int64_t>(0, d - k.radius); j <= std::min<int64_t>(c - 1, d + k.radius);
             ++j) {
          const double v = xv.data<float>()[base + j];
          sum += v * v;
        }
        const double want =
            xv.data<float>()[i] / std::pow(double(k.bias) + double(k.alpha) * sum, double(k.beta));
        REQUIRE(std::fabs(got.data<float>()[i] - want) <= 1e-5 * (1 + std::fabs(want)));
      }
    }
  }
}

TEST_CASE("FusedBatchNormV3 for inference matches (x - mean) / sqrt(variance + epsilon) * scale + offset") {
  std::mt19937 rng(47);
  for (const tf::Shape& shape : {tf::Shape{2, 3, 4, 5}, tf::Shape{1, 1, 1, 1}, tf::Shape{1, 7, 9, 64}}) {
    for (float epsilon : {0.001f, 1e-7f, 0.5f}) {
      INFO(shape.to_string() << " epsilon " << epsilon);
      FreshGraph f;
      const int64_t c = shape.dim(3);
      auto x = tf::placeholder(tf::float32, shape);
      auto scale = tf::placeholder(tf::float32, {c});
      const auto sv = random_tensor({c}, rng, -2, 2), ov = random_tensor({c}, rng, -2, 2),
                 mv = random_tensor({c}, rng, -1, 1), vv = random_tensor({c}, rng, 0, 3);
      auto [y, m, v] =
          tf::nn::fused_batch_norm(x, scale, tf::constant(ov), tf::constant(mv), tf::constant(vv), epsilon);
      const double eps = std::max(double(epsilon), double(1.001e-5f));
      CHECK(y.op().attr<float>("epsilon") == static_cast<float>(eps));
      REQUIRE(y.shape() == shape);
      REQUIRE(m.shape() == tf::Shape{c});
      const auto xv = random_tensor(shape, rng, -3, 3);
      tf::Session sess(f.g);
      const auto got =
          sess.run({y, m, v, y.op().output(3), y.op().output(4), y.op().output(5)}, {{x, xv}, {scale, sv}});
      CHECK(values(got[1]) == values(mv));
      CHECK(values(got[2]) == values(vv));
      CHECK(values(got[3]) == values(mv));
      CHECK(values(got[4]) == values(vv));
      CHECK(got[5].shape() == tf::Shape{});
      for (int64_t i = 0; i < xv.num_elements(); ++i) {
        const size_t ch = static_cast<size_t>(i % c);
        const double want = (double(xv.data<float>()[i]) - mv.data<float>()[ch]) /
                                std::sqrt(double(vv.data<float>()[ch]) + eps) * sv.data<float>()[ch] +
                            ov.data<float>()[ch];
        REQUIRE(std::fabs(got[0].data<float>()[i] - want) <= 1e-5 * (1 + std::fabs(want)));
      }
    }
  }
}

TEST_CASE("LRN and FusedBatchNormV3 over empty tensors, default names, and errors") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {-1, 3, 3, 4}, "x");
  auto lrn = tf::nn::lrn(x);
  CHECK(lrn.op().name() == "LRN");
  CHECK(tf::nn::local_response_normalization(x, 2).op().name() == "LRN_1");
  CHECK(lrn.op().attr<int64_t>("depth_radius") == 5);
  CHECK(lrn.op().attr<float>("beta") == 0.5f);
  auto c = tf::constant(tf::Tensor::from<float>({4}, {1, 2, 3, 4}));
  auto [y, m, v] = tf::nn::fused_batch_norm(x, c, c, c, c);
  CHECK(y.op().name() == "FusedBatchNormV3");
  CHECK(y.op().type() == "FusedBatchNormV3");
  CHECK(y.op().attr<bool>("is_training") == false);
  CHECK(y.op().attr<float>("epsilon") == 0.001f);
  tf::Session sess(f.g);
  const auto got = sess.run({lrn, y, m, v}, {{x, tf::Tensor(tf::float32, {0, 3, 3, 4})}});
  CHECK(got[0].shape() == tf::Shape{0, 3, 3, 4});
  CHECK(got[1].shape() == tf::Shape{0, 3, 3, 4});
  CHECK(values(got[2]) == std::vector<float>{1, 2, 3, 4});
  auto empty_channels = tf::placeholder(tf::float32, {2, 2, 2, 0});
  auto none = tf::constant(tf::Tensor(tf::float32, {0}));
  auto e = tf::nn::fused_batch_norm(empty_channels, none, none, none, none);
  auto lrn0 = tf::nn::lrn(empty_channels);
  const auto got0 =
      sess.run({e.y, e.batch_mean, lrn0}, {{empty_channels, tf::Tensor(tf::float32, {2, 2, 2, 0})}});
  CHECK(got0[0].shape() == tf::Shape{2, 2, 2, 0});
  CHECK(got0[1].shape() == tf::Shape{0});
  CHECK(got0[2].shape() == tf::Shape{2, 2, 2, 0});

  auto five = tf::constant(tf::Tensor(tf::float32, {5}));
  REQUIRE_THROWS_MATCHES(
      tf::nn::fused_batch_norm(x, c, five, c, c, 0.001f, false, "bn"), tf::ValueError,
      Has("Dimensions must be equal, but are 4 and 5 for 'bn' (op: 'FusedBatchNormV3') with "
          "input shapes: [?,3,3,4], [4], [5], [4], [4]."));
  // Training takes empty estimates, or ones of [C]; nothing else.
  REQUIRE_THROWS_MATCHES(
      tf::nn::fused_batch_norm(x, c, c, five, c, 0.001f, true, "train"), tf::ValueError,
      Has("Dimensions must be equal, but are 4 and 5 for 'train' (op: 'FusedBatchNormV3')"));
  REQUIRE_THROWS_MATCHES(tf::nn::fused_batch_norm(tf::placeholder(tf::float32, {3, 4}), c, c, c, c),
                         tf::ValueError, Has("Shape must be rank 4 but is rank 2 for x"));
  REQUIRE_THROWS_MATCHES(tf::create_op(f.g, "FusedBatchNormV3", "nchw", {x, c, c, c, c},
                                       {{"is_training", false}, {"data_format", std::string("NCHW")}}),
                         tf::UnimplementedError, Has("data_format NCHW is not supported"));
  REQUIRE_THROWS_MATCHES(tf::nn::lrn(x, -1, 1.f, 1.f, 0.5f, "neg"), tf::ValueError,
                         Has("'neg' (op: 'LRN'): depth_radius must be non-negative, got -1"));
  REQUIRE_THROWS_MATCHES(tf::nn::lrn(tf::placeholder(tf::float32, {3, 4})), tf::ValueError,
                         Has("Shape must be rank 4 but is rank 2 for input"));
}
