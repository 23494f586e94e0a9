// The backward ops training needs (convolution and pooling gradients,
// activation gradients, BiasAddGrad, the softmax cross entropies) against
// naive double-precision loops with TF's rules, on random data; their names,
// attributes and errors.
#include <minitf/ops/op_def.h>

#include <limits>

#include "reference.h"

namespace {

namespace raw = tf::raw_ops;

struct Geo {
  int64_t sh = 1, sw = 1, dh = 1, dw = 1;
  tf::Padding padding = tf::Padding::Same;
};

std::string describe(const Geo& g) {
  return "strides " + std::to_string(g.sh) + "x" + std::to_string(g.sw) + " dilations " +
         std::to_string(g.dh) + "x" + std::to_string(g.dw) + " " + tf::padding_name(g.padding);
}

// TF's output size and leading pad: SAME pads (total / 2) before, for the
// window (k - 1) * d + 1 a dilated kernel covers; -1 when a VALID window does not fit.
int64_t out_dim(int64_t in, int64_t k, int64_t s, int64_t d, tf::Padding padding, int64_t* pad) {
  const int64_t window = (k - 1) * d + 1;
  if (padding == tf::Padding::Same) {
    const int64_t out = (in + s - 1) / s;
    *pad = std::max<int64_t>((out - 1) * s + window - in, 0) / 2;
    return out;
  }
  *pad = 0;
  return in >= window ? (in - window) / s + 1 : -1;
}

// Every (input cell, filter tap, output cell) product of a convolution of
// input shape `x` with filter shape `w` (depthwise: [kh, kw, C, M], output
// channel c * M + m): f(input index, filter index, output index).
template <class F>
tf::Shape for_taps(const tf::Shape& x, const tf::Shape& w, const Geo& g, bool depthwise, F f) {
  const int64_t n = x.dim(0), h = x.dim(1), wi = x.dim(2), c = x.dim(3);
  const int64_t kh = w.dim(0), kw = w.dim(1), f3 = w.dim(3);
  int64_t ph = 0, pw = 0;
  const int64_t oh = out_dim(h, kh, g.sh, g.dh, g.padding, &ph),
                ow = out_dim(wi, kw, g.sw, g.dw, g.padding, &pw);
  const int64_t oc_count = depthwise ? c * f3 : f3;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t oc = 0; oc < oc_count; ++oc)
          for (int64_t di = 0; di < kh; ++di)
            for (int64_t dj = 0; dj < kw; ++dj) {
              const int64_t y = i * g.sh + di * g.dh - ph, z = j * g.sw + dj * g.dw - pw;
              if (y < 0 || y >= h || z < 0 || z >= wi) continue;
              const int64_t first = depthwise ? oc / f3 : 0, last = depthwise ? oc / f3 + 1 : c;
              for (int64_t ic = first; ic < last; ++ic) {
                const int64_t widx = ((di * kw + dj) * c + ic) * f3 + (depthwise ? oc % f3 : oc);
                f(((b * h + y) * wi + z) * c + ic, widx, ((b * oh + i) * ow + j) * oc_count + oc);
              }
            }
  return tf::Shape{n, oh, ow, oc_count};
}

std::vector<RefValue> naive_filter_grad(const tf::Tensor& x, const tf::Shape& w, const tf::Tensor& dy,
                                        const Geo& g, bool depthwise) {
  std::vector<RefValue> dw(static_cast<size_t>(w.num_elements()));
  auto xv = x.data<float>();
  auto dv = dy.data<float>();
  for_taps(x.shape(), w, g, depthwise, [&](int64_t xi, int64_t wi, int64_t yi) {
    const double p = double(xv[static_cast<size_t>(xi)]) * double(dv[static_cast<size_t>(yi)]);
    dw[static_cast<size_t>(wi)].value += p;
    dw[static_cast<size_t>(wi)].magnitude += std::fabs(p);
  });
  return dw;
}

std::vector<RefValue> naive_input_grad(const tf::Shape& x, const tf::Tensor& w, const tf::Tensor& dy,
                                       const Geo& g, bool depthwise) {
  std::vector<RefValue> dx(static_cast<size_t>(x.num_elements()));
  auto wv = w.data<float>();
  auto dv = dy.data<float>();
  for_taps(x, w.shape(), g, depthwise, [&](int64_t xi, int64_t wi, int64_t yi) {
    const double p = double(wv[static_cast<size_t>(wi)]) * double(dv[static_cast<size_t>(yi)]);
    dx[static_cast<size_t>(xi)].value += p;
    dx[static_cast<size_t>(xi)].magnitude += std::fabs(p);
  });
  return dx;
}

tf::Output int_const(const tf::Shape& s) {
  std::vector<int32_t> v;
  for (int64_t d : s.dims()) v.push_back(static_cast<int32_t>(d));
  return tf::constant(tf::Tensor::from<int32_t>({static_cast<int64_t>(v.size())}, v));
}

struct ConvCase {
  tf::Shape x;
  int64_t kh, kw, out;  // out: output channels (Conv2D) or the channel multiplier (depthwise)
  Geo g;
};

std::vector<ConvCase> conv_cases() {
  std::vector<ConvCase> table;
  const tf::Shape inputs[] = {{2, 9, 7, 3}, {1, 8, 8, 4}, {3, 5, 6, 1},
                              {1, 1, 1, 2}, {0, 5, 5, 2}, {1, 13, 4, 5}};
  int i = 0;
  for (const tf::Shape& x : inputs)
    for (int64_t k : {1, 3, 2})
      for (int64_t s : {1, 2})
        for (int64_t d : {1, 2})
          for (auto padding : {tf::Padding::Same, tf::Padding::Valid}) {
            const int64_t kh = k, kw = k == 1 ? 2 : k;
            const Geo g{s, i % 2 ? s : 1 + s % 2, d, 1 + i % 2, padding};
            ++i;
            int64_t pad = 0;
            if (out_dim(x.dim(1), kh, g.sh, g.dh, padding, &pad) < 0 ||
                out_dim(x.dim(2), kw, g.sw, g.dw, padding, &pad) < 0)
              continue;
            table.push_back({x, kh, kw, 1 + i % 3, g});
          }
  return table;
}

std::vector<int64_t> strides_of(const Geo& g) { return {1, g.sh, g.sw, 1}; }
std::vector<int64_t> dilations_of(const Geo& g) { return {1, g.dh, g.dw, 1}; }

}  // namespace

TEST_CASE("Conv2DBackpropFilter and DepthwiseConv2dNativeBackpropFilter match a naive loop") {
  std::mt19937 rng(101);
  const auto table = conv_cases();
  REQUIRE(table.size() > 60);
  for (bool depthwise : {false, true}) {
    for (const ConvCase& c : table) {
      INFO((depthwise ? "depthwise " : "")
           << c.x.to_string() << " k" << c.kh << "x" << c.kw << " out " << c.out << " " << describe(c.g));
      FreshGraph f;
      const tf::Shape ws{c.kh, c.kw, c.x.dim(3), c.out};
      const tf::Shape ys = for_taps(c.x, ws, c.g, depthwise, [](int64_t, int64_t, int64_t) {});
      auto x = tf::placeholder(tf::float32, c.x);
      auto dy = tf::placeholder(tf::float32, ys);
      auto dw = depthwise ? raw::depthwise_conv2d_native_backprop_filter(
                                x, int_const(ws), dy, strides_of(c.g), tf::padding_name(c.g.padding),
                                dilations_of(c.g))
                          : raw::conv2d_backprop_filter(x, int_const(ws), dy, strides_of(c.g),
                                                        tf::padding_name(c.g.padding), dilations_of(c.g));
      REQUIRE(dw.shape() == ws);
      const auto xv = random_tensor(c.x, rng), dyv = random_tensor(ys, rng);
      const auto want = naive_filter_grad(xv, ws, dyv, c.g, depthwise);
      for (int threads : {1, 2}) {
        tf::Session sess(f.g, {.num_threads = threads});
        const auto got = sess.run(dw, {{x, xv}, {dy, dyv}});
        REQUIRE(got.shape() == ws);
        check_close(got, want);
      }
    }
  }
}

TEST_CASE("Conv2DBackpropInput (raw, dilated) and DepthwiseConv2dNativeBackpropInput match a naive loop") {
  std::mt19937 rng(103);
  for (bool depthwise : {false, true}) {
    for (const ConvCase& c : conv_cases()) {
      INFO((depthwise ? "depthwise " : "")
           << c.x.to_string() << " k" << c.kh << "x" << c.kw << " out " << c.out << " " << describe(c.g));
      FreshGraph f;
      const tf::Shape ws{c.kh, c.kw, c.x.dim(3), c.out};
      const tf::Shape ys = for_taps(c.x, ws, c.g, depthwise, [](int64_t, int64_t, int64_t) {});
      auto w = tf::placeholder(tf::float32, ws);
      auto dy = tf::placeholder(tf::float32, ys);
      auto dx = depthwise ? raw::depthwise_conv2d_native_backprop_input(
                                int_const(c.x), w, dy, strides_of(c.g), tf::padding_name(c.g.padding),
                                dilations_of(c.g))
                          : raw::conv2d_backprop_input(int_const(c.x), w, dy, strides_of(c.g),
                                                       tf::padding_name(c.g.padding), dilations_of(c.g));
      REQUIRE(dx.shape() == c.x);
      const auto wv = random_tensor(ws, rng), dyv = random_tensor(ys, rng);
      const auto want = naive_input_grad(c.x, wv, dyv, c.g, depthwise);
      for (int threads : {1, 2}) {
        tf::Session sess(f.g, {.num_threads = threads});
        const auto got = sess.run(dx, {{w, wv}, {dy, dyv}});
        REQUIRE(got.shape() == c.x);
        check_close(got, want);
      }
    }
  }
}

TEST_CASE("convolution gradients take a computed filter_sizes / input_sizes (tf::shape) when they run") {
  std::mt19937 rng(107);
  FreshGraph f;
  const Geo g{2, 2, 1, 1, tf::Padding::Same};
  auto x = tf::placeholder(tf::float32, {2, 7, 6, 3});
  auto w = tf::placeholder(tf::float32, {3, 3, 3, 4});
  auto y = tf::nn::conv2d(x, w, {1, 2, 2, 1}, "SAME");
  auto dy = tf::placeholder(tf::float32, y.shape());
  auto dw = raw::conv2d_backprop_filter(x, tf::shape(w), dy, {1, 2, 2, 1}, "SAME");
  auto dx = raw::conv2d_backprop_input(tf::shape(x), w, dy, {1, 2, 2, 1}, "SAME");
  CHECK(dw.shape() == tf::Shape{-1, -1, 3, 4});  // channels from input and out_backprop
  CHECK(dx.shape() == tf::Shape{2, -1, -1, 3});
  // Downstream elementwise gradients take the run's shapes too.
  auto dw_relu = raw::relu_grad(dw, w);
  const auto xv = random_tensor(x.shape(), rng), wv = random_tensor(w.shape(), rng),
             dyv = random_tensor(y.shape(), rng);
  tf::Session sess(f.g);
  const auto got = sess.run({dw, dx, dw_relu}, {{x, xv}, {w, wv}, {dy, dyv}});
  check_close(got[0], naive_filter_grad(xv, w.shape(), dyv, g, false));
  check_close(got[1], naive_input_grad(x.shape(), wv, dyv, g, false));
  auto r = got[2].data<float>();
  for (size_t i = 0; i < r.size(); ++i)
    CHECK(r[i] == (wv.data<float>()[i] > 0 ? got[0].data<float>()[i] : 0.f));
}

namespace {

// TF's MaxPoolGrad: the first maximal cell of each window (row-major) gets
// the window's gradient; AvgPoolGrad: each in-image cell gets grad / count.
tf::Tensor naive_pool_grad(const tf::Tensor& x, const tf::Tensor& dy, int64_t kh, int64_t kw, int64_t sh,
                           int64_t sw, tf::Padding padding, bool max) {
  const auto& d = x.shape().dims();
  const int64_t n = d[0], h = d[1], w = d[2], c = d[3];
  int64_t ph = 0, pw = 0;
  const int64_t oh = out_dim(h, kh, sh, 1, padding, &ph), ow = out_dim(w, kw, sw, 1, padding, &pw);
  std::vector<double> dx(static_cast<size_t>(x.num_elements()), 0.0);
  auto xv = x.data<float>();
  auto gv = dy.data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t ch = 0; ch < c; ++ch) {
          std::vector<int64_t> cells;
          for (int64_t u = 0; u < kh; ++u)
            for (int64_t v = 0; v < kw; ++v) {
              const int64_t y = i * sh + u - ph, z = j * sw + v - pw;
              if (y >= 0 && y < h && z >= 0 && z < w) cells.push_back(((b * h + y) * w + z) * c + ch);
            }
          const double g = gv[static_cast<size_t>(((b * oh + i) * ow + j) * c + ch)];
          if (max) {
            int64_t best = cells[0];
            for (int64_t cell : cells) {
              if (xv[static_cast<size_t>(best)] < xv[static_cast<size_t>(cell)]) best = cell;
            }
            dx[static_cast<size_t>(best)] += g;
          } else {
            for (int64_t cell : cells) dx[static_cast<size_t>(cell)] += g / double(cells.size());
          }
        }
  tf::Tensor out(tf::float32, x.shape());
  for (size_t i = 0; i < dx.size(); ++i) out.data<float>()[i] = static_cast<float>(dx[i]);
  return out;
}

void check_near(const tf::Tensor& got, const tf::Tensor& want, float tol = 1e-5f) {
  REQUIRE(got.shape() == want.shape());
  auto g = got.data<float>();
  auto w = want.data<float>();
  size_t bad = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    const bool ok =
        std::isnan(w[i]) ? std::isnan(g[i]) : std::fabs(g[i] - w[i]) <= tol * (1.f + std::fabs(w[i]));
    if (!ok && bad++ < 5) UNSCOPED_INFO("at " << i << ": got " << g[i] << ", want " << w[i]);
  }
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("MaxPoolGrad and AvgPoolGrad match TF's rules: first maximum, in-image divisor") {
  std::mt19937 rng(109);
  struct Case {
    tf::Shape x;
    int64_t kh, kw, sh, sw;
  };
  for (const Case& k :
       {Case{{2, 7, 9, 3}, 3, 3, 2, 2}, Case{{1, 6, 6, 4}, 2, 2, 2, 2}, Case{{3, 6, 11, 2}, 3, 2, 1, 3},
        Case{{1, 4, 4, 1}, 4, 4, 1, 1}, Case{{1, 3, 8, 5}, 1, 1, 2, 3}, Case{{0, 4, 4, 2}, 2, 2, 2, 2},
        Case{{2, 5, 5, 3}, 5, 5, 1, 1}, Case{{1, 1, 1, 1}, 1, 1, 1, 1}}) {
    for (tf::Padding padding : {tf::Padding::Same, tf::Padding::Valid}) {
      for (bool ties : {false, true}) {
        INFO(k.x.to_string() << " k" << k.kh << "x" << k.kw << " s" << k.sh << "x" << k.sw << " "
                             << tf::padding_name(padding) << (ties ? " with ties" : ""));
        FreshGraph f;
        auto x = tf::placeholder(tf::float32, k.x);
        const std::vector<int64_t> ksize{1, k.kh, k.kw, 1}, strides{1, k.sh, k.sw, 1};
        auto pooled = tf::nn::max_pool(x, ksize, strides, padding);
        auto dy = tf::placeholder(tf::float32, pooled.shape());
        auto dmax = raw::max_pool_grad(x, pooled, dy, ksize, strides, tf::padding_name(padding));
        auto davg = raw::avg_pool_grad(int_const(k.x), dy, ksize, strides, tf::padding_name(padding));
        REQUIRE(dmax.shape() == k.x);
        REQUIRE(davg.shape() == k.x);
        auto xv = random_tensor(k.x, rng);
        if (ties) {
          for (float& v : xv.data<float>()) v = std::round(v * 2.f);  // -2 .. 2: many equal maxima
        }
        const auto dyv = random_tensor(pooled.shape(), rng);
        for (int threads : {1, 2}) {
          tf::Session sess(f.g, {.num_threads = threads});
          const auto got = sess.run({dmax, davg}, {{x, xv}, {dy, dyv}});
          check_near(got[0], naive_pool_grad(xv, dyv, k.kh, k.kw, k.sh, k.sw, padding, true));
          check_near(got[1], naive_pool_grad(xv, dyv, k.kh, k.kw, k.sh, k.sw, padding, false));
        }
      }
    }
  }
}

TEST_CASE("MaxPoolGrad routes around NaN as TF's kernel: a NaN first in its window takes the gradient") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 2, 2, 1});
  auto dy = tf::placeholder(tf::float32, {1, 1, 1, 1});
  auto pooled = tf::nn::max_pool(x, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
  auto dx = raw::max_pool_grad(x, pooled, dy, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
  tf::Session sess(f.g);
  const auto g = tf::Tensor::from<float>({1, 1, 1, 1}, {5.f});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(values(sess.run(dx, {{x, tf::Tensor::from<float>({1, 2, 2, 1}, {1, nan, 3, 2})}, {dy, g}})) ==
        std::vector<float>{0, 0, 5, 0});
  CHECK(values(sess.run(dx, {{x, tf::Tensor::from<float>({1, 2, 2, 1}, {nan, 7, 9, 2})}, {dy, g}})) ==
        std::vector<float>{5, 0, 0, 0});
  CHECK(values(sess.run(dx, {{x, tf::Tensor::from<float>({1, 2, 2, 1}, {4, 4, 4, 4})}, {dy, g}})) ==
        std::vector<float>{5, 0, 0, 0});
}

TEST_CASE("MaxPoolGrad on a Fashion-MNIST sized batch equals the naive loop") {
  std::mt19937 rng(113);
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {100, 28, 28, 32});
  auto pooled = tf::nn::max_pool(x, {1, 2, 2, 1}, {1, 2, 2, 1}, "SAME");
  auto dy = tf::placeholder(tf::float32, pooled.shape());
  auto dx = raw::max_pool_grad(x, pooled, dy, {1, 2, 2, 1}, {1, 2, 2, 1}, "SAME");
  const auto xv = random_tensor(x.shape(), rng), dyv = random_tensor(pooled.shape(), rng);
  tf::Session sess(f.g, {.num_threads = 2});
  check_near(sess.run(dx, {{x, xv}, {dy, dyv}}),
             naive_pool_grad(xv, dyv, 2, 2, 2, 2, tf::Padding::Same, true));
}

TEST_CASE("activation gradients match TF's formulas in double, NaN included") {
  std::mt19937 rng(127);
  FreshGraph f;
  const tf::Shape s{7, 33};
  auto g = tf::placeholder(tf::float32, s);
  auto a = tf::placeholder(tf::float32, s);
  const double scale = 1.0507009873554804934193349852946, scale_alpha = 1.7580993408473768599402175208123;
  struct Check {
    tf::Output out;
    std::function<double(double, double)> want;  // (gradient, second input)
  };
  const std::vector<Check> checks{
      {raw::relu_grad(g, a), [](double d, double x) { return x > 0 ? d : d * 0.0; }},
      {raw::relu6_grad(g, a), [](double d, double x) { return x > 0 && x < 6 ? d : d * 0.0; }},
      {raw::elu_grad(g, a), [](double d, double y) { return y < 0 ? (y + 1) * d : d; }},
      {raw::selu_grad(g, a), [&](double d, double y) { return y < 0 ? d * (y + scale_alpha) : d * scale; }},
      {raw::softplus_grad(g, a), [](double d, double x) { return d / (std::exp(-x) + 1); }},
      {raw::leaky_relu_grad(g, a), [](double d, double x) { return x > 0 ? d : d * 0.2; }},
      {raw::leaky_relu_grad(g, a, 0.01f), [](double d, double x) { return x > 0 ? d : d * double(0.01f); }},
      // SigmoidGrad(y, dy) and TanhGrad(y, dy): the first input is y.
      {raw::sigmoid_grad(a, g), [](double dy, double y) { return dy * y * (1 - y); }},
      {raw::tanh_grad(a, g), [](double dy, double y) { return dy * (1 - y * y); }},
  };
  auto gv = random_tensor(s, rng, -3.f, 3.f), av = random_tensor(s, rng, -8.f, 8.f);
  gv.data<float>()[5] = std::numeric_limits<float>::quiet_NaN();
  av.data<float>()[9] = std::numeric_limits<float>::quiet_NaN();
  av.data<float>()[10] = 0.f;
  av.data<float>()[11] = 6.f;
  std::vector<tf::Output> fetches;
  for (const auto& c : checks) fetches.push_back(c.out);
  tf::Session sess(f.g);
  const auto got = sess.run(fetches, {{g, gv}, {a, av}});
  for (size_t k = 0; k < checks.size(); ++k) {
    INFO(fetches[k].name());
    tf::Tensor want(tf::float32, s);
    for (int64_t i = 0; i < s.num_elements(); ++i) {
      want.data<float>()[static_cast<size_t>(i)] = static_cast<float>(
          checks[k].want(gv.data<float>()[static_cast<size_t>(i)], av.data<float>()[static_cast<size_t>(i)]));
    }
    check_near(got[k], want);
  }
}

TEST_CASE("BiasAddGrad sums every axis but the last, the same for every thread count") {
  std::mt19937 rng(131);
  for (const tf::Shape& s : {tf::Shape{5, 3}, tf::Shape{100, 28, 28, 32}, tf::Shape{0, 4}, tf::Shape{2, 3, 0},
                             tf::Shape{7, 1, 9, 1}}) {
    INFO(s.to_string());
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, s);
    auto db = raw::bias_add_grad(x);
    const int64_t c = s.dim(s.rank() - 1);
    REQUIRE(db.shape() == tf::Shape{c});
    const auto xv = random_tensor(s, rng);
    std::vector<RefValue> want(static_cast<size_t>(c));
    for (int64_t i = 0; i < s.num_elements(); ++i) {
      const double v = xv.data<float>()[static_cast<size_t>(i)];
      want[static_cast<size_t>(i % c)].value += v;
      want[static_cast<size_t>(i % c)].magnitude += std::fabs(v);
    }
    std::vector<float> first;
    for (int threads : {1, 2}) {
      tf::Session sess(f.g, {.num_threads = threads});
      const auto got = sess.run(db, {{x, xv}});
      check_close(got, want);
      if (first.empty()) first = values(got);
      CHECK(values(got) == first);
    }
  }
}

namespace {

// Softmax cross entropy of one row in double: (loss, backprop).
std::pair<double, std::vector<double>> naive_xent(const float* logits, const std::vector<double>& labels) {
  const size_t c = labels.size();
  double max = -INFINITY;
  for (size_t j = 0; j < c; ++j) max = std::max(max, double(logits[j]));
  double sum = 0;
  for (size_t j = 0; j < c; ++j) sum += std::exp(double(logits[j]) - max);
  double loss = 0;
  std::vector<double> back(c);
  for (size_t j = 0; j < c; ++j) {
    const double log_p = double(logits[j]) - max - std::log(sum);
    loss -= labels[j] * log_p;
    back[j] = std::exp(log_p) - labels[j];
  }
  return {loss, back};
}

}  // namespace

TEST_CASE("SoftmaxCrossEntropyWithLogits and the sparse one match double softmax, large logits too") {
  std::mt19937 rng(137);
  for (float spread : {1.f, 50.f, 1e4f}) {
    for (const tf::Shape& s : {tf::Shape{4, 10}, tf::Shape{1, 1}, tf::Shape{33, 7}, tf::Shape{0, 5}}) {
      INFO(s.to_string() << " logits in +-" << spread);
      FreshGraph f;
      auto logits = tf::placeholder(tf::float32, s);
      auto probs = tf::placeholder(tf::float32, s);
      auto ids32 = tf::placeholder(tf::int32, {s.dim(0)});
      auto ids64 = tf::placeholder(tf::int64, {s.dim(0)});
      auto dense = raw::softmax_cross_entropy_with_logits(logits, probs);
      auto sparse32 = raw::sparse_softmax_cross_entropy_with_logits(logits, ids32);
      auto sparse64 = raw::sparse_softmax_cross_entropy_with_logits(logits, ids64);
      REQUIRE(dense.loss.shape() == tf::Shape{s.dim(0)});
      REQUIRE(dense.backprop.shape() == s);
      REQUIRE(sparse32.backprop.shape() == s);
      CHECK(sparse32.loss.op().attr<tf::DType>("Tlabels") == tf::int32);
      CHECK(sparse64.loss.op().attr<tf::DType>("Tlabels") == tf::int64);
      const auto lv = random_tensor(s, rng, -spread, spread);
      auto pv = random_tensor(s, rng, 0.f, 1.f);
      const int64_t n = s.dim(0), c = s.dim(1);
      tf::Tensor i32(tf::int32, {n}), i64(tf::int64, {n});
      std::uniform_int_distribution<int> pick(0, static_cast<int>(c) - 1);
      for (int64_t i = 0; i < n; ++i) {
        double total = 0;
        for (int64_t j = 0; j < c; ++j) total += pv.data<float>()[static_cast<size_t>(i * c + j)];
        for (int64_t j = 0; j < c; ++j)
          pv.data<float>()[static_cast<size_t>(i * c + j)] /= static_cast<float>(total);
        i32.data<int32_t>()[static_cast<size_t>(i)] = pick(rng);
        i64.data<int64_t>()[static_cast<size_t>(i)] = pick(rng);
      }
      tf::Session sess(f.g, {.num_threads = 2});
      const auto got = sess.run(
          {dense.loss, dense.backprop, sparse32.loss, sparse32.backprop, sparse64.loss, sparse64.backprop},
          {{logits, lv}, {probs, pv}, {ids32, i32}, {ids64, i64}});
      for (int which = 0; which < 3; ++which) {
        tf::Tensor want_loss(tf::float32, {n}), want_back(tf::float32, s);
        for (int64_t i = 0; i < n; ++i) {
          std::vector<double> labels(static_cast<size_t>(c), 0.0);
          for (int64_t j = 0; j < c; ++j) {
            if (which == 0) labels[static_cast<size_t>(j)] = pv.data<float>()[static_cast<size_t>(i * c + j)];
          }
          if (which == 1) labels[static_cast<size_t>(i32.data<int32_t>()[static_cast<size_t>(i)])] = 1;
          if (which == 2) labels[static_cast<size_t>(i64.data<int64_t>()[static_cast<size_t>(i)])] = 1;
          const auto [loss, back] = naive_xent(lv.data<float>().data() + i * c, labels);
          want_loss.data<float>()[static_cast<size_t>(i)] = static_cast<float>(loss);
          for (int64_t j = 0; j < c; ++j)
            want_back.data<float>()[static_cast<size_t>(i * c + j)] =
                static_cast<float>(back[static_cast<size_t>(j)]);
        }
        INFO("which " << which);
        for (int64_t i = 0; i < n; ++i)
          REQUIRE(std::isfinite(got[static_cast<size_t>(2 * which)].data<float>()[static_cast<size_t>(i)]));
        check_near(got[static_cast<size_t>(2 * which)], want_loss);
        check_near(got[static_cast<size_t>(2 * which + 1)], want_back);
      }
    }
  }
}

TEST_CASE("SoftmaxCrossEntropyWithLogits broadcasts a row of labels as TF does") {
  FreshGraph f;
  auto logits = tf::constant(tf::Tensor::from<float>({2, 3}, {1, 2, 3, 3, 2, 1}));
  auto labels = tf::constant(tf::Tensor::from<float>({1, 3}, {0, 0, 1}));
  auto xent = raw::softmax_cross_entropy_with_logits(logits, labels);
  REQUIRE(xent.loss.shape() == tf::Shape{2});
  REQUIRE(xent.backprop.shape() == tf::Shape{2, 3});
  tf::Session sess(f.g);
  const auto loss = values(sess.run(xent.loss));
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  CHECK(loss[0] == Approx(lse - 3).epsilon(1e-6));
  CHECK(loss[1] == Approx(lse - 1).epsilon(1e-6));
}

TEST_CASE("a label outside 0 .. C - 1 is an InvalidArgumentError naming the op, the label and C") {
  FreshGraph f;
  auto logits = tf::placeholder(tf::float32, {3, 10});
  auto ids = tf::placeholder(tf::int32, {3});
  auto ids64 = tf::placeholder(tf::int64, {3});
  auto loss = tf::nn::sparse_softmax_cross_entropy_with_logits(ids, logits);
  auto loss64 = tf::nn::sparse_softmax_cross_entropy_with_logits(ids64, logits, "xent");
  tf::Session sess(f.g);
  tf::Tensor lv(tf::float32, {3, 10});
  REQUIRE_THROWS_MATCHES(sess.run(loss, {{logits, lv}, {ids, tf::Tensor::from<int32_t>({3}, {1, 12, 3})}}),
                         tf::InvalidArgumentError,
                         Has("'SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits' (op: "
                             "'SparseSoftmaxCrossEntropyWithLogits'): Received a label value of 12 which is "
                             "outside the valid range "
                             "of [0, 10).  Label values: 1 12 3"));
  REQUIRE_THROWS_MATCHES(
      sess.run(loss64, {{logits, lv}, {ids64, tf::Tensor::from<int64_t>({3}, {-1, 0, 0})}}),
      tf::InvalidArgumentError,
      Has("'xent/xent' (op: 'SparseSoftmaxCrossEntropyWithLogits'): Received a label value of -1 "
          "which is outside the valid range of [0, 10)"));
  // A good run after a bad one.
  CHECK(sess.run(loss, {{logits, lv}, {ids, tf::Tensor::from<int32_t>({3}, {0, 9, 3})}}).shape() ==
        tf::Shape{3});
}

TEST_CASE("backward builders use TF's op types, inputs, attributes and default names") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2, 8, 8, 3}, "x");
  auto w = tf::placeholder(tf::float32, {3, 3, 3, 4}, "w");
  auto dy = tf::placeholder(tf::float32, {2, 8, 8, 4}, "dy");
  auto dw = raw::conv2d_backprop_filter(x, int_const({3, 3, 3, 4}), dy, {1, 1, 1, 1}, "SAME");
  CHECK(dw.name() == "Conv2DBackpropFilter:0");
  CHECK(dw.op().type() == "Conv2DBackpropFilter");
  CHECK(dw.op().attr<std::vector<int64_t>>("dilations") == std::vector<int64_t>{1, 1, 1, 1});
  CHECK(dw.op().attr<std::string>("data_format") == "NHWC");
  CHECK(dw.op().attr<bool>("use_cudnn_on_gpu"));
  CHECK(dw.op().attr<tf::DType>("T") == tf::float32);
  auto dx = raw::conv2d_backprop_input(int_const({2, 8, 8, 3}), w, dy, {1, 1, 1, 1}, "SAME", {1, 2, 2, 1});
  CHECK(dx.name() == "Conv2DBackpropInput:0");
  CHECK(dx.op().attr<std::vector<int64_t>>("dilations") == std::vector<int64_t>{1, 2, 2, 1});
  auto wd = tf::placeholder(tf::float32, {3, 3, 3, 2}, "wd");
  auto dyd = tf::placeholder(tf::float32, {2, 8, 8, 6}, "dyd");
  CHECK(raw::depthwise_conv2d_native_backprop_input(int_const({2, 8, 8, 3}), wd, dyd, {1, 1, 1, 1}, "SAME")
            .name() == "DepthwiseConv2dNativeBackpropInput:0");
  auto dwd =
      raw::depthwise_conv2d_native_backprop_filter(x, int_const({3, 3, 3, 2}), dyd, {1, 1, 1, 1}, "SAME");
  CHECK(dwd.name() == "DepthwiseConv2dNativeBackpropFilter:0");
  CHECK(dwd.op().attrs().count("use_cudnn_on_gpu") == 0);
  auto pooled = tf::nn::max_pool(x, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
  CHECK(raw::max_pool_grad(x, pooled, pooled, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID").name() == "MaxPoolGrad:0");
  CHECK(raw::avg_pool_grad(int_const({2, 8, 8, 3}), pooled, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID").name() ==
        "AvgPoolGrad:0");
  CHECK(raw::relu_grad(x, x).name() == "ReluGrad:0");
  CHECK(raw::relu6_grad(x, x).name() == "Relu6Grad:0");
  CHECK(raw::bias_add_grad(x).name() == "BiasAddGrad:0");
  CHECK(raw::sigmoid_grad(x, x).name() == "SigmoidGrad:0");
  CHECK(raw::tanh_grad(x, x).name() == "TanhGrad:0");
  CHECK(raw::elu_grad(x, x).name() == "EluGrad:0");
  CHECK(raw::selu_grad(x, x).name() == "SeluGrad:0");
  CHECK(raw::softplus_grad(x, x).name() == "SoftplusGrad:0");
  auto leaky = raw::leaky_relu_grad(x, x, 0.3f, "lr");
  CHECK(leaky.name() == "lr:0");
  CHECK(leaky.op().attr<float>("alpha") == 0.3f);
  auto logits = tf::placeholder(tf::float32, {4, 10}, "logits");
  auto xent = raw::softmax_cross_entropy_with_logits(logits, logits);
  CHECK(xent.loss.name() == "SoftmaxCrossEntropyWithLogits:0");
  CHECK(xent.backprop.name() == "SoftmaxCrossEntropyWithLogits:1");
  auto ids = tf::placeholder(tf::int64, {4}, "ids");
  CHECK(raw::sparse_softmax_cross_entropy_with_logits(logits, ids).backprop.name() ==
        "SparseSoftmaxCrossEntropyWithLogits:1");
  // The nn wrappers, labels first, named as TF 1.x's python names them.
  CHECK(tf::nn::sparse_softmax_cross_entropy_with_logits(ids, logits).name() ==
        "SparseSoftmaxCrossEntropyWithLogits_1/SparseSoftmaxCrossEntropyWithLogits:0");
  CHECK(f.g.get_operation_by_name("SparseSoftmaxCrossEntropyWithLogits_1/Shape").type() == "Shape");
  CHECK(tf::nn::sparse_softmax_cross_entropy_with_logits(ids, logits, "loss").name() == "loss/loss:0");
  auto probs = tf::placeholder(tf::float32, {4, 10}, "probs");
  auto v2 = tf::nn::softmax_cross_entropy_with_logits_v2(probs, logits);
  CHECK(v2.name() == "softmax_cross_entropy_with_logits:0");
  CHECK(v2.op().inputs()[0].name() == "logits:0");  // features first in the op
  CHECK(tf::nn::softmax_cross_entropy_with_logits_v2(probs, logits).name() ==
        "softmax_cross_entropy_with_logits_1:0");
  {
    tf::name_scope s("train");
    CHECK(tf::nn::softmax_cross_entropy_with_logits_v2(probs, logits, "xent").name() == "train/xent:0");
    CHECK(tf::nn::sparse_softmax_cross_entropy_with_logits(ids, logits).name() ==
          "train/SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits:0");
  }
}

TEST_CASE("backward ops refuse bad shapes and attributes when built, in TF's words") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 8, 8, 3});
  auto w = tf::placeholder(tf::float32, {3, 3, 3, 4});
  auto dy = tf::placeholder(tf::float32, {1, 8, 8, 4});
  // Conv2DBackpropFilter
  REQUIRE_THROWS_MATCHES(
      raw::conv2d_backprop_filter(x, int_const({3, 3, 2, 4}), dy, {1, 1, 1, 1}, "SAME", {1, 1, 1, 1}, "f"),
      tf::ValueError, Has("Dimensions must be equal, but are 2 and 3 for 'f' (op: 'Conv2DBackpropFilter')"));
  REQUIRE_THROWS_MATCHES(raw::conv2d_backprop_filter(x, int_const({3, 3, 3, 5}), dy, {1, 1, 1, 1}, "SAME"),
                         tf::ValueError, Has("Dimensions must be equal, but are 5 and 4"));
  REQUIRE_THROWS_MATCHES(
      raw::conv2d_backprop_filter(x, int_const({3, 3, 3, 4}), dy, {1, 2, 2, 1}, "SAME", {1, 1, 1, 1}, "g"),
      tf::ValueError,
      Has("'g' (op: 'Conv2DBackpropFilter'): size of out_backprop doesn't match computed: actual = 8, "
          "computed = 4 spatial_dim: 1 input: 8 filter: 3"));
  REQUIRE_THROWS_MATCHES(raw::conv2d_backprop_filter(x, int_const({3, 3, 3}), dy, {1, 1, 1, 1}, "SAME"),
                         tf::ValueError, Has("filter_sizes must have 4 elements, got 3"));
  REQUIRE_THROWS_MATCHES(raw::conv2d_backprop_filter(x, int_const({3, -3, 3, 4}), dy, {1, 1, 1, 1}, "SAME"),
                         tf::ValueError, Has("filter_sizes must be non-negative, got [3,-3,3,4]"));
  REQUIRE_THROWS_MATCHES(raw::conv2d_backprop_filter(tf::placeholder(tf::float32, {8, 8, 3}),
                                                     int_const({3, 3, 3, 4}), dy, {1, 1, 1, 1}, "SAME"),
                         tf::ValueError,
                         Has("Shape must be rank 4 but is rank 3 for input of 'Conv2DBackpropFilter"));
  REQUIRE_THROWS_MATCHES(raw::conv2d_backprop_filter(x, int_const({3, 3, 3, 4}), dy, {1, 1, 1, 1}, "FULL"),
                         tf::ValueError, Has("Padding must be \"SAME\" or \"VALID\""));
  REQUIRE_THROWS_MATCHES(raw::conv2d_backprop_filter(x, int_const({3, 3, 3, 4}), dy, {2, 1, 1, 1}, "SAME"),
                         tf::ValueError, Has("strides in the batch and depth dimensions must be 1"));
  REQUIRE_THROWS_MATCHES(
      raw::conv2d_backprop_filter(x, tf::constant(tf::Tensor::from<float>({4}, {3, 3, 3, 4})), dy,
                                  {1, 1, 1, 1}, "SAME"),
      tf::ValueError, Has("filter_sizes"));
  // Conv2DBackpropInput with dilations
  REQUIRE_THROWS_MATCHES(
      raw::conv2d_backprop_input(int_const({1, 8, 8, 3}), w, tf::placeholder(tf::float32, {1, 5, 5, 4}),
                                 {1, 1, 1, 1}, "VALID", {1, 2, 2, 1}),
      tf::ValueError, Has("size of out_backprop doesn't match computed: actual = 5, computed = 4"));
  // Depthwise
  auto wd = tf::placeholder(tf::float32, {3, 3, 3, 2});
  REQUIRE_THROWS_MATCHES(
      raw::depthwise_conv2d_native_backprop_input(int_const({1, 8, 8, 3}), wd, dy, {1, 1, 1, 1}, "SAME"),
      tf::ValueError, Has("Dimensions must be equal, but are 4 and 6"));
  REQUIRE_THROWS_MATCHES(
      raw::depthwise_conv2d_native_backprop_filter(x, int_const({3, 3, 3, 2}), dy, {1, 1, 1, 1}, "SAME"),
      tf::ValueError, Has("out_backprop depth 4 is not in_channels * channel_multiplier"));
  // Pooling
  auto pooled = tf::nn::max_pool(x, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
  REQUIRE_THROWS_MATCHES(raw::max_pool_grad(x, pooled, x, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID", "m"),
                         tf::ValueError,
                         Has("Dimensions must be equal, but are 4 and 8 for 'm' (op: 'MaxPoolGrad')"));
  REQUIRE_THROWS_MATCHES(raw::max_pool_grad(x, pooled, pooled, {1, 2, 2}, {1, 2, 2, 1}, "VALID"),
                         tf::ValueError, Has("needs ksize and strides of 4 values"));
  REQUIRE_THROWS_MATCHES(
      raw::avg_pool_grad(int_const({1, 9, 9, 3}), pooled, {1, 2, 2, 1}, {1, 2, 2, 1}, "SAME", "a"),
      tf::ValueError,
      Has("AvgPoolGrad 'a' (op: 'AvgPoolGrad'): grad of shape [1,4,4,3] is not the pooled shape [1,5,5,3]"));
  REQUIRE_THROWS_MATCHES(
      raw::avg_pool_grad(int_const({1, 8, 8, 2}), pooled, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID"),
      tf::ValueError, Has("Dimensions must be equal, but are 2 and 3"));
  // Elementwise, bias, cross entropy
  REQUIRE_THROWS_MATCHES(
      raw::relu_grad(x, dy, "r"), tf::ValueError,
      Has("Dimensions must be equal, but are 3 and 4 for 'r' (op: 'ReluGrad') with input shapes: "
          "[1,8,8,3], [1,8,8,4]."));
  REQUIRE_THROWS_MATCHES(raw::tanh_grad(x, w), tf::ValueError, Has("Dimensions must be equal"));
  REQUIRE_THROWS_MATCHES(
      raw::sigmoid_grad(x, tf::placeholder(tf::float32, {8, 3})), tf::ValueError,
      Has("Shapes must be equal rank, but are 4 and 2 for 'SigmoidGrad' (op: 'SigmoidGrad')"));
  REQUIRE_THROWS_MATCHES(raw::bias_add_grad(tf::placeholder(tf::float32, {3})), tf::ValueError,
                         Has("Shape must be at least rank 2 but is rank 1 for 'BiasAddGrad'"));
  auto logits = tf::placeholder(tf::float32, {4, 10});
  REQUIRE_THROWS_MATCHES(raw::softmax_cross_entropy_with_logits(logits, tf::placeholder(tf::float32, {4, 9})),
                         tf::ValueError, Has("Dimensions must be equal, but are 10 and 9"));
  REQUIRE_THROWS_MATCHES(
      raw::softmax_cross_entropy_with_logits(logits, tf::placeholder(tf::float32, {2, 4, 10})),
      tf::ValueError, Has("Shape must be broadcasted with rank 2, but is rank 3"));
  REQUIRE_THROWS_MATCHES(
      raw::sparse_softmax_cross_entropy_with_logits(logits, tf::placeholder(tf::int32, {4, 1})),
      tf::ValueError,
      Has("Shape must be rank 1 but is rank 2 for labels of 'SparseSoftmaxCrossEntropyWithLogits'"));
  REQUIRE_THROWS_MATCHES(
      raw::sparse_softmax_cross_entropy_with_logits(logits, tf::placeholder(tf::int32, {3})), tf::ValueError,
      Has("Dimensions must be equal, but are 4 and 3"));
  REQUIRE_THROWS_MATCHES(
      raw::sparse_softmax_cross_entropy_with_logits(logits, tf::placeholder(tf::float32, {4})),
      tf::ValueError, Has("SparseSoftmaxCrossEntropyWithLogits"));
  // The nn wrappers' own checks, in TF 1.x's words.
  REQUIRE_THROWS_MATCHES(
      tf::nn::sparse_softmax_cross_entropy_with_logits(tf::placeholder(tf::int32, {4, 1}), logits),
      tf::ValueError,
      Has("Rank mismatch: Rank of labels (received 2) should equal rank of logits minus 1 "
          "(received 2)."));
  REQUIRE_THROWS_MATCHES(
      tf::nn::sparse_softmax_cross_entropy_with_logits(tf::placeholder(tf::int32, {3}), logits),
      tf::ValueError,
      Has("Shape mismatch: The shape of labels (received [3]) should equal the shape of logits "
          "except for the last dimension (received [4,10])."));
  REQUIRE_THROWS_MATCHES(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::placeholder(tf::int32, {}),
                                                                          tf::placeholder(tf::float32, {})),
                         tf::ValueError, Has("Logits cannot be scalars - received shape []."));
}
