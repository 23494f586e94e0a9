#include <minitf/graph/tensor.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <ostream>
#include <sstream>
#include <string>

namespace minitf {

namespace {
// A tensor bigger than this is refused rather than attempted (16 GiB).
constexpr int64_t kMaxBytes = int64_t{1} << 34;
std::atomic<int64_t> allocations{0};
std::atomic<int64_t> live_bytes{0}, peak_bytes{0};

void count_bytes(int64_t delta) {
  const int64_t now = live_bytes.fetch_add(delta, std::memory_order_relaxed) + delta;
  for (int64_t peak = peak_bytes.load(std::memory_order_relaxed);
       now > peak && !peak_bytes.compare_exchange_weak(peak, now, std::memory_order_relaxed);) {
  }
}

std::size_t rounded_size(std::size_t bytes) {
  return (std::max<std::size_t>(bytes, 1) + Tensor::kAlignment - 1) / Tensor::kAlignment * Tensor::kAlignment;
}

// 64-byte aligned memory from plain malloc, the pointer malloc gave kept just
// below the aligned address. Not aligned_alloc: glibc serves memalign from a
// free chunk only if it is larger than the request plus the alignment, so a
// buffer freed and asked for again at the same size is never reused and the
// heap grows by one buffer per step (a 50-step chain of 8 MiB values: +385 MB
// of RSS for 16 MB live). A malloc of the same size takes the freed chunk back.
void* allocate(std::size_t rounded) {
  void* raw = std::malloc(rounded + Tensor::kAlignment);
  if (!raw) {
    throw ResourceExhaustedError("Out of memory allocating a tensor buffer of " + std::to_string(rounded) +
                                 " bytes");
  }
  const auto address =
      (reinterpret_cast<std::uintptr_t>(raw) + Tensor::kAlignment) & ~(Tensor::kAlignment - 1);
  void* data = reinterpret_cast<void*>(address);
  static_cast<void**>(data)[-1] = raw;
  allocations.fetch_add(1, std::memory_order_relaxed);
  return data;
}

void release(void* data) {
  if (data) std::free(static_cast<void**>(data)[-1]);
}
}  // namespace

Tensor::Buffer::Buffer(std::size_t bytes, bool zero) {
  size = rounded_size(bytes);
  data = allocate(size);
  if (zero) std::memset(data, 0, size);
  count_bytes(static_cast<int64_t>(size));
}

Tensor::Buffer::Buffer(std::size_t bytes, const std::shared_ptr<BufferPool>& from) : pool(from) {
  size = rounded_size(bytes);
  data = pool->take(size);
  if (!data) data = allocate(size);
  count_bytes(static_cast<int64_t>(size));
}

Tensor::Buffer::~Buffer() {
  if (!owned) return;
  count_bytes(-static_cast<int64_t>(size));
  if (pool) {
    pool->give_back(data, size);
  } else {
    release(data);
  }
}

BufferPool::~BufferPool() {
  for (auto& [bytes, data] : idle_) release(data);
}

std::size_t BufferPool::idle_bytes() const {
  std::lock_guard lock(mu_);
  std::size_t total = 0;
  for (const auto& [bytes, data] : idle_) total += bytes;
  return total;
}

void* BufferPool::take(std::size_t bytes) {
  std::lock_guard lock(mu_);
  for (auto it = idle_.begin(); it != idle_.end(); ++it) {
    if (it->first != bytes) continue;
    void* data = it->second;
    idle_.erase(it);
    return data;
  }
  return nullptr;
}

void BufferPool::give_back(void* data, std::size_t bytes) {
  std::lock_guard lock(mu_);
  if (idle_.size() >= max_free_) {
    release(idle_.front().second);  // the oldest goes
    idle_.erase(idle_.begin());
  }
  idle_.emplace_back(bytes, data);
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

Tensor Tensor::pooled(DType dtype, const Shape& shape, const std::shared_ptr<BufferPool>& pool) {
  Tensor t;
  t.set_shape(dtype, shape);
  t.buffer_ = std::make_shared<Buffer>(t.num_bytes(), pool);
  return t;
}

int64_t Tensor::buffer_allocations() { return allocations.load(std::memory_order_relaxed); }
int64_t Tensor::live_buffer_bytes() { return live_bytes.load(std::memory_order_relaxed); }
int64_t Tensor::peak_buffer_bytes() { return peak_bytes.load(std::memory_order_relaxed); }
void Tensor::reset_peak_buffer_bytes() { peak_bytes.store(live_bytes.load(std::memory_order_relaxed)); }

Tensor Tensor::clone() const {
  if (empty()) return {};
  Tensor t = uninitialized(dtype_, shape_);
  std::memcpy(t.raw(), raw(), num_bytes());
  return t;
}

Tensor Tensor::reshaped(const Shape& shape) const {
  if (empty()) throw InvalidArgumentError("Cannot reshape an empty Tensor");
  if (!shape.fully_defined() || shape.num_elements() != num_elements_) {
    throw InvalidArgumentError("Cannot reshape a tensor of shape " + shape_.to_string() + " (" +
                               std::to_string(num_elements_) + " elements) to " + shape.to_string());
  }
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

namespace {

// A float as numpy prints it (precision 8): the fewest digits, at most 8,
// that read back as the same float32, with a '.' always ("1.", "0.5"), or
// in scientific notation with `mantissa` digits when that is >= 0.
std::string format_float(float v, bool scientific, int mantissa = -1) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  for (int digits = 0; digits <= 8; ++digits) {
    std::snprintf(buf, sizeof buf, scientific ? "%.*e" : "%.*f", mantissa >= 0 ? mantissa : digits,
                  static_cast<double>(v));
    if (mantissa >= 0 || std::strtof(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (!scientific && s.find('.') == std::string::npos) s += '.';
  if (scientific && s.find('.') == std::string::npos) s.insert(s.find('e'), ".");
  return s;
}

// Digits after the '.' of a scientific mantissa.
int mantissa_digits(const std::string& s) {
  const auto dot = s.find('.'), e = s.find('e');
  return dot == std::string::npos || e == std::string::npos ? 0 : static_cast<int>(e - dot - 1);
}

std::string format_element(const Tensor& t, int64_t i, bool scientific, int mantissa = -1) {
  const auto at = static_cast<size_t>(i);
  switch (t.dtype()) {
    case DType::kFloat32: {
      std::string s = format_float(t.data<float>()[at], scientific, mantissa);
      if (t.shape().rank() == 0 && !s.empty() && s.back() == '.') s += '0';  // numpy's scalar: "2.0"
      return s;
    }
    case DType::kInt32:
      return std::to_string(t.data<int32_t>()[at]);
    case DType::kInt64:
      return std::to_string(t.data<int64_t>()[at]);
    case DType::kBool:
      return t.data<bool>()[at] ? "True" : "False";
  }
  return "?";
}

// Numpy's nested brackets: axis `axis` of the block starting at `offset`.
void print_block(std::ostream& os, const Tensor& t, const std::function<std::string(int64_t)>& cell, int axis,
                 int64_t offset, bool summarize) {
  const auto& dims = t.shape().dims();
  if (axis == t.shape().rank()) {
    os << cell(offset);
    return;
  }
  int64_t stride = 1;
  for (size_t d = static_cast<size_t>(axis) + 1; d < dims.size(); ++d) stride *= dims[d];
  const int64_t n = dims[static_cast<size_t>(axis)];
  const int64_t edge = 3;
  os << '[';
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * edge && i == edge) {
      os << (axis + 1 == t.shape().rank() ? " ..."
                                          : "\n" + std::string(static_cast<size_t>(axis) + 1, ' ') + "...");
      i = n - edge - 1;
      continue;
    }
    if (i > 0) {
      if (axis + 1 == t.shape().rank()) {
        os << ' ';
      } else {
        os << std::string(static_cast<size_t>(t.shape().rank() - axis - 1), '\n')
           << std::string(static_cast<size_t>(axis) + 1, ' ');
      }
    }
    print_block(os, t, cell, axis + 1, offset + i * stride, summarize);
  }
  os << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (t.empty()) return os << "tf.Tensor(<empty>)";
  const bool summarize = t.num_elements() > 1000;
  // Numpy's choices, made over the values it prints: scientific notation
  // when the largest is >= 1e8 or the smallest nonzero < 1e-4; every value
  // padded to the widest, floats aligned on their '.'.
  bool scientific = false;
  size_t left = 0, right = 0;
  std::ostringstream ignored;
  const auto visit = [&](const std::function<void(int64_t)>& f) {
    print_block(ignored, t, [&](int64_t i) { f(i); return std::string(); }, 0, 0, summarize);
  };
  if (t.dtype() == float32) {
    float largest = 0, smallest = INFINITY;
    visit([&](int64_t i) {
      const float v = std::fabs(t.data<float>()[static_cast<size_t>(i)]);
      if (!std::isfinite(v)) return;
      largest = std::max(largest, v);
      if (v > 0) smallest = std::min(smallest, v);
    });
    scientific = largest >= 1e8f || smallest < 1e-4f || (smallest < INFINITY && largest / smallest > 1e3f);
  }
  // Scientific mantissas all get as many digits as the longest needs ("1.0e+00", "1.5e-05").
  int mantissa = -1;
  if (scientific) {
    mantissa = 0;
    visit([&](int64_t i) {
      if (std::isfinite(t.data<float>()[static_cast<size_t>(i)]))
        mantissa = std::max(mantissa, mantissa_digits(format_element(t, i, true)));
    });
  }
  // (width before the '.', width from it) of a finite float; non-finite
  // floats and other dtypes are right-aligned as a whole.
  const auto finite = [&](int64_t i) {
    return t.dtype() == float32 && std::isfinite(t.data<float>()[static_cast<size_t>(i)]);
  };
  const auto split = [&](const std::string& c) {
    const auto dot = scientific ? std::string::npos : c.find('.');
    return dot == std::string::npos ? std::pair{c.size(), size_t{0}} : std::pair{dot, c.size() - dot};
  };
  size_t whole = 0;
  visit([&](int64_t i) {
    const std::string c = format_element(t, i, scientific, mantissa);
    if (!finite(i)) {
      whole = std::max(whole, c.size());
      return;
    }
    const auto [l, r] = split(c);
    left = std::max(left, l);
    right = std::max(right, r);
  });
  if (whole > left + right) left = whole - right;
  std::ostringstream values;
  print_block(
      values, t,
      [&](int64_t i) {
        const std::string c = format_element(t, i, scientific, mantissa);
        if (!finite(i)) return std::string(left + right - c.size(), ' ') + c;
        const auto [l, r] = split(c);
        return std::string(left - l, ' ') + c + std::string(right - r, ' ');
      },
      0, 0, summarize);
  // TF starts a value that spans lines on a line of its own.
  const std::string text = values.str();
  os << "tf.Tensor(" << (text.find('\n') != std::string::npos ? "\n" : "") << text;
  os << ", shape=(";
  for (int d = 0; d < t.shape().rank(); ++d) os << (d ? ", " : "") << t.shape().dim(d);
  if (t.shape().rank() == 1) os << ',';
  return os << "), dtype=" << dtype_name(t.dtype()) << ')';
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
