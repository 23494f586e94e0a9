// Conv2D and _FusedConv2D through oneDNN: NHWC activations and HWIO filters
// as TF stores them, one primitive per input shape and thread count (created
// when the plan is prepared, executed many times), constant weights
// reordered into the primitive's layout once per value, bias inside the
// primitive, and Relu applied by the same kernel when fused_ops asks for it.
#include <spdlog/spdlog.h>

#include "eigen_device.h"
#include "kernels_internal.h"
#include "onednn.h"

namespace minitf::kernels {
namespace {

using onednn::memory;
using onednn::Tag;

class ConvKernel final : public OpKernel {
 public:
  explicit ConvKernel(const NodeInfo& node) : OpKernel(node) {
    const auto& strides = node.attr<std::vector<int64_t>>("strides");
    stride_h_ = strides.at(1);
    stride_w_ = strides.at(2);
    padding_ = node.attr<std::string>("padding") == "SAME" ? Padding::Same : Padding::Valid;
    if (node.attrs.count("fused_ops")) {
      for (const std::string& f : node.attr<std::vector<std::string>>("fused_ops")) {
        with_bias_ = with_bias_ || f == "BiasAdd";
        with_relu_ = with_relu_ || f == "Relu";
      }
    }
  }

  void set_constant_inputs(const std::vector<bool>& constant) override {
    filter_constant_ = constant.size() > 1 && constant[1];
  }

  void prepare(const PrepareContext& ctx) override {
    const Shape& xs = ctx.inputs[0].second;
    const Shape& ws = ctx.inputs[1].second;
    if (!xs.fully_defined() || !ws.fully_defined() || ctx.outputs[0].second.num_elements() == 0) return;
    for (int threads : ctx.thread_counts) primitive(xs, ws, threads, ctx.device);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    Tensor& out = ctx.allocate_output(0);
    if (out.num_elements() == 0) return;
    const auto describe = [&] {
      return what() + " with input shapes " + x.shape().to_string() + ", " + w.shape().to_string();
    };
    onednn::guarded(describe, [&] {
      // oneDNN fixes a primitive's thread count when it is created, so the
      // primitive is made (and cached) for the threads this call may use.
      onednn::set_team_size(ctx.num_threads);
      const std::shared_ptr<Primitive> p = primitive(x.shape(), w.shape(), ctx.num_threads, ctx.device);
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, onednn::wrap(p->src_md, x.raw())},
                                           {DNNL_ARG_WEIGHTS, weights_for(*p, w)},
                                           {DNNL_ARG_DST, onednn::wrap(p->dst_md, out.raw())}};
      if (with_bias_) args.emplace(DNNL_ARG_BIAS, onednn::wrap(p->bias_md, ctx.input(2).raw()));
      onednn::execute(p->prim, p->pd, args);
    });
    if (with_relu_) relu_into(ctx, out, out);
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
      const ConvDim h = conv_dim(xs.dim(1), ws.dim(0), stride_h_, padding_, what());
      const ConvDim w = conv_dim(xs.dim(2), ws.dim(1), stride_w_, padding_, what());
      const memory::desc src_md = onednn::f32({xs.dim(0), xs.dim(3), xs.dim(1), xs.dim(2)}, Tag::nhwc);
      const memory::dims w_dims{ws.dim(3), ws.dim(2), ws.dim(0), ws.dim(1)};
      const memory::desc dst_md = onednn::f32({xs.dim(0), ws.dim(3), h.out, w.out}, Tag::nhwc);
      const memory::desc bias_md = onednn::f32({ws.dim(3)}, Tag::a);
      const memory::desc any_w_md = onednn::f32(w_dims, Tag::any);
      const memory::dims strides{stride_h_, stride_w_};
      const memory::dims pad_l{h.pad_before, w.pad_before}, pad_r{h.pad_after, w.pad_after};
      using Conv = dnnl::convolution_forward;
      const auto kind = dnnl::prop_kind::forward_inference;
      const auto algo = dnnl::algorithm::convolution_direct;
      auto desc = with_bias_
                      ? Conv::desc(kind, algo, src_md, any_w_md, bias_md, dst_md, strides, pad_l, pad_r)
                      : Conv::desc(kind, algo, src_md, any_w_md, dst_md, strides, pad_l, pad_r);
      // Relu is not a oneDNN post-op: oneDNN's relu turns NaN into 0 where TF's
      // gives NaN, and a result must not depend on whether fusion is on.
      Conv::primitive_desc pd(desc, onednn::default_attr(), onednn::engine());
      spdlog::debug("{}: oneDNN conv {} -> [{},{},{},{}] (bias {}, relu {}, {} threads) uses {}", node().name,
                    xs.to_string(), xs.dim(0), h.out, w.out, ws.dim(3), with_bias_, with_relu_, threads,
                    pd.impl_info_str());
      return Primitive{src_md, onednn::f32(w_dims, Tag::hwio), dst_md, bias_md, pd, Conv(pd)};
    });
  }

  // The weights in the primitive's layout: cached for a constant filter,
  // reordered on every run otherwise (see onednn::WeightCache).
  memory weights_for(const Primitive& p, const Tensor& w) {
    if (p.pd.weights_desc() == p.user_weights_md) return onednn::wrap(p.user_weights_md, w.raw());
    if (!filter_constant_) {
      return onednn::reorder_to_thread_buffer(onednn::wrap(p.user_weights_md, w.raw()), p.pd.weights_desc());
    }
    return weights_.get(w, p.user_weights_md, p.pd.weights_desc());
  }

  bool with_bias_ = false, with_relu_ = false;
  bool filter_constant_ = false;  // until the plan says otherwise, reorder every run
  int64_t stride_h_ = 1, stride_w_ = 1;
  Padding padding_ = Padding::Same;
  onednn::PrimitiveCache<Primitive> cache_;
  onednn::WeightCache weights_;
};

}  // namespace

void register_conv_kernels(KernelRegistry& r) {
  const KernelFactory conv = [](const NodeInfo& node) { return std::make_unique<ConvKernel>(node); };
  r.add("Conv2D", conv);
  r.add("_FusedConv2D", conv);
}

}  // namespace minitf::kernels
