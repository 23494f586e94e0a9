// Dilated Conv2D, DepthwiseConv2dNative, Conv2DBackpropInput and their
// fusions against naive double-precision loops with TF's rules, on random
// data; their names and errors.
#include <minitf/ops/op_def.h>

#include "reference.h"

namespace {

struct Geometry {
  int64_t sh = 1, sw = 1, dh = 1, dw = 1;
  tf::Padding padding = tf::Padding::Same;
};

std::string describe(const Geometry& g) {
  return "strides " + std::to_string(g.sh) + "x" + std::to_string(g.sw) + " dilations " +
         std::to_string(g.dh) + "x" + std::to_string(g.dw) + " " + tf::padding_name(g.padding);
}

// TF's output size and leading pad of one dimension: SAME pads (total / 2)
// before, for the window (k - 1) * d + 1 a dilated kernel covers.
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

// Conv2D (filter [kh, kw, in, out]) or depthwise (filter [kh, kw, in, m],
// output channel c * m + j) over NHWC, with strides and dilations.
std::vector<RefValue> naive_conv(const tf::Tensor& x, const tf::Tensor& w, const Geometry& g, bool depthwise,
                                 tf::Shape* out_shape) {
  const auto& xd = x.shape().dims();
  const auto& wd = w.shape().dims();
  const int64_t n = xd[0], h = xd[1], wi = xd[2], c = xd[3], kh = wd[0], kw = wd[1], f3 = wd[3];
  int64_t ph = 0, pw = 0;
  const int64_t oh = out_dim(h, kh, g.sh, g.dh, g.padding, &ph),
                ow = out_dim(wi, kw, g.sw, g.dw, g.padding, &pw);
  const int64_t oc_count = depthwise ? c * f3 : f3;
  *out_shape = tf::Shape{n, oh, ow, oc_count};
  std::vector<RefValue> out(static_cast<size_t>(n * oh * ow * oc_count));
  auto xv = x.data<float>();
  auto wv = w.data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t oc = 0; oc < oc_count; ++oc) {
          RefValue r;
          for (int64_t di = 0; di < kh; ++di)
            for (int64_t dj = 0; dj < kw; ++dj) {
              const int64_t y = i * g.sh + di * g.dh - ph, z = j * g.sw + dj * g.dw - pw;
              if (y < 0 || y >= h || z < 0 || z >= wi) continue;
              const int64_t first = depthwise ? oc / f3 : 0, last = depthwise ? oc / f3 + 1 : c;
              for (int64_t ic = first; ic < last; ++ic) {
                const size_t widx = depthwise ? static_cast<size_t>(((di * kw + dj) * c + ic) * f3 + oc % f3)
                                              : static_cast<size_t>(((di * kw + dj) * c + ic) * f3 + oc);
                const double p =
                    double(xv[static_cast<size_t>(((b * h + y) * wi + z) * c + ic)]) * double(wv[widx]);
                r.value += p;
                r.magnitude += std::fabs(p);
              }
            }
          out[static_cast<size_t>(((b * oh + i) * ow + j) * oc_count + oc)] = r;
        }
  return out;
}

// The gradient of Conv2D with respect to an input of shape `in` (NHWC):
// every out_backprop value flows back through every filter tap that read an
// input cell.
std::vector<RefValue> naive_backprop_input(const tf::Shape& in, const tf::Tensor& w, const tf::Tensor& dy,
                                           const Geometry& g) {
  const int64_t n = in.dim(0), h = in.dim(1), wi = in.dim(2), c = in.dim(3);
  const int64_t kh = w.shape().dim(0), kw = w.shape().dim(1), o = w.shape().dim(3);
  const int64_t oh = dy.shape().dim(1), ow = dy.shape().dim(2);
  int64_t ph = 0, pw = 0;
  out_dim(h, kh, g.sh, g.dh, g.padding, &ph);
  out_dim(wi, kw, g.sw, g.dw, g.padding, &pw);
  std::vector<RefValue> dx(static_cast<size_t>(n * h * wi * c));
  auto wv = w.data<float>();
  auto dv = dy.data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t oc = 0; oc < o; ++oc)
          for (int64_t di = 0; di < kh; ++di)
            for (int64_t dj = 0; dj < kw; ++dj) {
              const int64_t y = i * g.sh + di * g.dh - ph, z = j * g.sw + dj * g.dw - pw;
              if (y < 0 || y >= h || z < 0 || z >= wi) continue;
              for (int64_t ic = 0; ic < c; ++ic) {
                const double p = double(dv[static_cast<size_t>(((b * oh + i) * ow + j) * o + oc)]) *
                                 double(wv[static_cast<size_t>(((di * kw + dj) * c + ic) * o + oc)]);
                RefValue& r = dx[static_cast<size_t>(((b * h + y) * wi + z) * c + ic)];
                r.value += p;
                r.magnitude += std::fabs(p);
              }
            }
  return dx;
}

struct ConvCase {
  tf::Shape x;
  int64_t kh, kw, out;  // out: output channels (Conv2D) or the channel multiplier (depthwise)
  Geometry g;
};

std::vector<ConvCase> conv_cases() {
  std::vector<ConvCase> table;
  const tf::Shape inputs[] = {{2, 9, 7, 3}, {1, 12, 12, 8}, {3, 5, 6, 1}, {1, 1, 1, 4}, {1, 13, 4, 5}};
  int i = 0;
  for (const tf::Shape& x : inputs)
    for (int64_t k : {1, 2, 3})
      for (int64_t s : {1, 2, 3})
        for (int64_t d : {1, 2, 3})
          for (auto padding : {tf::Padding::Same, tf::Padding::Valid}) {
            const int64_t kh = k, kw = k == 1 ? 2 : k;
            const Geometry g{s, i % 2 ? s : 1, d, (i % 3) + 1, padding};
            ++i;
            int64_t pad = 0;
            if (out_dim(x.dim(1), kh, g.sh, g.dh, padding, &pad) < 0 ||
                out_dim(x.dim(2), kw, g.sw, g.dw, padding, &pad) < 0)
              continue;
            table.push_back({x, kh, kw, 1 + i % 4, g});
          }
  return table;
}

}  // namespace

TEST_CASE("Conv2D with dilations and strides matches a naive loop") {
  std::mt19937 rng(11);
  const auto table = conv_cases();
  REQUIRE(table.size() > 100);
  for (const ConvCase& c : table) {
    INFO(c.x.to_string() << " k" << c.kh << "x" << c.kw << " out " << c.out << " " << describe(c.g));
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, c.x);
    auto w = tf::placeholder(tf::float32, {c.kh, c.kw, c.x.dim(3), c.out});
    auto y = tf::nn::conv2d(x, w, {1, c.g.sh, c.g.sw, 1}, c.g.padding, {.dilations = {1, c.g.dh, c.g.dw, 1}});
    const auto xv = random_tensor(x.shape(), rng), wv = random_tensor(w.shape(), rng);
    tf::Shape want_shape;
    const auto want = naive_conv(xv, wv, c.g, false, &want_shape);
    REQUIRE(y.shape() == want_shape);
    tf::Session sess(f.g);
    const auto got = sess.run(y, {{x, xv}, {w, wv}});
    REQUIRE(got.shape() == want_shape);
    check_close(got, want);
  }
}

TEST_CASE("DepthwiseConv2dNative matches a naive loop: multipliers, strides, dilations, both paddings") {
  std::mt19937 rng(13);
  const auto table = conv_cases();
  for (const ConvCase& c : table) {
    INFO(c.x.to_string() << " k" << c.kh << "x" << c.kw << " multiplier " << c.out << " " << describe(c.g));
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, c.x);
    auto w = tf::placeholder(tf::float32, {c.kh, c.kw, c.x.dim(3), c.out});
    auto y = tf::nn::depthwise_conv2d_native(x, w, {1, c.g.sh, c.g.sw, 1}, tf::padding_name(c.g.padding),
                                             {.dilations = {1, c.g.dh, c.g.dw, 1}});
    const auto xv = random_tensor(x.shape(), rng), wv = random_tensor(w.shape(), rng);
    tf::Shape want_shape;
    const auto want = naive_conv(xv, wv, c.g, true, &want_shape);
    REQUIRE(y.shape() == want_shape);
    for (int threads : {1, 2}) {
      tf::Session sess(f.g, {.num_threads = threads});
      const auto got = sess.run(y, {{x, xv}, {w, wv}});
      REQUIRE(got.shape() == want_shape);
      check_close(got, want);
    }
  }
}

TEST_CASE("Conv2DBackpropInput (conv2d_transpose) matches a naive loop") {
  std::mt19937 rng(17);
  const auto table = conv_cases();
  for (const ConvCase& c : table) {
    INFO(c.x.to_string() << " k" << c.kh << "x" << c.kw << " out " << c.out << " " << describe(c.g));
    FreshGraph f;
    // The forward convolution maps c.x to dy's shape; the transpose maps back.
    int64_t pad = 0;
    const int64_t oh = out_dim(c.x.dim(1), c.kh, c.g.sh, c.g.dh, c.g.padding, &pad);
    const int64_t ow = out_dim(c.x.dim(2), c.kw, c.g.sw, c.g.dw, c.g.padding, &pad);
    auto dy = tf::placeholder(tf::float32, {c.x.dim(0), oh, ow, c.out});
    auto w = tf::constant(random_tensor({c.kh, c.kw, c.x.dim(3), c.out}, rng));
    tf::Output y;
    if (c.g.dh == 1 && c.g.dw == 1) {
      y = tf::nn::conv2d_transpose(dy, w, c.x.dims(), {1, c.g.sh, c.g.sw, 1}, tf::padding_name(c.g.padding));
    } else {
      auto sizes = tf::constant(tf::Tensor::from<int32_t>(
          {4}, {static_cast<int32_t>(c.x.dim(0)), static_cast<int32_t>(c.x.dim(1)),
                static_cast<int32_t>(c.x.dim(2)), static_cast<int32_t>(c.x.dim(3))}));
      y = tf::create_op(f.g, "Conv2DBackpropInput", "dx", {sizes, w, dy},
                        {{"strides", std::vector<int64_t>{1, c.g.sh, c.g.sw, 1}},
                         {"padding", std::string(tf::padding_name(c.g.padding))},
                         {"dilations", std::vector<int64_t>{1, c.g.dh, c.g.dw, 1}}})
              .output(0);
    }
    REQUIRE(y.shape() == c.x);
    const auto dyv = random_tensor(dy.shape(), rng);
    const auto want = naive_backprop_input(c.x, w.op().attr<tf::Tensor>("value"), dyv, c.g);
    tf::Session sess(f.g);
    const auto got = sess.run(y, {{dy, dyv}});
    REQUIRE(got.shape() == c.x);
    check_close(got, want);
  }
}

TEST_CASE("conv2d_transpose with an output shape known only when it runs") {
  std::mt19937 rng(19);
  FreshGraph f;
  auto dy = tf::placeholder(tf::float32, {2, 4, 3, 5});
  auto sizes = tf::placeholder(tf::int32, {4});
  auto w = tf::constant(random_tensor({3, 3, 2, 5}, rng));
  auto y = tf::nn::conv2d_transpose(dy, w, sizes, {1, 2, 2, 1}, "SAME");
  CHECK(y.shape() == tf::Shape{2, -1, -1, 2});
  const Geometry g{2, 2, 1, 1, tf::Padding::Same};
  tf::Session sess(f.g);
  const auto dyv = random_tensor(dy.shape(), rng);
  for (int64_t h : {7, 8}) {  // both give 4 rows forward
    const auto got = sess.run(y, {{dy, dyv}, {sizes, tf::Tensor::from<int32_t>({4}, {2, int32_t(h), 6, 2})}});
    REQUIRE(got.shape() == tf::Shape{2, h, 6, 2});
    check_close(got, naive_backprop_input(got.shape(), w.op().attr<tf::Tensor>("value"), dyv, g));
  }
  // sizes that the convolution cannot have come from, or negative ones
  for (const auto& bad : {std::vector<int32_t>{2, 9, 6, 2}, std::vector<int32_t>{2, -7, 6, 2},
                          std::vector<int32_t>{1, 7, 6, 2}, std::vector<int32_t>{2, 7, 6, 3}}) {
    REQUIRE_THROWS_MATCHES(sess.run(y, {{dy, dyv}, {sizes, tf::Tensor::from<int32_t>({4}, bad)}}),
                           tf::InvalidArgumentError, Has("'conv2d_transpose' (op: 'Conv2DBackpropInput')"));
  }
}

TEST_CASE("fused Conv2D and depthwise + bias + Relu6 / Relu equal the unfused ops and the reference") {
  std::mt19937 rng(23);
  for (bool depthwise : {false, true}) {
    for (int variant = 0; variant < 5; ++variant) {
      INFO((depthwise ? "depthwise" : "conv2d") << " variant " << variant);
      FreshGraph f;
      auto x = tf::placeholder(tf::float32, {2, 9, 7, 6});
      auto w = tf::constant(random_tensor({3, 3, 6, depthwise ? 2 : 5}, rng, -2, 2));
      const int64_t channels = depthwise ? 12 : 5;
      auto b = tf::constant(random_tensor({channels}, rng, -3, 3));
      const Geometry g{2, 1, 1, 2, tf::Padding::Same};
      auto conv =
          depthwise ? tf::nn::depthwise_conv2d_native(x, w, {1, 2, 1, 1}, "SAME", {.dilations = {1, 1, 2, 1}})
                    : tf::nn::conv2d(x, w, {1, 2, 1, 1}, "SAME", {.dilations = {1, 1, 2, 1}});
      tf::Output y;
      bool bias = true, six = true;
      switch (variant) {
        case 0:
          y = tf::nn::relu6(tf::bias_add(conv, b));
          break;
        case 1:
          y = tf::nn::relu6(conv + b);
          break;
        case 2:
          y = tf::nn::relu6(conv);
          bias = false;
          break;
        case 3:
          y = tf::relu(b + conv);
          six = false;
          break;
        default:
          y = tf::bias_add(conv, b);
          six = false;
          break;
      }
      auto xv = random_tensor(x.shape(), rng, -2, 2);
      xv.data<float>()[5] = NAN;  // NaN stays NaN, fused or not (oneDNN's clip would give 0 or 6)
      tf::Session fused(f.g);
      tf::Session plain(f.g, {.fuse_conv = false});
      auto a = fused.run(y, {{x, xv}});
      auto e = plain.run(y, {{x, xv}});
      REQUIRE(a.shape() == e.shape());
      tf::Shape s;
      auto ref = naive_conv(xv, w.op().attr<tf::Tensor>("value"), g, depthwise, &s);
      auto bv = b.op().attr<tf::Tensor>("value").data<float>();
      size_t nans = 0;
      for (size_t i = 0; i < ref.size(); ++i) {
        if (std::isnan(ref[i].value)) {
          CHECK(std::isnan(a.data<float>()[i]));
          CHECK(std::isnan(e.data<float>()[i]));
          ++nans;
          ref[i].value = 0;  // checked; check_close below compares the rest
          a.data<float>()[i] = e.data<float>()[i] = 0.f;
          continue;
        }
        if (bias) ref[i].value += bv[i % static_cast<size_t>(channels)];
        if (variant < 4) ref[i].value = std::max(0.0, ref[i].value);
        if (six) ref[i].value = std::min(6.0, ref[i].value);
      }
      CHECK(nans > 0);
      check_close(a, ref, 1e-5, 1e-5);
      check_close(e, ref, 1e-5, 1e-5);
    }
  }
}

TEST_CASE("convolutions over empty dimensions give empty outputs or zeros") {
  FreshGraph f;
  std::mt19937 rng(29);
  auto empty_batch = tf::placeholder(tf::float32, {0, 5, 5, 3});
  auto no_channels = tf::placeholder(tf::float32, {2, 5, 5, 0});
  auto w = tf::constant(random_tensor({3, 3, 3, 2}, rng));
  auto w0 = tf::constant(tf::Tensor(tf::float32, {3, 3, 0, 4}));
  auto b = tf::constant(tf::Tensor::from<float>({4}, {1, -2, 7, 0.5f}));
  auto d0 = tf::nn::depthwise_conv2d_native(empty_batch, w, {1, 1, 1, 1}, "SAME");
  auto d1 = tf::nn::depthwise_conv2d_native(no_channels, w0, {1, 2, 2, 1}, "VALID");
  auto c0 = tf::nn::conv2d(empty_batch, w, {1, 1, 1, 1}, "SAME", {.dilations = {1, 2, 2, 1}});
  auto c1 = tf::nn::relu6(tf::nn::conv2d(no_channels, w0, {1, 1, 1, 1}, "SAME") + b);
  auto t0 = tf::nn::conv2d_transpose(tf::constant(tf::Tensor(tf::float32, {2, 5, 5, 0})),
                                     tf::constant(tf::Tensor(tf::float32, {3, 3, 2, 0})), {2, 5, 5, 2},
                                     {1, 1, 1, 1}, "SAME");
  for (bool fuse : {false, true}) {
    tf::Session sess(f.g, {.fuse_conv = fuse});
    const auto got = sess.run({d0, d1, c0, c1, t0}, {{empty_batch, tf::Tensor(tf::float32, {0, 5, 5, 3})},
                                                     {no_channels, tf::Tensor(tf::float32, {2, 5, 5, 0})}});
    CHECK(got[0].shape() == tf::Shape{0, 5, 5, 6});
    CHECK(got[1].shape() == tf::Shape{2, 2, 2, 0});
    CHECK(got[2].shape() == tf::Shape{0, 5, 5, 2});
    REQUIRE(got[3].shape() == tf::Shape{2, 5, 5, 4});
    for (int64_t i = 0; i < got[3].num_elements(); ++i) {
      CHECK(got[3].data<float>()[i] ==
            std::min(6.f, std::max(0.f, b.op().attr<tf::Tensor>("value").data<float>()[i % 4])));
    }
    REQUIRE(got[4].shape() == tf::Shape{2, 5, 5, 2});
    for (float v : got[4].data<float>()) CHECK(v == 0.f);
  }
}

TEST_CASE("conv builders use TF's op types and default names") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 8, 8, 4}, "x");
  auto w = tf::placeholder(tf::float32, {3, 3, 4, 2}, "w");
  tf::nn::depthwise_conv2d_native(x, w, {1, 1, 1, 1}, "SAME");
  tf::nn::depthwise_conv2d(x, w, {1, 1, 1, 1}, "SAME");
  tf::nn::depthwise_conv2d(x, w, {1, 1, 1, 1}, "SAME");
  auto dy = tf::placeholder(tf::float32, {1, 4, 4, 3}, "dy");
  auto wt = tf::placeholder(tf::float32, {3, 3, 4, 3}, "wt");
  tf::nn::conv2d_transpose(dy, wt, {1, 8, 8, 4}, {1, 2, 2, 1}, "SAME");
  tf::nn::conv2d_transpose(dy, wt, {1, 8, 8, 4}, {1, 2, 2, 1}, "SAME");
  tf::nn::conv2d_transpose(dy, wt, {1, 8, 8, 4}, {1, 2, 2, 1}, "SAME", "up");
  tf::nn::conv2d(x, w, {1, 1, 1, 1}, "VALID", {.dilations = {1, 2, 2, 1}}, "dilated");
  CHECK(op_names_and_types(f.g) == std::vector<std::string>{
                                       "x (Placeholder)",
                                       "w (Placeholder)",
                                       "DepthwiseConv2dNative (DepthwiseConv2dNative)",
                                       "depthwise (DepthwiseConv2dNative)",
                                       "depthwise_1 (DepthwiseConv2dNative)",
                                       "dy (Placeholder)",
                                       "wt (Placeholder)",
                                       "conv2d_transpose/output_shape (Const)",
                                       "conv2d_transpose (Conv2DBackpropInput)",
                                       "conv2d_transpose_1/output_shape (Const)",
                                       "conv2d_transpose_1 (Conv2DBackpropInput)",
                                       "up/output_shape (Const)",
                                       "up (Conv2DBackpropInput)",
                                       "dilated (Conv2D)",
                                   });
  CHECK(f.g.get_operation_by_name("dilated").attr<std::vector<int64_t>>("dilations") ==
        std::vector<int64_t>{1, 2, 2, 1});
  CHECK(f.g.get_operation_by_name("depthwise").attr<std::vector<int64_t>>("dilations") ==
        std::vector<int64_t>{1, 1, 1, 1});
}

TEST_CASE("conv ops refuse bad shapes and attributes with TF's words") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 8, 8, 3});
  auto w = tf::placeholder(tf::float32, {3, 3, 2, 4});
  auto w3 = tf::placeholder(tf::float32, {3, 3, 3, 4});
  REQUIRE_THROWS_MATCHES(
      tf::nn::depthwise_conv2d_native(x, w, {1, 1, 1, 1}, "SAME", "dw"), tf::ValueError,
      Has("Dimensions must be equal, but are 3 and 2 for 'dw' (op: 'DepthwiseConv2dNative') "
          "with input shapes: [1,8,8,3], [3,3,2,4]."));
  REQUIRE_THROWS_MATCHES(tf::nn::conv2d(x, w3, {1, 1, 1, 1}, "SAME", {.dilations = {2, 2, 2, 1}}),
                         tf::ValueError, Has("dilations in the batch and depth dimensions must be 1"));
  REQUIRE_THROWS_MATCHES(tf::nn::conv2d(x, w3, {1, 1, 1, 1}, "SAME", {.dilations = {1, 0, 2, 1}}),
                         tf::ValueError, Has("dilated rates should be larger than 0"));
  REQUIRE_THROWS_MATCHES(tf::nn::conv2d(x, w3, {1, 1, 1, 1}, "SAME", {.dilations = {1, 2, 1}}),
                         tf::ValueError, Has("requires 4 dilations"));
  REQUIRE_THROWS_MATCHES(tf::nn::conv2d(x, w3, {1, 1, 1, 1}, "VALID", {.dilations = {1, 4, 1, 1}}, "big"),
                         tf::ValueError,
                         Has("Negative dimension size caused by subtracting 9 from 8 for 'big'"));
  REQUIRE_THROWS_MATCHES(
      tf::nn::conv2d(x, w3, {1, 1, 1, 1}, "SAME", {.dilations = {1, int64_t{1} << 62, 1, 1}}, "huge"),
      tf::ValueError, Has("'huge' (op: 'Conv2D'): the dilated filter size overflows"));
  auto dy = tf::placeholder(tf::float32, {1, 4, 4, 4});
  REQUIRE_THROWS_MATCHES(tf::nn::conv2d_transpose(dy, w3, {1, 9, 8, 3}, {1, 2, 2, 1}, "SAME", "t"),
                         tf::ValueError,
                         Has("'t' (op: 'Conv2DBackpropInput'): size of out_backprop doesn't match computed: "
                             "actual = 4, computed = 5 spatial_dim: 1 input: 9"));
  REQUIRE_THROWS_MATCHES(tf::nn::conv2d_transpose(dy, w3, {1, 8, 8, 2}, {1, 2, 2, 1}, "SAME"), tf::ValueError,
                         Has("Dimensions must be equal, but are 2 and 3"));
  auto w5 = tf::placeholder(tf::float32, {3, 3, 3, 5});
  REQUIRE_THROWS_MATCHES(tf::nn::conv2d_transpose(dy, w5, {1, 8, 8, 3}, {1, 2, 2, 1}, "SAME"), tf::ValueError,
                         Has("Dimensions must be equal, but are 4 and 5"));
  REQUIRE_THROWS_MATCHES(tf::nn::conv2d_transpose(dy, w3, {1, -8, 8, 3}, {1, 2, 2, 1}, "SAME"),
                         tf::ValueError, Has("output_shape of non-negative int32 sizes"));
  auto neg = tf::constant(tf::Tensor::from<int32_t>({4}, {1, -8, 8, 3}));
  REQUIRE_THROWS_MATCHES(tf::nn::conv2d_transpose(dy, w3, neg, {1, 2, 2, 1}, "SAME"), tf::ValueError,
                         Has("input_sizes must be non-negative, got [1,-8,8,3]"));
  auto three = tf::constant(tf::Tensor::from<int32_t>({3}, {1, 8, 8}));
  REQUIRE_THROWS_MATCHES(tf::nn::conv2d_transpose(dy, w3, three, {1, 2, 2, 1}, "SAME"), tf::ValueError,
                         Has("input_sizes must have 4 elements"));
  REQUIRE_THROWS_MATCHES(tf::create_op(f.g, "_FusedConv2D", "fc", {x, w3},
                                       {{"strides", std::vector<int64_t>{1, 1, 1, 1}},
                                        {"padding", std::string("SAME")},
                                        {"fused_ops", std::vector<std::string>{"Relu6", "Relu"}}}),
                         tf::UnimplementedError,
                         Has("minitf fuses [BiasAdd or FusedBatchNorm][, Relu or Relu6]"));
}

// The options struct must not turn a braced list in the name's place into a call.
template <class X>
constexpr bool braced_dilations_without_designator = requires(X x) {
  tf::nn::conv2d(x, x, {1, 1, 1, 1}, "SAME", {1, 2, 2, 1});
};
template <class X>
constexpr bool designated_dilations = requires(X x) {
  tf::nn::conv2d(x, x, {1, 1, 1, 1}, "SAME", {.dilations = {1, 2, 2, 1}});
  tf::nn::conv2d(x, x, {1, 1, 1, 1}, tf::Padding::Valid, {.dilations = {1, 2, 2, 1}}, "name");
};
static_assert(!braced_dilations_without_designator<tf::Output>);
static_assert(designated_dilations<tf::Output>);
