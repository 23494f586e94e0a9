// Gradients of the array, state and random ops (TF's python/ops/array_grad.py
// and the NotDifferentiable declarations), in our words.
#include <minitf/graph/slicing.h>
#include <minitf/ops/array_ops.h>
#include <minitf/ops/math_ops.h>

#include "families.h"
#include "grad_util.h"

namespace minitf {
namespace {

using Grads = std::vector<Output>;

Output in(const Operation& op, size_t i) { return op.inputs()[i]; }

// Reshape, Squeeze, ExpandDims: the gradient takes the input's shape back.
Grads reshape_grad(const Operation& op, const Grads& g) {
  Grads out(op.inputs().size());
  out[0] = reshape(g[0], grad::shape_of(in(op, 0)), "Reshape");
  return out;
}

Grads transpose_grad(const Operation& op, const Grads& g) {
  const std::vector<int64_t> perm = grad::require_const_ints(op, in(op, 1), "perm");
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  return {transpose(g[0], inverse, "transpose"), Output()};
}

// The axis of a concat-like op as a non-negative dim of `rank`.
int64_t axis_of(const Operation& op, const Output& axis, int64_t rank) {
  const std::vector<int64_t> a = grad::require_const_ints(op, axis, "axis");
  if (a.size() != 1) grad::unimplemented(op, "needs a scalar axis");
  return canonical_axis(a[0], rank, "'" + op.name() + "'");
}

Grads concat_grad(const Operation& op, const Grads& g) {
  const Grads inputs = op.inputs();
  const size_t n = inputs.size() - 1;
  const int64_t axis = axis_of(op, inputs[n], inputs[0].shape().rank());
  std::vector<int64_t> sizes;
  for (size_t i = 0; i < n; ++i) {
    const int64_t d = inputs[i].shape().dim(static_cast<int>(axis));
    if (d == Shape::kUnknown) grad::unimplemented(op, "needs every input's size along the axis");
    sizes.push_back(d);
  }
  Grads out = n == 1 ? Grads{g[0]} : split(g[0], sizes, axis);
  out.push_back(Output());
  return out;
}

// Split and SplitV: the pieces' gradients concatenated (zeros where none flowed).
Grads split_grad(const Operation& op, const Grads& g, size_t value_input, size_t axis_input) {
  const Output value = in(op, value_input);
  const int64_t axis = axis_of(op, in(op, axis_input), value.shape().rank());
  Grads out(op.inputs().size());
  out[value_input] = g.size() == 1 ? g[0] : concat(g, axis);
  return out;
}

Grads pack_grad(const Operation& op, const Grads& g) {
  const int64_t axis = op.attr<int64_t>("axis");
  const Grads pieces = unstack(g[0], axis);
  return pieces;
}

Grads unpack_grad(const Operation& op, const Grads& g) { return {stack(g, op.attr<int64_t>("axis"))}; }

Grads pad_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0);
  const std::vector<int64_t> p = grad::require_const_ints(op, in(op, 1), "paddings");
  if (!x.shape().fully_defined()) grad::unimplemented(op, "needs the input's shape known");
  std::vector<int64_t> begin;
  for (int i = 0; i < x.shape().rank(); ++i) begin.push_back(p[2 * static_cast<size_t>(i)]);
  Grads out(op.inputs().size());
  out[0] = slice(g[0], begin, x.shape().dims(), "Slice");
  return out;
}

Grads slice_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0);
  const std::vector<int64_t> begin = grad::require_const_ints(op, in(op, 1), "begin");
  const Shape& ys = op.output(0).shape();
  if (!x.shape().fully_defined() || !ys.fully_defined()) grad::unimplemented(op, "needs the shapes known");
  std::vector<std::pair<int64_t, int64_t>> paddings;
  for (int i = 0; i < x.shape().rank(); ++i) {
    const int64_t b = begin[static_cast<size_t>(i)];
    paddings.emplace_back(b, x.shape().dim(i) - b - ys.dim(i));
  }
  return {pad(g[0], paddings, "CONSTANT", 0.f, "Pad"), Output(), Output()};
}

// Tile: the gradient of each copy summed, by viewing the gradient as
// [m0, d0, m1, d1, ...] and summing the m axes.
Grads tile_grad(const Operation& op, const Grads& g) {
  const Output x = in(op, 0);
  const std::vector<int64_t> m = grad::require_const_ints(op, in(op, 1), "multiples");
  if (!x.shape().fully_defined()) grad::unimplemented(op, "needs the input's shape known");
  std::vector<int64_t> split_dims, axes;
  for (int i = 0; i < x.shape().rank(); ++i) {
    split_dims.push_back(m[static_cast<size_t>(i)]);
    split_dims.push_back(x.shape().dim(i));
    axes.push_back(2 * i);
  }
  Output r = reshape(g[0], Shape(split_dims), "Reshape");
  if (!axes.empty()) r = reduce_sum(r, axes, false, "Sum");
  return {r, Output()};
}

}  // namespace

void register_array_gradients(const GradRegistrar& r) {
  r.gradient("Identity", [](const Operation&, const Grads& g) { return g; });
  r.gradient("Reshape", reshape_grad);
  r.gradient("Squeeze", reshape_grad);
  r.gradient("ExpandDims", reshape_grad);
  r.gradient("Transpose", transpose_grad);
  r.gradient("ConcatV2", concat_grad);
  r.gradient("Split", [](const Operation& op, const Grads& g) { return split_grad(op, g, 1, 0); });
  r.gradient("SplitV", [](const Operation& op, const Grads& g) { return split_grad(op, g, 0, 2); });
  r.gradient("Pack", pack_grad);
  r.gradient("Unpack", unpack_grad);
  r.gradient("Pad", pad_grad);
  r.gradient("PadV2", pad_grad);
  r.gradient("Slice", slice_grad);
  r.gradient("Tile", tile_grad);
  // Values that do not depend on a differentiable input, or where TF stops gradients.
  for (const char* t :
       {"StopGradient", "Shape", "ZerosLike", "OnesLike", "Const", "Placeholder", "Fill", "VariableV2",
        "Assign", "NoOp", "RandomUniform", "RandomStandardNormal", "TruncatedNormal"}) {
    r.not_differentiable(t);
  }
}

}  // namespace minitf
