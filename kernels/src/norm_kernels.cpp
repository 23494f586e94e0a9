// Normalizations: LRN (across channels, NHWC) and FusedBatchNormV3 for
// inference through oneDNN; batch normalization's training forward and its
// gradient as loops with double sums.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels_internal.h"
#include "onednn.h"

namespace minitf::kernels {
namespace {

using onednn::memory;
using onednn::Tag;

memory::desc nhwc(const Shape& x) { return onednn::f32({x.dim(0), x.dim(3), x.dim(1), x.dim(2)}, Tag::nhwc); }

// TF's LRN: out = in / (bias + alpha * sum(in^2 over channels d - r .. d + r))^beta.
// oneDNN divides alpha by the window's size, so it gets alpha * size; a
// radius past the last channel sums the same channels as one that ends there.
class LrnKernel final : public onednn::PrimitiveKernel {
 public:
  explicit LrnKernel(const NodeInfo& node)
      : PrimitiveKernel(node),
        radius_(node.attr<int64_t>("depth_radius")),
        bias_(node.attr<float>("bias")),
        alpha_(node.attr<float>("alpha")),
        beta_(node.attr<float>("beta")) {}

 private:
  dnnl::primitive_desc describe(const std::vector<Shape>& in) const override {
    const Shape& x = in[0];
    const int64_t radius = std::min(radius_, x.dim(3) - 1);
    const int64_t size = 2 * radius + 1;
    const float alpha = static_cast<float>(static_cast<double>(alpha_) * static_cast<double>(size));
    dnnl::lrn_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::lrn_across_channels,
                              nhwc(x), size, alpha, beta_, bias_);
    return dnnl::lrn_forward::primitive_desc(d, onednn::default_attr(), onednn::engine());
  }

  void bind(const dnnl::primitive_desc& pd, const KernelContext& ctx,
            std::unordered_map<int, memory>& args) const override {
    args.emplace(DNNL_ARG_SRC, onednn::wrap(pd.src_desc(), ctx.input(0).raw()));
    args.emplace(DNNL_ARG_DST, onednn::wrap(pd.dst_desc(), ctx.output(0).raw()));
  }

  int64_t radius_;
  float bias_, alpha_, beta_;
};

// Per-channel sums over the rows of an NHWC tensor seen as [rows, C], in double.
struct ChannelStats {
  std::vector<double> mean, variance;  // variance: the biased one (divided by rows)
};

ChannelStats channel_stats(const float* x, int64_t rows, int64_t c) {
  ChannelStats s{std::vector<double>(static_cast<size_t>(c), 0.0),
                 std::vector<double>(static_cast<size_t>(c), 0.0)};
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t k = 0; k < c; ++k) s.mean[static_cast<size_t>(k)] += x[r * c + k];
  }
  for (double& m : s.mean) m /= static_cast<double>(std::max<int64_t>(rows, 1));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t k = 0; k < c; ++k) {
      const double d = x[r * c + k] - s.mean[static_cast<size_t>(k)];
      s.variance[static_cast<size_t>(k)] += d * d;
    }
  }
  for (double& v : s.variance) v /= static_cast<double>(std::max<int64_t>(rows, 1));
  return s;
}

// FusedBatchNormV3 with is_training=true, as TF's CPU kernel: y normalized
// with the batch's mean and biased variance; batch_mean and batch_variance
// (Bessel-corrected, rows / (rows - 1)) blended into the given estimates by
// exponential_avg_factor (1: the batch's own); reserve spaces 1 and 2 the
// batch's mean and biased variance, for FusedBatchNormGradV3.
void batch_norm_training(const NodeInfo& node, KernelContext& ctx) {
  const float epsilon = node.attr<float>("epsilon");
  const double factor = node.attr<float>("exponential_avg_factor");
  const Tensor& x = ctx.input(0);
  const int64_t c = x.shape().dim(3);
  const int64_t rows = c == 0 ? 0 : x.num_elements() / c;
  const ChannelStats s = channel_stats(x.data<float>().data(), rows, c);
  const float* scale = ctx.input(1).data<float>().data();
  const float* offset = ctx.input(2).data<float>().data();
  Tensor& y = ctx.allocate_output(0);
  std::vector<float> mul(static_cast<size_t>(c)), add(static_cast<size_t>(c));
  for (int64_t k = 0; k < c; ++k) {
    const size_t i = static_cast<size_t>(k);
    const double inv = 1.0 / std::sqrt(s.variance[i] + static_cast<double>(epsilon));
    mul[i] = static_cast<float>(scale[k] * inv);
    add[i] = static_cast<float>(offset[k] - s.mean[i] * scale[k] * inv);
  }
  const float* in = x.data<float>().data();
  float* out = y.data<float>().data();
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t k = 0; k < c; ++k)
      out[r * c + k] = in[r * c + k] * mul[static_cast<size_t>(k)] + add[static_cast<size_t>(k)];
  }
  const double bessel = rows > 1 ? static_cast<double>(rows) / static_cast<double>(rows - 1) : 1.0;
  const Tensor& old_mean = ctx.input(3);
  const Tensor& old_variance = ctx.input(4);
  float* batch_mean = ctx.allocate_output(1).data<float>().data();
  float* batch_variance = ctx.allocate_output(2).data<float>().data();
  float* saved_mean = ctx.allocate_output(3).data<float>().data();
  float* saved_variance = ctx.allocate_output(4).data<float>().data();
  for (int64_t k = 0; k < c; ++k) {
    const size_t i = static_cast<size_t>(k);
    double m = s.mean[i], v = s.variance[i] * bessel;
    if (factor != 1.0) {
      m = (1 - factor) * old_mean.data<float>()[i] + factor * m;
      v = (1 - factor) * old_variance.data<float>()[i] + factor * v;
    }
    batch_mean[k] = static_cast<float>(m);
    batch_variance[k] = static_cast<float>(v);
    saved_mean[k] = static_cast<float>(s.mean[i]);
    saved_variance[k] = static_cast<float>(s.variance[i]);
  }
  ctx.allocate_output(5).data<float>()[0] = 0.f;
}

// FusedBatchNormGradV3(y_backprop, x, scale, reserve_space_1, reserve_space_2,
// reserve_space_3): with the mean and variance the forward op used (the
// batch's when training, the given ones for inference), xhat = (x - mean) *
// rsqrt(variance + epsilon); offset_backprop = sum(dy), scale_backprop =
// sum(dy * xhat); x_backprop = scale * rsqrt(variance + epsilon) * (dy -
// (offset_backprop + xhat * scale_backprop) / rows) when training (the batch
// statistics depend on x), else scale * rsqrt(variance + epsilon) * dy.
void batch_norm_grad(const NodeInfo& node, KernelContext& ctx) {
  const float epsilon = node.attr<float>("epsilon");
  const bool training = node.attr<bool>("is_training");
  const Tensor& dy_t = ctx.input(0);
  const Tensor& x_t = ctx.input(1);
  const int64_t c = x_t.shape().dim(3);
  const int64_t rows = c == 0 ? 0 : x_t.num_elements() / c;
  const float* dy = dy_t.data<float>().data();
  const float* x = x_t.data<float>().data();
  const float* scale = ctx.input(2).data<float>().data();
  const float* mean = ctx.input(3).data<float>().data();
  const float* variance = ctx.input(4).data<float>().data();
  std::vector<double> inv(static_cast<size_t>(c)), sum_dy(static_cast<size_t>(c), 0.0),
      sum_dy_xhat(static_cast<size_t>(c), 0.0);
  for (int64_t k = 0; k < c; ++k)
    inv[static_cast<size_t>(k)] = 1.0 / std::sqrt(double{variance[k]} + epsilon);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t k = 0; k < c; ++k) {
      const size_t i = static_cast<size_t>(k);
      const double g = dy[r * c + k];
      sum_dy[i] += g;
      sum_dy_xhat[i] += g * (x[r * c + k] - mean[k]) * inv[i];
    }
  }
  float* dx = ctx.allocate_output(0).data<float>().data();
  const double n = static_cast<double>(std::max<int64_t>(rows, 1));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t k = 0; k < c; ++k) {
      const size_t i = static_cast<size_t>(k);
      const double g = dy[r * c + k];
      if (training) {
        const double xhat = (x[r * c + k] - mean[k]) * inv[i];
        dx[r * c + k] = static_cast<float>(scale[k] * inv[i] * (g - (sum_dy[i] + xhat * sum_dy_xhat[i]) / n));
      } else {
        dx[r * c + k] = static_cast<float>(scale[k] * inv[i] * g);
      }
    }
  }
  float* dscale = ctx.allocate_output(1).data<float>().data();
  float* doffset = ctx.allocate_output(2).data<float>().data();
  for (int64_t k = 0; k < c; ++k) {
    dscale[k] = static_cast<float>(sum_dy_xhat[static_cast<size_t>(k)]);
    doffset[k] = static_cast<float>(sum_dy[static_cast<size_t>(k)]);
  }
  ctx.allocate_output(3);
  ctx.allocate_output(4);
}

// FusedBatchNormV3 with is_training=false: y = (x - mean) / sqrt(variance +
// epsilon) * scale + offset through oneDNN. As TF's CPU kernel, batch_mean
// and reserve_space_1 are the mean given, batch_variance and reserve_space_2
// the variance, reserve_space_3 a zero. Training runs batch_norm_training.
class BatchNormKernel final : public onednn::PrimitiveKernel {
 public:
  explicit BatchNormKernel(const NodeInfo& node)
      : PrimitiveKernel(node),
        epsilon_(node.attr<float>("epsilon")),
        training_(node.attr<bool>("is_training")) {}

  void prepare(const PrepareContext& ctx) override {
    if (!training_) PrimitiveKernel::prepare(ctx);
  }

  void compute(KernelContext& ctx) override {
    if (training_) {
      batch_norm_training(node(), ctx);
      return;
    }
    for (size_t i = 1; i <= 4; ++i) {
      const Tensor& from = ctx.input(i <= 2 ? i + 2 : i);  // mean, variance, mean, variance
      Tensor& to = ctx.allocate_output(i);
      if (to.num_bytes() > 0) std::memcpy(to.raw(), from.raw(), to.num_bytes());
    }
    ctx.allocate_output(5).data<float>()[0] = 0.f;
    if (ctx.input(0).num_elements() == 0) {
      ctx.allocate_output(0);
      return;
    }
    PrimitiveKernel::compute(ctx);
  }

 private:
  dnnl::primitive_desc describe(const std::vector<Shape>& in) const override {
    const auto flags = dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
                       dnnl::normalization_flags::use_shift;
    dnnl::batch_normalization_forward::desc d(dnnl::prop_kind::forward_inference, nhwc(in[0]), epsilon_,
                                              flags);
    return dnnl::batch_normalization_forward::primitive_desc(d, onednn::default_attr(), onednn::engine());
  }

  void bind(const dnnl::primitive_desc& pd, const KernelContext& ctx,
            std::unordered_map<int, memory>& args) const override {
    const memory::desc vec = onednn::f32({ctx.input(0).shape().dim(3)}, Tag::a);
    args.emplace(DNNL_ARG_SRC, onednn::wrap(pd.src_desc(), ctx.input(0).raw()));
    args.emplace(DNNL_ARG_SCALE, onednn::wrap(vec, ctx.input(1).raw()));
    args.emplace(DNNL_ARG_SHIFT, onednn::wrap(vec, ctx.input(2).raw()));
    args.emplace(DNNL_ARG_MEAN, onednn::wrap(vec, ctx.input(3).raw()));
    args.emplace(DNNL_ARG_VARIANCE, onednn::wrap(vec, ctx.input(4).raw()));
    args.emplace(DNNL_ARG_DST, onednn::wrap(pd.dst_desc(), ctx.output(0).raw()));
  }

  float epsilon_;
  bool training_;
};

}  // namespace

void register_norm_kernels(KernelRegistry& r) {
  r.add("LRN", [](const NodeInfo& n) { return std::make_unique<LrnKernel>(n); });
  r.add("FusedBatchNormV3", [](const NodeInfo& n) { return std::make_unique<BatchNormKernel>(n); });
  r.add("FusedBatchNormGradV3",
        simple_kernel([](const OpKernel& k, KernelContext& ctx) { batch_norm_grad(k.node(), ctx); }));
}

}  // namespace minitf::kernels
