#pragma once
// What gradient functions share: constant inputs as numbers, shapes as
// tensors, and summing a broadcast gradient back to an operand's shape.
#include <optional>
#include <string>
#include <vector>

#include <minitf/ops/op_def.h>

namespace minitf::grad {

// The values of `t` when it is a Const of int32 or int64 (axes, perms, sizes), else nullopt.
std::optional<std::vector<int64_t>> const_ints(const Output& t);
// Like const_ints, but UnimplementedError naming `op` when `t` is not a constant.
std::vector<int64_t> require_const_ints(const Operation& op, const Output& t, const char* what);
// x's shape as a value for Reshape: a constant when known, else a Shape op.
Output shape_of(const Output& x);
// `grad` (of a broadcast result) summed over the axes `x` was broadcast along
// and reshaped to x's shape; UnimplementedError naming `op` when unknown
// dimensions leave the axes undecided.
Output unbroadcast(const Operation& op, const Output& grad, const Output& x);
// `grad` broadcast to x's shape (after a reduction kept its dims as 1).
Output broadcast_like(const Output& grad, const Output& x);
// An int32 constant vector.
Output int_const(const std::vector<int64_t>& values, const std::string& name = "Const");
// UnimplementedError: the gradient of `op` does not handle `what`.
[[noreturn]] void unimplemented(const Operation& op, const std::string& what);

}  // namespace minitf::grad
