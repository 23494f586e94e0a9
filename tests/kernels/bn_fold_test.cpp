// Conv2D / DepthwiseConv2dNative + FusedBatchNormV3 (+ Relu/Relu6) folded
// into one _FusedConv2D (_FusedDepthwiseConv2dNative): fused equals unfused
// equals a double-precision conv then batch norm, including a channel of
// variance near 0 and negative scales; the fold follows assigned parameters;
// a batch norm whose other outputs are used is not fused.
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <minitf/ops/op_def.h>

#include "reference.h"

namespace {

constexpr float kEpsilon = 0.001f;

// NHWC conv (filter [kh, kw, in, out]) or depthwise (filter [kh, kw, in, m],
// output channel c * m + j), stride s, SAME or VALID, in double.
std::vector<RefValue> naive_conv(const tf::Tensor& x, const tf::Tensor& w, int64_t s, tf::Padding padding,
                                 bool depthwise) {
  const auto& xd = x.shape().dims();
  const auto& wd = w.shape().dims();
  const int64_t n = xd[0], h = xd[1], wi = xd[2], c = xd[3], kh = wd[0], kw = wd[1], f3 = wd[3];
  auto dim = [&](int64_t in, int64_t k, int64_t* pad) {
    if (padding == tf::Padding::Same) {
      const int64_t out = (in + s - 1) / s;
      *pad = std::max<int64_t>((out - 1) * s + k - in, 0) / 2;
      return out;
    }
    *pad = 0;
    return (in - k) / s + 1;
  };
  int64_t ph = 0, pw = 0;
  const int64_t oh = dim(h, kh, &ph), ow = dim(wi, kw, &pw);
  const int64_t oc_count = depthwise ? c * f3 : f3;
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
              const int64_t y = i * s + di - ph, z = j * s + dj - pw;
              if (y < 0 || y >= h || z < 0 || z >= wi) continue;
              const int64_t first = depthwise ? oc / f3 : 0, last = depthwise ? oc / f3 + 1 : c;
              for (int64_t ic = first; ic < last; ++ic) {
                const size_t widx =
                    static_cast<size_t>(((di * kw + dj) * c + ic) * f3 + (depthwise ? oc % f3 : oc));
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

struct BatchNorm {
  tf::Tensor scale, offset, mean, variance;
};

// Parameters for `c` channels: scales of both signs (channel 1 negative),
// channel 0 of variance near 0 (so its factor is large), others in [0.2, 2].
BatchNorm random_batch_norm(int64_t c, std::mt19937& rng) {
  BatchNorm bn{random_tensor({c}, rng, -1.5f, 1.5f), random_tensor({c}, rng), random_tensor({c}, rng),
               random_tensor({c}, rng, 0.2f, 2.f)};
  bn.variance.data<float>()[0] = 1e-7f;
  bn.scale.data<float>()[1] = -std::fabs(bn.scale.data<float>()[1]) - 0.5f;
  return bn;
}

// The batch norm of `conv`, then the activation (0 none, 1 Relu, 2 Relu6),
// with the rounding bound carried through: |f| times the conv's, plus the
// mean's and offset's.
std::vector<RefValue> reference(std::vector<RefValue> conv, const BatchNorm& bn, int activation) {
  const auto c = static_cast<size_t>(bn.scale.num_elements());
  for (size_t i = 0; i < conv.size(); ++i) {
    const size_t k = i % c;
    const double f = double(bn.scale.data<float>()[k]) /
                     std::sqrt(double(bn.variance.data<float>()[k]) + double(kEpsilon));
    const double mean = bn.mean.data<float>()[k], offset = bn.offset.data<float>()[k];
    RefValue& r = conv[i];
    r.magnitude = std::fabs(f) * (r.magnitude + std::fabs(r.value) + std::fabs(mean)) + std::fabs(offset);
    r.value = (r.value - mean) * f + offset;
    if (activation >= 1) r.value = std::max(r.value, 0.);
    if (activation == 2) r.value = std::min(r.value, 6.);
  }
  return conv;
}

// Debug messages of the library while it lives (the planner says what it rewrote).
struct LogCapture {
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
  spdlog::level::level_enum level = spdlog::default_logger()->level();
  std::vector<spdlog::level::level_enum> sink_levels;  // the other sinks' own, kept quiet meanwhile
  LogCapture() {
    { tf::Session first(tf::Graph{}); }  // the library sets its log level once, with its first session
    for (auto& s : spdlog::default_logger()->sinks()) {
      sink_levels.push_back(s->level());
      s->set_level(std::max(s->level(), spdlog::level::info));
    }
    spdlog::default_logger()->sinks().push_back(sink);
    spdlog::default_logger()->set_level(spdlog::level::debug);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::find(sinks.begin(), sinks.end(), sink));
    for (size_t i = 0; i < sinks.size() && i < sink_levels.size(); ++i) sinks[i]->set_level(sink_levels[i]);
    spdlog::default_logger()->set_level(level);
  }
  // Whether a message contains every one of `words`.
  bool said(const std::vector<std::string>& words) const {
    for (const std::string& line : sink->last_formatted()) {
      if (std::all_of(words.begin(), words.end(),
                      [&](const std::string& w) { return line.find(w) != std::string::npos; }))
        return true;
    }
    return false;
  }
};

const tf::SessionOptions kFused{.num_threads = 2, .fuse_conv = true};
const tf::SessionOptions kUnfused{.num_threads = 2, .fuse_conv = false};

}  // namespace

TEST_CASE("conv + FusedBatchNormV3 folds: fused equals unfused equals a double reference") {
  struct Shape {
    bool depthwise;
    int64_t stride;
    tf::Padding padding;
    int activation;
  };
  const std::vector<Shape> shapes = {{false, 1, tf::Padding::Same, 1},
                                     {false, 2, tf::Padding::Valid, 0},
                                     {true, 1, tf::Padding::Same, 2},
                                     {true, 2, tf::Padding::Valid, 1}};
  std::mt19937 rng(7);
  for (const Shape& sh : shapes) {
    INFO((sh.depthwise ? "depthwise" : "conv")
         << " stride " << sh.stride << " " << tf::padding_name(sh.padding) << " activation "
         << sh.activation);
    FreshGraph f;
    const int64_t in = 5, m = sh.depthwise ? 2 : 6, out = sh.depthwise ? in * m : m;
    const tf::Tensor wv = random_tensor({3, 3, in, m}, rng);
    BatchNorm bn = random_batch_norm(out, rng);
    auto x = tf::placeholder(tf::float32, {-1, 9, 8, in}, "x");
    auto w = tf::constant(wv);
    auto scale = tf::get_variable("gamma", {out}, tf::ones_initializer());
    auto offset = tf::get_variable("beta", {out}, tf::zeros_initializer());
    auto mean = tf::get_variable("moving_mean", {out}, tf::zeros_initializer());
    auto variance = tf::get_variable("moving_variance", {out}, tf::ones_initializer());
    const std::vector<int64_t> strides{1, sh.stride, sh.stride, 1};
    auto h = sh.depthwise ? tf::nn::depthwise_conv2d_native(x, w, strides, sh.padding)
                          : tf::conv2d(x, w, strides, sh.padding);
    auto y = tf::nn::fused_batch_norm(h, scale, offset, mean, variance, kEpsilon).y;
    if (sh.activation == 1) y = tf::relu(y);
    if (sh.activation == 2) y = tf::nn::relu6(y * 4.f + 3.f);  // reaches both bounds
    auto check_run = [&](tf::Session& fused, tf::Session& unfused, const tf::Tensor& xv) {
      std::vector<RefValue> want =
          reference(naive_conv(xv, wv, sh.stride, sh.padding, sh.depthwise), bn, sh.activation == 1 ? 1 : 0);
      if (sh.activation == 2) {
        for (RefValue& r : want) {
          r.value = std::min(std::max(r.value * 4. + 3., 0.), 6.);
          r.magnitude = 4. * r.magnitude + 3.;
        }
      }
      const tf::Tensor a = fused.run(y, {{x, xv}});
      const tf::Tensor b = unfused.run(y, {{x, xv}});
      check_close(a, want, 1e-5, 1e-5);
      check_close(b, want, 1e-5, 1e-5);
    };
    tf::Session fused(f.g, kFused), unfused(f.g, kUnfused);
    for (tf::Session* s : {&fused, &unfused}) {
      s->run(tf::global_variables_initializer());
      s->assign_variables({{scale.op(), bn.scale},
                           {offset.op(), bn.offset},
                           {mean.op(), bn.mean},
                           {variance.op(), bn.variance}});
    }
    {
      LogCapture log;
      check_run(fused, unfused, random_tensor({2, 9, 8, in}, rng));
      CHECK(log.said(
          {"rewrote", "FusedBatchNormV3", sh.depthwise ? "_FusedDepthwiseConv2dNative" : "_FusedConv2D"}));
    }
    check_run(fused, unfused, random_tensor({1, 9, 8, in}, rng));  // another shape, the same fold
    // New parameters (each assign is a new buffer): the fold follows them.
    for (int round = 0; round < 2; ++round) {
      bn = random_batch_norm(out, rng);
      for (tf::Session* s : {&fused, &unfused}) {
        s->assign_variable(scale.op(), bn.scale);
        s->assign_variable(offset.op(), bn.offset);
        s->assign_variable(mean.op(), bn.mean);
        s->assign_variable(variance.op(), bn.variance);
      }
      check_run(fused, unfused, random_tensor({2, 9, 8, in}, rng));
    }
    // One parameter alone changes too.
    bn.mean.data<float>()[2] += 3.f;
    bn.mean = bn.mean.clone();
    for (tf::Session* s : {&fused, &unfused}) s->assign_variable(mean.op(), bn.mean);
    check_run(fused, unfused, random_tensor({2, 9, 8, in}, rng));
  }
}

TEST_CASE("conv + FusedBatchNormV3 with fed parameters and filter folds on every run") {
  FreshGraph f;
  std::mt19937 rng(11);
  const int64_t in = 4, out = 7;
  auto x = tf::placeholder(tf::float32, {1, 6, 6, in}, "x");
  auto w = tf::placeholder(tf::float32, {3, 3, in, out}, "w");
  auto scale = tf::placeholder(tf::float32, {out}, "scale");
  auto offset = tf::placeholder(tf::float32, {out}, "offset");
  auto mean = tf::placeholder(tf::float32, {out}, "mean");
  auto variance = tf::placeholder(tf::float32, {out}, "variance");
  auto y = tf::relu(tf::nn::fused_batch_norm(tf::conv2d(x, w, {1, 1, 1, 1}, "SAME"), scale, offset, mean,
                                             variance, kEpsilon)
                        .y);
  tf::Session fused(f.g, kFused), unfused(f.g, kUnfused);
  for (int run = 0; run < 3; ++run) {
    const tf::Tensor xv = random_tensor({1, 6, 6, in}, rng), wv = random_tensor({3, 3, in, out}, rng);
    const BatchNorm bn = random_batch_norm(out, rng);
    const tf::FeedDict feeds{
        {x, xv}, {w, wv}, {scale, bn.scale}, {offset, bn.offset}, {mean, bn.mean}, {variance, bn.variance}};
    const auto want = reference(naive_conv(xv, wv, 1, tf::Padding::Same, false), bn, 1);
    check_close(fused.run(y, feeds), want, 1e-5, 1e-5);
    check_close(unfused.run(y, feeds), want, 1e-5, 1e-5);
  }
}

TEST_CASE("a FusedBatchNormV3 whose other outputs are used is not folded") {
  std::mt19937 rng(5);
  const int64_t in = 3, out = 4;
  const tf::Tensor xv = random_tensor({1, 5, 5, in}, rng), wv = random_tensor({3, 3, in, out}, rng);
  const BatchNorm bn = random_batch_norm(out, rng);
  const auto want = reference(naive_conv(xv, wv, 1, tf::Padding::Same, false), bn, 1);
  for (int use : {0, 1, 2}) {  // batch_mean fetched, batch_variance read, reserve_space_3 fetched
    INFO("use " << use);
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, {1, 5, 5, in}, "x");
    auto h = tf::conv2d(x, tf::constant(wv), {1, 1, 1, 1}, "SAME");
    auto bn_out = tf::nn::fused_batch_norm(h, tf::constant(bn.scale), tf::constant(bn.offset),
                                           tf::constant(bn.mean), tf::constant(bn.variance), kEpsilon);
    auto y = tf::relu(bn_out.y);
    std::vector<tf::Output> fetches{y};
    if (use == 0) fetches.push_back(bn_out.batch_mean);
    if (use == 1) fetches.push_back(bn_out.batch_variance * 2.f);
    if (use == 2) fetches.push_back(bn_out.y.op().output(5));
    LogCapture log;
    tf::Session s(f.g, kFused);
    const auto got = s.run(fetches, {{x, xv}});
    check_close(got[0], want, 1e-5, 1e-5);
    std::vector<float> second = use == 0   ? values(bn.mean)
                                : use == 1 ? values(bn.variance)
                                           : std::vector{0.f};
    if (use == 1) {
      for (float& v : second) v *= 2.f;
    }
    CHECK(values(got[1]) == second);
    REQUIRE(log.said({"plan:"}));  // the capture hears the planner
    CHECK_FALSE(log.said({"rewrote", "FusedBatchNormV3"}));
    // Relu still runs on its own or fused with nothing else: the conv is not fused past the batch norm.
    CHECK_FALSE(log.said({"as one _FusedConv2D"}));
  }
  SECTION("only y used: folded") {
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, {1, 5, 5, in}, "x");
    auto h = tf::conv2d(x, tf::constant(wv), {1, 1, 1, 1}, "SAME");
    auto bn_out = tf::nn::fused_batch_norm(h, tf::constant(bn.scale), tf::constant(bn.offset),
                                           tf::constant(bn.mean), tf::constant(bn.variance), kEpsilon);
    LogCapture log;
    tf::Session s(f.g, kFused);
    check_close(s.run(tf::relu(bn_out.y), {{x, xv}}), want, 1e-5, 1e-5);
    CHECK(log.said({"rewrote", "FusedBatchNormV3", "Relu", "as one _FusedConv2D"}));
  }
}

TEST_CASE("_FusedConv2D with FusedBatchNorm checks its args and fused_ops") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 8, 8, 3});
  auto w = tf::placeholder(tf::float32, {3, 3, 3, 4});
  auto v4 = tf::placeholder(tf::float32, {4});
  auto v5 = tf::placeholder(tf::float32, {5});
  const tf::AttrMap attrs{{"strides", std::vector<int64_t>{1, 1, 1, 1}},
                          {"padding", std::string("SAME")},
                          {"fused_ops", std::vector<std::string>{"FusedBatchNorm", "Relu6"}},
                          {"num_args", int64_t{4}}};
  auto ok = tf::create_op(f.g, "_FusedConv2D", "ok", {x, w, v4, v4, v4, v4}, attrs);
  CHECK(ok.attr<float>("epsilon") == 0.0001f);
  CHECK(ok.output(0).shape() == tf::Shape{1, 8, 8, 4});
  REQUIRE_THROWS_MATCHES(tf::create_op(f.g, "_FusedConv2D", "bad", {x, w, v4, v4, v5, v4}, attrs),
                         tf::ValueError, Has("Dimensions must be equal, but are 4 and 5"));
  tf::AttrMap one = attrs;
  one["num_args"] = int64_t{1};
  REQUIRE_THROWS_MATCHES(tf::create_op(f.g, "_FusedConv2D", "one", {x, w, v4}, one), tf::ValueError,
                         Has("needs num_args 4, got 1"));
  tf::AttrMap both = attrs;
  both["fused_ops"] = std::vector<std::string>{"BiasAdd", "FusedBatchNorm"};
  REQUIRE_THROWS_MATCHES(tf::create_op(f.g, "_FusedConv2D", "both", {x, w, v4, v4, v4, v4}, both),
                         tf::UnimplementedError, Has("starting at \"FusedBatchNorm\" are not implemented"));
}

TEST_CASE("a fused conv whose bias shape the plan could not know is checked when it runs") {
  tf::Graph g;
  auto guard = g.as_default();
  auto x = tf::placeholder(tf::float32, {1, 4, 4, 2}, "x");
  auto w = tf::constant(std::vector<float>(3 * 3 * 2 * 3, 0.5f), {3, 3, 2, 3});
  auto values = tf::placeholder(tf::float32, {-1}, "values");
  auto like = tf::placeholder(tf::float32, {-1}, "like");
  // [?] until it runs: a value computed from a Shape (the planner folds a bare Shape, below).
  auto b = tf::reshape(values, tf::cast(tf::shape(like, tf::int64), tf::int32));
  const tf::AttrMap attrs{{"strides", std::vector<int64_t>{1, 1, 1, 1}},
                          {"padding", std::string("SAME")},
                          {"fused_ops", std::vector<std::string>{"BiasAdd"}},
                          {"num_args", int64_t{1}}};
  auto y = tf::create_op(g, "_FusedConv2D", "fused", {x, w, b}, attrs).output(0);
  tf::Session s(g);
  const tf::Tensor image(tf::float32, {1, 4, 4, 2});
  const tf::Tensor three(tf::float32, {3}), one(tf::float32, {1});
  CHECK(s.run(y, {{x, image}, {values, three}, {like, three}}).shape() == tf::Shape{1, 4, 4, 3});
  REQUIRE_THROWS_MATCHES(s.run(y, {{x, image}, {values, one}, {like, one}}), tf::InvalidArgumentError,
                         Has("the bias must be of shape [3], got [1]"));
  // A bare Shape is known once the fed shapes are: the plan refuses the bias before any kernel runs.
  auto folded =
      tf::create_op(g, "_FusedConv2D", "folded", {x, w, tf::reshape(values, tf::shape(like))}, attrs);
  REQUIRE_THROWS_MATCHES(s.run(folded.output(0), {{x, image}, {values, one}, {like, one}}),
                         tf::InvalidArgumentError,
                         Has("Dimensions must be equal, but are 3 and 1 for 'folded' (op: '_FusedConv2D')"));
}

TEST_CASE("depthwise and transposed convolutions take tf::Padding as well as its name") {
  tf::Graph g;
  auto guard = g.as_default();
  auto x = tf::placeholder(tf::float32, {1, 8, 8, 2}, "x");
  auto f = tf::constant(std::vector<float>(3 * 3 * 2 * 1, 1.f), {3, 3, 2, 1});
  auto a = tf::nn::depthwise_conv2d(x, f, {1, 1, 1, 1}, tf::Padding::Valid);
  auto b =
      tf::nn::depthwise_conv2d_native(x, f, {1, 1, 1, 1}, tf::Padding::Same, {.dilations = {1, 2, 2, 1}});
  auto ft = tf::constant(std::vector<float>(3 * 3 * 2 * 2, 1.f), {3, 3, 2, 2});
  auto t = tf::nn::conv2d_transpose(x, ft, {1, 16, 16, 2}, {1, 2, 2, 1}, tf::Padding::Same);
  CHECK(a.op().attr<std::string>("padding") == "VALID");
  CHECK(b.op().attr<std::string>("padding") == "SAME");
  CHECK(t.op().attr<std::string>("padding") == "SAME");
  CHECK(t.shape() == tf::Shape{1, 16, 16, 2});
}
