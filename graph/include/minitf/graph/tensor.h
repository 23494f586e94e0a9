#pragma once
// A value: dtype, shape and a 64-byte aligned, contiguous row-major buffer.
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include <minitf/graph/dtype.h>
#include <minitf/graph/errors.h>
#include <minitf/graph/shape.h>

namespace minitf {

class Tensor;

// Buffers that tensors made by Tensor::pooled() give back when their last
// holder lets go, so the next tensor of that size needs no allocation. The
// hand-back goes through a mutex: a buffer one thread was reading is reused
// by another only after that read (a use_count() check cannot promise that).
class BufferPool {
 public:
  // Keeps at most `max_free` idle buffers; more are freed.
  explicit BufferPool(std::size_t max_free) : max_free_(max_free) {}
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;
  std::size_t idle_bytes() const;

 private:
  friend class Tensor;
  void* take(std::size_t bytes);  // null when no idle buffer has this size
  void give_back(void* data, std::size_t bytes);
  mutable std::mutex mu_;
  std::vector<std::pair<std::size_t, void*>> idle_;
  std::size_t max_free_;
};

// A dense tensor. Copies share the buffer (like TF's Tensor); clone() copies it.
class Tensor {
 public:
  static constexpr std::size_t kAlignment = 64;

  // An empty tensor: no dtype checks pass, `empty()` is true.
  Tensor() = default;
  // A zero-filled tensor. The shape must be fully defined.
  Tensor(DType dtype, const Shape& shape);
  // A tensor whose contents are unspecified, for code that writes every element.
  static Tensor uninitialized(DType dtype, const Shape& shape);
  // A tensor over memory someone else owns; `keep_alive` holds that memory
  // (the session's arenas). `data` must be 64-byte aligned and large enough.
  static Tensor view(DType dtype, const Shape& shape, std::shared_ptr<void> keep_alive, void* data);
  // A tensor with unspecified contents whose buffer comes from `pool` when it
  // has one of this size, and goes back to it when the last holder lets go.
  static Tensor pooled(DType dtype, const Shape& shape, const std::shared_ptr<BufferPool>& pool);
  // How many tensor buffers this process has allocated (arenas not counted):
  // the tests use it to prove that a steady-state run allocates none.
  static int64_t buffer_allocations();
  // Bytes of tensor buffers held right now, and the most held at once since
  // reset_peak_buffer_bytes() (arenas not counted): the tests use them to
  // prove what a run keeps alive.
  static int64_t live_buffer_bytes();
  static int64_t peak_buffer_bytes();
  static void reset_peak_buffer_bytes();

  template <class T>
  static Tensor from(const Shape& shape, std::vector<T> values) {
    Tensor t(dtype_of<T>(), shape);
    t.check_count(values.size());
    auto out = t.data<T>();
    for (std::size_t i = 0; i < values.size(); ++i) out[i] = values[i];
    return t;
  }

  bool empty() const { return !buffer_; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t num_elements() const { return num_elements_; }
  std::size_t num_bytes() const { return static_cast<std::size_t>(num_elements_) * dtype_size(dtype_); }

  template <class T>
  std::span<T> data() {
    check_dtype(dtype_of<T>());
    return {static_cast<T*>(raw()), static_cast<std::size_t>(num_elements_)};
  }
  template <class T>
  std::span<const T> data() const {
    check_dtype(dtype_of<T>());
    return {static_cast<const T*>(raw()), static_cast<std::size_t>(num_elements_)};
  }
  // The single element of a tensor with exactly one element (any rank).
  template <class T>
  T scalar() const {
    check_dtype(dtype_of<T>());
    check_single();
    return static_cast<const T*>(raw())[0];
  }

  void* raw() { return buffer_ ? buffer_->data : nullptr; }
  const void* raw() const { return buffer_ ? buffer_->data : nullptr; }
  // True when this is a view (Tensor::view) rather than an owner of its buffer.
  bool is_view() const { return buffer_ && !buffer_->owned; }
  // A deep copy with its own buffer.
  Tensor clone() const;
  // The same buffer seen with another shape of as many elements (what
  // Reshape, Squeeze and ExpandDims give); InvalidArgumentError otherwise.
  Tensor reshaped(const Shape& shape) const;
  // True when both share one buffer.
  bool shares_buffer_with(const Tensor& other) const { return buffer_ == other.buffer_; }
  // True when another Tensor holds the same buffer.
  bool buffer_shared() const { return buffer_ && buffer_.use_count() > 1; }

 private:
  struct Buffer {
    Buffer(std::size_t bytes, bool zero);
    Buffer(std::shared_ptr<void> keep_alive, void* data)
        : data(data), owned(false), keep_alive(std::move(keep_alive)) {}
    Buffer(std::size_t bytes, const std::shared_ptr<BufferPool>& pool);
    ~Buffer();
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    void* data = nullptr;
    bool owned = true;
    std::shared_ptr<void> keep_alive;
    std::shared_ptr<BufferPool> pool;  // where an owned buffer goes back to
    std::size_t size = 0;              // its rounded size, for the pool
  };
  Tensor(DType dtype, const Shape& shape, bool zero);
  void set_shape(DType dtype, const Shape& shape);

  void check_dtype(DType wanted) const;
  void check_count(std::size_t count) const;
  void check_single() const;

  DType dtype_ = float32;
  Shape shape_;
  int64_t num_elements_ = 0;
  std::shared_ptr<Buffer> buffer_;
};

// Prints like TF's eager tensors and numpy: the values (the first and last
// three along each axis when there are more than 1000), then shape and dtype:
//   tf.Tensor(
//   [[1. 2.]
//    [3. 4.]], shape=(2, 2), dtype=float32)
std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace minitf
