#pragma once
// Array builders: placeholders, constants, fills, and shape ops.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf {

// tf.placeholder: a value fed at run time. -1 dims are left unknown.
Output placeholder(DType dtype, const Shape& shape, const OpName& name = {});

// tf.constant
Output constant(const Tensor& value, const OpName& name = {});
Output constant(float value, const OpName& name = {});
Output constant(int32_t value, const OpName& name = {});
Output constant(const std::vector<float>& values, const Shape& shape, const OpName& name = {});

// Fills.
Output zeros(const Shape& shape, DType dtype = float32, const OpName& name = {});
Output ones(const Shape& shape, DType dtype = float32, const OpName& name = {});
Output fill(const Shape& shape, float value, DType dtype = float32, const OpName& name = {});
Output identity(const Output& x, const OpName& name = {});

}  // namespace minitf
