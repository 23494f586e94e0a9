// Relu, Add/AddV2 (NumPy broadcasting) and BiasAdd as Eigen expressions over
// TensorMaps of our buffers, evaluated on the session's thread pool.
#include "eigen_device.h"
#include "kernels_internal.h"

namespace minitf::kernels {
namespace {

constexpr int kMaxBroadcastRank = 6;

// The input's dims padded with leading 1s to rank R.
template <int R>
Eigen::array<Eigen::Index, R> padded(const Shape& s) {
  Eigen::array<Eigen::Index, R> d;
  for (int i = 0; i < R; ++i) {
    const int j = s.rank() - R + i;
    d[i] = j >= 0 ? s.dim(j) : 1;
  }
  return d;
}

template <int R>
void broadcast_add(const KernelContext& ctx, const Tensor& a, const Tensor& b, Tensor& out) {
  const auto ad = padded<R>(a.shape()), bd = padded<R>(b.shape()), od = padded<R>(out.shape());
  Eigen::array<Eigen::Index, R> af, bf;
  for (int i = 0; i < R; ++i) {
    af[i] = ad[i] == od[i] ? 1 : od[i];
    bf[i] = bd[i] == od[i] ? 1 : od[i];
  }
  Map<R> o(out.data<float>().data(), od);
  evaluate(ctx, o,
           ConstMap<R>(a.data<float>().data(), ad).broadcast(af) +
               ConstMap<R>(b.data<float>().data(), bd).broadcast(bf));
}

// Shapes and dtypes were checked by the op's shape function when the plan was
// made for this run's fed shapes; the kernels below only compute.
void add(const OpKernel& k, KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Tensor& out = ctx.allocate_output(0);
  const Shape& shape = out.shape();
  if (a.shape() == b.shape()) {
    evaluate(ctx, flat(out), flat(a) + flat(b));
    return;
  }
  if (b.num_elements() == 1 && a.shape() == shape) {
    evaluate(ctx, flat(out), flat(a) + b.data<float>()[0]);
  } else if (a.num_elements() == 1 && b.shape() == shape) {
    evaluate(ctx, flat(out), flat(b) + a.data<float>()[0]);
  } else {
    switch (shape.rank()) {
      case 1:
        broadcast_add<1>(ctx, a, b, out);
        break;
      case 2:
        broadcast_add<2>(ctx, a, b, out);
        break;
      case 3:
        broadcast_add<3>(ctx, a, b, out);
        break;
      case 4:
        broadcast_add<4>(ctx, a, b, out);
        break;
      case 5:
        broadcast_add<5>(ctx, a, b, out);
        break;
      case 6:
        broadcast_add<6>(ctx, a, b, out);
        break;
      default:
        throw InvalidArgumentError("Op " + k.what() + " broadcasts up to rank " +
                                   std::to_string(kMaxBroadcastRank) + ", got shapes " +
                                   a.shape().to_string() + " and " + b.shape().to_string());
    }
  }
}

void relu(const OpKernel&, KernelContext& ctx) { relu_into(ctx, ctx.input(0), ctx.allocate_output(0)); }

// As TF's functor: NaN stays NaN.
void relu6(const OpKernel&, KernelContext& ctx) {
  evaluate(ctx, flat(ctx.allocate_output(0)), flat(ctx.input(0)).cwiseMax(0.f).cwiseMin(6.f));
}

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
  r.add("Relu6", simple_kernel(relu6));
  r.add("Add", simple_kernel(add));
  r.add("AddV2", simple_kernel(add));
  r.add("BiasAdd", simple_kernel(bias_add));
}

}  // namespace minitf::kernels
