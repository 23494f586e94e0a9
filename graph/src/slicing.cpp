#include <minitf/graph/errors.h>
#include <minitf/graph/slicing.h>

#include <algorithm>
#include <string>

namespace minitf {

DenseSlice strided_slice_dense(const Shape& input, const StridedSliceSpec& spec) {
  const int64_t n = spec.length;
  if (n < 0 || n >= 32) {
    throw ValueError("StridedSlice takes at most 31 slice dimensions (32-bit masks), got " +
                     std::to_string(n));
  }
  for (const auto* v : {&spec.begin, &spec.end, &spec.strides}) {
    if (*v && static_cast<int64_t>((*v)->size()) != n) {
      throw ValueError("Expected begin, end, and strides to hold " + std::to_string(n) + " values each");
    }
  }
  uint32_t ellipsis_mask = spec.ellipsis_mask;
  if (ellipsis_mask & (ellipsis_mask - 1)) throw ValueError("Multiple ellipses in slice spec not allowed");
  // Step 1: an ellipsis at the end when there is none; new axes after the ellipsis counted.
  int64_t sparse_dims = n, new_after_ellipsis = 0;
  bool ellipsis_seen = false;
  for (int64_t i = 0; i < n; ++i) {
    if (ellipsis_seen && (spec.new_axis_mask >> i & 1)) ++new_after_ellipsis;
    if (ellipsis_mask >> i & 1) ellipsis_seen = true;
  }
  if (!ellipsis_seen) ellipsis_mask |= 1u << sparse_dims++;
  // Step 2: the dense spec. Dims an ellipsis covers are whole (both ends masked).
  const int64_t dims = input.rank();
  struct Dim {
    int64_t begin = 0, end = 0, stride = 1;
    bool begin_masked = true, end_masked = true, shrink = false, known = true;
  };
  std::vector<Dim> dense(static_cast<size_t>(dims));
  constexpr int64_t kShrink = -1, kNewAxis = -2;
  std::vector<int64_t> gather;  // per output dim: the dense dim it shows, kShrink or kNewAxis
  const bool known = spec.begin && spec.end && spec.strides;
  int64_t full = 0;
  for (int64_t i = 0; i < sparse_dims; ++i) {
    if (ellipsis_mask >> i & 1) {
      const int64_t next = std::min(dims - (sparse_dims - i) + 1 + new_after_ellipsis, dims);
      for (; full < next; ++full) gather.push_back(full);
    } else if (spec.new_axis_mask >> i & 1) {
      gather.push_back(kNewAxis);
    } else {
      if (full == dims) {
        throw ValueError("Index out of range using input dim " + std::to_string(full) + "; input has only " +
                         std::to_string(dims) + " dims");
      }
      const auto k = static_cast<size_t>(i);
      Dim& d = dense[static_cast<size_t>(full)];
      d.known = known;
      if (known) {
        d.begin = (*spec.begin)[k];
        d.end = (*spec.end)[k];
        d.stride = (*spec.strides)[k];
      }
      d.begin_masked = spec.begin_mask >> i & 1;
      d.end_masked = spec.end_mask >> i & 1;
      d.shrink = spec.shrink_axis_mask >> i & 1;
      gather.push_back(d.shrink ? kShrink : full);
      ++full;
    }
  }
  // Step 3: each dim's canonical range and size.
  DenseSlice out;
  for (int64_t i = 0; i < dims; ++i) {
    const Dim& d = dense[static_cast<size_t>(i)];
    const int64_t dim = input.dim(static_cast<int>(i));
    if (d.known && d.stride == 0) throw ValueError("strides[" + std::to_string(i) + "] must be non-zero");
    if (d.known && d.shrink && d.stride <= 0)
      throw ValueError("only stride 1 allowed on non-range indexing.");
    SliceDim& s = out.dims.emplace_back();
    s.stride = d.stride;
    if (dim < 0 || !d.known) {
      s.size = d.shrink ? 1 : -1;
      continue;
    }
    s.known = true;
    if (d.shrink) {
      s.begin = d.begin < 0 ? dim + d.begin : d.begin;
      if (s.begin < 0 || s.begin >= dim) {
        throw ValueError("slice index " + std::to_string(d.begin) + " of dimension " + std::to_string(i) +
                         " out of bounds");
      }
      s.size = 1;
      continue;
    }
    const int64_t lo = d.stride > 0 ? 0 : -1, hi = d.stride > 0 ? dim : dim - 1;
    const auto canonical = [&](int64_t x, bool masked, bool is_end) {
      if (masked) return (d.stride > 0) == is_end ? hi : lo;
      const int64_t fwd = x < 0 ? dim + x : x;
      return fwd < lo ? lo : fwd > hi ? hi : fwd;
    };
    s.begin = canonical(d.begin, d.begin_masked, false);
    const int64_t length = canonical(d.end, d.end_masked, true) - s.begin;
    s.size = length == 0 || ((length < 0) != (d.stride < 0))
                 ? 0
                 : length / d.stride + (length % d.stride != 0 ? 1 : 0);
  }
  // Step 4: the output shape.
  for (int64_t g : gather) {
    if (g >= 0) out.output_dims.push_back(out.dims[static_cast<size_t>(g)].size);
    if (g == kNewAxis) out.output_dims.push_back(1);
  }
  return out;
}

std::vector<int64_t> slice_sizes(const Shape& input, const std::optional<std::vector<int64_t>>& begin,
                                 const std::optional<std::vector<int64_t>>& size) {
  const auto rank = static_cast<size_t>(input.rank());
  if ((begin && begin->size() != rank) || (size && size->size() != rank)) {
    throw ValueError("Expected begin and size to hold " + std::to_string(rank) + " values each");
  }
  std::vector<int64_t> out;
  for (size_t i = 0; i < rank; ++i) {
    const int64_t dim = input.dim(static_cast<int>(i));
    if (begin && ((*begin)[i] < 0 || (dim >= 0 && (*begin)[i] > dim))) {
      throw ValueError("Expected begin[" + std::to_string(i) + "] in [0, " +
                       (dim >= 0 ? std::to_string(dim) : "?") + "], but got " + std::to_string((*begin)[i]));
    }
    if (!size) {
      out.push_back(-1);
      continue;
    }
    const int64_t s = (*size)[i];
    const int64_t room = begin && dim >= 0 ? dim - (*begin)[i] : -1;
    if (s < -1 || (room >= 0 && s > room)) {
      throw ValueError("Expected size[" + std::to_string(i) + "] in [0, " +
                       (room >= 0 ? std::to_string(room) : "?") + "], but got " + std::to_string(s));
    }
    out.push_back(s >= 0 ? s : room);
  }
  return out;
}

int64_t canonical_axis(int64_t axis, int64_t rank, const std::string& what) {
  if (axis < -rank || axis >= rank) {
    throw ValueError(what + " " + std::to_string(axis) + " is out of range [" + std::to_string(-rank) + ", " +
                     std::to_string(rank) + ")");
  }
  return axis < 0 ? axis + rank : axis;
}

int64_t concat_axis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    throw ValueError("ConcatOp : Expected concatenating dimensions in the range [" + std::to_string(-rank) +
                     ", " + std::to_string(rank) + "), but got " + std::to_string(axis));
  }
  return axis < 0 ? axis + rank : axis;
}

int64_t expand_dims_index(int64_t dim, int64_t rank) {
  if (dim < -rank - 1 || dim > rank) {
    throw ValueError("Tried to expand dim index " + std::to_string(dim) + " for tensor with " +
                     std::to_string(rank) + " dimensions");
  }
  return dim < 0 ? dim + rank + 1 : dim;
}

int64_t split_size(int64_t dim, int64_t num) {
  if (dim < 0) return -1;
  if (dim % num != 0) {
    throw ValueError("Dimension size must be evenly divisible by " + std::to_string(num) + " but is " +
                     std::to_string(dim));
  }
  return dim / num;
}

void check_paddings(int64_t before, int64_t after, int64_t dim, PadMode mode) {
  if (before < 0 || after < 0) {
    throw ValueError("Paddings must be non-negative: " + std::to_string(before) + " " +
                     std::to_string(after));
  }
  if (dim < 0) return;
  if (mode == PadMode::Reflect && (before >= dim || after >= dim)) {
    throw ValueError("paddings must be less than the dimension size: " + std::to_string(before) + ", " +
                     std::to_string(after) + " not less than " + std::to_string(dim));
  }
  if (mode == PadMode::Symmetric && (before > dim || after > dim)) {
    throw ValueError("paddings must be no greater than the dimension size: " + std::to_string(before) + ", " +
                     std::to_string(after) + " greater than " + std::to_string(dim));
  }
}

}  // namespace minitf
