#pragma once
// The ops under variables (TF's tf.raw_ops).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf {

// The ops under tf.Variable and get_variable (TF's tf.raw_ops): a VariableV2
// and an Assign of `value` to the variable whose VariableV2 output is `ref`.
// A name ending in '/' is taken exactly.
namespace raw_ops {
Operation variable_v2(const Shape& shape, DType dtype, const OpName& name = {});
Output assign(const Output& ref, const Output& value, const OpName& name = {});

// The ops that update a variable in place (TF's training_ops and state_ops).
// Each reference input (var, accum, m, v, ref) is a variable's own VariableV2
// output, as Assign's first input, never its read (ValueError otherwise); the
// scalars are float32 scalars; the output `out` is the variable's new value.
// Running one on an uninitialized variable is a FailedPreconditionError.
// `use_locking` is accepted and has no effect: a run's writes are published
// together when it ends, so concurrent runs may each overwrite the other's
// update, as TF's default use_locking=false allows.

// ApplyGradientDescent: var -= alpha * delta
Output apply_gradient_descent(const Output& var, const Output& alpha, const Output& delta,
                              const OpName& name = {});
// ApplyMomentum: accum = accum * momentum + grad; var -= lr * accum
// (nesterov: var -= grad * lr + accum * momentum * lr)
Output apply_momentum(const Output& var, const Output& accum, const Output& lr, const Output& grad,
                      const Output& momentum, bool use_nesterov = false, const OpName& name = {});
// ApplyAdam, in the order of TF's CPU functor: lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power);
// m += (grad - m) * (1 - beta1); v += (grad * grad - v) * (1 - beta2); var -= m * lr_t / (sqrt(v) + epsilon)
Output apply_adam(const Output& var, const Output& m, const Output& v, const Output& beta1_power,
                  const Output& beta2_power, const Output& lr, const Output& beta1, const Output& beta2,
                  const Output& epsilon, const Output& grad, const OpName& name = {});
// AssignAdd / AssignSub: ref += value / ref -= value (float32, int32, int64;
// integers wrap around). AssignAdd of 1 to an int64 scalar is the global step.
Output assign_add(const Output& ref, const Output& value, const OpName& name = {});
Output assign_sub(const Output& ref, const Output& value, const OpName& name = {});
}  // namespace raw_ops

}  // namespace minitf
