// Pooling and softmax through oneDNN: MaxPool and AvgPool (NHWC, TF's SAME
// padding, averages over the window's cells inside the image only, as TF's),
// Softmax and LogSoftmax over the last axis.
#include "kernels_internal.h"
#include "onednn.h"

namespace minitf::kernels {
namespace {

using onednn::memory;
using onednn::Tag;

class PoolKernel final : public onednn::PrimitiveKernel {
 public:
  PoolKernel(const NodeInfo& node, dnnl::algorithm algorithm) : PrimitiveKernel(node), algorithm_(algorithm) {
    const auto& k = node.attr<std::vector<int64_t>>("ksize");
    const auto& s = node.attr<std::vector<int64_t>>("strides");
    kernel_ = {k.at(1), k.at(2)};
    strides_ = {s.at(1), s.at(2)};
    padding_ = node.attr<std::string>("padding") == "SAME" ? Padding::Same : Padding::Valid;
  }

 private:
  dnnl::primitive_desc describe(const std::vector<Shape>& in) const override {
    const Shape& x = in[0];
    const ConvDim h = conv_dim(x.dim(1), kernel_[0], strides_[0], padding_, what());
    const ConvDim w = conv_dim(x.dim(2), kernel_[1], strides_[1], padding_, what());
    const memory::desc src = onednn::f32({x.dim(0), x.dim(3), x.dim(1), x.dim(2)}, Tag::nhwc);
    const memory::desc dst = onednn::f32({x.dim(0), x.dim(3), h.out, w.out}, Tag::nhwc);
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, algorithm_, src, dst, strides_, kernel_,
                                  {h.pad_before, w.pad_before}, {h.pad_after, w.pad_after});
    return dnnl::pooling_forward::primitive_desc(d, onednn::default_attr(), onednn::engine());
  }

  void bind(const dnnl::primitive_desc& pd, const KernelContext& ctx,
            std::unordered_map<int, memory>& args) const override {
    args.emplace(DNNL_ARG_SRC, onednn::wrap(pd.src_desc(), ctx.input(0).raw()));
    args.emplace(DNNL_ARG_DST, onednn::wrap(pd.dst_desc(), ctx.output(0).raw()));
  }

  dnnl::algorithm algorithm_;
  memory::dims kernel_, strides_;
  Padding padding_ = Padding::Valid;
};

// Softmax or LogSoftmax over the last axis, any rank.
template <class Primitive>
class SoftmaxKernel final : public onednn::PrimitiveKernel {
 public:
  using PrimitiveKernel::PrimitiveKernel;

 private:
  dnnl::primitive_desc describe(const std::vector<Shape>& in) const override {
    memory::dims dims = in[0].dims();
    if (dims.empty()) dims = {1};
    memory::dims strides(dims.size(), 1);
    for (size_t i = dims.size() - 1; i-- > 0;) strides[i] = strides[i + 1] * dims[i + 1];
    const memory::desc md(dims, memory::data_type::f32, strides);
    typename Primitive::desc d(dnnl::prop_kind::forward_inference, md, static_cast<int>(dims.size()) - 1);
    return typename Primitive::primitive_desc(d, onednn::default_attr(), onednn::engine());
  }

  void bind(const dnnl::primitive_desc& pd, const KernelContext& ctx,
            std::unordered_map<int, memory>& args) const override {
    args.emplace(DNNL_ARG_SRC, onednn::wrap(pd.src_desc(), ctx.input(0).raw()));
    args.emplace(DNNL_ARG_DST, onednn::wrap(pd.dst_desc(), ctx.output(0).raw()));
  }
};

}  // namespace

void register_nn_kernels(KernelRegistry& r) {
  r.add("MaxPool",
        [](const NodeInfo& n) { return std::make_unique<PoolKernel>(n, dnnl::algorithm::pooling_max); });
  r.add("AvgPool", [](const NodeInfo& n) {
    return std::make_unique<PoolKernel>(n, dnnl::algorithm::pooling_avg_exclude_padding);
  });
  r.add("Softmax",
        [](const NodeInfo& n) { return std::make_unique<SoftmaxKernel<dnnl::softmax_forward>>(n); });
  r.add("LogSoftmax",
        [](const NodeInfo& n) { return std::make_unique<SoftmaxKernel<dnnl::logsoftmax_forward>>(n); });
}

}  // namespace minitf::kernels
