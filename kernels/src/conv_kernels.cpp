// Convolutions through oneDNN: Conv2D, DepthwiseConv2dNative (a grouped
// convolution, one group per input channel) and their fused forms (the
// gradients are in conv_grad_kernels.cpp). NHWC activations and
// filters as TF stores them, one primitive per input shape and thread count
// (created when the plan is prepared, executed many times), constant weights
// reordered into the primitive's layout once per value, bias inside the
// primitive (a fused batch norm folded into the filter and that bias, once
// per value of constant parameters), and Relu or Relu6 applied by the same
// kernel when fused_ops asks.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <vector>

#include "conv_common.h"
#include "eigen_device.h"
#include "kernels_internal.h"
#include "onednn.h"

namespace minitf::kernels {
namespace {

using conv::any_weights;
using conv::ConvGeometry;
using conv::user_weights;
using conv::weights_in;
using onednn::memory;
using onednn::Tag;

// Relu6 as TF's CPU kernel computes it (NaN stays NaN), as the Relu6 kernel does.
void relu6_into(const KernelContext& ctx, Tensor& out) {
  const Tensor& in = out;
  evaluate(ctx, flat(out), flat(in).cwiseMax(0.f).cwiseMin(6.f));
}

// A filter and bias with an inference batch norm folded in (fused_ops
// {"FusedBatchNorm", ...}): with f[c] = scale[c] / sqrt(variance[c] + epsilon),
// filter'[..., c] = filter[..., c] * f[c] and bias[c] = offset[c] - mean[c] * f[c],
// so conv(x, filter') + bias is the batch norm of conv(x, filter). The last
// dimension of a depthwise filter [kh, kw, C, M], flattened, is output
// channel c * M + m as well. Computed in double, rounded once.
struct Folded {
  Tensor filter, bias;
};

Folded fold_batch_norm(const Tensor& w, const Tensor& scale, const Tensor& offset, const Tensor& mean,
                       const Tensor& variance, float epsilon) {
  const auto channels = static_cast<size_t>(scale.num_elements());
  std::vector<double> factor(channels);
  Folded folded{Tensor(float32, w.shape()), Tensor(float32, Shape{static_cast<int64_t>(channels)})};
  auto s = scale.data<float>(), o = offset.data<float>(), m = mean.data<float>(), v = variance.data<float>();
  auto b = folded.bias.data<float>();
  for (size_t c = 0; c < channels; ++c) {
    // variance + epsilon rounded to float first, as the batch norm kernel
    // computes it: a negative sum gives NaN in both.
    factor[c] = double(s[c]) / std::sqrt(double(v[c] + epsilon));
    b[c] = static_cast<float>(double(o[c]) - double(m[c]) * factor[c]);
  }
  auto in = w.data<float>();
  auto out = folded.filter.data<float>();
  for (size_t i = 0; i < in.size(); ++i) out[i] = static_cast<float>(double(in[i]) * factor[i % channels]);
  return folded;
}

// The folded filter and bias of constant inputs, made once per value: an
// assign or restore gives a variable a new buffer, which refolds (and the
// WeightCache, seeing a new folded buffer, reorders again). Thread-safe.
class FoldCache {
 public:
  Folded get(const std::vector<const Tensor*>& sources, float epsilon) {
    std::lock_guard lock(mu_);
    bool same = sources_.size() == sources.size();
    for (size_t i = 0; same && i < sources.size(); ++i) same = sources_[i].shares_buffer_with(*sources[i]);
    if (!same) {
      folded_ = fold_batch_norm(*sources[0], *sources[1], *sources[2], *sources[3], *sources[4], epsilon);
      sources_.clear();
      for (const Tensor* t : sources) sources_.push_back(*t);  // holding them keeps their identity
    }
    return folded_;
  }

 private:
  std::mutex mu_;
  std::vector<Tensor> sources_;
  Folded folded_;
};

enum class Activation { kNone, kRelu, kRelu6 };
const char* activation_name(Activation a) {
  return a == Activation::kRelu ? "Relu" : a == Activation::kRelu6 ? "Relu6" : "none";
}

class ConvKernel final : public OpKernel {
 public:
  ConvKernel(const NodeInfo& node, bool depthwise) : OpKernel(node), geometry_(node), depthwise_(depthwise) {
    if (node.attrs.count("fused_ops")) {
      for (const std::string& f : node.attr<std::vector<std::string>>("fused_ops")) {
        with_bias_ = with_bias_ || f == "BiasAdd" || f == "FusedBatchNorm";
        batch_norm_ = batch_norm_ || f == "FusedBatchNorm";
        if (f == "Relu") activation_ = Activation::kRelu;
        if (f == "Relu6") activation_ = Activation::kRelu6;
      }
      if (batch_norm_) epsilon_ = node.attr<float>("epsilon");
    }
  }

  void set_constant_inputs(const std::vector<bool>& constant) override {
    filter_constant_ = constant.size() > 1 && constant[1];
    // The batch norm's scale, offset, mean and variance (args 2..5) too, to fold once.
    folded_constant_ = filter_constant_ && batch_norm_ && constant.size() > 5 &&
                       std::all_of(constant.begin() + 2, constant.begin() + 6, [](bool b) { return b; });
  }

  void prepare(const PrepareContext& ctx) override {
    const Shape& xs = ctx.inputs[0].second;
    const Shape& ws = ctx.inputs[1].second;
    if (!xs.fully_defined() || !ws.fully_defined() || ctx.outputs[0].second.num_elements() == 0) return;
    if (xs.num_elements() == 0 || ws.num_elements() == 0) return;
    for (int threads : ctx.thread_counts) primitive(xs, ws, threads, ctx.device);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& out = ctx.allocate_output(0);
    if (out.num_elements() == 0) return;
    // Shapes the plan could not know (computed ones) are checked here, never read past.
    const Shape& xs = x.shape();
    const Shape& fs = ctx.input(1).shape();
    if (xs.rank() != 4 || fs.rank() != 4 || xs.dim(3) != fs.dim(2)) {
      throw InvalidArgumentError(what() + ": input depth must equal the filter's, got input " +
                                 xs.to_string() + " and filter " + fs.to_string());
    }
    if (with_bias_ && !batch_norm_ && ctx.input(2).shape() != Shape{out.shape().dim(3)}) {
      throw InvalidArgumentError(what() + ": the bias must be of shape " +
                                 Shape{out.shape().dim(3)}.to_string() + ", got " +
                                 ctx.input(2).shape().to_string());
    }
    // With a batch norm, the filter and bias it folds into (cached when all five are constant).
    Folded folded;
    if (batch_norm_) {
      const std::vector<const Tensor*> sources{&ctx.input(1), &ctx.input(2), &ctx.input(3), &ctx.input(4),
                                               &ctx.input(5)};
      for (size_t i = 1; i < sources.size(); ++i) {
        if (sources[i]->shape() != Shape{out.shape().dim(3)}) {
          // A shape the plan could not know (computed): checked here, not read past.
          throw InvalidArgumentError(what() + ": the batch norm's " +
                                     std::vector<std::string>{"scale", "offset", "mean", "variance"}[i - 1] +
                                     " must be of shape " + Shape{out.shape().dim(3)}.to_string() + ", got " +
                                     sources[i]->shape().to_string());
        }
      }
      folded = folded_constant_ ? folds_.get(sources, epsilon_)
                                : fold_batch_norm(*sources[0], *sources[1], *sources[2], *sources[3],
                                                  *sources[4], epsilon_);
    }
    const Tensor& w = batch_norm_ ? folded.filter : ctx.input(1);
    const Tensor* bias = batch_norm_ ? &folded.bias : with_bias_ ? &ctx.input(2) : nullptr;
    if (x.num_elements() == 0 || w.num_elements() == 0) {
      // A sum over no input channels: zeros (then the bias), as TF gives. oneDNN is not asked.
      auto o = out.data<float>();
      std::fill(o.begin(), o.end(), 0.f);
      if (bias) {
        auto b = bias->data<float>();
        for (size_t i = 0; i < o.size(); ++i) o[i] = b[i % b.size()];
      }
    } else {
      const auto describe = [&] {
        return what() + " with input shapes " + x.shape().to_string() + ", " + w.shape().to_string();
      };
      onednn::guarded(describe, [&] {
        // oneDNN fixes a primitive's thread count when it is created, so the
        // primitive is made (and cached) for the threads this call may use.
        onednn::set_team_size(ctx.num_threads);
        const std::shared_ptr<Primitive> p = primitive(x.shape(), w.shape(), ctx.num_threads, ctx.device);
        std::unordered_map<int, memory> args{
            {DNNL_ARG_SRC, onednn::wrap(p->src_md, x.raw())},
            {DNNL_ARG_WEIGHTS, weights_in(p->user_weights_md, p->pd.weights_desc(), w,
                                          batch_norm_ ? folded_constant_ : filter_constant_, weights_)},
            {DNNL_ARG_DST, onednn::wrap(p->dst_md, out.raw())}};
        if (bias) args.emplace(DNNL_ARG_BIAS, onednn::wrap(p->bias_md, bias->raw()));
        onednn::execute(p->prim, p->pd, args);
      });
    }
    if (activation_ == Activation::kRelu) relu_into(ctx, out, out);
    if (activation_ == Activation::kRelu6) relu6_into(ctx, out);
  }

 private:
  struct Primitive {
    memory::desc src_md, user_weights_md, dst_md, bias_md;
    dnnl::convolution_forward::primitive_desc pd;
    dnnl::convolution_forward prim;
  };

  std::shared_ptr<Primitive> primitive(const Shape& xs, const Shape& ws, int threads,
                                       const CpuDevice& device) {
    std::vector<int64_t> key = xs.dims();
    key.insert(key.end(), ws.dims().begin(), ws.dims().end());
    key.push_back(threads);
    return cache_.get(key, device.max_conv_primitives(), [&] { return make(xs, ws, threads); });
  }

  Primitive make(const Shape& xs, const Shape& ws, int threads) const {
    const auto describe = [&] {
      return what() + " with input shapes " + xs.to_string() + ", " + ws.to_string();
    };
    return onednn::guarded(describe, [&] {
      onednn::set_team_size(threads);
      const ConvDim h = geometry_.dim(xs.dim(1), ws.dim(0), true, what());
      const ConvDim w = geometry_.dim(xs.dim(2), ws.dim(1), false, what());
      const int64_t out_channels = depthwise_ ? ws.dim(2) * ws.dim(3) : ws.dim(3);
      const memory::desc src_md = onednn::f32({xs.dim(0), xs.dim(3), xs.dim(1), xs.dim(2)}, Tag::nhwc);
      const memory::desc dst_md = onednn::f32({xs.dim(0), out_channels, h.out, w.out}, Tag::nhwc);
      const memory::desc bias_md = onednn::f32({out_channels}, Tag::a);
      const memory::desc any_w_md = any_weights(ws, depthwise_);
      const memory::dims pad_l{h.pad_before, w.pad_before}, pad_r{h.pad_after, w.pad_after};
      using Conv = dnnl::convolution_forward;
      const auto kind = dnnl::prop_kind::forward_inference;
      const auto algo = dnnl::algorithm::convolution_direct;
      const memory::dims strides = geometry_.strides(), dilates = geometry_.dilates();
      auto desc =
          with_bias_
              ? Conv::desc(kind, algo, src_md, any_w_md, bias_md, dst_md, strides, dilates, pad_l, pad_r)
              : Conv::desc(kind, algo, src_md, any_w_md, dst_md, strides, dilates, pad_l, pad_r);
      // Relu and Relu6 are not oneDNN post-ops: oneDNN's relu and clip turn
      // NaN into 0 where TF gives NaN, and a result must not depend on
      // whether fusion is on.
      Conv::primitive_desc pd(desc, onednn::default_attr(), onednn::engine());
      spdlog::debug("{}: oneDNN {}conv {} -> [{},{},{},{}] (bias {}, activation {}, {} threads) uses {}",
                    node().name, depthwise_ ? "depthwise " : "", xs.to_string(), xs.dim(0), h.out, w.out,
                    out_channels, with_bias_, activation_name(activation_), threads, pd.impl_info_str());
      return Primitive{src_md, user_weights(ws, depthwise_), dst_md, bias_md, pd, Conv(pd)};
    });
  }

  ConvGeometry geometry_;
  bool depthwise_ = false;
  bool with_bias_ = false;   // the primitive adds a bias: BiasAdd's arg, or a folded batch norm's
  bool batch_norm_ = false;  // fused_ops has FusedBatchNorm: args are scale, offset, mean, variance
  float epsilon_ = 0.f;
  Activation activation_ = Activation::kNone;
  bool filter_constant_ = false;  // until the plan says otherwise, reorder every run
  bool folded_constant_ = false;  // the filter and the batch norm's four args: fold once per value
  onednn::PrimitiveCache<Primitive> cache_;
  onednn::WeightCache weights_;
  FoldCache folds_;
};

}  // namespace

void register_conv_kernels(KernelRegistry& r) {
  const KernelFactory conv = [](const NodeInfo& node) { return std::make_unique<ConvKernel>(node, false); };
  const KernelFactory depthwise = [](const NodeInfo& node) {
    return std::make_unique<ConvKernel>(node, true);
  };
  r.add("Conv2D", conv);
  r.add("_FusedConv2D", conv);
  r.add("DepthwiseConv2dNative", depthwise);
  r.add("_FusedDepthwiseConv2dNative", depthwise);
}

}  // namespace minitf::kernels
