#include <minitf/graph/tensor.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace minitf {

namespace {
// A tensor bigger than this is refused rather than attempted (16 GiB).
constexpr int64_t kMaxBytes = int64_t{1} << 34;
}  // namespace

Tensor::Buffer::Buffer(std::size_t bytes) {
  const std::size_t rounded = (std::max<std::size_t>(bytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
  data = std::aligned_alloc(kAlignment, rounded);
  if (!data) throw std::bad_alloc();
  std::memset(data, 0, rounded);
}

Tensor::Buffer::~Buffer() { std::free(data); }

Tensor::Tensor(DType dtype, const Shape& shape) : dtype_(dtype), shape_(shape) {
  if (!shape.fully_defined()) {
    throw InvalidArgumentError("Tensor shape must be fully defined, got " + shape.to_string());
  }
  num_elements_ = shape.num_elements();
  if (num_elements_ < 0 || num_elements_ > kMaxBytes / static_cast<int64_t>(dtype_size(dtype))) {
    throw InvalidArgumentError("Tensor of shape " + shape.to_string() + " is too large");
  }
  buffer_ = std::make_shared<Buffer>(num_bytes());
}

Tensor Tensor::clone() const {
  if (empty()) return {};
  Tensor t(dtype_, shape_);
  std::memcpy(t.raw(), raw(), num_bytes());
  return t;
}

void Tensor::check_dtype(DType wanted) const {
  if (empty()) throw InvalidArgumentError("Tensor is empty (it holds no value)");
  if (wanted != dtype_) {
    throw InvalidArgumentError(std::string("Tensor of dtype ") + dtype_name(dtype_) + " and shape " +
                               shape_.to_string() + " read as " + dtype_name(wanted));
  }
}

void Tensor::check_count(std::size_t count) const {
  if (static_cast<int64_t>(count) != num_elements_) {
    throw InvalidArgumentError("Tensor of shape " + shape_.to_string() + " needs " +
                               std::to_string(num_elements_) + " values, got " +
                               std::to_string(count));
  }
}

void Tensor::check_single() const {
  if (num_elements_ != 1) {
    throw InvalidArgumentError("scalar() needs exactly one element, tensor has shape " +
                               shape_.to_string());
  }
}

}  // namespace minitf
