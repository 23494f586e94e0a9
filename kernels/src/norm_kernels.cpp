// Normalizations through oneDNN: LRN (across channels, NHWC) and
// FusedBatchNormV3 for inference (the given mean and variance).
#include <algorithm>
#include <cstring>

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

// FusedBatchNormV3 with is_training=false (the shape function refuses
// training): y = (x - mean) / sqrt(variance + epsilon) * scale + offset. As
// TF's CPU kernel, batch_mean and reserve_space_1 are the mean given,
// batch_variance and reserve_space_2 the variance, reserve_space_3 a zero.
class BatchNormKernel final : public onednn::PrimitiveKernel {
 public:
  explicit BatchNormKernel(const NodeInfo& node)
      : PrimitiveKernel(node), epsilon_(node.attr<float>("epsilon")) {}

  void compute(KernelContext& ctx) override {
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
};

}  // namespace

void register_norm_kernels(KernelRegistry& r) {
  r.add("LRN", [](const NodeInfo& n) { return std::make_unique<LrnKernel>(n); });
  r.add("FusedBatchNormV3", [](const NodeInfo& n) { return std::make_unique<BatchNormKernel>(n); });
}

}  // namespace minitf::kernels
