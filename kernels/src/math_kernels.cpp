// MatMul through oneDNN's matmul primitive: rank-2 float32, either operand
// transposed by describing it with swapped strides (no copy).
#include "kernels_internal.h"
#include "onednn.h"

namespace minitf::kernels {
namespace {

using onednn::memory;
using onednn::Tag;

class MatMulKernel final : public onednn::PrimitiveKernel {
 public:
  explicit MatMulKernel(const NodeInfo& node)
      : PrimitiveKernel(node),
        transpose_a_(node.attr<bool>("transpose_a")),
        transpose_b_(node.attr<bool>("transpose_b")) {}

 private:
  dnnl::primitive_desc describe(const std::vector<Shape>& in) const override {
    const Shape& a = in[0];
    const Shape& b = in[1];
    const int64_t m = transpose_a_ ? a.dim(1) : a.dim(0), k = transpose_a_ ? a.dim(0) : a.dim(1);
    const int64_t n = transpose_b_ ? b.dim(0) : b.dim(1);
    const memory::desc a_md = onednn::f32({m, k}, transpose_a_ ? Tag::ba : Tag::ab);
    const memory::desc b_md = onednn::f32({k, n}, transpose_b_ ? Tag::ba : Tag::ab);
    const memory::desc c_md = onednn::f32({m, n}, Tag::ab);
    return dnnl::matmul::primitive_desc(dnnl::matmul::desc(a_md, b_md, c_md), onednn::default_attr(),
                                        onednn::engine());
  }

  void bind(const dnnl::primitive_desc& pd, const KernelContext& ctx,
            std::unordered_map<int, memory>& args) const override {
    args.emplace(DNNL_ARG_SRC, onednn::wrap(pd.src_desc(), ctx.input(0).raw()));
    args.emplace(DNNL_ARG_WEIGHTS, onednn::wrap(pd.weights_desc(), ctx.input(1).raw()));
    args.emplace(DNNL_ARG_DST, onednn::wrap(pd.dst_desc(), ctx.output(0).raw()));
  }

  bool transpose_a_, transpose_b_;
};

}  // namespace

void register_math_kernels(KernelRegistry& r) {
  r.add("MatMul", [](const NodeInfo& n) { return std::make_unique<MatMulKernel>(n); });
}

}  // namespace minitf::kernels
