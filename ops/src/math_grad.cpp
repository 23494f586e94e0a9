// Gradients of the math ops (TF's python/ops/math_grad.py, in our words).
#include <minitf/ops/array_ops.h>
#include <minitf/ops/math_ops.h>

#include "families.h"
#include "grad_util.h"

namespace minitf {
namespace {

using Grads = std::vector<Output>;
using grad::unbroadcast;

Output in(const Operation& op, int i) { return op.inputs()[static_cast<size_t>(i)]; }
Output mask(const Output& condition) { return cast(condition, float32); }

Grads add_grad(const Operation& op, const Grads& g) {
  return {unbroadcast(op, g[0], in(op, 0)), unbroadcast(op, g[0], in(op, 1))};
}

Grads sub_grad(const Operation& op, const Grads& g) {
  return {unbroadcast(op, g[0], in(op, 0)), negative(unbroadcast(op, g[0], in(op, 1)))};
}

Grads mul_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0), y = in(op, 1);
  return {unbroadcast(op, g[0] * y, x), unbroadcast(op, x * g[0], y)};
}

Grads div_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0), y = in(op, 1);
  return {unbroadcast(op, g[0] / y, x), unbroadcast(op, g[0] * (negative(x) / y / y), y)};
}

// Maximum and Minimum: the gradient goes to x where x is chosen (ties to x, as TF), else to y.
Grads select_grad(const Operation& op, const Grads& g, bool max) {
  const Output x = in(op, 0), y = in(op, 1);
  const Output x_chosen = mask(max ? greater_equal(x, y) : less_equal(x, y));
  const Output y_chosen = mask(max ? less(x, y) : greater(x, y));
  return {unbroadcast(op, g[0] * x_chosen, x), unbroadcast(op, g[0] * y_chosen, y)};
}

Grads squared_difference_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0), y = in(op, 1);
  const Output d = 2.f * g[0] * (x - y);
  return {unbroadcast(op, d, x), negative(unbroadcast(op, d, y))};
}

Grads pow_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0), y = in(op, 1), z = op.output(0);
  const Output gx = g[0] * y * pow(x, y - 1.f);
  // d/dy x^y = x^y log x, taken as 0 where x <= 0 (TF's rule).
  const Output positive = mask(greater(x, constant(0.f)));
  const Output log_x = log(x * positive + (1.f - positive));
  return {unbroadcast(op, gx, x), unbroadcast(op, g[0] * z * log_x, y)};
}

Grads matmul_grad(const Operation& op, const Grads& g) {
  const Output a = in(op, 0), b = in(op, 1);
  const bool ta = op.attr<bool>("transpose_a"), tb = op.attr<bool>("transpose_b");
  if (!ta && !tb) return {matmul(g[0], b, false, true), matmul(a, g[0], true, false)};
  if (!ta && tb) return {matmul(g[0], b, false, false), matmul(g[0], a, true, false)};
  if (ta && !tb) return {matmul(b, g[0], false, true), matmul(a, g[0], false, false)};
  return {matmul(b, g[0], true, true), matmul(g[0], a, true, true)};
}

Grads batch_matmul_grad(const Operation& op, const Grads& g) {
  const Output a = in(op, 0), b = in(op, 1);
  const bool ta = op.attr<bool>("adj_x"), tb = op.attr<bool>("adj_y");
  Output ga, gb;
  if (!ta && !tb) {
    ga = matmul(g[0], b, false, true), gb = matmul(a, g[0], true, false);
  } else if (!ta && tb) {
    ga = matmul(g[0], b, false, false), gb = matmul(g[0], a, true, false);
  } else if (ta && !tb) {
    ga = matmul(b, g[0], false, true), gb = matmul(a, g[0], false, false);
  } else {
    ga = matmul(b, g[0], true, true), gb = matmul(g[0], a, true, true);
  }
  // Batch dimensions broadcast like a binary op's: sum the gradient over them.
  return {unbroadcast(op, ga, a), unbroadcast(op, gb, b)};
}

Grads add_n_grad(const Operation& op, const Grads& g) { return Grads(op.inputs().size(), g[0]); }

// The reduction's output with its reduced dims kept as 1, and the reduced axes.
struct Reduced {
  std::vector<int64_t> axes;
  Shape kept;
};

Reduced reduced(const Operation& op) {
  const Output x = in(op, 0);
  std::vector<int64_t> axes = grad::require_const_ints(op, in(op, 1), "reduction_indices");
  const int rank = x.shape().rank();
  std::vector<int64_t> kept = x.shape().dims();
  for (int64_t& a : axes) {
    if (a < 0) a += rank;
    if (a < 0 || a >= rank) grad::unimplemented(op, "got an axis out of range");
    kept[static_cast<size_t>(a)] = 1;
  }
  return {axes, Shape(kept)};
}

// g reshaped to the kept-dims shape (-1 for one unknown dim), then broadcast to x's shape.
Output spread(const Operation& op, const Output& g) {
  const Output x = in(op, 0);
  const Reduced r = reduced(op);
  Output kept = g;
  if (g.shape() != r.kept) {
    int unknown = 0;
    for (int64_t d : r.kept.dims()) unknown += d == Shape::kUnknown;
    if (unknown > 1)
      grad::unimplemented(op, "needs at most one unknown kept dimension, got " + r.kept.to_string());
    kept = reshape(g, r.kept, "Reshape");
  }
  return grad::broadcast_like(kept, x);
}

Grads sum_grad(const Operation& op, const Grads& g) { return {spread(op, g[0]), Output()}; }

Grads mean_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0), y = op.output(0);
  const Output s = spread(op, g[0]);
  if (x.shape().fully_defined() && y.shape().fully_defined()) {
    const int64_t out = y.shape().num_elements();
    const float count =
        out == 0 ? 1.f : static_cast<float>(x.shape().num_elements()) / static_cast<float>(out);
    return {s / count, Output()};
  }
  const Output count = cast(reduce_prod(shape(x)), float32) / cast(reduce_prod(shape(y)), float32);
  return {s / count, Output()};
}

// Max and Min: the gradient is shared among the elements equal to the extreme.
Grads extreme_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0);
  const Reduced r = reduced(op);
  Output y = op.output(0), gy = g[0];
  if (y.shape() != r.kept) y = reshape(y, r.kept), gy = reshape(gy, r.kept);
  const Output hit = mask(equal(grad::broadcast_like(y, x), x));
  const Output count = grad::broadcast_like(reduce_sum(hit, r.axes, true), x);
  return {hit / count * grad::broadcast_like(gy, x), Output()};
}

Grads cast_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0);
  if (x.dtype() != float32 || op.output(0).dtype() != float32) return {Output()};
  return {cast(g[0], x.dtype())};
}

Grads prelu_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0), alpha = in(op, 1);
  const Output negative_part = mask(less(x, constant(0.f)));
  const Output positive_part = 1.f - negative_part;
  return {g[0] * (positive_part + negative_part * alpha), unbroadcast(op, g[0] * x * negative_part, alpha)};
}

}  // namespace

void register_math_gradients(const GradRegistrar& r) {
  r.gradient("Add", add_grad);
  r.gradient("AddV2", add_grad);
  r.gradient("Sub", sub_grad);
  r.gradient("Mul", mul_grad);
  r.gradient("RealDiv", div_grad);
  r.gradient("Maximum", [](const Operation& op, const Grads& g) { return select_grad(op, g, true); });
  r.gradient("Minimum", [](const Operation& op, const Grads& g) { return select_grad(op, g, false); });
  r.gradient("SquaredDifference", squared_difference_grad);
  r.gradient("Pow", pow_grad);
  r.gradient("AddN", add_n_grad);
  r.gradient("Prelu", prelu_grad);
  r.gradient("MatMul", matmul_grad);
  r.gradient("BatchMatMulV2", batch_matmul_grad);
  r.gradient("Neg", [](const Operation&, const Grads& g) { return Grads{negative(g[0])}; });
  r.gradient("Abs", [](const Operation& op, const Grads& g) {
    const Output x = in(op, 0);
    return Grads{g[0] * (mask(greater(x, constant(0.f))) - mask(less(x, constant(0.f))))};
  });
  r.gradient("Square", [](const Operation& op, const Grads& g) { return Grads{g[0] * (2.f * in(op, 0))}; });
  r.gradient("Sqrt", [](const Operation& op, const Grads& g) { return Grads{g[0] * 0.5f / op.output(0)}; });
  r.gradient("Rsqrt", [](const Operation& op, const Grads& g) {
    const Output y = op.output(0);
    return Grads{g[0] * (-0.5f * y * y * y)};
  });
  r.gradient("Exp", [](const Operation& op, const Grads& g) { return Grads{g[0] * op.output(0)}; });
  r.gradient("Log", [](const Operation& op, const Grads& g) { return Grads{g[0] / in(op, 0)}; });
  r.gradient("Sum", sum_grad);
  r.gradient("Mean", mean_grad);
  r.gradient("Max", extreme_grad);
  r.gradient("Min", extreme_grad);
  r.gradient("Cast", cast_grad);
  for (const char* t :
       {"ArgMax", "ArgMin", "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual"}) {
    r.not_differentiable(t);
  }
}

}  // namespace minitf
