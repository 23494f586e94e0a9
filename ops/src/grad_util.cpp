// Helpers of the gradient functions (see grad_util.h).
#include "grad_util.h"

#include <minitf/ops/array_ops.h>
#include <minitf/ops/math_ops.h>

namespace minitf::grad {

std::optional<std::vector<int64_t>> const_ints(const Output& t) {
  if (t.empty() || t.op().type() != "Const") return std::nullopt;
  const Tensor& v = t.op().attr<Tensor>("value");
  std::vector<int64_t> out;
  if (v.dtype() == int32) {
    for (int32_t i : v.data<int32_t>()) out.push_back(i);
  } else if (v.dtype() == int64) {
    for (int64_t i : v.data<int64_t>()) out.push_back(i);
  } else {
    return std::nullopt;
  }
  return out;
}

void unimplemented(const Operation& op, const std::string& what) {
  throw UnimplementedError("The gradient of '" + op.name() + "' (op type: " + op.type() + ") " + what);
}

std::vector<int64_t> require_const_ints(const Operation& op, const Output& t, const char* what) {
  auto v = const_ints(t);
  if (!v) unimplemented(op, std::string("needs its ") + what + " as a constant, got '" + t.name() + "'");
  return *v;
}

Output int_const(const std::vector<int64_t>& values, const std::string& name) {
  Tensor t(int32, Shape{static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) t.data<int32_t>()[i] = static_cast<int32_t>(values[i]);
  return constant(t, name);
}

Output shape_of(const Output& x) {
  if (x.shape().fully_defined()) return int_const(x.shape().dims(), "Shape");
  return shape(x);
}

Output unbroadcast(const Operation& op, const Output& grad, const Output& x) {
  const Shape& xs = x.shape();
  const Shape& gs = grad.shape();
  if (xs == gs && xs.fully_defined()) return grad;
  const int lead = gs.rank() - xs.rank();
  if (lead < 0) unimplemented(op, "got a gradient of lower rank than input '" + x.name() + "'");
  std::vector<int64_t> axes;
  for (int i = 0; i < gs.rank(); ++i) {
    if (i < lead) {
      axes.push_back(i);
      continue;
    }
    const int64_t xd = xs.dim(i - lead);
    const int64_t gd = gs.dim(i);
    if (xd == 1 && gd != 1) {
      axes.push_back(i);
    } else if (xd == Shape::kUnknown && gd != 1) {
      unimplemented(op, "cannot tell whether input '" + x.name() + "' of shape " + xs.to_string() +
                            " was broadcast to " + gs.to_string() + " (unknown dimensions)");
    }
  }
  Output r = axes.empty() ? grad : reduce_sum(grad, axes, true, "Sum");
  if (r.shape() == xs) return r;
  return reshape(r, shape_of(x), "Reshape");
}

Output broadcast_like(const Output& grad, const Output& x) {
  const Shape& xs = x.shape();
  if (grad.shape() == xs) return grad;
  if (xs.fully_defined() && grad.shape().fully_defined() && grad.shape().rank() == xs.rank()) {
    std::vector<int64_t> multiples(static_cast<size_t>(xs.rank()));
    for (int i = 0; i < xs.rank(); ++i) {
      const int64_t gd = grad.shape().dim(i);
      multiples[static_cast<size_t>(i)] = gd == 0 ? 1 : xs.dim(i) / gd;
    }
    return tile(grad, multiples, "Tile");
  }
  return grad * ones_like(x);
}

}  // namespace minitf::grad
