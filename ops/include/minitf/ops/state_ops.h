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
}  // namespace raw_ops

}  // namespace minitf
