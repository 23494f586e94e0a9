// Array kernels: the views (Reshape, Squeeze, ExpandDims, StopGradient give
// their input's buffer a new shape, no copy), Shape, and the copies
// (Transpose, ConcatV2, Pack, Split, SplitV, Unpack, Tile, Pad, PadV2,
// MirrorPad, Slice, StridedSlice), for every dtype. An output's shape may
// depend on an input's value (a fed shape, a computed axis), which the plan
// may not know: every kernel works its output shapes out from this run's
// inputs, checks them as the op's shape function does, and allocates them
// itself (the arena's buffer when the plan knew the shape).
#include <algorithm>
#include <cstring>
#include <limits>

#include <minitf/graph/slicing.h>

#include "eigen_device.h"
#include "kernels_internal.h"

namespace minitf::kernels {
namespace {

using Ints = std::vector<int64_t>;

std::string ints_str(const Ints& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

// An InvalidArgumentError naming the op and this run's input shapes.
[[noreturn]] void fail(const OpKernel& k, const KernelContext& ctx, const std::string& message) {
  std::string shapes;
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    shapes += (i ? ", " : "") + ctx.input(i).shape().to_string();
  }
  throw InvalidArgumentError(message + " for " + k.what() + " with input shapes: " + shapes + ".");
}

// f(), a rule of graph/slicing.h, its ValueError made this op's InvalidArgumentError.
template <class F>
auto rule(const OpKernel& k, const KernelContext& ctx, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const ValueError& e) {
    fail(k, ctx, e.what());
  }
}

Ints ints_of(const Tensor& t) {
  Ints v;
  if (t.dtype() == int32) {
    for (int32_t x : t.data<int32_t>()) v.push_back(x);
  } else {
    for (int64_t x : t.data<int64_t>()) v.push_back(x);
  }
  return v;
}

// The values of input `i`, a vector of `length` ints (-1: any length).
Ints vector_input(const OpKernel& k, const KernelContext& ctx, size_t i, int64_t length, const char* what) {
  const Shape& s = ctx.input(i).shape();
  if (s.rank() != 1 || (length >= 0 && s.dim(0) != length)) {
    fail(k, ctx,
         std::string(what) + " must be a vector" +
             (length >= 0 ? " of " + std::to_string(length) + " values" : "") + ", got shape " +
             s.to_string());
  }
  return ints_of(ctx.input(i));
}

int64_t scalar_input(const OpKernel& k, const KernelContext& ctx, size_t i, const char* what) {
  if (ctx.input(i).num_elements() != 1) {
    fail(k, ctx,
         std::string(what) + " must hold a single value, got shape " + ctx.input(i).shape().to_string());
  }
  return ints_of(ctx.input(i))[0];
}

int64_t axis_in(const OpKernel& k, const KernelContext& ctx, int64_t axis, int64_t rank, const char* what) {
  return rule(k, ctx, [&] { return canonical_axis(axis, rank, what); });
}

// A shape whose element count fits in int64.
Shape checked(const OpKernel& k, const KernelContext& ctx, Ints dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (__builtin_mul_overflow(n, d, &n)) fail(k, ctx, "Output shape " + ints_str(dims) + " is too large");
  }
  return Shape(std::move(dims));
}

Ints row_major_strides(const Shape& s) {
  Ints st(static_cast<size_t>(s.rank()), 1);
  for (int d = s.rank() - 2; d >= 0; --d)
    st[static_cast<size_t>(d)] = st[static_cast<size_t>(d) + 1] * s.dim(d + 1);
  return st;
}

int64_t product(const Ints& dims, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t d = from; d < to; ++d) n *= dims[d];
  return n;
}

// f(row) for each of `rows` rows of `row_elements` elements: on the session's
// threads when the whole is large, inline otherwise.
template <class F>
void for_rows(const KernelContext& ctx, int64_t rows, int64_t row_elements, F f) {
  if (ctx.num_threads <= 1 || rows < 2 || rows * row_elements <= kInlineElements) {
    for (int64_t r = 0; r < rows; ++r) f(r);
    return;
  }
  const auto bytes = static_cast<double>(row_elements) * 4;
  ctx.device.impl().device.parallelFor(rows,
                                       Eigen::TensorOpCost(bytes, bytes, static_cast<double>(row_elements)),
                                       [&f](Eigen::Index begin, Eigen::Index end) {
                                         for (Eigen::Index r = begin; r < end; ++r) f(r);
                                       });
}

// out = in[base + sum_d i_d * step[d]] over the output positions i of `dims`
// (row-major): Transpose, Slice and StridedSlice.
void gather(const KernelContext& ctx, const Tensor& in, Tensor& out, const Ints& dims, const Ints& step,
            int64_t base) {
  if (out.num_elements() == 0) return;
  with_dtype(in.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* src = static_cast<const T*>(in.raw());
    T* dst = static_cast<T*>(out.raw());
    if (dims.empty()) {
      dst[0] = src[base];
      return;
    }
    const size_t r = dims.size();
    const int64_t inner = dims[r - 1], inner_step = step[r - 1];
    for_rows(ctx, out.num_elements() / inner, inner, [&](int64_t row) {
      int64_t offset = base;
      for (size_t d = r - 1, rest = static_cast<size_t>(row); d-- > 0;) {
        offset += static_cast<int64_t>(rest % static_cast<size_t>(dims[d])) * step[d];
        rest /= static_cast<size_t>(dims[d]);
      }
      T* o = dst + row * inner;
      if (inner_step == 1) {
        std::copy(src + offset, src + offset + inner, o);
      } else {
        for (int64_t j = 0; j < inner; ++j) o[j] = src[offset + j * inner_step];
      }
    });
  });
}

// ---- views ----

Shape reshape_shape(const OpKernel& k, const KernelContext& ctx) {
  Ints out = vector_input(k, ctx, 1, -1, "shape");
  const int64_t n = ctx.input(0).num_elements();
  int unknown = -1;
  int64_t known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (unknown >= 0) {
        fail(k, ctx,
             "Only one input size may be -1, not both " + std::to_string(unknown) + " and " +
                 std::to_string(i) + " in shape " + ints_str(out));
      }
      unknown = static_cast<int>(i);
    } else if (out[i] < 0) {
      fail(k, ctx, "Size " + std::to_string(i) + " must be non-negative, not " + std::to_string(out[i]));
    } else if (__builtin_mul_overflow(known, out[i], &known)) {
      fail(k, ctx, "Shape " + ints_str(out) + " has too many elements");
    }
  }
  if (unknown >= 0 && known > 0 && n % known == 0) out[static_cast<size_t>(unknown)] = n / known;
  if ((unknown < 0 && known != n) || (unknown >= 0 && (known == 0 || n % known != 0))) {
    fail(k, ctx,
         "Cannot reshape a tensor with " + std::to_string(n) + " elements to shape " + ints_str(out) + " (" +
             std::to_string(known) + " elements" + (unknown >= 0 ? " and one unknown dimension" : "") + ")");
  }
  return Shape(std::move(out));
}

Shape squeeze_shape(const OpKernel& k, const KernelContext& ctx) {
  const Shape& in = ctx.input(0).shape();
  const Ints& axes = k.node().attr<Ints>("squeeze_dims");
  std::vector<bool> squeeze(static_cast<size_t>(in.rank()), axes.empty());
  if (!axes.empty()) {
    for (int64_t a : axes) squeeze[static_cast<size_t>(axis_in(k, ctx, a, in.rank(), "Squeeze dim"))] = true;
  }
  Ints out;
  for (int d = 0; d < in.rank(); ++d) {
    if (!squeeze[static_cast<size_t>(d)] || (axes.empty() && in.dim(d) != 1)) {
      out.push_back(in.dim(d));
    } else if (in.dim(d) != 1) {
      fail(k, ctx,
           "Can not squeeze dim[" + std::to_string(d) + "], expected a dimension of 1, got " +
               std::to_string(in.dim(d)));
    }
  }
  return Shape(std::move(out));
}

Shape expand_dims_shape(const OpKernel& k, const KernelContext& ctx) {
  Ints out = ctx.input(0).shape().dims();
  const auto rank = static_cast<int64_t>(out.size());
  const int64_t dim = scalar_input(k, ctx, 1, "'dim' input");
  out.insert(out.begin() + rule(k, ctx, [&] { return expand_dims_index(dim, rank); }), 1);
  return Shape(std::move(out));
}

// A view kernel: output 0 is input 0's buffer with the shape `f` works out.
template <class F>
KernelFactory view(F f) {
  return simple_kernel(
      [f](const OpKernel& k, KernelContext& ctx) { ctx.output(0) = ctx.input(0).reshaped(f(k, ctx)); },
      false);
}

// ---- joining and cutting ----

// Copies `ins` one after another into `out`: per each of `outer` rows, each input's share.
void concat_into(const KernelContext& ctx, const std::vector<const Tensor*>& ins, Tensor& out,
                 int64_t outer) {
  if (outer == 0 || out.num_elements() == 0) return;
  const size_t es = dtype_size(out.dtype());
  Ints chunk;
  int64_t row = 0;
  for (const Tensor* in : ins) row += chunk.emplace_back(in->num_elements() / outer);
  char* dst = static_cast<char*>(out.raw());
  for_rows(ctx, outer, row, [&](int64_t o) {
    char* d = dst + static_cast<size_t>(o * row) * es;
    for (size_t i = 0; i < ins.size(); ++i) {
      const size_t bytes = static_cast<size_t>(chunk[i]) * es;
      if (bytes)
        std::memcpy(d, static_cast<const char*>(ins[i]->raw()) + static_cast<size_t>(o) * bytes, bytes);
      d += bytes;
    }
  });
}

// The inverse: `in` cut into `outs`, each taking its share of each of `outer` rows.
void split_into(const KernelContext& ctx, const Tensor& in, const std::vector<Tensor*>& outs, int64_t outer) {
  if (outer == 0 || in.num_elements() == 0) return;
  const size_t es = dtype_size(in.dtype());
  Ints chunk;
  int64_t row = 0;
  for (const Tensor* out : outs) row += chunk.emplace_back(out->num_elements() / outer);
  const char* src = static_cast<const char*>(in.raw());
  for_rows(ctx, outer, row, [&](int64_t o) {
    const char* s = src + static_cast<size_t>(o * row) * es;
    for (size_t i = 0; i < outs.size(); ++i) {
      const size_t bytes = static_cast<size_t>(chunk[i]) * es;
      if (bytes) std::memcpy(static_cast<char*>(outs[i]->raw()) + static_cast<size_t>(o) * bytes, s, bytes);
      s += bytes;
    }
  });
}

void concat(const OpKernel& k, KernelContext& ctx) {
  const size_t n = ctx.inputs.size() - 1;
  const Shape& first = ctx.input(0).shape();
  const int64_t rank = first.rank();
  if (rank == 0) fail(k, ctx, "Can't concatenate scalars (use tf.stack instead)");
  const int64_t axis_value = scalar_input(k, ctx, n, "axis");
  const auto axis = static_cast<size_t>(rule(k, ctx, [&] { return concat_axis(axis_value, rank); }));
  Ints out = first.dims();
  std::vector<const Tensor*> ins;
  for (size_t i = 0; i < n; ++i) {
    const Shape& s = ctx.input(i).shape();
    ins.push_back(&ctx.input(i));
    if (s.rank() != rank) {
      fail(k, ctx,
           "ConcatOp : Ranks of all input tensors should match: shape[0] = " + first.to_string() +
               " vs. shape[" + std::to_string(i) + "] = " + s.to_string());
    }
    for (size_t d = 0; d < out.size(); ++d) {
      if (d != axis && s.dims()[d] != out[d]) {
        fail(k, ctx,
             "ConcatOp : Dimensions of inputs should match: shape[0] = " + first.to_string() + " vs. shape[" +
                 std::to_string(i) + "] = " + s.to_string());
      }
    }
    if (i > 0) out[axis] += s.dims()[axis];  // cannot overflow: each input exists
  }
  const int64_t outer = product(out, 0, axis);
  concat_into(ctx, ins, ctx.allocate_output(0, ctx.input(0).dtype(), Shape(out)), outer);
}

void pack(const OpKernel& k, KernelContext& ctx) {
  const Shape& first = ctx.input(0).shape();
  const int64_t rank = first.rank() + 1;
  std::vector<const Tensor*> ins;
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    if (!(ctx.input(i).shape() == first)) {
      fail(k, ctx,
           "Shapes of all inputs must match: values[0].shape = " + first.to_string() + " != values[" +
               std::to_string(i) + "].shape = " + ctx.input(i).shape().to_string());
    }
    ins.push_back(&ctx.input(i));
  }
  const int64_t axis = axis_in(k, ctx, k.node().attr<int64_t>("axis"), rank, "Pack axis");
  Ints out = first.dims();
  out.insert(out.begin() + axis, static_cast<int64_t>(ins.size()));
  Tensor& o = ctx.allocate_output(0, ctx.input(0).dtype(), checked(k, ctx, out));
  concat_into(ctx, ins, o, product(out, 0, static_cast<size_t>(axis)));
}

// Split, SplitV, Unpack: `in` along `axis` into pieces of `sizes`, each of `shape` with its size at `axis`
// (Unpack: the axis removed).
void split_pieces(const KernelContext& ctx, const Tensor& in, size_t axis, const Ints& sizes,
                  bool drop_axis) {
  std::vector<Tensor*> outs;
  for (size_t i = 0; i < sizes.size(); ++i) {
    Ints dims = in.shape().dims();
    dims[axis] = sizes[i];
    if (drop_axis) dims.erase(dims.begin() + static_cast<int64_t>(axis));
    outs.push_back(&ctx.allocate_output(i, in.dtype(), Shape(std::move(dims))));
  }
  split_into(ctx, in, outs, product(in.shape().dims(), 0, axis));
}

void split(const OpKernel& k, KernelContext& ctx) {
  const Tensor& in = ctx.input(1);
  const auto num = static_cast<int64_t>(ctx.outputs.size());
  const auto axis = static_cast<size_t>(
      axis_in(k, ctx, scalar_input(k, ctx, 0, "split_dim"), in.shape().rank(), "Split axis"));
  const int64_t dim = in.shape().dims()[axis];
  split_pieces(ctx, in, axis,
               Ints(static_cast<size_t>(num), rule(k, ctx, [&] { return split_size(dim, num); })), false);
}

void split_v(const OpKernel& k, KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  Ints sizes = vector_input(k, ctx, 1, static_cast<int64_t>(ctx.outputs.size()), "size_splits");
  const auto axis = static_cast<size_t>(
      axis_in(k, ctx, scalar_input(k, ctx, 2, "split_dim"), in.shape().rank(), "Split axis"));
  const int64_t dim = in.shape().dims()[axis];
  int unknown = -1;
  int64_t sum = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1) {
      if (unknown >= 0) {
        fail(
            k, ctx,
            "Only one dimensions can have a value of -1. Second one found at dimension " + std::to_string(i));
      }
      unknown = static_cast<int>(i);
    } else if (sizes[i] < 0) {
      fail(k, ctx,
           "Split size at index " + std::to_string(i) + " must be >= 0. Got: " + std::to_string(sizes[i]));
    } else if (__builtin_add_overflow(sum, sizes[i], &sum)) {
      sum = std::numeric_limits<int64_t>::max();
    }
  }
  if ((unknown < 0 && sum != dim) || (unknown >= 0 && sum > dim)) {
    fail(k, ctx,
         "Determined shape must either match input shape along split_dim exactly if fully specified, or be "
         "less "
         "than the size of the input along split_dim if not fully specified.  Got: " +
             std::to_string(sum));
  }
  if (unknown >= 0) sizes[static_cast<size_t>(unknown)] = dim - sum;
  split_pieces(ctx, in, axis, sizes, false);
}

void unpack(const OpKernel& k, KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const auto num = static_cast<int64_t>(ctx.outputs.size());
  const auto axis =
      static_cast<size_t>(axis_in(k, ctx, k.node().attr<int64_t>("axis"), in.shape().rank(), "Unpack axis"));
  if (in.shape().dims()[axis] != num) {
    fail(k, ctx,
         "Input shape axis " + std::to_string(axis) + " must equal " + std::to_string(num) + ", got shape " +
             in.shape().to_string());
  }
  split_pieces(ctx, in, axis, Ints(static_cast<size_t>(num), 1), true);
}

void shape(const OpKernel& k, KernelContext& ctx) {
  const Shape& in = ctx.input(0).shape();
  const DType type = k.node().attr<DType>("out_type");
  Tensor& out = ctx.allocate_output(0, type, Shape{in.rank()});
  for (int d = 0; d < in.rank(); ++d) {
    if (type == int64) {
      out.data<int64_t>()[static_cast<size_t>(d)] = in.dim(d);
    } else if (in.dim(d) > std::numeric_limits<int32_t>::max()) {
      fail(k, ctx,
           "Shape output type is 32-bit but dim " + std::to_string(d) + " is " + std::to_string(in.dim(d)));
    } else {
      out.data<int32_t>()[static_cast<size_t>(d)] = static_cast<int32_t>(in.dim(d));
    }
  }
}

void transpose(const OpKernel& k, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t rank = x.shape().rank();
  const Ints perm = vector_input(k, ctx, 1, rank, "perm");
  const Ints st = row_major_strides(x.shape());
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  Ints dims, step;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[static_cast<size_t>(p)]) {
      fail(k, ctx, "perm " + ints_str(perm) + " is not a permutation of [0, " + std::to_string(rank) + ")");
    }
    seen[static_cast<size_t>(p)] = true;
    dims.push_back(x.shape().dim(static_cast<int>(p)));
    step.push_back(st[static_cast<size_t>(p)]);
  }
  gather(ctx, x, ctx.allocate_output(0, x.dtype(), Shape(dims)), dims, step, 0);
}

void tile(const OpKernel& k, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& in = x.shape();
  const Ints m = vector_input(k, ctx, 1, in.rank(), "multiples");
  Ints dims;
  for (size_t d = 0; d < m.size(); ++d) {
    if (m[d] < 0) {
      fail(k, ctx,
           "Expected multiples argument to be non-negative, but got multiples[" + std::to_string(d) +
               "] = " + std::to_string(m[d]));
    }
    int64_t v = 0;
    if (__builtin_mul_overflow(in.dims()[d], m[d], &v))
      fail(k, ctx, "Tile output dim " + std::to_string(d) + " overflows");
    dims.push_back(v);
  }
  Tensor& out = ctx.allocate_output(0, x.dtype(), checked(k, ctx, dims));
  if (out.num_elements() == 0) return;
  const Ints st = row_major_strides(in);
  with_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* src = static_cast<const T*>(x.raw());
    T* dst = static_cast<T*>(out.raw());
    if (dims.empty()) {
      dst[0] = src[0];
      return;
    }
    const size_t r = dims.size();
    const int64_t inner = dims[r - 1], in_inner = in.dims()[r - 1];
    for_rows(ctx, out.num_elements() / inner, inner, [&](int64_t row) {
      int64_t offset = 0;
      for (size_t d = r - 1, rest = static_cast<size_t>(row); d-- > 0;) {
        offset += static_cast<int64_t>(rest % static_cast<size_t>(dims[d])) % in.dims()[d] * st[d];
        rest /= static_cast<size_t>(dims[d]);
      }
      T* o = dst + row * inner;
      for (int64_t j = 0; j < inner; j += in_inner) std::copy(src + offset, src + offset + in_inner, o + j);
    });
  });
}

// ---- padding ----

// The input index that output index `o` reads along one dim, or -1 for the constant.
inline int64_t pad_source(int64_t o, int64_t before, int64_t dim, PadMode mode) {
  const int64_t i = o - before;
  if (i >= 0 && i < dim) return i;
  if (mode == PadMode::Constant) return -1;
  if (mode == PadMode::Reflect) return i < 0 ? -i : 2 * (dim - 1) - i;
  return i < 0 ? -i - 1 : 2 * dim - 1 - i;
}

void pad(const OpKernel& k, KernelContext& ctx, PadMode mode) {
  const Tensor& x = ctx.input(0);
  const Shape& in = x.shape();
  const int64_t rank = in.rank();
  const Shape& ps = ctx.input(1).shape();
  if (ps.rank() != 2 || ps.dim(0) != rank || ps.dim(1) != 2) {
    fail(k, ctx, "paddings must be a matrix [" + std::to_string(rank) + ",2], got " + ps.to_string());
  }
  const Ints p = ints_of(ctx.input(1));
  Ints dims, before;
  for (size_t d = 0; d < static_cast<size_t>(rank); ++d) {
    const int64_t b = p[2 * d], a = p[2 * d + 1], dim = in.dims()[d];
    rule(k, ctx, [&] { check_paddings(b, a, dim, mode); });
    int64_t v = 0;
    if (__builtin_add_overflow(dim, b, &v) || __builtin_add_overflow(v, a, &v)) {
      fail(k, ctx, "Padded dim " + std::to_string(d) + " overflows");
    }
    dims.push_back(v);
    before.push_back(b);
  }
  if (ctx.inputs.size() > 2 && ctx.input(2).num_elements() != 1) {
    fail(k, ctx, "constant_values must be a scalar, got shape " + ctx.input(2).shape().to_string());
  }
  Tensor& out = ctx.allocate_output(0, x.dtype(), checked(k, ctx, dims));
  if (out.num_elements() == 0) return;
  const Ints st = row_major_strides(in);
  with_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T value = ctx.inputs.size() > 2 ? static_cast<const T*>(ctx.input(2).raw())[0] : T{};
    const T* src = static_cast<const T*>(x.raw());
    T* dst = static_cast<T*>(out.raw());
    if (dims.empty()) {
      dst[0] = src[0];
      return;
    }
    const size_t r = dims.size();
    const int64_t inner = dims[r - 1];
    for_rows(ctx, out.num_elements() / inner, inner, [&](int64_t row) {
      T* o = dst + row * inner;
      int64_t offset = 0;
      for (size_t d = r - 1, rest = static_cast<size_t>(row); d-- > 0;) {
        const int64_t s = pad_source(static_cast<int64_t>(rest % static_cast<size_t>(dims[d])), before[d],
                                     in.dims()[d], mode);
        rest /= static_cast<size_t>(dims[d]);
        if (s < 0) {
          std::fill(o, o + inner, value);
          return;
        }
        offset += s * st[d];
      }
      for (int64_t j = 0; j < inner; ++j) {
        const int64_t s = pad_source(j, before[r - 1], in.dims()[r - 1], mode);
        o[j] = s < 0 ? value : src[offset + s];
      }
    });
  });
}

// ---- slicing ----

void slice(const OpKernel& k, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& in = x.shape();
  if (ctx.input(1).shape() != Shape{in.rank()} || ctx.input(2).shape() != Shape{in.rank()}) {
    fail(k, ctx,
         "Expected begin and size arguments to be 1-D tensors of size " + std::to_string(in.rank()) +
             ", but got shapes " + ctx.input(1).shape().to_string() + " and " +
             ctx.input(2).shape().to_string() + " instead");
  }
  const Ints begin = ints_of(ctx.input(1));
  const Ints size = rule(k, ctx, [&] { return slice_sizes(in, begin, ints_of(ctx.input(2))); });
  const Ints st = row_major_strides(in);
  int64_t base = 0;
  for (size_t d = 0; d < begin.size(); ++d) base += begin[d] * st[d];
  gather(ctx, x, ctx.allocate_output(0, x.dtype(), Shape(size)), size, st, base);
}

// StridedSlice: the spec made dense over the input's dims by
// strided_slice_dense (graph/slicing.h, shared with the shape function), the
// output gathered from each dim's canonical begin and stride.
void strided_slice(const OpKernel& k, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& in = x.shape();
  const int64_t n = ctx.input(3).num_elements();
  for (size_t i : {1, 2, 3}) {
    if (ctx.input(i).shape() != Shape{n}) {
      fail(k, ctx,
           "Expected begin, end, and strides to be 1D equal size tensors, but got shapes " +
               ctx.input(1).shape().to_string() + ", " + ctx.input(2).shape().to_string() + ", and " +
               ctx.input(3).shape().to_string() + " instead");
    }
  }
  if (n >= 32) fail(k, ctx, "StridedSlice takes at most 31 slice dimensions, got " + std::to_string(n));
  const auto mask = [&](const char* key) { return static_cast<uint32_t>(k.node().attr<int64_t>(key)); };
  const StridedSliceSpec spec{n,
                              ints_of(ctx.input(1)),
                              ints_of(ctx.input(2)),
                              ints_of(ctx.input(3)),
                              mask("begin_mask"),
                              mask("end_mask"),
                              mask("ellipsis_mask"),
                              mask("new_axis_mask"),
                              mask("shrink_axis_mask")};
  const DenseSlice dense = rule(k, ctx, [&] { return strided_slice_dense(in, spec); });
  const Ints st = row_major_strides(in);
  Ints processing, step;
  int64_t base = 0;
  for (size_t i = 0; i < dense.dims.size(); ++i) {
    const SliceDim& d = dense.dims[i];
    processing.push_back(d.size);
    step.push_back(d.stride * st[i]);
    if (d.size > 0) base += d.begin * st[i];
  }
  Tensor& out = ctx.allocate_output(0, x.dtype(), Shape(dense.output_dims));
  if (std::find(processing.begin(), processing.end(), 0) != processing.end()) return;
  Tensor flat = out.reshaped(Shape(processing));  // the same buffer, seen with the processing shape
  gather(ctx, x, flat, processing, step, base);
}

}  // namespace

void register_array_kernels(KernelRegistry& r) {
  r.add("Reshape", view(reshape_shape));
  r.add("Squeeze", view(squeeze_shape));
  r.add("ExpandDims", view(expand_dims_shape));
  r.add("StopGradient",
        simple_kernel([](const OpKernel&, KernelContext& ctx) { ctx.output(0) = ctx.input(0); }, false));
  r.add("Shape", simple_kernel(shape));
  r.add("Transpose", simple_kernel(transpose));
  r.add("ConcatV2", simple_kernel(concat));
  r.add("Pack", simple_kernel(pack));
  r.add("Split", simple_kernel(split));
  r.add("SplitV", simple_kernel(split_v));
  r.add("Unpack", simple_kernel(unpack));
  r.add("Tile", simple_kernel(tile));
  r.add("Pad", simple_kernel([](const OpKernel& k, KernelContext& ctx) { pad(k, ctx, PadMode::Constant); }));
  r.add("PadV2",
        simple_kernel([](const OpKernel& k, KernelContext& ctx) { pad(k, ctx, PadMode::Constant); }));
  r.add("MirrorPad", simple_kernel([](const OpKernel& k, KernelContext& ctx) {
          pad(k, ctx,
              k.node().attr<std::string>("mode") == "REFLECT" ? PadMode::Reflect : PadMode::Symmetric);
        }));
  r.add("Slice", simple_kernel(slice));
  r.add("StridedSlice", simple_kernel(strided_slice));
}

}  // namespace minitf::kernels
