#include <minitf/graph/tensor.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace minitf {

namespace {
// A tensor bigger than this is refused rather than attempted (16 GiB).
constexpr int64_t kMaxBytes = int64_t{1} << 34;
std::atomic<int64_t> allocations{0};
}  // namespace

Tensor::Buffer::Buffer(std::size_t bytes, bool zero) {
  const std::size_t rounded = (std::max<std::size_t>(bytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
  data = std::aligned_alloc(kAlignment, rounded);
  if (!data) throw std::bad_alloc();
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (zero) std::memset(data, 0, rounded);
}

Tensor::Buffer::~Buffer() {
  if (owned) std::free(data);
}

void Tensor::set_shape(DType dtype, const Shape& shape) {
  if (!shape.fully_defined()) {
    throw InvalidArgumentError("Tensor shape must be fully defined, got " + shape.to_string());
  }
  const int64_t n = shape.num_elements();
  if (n < 0 || n > kMaxBytes / static_cast<int64_t>(dtype_size(dtype))) {
    throw InvalidArgumentError("Tensor of shape " + shape.to_string() + " is too large");
  }
  dtype_ = dtype;
  shape_ = shape;
  num_elements_ = n;
}

Tensor::Tensor(DType dtype, const Shape& shape, bool zero) {
  set_shape(dtype, shape);
  buffer_ = std::make_shared<Buffer>(num_bytes(), zero);
}

Tensor::Tensor(DType dtype, const Shape& shape) : Tensor(dtype, shape, true) {}

Tensor Tensor::uninitialized(DType dtype, const Shape& shape) { return Tensor(dtype, shape, false); }

Tensor Tensor::view(DType dtype, const Shape& shape, std::shared_ptr<void> keep_alive, void* data) {
  Tensor t;
  t.set_shape(dtype, shape);
  t.buffer_ = std::make_shared<Buffer>(std::move(keep_alive), data);
  return t;
}

int64_t Tensor::buffer_allocations() { return allocations.load(std::memory_order_relaxed); }

Tensor Tensor::clone() const {
  if (empty()) return {};
  Tensor t = uninitialized(dtype_, shape_);
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
                               std::to_string(num_elements_) + " values, got " + std::to_string(count));
  }
}

void Tensor::check_single() const {
  if (num_elements_ != 1) {
    throw InvalidArgumentError("scalar() needs exactly one element, tensor has shape " + shape_.to_string());
  }
}

}  // namespace minitf
