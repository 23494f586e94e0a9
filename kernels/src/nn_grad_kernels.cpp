// The backward kernels of tf.nn that are not convolutions: activation
// gradients (one Eigen expression each, TF's CPU functors, so NaN goes where
// TF's goes), BiasAddGrad, MaxPoolGrad and AvgPoolGrad (loops with TF's
// rules) and the two softmax cross entropies. Each takes its output's shape
// from its inputs as they are when it runs, so a value whose shape the plan
// could not know (a gradient of a computed shape) passes through.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "eigen_device.h"
#include "kernels_internal.h"

namespace minitf::kernels {
namespace {

// f(begin, end) over [0, n) items of about `work` elements each: on the
// session's pool when the whole is large and this call may use threads.
// Items never share an output element, so chunking never changes a result.
template <class F>
void parallel_items(const KernelContext& ctx, int64_t n, int64_t work, F f) {
  if (ctx.num_threads <= 1 || n <= 1 || n * work <= kInlineElements) {
    f(int64_t{0}, n);
    return;
  }
  ctx.device.impl().device.parallelFor(n, Eigen::TensorOpCost(0, 0, 4.0 * static_cast<double>(work)),
                                       [&f](Eigen::Index begin, Eigen::Index end) { f(begin, end); });
}

// An activation gradient: `expr` over two inputs of one shape (the plan
// checked them when it knew them; checked here when it did not).
template <class Expr>
KernelFactory grad_kernel(Expr expr) {
  return simple_kernel([expr](const OpKernel& k, KernelContext& ctx) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.shape() != b.shape()) {
      throw InvalidArgumentError(k.what() + ": inputs must have one shape, got " + a.shape().to_string() +
                                 " and " + b.shape().to_string());
    }
    evaluate(ctx, flat(ctx.allocate_output(0, float32, a.shape())), expr(flat(a), flat(b), k));
  });
}

// The sum over every axis but the last, in double: fixed blocks of rows in
// parallel, then the blocks in order, so every thread count gives one result.
void bias_add_grad(const OpKernel& k, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& xs = x.shape();
  if (xs.rank() < 2) {
    throw InvalidArgumentError(k.what() + ": out_backprop must be at least rank 2, got " + xs.to_string());
  }
  const int64_t c = xs.dim(xs.rank() - 1);
  Tensor& out = ctx.allocate_output(0, float32, Shape{c});
  const int64_t rows = c ? x.num_elements() / c : 0;
  constexpr int64_t kBlock = 256;
  const int64_t blocks = (rows + kBlock - 1) / kBlock;
  std::vector<double> partial(static_cast<size_t>(blocks * c), 0.0);
  const float* in = x.data<float>().data();
  parallel_items(ctx, blocks, kBlock * c, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      double* sum = partial.data() + b * c;
      for (int64_t r = b * kBlock; r < std::min(rows, (b + 1) * kBlock); ++r) {
        const float* row = in + r * c;
        for (int64_t j = 0; j < c; ++j) sum[j] += row[j];
      }
    }
  });
  float* o = out.data<float>().data();
  for (int64_t j = 0; j < c; ++j) {
    double sum = 0;
    for (int64_t b = 0; b < blocks; ++b) sum += partial[static_cast<size_t>(b * c + j)];
    o[j] = static_cast<float>(sum);
  }
}

// A pooling window's geometry over NHWC, with TF's SAME padding.
struct PoolWindow {
  int64_t kh = 1, kw = 1, sh = 1, sw = 1;
  Padding padding = Padding::Valid;

  explicit PoolWindow(const NodeInfo& node) {
    const auto& k = node.attr<std::vector<int64_t>>("ksize");
    const auto& s = node.attr<std::vector<int64_t>>("strides");
    kh = k.at(1);
    kw = k.at(2);
    sh = s.at(1);
    sw = s.at(2);
    padding = node.attr<std::string>("padding") == "SAME" ? Padding::Same : Padding::Valid;
  }
  // The pooled shape of `in`, and the leading pads; InvalidArgumentError naming `what` when it does not fit.
  Shape pooled(const Shape& in, int64_t* pad_top, int64_t* pad_left, const std::string& what) const {
    if (in.rank() != 4)
      throw InvalidArgumentError(what + ": the input must be of rank 4, got " + in.to_string());
    try {
      const ConvDim h = conv_dim(in.dim(1), kh, sh, padding, what);
      const ConvDim w = conv_dim(in.dim(2), kw, sw, padding, what);
      *pad_top = h.pad_before;
      *pad_left = w.pad_before;
      return Shape{in.dim(0), h.out, w.out, in.dim(3)};
    } catch (const ValueError& e) {
      throw InvalidArgumentError(e.what());
    }
  }
};

// MaxPoolGrad as TF's CPU kernel computes it: each window's gradient goes to
// the first element of orig_input (in row-major window order) that no later
// element exceeds, so NaN and ties go where TF's go; orig_output's values are
// not read (TF's CPU kernel recomputes the maxima too), only its shape checked.
class MaxPoolGradKernel final : public OpKernel {
 public:
  explicit MaxPoolGradKernel(const NodeInfo& node) : OpKernel(node), window_(node) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& g = ctx.input(2);
    int64_t pad_top = 0, pad_left = 0;
    const Shape pooled = window_.pooled(x.shape(), &pad_top, &pad_left, what());
    if (ctx.input(1).shape() != pooled || g.shape() != pooled) {
      throw InvalidArgumentError(what() + ": orig_output and grad must be of the pooled shape " +
                                 pooled.to_string() + " of orig_input " + x.shape().to_string() + ", got " +
                                 ctx.input(1).shape().to_string() + " and " + g.shape().to_string());
    }
    Tensor& out = ctx.allocate_output(0, float32, x.shape());
    const int64_t n = x.shape().dim(0), h = x.shape().dim(1), w = x.shape().dim(2), c = x.shape().dim(3);
    const int64_t oh = pooled.dim(1), ow = pooled.dim(2);
    if (out.num_elements() == 0) return;
    const float* in = x.data<float>().data();
    const float* grad = g.data<float>().data();
    float* o = out.data<float>().data();
    const Plane plane{h, w, c, oh, ow, pad_top, pad_left};
    parallel_items(ctx, n, oh * ow * c * window_.kh * window_.kw, [&](int64_t begin, int64_t end) {
      // Cell indices within an image as 32-bit ints when they fit: the
      // comparison loop then runs over lanes of one width.
      if (h * w <= std::numeric_limits<int32_t>::max()) {
        route<int32_t>(plane, begin, end, in, grad, o);
      } else {
        route<int64_t>(plane, begin, end, in, grad, o);
      }
    });
  }

 private:
  struct Plane {
    int64_t h, w, c, oh, ow, pad_top, pad_left;
  };

  // Images [begin, end): each window's gradient to its first maximal cell.
  template <class Index>
  void route(const Plane& p, int64_t begin, int64_t end, const float* in, const float* grad, float* o) const {
    const int64_t h = p.h, w = p.w, c = p.c;
    std::vector<float> best_v(static_cast<size_t>(c));
    std::vector<Index> at_v(static_cast<size_t>(c));
    float* best = best_v.data();
    Index* at = at_v.data();
    for (int64_t b = begin; b < end; ++b) {
      const float* image = in + b * h * w * c;
      float* dx = o + b * h * w * c;
      std::fill_n(dx, h * w * c, 0.f);
      for (int64_t i = 0; i < p.oh; ++i) {
        const int64_t h0 = i * window_.sh - p.pad_top;
        const int64_t hs = std::max<int64_t>(h0, 0), he = std::min(h0 + window_.kh, h);
        for (int64_t j = 0; j < p.ow; ++j) {
          const int64_t w0 = j * window_.sw - p.pad_left;
          const int64_t ws = std::max<int64_t>(w0, 0), we = std::min(w0 + window_.kw, w);
          if (hs >= he || ws >= we) continue;  // a window with no cell of the image
          // The first cell sets, a later one replaces only when strictly greater (TF's rule).
          std::copy_n(image + (hs * w + ws) * c, c, best);
          std::fill_n(at, c, static_cast<Index>(hs * w + ws));
          for (int64_t y = hs; y < he; ++y) {
            for (int64_t z = (y == hs ? ws + 1 : ws); z < we; ++z) {
              const float* px = image + (y * w + z) * c;
              const auto cell = static_cast<Index>(y * w + z);
              for (int64_t d = 0; d < c; ++d) {
                const bool greater = best[d] < px[d];
                best[d] = greater ? px[d] : best[d];
                at[d] = greater ? cell : at[d];
              }
            }
          }
          const float* gy = grad + ((b * p.oh + i) * p.ow + j) * c;
          for (int64_t d = 0; d < c; ++d) dx[static_cast<int64_t>(at[d]) * c + d] += gy[d];
        }
      }
    }
  }

  PoolWindow window_;
};

// AvgPoolGrad: each window's gradient spread evenly over the window's cells
// inside the image (the divisor the forward AvgPool uses, TF's rule).
class AvgPoolGradKernel final : public OpKernel {
 public:
  explicit AvgPoolGradKernel(const NodeInfo& node) : OpKernel(node), window_(node) {}

  void compute(KernelContext& ctx) override {
    const Tensor& g = ctx.input(1);
    std::vector<int64_t> v;
    for (int32_t s : ctx.input(0).data<int32_t>()) v.push_back(s);
    if (v.size() != 4 || std::any_of(v.begin(), v.end(), [](int64_t s) { return s < 0; })) {
      throw InvalidArgumentError(what() + ": orig_input_shape must be 4 non-negative sizes, got " +
                                 ctx.input(0).shape().to_string() + " values");
    }
    const Shape xs(v);
    int64_t pad_top = 0, pad_left = 0;
    const Shape pooled = window_.pooled(xs, &pad_top, &pad_left, what());
    if (g.shape() != pooled) {
      throw InvalidArgumentError(what() + ": grad must be of the pooled shape " + pooled.to_string() +
                                 " of orig_input_shape " + xs.to_string() + ", got " + g.shape().to_string());
    }
    Tensor& out = ctx.allocate_output(0, float32, xs);
    const int64_t n = v[0], h = v[1], w = v[2], c = v[3];
    const int64_t oh = pooled.dim(1), ow = pooled.dim(2);
    if (out.num_elements() == 0) return;
    const float* grad = g.data<float>().data();
    float* o = out.data<float>().data();
    parallel_items(ctx, n, oh * ow * c * window_.kh * window_.kw, [&](int64_t begin, int64_t end) {
      std::vector<float> share(static_cast<size_t>(c));
      for (int64_t b = begin; b < end; ++b) {
        float* dx = o + b * h * w * c;
        std::fill_n(dx, h * w * c, 0.f);
        for (int64_t i = 0; i < oh; ++i) {
          const int64_t h0 = i * window_.sh - pad_top;
          const int64_t hs = std::max<int64_t>(h0, 0), he = std::min(h0 + window_.kh, h);
          for (int64_t j = 0; j < ow; ++j) {
            const int64_t w0 = j * window_.sw - pad_left;
            const int64_t ws = std::max<int64_t>(w0, 0), we = std::min(w0 + window_.kw, w);
            if (hs >= he || ws >= we) continue;
            // TF multiplies by the float of 1 / count.
            const auto coeff = static_cast<float>(1.0 / static_cast<double>((he - hs) * (we - ws)));
            const float* gy = grad + ((b * oh + i) * ow + j) * c;
            for (int64_t d = 0; d < c; ++d) share[static_cast<size_t>(d)] = gy[d] * coeff;
            for (int64_t y = hs; y < he; ++y) {
              for (int64_t z = ws; z < we; ++z) {
                float* px = dx + (y * w + z) * c;
                for (int64_t d = 0; d < c; ++d) px[d] += share[static_cast<size_t>(d)];
              }
            }
          }
        }
      }
    });
  }

 private:
  PoolWindow window_;
};

// SoftmaxCrossEntropyWithLogits: per row, with logits shifted by their
// maximum (so large logits stay finite) and sums in double,
// loss = sum(labels * (log(sum(exp(shifted))) - shifted)) and
// backprop = softmax - labels. Rows and columns of size 1 broadcast, as TF's.
void softmax_xent(const OpKernel& k, KernelContext& ctx) {
  const Tensor& f = ctx.input(0);
  const Tensor& l = ctx.input(1);
  Shape both;
  try {
    both = broadcast_shapes(f.shape(), l.shape(), k.what());
  } catch (const ValueError& e) {
    throw InvalidArgumentError(e.what());
  }
  if (both.rank() != 2 || f.shape().rank() != 2 || l.shape().rank() != 2) {
    throw InvalidArgumentError(k.what() + ": logits and labels must be of rank 2 (or broadcast to it), got " +
                               f.shape().to_string() + " and " + l.shape().to_string());
  }
  const int64_t n = both.dim(0), c = both.dim(1);
  Tensor& loss = ctx.allocate_output(0, float32, Shape{n});
  Tensor& backprop = ctx.allocate_output(1, float32, both);
  // Strides of a row and a column of each input: 0 along a broadcast dimension.
  const auto strides = [&](const Shape& s) {
    return std::pair<int64_t, int64_t>{s.dim(0) == 1 && n != 1 ? 0 : s.dim(1),
                                       s.dim(1) == 1 && c != 1 ? 0 : 1};
  };
  const auto [fr, fc] = strides(f.shape());
  const auto [lr, lc] = strides(l.shape());
  const float* pf = f.data<float>().data();
  const float* pl = l.data<float>().data();
  float* ploss = loss.data<float>().data();
  float* pb = backprop.data<float>().data();
  parallel_items(ctx, n, c * 8, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float* fi = pf + i * fr;
      const float* li = pl + i * lr;
      float* bi = pb + i * c;
      float max = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < c; ++j) max = std::max(max, fi[j * fc]);
      double sum = 0;
      for (int64_t j = 0; j < c; ++j) sum += std::exp(double(fi[j * fc]) - double(max));
      const double log_sum = std::log(sum);
      double row_loss = 0;
      for (int64_t j = 0; j < c; ++j) {
        const double shifted = double(fi[j * fc]) - double(max);
        row_loss += double(li[j * lc]) * (log_sum - shifted);
        bi[j] = static_cast<float>(std::exp(shifted) / sum - double(li[j * lc]));
      }
      ploss[i] = static_cast<float>(row_loss);
    }
  });
}

// SparseSoftmaxCrossEntropyWithLogits: the same with a one-hot label per row;
// every label is checked before anything is computed.
template <class L>
void sparse_softmax_xent_rows(const OpKernel& k, KernelContext& ctx) {
  const Tensor& f = ctx.input(0);
  const Tensor& l = ctx.input(1);
  if (f.shape().rank() != 2 || l.shape().rank() != 1 || l.shape().dim(0) != f.shape().dim(0)) {
    throw InvalidArgumentError(k.what() + ": logits must be [batch, classes] and labels [batch], got " +
                               f.shape().to_string() + " and " + l.shape().to_string());
  }
  const int64_t n = f.shape().dim(0), c = f.shape().dim(1);
  const L* labels = l.data<L>().data();
  if (n > 0 && c == 0) {
    throw InvalidArgumentError(k.what() + ": Must have at least one class, but got logits shape " +
                               f.shape().to_string());
  }
  for (int64_t i = 0; i < n; ++i) {
    if (labels[i] < 0 || labels[i] >= c) {
      std::string values;
      for (int64_t j = 0; j < std::min<int64_t>(n, 32); ++j)
        values += (j ? " " : "") + std::to_string(labels[j]);
      if (n > 32) values += "...";
      throw InvalidArgumentError(k.what() + ": Received a label value of " + std::to_string(labels[i]) +
                                 " which is outside the valid range of [0, " + std::to_string(c) +
                                 ").  Label values: " + values);
    }
  }
  Tensor& loss = ctx.allocate_output(0, float32, Shape{n});
  Tensor& backprop = ctx.allocate_output(1, float32, f.shape());
  const float* pf = f.data<float>().data();
  float* ploss = loss.data<float>().data();
  float* pb = backprop.data<float>().data();
  parallel_items(ctx, n, c * 8, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float* fi = pf + i * c;
      float* bi = pb + i * c;
      const float max = *std::max_element(fi, fi + c);
      double sum = 0;
      for (int64_t j = 0; j < c; ++j) sum += std::exp(double(fi[j]) - double(max));
      for (int64_t j = 0; j < c; ++j) bi[j] = static_cast<float>(std::exp(double(fi[j]) - double(max)) / sum);
      const auto label = static_cast<int64_t>(labels[i]);
      bi[label] -= 1.f;
      ploss[i] = static_cast<float>(std::log(sum) - (double(fi[label]) - double(max)));
    }
  });
}

void sparse_softmax_xent(const OpKernel& k, KernelContext& ctx) {
  if (ctx.input(1).dtype() == int64) {
    sparse_softmax_xent_rows<int64_t>(k, ctx);
  } else {
    sparse_softmax_xent_rows<int32_t>(k, ctx);
  }
}

}  // namespace

void register_nn_grad_kernels(KernelRegistry& r) {
  // TF's functors (core/kernels/relu_op_functor.h, cwise_ops_gradients.h), expression for expression.
  r.add("ReluGrad", grad_kernel([](const auto& g, const auto& f, const OpKernel&) {
          return g * (f > f.constant(0.f)).template cast<float>();
        }));
  r.add("Relu6Grad", grad_kernel([](const auto& g, const auto& f, const OpKernel&) {
          return g * ((f > f.constant(0.f)).template cast<float>() *
                      (f < f.constant(6.f)).template cast<float>());
        }));
  r.add("EluGrad", grad_kernel([](const auto& g, const auto& y, const OpKernel&) {
          return (y < y.constant(0.f)).select((y + y.constant(1.f)) * g, g);
        }));
  r.add("SeluGrad", grad_kernel([](const auto& g, const auto& y, const OpKernel&) {
          const float scale = 1.0507009873554804934193349852946f;
          const float scale_alpha = 1.7580993408473768599402175208123f;
          return (y < y.constant(0.f)).select(g * (y + y.constant(scale_alpha)), g * scale);
        }));
  r.add("SoftplusGrad", grad_kernel([](const auto& g, const auto& f, const OpKernel&) {
          return g / ((-f).exp() + f.constant(1.f));
        }));
  r.add("LeakyReluGrad", grad_kernel([](const auto& g, const auto& f, const OpKernel& k) {
          const float alpha = k.node().attr<float>("alpha");
          return (f > f.constant(0.f)).select(g, g * alpha);
        }));
  r.add("SigmoidGrad", grad_kernel([](const auto& y, const auto& dy, const OpKernel&) {
          return dy * y * (y.constant(1.f) - y);
        }));
  r.add("TanhGrad", grad_kernel([](const auto& y, const auto& dy, const OpKernel&) {
          return dy * (y.constant(1.f) - y * y);
        }));
  r.add("BiasAddGrad", simple_kernel(bias_add_grad));
  r.add("MaxPoolGrad", [](const NodeInfo& n) { return std::make_unique<MaxPoolGradKernel>(n); });
  r.add("AvgPoolGrad", [](const NodeInfo& n) { return std::make_unique<AvgPoolGradKernel>(n); });
  r.add("SoftmaxCrossEntropyWithLogits", simple_kernel(softmax_xent));
  r.add("SparseSoftmaxCrossEntropyWithLogits", simple_kernel(sparse_softmax_xent));
}

}  // namespace minitf::kernels
