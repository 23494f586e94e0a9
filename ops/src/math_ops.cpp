// Math: MatMul, BatchMatMulV2, the broadcasting binary ops (Add, AddV2, Sub,
// Mul, RealDiv, Maximum, Minimum, SquaredDifference, Pow), comparisons
// (Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual), the unary ones
// (Neg, Abs, Square, Sqrt, Rsqrt, Exp, Log, Sigmoid, Tanh), Cast, the
// reductions (Sum, Mean, Max, Min, Prod) and ArgMax/ArgMin, operators, and
// their builders.
#include <minitf/ops/ops.h>

#include <algorithm>
#include <limits>
#include <set>

#include "families.h"

namespace minitf {
namespace {

OutputSpecs broadcast_shape(const InferenceContext& c) {
  shape_fns::require_same_dtype(c);
  return {{c.inputs[0].first, broadcast_shapes(c.shape(0), c.shape(1), c.what())}};
}

// AddN: N >= 1 inputs of one dtype and one shape (no broadcasting, as TF's).
OutputSpecs add_n_shape(const InferenceContext& c) {
  if (c.inputs.empty()) throw ValueError("Op " + c.what() + " needs at least one input (N >= 1)");
  shape_fns::require_same_dtype(c);
  Shape shape = c.shape(0);
  for (size_t i = 1; i < c.inputs.size(); ++i) {
    if (!c.shape(i).compatible_with(shape) || c.shape(i).rank() != shape.rank()) {
      throw ValueError("Op " + c.what() + " needs inputs of one shape, got " + c.input_shapes());
    }
    std::vector<int64_t> dims = shape.dims();
    for (int d = 0; d < shape.rank(); ++d) {
      if (dims[static_cast<size_t>(d)] < 0) dims[static_cast<size_t>(d)] = c.shape(i).dim(d);
    }
    shape = Shape(dims);
  }
  return {{c.inputs[0].first, shape}};
}

// `x - 1.0f` as TF writes it: a name scope ("sub"), the float converted inside
// it ("sub/y", or "sub/x" when it comes first) to the tensor's dtype (a
// ValueError when it is not exactly representable there, as TF's
// convert_to_tensor), and the op named after the scope.
Output binary_with_scalar(const std::string& type, const std::string& scope_name, const Output& tensor,
                          float value, bool scalar_first) {
  Graph g = graph_for({tensor});
  const std::string scope = g.unique_name(scope_name);
  Tensor scalar(tensor.dtype(), Shape{});
  store_exact(value, tensor.dtype(), scalar.raw(), "the scalar operand of " + scope);
  Output c = create_op(g, "Const", scope + (scalar_first ? "/x/" : "/y/"), {},
                       {{"value", scalar}, {"dtype", tensor.dtype()}})
                 .output(0);
  return create_op(g, type, scope + "/",
                   scalar_first ? std::vector<Output>{c, tensor} : std::vector<Output>{tensor, c})
      .output(0);
}

OutputSpecs matmul_shape(const InferenceContext& c) {
  shape_fns::require_rank(c, 0, 2, "a");
  shape_fns::require_rank(c, 1, 2, "b");
  const bool ta = c.attr<bool>("transpose_a"), tb = c.attr<bool>("transpose_b");
  const Shape& a = c.shape(0);
  const Shape& b = c.shape(1);
  const int64_t ka = a.dim(ta ? 0 : 1), kb = b.dim(tb ? 1 : 0);
  if (ka >= 0 && kb >= 0 && ka != kb) {
    throw ValueError("Dimensions must be equal, but are " + std::to_string(ka) + " and " +
                     std::to_string(kb) + " for " + c.what() + " with input shapes: " + c.input_shapes() +
                     ".");
  }
  return {{float32, Shape{a.dim(ta ? 1 : 0), b.dim(tb ? 0 : 1)}}};
}

// What the _FusedMatMul kernel computes: MatMul, an optional BiasAdd of [N],
// then an optional Relu (TF's fused_ops spelling).
OutputSpecs fused_matmul_shape(const InferenceContext& c) {
  OutputSpecs out = matmul_shape(c);
  const auto& fused = c.attr<std::vector<std::string>>("fused_ops");
  size_t next = 0;
  const bool bias = next < fused.size() && fused[next] == "BiasAdd";
  if (bias) ++next;
  if (next < fused.size() && fused[next] == "Relu") ++next;
  if (next != fused.size()) {
    throw UnimplementedError("Op " + c.what() + ": fused_ops starting at \"" + fused[next] +
                             "\" are not implemented (minitf fuses [BiasAdd][, Relu])");
  }
  if (c.attr<int64_t>("num_args") != (bias ? 1 : 0)) {
    throw ValueError("Op " + c.what() + " needs num_args " + std::to_string(bias ? 1 : 0) + ", got " +
                     std::to_string(c.attr<int64_t>("num_args")));
  }
  if (bias) {
    shape_fns::require_rank(c, 2, 1, "bias");
    const int64_t n = out[0].second.dim(1), b = c.shape(2).dim(0);
    if (n >= 0 && b >= 0 && n != b) {
      throw ValueError("Dimensions must be equal, but are " + std::to_string(n) + " and " +
                       std::to_string(b) + " for " + c.what() + " with input shapes: " + c.input_shapes() +
                       ".");
    }
  }
  return out;
}

// TF's BatchMatMulV2Shape: rank >= 2, inner dimensions equal, batch
// dimensions broadcast (NumPy rules).
OutputSpecs batch_matmul_shape(const InferenceContext& c) {
  const Shape& a = c.shape(0);
  const Shape& b = c.shape(1);
  for (size_t i : {size_t{0}, size_t{1}}) {
    if (c.shape(i).rank() < 2) {
      throw ValueError("Shape must be at least rank 2 but is rank " + std::to_string(c.shape(i).rank()) +
                       " for '" + (i ? "y" : "x") + "' of " + c.what() +
                       " with input shapes: " + c.input_shapes() + ".");
    }
  }
  const bool adj_x = c.attr<bool>("adj_x"), adj_y = c.attr<bool>("adj_y");
  const int ra = a.rank(), rb = b.rank();
  const int64_t ka = a.dim(adj_x ? ra - 2 : ra - 1), kb = b.dim(adj_y ? rb - 1 : rb - 2);
  if (ka >= 0 && kb >= 0 && ka != kb) {
    throw ValueError("Dimensions must be equal, but are " + std::to_string(ka) + " and " +
                     std::to_string(kb) + " for " + c.what() + " with input shapes: " + c.input_shapes() +
                     ".");
  }
  const Shape batch_a(std::vector<int64_t>(a.dims().begin(), a.dims().end() - 2));
  const Shape batch_b(std::vector<int64_t>(b.dims().begin(), b.dims().end() - 2));
  Shape batch;
  try {
    batch = broadcast_shapes(batch_a, batch_b, c.what());
  } catch (const ValueError&) {
    throw ValueError("Batch dimensions " + batch_a.to_string() + " and " + batch_b.to_string() +
                     " do not broadcast for " + c.what() + " with input shapes: " + c.input_shapes() + ".");
  }
  std::vector<int64_t> out = batch.dims();
  out.push_back(a.dim(adj_x ? ra - 1 : ra - 2));
  out.push_back(b.dim(adj_y ? rb - 2 : rb - 1));
  return {{float32, Shape(std::move(out))}};
}

// Comparisons: broadcasting, one dtype for both inputs, bool out. Equal and
// NotEqual with incompatible_shape_error=false give a scalar (false, or true
// for NotEqual) for shapes that do not broadcast, as TF's kernels do.
OutputSpecs comparison_shape(const InferenceContext& c) {
  shape_fns::require_same_dtype(c);
  auto it = c.attrs.find("incompatible_shape_error");
  const bool strict = it == c.attrs.end() || std::get<bool>(it->second);
  try {
    return {{bool_, broadcast_shapes(c.shape(0), c.shape(1), c.what())}};
  } catch (const ValueError&) {
    if (strict) throw;
    return {{bool_, Shape{}}};
  }
}

// TF's ReductionShape. Axes that are not constants leave the output's
// dimensions unknown (the kernel works them out from the run's axes); its
// rank must still be known, which it is unless keep_dims is false and the
// number of axes is unknown (UnimplementedError: minitf shapes have a rank).
OutputSpecs reduction_shape(const InferenceContext& c) {
  const Shape& in = c.shape(0);
  const Shape& axes_shape = c.shape(1);
  if (axes_shape.rank() > 1) {
    throw ValueError("Shape must be at most rank 1 but is rank " + std::to_string(axes_shape.rank()) +
                     " for 'reduction_indices' of " + c.what() + " with input shapes: " + c.input_shapes() +
                     ".");
  }
  const DType dtype = c.inputs[0].first;
  const bool keep_dims = c.attr<bool>("keep_dims");
  const int rank = in.rank();
  const std::optional<std::vector<int64_t>> axes = c.ints(1);
  if (!axes) {
    if (keep_dims) return {{dtype, Shape(std::vector<int64_t>(static_cast<size_t>(rank), -1))}};
    const int64_t count = axes_shape.rank() == 0 ? 1 : axes_shape.dim(0);
    if (count < 0) {
      throw UnimplementedError("Op " + c.what() +
                               ": reduction_indices of unknown length with keep_dims=false give an output "
                               "of unknown rank, which minitf does not represent (input shapes: " +
                               c.input_shapes() + "); feed a vector of known length or keep the dims");
    }
    return {
        {dtype, Shape(std::vector<int64_t>(static_cast<size_t>(std::max<int64_t>(rank - count, 0)), -1))}};
  }
  std::set<int64_t> reduced;
  for (int64_t axis : *axes) {
    if (axis < -rank || axis >= rank) {
      throw ValueError("Invalid reduction dimension " + std::to_string(axis) + " for input with " +
                       std::to_string(rank) + " dimensions. for " + c.what() +
                       " with input shapes: " + c.input_shapes() + ".");
    }
    reduced.insert(axis < 0 ? axis + rank : axis);  // duplicates are the kernel's to refuse, as TF's
  }
  std::vector<int64_t> out;
  for (int d = 0; d < rank; ++d) {
    if (!reduced.count(d)) {
      out.push_back(in.dim(d));
    } else if (keep_dims) {
      out.push_back(1);
    }
  }
  return {{dtype, Shape(std::move(out))}};
}

// TF's ArgOpShape: the input without the dimension `dimension`.
OutputSpecs arg_reduce_shape(const InferenceContext& c) {
  shape_fns::require_rank(c, 1, 0, "'dimension'");
  const Shape& in = c.shape(0);
  const int rank = in.rank();
  const DType out_type = c.attr<DType>("output_type");
  const std::optional<std::vector<int64_t>> dim = c.ints(1);
  if (!dim) return {{out_type, Shape(std::vector<int64_t>(static_cast<size_t>(std::max(rank - 1, 0)), -1))}};
  const int64_t d = dim->at(0);
  if (d < -rank || d >= rank) {
    throw ValueError("Dimension (" + std::to_string(d) + ") must be in the range [" + std::to_string(-rank) +
                     ", " + std::to_string(rank) + "), where " + std::to_string(rank) +
                     " is the number of dimensions in the input. for " + c.what() +
                     " with input shapes: " + c.input_shapes() + ".");
  }
  std::vector<int64_t> out = in.dims();
  out.erase(out.begin() + (d < 0 ? d + rank : d));
  return {{out_type, Shape(std::move(out))}};
}

OutputSpecs cast_shape(const InferenceContext& c) {
  const DType src = c.attr<DType>("SrcT");
  if (c.inputs[0].first != src) {
    throw ValueError("Op " + c.what() + " has SrcT " + dtype_name(src) + " but an input of dtype " +
                     dtype_name(c.inputs[0].first));
  }
  return {{c.attr<DType>("DstT"), c.shape(0)}};
}

// A reduction or arg-reduction with its axes as an int32 Const inside the
// op's name scope ("Sum/reduction_indices", "ArgMax/dimension"), as TF's
// op_def_library converts a Python list; `axes_name` empty: the axes are
// every axis of `x`, a Const made before the op in the current scope (TF's
// _ReductionDims: `Const`, np.arange(rank)).
Output reduce_with_axes(const std::string& type, const OpName& name, const Output& x,
                        const std::vector<int64_t>& axes, bool scalar_axis, const char* axes_name,
                        AttrMap attrs) {
  if (x.empty()) throw ValueError("Op '" + type + "' got an empty input");
  Graph g = graph_for({x});
  const auto axes_const = [&](const std::vector<int64_t>& values, const std::string& const_name) {
    const bool fits = std::all_of(values.begin(), values.end(), [](int64_t v) {
      return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
    });
    const Shape shape = scalar_axis ? Shape{} : Shape{static_cast<int64_t>(values.size())};
    Tensor t(fits ? int32 : int64, shape);
    for (size_t i = 0; i < values.size(); ++i) {
      if (fits) {
        t.data<int32_t>()[i] = static_cast<int32_t>(values[i]);
      } else {
        t.data<int64_t>()[i] = values[i];
      }
    }
    return create_op(g, "Const", const_name, {}, {{"value", t}, {"dtype", t.dtype()}}).output(0);
  };
  if (!axes_name) {
    std::vector<int64_t> all(static_cast<size_t>(x.shape().rank()));
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
    Output c = axes_const(all, "Const");
    return create_op(g, type, name.empty() ? type : name.str(), {x, c}, std::move(attrs)).output(0);
  }
  const std::string scope = g.unique_name(name.empty() ? type : name.str());
  Output c = axes_const(axes, scope + "/" + axes_name + "/");
  return create_op(g, type, scope + "/", {x, c}, std::move(attrs)).output(0);
}

}  // namespace

void register_math_ops(const AddOp& add, const AddFusion& add_fusion) {
  add(OpDef("MatMul")
          .input("a", {float32})
          .input("b", {float32})
          .output("product")
          .attr("transpose_a", false)
          .attr("transpose_b", false)
          .shape_fn(matmul_shape));
  add(OpDef("_FusedMatMul")
          .input("a", {float32})
          .input("b", {float32})
          .input_list("args", "num_args", {float32})
          .output("product")
          .attr("transpose_a", false)
          .attr("transpose_b", false)
          .attr("fused_ops", std::vector<std::string>{})
          .attr("num_args", int64_t{0})
          .attr("epsilon", 0.0001f)  // TF's attributes; minitf fuses BiasAdd and Relu
          .attr("leakyrelu_alpha", 0.2f)
          .shape_fn(fused_matmul_shape));
  add_fusion(FusionRule{"MatMul", "_FusedMatMul", {"BiasAdd", "Add", "AddV2"}, {"Relu"}});
  struct Binary {
    const char* type;
    bool commutative;
  };
  for (const Binary& b : {Binary{"Add", true}, Binary{"AddV2", true}, Binary{"Sub", false},
                          Binary{"Mul", true}, Binary{"RealDiv", false}, Binary{"Maximum", true},
                          Binary{"Minimum", true}, Binary{"SquaredDifference", true}, Binary{"Pow", false}}) {
    OpDef def = OpDef(b.type)
                    .input("x", {float32})
                    .input("y", {float32})
                    .output("z")
                    .set_elementwise()
                    .shape_fn(broadcast_shape);
    def.commutative = b.commutative;
    add(std::move(def));
  }
  // TF.js's Prelu (Keras PReLU as one op): x < 0 ? alpha * x : x, alpha broadcast to x.
  add(OpDef("Prelu")
          .input("x", {float32})
          .input("alpha", {float32})
          .output("y")
          .set_elementwise()
          .shape_fn([](const InferenceContext& c) {
            OutputSpecs out = broadcast_shape(c);
            if (out[0].second.rank() != c.shape(0).rank() || !out[0].second.compatible_with(c.shape(0))) {
              throw ValueError("Op " + c.what() + " needs alpha that broadcasts to x's shape, got x " +
                               c.shape(0).to_string() + " and alpha " + c.shape(1).to_string());
            }
            return out;
          }));
  add(OpDef("AddN")
          .input_list("inputs", "N", {float32, int32, int64})
          .output("sum")
          .attr("N", AttrType::kInt)
          .set_elementwise()
          .shape_fn(add_n_shape));
  for (const char* type : {"Neg", "Abs", "Square", "Sqrt", "Rsqrt", "Exp", "Log", "Sigmoid", "Tanh"}) {
    add(OpDef(type).input("x", {float32}).output("y").set_elementwise().shape_fn(shape_fns::same_as_first));
  }
  add(OpDef("BatchMatMulV2")
          .input("x", {float32})
          .input("y", {float32})
          .output("output")
          .attr("adj_x", false)
          .attr("adj_y", false)
          .shape_fn(batch_matmul_shape));
  for (const char* type : {"Equal", "NotEqual"}) {
    add(OpDef(type)
            .input("x", {float32, int32, int64, bool_})
            .input("y", {float32, int32, int64, bool_})
            .output("z")
            .attr("incompatible_shape_error", true)
            .set_elementwise()
            .set_commutative()
            .shape_fn(comparison_shape));
  }
  for (const char* type : {"Less", "LessEqual", "Greater", "GreaterEqual"}) {
    add(OpDef(type)
            .input("x", {float32, int32, int64})
            .input("y", {float32, int32, int64})
            .output("z")
            .set_elementwise()
            .shape_fn(comparison_shape));
  }
  add(OpDef("Cast")
          .input("x")
          .output("y")
          .attr("SrcT", AttrType::kType)
          .attr("DstT", AttrType::kType)
          .attr("Truncate", false)
          .set_elementwise()
          .shape_fn(cast_shape));
  for (const char* type : {"Sum", "Mean", "Max", "Min", "Prod"}) {
    add(OpDef(type)
            .input("input", {float32, int32, int64})
            .input("reduction_indices", {int32, int64})
            .output("output")
            .attr("keep_dims", false)
            .type_attr("reduction_indices", "Tidx")
            .shape_fn(reduction_shape));
  }
  for (const char* type : {"ArgMax", "ArgMin"}) {
    add(OpDef(type)
            .input("input", {float32, int32, int64})
            .input("dimension", {int32, int64})
            .output("output")
            .attr("output_type", int64, {int32, int64})
            .type_attr("dimension", "Tidx")
            .shape_fn(arg_reduce_shape));
  }
}

Output add_n(const std::vector<Output>& inputs, const OpName& name) {
  if (inputs.empty()) throw ValueError("add_n needs at least one input");
  return make_op("AddN", name, "AddN", inputs, {{"N", static_cast<int64_t>(inputs.size())}});
}

Output add(const Output& a, const Output& b, const OpName& name) {
  return make_op("Add", name, "Add", {a, b});
}
Output subtract(const Output& a, const Output& b, const OpName& name) {
  return make_op("Sub", name, "Sub", {a, b});
}
Output multiply(const Output& a, const Output& b, const OpName& name) {
  return make_op("Mul", name, "Mul", {a, b});
}
Output divide(const Output& a, const Output& b, const OpName& name) {
  return make_op("RealDiv", name, "truediv", {a, b});
}
Output maximum(const Output& a, const Output& b, const OpName& name) {
  return make_op("Maximum", name, "Maximum", {a, b});
}
Output minimum(const Output& a, const Output& b, const OpName& name) {
  return make_op("Minimum", name, "Minimum", {a, b});
}
Output squared_difference(const Output& a, const Output& b, const OpName& name) {
  return make_op("SquaredDifference", name, "SquaredDifference", {a, b});
}
Output pow(const Output& a, const Output& b, const OpName& name) {
  return make_op("Pow", name, "Pow", {a, b});
}

Output matmul(const Output& a, const Output& b, bool transpose_a, bool transpose_b, const OpName& name) {
  if (!a.empty() && !b.empty() && (a.shape().rank() > 2 || b.shape().rank() > 2)) {
    return make_op("BatchMatMulV2", name, "MatMul", {a, b}, {{"adj_x", transpose_a}, {"adj_y", transpose_b}});
  }
  return make_op("MatMul", name, "MatMul", {a, b},
                 {{"transpose_a", transpose_a}, {"transpose_b", transpose_b}});
}

namespace {

// Sum, Mean, Max, Min, Prod: empty axes reduce every axis (an unnamed
// "Const"), explicit ones become "<op>/reduction_indices", as tf.reduce_* does.
Output reduction(const std::string& type, const Output& x, const std::vector<int64_t>& axes, bool keep_dims,
                 const OpName& name) {
  return reduce_with_axes(type, name, x, axes, false, axes.empty() ? nullptr : "reduction_indices",
                          {{"keep_dims", keep_dims}});
}

}  // namespace

Output reduce_sum(const Output& x, const std::vector<int64_t>& axes, bool keep_dims, const OpName& name) {
  return reduction("Sum", x, axes, keep_dims, name);
}
Output reduce_mean(const Output& x, const std::vector<int64_t>& axes, bool keep_dims, const OpName& name) {
  return reduction("Mean", x, axes, keep_dims, name);
}
Output reduce_max(const Output& x, const std::vector<int64_t>& axes, bool keep_dims, const OpName& name) {
  return reduction("Max", x, axes, keep_dims, name);
}
Output reduce_min(const Output& x, const std::vector<int64_t>& axes, bool keep_dims, const OpName& name) {
  return reduction("Min", x, axes, keep_dims, name);
}
Output reduce_prod(const Output& x, const std::vector<int64_t>& axes, bool keep_dims, const OpName& name) {
  return reduction("Prod", x, axes, keep_dims, name);
}
Output argmax(const Output& x, int64_t axis, DType output_type, const OpName& name) {
  return reduce_with_axes("ArgMax", name, x, {axis}, true, "dimension", {{"output_type", output_type}});
}
Output argmin(const Output& x, int64_t axis, DType output_type, const OpName& name) {
  return reduce_with_axes("ArgMin", name, x, {axis}, true, "dimension", {{"output_type", output_type}});
}

Output cast(const Output& x, DType dtype, const OpName& name) {
  if (!x.empty() && x.dtype() == dtype) return x;  // tf.cast adds no op then
  return make_op("Cast", name, "Cast", {x}, {{"SrcT", x.empty() ? dtype : x.dtype()}, {"DstT", dtype}});
}

Output equal(const Output& a, const Output& b, const OpName& name) {
  return make_op("Equal", name, "Equal", {a, b});
}
Output not_equal(const Output& a, const Output& b, const OpName& name) {
  return make_op("NotEqual", name, "NotEqual", {a, b});
}
Output less(const Output& a, const Output& b, const OpName& name) {
  return make_op("Less", name, "Less", {a, b});
}
Output less_equal(const Output& a, const Output& b, const OpName& name) {
  return make_op("LessEqual", name, "LessEqual", {a, b});
}
Output greater(const Output& a, const Output& b, const OpName& name) {
  return make_op("Greater", name, "Greater", {a, b});
}
Output greater_equal(const Output& a, const Output& b, const OpName& name) {
  return make_op("GreaterEqual", name, "GreaterEqual", {a, b});
}

Output negative(const Output& x, const OpName& name) { return make_op("Neg", name, "Neg", {x}); }
Output abs(const Output& x, const OpName& name) { return make_op("Abs", name, "Abs", {x}); }
Output square(const Output& x, const OpName& name) { return make_op("Square", name, "Square", {x}); }
Output sqrt(const Output& x, const OpName& name) { return make_op("Sqrt", name, "Sqrt", {x}); }
Output rsqrt(const Output& x, const OpName& name) { return make_op("Rsqrt", name, "Rsqrt", {x}); }
Output exp(const Output& x, const OpName& name) { return make_op("Exp", name, "Exp", {x}); }
Output log(const Output& x, const OpName& name) { return make_op("Log", name, "Log", {x}); }
Output sigmoid(const Output& x, const OpName& name) { return make_op("Sigmoid", name, "Sigmoid", {x}); }
Output tanh(const Output& x, const OpName& name) { return make_op("Tanh", name, "Tanh", {x}); }

Output operator+(const Output& a, const Output& b) { return make_op("AddV2", "", "add", {a, b}); }
Output operator+(float a, const Output& b) { return binary_with_scalar("AddV2", "add", b, a, true); }
Output operator+(const Output& a, float b) { return binary_with_scalar("AddV2", "add", a, b, false); }
Output operator-(const Output& a, const Output& b) { return make_op("Sub", "", "sub", {a, b}); }
Output operator-(float a, const Output& b) { return binary_with_scalar("Sub", "sub", b, a, true); }
Output operator-(const Output& a, float b) { return binary_with_scalar("Sub", "sub", a, b, false); }
Output operator*(const Output& a, const Output& b) { return make_op("Mul", "", "mul", {a, b}); }
Output operator*(float a, const Output& b) { return binary_with_scalar("Mul", "mul", b, a, true); }
Output operator*(const Output& a, float b) { return binary_with_scalar("Mul", "mul", a, b, false); }
Output operator/(const Output& a, const Output& b) { return make_op("RealDiv", "", "truediv", {a, b}); }
Output operator/(float a, const Output& b) { return binary_with_scalar("RealDiv", "truediv", b, a, true); }
Output operator/(const Output& a, float b) { return binary_with_scalar("RealDiv", "truediv", a, b, false); }
Output operator-(const Output& x) { return make_op("Neg", "", "Neg", {x}); }
// Python reflects `2.0 < x` to `x.__gt__(2.0)`: a Greater with the scalar as y.
Output operator<(const Output& a, const Output& b) { return make_op("Less", "", "Less", {a, b}); }
Output operator<(float a, const Output& b) { return binary_with_scalar("Greater", "Greater", b, a, false); }
Output operator<(const Output& a, float b) { return binary_with_scalar("Less", "Less", a, b, false); }
Output operator<=(const Output& a, const Output& b) { return make_op("LessEqual", "", "LessEqual", {a, b}); }
Output operator<=(float a, const Output& b) {
  return binary_with_scalar("GreaterEqual", "GreaterEqual", b, a, false);
}
Output operator<=(const Output& a, float b) {
  return binary_with_scalar("LessEqual", "LessEqual", a, b, false);
}
Output operator>(const Output& a, const Output& b) { return make_op("Greater", "", "Greater", {a, b}); }
Output operator>(float a, const Output& b) { return binary_with_scalar("Less", "Less", b, a, false); }
Output operator>(const Output& a, float b) { return binary_with_scalar("Greater", "Greater", a, b, false); }
Output operator>=(const Output& a, const Output& b) {
  return make_op("GreaterEqual", "", "GreaterEqual", {a, b});
}
Output operator>=(float a, const Output& b) {
  return binary_with_scalar("LessEqual", "LessEqual", b, a, false);
}
Output operator>=(const Output& a, float b) {
  return binary_with_scalar("GreaterEqual", "GreaterEqual", a, b, false);
}

}  // namespace minitf
