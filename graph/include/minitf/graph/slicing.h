#pragma once
// The array ops' rules for cutting, joining and padding, shared by the shape
// functions (ops/) and the kernels (kernels/): a shape function passes the values it knows (nullopt for one
// that is not a constant) and gets -1 for the dims they decide; a kernel
// passes this run's values and gets what it iterates. Each throws ValueError
// with a message that names no op; the caller adds the op and input shapes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <minitf/graph/shape.h>

namespace minitf {

// StridedSlice's sparse spec: begin, end and strides of `length` entries
// each (nullopt: a value not known yet) and the op's five bit masks.
struct StridedSliceSpec {
  int64_t length = 0;  // at most 31: a caller checks it first
  std::optional<std::vector<int64_t>> begin, end, strides;
  uint32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_axis_mask = 0;
};

// One input dim of the dense spec: the output reads `size` elements from
// `begin` on, `stride` apart. Unless `known`, begin and stride mean nothing
// and `size` is -1 (1 for a shrunk dim).
struct SliceDim {
  int64_t begin = 0;
  int64_t stride = 1;
  int64_t size = -1;
  bool known = false;
};

struct DenseSlice {
  std::vector<SliceDim> dims;        // one per input dim
  std::vector<int64_t> output_dims;  // the op's output: shrunk dims gone, new axes 1, -1 unknown
};

// TF's ValidateStridedSliceOp (core/util/strided_slice_op.cc): the sparse spec
// (with ellipsis and new axes) made dense over the input's dims, each dim's
// range made canonical, and the output shape gathered. A dim is unknown when
// the input's dim is, or when any of begin, end and strides is.
DenseSlice strided_slice_dense(const Shape& input, const StridedSliceSpec& spec);

// Slice's output dims: `size` with -1 resolved to the rest of the dim, each
// begin and size checked against the input's dims. `begin` and `size` hold one
// value per input dim; either may be unknown (nullopt), as may input dims.
std::vector<int64_t> slice_sizes(const Shape& input, const std::optional<std::vector<int64_t>>& begin,
                                 const std::optional<std::vector<int64_t>>& size);

// `axis` in [-rank, rank), made non-negative; else "<what> <axis> is out of range [-rank, rank)".
int64_t canonical_axis(int64_t axis, int64_t rank, const std::string& what);

// ConcatV2's axis, in [-rank, rank), made non-negative (TF's "ConcatOp : ..." message).
int64_t concat_axis(int64_t axis, int64_t rank);

// Where ExpandDims inserts its 1 in a shape of `rank` dims: `dim` in [-rank-1, rank].
int64_t expand_dims_index(int64_t dim, int64_t rank);

// The size of each of Split's `num` pieces of a dim (-1: unknown, and so is the size).
int64_t split_size(int64_t dim, int64_t num);

// Pad's and MirrorPad's modes, and the check of one dim's paddings (`dim` may
// be unknown, -1: then only their signs are checked).
enum class PadMode { Constant, Reflect, Symmetric };
void check_paddings(int64_t before, int64_t after, int64_t dim, PadMode mode);

}  // namespace minitf
