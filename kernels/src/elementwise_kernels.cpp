// Elementwise ops as Eigen expressions over TensorMaps of our buffers,
// evaluated on the session's thread pool: activations, unary math, BiasAdd,
// and the broadcasting binary ops (Add, Sub, Mul, RealDiv, Maximum, Minimum,
// SquaredDifference, Pow). Shapes and dtypes were checked by each op's shape
// function when the plan was made for this run's fed shapes; kernels only
// compute, with the output shape the plan worked out.
#include <cmath>
#include <functional>
#include <limits>

#include "eigen_device.h"
#include "kernels_internal.h"

namespace minitf::kernels {
namespace {

// out[i] = f(a[ia], b[ib]) with NumPy broadcasting: a loop over rows of the
// output's last dimension, each input stepping by 0 along a broadcast dimension.
template <class F>
void broadcast_loop(const KernelContext& ctx, const Tensor& a, const Tensor& b, Tensor& out, F f) {
  const int r = out.shape().rank();
  const auto strides = [r](const Shape& s) {
    std::vector<int64_t> st(static_cast<size_t>(r), 0);
    int64_t stride = 1;
    for (int d = r - 1, k = s.rank() - 1; d >= 0; --d, --k) {
      const int64_t dim = k >= 0 ? s.dim(k) : 1;
      st[static_cast<size_t>(d)] = dim == 1 ? 0 : stride;
      stride *= dim;
    }
    return st;
  };
  const std::vector<int64_t> sa = strides(a.shape()), sb = strides(b.shape());
  const std::vector<int64_t>& od = out.shape().dims();
  const int64_t inner = od.back();
  const int64_t rows = inner ? out.num_elements() / inner : 0;
  const float* pa = a.data<float>().data();
  const float* pb = b.data<float>().data();
  float* po = out.data<float>().data();
  const int64_t ia = sa.back(), ib = sb.back();
  parallel_for(ctx, rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t oa = 0, ob = 0;
      for (int64_t d = r - 2, rest = row; d >= 0; --d) {
        const int64_t c = rest % od[static_cast<size_t>(d)];
        rest /= od[static_cast<size_t>(d)];
        oa += c * sa[static_cast<size_t>(d)];
        ob += c * sb[static_cast<size_t>(d)];
      }
      float* o = po + row * inner;
      for (int64_t j = 0; j < inner; ++j) o[j] = f(pa[oa + j * ia], pb[ob + j * ib]);
    }
  });
}

// A broadcasting binary op: `expr` over Eigen expressions for equal shapes
// and scalar operands (vectorized), `scalar` over floats for the rest. The
// two must compute the same function.
template <class Expr, class Scalar>
KernelFactory binary(Expr expr, Scalar scalar) {
  return simple_kernel([expr, scalar](const OpKernel&, KernelContext& ctx) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& out = ctx.allocate_output(0);
    if (a.shape() == b.shape()) {
      evaluate(ctx, flat(out), expr(flat(a), flat(b)));
    } else if (b.num_elements() == 1 && a.shape() == out.shape()) {
      evaluate(ctx, flat(out), expr(flat(a), flat(a).constant(b.data<float>()[0])));
    } else if (a.num_elements() == 1 && b.shape() == out.shape()) {
      evaluate(ctx, flat(out), expr(flat(b).constant(a.data<float>()[0]), flat(b)));
    } else if (out.num_elements() > 0) {
      broadcast_loop(ctx, a, b, out, scalar);
    }
  });
}

// A unary op as one Eigen expression over its input.
template <class Expr>
KernelFactory unary(Expr expr) {
  return simple_kernel([expr](const OpKernel& k, KernelContext& ctx) {
    evaluate(ctx, flat(ctx.allocate_output(0)), expr(flat(ctx.input(0)), k));
  });
}

struct PowOp {
  float operator()(float x, float y) const { return std::pow(x, y); }
};
struct MaxOp {
  float operator()(float x, float y) const { return x < y ? y : x; }
};
struct MinOp {
  float operator()(float x, float y) const { return y < x ? y : x; }
};
struct SquaredDifferenceOp {
  float operator()(float x, float y) const { return (x - y) * (x - y); }
};

void relu(const OpKernel&, KernelContext& ctx) { relu_into(ctx, ctx.input(0), ctx.allocate_output(0)); }

void bias_add(const OpKernel&, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t c = ctx.input(1).num_elements();
  const Tensor& bias = ctx.input(1);
  Tensor& out = ctx.allocate_output(0);
  const Eigen::Index rows = c ? x.num_elements() / c : 0;
  Map<2> o(out.data<float>().data(), rows, c);
  evaluate(
      ctx, o,
      ConstMap<2>(x.data<float>().data(), rows, c) +
          ConstMap<2>(bias.data<float>().data(), 1, c).broadcast(Eigen::array<Eigen::Index, 2>{rows, 1}));
}

}  // namespace

void register_elementwise_kernels(KernelRegistry& r) {
  r.add("Relu", simple_kernel(relu));
  r.add("BiasAdd", simple_kernel(bias_add));
  const KernelFactory add = binary([](const auto& a, const auto& b) { return a + b; }, std::plus<float>());
  r.add("Add", add);
  r.add("AddV2", add);
  r.add("Sub", binary([](const auto& a, const auto& b) { return a - b; }, std::minus<float>()));
  r.add("Mul", binary([](const auto& a, const auto& b) { return a * b; }, std::multiplies<float>()));
  r.add("RealDiv", binary([](const auto& a, const auto& b) { return a / b; }, std::divides<float>()));
  r.add("Maximum", binary([](const auto& a, const auto& b) { return a.binaryExpr(b, MaxOp()); }, MaxOp()));
  r.add("Minimum", binary([](const auto& a, const auto& b) { return a.binaryExpr(b, MinOp()); }, MinOp()));
  r.add("SquaredDifference",
        binary([](const auto& a, const auto& b) { return a.binaryExpr(b, SquaredDifferenceOp()); },
               SquaredDifferenceOp()));
  r.add("Pow", binary([](const auto& a, const auto& b) { return a.binaryExpr(b, PowOp()); }, PowOp()));
  r.add("Neg", unary([](const auto& x, const OpKernel&) { return -x; }));
  r.add("Abs", unary([](const auto& x, const OpKernel&) { return x.abs(); }));
  r.add("Square", unary([](const auto& x, const OpKernel&) { return x.square(); }));
  r.add("Sqrt", unary([](const auto& x, const OpKernel&) { return x.sqrt(); }));
  r.add("Rsqrt", unary([](const auto& x, const OpKernel&) { return x.rsqrt(); }));
  r.add("Exp", unary([](const auto& x, const OpKernel&) { return x.exp(); }));
  r.add("Log", unary([](const auto& x, const OpKernel&) { return x.log(); }));
  r.add("Sigmoid", unary([](const auto& x, const OpKernel&) { return x.sigmoid(); }));
  r.add("Tanh", unary([](const auto& x, const OpKernel&) { return x.tanh(); }));
  // The activations below are TF's CPU functors, expression for expression
  // (so NaN stays NaN, and large inputs do what TF's do).
  r.add("Relu6", unary([](const auto& x, const OpKernel&) { return x.cwiseMax(0.f).cwiseMin(6.f); }));
  r.add("Softplus", unary([](const auto& x, const OpKernel&) {
          const float threshold = std::log(std::numeric_limits<float>::epsilon()) + 2.f;
          return (x > x.constant(-threshold))
              .select(x, (x < x.constant(threshold)).select(x.exp(), x.exp().log1p()));
        }));
  r.add("Elu", unary([](const auto& x, const OpKernel&) {
          return (x < x.constant(0.f)).select(x.exp() - x.constant(1.f), x);
        }));
  r.add("Selu", unary([](const auto& x, const OpKernel&) {
          const float scale = 1.0507009873554804934193349852946f;
          const float scale_alpha = 1.7580993408473768599402175208123f;
          return (x < x.constant(0.f)).select((x.exp() - x.constant(1.f)) * scale_alpha, x * scale);
        }));
  r.add("LeakyRelu", unary([](const auto& x, const OpKernel& k) {
          const float alpha = k.node().attr<float>("alpha");
          return (x > x.constant(0.f)).select(x, x * alpha);
        }));
}

}  // namespace minitf::kernels
