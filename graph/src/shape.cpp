#include <minitf/graph/errors.h>
#include <minitf/graph/shape.h>

#include <algorithm>
#include <limits>

namespace minitf {

int64_t Shape::num_elements() const {
  int64_t n = 1;
  for (int64_t d : dims_) {
    if (d < 0) return kUnknown;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) return kUnknown;
    n *= d;
  }
  return n;
}

bool Shape::fully_defined() const {
  return std::all_of(dims_.begin(), dims_.end(), [](int64_t d) { return d >= 0; });
}

bool Shape::compatible_with(const Shape& other) const {
  if (rank() != other.rank()) return false;
  for (int i = 0; i < rank(); ++i) {
    if (dims_[i] >= 0 && other.dims_[i] >= 0 && dims_[i] != other.dims_[i]) return false;
  }
  return true;
}

std::string Shape::to_string() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ',';
    s += dims_[i] < 0 ? "?" : std::to_string(dims_[i]);
  }
  return s + "]";
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& what) {
  const int rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> out(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    const int ia = a.rank() - rank + i;
    const int ib = b.rank() - rank + i;
    const int64_t da = ia >= 0 ? a.dim(ia) : 1;
    const int64_t db = ib >= 0 ? b.dim(ib) : 1;
    int64_t d;
    if (da == 1) {
      d = db;
    } else if (db == 1) {
      d = da;
    } else if (da < 0) {
      d = db;  // unknown vs known (> 1): the known one must hold at run time
    } else if (db < 0) {
      d = da;
    } else if (da == db) {
      d = da;
    } else {
      throw ValueError("Dimensions must be equal, but are " + std::to_string(da) + " and " +
                       std::to_string(db) + " for " + what + " with input shapes: " + a.to_string() + ", " +
                       b.to_string() + ".");
    }
    out[static_cast<size_t>(i)] = d;
  }
  return Shape(std::move(out));
}

const char* padding_name(Padding padding) { return padding == Padding::Same ? "SAME" : "VALID"; }

ConvDim conv_dim(int64_t in, int64_t kernel, int64_t stride, Padding padding, const std::string& what) {
  if (stride < 1) throw ValueError("Strides must be positive for " + what);
  if (kernel < 1) throw ValueError("Filter dimensions must be positive for " + what);
  ConvDim d;
  if (in < 0) {
    d.out = Shape::kUnknown;
    return d;
  }
  // Written so that no step can overflow, whatever the dims and stride
  // (INT64_MAX included): every intermediate lies between 0 and a given value.
  if (padding == Padding::Same) {
    d.out = in / stride + (in % stride != 0 ? 1 : 0);  // ceil(in / stride)
    // The last window starts at (out - 1) * stride <= in - 1 and covers `kernel` inputs.
    const int64_t covered = d.out == 0 ? 0 : in - (d.out - 1) * stride;  // in [1, stride]
    const int64_t total = kernel > covered ? kernel - covered : 0;
    d.pad_before = total / 2;
    d.pad_after = total - d.pad_before;
  } else {
    if (in < kernel) {
      throw ValueError("Negative dimension size caused by subtracting " + std::to_string(kernel) + " from " +
                       std::to_string(in) + " for " + what);
    }
    d.out = (in - kernel) / stride + 1;
  }
  return d;
}

}  // namespace minitf
