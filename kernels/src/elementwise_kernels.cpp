// Elementwise ops as Eigen expressions over TensorMaps of our buffers,
// evaluated on the session's thread pool: activations, unary math, BiasAdd,
// and the broadcasting binary ops (Add, Sub, Mul, RealDiv, Maximum, Minimum,
// SquaredDifference, Pow); comparisons and Cast as plain loops over any dtype. Shapes and dtypes were checked
// by each op's shape function when the plan was made for this run's fed shapes; kernels only compute, with
// the output shape the plan worked out.
#include <cmath>
#include <functional>
#include <limits>
#include <type_traits>

#include "eigen_device.h"
#include "kernels_internal.h"

namespace minitf::kernels {
namespace {

// out[i] = f(a[ia], b[ib]) with NumPy broadcasting: a loop over rows of the
// output's last dimension, each input stepping by 0 along a broadcast dimension.
template <class T = float, class R = float, class F>
void broadcast_loop(const KernelContext& ctx, const Tensor& a, const Tensor& b, Tensor& out, F f) {
  if (out.shape().rank() == 0) {  // two scalars
    out.data<R>()[0] = f(a.data<T>()[0], b.data<T>()[0]);
    return;
  }
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
  const T* pa = a.data<T>().data();
  const T* pb = b.data<T>().data();
  R* po = out.data<R>().data();
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
      R* o = po + row * inner;
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
struct PreluOp {
  float operator()(float x, float alpha) const { return x < 0.f ? alpha * x : x; }
};
struct SquaredDifferenceOp {
  float operator()(float x, float y) const { return (x - y) * (x - y); }
};

// A comparison: bool out, inputs of any one dtype, shape worked out from the
// run's inputs. Equal/NotEqual with incompatible_shape_error=false give
// `mismatch` as a scalar for shapes that do not broadcast, as TF's kernels.
template <template <class> class Cmp>
KernelFactory comparison(bool mismatch = false) {
  return simple_kernel([mismatch](const OpKernel& k, KernelContext& ctx) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Shape shape;
    try {
      shape = broadcast_shapes(a.shape(), b.shape(), k.what());
    } catch (const ValueError&) {
      const auto& attrs = k.node().attrs;
      auto it = attrs.find("incompatible_shape_error");
      if (it == attrs.end() || std::get<bool>(it->second)) throw;
      ctx.allocate_output(0, bool_, Shape{}).template data<bool>()[0] = mismatch;
      return;
    }
    Tensor& out = ctx.allocate_output(0, bool_, shape);
    if (out.num_elements() == 0) return;
    with_dtype(a.dtype(), [&](auto zero) {
      using T = decltype(zero);
      broadcast_loop<T, bool>(ctx, a, b, out, Cmp<T>());
    });
  });
}

// static_cast, made defined where C++ leaves it undefined: float to integer
// truncates toward zero, NaN gives 0, values beyond the integer's range its
// lowest or highest (TF's CPU result there is the hardware's: x86 gives the
// lowest for all three). To bool: `!= 0` (NaN is true).
template <class D, class S>
D convert(S v) {
  if constexpr (std::is_same_v<D, bool>) {
    return v != S(0);
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
    // -2^31 and 2^31 (and 2^63) are exact floats: the range check itself is exact.
    constexpr S lo = static_cast<S>(std::numeric_limits<D>::min());
    constexpr S hi = -lo;
    if (v != v) return D(0);
    if (v < lo) return std::numeric_limits<D>::min();
    if (v >= hi) return std::numeric_limits<D>::max();
    return static_cast<D>(v);
  } else {
    return static_cast<D>(v);  // integer narrowing is modular (C++20); to float rounds
  }
}

void cast(const OpKernel& k, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& out = ctx.allocate_output(0, k.node().attr<DType>("DstT"), x.shape());
  with_dtype(x.dtype(), [&](auto src_zero) {
    using S = decltype(src_zero);
    with_dtype(out.dtype(), [&](auto dst_zero) {
      using D = decltype(dst_zero);
      const S* in = x.data<S>().data();
      D* o = out.data<D>().data();
      parallel_for(ctx, out.num_elements(), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) o[i] = convert<D>(in[i]);
      });
    });
  });
}

// AddN: the inputs summed in order (one shape, checked by the plan).
void add_n(const OpKernel& k, KernelContext& ctx) {
  const size_t n = ctx.inputs.size();
  for (size_t i = 1; i < n; ++i) {
    if (ctx.input(i).shape() != ctx.input(0).shape()) {
      throw ValueError("Op " + k.what() + " needs inputs of one shape, got " +
                       ctx.input(0).shape().to_string() + " and " + ctx.input(i).shape().to_string());
    }
  }
  Tensor& out = ctx.allocate_output(0, ctx.input(0).dtype(), ctx.input(0).shape());
  with_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (!std::is_same_v<T, bool>) {
      T* o = out.data<T>().data();
      std::vector<const T*> in;
      for (size_t i = 0; i < n; ++i) in.push_back(ctx.input(i).template data<T>().data());
      parallel_for(ctx, out.num_elements(), [&](int64_t begin, int64_t end) {
        for (int64_t j = begin; j < end; ++j) {
          T sum = in[0][j];
          for (size_t i = 1; i < n; ++i) sum += in[i][j];
          o[j] = sum;
        }
      });
    }
  });
}

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
  r.add("Prelu", binary([](const auto& a, const auto& b) { return a.binaryExpr(b, PreluOp()); }, PreluOp()));
  r.add("AddN", simple_kernel(add_n));
  r.add("Pow", binary([](const auto& a, const auto& b) { return a.binaryExpr(b, PowOp()); }, PowOp()));
  r.add("Equal", comparison<std::equal_to>(false));
  r.add("NotEqual", comparison<std::not_equal_to>(true));
  r.add("Less", comparison<std::less>());
  r.add("LessEqual", comparison<std::less_equal>());
  r.add("Greater", comparison<std::greater>());
  r.add("GreaterEqual", comparison<std::greater_equal>());
  r.add("Cast", simple_kernel(cast));
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
