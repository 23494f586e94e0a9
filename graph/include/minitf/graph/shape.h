#pragma once
// Tensor shapes, possibly with unknown (-1) dimensions while a graph is built.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace minitf {

// A shape such as [5,5,32,32]; {} is a scalar; a dimension of -1 is unknown.
class Shape {
 public:
  static constexpr int64_t kUnknown = -1;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  int rank() const { return static_cast<int>(dims_.size()); }
  const std::vector<int64_t>& dims() const { return dims_; }
  int64_t dim(int i) const { return dims_.at(static_cast<size_t>(i)); }
  // Product of the dimensions; -1 when any is unknown.
  int64_t num_elements() const;
  bool fully_defined() const;
  // True when every known dimension of one equals the other's.
  bool compatible_with(const Shape& other) const;
  // "[5,5,32,32]", "[]" for a scalar, "?" for an unknown dimension.
  std::string to_string() const;

  friend bool operator==(const Shape&, const Shape&) = default;

 private:
  std::vector<int64_t> dims_;
};

// NumPy broadcasting of two shapes; throws ValueError naming `what` on mismatch.
Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& what);

// Padding of a convolution, as TF spells it.
enum class Padding { Same, Valid };
const char* padding_name(Padding padding);

// Output size and leading padding of one spatial dimension of a convolution,
// with TF's rules: SAME pads asymmetrically (the extra cell goes after).
struct ConvDim {
  int64_t out = 0;
  int64_t pad_before = 0;
  int64_t pad_after = 0;
};
// `in` may be unknown (-1), then `out` is unknown too. Throws ValueError
// naming `what` when a VALID window does not fit.
ConvDim conv_dim(int64_t in, int64_t kernel, int64_t stride, Padding padding, const std::string& what);

}  // namespace minitf
