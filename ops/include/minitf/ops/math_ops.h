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
// Broadcasting binary ops (NumPy rules), float32.
Output subtract(const Output& a, const Output& b, const OpName& name = {});  // Sub
Output multiply(const Output& a, const Output& b, const OpName& name = {});  // Mul
Output divide(const Output& a, const Output& b, const OpName& name = {});    // RealDiv, named "truediv"
Output maximum(const Output& a, const Output& b, const OpName& name = {});
Output minimum(const Output& a, const Output& b, const OpName& name = {});
Output squared_difference(const Output& a, const Output& b, const OpName& name = {});
Output pow(const Output& a, const Output& b, const OpName& name = {});

// tf.matmul of rank-2 float32 matrices (MatMul).
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

}  // namespace minitf
