// The kernels of the ops that update a variable (TF's training_ops.cc and
// state_ops.cc): AssignAdd, AssignSub, ApplyGradientDescent, ApplyMomentum,
// ApplyAdam. Each reads the variable's current value and its slots', computes
// the new values into fresh buffers in one pass over memory (a value may be
// held by a concurrent run, a fetch or a checkpoint, so none is changed in
// place) and assigns them.
#include <algorithm>
#include <cmath>
#include <memory>
#include <type_traits>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "eigen_device.h"
#include "kernels_internal.h"

namespace minitf::kernels {

void register_training_kernels(KernelRegistry& r);

namespace {

// Elements per block: one block of every array an update reads and writes
// (seven for Adam) fits in L1, so the expressions of one block are one pass
// over memory, not one pass each.
constexpr int64_t kBlock = 512;

using ConstArray = Eigen::Map<const Eigen::ArrayXf>;
using Array = Eigen::Map<Eigen::ArrayXf>;

// y = sqrt(x), correctly rounded everywhere. Not Eigen's sqrt(): with
// EIGEN_FAST_MATH (its default) a packet is an rsqrt estimate and a Newton
// step, off by a bit or two, while a block's leftover elements get std::sqrt,
// so a result would depend on where the thread pool split the loop.
void sqrt_into(const float* x, float* y, int64_t n) {
  int64_t i = 0;
#if defined(__SSE2__)
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, _mm_sqrt_ps(_mm_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) y[i] = std::sqrt(x[i]);
}

// f(begin, count) over [0, n) in blocks, on the session's threads when n is large.
template <class F>
void for_blocks(const KernelContext& ctx, int64_t n, F f) {
  parallel_for(ctx, n, [&f](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; b += kBlock) f(b, std::min(kBlock, end - b));
  });
}

// What the update kernels share: their reference inputs' variables, and a pool
// of buffers for the new values (a variable's previous value goes back to it
// once nobody holds it, so a training step allocates nothing).
class UpdateKernel : public OpKernel {
 public:
  UpdateKernel(const NodeInfo& node, int values_written)
      : OpKernel(node), pool_(std::make_shared<BufferPool>(static_cast<size_t>(2 * values_written))) {}
  bool allocates_outputs() const override { return false; }

 protected:
  Operation variable(size_t input) const { return node().op.inputs()[input].op(); }
  // The current value of reference input `input`; FailedPreconditionError when uninitialized.
  Tensor read(KernelContext& ctx, size_t input) const { return ctx.variables.read(variable(input)); }
  // ValueError (InvalidArgumentError to the caller) unless `t` has `like`'s dtype and shape.
  void require_like(const Tensor& like, const Tensor& t, const char* what) const {
    if (t.dtype() != like.dtype() || t.shape() != like.shape()) {
      throw ValueError("Op " + this->what() + ": " + what + " of " + dtype_name(t.dtype()) + " " +
                       t.shape().to_string() + " does not match the variable's " + dtype_name(like.dtype()) +
                       " " + like.shape().to_string());
    }
  }
  Tensor fresh(const Tensor& like) const { return Tensor::pooled(like.dtype(), like.shape(), pool_); }

 private:
  std::shared_ptr<BufferPool> pool_;
};

// Integers wrap around, as TF's do (without signed overflow, which is undefined in C++).
template <class T>
T add(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}
template <class T>
T sub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return a - b;
  }
}

// AssignAdd (kSign 1) and AssignSub (kSign -1).
template <int kSign>
class AssignUpdateKernel final : public UpdateKernel {
 public:
  explicit AssignUpdateKernel(const NodeInfo& node) : UpdateKernel(node, 1) {}
  void compute(KernelContext& ctx) override {
    const Tensor ref = read(ctx, 0);
    const Tensor& value = ctx.input(1);
    require_like(ref, value, "value");
    Tensor out = fresh(ref);
    with_dtype(ref.dtype(), [&](auto zero) {
      using T = decltype(zero);
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
        const T* a = ref.data<T>().data();
        const T* b = value.data<T>().data();
        T* y = out.data<T>().data();
        parallel_for(ctx, ref.num_elements(), [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) y[i] = kSign > 0 ? add(a[i], b[i]) : sub(a[i], b[i]);
        });
      } else {
        throw InvalidArgumentError("Op " + what() + " does not support dtype " + dtype_name(ref.dtype()));
      }
    });
    ctx.variables.assign(variable(0), out);
    ctx.output(0) = out;
  }
};

class ApplyGradientDescentKernel final : public UpdateKernel {
 public:
  explicit ApplyGradientDescentKernel(const NodeInfo& node) : UpdateKernel(node, 1) {}
  void compute(KernelContext& ctx) override {
    const Tensor var = read(ctx, 0);
    const float alpha = ctx.input(1).scalar<float>();
    const Tensor& delta = ctx.input(2);
    require_like(var, delta, "delta");
    Tensor out = fresh(var);
    const float* w = var.data<float>().data();
    const float* g = delta.data<float>().data();
    float* y = out.data<float>().data();
    for_blocks(ctx, var.num_elements(), [&](int64_t b, int64_t n) {
      Array(y + b, n) = ConstArray(w + b, n) - ConstArray(g + b, n) * alpha;
    });
    ctx.variables.assign(variable(0), out);
    ctx.output(0) = out;
  }
};

class ApplyMomentumKernel final : public UpdateKernel {
 public:
  explicit ApplyMomentumKernel(const NodeInfo& node)
      : UpdateKernel(node, 2), nesterov_(node.attr<bool>("use_nesterov")) {}
  void compute(KernelContext& ctx) override {
    const Tensor var = read(ctx, 0);
    const Tensor accum = read(ctx, 1);
    const float lr = ctx.input(2).scalar<float>();
    const Tensor& grad = ctx.input(3);
    const float momentum = ctx.input(4).scalar<float>();
    require_like(var, accum, "accum");
    require_like(var, grad, "grad");
    Tensor var_out = fresh(var), accum_out = fresh(var);
    const float *w = var.data<float>().data(), *a = accum.data<float>().data(),
                *g = grad.data<float>().data();
    float *w1 = var_out.data<float>().data(), *a1 = accum_out.data<float>().data();
    for_blocks(ctx, var.num_elements(), [&](int64_t b, int64_t n) {
      const ConstArray gb(g + b, n);
      Array ab(a1 + b, n);
      ab = ConstArray(a + b, n) * momentum + gb;
      if (nesterov_) {
        Array(w1 + b, n) = ConstArray(w + b, n) - (gb * lr + ab * momentum * lr);
      } else {
        Array(w1 + b, n) = ConstArray(w + b, n) - ab * lr;
      }
    });
    ctx.variables.assign(variable(0), var_out);
    ctx.variables.assign(variable(1), accum_out);
    ctx.output(0) = var_out;
  }

 private:
  bool nesterov_;
};

class ApplyAdamKernel final : public UpdateKernel {
 public:
  explicit ApplyAdamKernel(const NodeInfo& node)
      : UpdateKernel(node, 3), nesterov_(node.attr<bool>("use_nesterov")) {}
  void compute(KernelContext& ctx) override {
    const Tensor var = read(ctx, 0);
    const Tensor m = read(ctx, 1);
    const Tensor v = read(ctx, 2);
    const float beta1_power = ctx.input(3).scalar<float>();
    const float beta2_power = ctx.input(4).scalar<float>();
    const float lr = ctx.input(5).scalar<float>();
    const float beta1 = ctx.input(6).scalar<float>();
    const float beta2 = ctx.input(7).scalar<float>();
    const float epsilon = ctx.input(8).scalar<float>();
    const Tensor& grad = ctx.input(9);
    require_like(var, m, "m");
    require_like(var, v, "v");
    require_like(var, grad, "grad");
    Tensor var_out = fresh(var), m_out = fresh(var), v_out = fresh(var);
    // TF's ApplyAdamNonCuda, expression for expression.
    const float alpha = lr * std::sqrt(1.f - beta2_power) / (1.f - beta1_power);
    const float one_minus_beta1 = 1.f - beta1, one_minus_beta2 = 1.f - beta2;
    const float *w = var.data<float>().data(), *m0 = m.data<float>().data(), *v0 = v.data<float>().data(),
                *g = grad.data<float>().data();
    float *w1 = var_out.data<float>().data(), *m1 = m_out.data<float>().data(),
          *v1 = v_out.data<float>().data();
    for_blocks(ctx, var.num_elements(), [&](int64_t b, int64_t n) {
      const ConstArray gb(g + b, n), mb(m0 + b, n), vb(v0 + b, n);
      Array mn(m1 + b, n), vn(v1 + b, n);
      mn = mb + (gb - mb) * one_minus_beta1;
      vn = vb + (gb.square() - vb) * one_minus_beta2;
      float root[kBlock];
      sqrt_into(v1 + b, root, n);
      const ConstArray sqrt_v(root, n);
      if (nesterov_) {
        Array(w1 + b, n) =
            ConstArray(w + b, n) - ((gb * one_minus_beta1 + beta1 * mn) * alpha) / (sqrt_v + epsilon);
      } else {
        Array(w1 + b, n) = ConstArray(w + b, n) - (mn * alpha) / (sqrt_v + epsilon);
      }
    });
    ctx.variables.assign(variable(0), var_out);
    ctx.variables.assign(variable(1), m_out);
    ctx.variables.assign(variable(2), v_out);
    ctx.output(0) = var_out;
  }

 private:
  bool nesterov_;
};

template <class K>
KernelFactory factory() {
  return [](const NodeInfo& node) { return std::make_unique<K>(node); };
}

}  // namespace

void register_training_kernels(KernelRegistry& r) {
  r.add("AssignAdd", factory<AssignUpdateKernel<1>>());
  r.add("AssignSub", factory<AssignUpdateKernel<-1>>());
  r.add("ApplyGradientDescent", factory<ApplyGradientDescentKernel>());
  r.add("ApplyMomentum", factory<ApplyMomentumKernel>());
  r.add("ApplyAdam", factory<ApplyAdamKernel>());
}

}  // namespace minitf::kernels
