#pragma once
// Builders: the functions users call to add ops to the default graph.
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

// Fills. A seed of nullopt follows TF: the graph seed decides, else values
// differ per session.
Output zeros(const Shape& shape, DType dtype = float32, const OpName& name = {});
Output ones(const Shape& shape, DType dtype = float32, const OpName& name = {});
Output fill(const Shape& shape, float value, DType dtype = float32, const OpName& name = {});
Output random_normal(const Shape& shape, float mean = 0.f, float stddev = 1.f,
                     std::optional<int64_t> seed = std::nullopt, const OpName& name = {});
Output random_uniform(const Shape& shape, float minval = 0.f, float maxval = 1.f,
                      std::optional<int64_t> seed = std::nullopt, const OpName& name = {});
Output truncated_normal(const Shape& shape, float mean = 0.f, float stddev = 1.f,
                        std::optional<int64_t> seed = std::nullopt, const OpName& name = {});

// tf.nn.conv2d: input NHWC, filter [kh, kw, in, out], strides {1, sh, sw, 1}.
Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides, Padding padding,
              const OpName& name = {});
Output conv2d(const Output& input, const Output& filter, const std::vector<int64_t>& strides,
              std::string_view padding, const OpName& name = {});
Output relu(const Output& x, const OpName& name = {});
// tf.add (op type Add) with NumPy broadcasting.
Output add(const Output& a, const Output& b, const OpName& name = {});
Output bias_add(const Output& value, const Output& bias, const OpName& name = {});
Output identity(const Output& x, const OpName& name = {});
// tf.no_op; runs `control_inputs` first.
Operation no_op(const OpName& name = {}, std::vector<Operation> control_inputs = {});
// tf.group: a NoOp that runs every one of `ops`.
Operation group(std::vector<Operation> ops, const OpName& name = {});

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

// The ops under tf.Variable and get_variable (TF's tf.raw_ops): a VariableV2
// and an Assign of `value` to the variable whose VariableV2 output is `ref`.
// A name ending in '/' is taken exactly.
namespace raw_ops {
Operation variable_v2(const Shape& shape, DType dtype, const OpName& name = {});
Output assign(const Output& ref, const Output& value, const OpName& name = {});
}  // namespace raw_ops

// tf.nn: the ops above that TF keeps there, and more.
namespace nn {
using minitf::bias_add;
using minitf::conv2d;
using minitf::relu;
// min(max(x, 0), 6)
Output relu6(const Output& x, const OpName& name = {});
// x for x > 0, alpha * x otherwise
Output leaky_relu(const Output& x, float alpha = 0.2f, const OpName& name = {});
// x for x >= 0, exp(x) - 1 otherwise
Output elu(const Output& x, const OpName& name = {});
// scale * elu with TF's (alpha, scale) of the self-normalizing paper
Output selu(const Output& x, const OpName& name = {});
// log(exp(x) + 1), computed as TF does for large and small x
Output softplus(const Output& x, const OpName& name = {});
using minitf::sigmoid;
using minitf::tanh;
// Pooling over NHWC: ksize and strides as {1, h, w, 1}; AvgPool averages the
// window's cells inside the image only (TF's rule).
Output max_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                Padding padding, const OpName& name = {});
Output max_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                std::string_view padding, const OpName& name = {});
Output avg_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                Padding padding, const OpName& name = {});
Output avg_pool(const Output& value, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                std::string_view padding, const OpName& name = {});
// Softmax and log-softmax over the last axis.
Output softmax(const Output& logits, const OpName& name = {});
Output log_softmax(const Output& logits, const OpName& name = {});
}  // namespace nn

// TF's (seed, seed2) for an op: graph seed and op seed, (0, 0) when random.
std::pair<int64_t, int64_t> get_seed(Graph& g, std::optional<int64_t> op_seed);

}  // namespace minitf
