#pragma once
// Math builders: broadcasting binary ops, matmul, unary math, reductions, operators.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf {

// tf.add (op type Add) with NumPy broadcasting.
Output add(const Output& a, const Output& b, const OpName& name = {});
// tf.add_n: the sum of one or more tensors of one dtype and shape ("AddN").
Output add_n(const std::vector<Output>& inputs, const OpName& name = {});
// Broadcasting binary ops (NumPy rules), float32.
Output subtract(const Output& a, const Output& b, const OpName& name = {});  // Sub
Output multiply(const Output& a, const Output& b, const OpName& name = {});  // Mul
Output divide(const Output& a, const Output& b, const OpName& name = {});    // RealDiv, named "truediv"
Output maximum(const Output& a, const Output& b, const OpName& name = {});
Output minimum(const Output& a, const Output& b, const OpName& name = {});
Output squared_difference(const Output& a, const Output& b, const OpName& name = {});
Output pow(const Output& a, const Output& b, const OpName& name = {});

// tf.matmul of float32 matrices: MatMul for rank 2, BatchMatMulV2 (adj_x,
// adj_y from the transposes; batch dimensions broadcast) when either operand
// has rank > 2; named "MatMul" either way, as TF.
Output matmul(const Output& a, const Output& b, bool transpose_a = false, bool transpose_b = false,
              const OpName& name = {});
// A name in third place would silently turn into transpose_a: spell the flags out.
Output matmul(const Output& a, const Output& b, const char* name) = delete;

// Unary math, float32.
Output negative(const Output& x, const OpName& name = {});  // Neg
Output abs(const Output& x, const OpName& name = {});
Output square(const Output& x, const OpName& name = {});
Output sqrt(const Output& x, const OpName& name = {});
Output rsqrt(const Output& x, const OpName& name = {});
Output exp(const Output& x, const OpName& name = {});
Output log(const Output& x, const OpName& name = {});
Output sigmoid(const Output& x, const OpName& name = {});
Output tanh(const Output& x, const OpName& name = {});

// Reductions over `axes` (negative counts from the end; empty: every axis,
// as tf.reduce_sum(x) builds a `Const` range before the op; otherwise the
// axes are the Const "Sum/reduction_indices"). Sum, Mean, Max, Min, Prod of
// float32, int32 or int64; over nothing: 0, NaN (ints: 0), lowest, highest, 1.
Output reduce_sum(const Output& x, const std::vector<int64_t>& axes = {}, bool keep_dims = false,
                  const OpName& name = {});
Output reduce_mean(const Output& x, const std::vector<int64_t>& axes = {}, bool keep_dims = false,
                   const OpName& name = {});
Output reduce_max(const Output& x, const std::vector<int64_t>& axes = {}, bool keep_dims = false,
                  const OpName& name = {});
Output reduce_min(const Output& x, const std::vector<int64_t>& axes = {}, bool keep_dims = false,
                  const OpName& name = {});
Output reduce_prod(const Output& x, const std::vector<int64_t>& axes = {}, bool keep_dims = false,
                   const OpName& name = {});
// The index of the largest (smallest) value along `axis` (ArgMax/ArgMin;
// the first on ties; NaN never wins), as int64 or int32.
Output argmax(const Output& x, int64_t axis, DType output_type = int64, const OpName& name = {});
Output argmin(const Output& x, int64_t axis, DType output_type = int64, const OpName& name = {});

// tf.cast (Cast): float to integer truncates toward zero, NaN gives 0 and
// values beyond the integer's range its lowest or highest; anything to bool is
// `!= 0`. Casting to the dtype `x` already has returns `x` (no op).
Output cast(const Output& x, DType dtype, const OpName& name = {});

// Broadcasting comparisons with a bool result; both inputs of one dtype
// (float32, int32, int64; Equal and NotEqual also bool).
Output equal(const Output& a, const Output& b, const OpName& name = {});
Output not_equal(const Output& a, const Output& b, const OpName& name = {});
Output less(const Output& a, const Output& b, const OpName& name = {});
Output less_equal(const Output& a, const Output& b, const OpName& name = {});
Output greater(const Output& a, const Output& b, const OpName& name = {});
Output greater_equal(const Output& a, const Output& b, const OpName& name = {});

// Operators, named as TF names them: `a + b` is AddV2 "add", `a - b` Sub
// "sub", `a * b` Mul "mul", `a / b` RealDiv "truediv", `-a` Neg "Neg". A float
// operand becomes a Const inside the op's name scope ("sub/y", or "sub/x"
// when it comes first).
Output operator+(const Output& a, const Output& b);
Output operator+(float a, const Output& b);
Output operator+(const Output& a, float b);
Output operator-(const Output& a, const Output& b);
Output operator-(float a, const Output& b);
Output operator-(const Output& a, float b);
Output operator*(const Output& a, const Output& b);
Output operator*(float a, const Output& b);
Output operator*(const Output& a, float b);
Output operator/(const Output& a, const Output& b);
Output operator/(float a, const Output& b);
Output operator/(const Output& a, float b);
Output operator-(const Output& x);
// Comparisons: `a < b` is Less "Less", `a <= b` LessEqual, `a > b` Greater,
// `a >= b` GreaterEqual; a float operand becomes a Const "Less/y" of the
// tensor's dtype. As Python reflects `2.f < x` to `x > 2.f`, a float on the
// left builds the mirrored op with the float as y (Greater "Greater/y").
Output operator<(const Output& a, const Output& b);
Output operator<(float a, const Output& b);
Output operator<(const Output& a, float b);
Output operator<=(const Output& a, const Output& b);
Output operator<=(float a, const Output& b);
Output operator<=(const Output& a, float b);
Output operator>(const Output& a, const Output& b);
Output operator>(float a, const Output& b);
Output operator>(const Output& a, float b);
Output operator>=(const Output& a, const Output& b);
Output operator>=(float a, const Output& b);
Output operator>=(const Output& a, float b);

}  // namespace minitf
