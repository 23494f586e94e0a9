// The gradients of the convolutions through oneDNN: Conv2DBackpropInput and
// DepthwiseConv2dNativeBackpropInput (convolution backward data),
// Conv2DBackpropFilter and DepthwiseConv2dNativeBackpropFilter (convolution
// backward weights; a depthwise convolution is a grouped one, one group per
// input channel). NHWC activations and TF's filter layouts, one primitive per
// shapes and thread count (made when the plan is prepared when the shapes are
// known then), the shape input (input_sizes, filter_sizes) read and checked
// when the kernel runs, so a computed one (tf::shape of a tensor) works too.
#include <spdlog/spdlog.h>

#include <cstring>
#include <vector>

#include "conv_common.h"
#include "kernels_internal.h"
#include "onednn.h"

namespace minitf::kernels {
namespace {

using conv::any_weights;
using conv::ConvGeometry;
using conv::list_of;
using conv::user_weights;
using conv::weights_in;
using onednn::memory;
using onednn::Tag;

std::vector<int64_t> ints_of(const Tensor& sizes) {
  std::vector<int64_t> v;
  for (int32_t s : sizes.data<int32_t>()) v.push_back(s);
  return v;
}

// The gradient with respect to the input, of shape input_sizes.
class ConvBackpropInputKernel final : public OpKernel {
 public:
  ConvBackpropInputKernel(const NodeInfo& node, bool depthwise)
      : OpKernel(node), geometry_(node), depthwise_(depthwise) {}

  void set_constant_inputs(const std::vector<bool>& constant) override {
    filter_constant_ = constant.size() > 1 && constant[1];
  }

  void prepare(const PrepareContext& ctx) override {
    const Shape& out = ctx.outputs[0].second;
    const Shape& ws = ctx.inputs[1].second;
    const Shape& dys = ctx.inputs[2].second;
    if (!out.fully_defined() || !ws.fully_defined() || !dys.fully_defined()) return;
    if (out.num_elements() == 0 || ws.num_elements() == 0 || dys.num_elements() == 0) return;
    for (int threads : ctx.thread_counts) primitive(out, ws, dys, threads, ctx.device);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& w = ctx.input(1);
    const Tensor& dy = ctx.input(2);
    Tensor& out = ctx.allocate_output(0, float32, output_shape(ctx.input(0), w.shape(), dy.shape()));
    if (out.num_elements() == 0) return;
    if (dy.num_elements() == 0 || w.num_elements() == 0) {
      std::memset(out.raw(), 0, out.num_bytes());  // no output channels: nothing flows back
      return;
    }
    const auto describe = [&] {
      return what() + " with input shapes " + ctx.input(0).shape().to_string() + ", " +
             w.shape().to_string() + ", " + dy.shape().to_string() + " and input_sizes " +
             out.shape().to_string();
    };
    onednn::guarded(describe, [&] {
      onednn::set_team_size(ctx.num_threads);
      const std::shared_ptr<Primitive> p =
          primitive(out.shape(), w.shape(), dy.shape(), ctx.num_threads, ctx.device);
      std::unordered_map<int, memory> args{
          {DNNL_ARG_DIFF_DST, onednn::wrap(p->diff_dst_md, dy.raw())},
          {DNNL_ARG_WEIGHTS,
           weights_in(p->user_weights_md, p->pd.weights_desc(), w, filter_constant_, weights_)},
          {DNNL_ARG_DIFF_SRC, onednn::wrap(p->diff_src_md, out.raw())}};
      onednn::execute(p->prim, p->pd, args);
    });
  }

 private:
  struct Primitive {
    memory::desc diff_src_md, user_weights_md, diff_dst_md;
    dnnl::convolution_backward_data::primitive_desc pd;
    dnnl::convolution_backward_data prim;
  };

  // input_sizes' value ({N, H, W, C}, or {H, W} for Conv2D) as a shape,
  // checked against the filter and out_backprop: the shape function could
  // not when the value was not known.
  Shape output_shape(const Tensor& sizes, const Shape& ws, const Shape& dys) const {
    std::vector<int64_t> v = ints_of(sizes);
    const auto fail = [&](const std::string& why) {
      throw InvalidArgumentError(what() + ": " + why + " (input_sizes " + list_of(v) + ", filter " +
                                 ws.to_string() + ", out_backprop " + dys.to_string() + ")");
    };
    if (ws.rank() != 4 || dys.rank() != 4) fail("filter and out_backprop must be of rank 4");
    if (v.size() == 2 && !depthwise_) v = {dys.dim(0), v[0], v[1], ws.dim(2)};
    if (v.size() != 4)
      fail(depthwise_ ? "input_sizes must have 4 elements {N, H, W, C}"
                      : "input_sizes must have 4 elements {N, H, W, C} or 2 {H, W}");
    for (int64_t s : v) {
      if (s < 0) fail("input_sizes must be non-negative");
    }
    if (v[0] != dys.dim(0)) fail("input batch and out_backprop batch differ");
    if (v[3] != ws.dim(2)) fail("input depth and filter input depth differ");
    if (dys.dim(3) != (depthwise_ ? ws.dim(2) * ws.dim(3) : ws.dim(3))) {
      fail("out_backprop depth and the filter's output depth differ");
    }
    for (int i = 1; i <= 2; ++i) {
      if (!geometry_.gives(v[static_cast<size_t>(i)], ws.dim(i - 1), i == 1, dys.dim(i), what())) {
        fail("size of out_backprop doesn't match the convolution of input_sizes in spatial dimension " +
             std::to_string(i));
      }
    }
    return Shape(v);
  }

  std::shared_ptr<Primitive> primitive(const Shape& out, const Shape& ws, const Shape& dys, int threads,
                                       const CpuDevice& device) {
    std::vector<int64_t> key = out.dims();
    key.insert(key.end(), ws.dims().begin(), ws.dims().end());
    key.insert(key.end(), dys.dims().begin(), dys.dims().end());
    key.push_back(threads);
    return cache_.get(key, device.max_conv_primitives(), [&] { return make(out, ws, dys, threads); });
  }

  Primitive make(const Shape& out, const Shape& ws, const Shape& dys, int threads) const {
    const auto describe = [&] {
      return what() + " with input_sizes " + out.to_string() + ", filter " + ws.to_string() +
             ", out_backprop " + dys.to_string();
    };
    return onednn::guarded(describe, [&] {
      onednn::set_team_size(threads);
      const ConvDim h = geometry_.dim(out.dim(1), ws.dim(0), true, what());
      const ConvDim w = geometry_.dim(out.dim(2), ws.dim(1), false, what());
      const memory::desc diff_src_md =
          onednn::f32({out.dim(0), out.dim(3), out.dim(1), out.dim(2)}, Tag::nhwc);
      const memory::desc diff_dst_md =
          onednn::f32({dys.dim(0), dys.dim(3), dys.dim(1), dys.dim(2)}, Tag::nhwc);
      const memory::desc any_w_md = any_weights(ws, depthwise_);
      const memory::dims pad_l{h.pad_before, w.pad_before}, pad_r{h.pad_after, w.pad_after};
      const memory::dims strides = geometry_.strides(), dilates = geometry_.dilates();
      const auto algo = dnnl::algorithm::convolution_direct;
      // oneDNN describes backward data by the forward convolution it inverts.
      using Fwd = dnnl::convolution_forward;
      using Bwd = dnnl::convolution_backward_data;
      const Fwd::primitive_desc hint(Fwd::desc(dnnl::prop_kind::forward_training, algo, diff_src_md, any_w_md,
                                               diff_dst_md, strides, dilates, pad_l, pad_r),
                                     onednn::engine());
      const Bwd::primitive_desc pd(
          Bwd::desc(algo, diff_src_md, any_w_md, diff_dst_md, strides, dilates, pad_l, pad_r),
          onednn::default_attr(), onednn::engine(), hint);
      spdlog::debug("{}: oneDNN {}conv backward data {} -> {} ({} threads) uses {}", node().name,
                    depthwise_ ? "depthwise " : "", dys.to_string(), out.to_string(), threads,
                    pd.impl_info_str());
      return Primitive{diff_src_md, user_weights(ws, depthwise_), diff_dst_md, pd, Bwd(pd)};
    });
  }

  ConvGeometry geometry_;
  bool depthwise_ = false;
  bool filter_constant_ = false;
  onednn::PrimitiveCache<Primitive> cache_;
  onednn::WeightCache weights_;
};

// The gradient with respect to the filter, of shape filter_sizes: oneDNN's
// convolution backward weights into its own weights layout, reordered into
// TF's (or straight into the output when oneDNN computes TF's layout).
class ConvBackpropFilterKernel final : public OpKernel {
 public:
  ConvBackpropFilterKernel(const NodeInfo& node, bool depthwise)
      : OpKernel(node), geometry_(node), depthwise_(depthwise) {}

  void prepare(const PrepareContext& ctx) override {
    const Shape& xs = ctx.inputs[0].second;
    const Shape& fs = ctx.outputs[0].second;
    const Shape& dys = ctx.inputs[2].second;
    if (!xs.fully_defined() || !fs.fully_defined() || !dys.fully_defined()) return;
    if (xs.num_elements() == 0 || fs.num_elements() == 0 || dys.num_elements() == 0) return;
    for (int threads : ctx.thread_counts) primitive(xs, fs, dys, threads, ctx.device);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& dy = ctx.input(2);
    Tensor& out = ctx.allocate_output(0, float32, filter_shape(x.shape(), ctx.input(1), dy.shape()));
    if (out.num_elements() == 0) return;
    if (x.num_elements() == 0 || dy.num_elements() == 0) {
      std::memset(out.raw(), 0, out.num_bytes());  // an empty batch or image: a sum over nothing
      return;
    }
    const auto describe = [&] {
      return what() + " with input shapes " + x.shape().to_string() + ", " +
             ctx.input(1).shape().to_string() + ", " + dy.shape().to_string() + " and filter_sizes " +
             out.shape().to_string();
    };
    onednn::guarded(describe, [&] {
      onednn::set_team_size(ctx.num_threads);
      const std::shared_ptr<Primitive> p =
          primitive(x.shape(), out.shape(), dy.shape(), ctx.num_threads, ctx.device);
      const memory user = onednn::wrap(p->user_weights_md, out.raw());
      const bool direct = p->pd.diff_weights_desc() == p->user_weights_md;
      const memory diff_weights = direct ? user : onednn::thread_result_buffer(p->pd.diff_weights_desc());
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, onednn::wrap(p->src_md, x.raw())},
                                           {DNNL_ARG_DIFF_DST, onednn::wrap(p->diff_dst_md, dy.raw())},
                                           {DNNL_ARG_DIFF_WEIGHTS, diff_weights}};
      onednn::execute(p->prim, p->pd, args);
      if (!direct) onednn::reorder(diff_weights, user);
    });
  }

 private:
  struct Primitive {
    memory::desc src_md, user_weights_md, diff_dst_md;
    dnnl::convolution_backward_weights::primitive_desc pd;
    dnnl::convolution_backward_weights prim;
  };

  // filter_sizes' value {kh, kw, in, out} (depthwise: {kh, kw, in, multiplier}),
  // checked against the input and out_backprop.
  Shape filter_shape(const Shape& xs, const Tensor& sizes, const Shape& dys) const {
    const std::vector<int64_t> v = ints_of(sizes);
    const auto fail = [&](const std::string& why) {
      throw InvalidArgumentError(what() + ": " + why + " (input " + xs.to_string() + ", filter_sizes " +
                                 list_of(v) + ", out_backprop " + dys.to_string() + ")");
    };
    if (v.size() != 4) fail("filter_sizes must have 4 elements");
    for (int64_t s : v) {
      if (s < 0) fail("filter_sizes must be non-negative");
    }
    if (xs.rank() != 4 || dys.rank() != 4) fail("input and out_backprop must be of rank 4");
    if (xs.dim(0) != dys.dim(0)) fail("input batch and out_backprop batch differ");
    if (v[2] != xs.dim(3)) fail("input depth and filter input depth differ");
    if (dys.dim(3) != (depthwise_ ? v[2] * v[3] : v[3])) fail("out_backprop depth and the filter's differ");
    for (int i = 1; i <= 2; ++i) {
      if (!geometry_.gives(xs.dim(i), v[static_cast<size_t>(i - 1)], i == 1, dys.dim(i), what())) {
        fail("size of out_backprop doesn't match the convolution of the input in spatial dimension " +
             std::to_string(i));
      }
    }
    return Shape(v);
  }

  std::shared_ptr<Primitive> primitive(const Shape& xs, const Shape& fs, const Shape& dys, int threads,
                                       const CpuDevice& device) {
    std::vector<int64_t> key = xs.dims();
    key.insert(key.end(), fs.dims().begin(), fs.dims().end());
    key.insert(key.end(), dys.dims().begin(), dys.dims().end());
    key.push_back(threads);
    return cache_.get(key, device.max_conv_primitives(), [&] { return make(xs, fs, dys, threads); });
  }

  Primitive make(const Shape& xs, const Shape& fs, const Shape& dys, int threads) const {
    const auto describe = [&] {
      return what() + " with input " + xs.to_string() + ", filter_sizes " + fs.to_string() +
             ", out_backprop " + dys.to_string();
    };
    return onednn::guarded(describe, [&] {
      onednn::set_team_size(threads);
      const ConvDim h = geometry_.dim(xs.dim(1), fs.dim(0), true, what());
      const ConvDim w = geometry_.dim(xs.dim(2), fs.dim(1), false, what());
      const memory::desc src_md = onednn::f32({xs.dim(0), xs.dim(3), xs.dim(1), xs.dim(2)}, Tag::nhwc);
      const memory::desc diff_dst_md =
          onednn::f32({dys.dim(0), dys.dim(3), dys.dim(1), dys.dim(2)}, Tag::nhwc);
      const memory::desc any_w_md = any_weights(fs, depthwise_);
      const memory::dims pad_l{h.pad_before, w.pad_before}, pad_r{h.pad_after, w.pad_after};
      const memory::dims strides = geometry_.strides(), dilates = geometry_.dilates();
      const auto algo = dnnl::algorithm::convolution_direct;
      // oneDNN describes backward weights by the forward convolution they belong to.
      using Fwd = dnnl::convolution_forward;
      using Bwd = dnnl::convolution_backward_weights;
      const Fwd::primitive_desc hint(Fwd::desc(dnnl::prop_kind::forward_training, algo, src_md, any_w_md,
                                               diff_dst_md, strides, dilates, pad_l, pad_r),
                                     onednn::engine());
      const Bwd::primitive_desc pd(
          Bwd::desc(algo, src_md, any_w_md, diff_dst_md, strides, dilates, pad_l, pad_r),
          onednn::default_attr(), onednn::engine(), hint);
      spdlog::debug("{}: oneDNN {}conv backward weights {}, {} -> {} ({} threads) uses {}", node().name,
                    depthwise_ ? "depthwise " : "", xs.to_string(), dys.to_string(), fs.to_string(), threads,
                    pd.impl_info_str());
      return Primitive{src_md, user_weights(fs, depthwise_), diff_dst_md, pd, Bwd(pd)};
    });
  }

  ConvGeometry geometry_;
  bool depthwise_ = false;
  onednn::PrimitiveCache<Primitive> cache_;
};

}  // namespace

void register_conv_grad_kernels(KernelRegistry& r) {
  for (bool depthwise : {false, true}) {
    r.add(depthwise ? "DepthwiseConv2dNativeBackpropInput" : "Conv2DBackpropInput",
          [depthwise](const NodeInfo& node) {
            return std::make_unique<ConvBackpropInputKernel>(node, depthwise);
          });
    r.add(depthwise ? "DepthwiseConv2dNativeBackpropFilter" : "Conv2DBackpropFilter",
          [depthwise](const NodeInfo& node) {
            return std::make_unique<ConvBackpropFilterKernel>(node, depthwise);
          });
  }
}

}  // namespace minitf::kernels
