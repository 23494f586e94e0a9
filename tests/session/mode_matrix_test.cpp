// The mode matrix: every op and a set of small graphs run under every
// combination of session options (fusion, arena, branches, threads), several
// runs in a row with new feed buffers, feeds mutated in place and variables
// assigned between runs; each result must equal a plain reference run.
// In the spirit of ggml's test-backend-ops. A new op joins by adding one
// entry to cases() (the last test fails until every registered op has one).
#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <set>

#include <minitf/ops/op_def.h>

#include "mode_matrix.h"

using namespace mode_matrix;

namespace {

tf::Output conv_bias_relu(const tf::Output& x, int64_t in, int64_t out, const std::string& scope) {
  tf::variable_scope s(scope);
  auto w = var("weights", {3, 3, in, out});
  auto b = var("biases", {out});
  return tf::relu(tf::conv2d(x, w, {1, 1, 1, 1}, "SAME") + b);
}

std::vector<Case> cases() {
  std::vector<Case> c;
  // ---- one entry per op type ----
  c.push_back({"Placeholder+Identity", [] {
                 auto x = tf::placeholder(tf::float32, {2, 3}, "x");
                 return Built{{x}, {tf::identity(x)}};
               }});
  c.push_back({"Const", [] {
                 auto x = tf::placeholder(tf::float32, {3}, "x");
                 auto k = tf::constant({1.f, -2.f, 3.f}, {3});
                 return Built{{x}, {k, x + k}};
               }});
  c.push_back({"Add (broadcast)", [] {
                 auto a = tf::placeholder(tf::float32, {2, 3, 4}, "a");
                 auto b = tf::placeholder(tf::float32, {3, 1}, "b");
                 return Built{{a, b}, {tf::add(a, b), tf::add(b, a)}};
               }});
  c.push_back({"AddV2 (scalar both sides)", [] {
                 auto x = tf::placeholder(tf::float32, {5, 7}, "x");
                 return Built{{x}, {x + 1.5f, 2.f + x, x + x}};
               }});
  c.push_back({"Relu", [] {
                 auto x = tf::placeholder(tf::float32, {4, 9}, "x");
                 return Built{{x}, {tf::relu(x)}};
               }});
  c.push_back({"Relu6", [] {
                 auto x = tf::placeholder(tf::float32, {4, 9}, "x");
                 return Built{{x}, {tf::nn::relu6(x), tf::nn::relu6(x + 5.5f)}};
               }});
  c.push_back({"binary math, broadcasting and scalar operands", [] {
                 auto x = tf::placeholder(tf::float32, {3, 1, 5}, "x");
                 auto y = tf::placeholder(tf::float32, {4, 5}, "y");
                 auto pos = tf::abs(y) + 0.5f;
                 return Built{
                     {x, y},
                     {x - y, x * y, x / pos, tf::maximum(x, y), tf::minimum(y, x),
                      tf::squared_difference(x, y), tf::pow(pos, x), tf::subtract(y, 1.f - y),
                      tf::multiply(x, 3.f * x), tf::divide(2.f / pos, pos / 4.f), x - 1.5f, -x * 2.f}};
               }});
  c.push_back({"unary math", [] {
                 auto x = tf::placeholder(tf::float32, {6, 7}, "x");
                 auto pos = tf::abs(x) + 0.25f;
                 return Built{{x},
                              {-x, tf::negative(x), tf::square(x), tf::sqrt(pos), tf::rsqrt(pos), tf::exp(x),
                               tf::log(pos), tf::sigmoid(x), tf::tanh(x)}};
               }});
  c.push_back({"activations (LeakyRelu, Elu, Selu, Softplus)",
               [] {
                 auto x = tf::placeholder(tf::float32, {5, 8}, "x");
                 auto wide = x * 20.f;  // reaches Softplus's large and small branches
                 return Built{{x},
                              {tf::nn::leaky_relu(x), tf::nn::leaky_relu(x, 1.5f), tf::nn::elu(x),
                               tf::nn::selu(x), tf::nn::softplus(x), tf::nn::softplus(wide)}};
               },
               false, true});
  c.push_back({"MaxPool, AvgPool (SAME, VALID) after a conv", [] {
                 auto x = tf::placeholder(tf::float32, {2, 9, 7, 3}, "x");
                 auto w = var("w", {3, 3, 3, 4});
                 auto h = tf::relu(tf::conv2d(x, w, {1, 1, 1, 1}, "SAME"));
                 return Built{{x},
                              {tf::nn::max_pool(h, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID"),
                               tf::nn::max_pool(x, {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME"),
                               tf::nn::avg_pool(h, {1, 3, 2, 1}, {1, 2, 1, 1}, "SAME")},
                              {},
                              {w}};
               }});
  c.push_back({"MatMul, Softmax, LogSoftmax (a dense layer)", [] {
                 auto x = tf::placeholder(tf::float32, {5, 12}, "x");
                 auto w = var("w", {12, 7});
                 auto wt = var("wt", {7, 12});
                 auto logits = tf::matmul(x, w) + var("b", {7});
                 return Built{{x},
                              {tf::nn::softmax(logits), tf::nn::log_softmax(logits),
                               tf::matmul(x, wt, false, true), tf::matmul(logits, x, true, false)},
                              {},
                              {w, wt}};
               }});
  c.push_back({"BiasAdd", [] {
                 auto x = tf::placeholder(tf::float32, {2, 5, 3}, "x");
                 auto b = var("b", {3});
                 return Built{{x}, {tf::bias_add(x, b)}, {}, {b}};
               }});
  c.push_back({"Conv2D SAME stride 1 (variable filter)", [] {
                 auto x = tf::placeholder(tf::float32, {1, 6, 7, 3}, "x");
                 auto w = var("w", {3, 3, 3, 16});
                 return Built{{x}, {tf::conv2d(x, w, {1, 1, 1, 1}, "SAME")}, {}, {w}};
               }});
  c.push_back({"Conv2D VALID stride 2 (const filter)", [] {
                 auto x = tf::placeholder(tf::float32, {2, 9, 8, 4}, "x");
                 tf::Tensor f(tf::float32, {3, 2, 4, 8});
                 int i = 0;
                 for (float& v : f.data<float>()) v = static_cast<float>(i++ % 7) * 0.25f - 0.75f;
                 return Built{{x}, {tf::conv2d(x, tf::constant(f), {1, 2, 2, 1}, "VALID")}};
               }});
  c.push_back({"Fill (zeros, ones, fill)", [] {
                 auto x = tf::placeholder(tf::float32, {2, 2}, "x");
                 return Built{{x}, {x + tf::zeros({2, 2}), x + tf::ones({2, 2}), x + tf::fill({2, 2}, 3.f)}};
               }});
  c.push_back({"random ops (seeded)",
               [] {
                 tf::set_random_seed(7);
                 auto x = tf::placeholder(tf::float32, {64}, "x");
                 return Built{{x},
                              {x + tf::random_normal({64}, 0.f, 2.f), x + tf::random_uniform({64}, -1.f, 1.f),
                               x + tf::truncated_normal({64})}};
               },
               true});
  c.push_back({"Assign, NoOp, group (stateful)",
               [] {
                 auto x = tf::placeholder(tf::float32, {4}, "x");
                 auto v = tf::get_variable("acc", {4}, tf::constant_initializer(1.f));
                 auto update = tf::assign(v, v + x);
                 auto step = tf::group({update.op()});
                 return Built{{x}, {update}, {step, tf::no_op()}};
               },
               true});
  c.push_back({"AssignAdd, AssignSub, ApplyGradientDescent, ApplyMomentum, ApplyAdam (stateful)",
               [] {
                 // 40000 elements: above the parallel threshold, so 1 and 2 threads split the loops
                 // differently. One variable per update: two updates of one variable in a run have no order.
                 auto g = tf::placeholder(tf::float32, {40000}, "g");
                 auto lr = tf::placeholder(tf::float32, {}, "lr");
                 auto w1 = var("w1", {40000}), w2 = var("w2", {40000}), w3 = var("w3", {40000});
                 auto acc = tf::get_variable("acc", {40000}, tf::zeros_initializer());
                 auto m = tf::get_variable("m", {40000}, tf::zeros_initializer());
                 auto v = tf::get_variable("v", {40000}, tf::zeros_initializer());
                 auto u = var("u", {3, 5});
                 auto n = tf::get_variable("n", {3, 5}, {.dtype = tf::int32});
                 auto k = tf::get_variable("global_step", {}, {.dtype = tf::int64, .trainable = false});
                 auto ref = [](const tf::Variable& x) { return x.op().output(0); };
                 tf::Tensor threes(tf::int32, {3, 5});
                 for (auto& x : threes.data<int32_t>()) x = 3;
                 auto sgd = tf::raw_ops::apply_gradient_descent(ref(w1), lr, g);
                 auto mom = tf::raw_ops::apply_momentum(ref(w2), ref(acc), lr, g, tf::constant(0.9f), true);
                 auto adam = tf::raw_ops::apply_adam(
                     ref(w3), ref(m), ref(v), tf::constant(0.9f), tf::constant(0.99f), lr, tf::constant(0.9f),
                     tf::constant(0.999f), tf::constant(1e-7f), tf::square(g));
                 auto up = tf::raw_ops::assign_add(ref(u), tf::reshape(tf::slice(g, {0}, {15}), {3, 5}));
                 auto down = tf::raw_ops::assign_sub(ref(n), tf::constant(threes));
                 auto step =
                     tf::raw_ops::assign_add(ref(k), tf::constant(tf::Tensor::from<int64_t>({}, {1})));
                 return Built{{g, lr},
                              {mom, up, down, step, acc.value(), v.value(), w1.value(), w3.value()},
                              {sgd.op(), adam.op()},
                              {w1, w2, w3, acc, m, v, u, n, k}};
               },
               true});
  // ---- graphs ----
  c.push_back({"chain conv+bias+relu x2 (fusable)", [] {
                 auto x = tf::placeholder(tf::float32, {1, 8, 8, 3}, "x");
                 auto h = conv_bias_relu(x, 3, 8, "conv1");
                 auto y = conv_bias_relu(h, 8, 8, "conv2");
                 return Built{{x}, {y}, {}, tf::global_variables()};
               }});
  c.push_back({"chain with fetched intermediate (not fusable past it)", [] {
                 auto x = tf::placeholder(tf::float32, {1, 6, 6, 4}, "x");
                 auto w = var("w", {3, 3, 4, 4});
                 auto b = var("b", {4});
                 auto conv = tf::conv2d(x, w, {1, 1, 1, 1}, "SAME");
                 auto biased = tf::bias_add(conv, b);
                 return Built{{x}, {tf::relu(biased), biased, conv}, {}, {w, b}};
               }});
  c.push_back({"diamond", [] {
                 auto x = tf::placeholder(tf::float32, {32}, "x");
                 auto a = tf::relu(x);
                 auto l = a + 1.f;
                 auto r = tf::relu(a + 2.f);
                 return Built{{x}, {l + r}};
               }});
  c.push_back({"alias: identity's source reused while the alias is live", [] {
                 // The trust issue's graph: a's buffer was given to c.
                 auto x = tf::placeholder(tf::float32, {64}, "x");
                 auto a = tf::identity(tf::relu(x));
                 auto b = tf::relu(x + 1.f);
                 auto c = tf::relu(b + 2.f);
                 return Built{{x}, {a + c}};
               }});
  c.push_back({"alias chain, fetched and consumed", [] {
                 auto x = tf::placeholder(tf::float32, {3, 5}, "x");
                 auto r = tf::relu(x + 0.5f);
                 auto i2 = tf::identity(tf::identity(r));
                 auto later = tf::relu(x + x) + tf::relu(x + 3.f);
                 return Built{{x}, {i2, later + i2, tf::identity(x)}};
               }});
  c.push_back({"computed filter (variable + fed shift)", [] {
                 // The trust issue's graph: the reordered filter was cached by its arena address.
                 auto x = tf::placeholder(tf::float32, {1, 4, 4, 8}, "x");
                 auto w = tf::get_variable("w", {3, 3, 8, 16}, tf::constant_initializer(1.f));
                 auto shift = tf::placeholder(tf::float32, {}, "shift");
                 return Built{{x, shift}, {tf::conv2d(x, w + shift, {1, 1, 1, 1}, "VALID")}, {}, {w}};
               }});
  c.push_back({"fed filter (mutated in place between runs)", [] {
                 auto x = tf::placeholder(tf::float32, {1, 7, 7, 16}, "x");
                 auto f = tf::placeholder(tf::float32, {3, 3, 16, 32}, "f");
                 auto b = var("b", {32});
                 return Built{{x, f}, {tf::relu(tf::conv2d(x, f, {1, 1, 1, 1}, "SAME") + b)}, {}, {b}};
               }});
  c.push_back({"shared-weight towers (branches)", [] {
                 auto x1 = tf::placeholder(tf::float32, {1, 8, 8, 4}, "image1");
                 auto x2 = tf::placeholder(tf::float32, {1, 8, 8, 4}, "image2");
                 tf::Output y1, y2;
                 {
                   tf::variable_scope scope("image_filters");
                   y1 = conv_bias_relu(conv_bias_relu(x1, 4, 8, "conv1"), 8, 8, "conv2");
                   scope.reuse_variables();
                   y2 = conv_bias_relu(conv_bias_relu(x2, 4, 8, "conv1"), 8, 8, "conv2");
                 }
                 return Built{{x1, x2}, {y1, y2}, {}, tf::global_variables()};
               }});
  c.push_back({"towers with aliases and a computed filter", [] {
                 auto x1 = tf::placeholder(tf::float32, {1, 6, 6, 4}, "x1");
                 auto x2 = tf::placeholder(tf::float32, {1, 6, 6, 4}, "x2");
                 auto w = var("w", {3, 3, 4, 4});
                 auto scale = tf::placeholder(tf::float32, {}, "scale");
                 auto wc = w + scale;
                 auto t1 = tf::identity(tf::relu(tf::conv2d(x1, wc, {1, 1, 1, 1}, "SAME")));
                 auto t2 = tf::identity(tf::relu(tf::conv2d(x2, wc, {1, 1, 1, 1}, "SAME")));
                 return Built{{x1, x2, scale}, {t1 + t2, t1}, {}, {w}};
               }});
  c.push_back({"fed shapes change between runs", [] {
                 auto x = tf::placeholder(tf::float32, {-1, 6, 6, 3}, "x");
                 auto y = conv_bias_relu(x, 3, 4, "conv");
                 return Built{{x}, {y, tf::identity(y) + 1.f}, {}, tf::global_variables()};
               }});
  c.push_back({"NaN through conv + bias + relu (fused and not)",
               [] {
                 auto x = tf::placeholder(tf::float32, {1, 5, 5, 4}, "x");
                 auto y = conv_bias_relu(x, 4, 8, "conv");
                 return Built{{x}, {y, tf::relu(x)}, {}, tf::global_variables()};
               },
               false, true});
  // ---- backward ops (training) ----
  c.push_back(
      {"Conv2DBackpropFilter/Input, depthwise gradients (strides, dilations, computed sizes)", [] {
         auto x = tf::placeholder(tf::float32, {2, 7, 7, 3}, "x");
         auto w = var("w", {3, 3, 3, 4});
         auto dy = tf::placeholder(tf::float32, {2, 4, 4, 4}, "dy");
         auto wd = var("wd", {3, 3, 3, 2});
         auto dyd = tf::placeholder(tf::float32, {2, 7, 7, 6}, "dyd");
         const std::vector<int64_t> s2{1, 2, 2, 1}, s1{1, 1, 1, 1}, d2{1, 2, 2, 1};
         auto sizes = [](std::vector<int32_t> v) { return tf::constant(tf::Tensor::from<int32_t>({4}, v)); };
         namespace raw = tf::raw_ops;
         return Built{
             {x, dy, dyd},
             {raw::conv2d_backprop_filter(x, sizes({3, 3, 3, 4}), dy, s2, "SAME"),
              raw::conv2d_backprop_filter(x, tf::shape(w), dy, s2, "SAME"),
              raw::conv2d_backprop_input(sizes({2, 7, 7, 3}), w, dy, s2, "SAME"),
              raw::conv2d_backprop_input(tf::shape(x), w, dy * 0.5f + 1.f, s2, "SAME"),
              raw::conv2d_backprop_filter(x, sizes({3, 3, 3, 2}), tf::slice(dyd, {0, 0, 0, 0}, {2, 3, 3, 2}),
                                          s1, "VALID", d2),
              raw::depthwise_conv2d_native_backprop_filter(x, sizes({3, 3, 3, 2}), dyd, s1, "SAME", d2),
              raw::depthwise_conv2d_native_backprop_input(sizes({2, 7, 7, 3}), wd, dyd, s1, "SAME", d2)},
             {},
             {w, wd}};
       }});
  c.push_back({"MaxPoolGrad, AvgPoolGrad (SAME, VALID)", [] {
                 auto x = tf::placeholder(tf::float32, {2, 9, 7, 3}, "x");
                 auto h = tf::relu(x);  // ties at 0: the first maximum takes the gradient
                 const std::vector<int64_t> k2{1, 2, 2, 1}, k3{1, 3, 3, 1}, s2{1, 2, 2, 1};
                 auto p1 = tf::nn::max_pool(h, k2, s2, "VALID");
                 auto p2 = tf::nn::max_pool(x, k3, s2, "SAME");
                 auto shape = tf::constant(tf::Tensor::from<int32_t>({4}, {2, 9, 7, 3}));
                 namespace raw = tf::raw_ops;
                 return Built{{x},
                              {raw::max_pool_grad(h, p1, p1 * 2.f, k2, s2, "VALID"),
                               raw::max_pool_grad(x, p2, p2 - 1.f, k3, s2, "SAME"),
                               raw::avg_pool_grad(shape, p2, k3, s2, "SAME"),
                               raw::avg_pool_grad(shape, p1, k2, s2, "VALID")}};
               }});
  c.push_back(
      {"activation gradients (ReluGrad, Relu6Grad, EluGrad, SeluGrad, SoftplusGrad, LeakyReluGrad, "
       "SigmoidGrad, TanhGrad)",
       [] {
         auto g = tf::placeholder(tf::float32, {5, 8}, "g");
         auto a = tf::placeholder(tf::float32, {5, 8}, "a");
         auto wide = a * 4.f;
         namespace raw = tf::raw_ops;
         return Built{{g, a},
                      {raw::relu_grad(g, a), raw::relu6_grad(g, wide), raw::elu_grad(g, tf::nn::elu(a)),
                       raw::selu_grad(g, tf::nn::selu(a)), raw::softplus_grad(g, wide),
                       raw::leaky_relu_grad(g, a), raw::leaky_relu_grad(g, a, 0.5f),
                       raw::sigmoid_grad(tf::sigmoid(a), g), raw::tanh_grad(tf::tanh(a), g)}};
       },
       false, true});
  c.push_back({"BiasAddGrad, SoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogits", [] {
                 auto x = tf::placeholder(tf::float32, {3, 4, 5}, "x");
                 auto logits = tf::placeholder(tf::float32, {6, 5}, "logits");
                 auto p = tf::placeholder(tf::float32, {6, 5}, "p");
                 auto ids = tf::placeholder(tf::int32, {6}, "ids");
                 auto ids64 = tf::placeholder(tf::int64, {6}, "ids64");
                 auto dense =
                     tf::raw_ops::softmax_cross_entropy_with_logits(logits * 30.f, tf::nn::softmax(p));
                 auto sparse = tf::raw_ops::sparse_softmax_cross_entropy_with_logits(logits, ids);
                 return Built{{x, logits, p, ids, ids64},
                              {tf::raw_ops::bias_add_grad(x), tf::raw_ops::bias_add_grad(logits), dense.loss,
                               dense.backprop, sparse.loss, sparse.backprop,
                               tf::nn::sparse_softmax_cross_entropy_with_logits(ids64, logits),
                               tf::nn::softmax_cross_entropy_with_logits_v2(tf::nn::softmax(p), logits)}};
               }});
  for (auto* family : {array_cases, math_cases, nn_cases, layer_cases}) {
    for (Case& x : family()) c.push_back(std::move(x));
  }
  return c;
}

struct Mode {
  bool fuse, arena;
  tf::Branches branches;
  int threads;
  std::string describe() const {
    return std::string("fuse=") + (fuse ? "on" : "off") + " arena=" + (arena ? "on" : "off") +
           " branches=" + (branches == tf::Branches::Serial ? "serial" : "parallel") +
           " threads=" + std::to_string(threads);
  }
  tf::SessionOptions options() const { return {threads, fuse, arena, branches}; }
};

const tf::SessionOptions kPlain{1, false, false, tf::Branches::Serial};

constexpr int kRuns = 5;
// How run r gets its feeds and variables.
enum class Step { NewBuffers, MutateInPlace, NewBuffersAndAssign };
Step step_of(int run) {
  static constexpr Step kSteps[kRuns] = {Step::NewBuffers, Step::MutateInPlace, Step::NewBuffersAndAssign,
                                         Step::MutateInPlace, Step::MutateInPlace};
  return kSteps[run];
}

// The shape fed for a placeholder on run r: unknown dims vary with the run.
tf::Shape fed_shape(const tf::Output& feed, int run) {
  std::vector<int64_t> dims = feed.shape().dims();
  for (auto& d : dims) {
    if (d < 0) d = 1 + (run % 3);
  }
  return tf::Shape(dims);
}

void fill_random(tf::Tensor& t, std::mt19937& rng, bool nans) {
  if (t.dtype() == tf::float32) {
    std::normal_distribution<float> normal(0.f, 1.f);
    auto v = t.data<float>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = nans && i % 7 == 3 ? NAN : normal(rng);
    return;
  }
  std::uniform_int_distribution<int> small(0, 3);
  tf::with_dtype(t.dtype(), [&](auto zero) {
    using T = decltype(zero);
    for (auto&& x : t.data<T>()) x = static_cast<T>(std::is_same_v<T, bool> ? small(rng) % 2 : small(rng));
  });
}

// Feed tensors that sit between guard bytes, so a kernel writing to an input
// (or past it) is caught: the guards and the values must be unchanged after a run.
struct GuardedFeed {
  static constexpr size_t kGuard = 256;
  static constexpr unsigned char kPattern = 0xA5;
  std::shared_ptr<unsigned char[]> memory;
  tf::Tensor tensor;
  size_t bytes = 0;

  GuardedFeed(tf::DType dtype, const tf::Shape& shape) {
    const tf::Tensor probe(dtype, shape);
    bytes = probe.num_bytes();
    const size_t total = (bytes + 2 * kGuard + 63) / 64 * 64;  // aligned_alloc wants a multiple of 64
    memory.reset(static_cast<unsigned char*>(std::aligned_alloc(64, total)), std::free);
    std::memset(memory.get(), kPattern, total);
    tensor =
        tf::Tensor::view(dtype, shape, std::shared_ptr<void>(memory, memory.get()), memory.get() + kGuard);
  }
  bool guards_intact() const {
    for (size_t i = 0; i < kGuard; ++i) {
      if (memory[i] != kPattern || memory[kGuard + bytes + i] != kPattern) return false;
    }
    return true;
  }
};

// Equal, NaN where the reference has NaN, within float tolerance where modes
// may sum in another order: oneDNN picks another kernel for a fused bias or
// another thread count, and two stacked 3x3x8 convolutions over N(0, 1) data
// differ by up to about 1e-5 relative that way. A stale or clobbered buffer
// is off by whole units.
void require_equal(const tf::Tensor& got, const tf::Tensor& want, const std::string& what) {
  INFO(what);
  REQUIRE(got.dtype() == want.dtype());
  REQUIRE(got.shape() == want.shape());
  if (got.dtype() != tf::float32) {  // integers and bools: exactly
    REQUIRE(std::memcmp(got.raw(), want.raw(), got.num_bytes()) == 0);
    return;
  }
  auto g = got.data<float>();
  auto w = want.data<float>();
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    const bool ok = std::isnan(w[i])
                        ? std::isnan(g[i])
                        : !std::isnan(g[i]) && std::fabs(g[i] - w[i]) <= 1e-4f * (1.f + std::fabs(w[i]));
    if (!ok && bad++ == 0) first = i;
  }
  INFO("first mismatch at " << first << ": got " << (bad ? g[first] : 0.f) << ", want "
                            << (bad ? w[first] : 0.f));
  REQUIRE(bad == 0);
}

void initialize(tf::Session& s) { s.run(tf::global_variables_initializer()); }

void run_case(const Case& c) {
  tf::Graph g;
  auto guard = g.as_default();
  tf::set_random_seed(1234);
  const Built b = c.build();

  // Feeds and variable values for every run, made once so every mode sees the same.
  std::mt19937 rng(99);
  std::vector<std::vector<tf::Tensor>> feed_values(kRuns);
  std::vector<std::vector<tf::Tensor>> var_values(kRuns);  // empty: unchanged
  for (int r = 0; r < kRuns; ++r) {
    for (const auto& f : b.feeds) {
      tf::Tensor t(f.dtype(), fed_shape(f, r));
      fill_random(t, rng, c.with_nans);
      feed_values[r].push_back(t);
    }
    if (step_of(r) == Step::NewBuffersAndAssign) {
      for (const auto& v : b.variables) {
        tf::Tensor t(v.dtype(), v.shape());
        fill_random(t, rng, false);
        var_values[r].push_back(t);
      }
    }
  }
  auto apply_assigns = [&](tf::Session& s, int from, int upto) {
    for (int r = from; r <= upto; ++r) {
      for (size_t i = 0; i < var_values[r].size(); ++i)
        s.assign_variable(b.variables[i].op(), var_values[r][i]);
    }
  };
  auto feed_dict = [&](const std::vector<tf::Tensor>& values) {
    tf::FeedDict d;
    for (size_t i = 0; i < b.feeds.size(); ++i) d.emplace_back(b.feeds[i], values[i].clone());
    return d;
  };

  // The reference: plain options; a new session per run unless the case is stateful.
  std::vector<std::vector<tf::Tensor>> want(kRuns);
  {
    tf::Session stepped(g, kPlain);
    initialize(stepped);
    for (int r = 0; r < kRuns; ++r) {
      if (c.stateful) {
        apply_assigns(stepped, r, r);
        want[r] = stepped.run(b.fetches, feed_dict(feed_values[r]), b.targets);
      } else {
        tf::Session fresh(g, kPlain);
        initialize(fresh);
        apply_assigns(fresh, 0, r);
        want[r] = fresh.run(b.fetches, feed_dict(feed_values[r]), b.targets);
      }
    }
  }

  for (bool fuse : {false, true}) {
    for (bool arena : {false, true}) {
      for (auto branches : {tf::Branches::Serial, tf::Branches::Parallel}) {
        for (int threads : {1, 2}) {
          const Mode mode{fuse, arena, branches, threads};
          tf::Session s(g, mode.options());
          initialize(s);
          std::vector<GuardedFeed> feeds;
          for (int r = 0; r < kRuns; ++r) {
            const Step step = step_of(r);
            apply_assigns(s, r, r);
            const bool same_shapes = !feeds.empty() && [&] {
              for (size_t i = 0; i < feeds.size(); ++i)
                if (feeds[i].tensor.shape() != feed_values[r][i].shape()) return false;
              return true;
            }();
            if (step != Step::MutateInPlace || !same_shapes) {
              feeds.clear();
              for (const auto& v : feed_values[r]) feeds.emplace_back(v.dtype(), v.shape());
            }
            tf::FeedDict d;
            for (size_t i = 0; i < feeds.size(); ++i) {
              std::memcpy(feeds[i].tensor.raw(), feed_values[r][i].raw(), feeds[i].bytes);
              d.emplace_back(b.feeds[i], feeds[i].tensor);
            }
            const auto got = s.run(b.fetches, d, b.targets);
            const std::string where = c.name + ", " + mode.describe() + ", run " + std::to_string(r);
            REQUIRE(got.size() == want[r].size());
            for (size_t i = 0; i < got.size(); ++i) {
              require_equal(got[i], want[r][i], where + ", fetch " + b.fetches[i].name());
            }
            for (size_t i = 0; i < feeds.size(); ++i) {
              INFO(where << ": feed " << b.feeds[i].name() << " was written to");
              REQUIRE(feeds[i].guards_intact());
              REQUIRE(std::memcmp(feeds[i].tensor.raw(), feed_values[r][i].raw(), feeds[i].bytes) == 0);
            }
          }
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("mode matrix: every case equals a plain run in every mode, run after run") {
  for (const Case& c : cases()) {
    SECTION(c.name) { run_case(c); }
  }
}

TEST_CASE("mode matrix: every registered op type has a case") {
  std::set<std::string> covered;
  for (const Case& c : cases()) {
    tf::Graph g;
    auto guard = g.as_default();
    c.build();
    for (const auto& op : g.operations()) covered.insert(op.type());
  }
  for (const std::string& type : tf::registered_op_types()) {
    if (type.starts_with('_'))
      continue;  // internal ops (_FusedConv2D) come from rewrites: the fusion modes run them
    INFO("op type " << type << " has no entry in the mode matrix (tests/session/mode_matrix_test.cpp)");
    CHECK(covered.count(type) == 1);
  }
}

TEST_CASE("the trust issue's two graphs give the right numbers on every run") {
  SECTION("computed filter: 72, 144, 216, 288") {
    FreshGraph fg;
    auto x = tf::placeholder(tf::float32, {1, 4, 4, 8}, "x");
    auto w = tf::get_variable("w", {3, 3, 8, 16}, tf::constant_initializer(1.f));
    auto shift = tf::placeholder(tf::float32, {}, "shift");
    auto y = tf::conv2d(x, w + shift, {1, 1, 1, 1}, "VALID");
    tf::Session s;
    s.run(tf::global_variables_initializer());
    tf::Tensor ones(tf::float32, {1, 4, 4, 8});
    for (float& v : ones.data<float>()) v = 1.f;
    for (int k = 0; k < 4; ++k) {
      const auto out = s.run(y, {{x, ones}, {shift, tf::Tensor::from<float>({}, {float(k)})}});
      CHECK(out.data<float>()[0] == 72.f * float(k + 1));
    }
  }
  SECTION("alias: 4 on every run") {
    FreshGraph fg;
    auto x = tf::placeholder(tf::float32, {64}, "x");
    auto a = tf::identity(tf::relu(x));
    auto b = tf::relu(x + 1.f);
    auto c = tf::relu(b + 2.f);
    auto d = a + c;
    tf::Session s;
    tf::Tensor half(tf::float32, {64});
    for (float& v : half.data<float>()) v = 0.5f;
    for (int k = 0; k < 4; ++k) CHECK(s.run(d, {{x, half}}).data<float>()[0] == 4.f);
  }
}
