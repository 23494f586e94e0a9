// Arrays: Placeholder, Const, Identity, Fill, the shape ops (Reshape,
// Squeeze, ExpandDims, Transpose, Shape, StopGradient), joining and cutting
// (ConcatV2, Split, SplitV, Pack, Unpack, Tile, Pad, PadV2, MirrorPad, Slice,
// StridedSlice), and their builders. Shape rules are TF's (core/ops/array_ops.cc);
// a dimension that an input's value decides is -1 while that value is not a
// constant, and the kernel works it out at run time.
#include <algorithm>
#include <cctype>
#include <limits>

#include <minitf/graph/slicing.h>
#include <minitf/ops/ops.h>

#include "families.h"

namespace minitf {
namespace {

using shape_fns::require_rank;
using Ints = std::vector<int64_t>;

const std::vector<DType> kIndexTypes = {int32, int64};

// "[2,-1,3]": a shape as its value was given (TF prints shape values so).
std::string ints_str(const Ints& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

[[noreturn]] void fail(const InferenceContext& c, const std::string& message) {
  throw ValueError(message + " for " + c.what() + " with input shapes: " + c.input_shapes() + ".");
}

// f(), a rule of graph/slicing.h, its ValueError given this op's name and input shapes.
template <class F>
auto rule(const InferenceContext& c, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const ValueError& e) {
    fail(c, e.what());
  }
}

// TF's "Dimension must be 2 but is 3": a known dim of input `i` checked against `want`.
void require_dim(const InferenceContext& c, size_t i, int d, int64_t want) {
  const int64_t got = c.shape(i).dim(d);
  if (got >= 0 && got != want) {
    fail(c, "Dimension must be " + std::to_string(want) + " but is " + std::to_string(got));
  }
}

// a * b and a + b for dims (-1 unknown); ValueError when the result overflows.
int64_t mul_dims(const InferenceContext& c, int64_t a, int64_t b) {
  if (a == 0 || b == 0) return 0;
  if (a < 0 || b < 0) return -1;
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) {
    fail(c, "Dimension " + std::to_string(a) + " * " + std::to_string(b) + " overflows int64");
  }
  return r;
}
int64_t add_dims(const InferenceContext& c, int64_t a, int64_t b) {
  if (a < 0 || b < 0) return -1;
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    fail(c, "Dimension " + std::to_string(a) + " + " + std::to_string(b) + " overflows int64");
  }
  return r;
}

// A result shape, refused when its element count overflows.
Shape checked(const InferenceContext& c, Ints dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d >= 0 && __builtin_mul_overflow(n, d, &n))
      fail(c, "Output shape " + ints_str(dims) + " is too large");
  }
  return Shape(std::move(dims));
}

// An attribute that TF bounds from below (N >= 2 for ConcatV2).
int64_t int_attr_at_least(const InferenceContext& c, const std::string& key, int64_t minimum) {
  const int64_t v = c.attr<int64_t>(key);
  if (v < minimum) {
    throw ValueError("Value for attr '" + key + "' of " + std::to_string(v) + " must be at least minimum " +
                     std::to_string(minimum) + " for " + c.what());
  }
  // Output lists beyond this are not made (see expand() in op_def.cpp).
  if (v > (1 << 16)) {
    throw ValueError("Value for attr '" + key + "' of " + std::to_string(v) +
                     " is more than minitf's 65536 for " + c.what());
  }
  return v;
}

// An axis in [-rank, rank), made non-negative.
int64_t axis_in(const InferenceContext& c, int64_t axis, int64_t rank, const std::string& what) {
  return rule(c, [&] { return canonical_axis(axis, rank, what); });
}

// The single int of a scalar (or one-element) input, or nullopt when not a constant.
std::optional<int64_t> scalar_int(const InferenceContext& c, size_t i) {
  auto v = c.ints(i);
  if (!v) return std::nullopt;
  if (v->size() != 1) fail(c, "Input " + std::to_string(i) + " must hold a single value");
  return (*v)[0];
}

// Input `i` is a vector whose length is the output's rank; the rank minitf must know.
int64_t vector_length(const InferenceContext& c, size_t i, const char* what) {
  require_rank(c, i, 1, what);
  const int64_t n = c.shape(i).dim(0);
  if (n < 0) {
    throw UnimplementedError("Op " + c.what() + ": the length of " + what +
                             " is unknown, so the output's rank is unknown, which minitf's shapes cannot "
                             "express; give it a known length");
  }
  return n;
}

Ints unknown_dims(int64_t rank) { return Ints(static_cast<size_t>(rank), -1); }

void require_same_dtype(const InferenceContext& c, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    if (c.inputs[i].first != c.inputs[from].first) {
      fail(c, std::string("Inputs must have one dtype, got ") + dtype_name(c.inputs[from].first) + " and " +
                  dtype_name(c.inputs[i].first));
    }
  }
}

// Two shapes merged dim by dim (TF's Merge): equal rank, known dims equal.
Ints merge_shapes(const InferenceContext& c, const Shape& a, const Shape& b, const std::string& note) {
  if (a.rank() != b.rank()) {
    fail(c, "Shapes must be equal rank, but are " + std::to_string(a.rank()) + " and " +
                std::to_string(b.rank()) + note);
  }
  Ints out = a.dims();
  for (int d = 0; d < a.rank(); ++d) {
    if (a.dim(d) >= 0 && b.dim(d) >= 0 && a.dim(d) != b.dim(d)) {
      fail(c, "Dimension " + std::to_string(d) + " in both shapes must be equal, but are " +
                  std::to_string(a.dim(d)) + " and " + std::to_string(b.dim(d)) + ". Shapes are " +
                  a.to_string() + " and " + b.to_string() + "." + note);
    }
    if (out[static_cast<size_t>(d)] < 0) out[static_cast<size_t>(d)] = b.dim(d);
  }
  return out;
}

OutputSpecs fill_shape(const InferenceContext& c) {
  const Shape& s = c.attr<Shape>("shape");
  if (!s.fully_defined()) {
    throw ValueError("Op " + c.what() + " needs a fully defined shape, got " + s.to_string());
  }
  return shape_fns::from_attrs(c);
}

OutputSpecs reshape_shape(const InferenceContext& c) {
  const int64_t rank = vector_length(c, 1, "shape");
  const auto v = c.ints(1);
  if (!v) return {{c.inputs[0].first, Shape(unknown_dims(rank))}};
  Ints out = *v;
  int unknown = -1;
  int64_t known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (unknown >= 0) {
        fail(c, "Only one input size may be -1, not both " + std::to_string(unknown) + " and " +
                    std::to_string(i) + " in shape " + ints_str(out));
      }
      unknown = static_cast<int>(i);
    } else if (out[i] < 0) {
      fail(c, "Size " + std::to_string(i) + " must be non-negative, not " + std::to_string(out[i]));
    } else {
      known = mul_dims(c, known, out[i]);
    }
  }
  const int64_t n = c.shape(0).num_elements();
  const auto cannot = [&](int64_t elements) {
    fail(c, "Cannot reshape a tensor with " + std::to_string(n) + " elements to shape " + ints_str(out) +
                " (" + std::to_string(elements) + " elements)");
  };
  if (unknown < 0) {
    if (n >= 0 && n != known) cannot(known);
  } else if (n >= 0) {
    if (known == 0) {
      if (n == 0) {
        fail(c,
             "Reshape cannot infer the missing input size for an empty tensor unless all specified "
             "input sizes are non-zero; shape " +
                 ints_str(out));
      }
      cannot(0);
    }
    if (n % known != 0) {
      fail(c, "Dimension size must be evenly divisible by " + std::to_string(known) + " but is " +
                  std::to_string(n) + "; cannot reshape a tensor with " + std::to_string(n) +
                  " elements to shape " + ints_str(out));
    }
    out[static_cast<size_t>(unknown)] = n / known;
  }
  return {{c.inputs[0].first, checked(c, std::move(out))}};
}

OutputSpecs squeeze_shape(const InferenceContext& c) {
  const Shape& in = c.shape(0);
  std::vector<bool> squeeze(static_cast<size_t>(in.rank()), false);
  const Ints& dims = c.attr<Ints>("squeeze_dims");
  for (int64_t d : dims) {
    if (d < -in.rank() || d >= in.rank()) {
      fail(c, "Tried to squeeze dim index " + std::to_string(d) + " for tensor with " +
                  std::to_string(in.rank()) + " dimensions");
    }
    squeeze[static_cast<size_t>(d < 0 ? d + in.rank() : d)] = true;
  }
  Ints out;
  for (int i = 0; i < in.rank(); ++i) {
    const int64_t d = in.dim(i);
    if (squeeze[static_cast<size_t>(i)]) {
      if (d >= 0 && d != 1) {
        fail(c, "Can not squeeze dim[" + std::to_string(i) + "], expected a dimension of 1, got " +
                    std::to_string(d));
      }
    } else if (dims.empty() && d < 0) {
      throw UnimplementedError("Op " + c.what() + " squeezes every dimension of size 1 of " + in.to_string() +
                               ", so its output's rank depends on unknown dimensions, which minitf's shapes "
                               "cannot express; name the axes to squeeze");
    } else if (!(dims.empty() && d == 1)) {
      out.push_back(d);
    }
  }
  return {{c.inputs[0].first, Shape(std::move(out))}};
}

OutputSpecs expand_dims_shape(const InferenceContext& c) {
  const Shape& in = c.shape(0);
  const int64_t n = c.shape(1).num_elements();
  if (n >= 0 && n != 1) fail(c, "'dim' input must be a tensor with a single value");
  const auto dim = scalar_int(c, 1);
  if (!dim) return {{c.inputs[0].first, Shape(unknown_dims(in.rank() + 1))}};
  Ints out = in.dims();
  out.insert(out.begin() + rule(c, [&] { return expand_dims_index(*dim, in.rank()); }), 1);
  return {{c.inputs[0].first, Shape(std::move(out))}};
}

OutputSpecs transpose_shape(const InferenceContext& c) {
  const Shape& in = c.shape(0);
  require_rank(c, 1, 1, "perm");
  require_dim(c, 1, 0, in.rank());
  const auto perm = c.ints(1);
  if (!perm) return {{c.inputs[0].first, Shape(unknown_dims(in.rank()))}};
  std::vector<bool> seen(static_cast<size_t>(in.rank()), false);
  Ints out;
  for (int64_t p : *perm) {
    if (p < 0 || p >= in.rank()) {
      fail(c, "perm " + ints_str(*perm) + ": " + std::to_string(p) + " is out of range [0 .. " +
                  std::to_string(in.rank()) + ")");
    }
    if (seen[static_cast<size_t>(p)]) fail(c, "perm " + ints_str(*perm) + " is not a permutation");
    seen[static_cast<size_t>(p)] = true;
    out.push_back(in.dim(static_cast<int>(p)));
  }
  return {{c.inputs[0].first, Shape(std::move(out))}};
}

OutputSpecs concat_shape(const InferenceContext& c) {
  const auto n = static_cast<size_t>(int_attr_at_least(c, "N", 2));
  require_same_dtype(c, 0, n);
  require_rank(c, n, 0, "axis");
  const int rank = c.shape(0).rank();
  if (rank == 0) fail(c, "Can't concatenate scalars (use tf.stack instead)");
  for (size_t i = 1; i < n; ++i) require_rank(c, i, rank, "values");
  const auto axis_value = scalar_int(c, n);
  if (!axis_value) return {{c.inputs[0].first, Shape(unknown_dims(rank))}};
  const auto axis = static_cast<size_t>(rule(c, [&] { return concat_axis(*axis_value, rank); }));
  Ints out = c.shape(0).dims();
  for (size_t i = 1; i < n; ++i) {
    const Shape& s = c.shape(i);
    for (size_t d = 0; d < out.size(); ++d) {
      const int64_t b = s.dims()[d];
      if (d == axis) {
        out[d] = add_dims(c, out[d], b);
      } else if (out[d] >= 0 && b >= 0 && out[d] != b) {
        fail(c, "Dimension " + std::to_string(d) + " in both shapes must be equal, but are " +
                    std::to_string(out[d]) + " and " + std::to_string(b) + ". Shapes are " +
                    c.shape(0).to_string() + " and " + s.to_string() + ".");
      } else if (out[d] < 0) {
        out[d] = b;
      }
    }
  }
  return {{c.inputs[0].first, checked(c, std::move(out))}};
}

// Split and SplitV: `value` along `axis`, into pieces of `sizes` (-1: unknown).
OutputSpecs split_outputs(const InferenceContext& c, size_t value, std::optional<int64_t> axis_value,
                          const std::optional<Ints>& sizes, size_t num) {
  const Shape& in = c.shape(value);
  const DType dtype = c.inputs[value].first;
  if (!axis_value) return OutputSpecs(num, {dtype, Shape(unknown_dims(in.rank()))});
  const auto axis = static_cast<int>(axis_in(c, *axis_value, in.rank(), "Split axis"));
  OutputSpecs outs;
  for (size_t i = 0; i < num; ++i) {
    Ints d = in.dims();
    d[static_cast<size_t>(axis)] = sizes ? (*sizes)[i] : -1;
    outs.emplace_back(dtype, Shape(std::move(d)));
  }
  return outs;
}

OutputSpecs split_shape(const InferenceContext& c) {
  const int64_t num = int_attr_at_least(c, "num_split", 1);
  require_rank(c, 0, 0, "split_dim");
  const auto axis = scalar_int(c, 0);
  std::optional<Ints> sizes;
  if (axis) {
    const Shape& in = c.shape(1);
    const int64_t a = axis_in(c, *axis, in.rank(), "Split axis");
    const int64_t d = in.dim(static_cast<int>(a));
    sizes = Ints(static_cast<size_t>(num), rule(c, [&] { return split_size(d, num); }));
  }
  return split_outputs(c, 1, axis, sizes, static_cast<size_t>(num));
}

OutputSpecs split_v_shape(const InferenceContext& c) {
  const int64_t num = int_attr_at_least(c, "num_split", 1);
  require_rank(c, 1, 1, "size_splits");
  require_dim(c, 1, 0, num);
  require_rank(c, 2, 0, "split_dim");
  const auto axis = scalar_int(c, 2);
  std::optional<Ints> sizes = c.ints(1);
  if (axis && sizes) {
    const Shape& in = c.shape(0);
    const int64_t total = in.dim(static_cast<int>(axis_in(c, *axis, in.rank(), "Split axis")));
    int unknown = -1;
    int64_t sum = 0;
    for (size_t i = 0; i < sizes->size(); ++i) {
      const int64_t s = (*sizes)[i];
      if (s == -1) {
        if (unknown >= 0) {
          fail(c, "Only one dimensions can have a value of -1. Second one found at dimension " +
                      std::to_string(i));
        }
        unknown = static_cast<int>(i);
      } else if (s < 0) {
        fail(c, "Split size at index " + std::to_string(i) + " must be >= 0. Got: " + std::to_string(s));
      } else {
        sum = add_dims(c, sum, s);
      }
    }
    if (total >= 0) {
      if ((unknown < 0 && sum != total) || (unknown >= 0 && sum > total)) {
        fail(c,
             "Determined shape must either match input shape along split_dim exactly if fully specified, "
             "or be less than the size of the input along split_dim if not fully specified.  Got: " +
                 std::to_string(sum));
      }
      if (unknown >= 0) (*sizes)[static_cast<size_t>(unknown)] = total - sum;
    }
  } else {
    sizes.reset();
  }
  return split_outputs(c, 0, axis, sizes, static_cast<size_t>(num));
}

OutputSpecs pack_shape(const InferenceContext& c) {
  const int64_t n = int_attr_at_least(c, "N", 1);
  require_same_dtype(c, 0, c.inputs.size());
  Ints merged = c.shape(0).dims();
  for (size_t i = 1; i < c.inputs.size(); ++i) {
    merged = merge_shapes(c, Shape(merged), c.shape(i), "\n\tFrom merging shape 0 with other shapes.");
  }
  const auto rank = static_cast<int64_t>(merged.size()) + 1;
  const int64_t axis = c.attr<int64_t>("axis");
  if (axis < -rank || axis >= rank) {
    fail(c, "Invalid axis: " + std::to_string(axis) + "; must be in [" + std::to_string(-rank) + "," +
                std::to_string(rank) + ")");
  }
  merged.insert(merged.begin() + (axis < 0 ? axis + rank : axis), n);
  return {{c.inputs[0].first, checked(c, std::move(merged))}};
}

OutputSpecs unpack_shape(const InferenceContext& c) {
  const int64_t num = int_attr_at_least(c, "num", 0);
  const Shape& in = c.shape(0);
  const int64_t axis = c.attr<int64_t>("axis");
  if (axis < -in.rank() || axis >= in.rank()) {
    fail(c, "Invalid axis: " + std::to_string(axis) + "; must be in [" + std::to_string(-in.rank()) + "," +
                std::to_string(in.rank()) + ")");
  }
  const int64_t a = axis < 0 ? axis + in.rank() : axis;
  require_dim(c, 0, static_cast<int>(a), num);
  Ints out = in.dims();
  out.erase(out.begin() + a);
  return OutputSpecs(static_cast<size_t>(num), {c.inputs[0].first, Shape(std::move(out))});
}

OutputSpecs shape_shape(const InferenceContext& c) {
  const DType out = c.attr<DType>("out_type");
  const Shape& in = c.shape(0);
  for (int d = 0; d < in.rank(); ++d) {
    if (out == int32 && in.dim(d) > std::numeric_limits<int32_t>::max()) {
      fail(c,
           "Shape output type is 32-bit but dim " + std::to_string(d) + " is " + std::to_string(in.dim(d)));
    }
  }
  return {{out, Shape{in.rank()}}};
}

OutputSpecs tile_shape(const InferenceContext& c) {
  const Shape& in = c.shape(0);
  require_rank(c, 1, 1, "multiples");
  require_dim(c, 1, 0, in.rank());
  const auto m = c.ints(1);
  if (!m) return {{c.inputs[0].first, Shape(unknown_dims(in.rank()))}};
  Ints out;
  for (size_t i = 0; i < m->size(); ++i) {
    if ((*m)[i] < 0) {
      fail(c, "Expected multiples argument to be non-negative, but got multiples[" + std::to_string(i) +
                  "] = " + std::to_string((*m)[i]));
    }
    out.push_back(mul_dims(c, in.dim(static_cast<int>(i)), (*m)[i]));
  }
  return {{c.inputs[0].first, checked(c, std::move(out))}};
}

// Pad, PadV2, MirrorPad: paddings [rank, 2] of (before, after).
OutputSpecs pad_shape(const InferenceContext& c) {
  const Shape& in = c.shape(0);
  require_rank(c, 1, 2, "paddings");
  const Shape& p = c.shape(1);
  if ((p.dim(0) >= 0 && p.dim(0) != in.rank()) || (p.dim(1) >= 0 && p.dim(1) != 2)) {
    fail(c, "paddings must be a matrix [" + std::to_string(in.rank()) +
                ",2]: its first dimension is the rank of the input, got " + p.to_string());
  }
  if (c.type == "PadV2") {
    require_rank(c, 2, 0, "constant_values");
    if (c.inputs[2].first != c.inputs[0].first) {
      fail(c, std::string("constant_values must have the input's dtype ") + dtype_name(c.inputs[0].first) +
                  ", got " + dtype_name(c.inputs[2].first));
    }
  }
  const auto pads = c.ints(1);
  if (!pads) return {{c.inputs[0].first, Shape(unknown_dims(in.rank()))}};
  const PadMode mode = c.type != "MirrorPad"                      ? PadMode::Constant
                       : c.attr<std::string>("mode") == "REFLECT" ? PadMode::Reflect
                                                                  : PadMode::Symmetric;
  Ints out;
  for (int d = 0; d < in.rank(); ++d) {
    const int64_t before = (*pads)[static_cast<size_t>(2 * d)],
                  after = (*pads)[static_cast<size_t>(2 * d + 1)];
    const int64_t dim = in.dim(d);
    rule(c, [&] { check_paddings(before, after, dim, mode); });
    out.push_back(add_dims(c, add_dims(c, dim, before), after));
  }
  return {{c.inputs[0].first, checked(c, std::move(out))}};
}

OutputSpecs slice_shape(const InferenceContext& c) {
  const Shape& in = c.shape(0);
  require_same_dtype(c, 1, 3);
  if (c.shape(1).rank() != 1 || c.shape(2).rank() != 1 ||
      (c.shape(1).dim(0) >= 0 && c.shape(1).dim(0) != in.rank()) ||
      (c.shape(2).dim(0) >= 0 && c.shape(2).dim(0) != in.rank())) {
    fail(c, "Expected begin and size arguments to be 1-D tensors of size " + std::to_string(in.rank()) +
                ", but got shapes " + c.shape(1).to_string() + " and " + c.shape(2).to_string() + " instead");
  }
  return {{c.inputs[0].first, Shape(rule(c, [&] { return slice_sizes(in, c.ints(1), c.ints(2)); }))}};
}

// StridedSlice: its spec checked here, made dense by strided_slice_dense
// (graph/slicing.h), which the kernel shares. Begin, end or strides may be
// unknown (nullopt): the dims they decide are then -1.
OutputSpecs strided_slice_shape(const InferenceContext& c) {
  const Shape& in = c.shape(0);
  require_same_dtype(c, 1, 4);
  const int64_t n = vector_length(c, 3, "strides");
  for (size_t i : {1, 2}) {
    if (c.shape(i).rank() != 1 || (c.shape(i).dim(0) >= 0 && c.shape(i).dim(0) != n)) {
      fail(c, "Expected begin, end, and strides to be 1D equal size tensors, but got shapes " +
                  c.shape(1).to_string() + ", " + c.shape(2).to_string() + ", and " + c.shape(3).to_string() +
                  " instead");
    }
  }
  if (n >= 32)
    fail(c, "StridedSlice takes at most 31 slice dimensions (32-bit masks), got " + std::to_string(n));
  const auto mask = [&](const char* key) { return static_cast<uint32_t>(c.attr<int64_t>(key)); };
  StridedSliceSpec spec{n,
                        c.ints(1),
                        c.ints(2),
                        c.ints(3),
                        mask("begin_mask"),
                        mask("end_mask"),
                        mask("ellipsis_mask"),
                        mask("new_axis_mask"),
                        mask("shrink_axis_mask")};
  return {{c.inputs[0].first, Shape(rule(c, [&] { return strided_slice_dense(in, spec); }).output_dims)}};
}

Output make_fill(const Shape& shape, DType dtype, float value, const std::string& name,
                 const std::string& default_name) {
  uint64_t ignored = 0;
  store_exact(value, dtype, &ignored,
              std::string("A fill of dtype ") + dtype_name(dtype) + " (" + default_name + ")");
  return make_op("Fill", name, default_name, {}, {{"shape", shape}, {"dtype", dtype}, {"value", value}});
}

// An op built as TF's Python builds it: a name scope ("Reshape"), the
// constants it converts named after their arguments inside it
// ("Reshape/shape"), and the op named after the scope.
class Scoped {
 public:
  Scoped(const std::vector<Output>& inputs, const std::string& name, const std::string& default_name)
      : g_(graph_for(inputs)), scope_(g_.unique_name(name.empty() ? default_name : name)) {}
  Output constant(const std::string& arg, const Tensor& value) {
    return create_op(g_, "Const", scope_ + "/" + arg + "/", {}, {{"value", value}, {"dtype", value.dtype()}})
        .output(0);
  }
  // int32, as TF converts Python ints, unless a value needs int64.
  Output ints(const std::string& arg, const Ints& values, const Shape& shape) {
    return constant(arg, int_tensor(values, shape));
  }
  Operation op(const std::string& type, std::vector<Output> inputs, AttrMap attrs = {}) {
    return create_op(g_, type, scope_ + "/", std::move(inputs), std::move(attrs));
  }
  static Tensor int_tensor(const Ints& values, const Shape& shape, bool wide = false) {
    if (wide || !fits_int32(values)) return Tensor::from<int64_t>(shape, values);
    return Tensor::from<int32_t>(shape, std::vector<int32_t>(values.begin(), values.end()));
  }
  static bool fits_int32(const Ints& values) {
    return std::all_of(values.begin(), values.end(), [](int64_t v) {
      return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
    });
  }

 private:
  Graph g_;
  std::string scope_;
};

Shape vector_shape(const Ints& v) { return Shape{static_cast<int64_t>(v.size())}; }

}  // namespace

void register_array_ops(const AddOp& add) {
  add(OpDef("Placeholder")
          .output("output")
          .attr("dtype", AttrType::kType)
          .attr("shape", AttrType::kShape)
          .shape_fn(shape_fns::from_attrs));
  add(OpDef("Const")
          .output("output")
          .attr("value", AttrType::kTensor)
          .attr("dtype", AttrType::kType)
          .set_constant_output()
          .shape_fn([](const InferenceContext& c) {
            const Tensor& t = c.attr<Tensor>("value");
            if (t.dtype() != c.attr<DType>("dtype")) {
              throw ValueError("Op " + c.what() + " has a value of dtype " + dtype_name(t.dtype()) +
                               " but attribute dtype " + dtype_name(c.attr<DType>("dtype")));
            }
            return OutputSpecs{{t.dtype(), t.shape()}};
          }));
  add(OpDef("Identity")
          .input("input")
          .output("output")
          .set_forwards(0, 0)
          .shape_fn(shape_fns::same_as_first));
  // Zeros and ones of the input's dtype and shape (tf.zeros_like, tf.ones_like): what
  // gradients use where a shape is known only when the graph runs.
  add(OpDef("ZerosLike").input("x").output("y").shape_fn(shape_fns::same_as_first));
  add(OpDef("OnesLike").input("x").output("y").shape_fn(shape_fns::same_as_first));
  add(OpDef("StopGradient")
          .input("input")
          .output("output")
          .set_forwards(0, 0)
          .shape_fn(shape_fns::same_as_first));
  add(OpDef("Fill")
          .output("output")
          .attr("shape", AttrType::kShape)
          .attr("dtype", AttrType::kType)
          .attr("value", AttrType::kFloat)
          .shape_fn(fill_shape));
  add(OpDef("Reshape")
          .input("tensor")
          .input("shape", kIndexTypes)
          .output("output")
          .type_attr("shape", "Tshape")
          .set_forwards(0, 0)
          .shape_fn(reshape_shape));
  add(OpDef("Squeeze")
          .input("input")
          .output("output")
          .attr("squeeze_dims", Ints{})
          .set_forwards(0, 0)
          .shape_fn(squeeze_shape));
  add(OpDef("ExpandDims")
          .input("input")
          .input("dim", kIndexTypes)
          .output("output")
          .type_attr("dim", "Tdim")
          .set_forwards(0, 0)
          .shape_fn(expand_dims_shape));
  add(OpDef("Transpose")
          .input("x")
          .input("perm", kIndexTypes)
          .output("y")
          .type_attr("perm", "Tperm")
          .shape_fn(transpose_shape));
  add(OpDef("ConcatV2")
          .input_list("values", "N")
          .input("axis", kIndexTypes)
          .output("output")
          .attr("N", AttrType::kInt)
          .type_attr("axis", "Tidx")
          .shape_fn(concat_shape));
  add(OpDef("Split")
          .input("split_dim", {int32})
          .input("value")
          .output_list("output", "num_split")
          .attr("num_split", AttrType::kInt)
          .type_attr("split_dim", "")
          .shape_fn(split_shape));
  add(OpDef("SplitV")
          .input("value")
          .input("size_splits", kIndexTypes)
          .input("split_dim", {int32})
          .output_list("output", "num_split")
          .attr("num_split", AttrType::kInt)
          .type_attr("size_splits", "Tlen")
          .type_attr("split_dim", "")
          .shape_fn(split_v_shape));
  add(OpDef("Pack")
          .input_list("values", "N")
          .output("output")
          .attr("N", AttrType::kInt)
          .attr("axis", int64_t{0})
          .shape_fn(pack_shape));
  add(OpDef("Unpack")
          .input("value")
          .output_list("output", "num")
          .attr("num", AttrType::kInt)
          .attr("axis", int64_t{0})
          .shape_fn(unpack_shape));
  add(OpDef("Shape")
          .input("input")
          .output("output")
          .attr("out_type", int32, {int32, int64})
          .set_shape_of_input()
          .shape_fn(shape_shape));
  add(OpDef("Tile")
          .input("input")
          .input("multiples", kIndexTypes)
          .output("output")
          .type_attr("multiples", "Tmultiples")
          .shape_fn(tile_shape));
  add(OpDef("Pad")
          .input("input")
          .input("paddings", kIndexTypes)
          .output("output")
          .type_attr("paddings", "Tpaddings")
          .shape_fn(pad_shape));
  add(OpDef("PadV2")
          .input("input")
          .input("paddings", kIndexTypes)
          .input("constant_values")
          .output("output")
          .type_attr("paddings", "Tpaddings")
          .shape_fn(pad_shape));
  add(OpDef("MirrorPad")
          .input("input")
          .input("paddings", kIndexTypes)
          .output("output")
          .attr("mode", AttrType::kString, {std::string("REFLECT"), std::string("SYMMETRIC")})
          .type_attr("paddings", "Tpaddings")
          .shape_fn(pad_shape));
  add(OpDef("Slice")
          .input("input")
          .input("begin", kIndexTypes)
          .input("size", kIndexTypes)
          .output("output")
          .type_attr("begin", "Index")
          .type_attr("size", "Index")
          .shape_fn(slice_shape));
  OpDef strided = OpDef("StridedSlice")
                      .input("input")
                      .input("begin", kIndexTypes)
                      .input("end", kIndexTypes)
                      .input("strides", kIndexTypes)
                      .output("output")
                      .type_attr("begin", "Index")
                      .type_attr("end", "Index")
                      .type_attr("strides", "Index")
                      .shape_fn(strided_slice_shape);
  for (const char* m : {"begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"}) {
    static_cast<void>(std::move(strided).attr(m, int64_t{0}));  // adds to `strided` itself
  }
  add(std::move(strided));
}

Output placeholder(DType dtype, const Shape& shape, const OpName& name) {
  return make_op("Placeholder", name, "Placeholder", {}, {{"dtype", dtype}, {"shape", shape}});
}

Output constant(const Tensor& value, const OpName& name) {
  if (value.empty()) throw ValueError("constant() needs a value, got an empty Tensor");
  return make_op("Const", name, "Const", {}, {{"value", value.clone()}, {"dtype", value.dtype()}});
}
Output constant(float value, const OpName& name) {
  return constant(Tensor::from<float>(Shape{}, {value}), name);
}
Output constant(int32_t value, const OpName& name) {
  return constant(Tensor::from<int32_t>(Shape{}, {value}), name);
}
Output constant(const std::vector<float>& values, const Shape& shape, const OpName& name) {
  return constant(Tensor::from<float>(shape, values), name);
}

Output fill(const Shape& shape, float value, DType dtype, const OpName& name) {
  return make_fill(shape, dtype, value, name, "Fill");
}
Output zeros(const Shape& shape, DType dtype, const OpName& name) {
  return make_fill(shape, dtype, 0.f, name, "zeros");
}
Output ones(const Shape& shape, DType dtype, const OpName& name) {
  return make_fill(shape, dtype, 1.f, name, "ones");
}

Output identity(const Output& x, const OpName& name) { return make_op("Identity", name, "Identity", {x}); }
Output zeros_like(const Output& x, const OpName& name) {
  return make_op("ZerosLike", name, "zeros_like", {x});
}
Output ones_like(const Output& x, const OpName& name) { return make_op("OnesLike", name, "ones_like", {x}); }
Output stop_gradient(const Output& x, const OpName& name) {
  return make_op("StopGradient", name, "StopGradient", {x});
}

Output reshape(const Output& x, const Shape& shape, const OpName& name) {
  Scoped s({x}, name, "Reshape");
  return s.op("Reshape", {x, s.ints("shape", shape.dims(), Shape{shape.rank()})}).output(0);
}
Output reshape(const Output& x, const Output& shape, const OpName& name) {
  return make_op("Reshape", name, "Reshape", {x, shape});
}

Output squeeze(const Output& x, std::vector<int64_t> axes, const OpName& name) {
  return make_op("Squeeze", name, "Squeeze", {x}, {{"squeeze_dims", std::move(axes)}});
}

Output expand_dims(const Output& x, int64_t axis, const OpName& name) {
  Scoped s({x}, name, "ExpandDims");
  return s.op("ExpandDims", {x, s.ints("dim", {axis}, Shape{})}).output(0);
}

Output transpose(const Output& x, std::vector<int64_t> perm, const OpName& name) {
  if (x.empty()) throw ValueError("transpose() got an empty input");
  if (perm.empty()) {
    for (int64_t d = x.shape().rank() - 1; d >= 0; --d) perm.push_back(d);
  }
  Scoped s({x}, name, "transpose");
  return s.op("Transpose", {x, s.ints("perm", perm, vector_shape(perm))}).output(0);
}

Output concat(std::vector<Output> values, int64_t axis, const OpName& name) {
  if (values.empty()) throw ValueError("concat() needs at least one value");
  Scoped s(values, name, "concat");
  if (values.size() == 1) {  // as TF: the value itself, after checking the axis is a scalar
    s.ints("concat_dim", {axis}, Shape{});
    return s.op("Identity", {values[0]}).output(0);
  }
  const auto n = static_cast<int64_t>(values.size());
  values.push_back(s.ints("axis", {axis}, Shape{}));
  return s.op("ConcatV2", std::move(values), {{"N", n}}).output(0);
}

std::vector<Output> detail::split_n(const Output& x, int64_t num, int64_t axis, const OpName& name) {
  Scoped s({x}, name, "split");
  return s.op("Split", {s.ints("split_dim", {axis}, Shape{}), x}, {{"num_split", num}}).outputs();
}

std::vector<Output> split(const Output& x, std::vector<int64_t> sizes, int64_t axis, const OpName& name) {
  if (sizes.empty()) throw ValueError("split() needs at least one size");
  // As TF: the sizes become a tensor before the name scope opens ("Const").
  const Output size_splits = constant(Scoped::int_tensor(sizes, vector_shape(sizes)));
  Scoped s({x}, name, "split");
  return s
      .op("SplitV", {x, size_splits, s.ints("split_dim", {axis}, Shape{})},
          {{"num_split", static_cast<int64_t>(sizes.size())}})
      .outputs();
}

Output stack(std::vector<Output> values, int64_t axis, const OpName& name) {
  if (values.empty()) throw ValueError("stack() needs at least one value");
  const int64_t rank = values[0].empty() ? 0 : values[0].shape().rank() + 1;
  if (axis < -rank || axis >= rank) {
    throw ValueError("axis = " + std::to_string(axis) + " not in [" + std::to_string(-rank) + ", " +
                     std::to_string(rank) + ")");
  }
  const auto n = static_cast<int64_t>(values.size());
  return make_op("Pack", name, "stack", std::move(values), {{"N", n}, {"axis", axis}});
}

std::vector<Output> unstack(const Output& x, int64_t axis, const OpName& name) {
  if (x.empty()) throw ValueError("unstack() got an empty input");
  const Shape& s = x.shape();
  if (axis < -s.rank() || axis >= s.rank()) {
    throw ValueError("axis = " + std::to_string(axis) + " not in [" + std::to_string(-s.rank()) + ", " +
                     std::to_string(s.rank()) + ")");
  }
  const int64_t num = s.dim(static_cast<int>(axis < 0 ? axis + s.rank() : axis));
  if (num < 0) throw ValueError("Cannot infer num from shape " + s.to_string());
  Graph g = graph_for({x});
  return create_op(g, "Unpack", name.str().empty() ? "unstack" : name.str(), {x},
                   {{"num", num}, {"axis", axis}})
      .outputs();
}

Output pad(const Output& x, const std::vector<std::pair<int64_t, int64_t>>& paddings, std::string mode,
           float constant_value, const OpName& name) {
  if (x.empty()) throw ValueError("pad() got an empty input");
  for (char& ch : mode) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  Ints flat;
  for (const auto& [before, after] : paddings) {
    flat.push_back(before);
    flat.push_back(after);
  }
  const Shape pshape{static_cast<int64_t>(paddings.size()), 2};
  if (mode == "CONSTANT" && constant_value == 0.f) {
    Scoped s({x}, name, "Pad");
    return s.op("Pad", {x, s.ints("paddings", flat, pshape)}).output(0);
  }
  if (mode == "CONSTANT") {
    Tensor value(x.dtype(), Shape{});
    store_exact(constant_value, x.dtype(), value.raw(),
                std::string("pad()'s constant_value for a tensor of dtype ") + dtype_name(x.dtype()));
    Scoped s({x}, name, "PadV2");
    Output p = s.ints("paddings", flat, pshape);
    return s.op("PadV2", {x, p, s.constant("constant_values", value)}).output(0);
  }
  if (mode != "REFLECT" && mode != "SYMMETRIC") throw ValueError("Unknown padding mode: " + mode);
  Scoped s({x}, name, "MirrorPad");
  return s.op("MirrorPad", {x, s.ints("paddings", flat, pshape)}, {{"mode", mode}}).output(0);
}

Output slice(const Output& x, std::vector<int64_t> begin, std::vector<int64_t> size, const OpName& name) {
  const bool wide = !Scoped::fits_int32(begin) || !Scoped::fits_int32(size);  // one index dtype for both
  Scoped s({x}, name, "Slice");
  Output b = s.constant("begin", Scoped::int_tensor(begin, vector_shape(begin), wide));
  return s.op("Slice", {x, b, s.constant("size", Scoped::int_tensor(size, vector_shape(size), wide))})
      .output(0);
}

Output strided_slice(const Output& x, std::vector<int64_t> begin, std::vector<int64_t> end,
                     std::vector<int64_t> strides, int begin_mask, int end_mask, int ellipsis_mask,
                     int new_axis_mask, int shrink_axis_mask, const OpName& name) {
  const bool wide = !Scoped::fits_int32(begin) || !Scoped::fits_int32(end) || !Scoped::fits_int32(strides);
  const auto tensor = [wide](const Ints& v) { return Scoped::int_tensor(v, vector_shape(v), wide); };
  Scoped s({x}, name, "StridedSlice");
  Output b = s.constant("begin", tensor(begin)), e = s.constant("end", tensor(end)),
         st = s.constant("strides", tensor(strides));
  return s
      .op("StridedSlice", {x, b, e, st},
          {{"begin_mask", int64_t{begin_mask}},
           {"end_mask", int64_t{end_mask}},
           {"ellipsis_mask", int64_t{ellipsis_mask}},
           {"new_axis_mask", int64_t{new_axis_mask}},
           {"shrink_axis_mask", int64_t{shrink_axis_mask}}})
      .output(0);
}

Output tile(const Output& x, std::vector<int64_t> multiples, const OpName& name) {
  Scoped s({x}, name, "Tile");
  return s.op("Tile", {x, s.ints("multiples", multiples, vector_shape(multiples))}).output(0);
}

Output shape(const Output& x, DType out_type, const OpName& name) {
  return make_op("Shape", name, "Shape", {x}, {{"out_type", out_type}});
}

}  // namespace minitf
