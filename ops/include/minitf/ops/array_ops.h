#pragma once
// Array builders: placeholders, constants, fills, and shape ops.
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
// tf.zeros_like / tf.ones_like: zeros (ones) of x's dtype and shape ("ZerosLike", "OnesLike").
Output zeros_like(const Output& x, const OpName& name = {});
Output ones_like(const Output& x, const OpName& name = {});
// tf.stop_gradient: the value itself (an alias, as Identity); gradients stop here.
Output stop_gradient(const Output& x, const OpName& name = {});

// tf.reshape: `shape` may hold one -1, the dimension the element count decides.
Output reshape(const Output& x, const Shape& shape, const OpName& name = {});
// tf.reshape with the shape as an int32 or int64 vector tensor (fed or computed).
Output reshape(const Output& x, const Output& shape, const OpName& name = {});
// tf.squeeze: removes the size-1 dims `axes` (negative counts from the end), or every size-1 dim.
Output squeeze(const Output& x, std::vector<int64_t> axes = {}, const OpName& name = {});
// tf.expand_dims: a size-1 dim inserted at `axis` (in [-rank-1, rank]).
Output expand_dims(const Output& x, int64_t axis, const OpName& name = {});
// tf.transpose: output dim i is input dim perm[i]; an empty perm reverses the dims.
Output transpose(const Output& x, std::vector<int64_t> perm = {}, const OpName& name = {});
// tf.shape: the dims of `x` as an int32 (or int64) vector.
Output shape(const Output& x, DType out_type = int32, const OpName& name = {});

// tf.concat: along `axis` (negative counts from the end); one value is returned as an Identity.
Output concat(std::vector<Output> values, int64_t axis, const OpName& name = {});
// tf.stack: N tensors of one shape into one with a new dim of size N at `axis`.
Output stack(std::vector<Output> values, int64_t axis = 0, const OpName& name = {});
// tf.unstack: the inverse of stack, as many outputs as x's static dim at `axis` (ValueError when unknown).
std::vector<Output> unstack(const Output& x, int64_t axis = 0, const OpName& name = {});
// tf.split into pieces of `sizes` along `axis` (SplitV); one size may be -1. A braced list picks this one.
std::vector<Output> split(const Output& x, std::vector<int64_t> sizes, int64_t axis = 0,
                          const OpName& name = {});
namespace detail {
std::vector<Output> split_n(const Output& x, int64_t num, int64_t axis, const OpName& name);
}  // namespace detail
// tf.split into `num` equal pieces along `axis` (Split).
template <std::integral N>
std::vector<Output> split(const Output& x, N num, int64_t axis = 0, const OpName& name = {}) {
  return detail::split_n(x, static_cast<int64_t>(num), axis, name);
}

// tf.pad: paddings {{before, after}, ...} per dim; mode "CONSTANT" (Pad, or PadV2 when
// constant_value is not 0), "REFLECT" or "SYMMETRIC" (MirrorPad), in any case.
Output pad(const Output& x, const std::vector<std::pair<int64_t, int64_t>>& paddings,
           std::string mode = "CONSTANT", float constant_value = 0.f, const OpName& name = {});
// tf.slice: `size` elements from `begin` per dim; a size of -1 takes the rest.
Output slice(const Output& x, std::vector<int64_t> begin, std::vector<int64_t> size, const OpName& name = {});
// tf.strided_slice: x[begin:end:strides] with TF's bit masks (bit i for slice dim i).
Output strided_slice(const Output& x, std::vector<int64_t> begin, std::vector<int64_t> end,
                     std::vector<int64_t> strides, int begin_mask = 0, int end_mask = 0,
                     int ellipsis_mask = 0, int new_axis_mask = 0, int shrink_axis_mask = 0,
                     const OpName& name = {});
// tf.tile: x repeated multiples[i] times along dim i.
Output tile(const Output& x, std::vector<int64_t> multiples, const OpName& name = {});

}  // namespace minitf
