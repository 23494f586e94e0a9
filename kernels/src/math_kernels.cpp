// MatMul and BatchMatMulV2 through oneDNN's matmul primitive: float32, either
// operand transposed by describing it with swapped strides (no copy); batch
// dimensions broadcast by oneDNN (a batch dimension of 1 against any).
#include <algorithm>
#include <utility>

#include "eigen_device.h"
#include "kernels_internal.h"
#include "onednn.h"

namespace minitf::kernels {
namespace {

using onednn::memory;
using onednn::Tag;

// MatMul, and _FusedMatMul: the bias inside the primitive, Relu after it with
// the Relu kernel's own expression (oneDNN's relu turns NaN into 0, TF's
// keeps it), so fusion never changes a result beyond summation order.
class MatMulKernel final : public onednn::PrimitiveKernel {
 public:
  explicit MatMulKernel(const NodeInfo& node)
      : PrimitiveKernel(node),
        transpose_a_(node.attr<bool>("transpose_a")),
        transpose_b_(node.attr<bool>("transpose_b")) {
    if (node.attrs.count("fused_ops")) {
      for (const std::string& f : node.attr<std::vector<std::string>>("fused_ops")) {
        with_bias_ = with_bias_ || f == "BiasAdd";
        with_relu_ = with_relu_ || f == "Relu";
      }
    }
  }

  void compute(KernelContext& ctx) override {
    if (with_bias_ && (ctx.input(0).num_elements() == 0 || ctx.input(1).num_elements() == 0)) {
      // A sum over an inner dimension of 0: every row is the bias.
      Tensor& out = ctx.allocate_output(0);
      const int64_t n = out.shape().dim(1);
      const float* bias = ctx.input(2).data<float>().data();
      float* o = out.data<float>().data();
      for (int64_t i = 0; i < out.num_elements(); ++i) o[i] = bias[i % n];
    } else {
      PrimitiveKernel::compute(ctx);
    }
    if (with_relu_) relu_into(ctx, ctx.output(0), ctx.output(0));
  }

 private:
  dnnl::primitive_desc describe(const std::vector<Shape>& in) const override {
    const Shape& a = in[0];
    const Shape& b = in[1];
    const int64_t m = transpose_a_ ? a.dim(1) : a.dim(0), k = transpose_a_ ? a.dim(0) : a.dim(1);
    const int64_t n = transpose_b_ ? b.dim(0) : b.dim(1);
    const memory::desc a_md = onednn::f32({m, k}, transpose_a_ ? Tag::ba : Tag::ab);
    const memory::desc b_md = onednn::f32({k, n}, transpose_b_ ? Tag::ba : Tag::ab);
    const memory::desc c_md = onednn::f32({m, n}, Tag::ab);
    const auto desc = with_bias_ ? dnnl::matmul::desc(a_md, b_md, onednn::f32({1, n}, Tag::ab), c_md)
                                 : dnnl::matmul::desc(a_md, b_md, c_md);
    return dnnl::matmul::primitive_desc(desc, onednn::default_attr(), onednn::engine());
  }

  void bind(const dnnl::primitive_desc& pd, const KernelContext& ctx,
            std::unordered_map<int, memory>& args) const override {
    args.emplace(DNNL_ARG_SRC, onednn::wrap(pd.src_desc(), ctx.input(0).raw()));
    args.emplace(DNNL_ARG_WEIGHTS, onednn::wrap(pd.weights_desc(), ctx.input(1).raw()));
    args.emplace(DNNL_ARG_DST, onednn::wrap(pd.dst_desc(), ctx.output(0).raw()));
    if (with_bias_) {
      args.emplace(DNNL_ARG_BIAS, onednn::wrap(pd.weights_desc(1), ctx.input(2).raw()));
    }
  }

  bool transpose_a_, transpose_b_;
  bool with_bias_ = false, with_relu_ = false;
};

// A row-major [batch..., rows, cols] operand seen as [1..., batch..., m, n]
// of rank `rank`: (m, n) = (rows, cols), or (cols, rows) when `adjoint`.
memory::desc batch_operand(const Shape& s, int rank, bool adjoint) {
  const int r = s.rank();
  memory::dims dims(static_cast<size_t>(rank), 1), strides(static_cast<size_t>(rank), 0);
  int64_t stride = 1;
  for (int d = r - 1, o = rank - 1; d >= 0; --d, --o) {
    dims[static_cast<size_t>(o)] = s.dim(d);
    strides[static_cast<size_t>(o)] = stride;
    stride *= s.dim(d);
  }
  for (int o = rank - r - 1; o >= 0; --o) strides[static_cast<size_t>(o)] = stride;
  if (adjoint) {
    const auto m = static_cast<size_t>(rank - 2), n = static_cast<size_t>(rank - 1);
    std::swap(dims[m], dims[n]);
    std::swap(strides[m], strides[n]);
  }
  return memory::desc(dims, memory::data_type::f32, strides);
}

class BatchMatMulKernel final : public onednn::PrimitiveKernel {
 public:
  explicit BatchMatMulKernel(const NodeInfo& node)
      : PrimitiveKernel(node), adj_x_(node.attr<bool>("adj_x")), adj_y_(node.attr<bool>("adj_y")) {}

 private:
  dnnl::primitive_desc describe(const std::vector<Shape>& in) const override {
    const int rank = std::max(in[0].rank(), in[1].rank());
    const memory::desc a_md = batch_operand(in[0], rank, adj_x_);
    const memory::desc b_md = batch_operand(in[1], rank, adj_y_);
    memory::dims c_dims(static_cast<size_t>(rank));
    const memory::dims& ad = a_md.dims();
    const memory::dims& bd = b_md.dims();
    for (size_t i = 0; i + 2 < c_dims.size(); ++i) c_dims[i] = ad[i] == 1 ? bd[i] : ad[i];
    c_dims[c_dims.size() - 2] = ad[ad.size() - 2];
    c_dims[c_dims.size() - 1] = bd[bd.size() - 1];
    memory::dims c_strides(c_dims.size(), 1);
    for (size_t i = c_dims.size() - 1; i-- > 0;) c_strides[i] = c_strides[i + 1] * c_dims[i + 1];
    const memory::desc c_md(c_dims, memory::data_type::f32, c_strides);
    return dnnl::matmul::primitive_desc(dnnl::matmul::desc(a_md, b_md, c_md), onednn::default_attr(),
                                        onednn::engine());
  }

  void bind(const dnnl::primitive_desc& pd, const KernelContext& ctx,
            std::unordered_map<int, memory>& args) const override {
    args.emplace(DNNL_ARG_SRC, onednn::wrap(pd.src_desc(), ctx.input(0).raw()));
    args.emplace(DNNL_ARG_WEIGHTS, onednn::wrap(pd.weights_desc(), ctx.input(1).raw()));
    args.emplace(DNNL_ARG_DST, onednn::wrap(pd.dst_desc(), ctx.output(0).raw()));
  }

  bool adj_x_, adj_y_;
};

}  // namespace

void register_math_kernels(KernelRegistry& r) {
  r.add("MatMul", [](const NodeInfo& n) { return std::make_unique<MatMulKernel>(n); });
  r.add("_FusedMatMul", [](const NodeInfo& n) { return std::make_unique<MatMulKernel>(n); });
  r.add("BatchMatMulV2", [](const NodeInfo& n) { return std::make_unique<BatchMatMulKernel>(n); });
}

}  // namespace minitf::kernels
