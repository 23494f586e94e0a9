// IDX files from disk, Fashion-MNIST, and seeded shuffled batches.
#include <minitf/train/datasets.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <new>
#include <system_error>

#include <minitf/graph/errors.h>

#include "idx.h"
#include "safetensors_io.h"

namespace minitf::datasets {
namespace {

// A file opened for reading without blocking (a FIFO is refused, not waited on).
class InputFile {
 public:
  explicit InputFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd_ < 0) {
      const int err = errno;
      if (err == ENOENT || err == ENOTDIR) {
        throw NotFoundError("IDX file not found: " + path + " (" + std::generic_category().message(err) +
                            ")");
      }
      detail::throw_io_error(err, "Cannot open IDX file", path);
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      const int err = errno;
      ::close(fd_);
      detail::throw_io_error(err, "Cannot read IDX file", path);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw FailedPreconditionError("IDX file " + path + " is not a regular file");
    }
    size_ = static_cast<uint64_t>(st.st_size);
  }
  ~InputFile() { ::close(fd_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  uint64_t size() const { return size_; }
  size_t read_some(std::span<uint8_t> out) {
    for (;;) {
      const ssize_t n = ::read(fd_, out.data(), out.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) detail::throw_io_error(errno, "Cannot read IDX file", path_);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

detail::IdxContents read_contents(const std::string& path) {
  InputFile file(path);
  return detail::decode_idx([&file](std::span<uint8_t> out) { return file.read_some(out); }, path,
                            detail::kMaxIdxDataBytes, file.size());
}

// Copies rows `rows` of `t` (rows along dim 0) into a new tensor.
Tensor gather_rows(const Tensor& t, const int64_t* rows, int64_t count) {
  std::vector<int64_t> dims = t.shape().dims();
  const int64_t n = dims.empty() ? 0 : dims[0];
  const size_t row_bytes = n == 0 ? 0 : t.num_bytes() / static_cast<size_t>(n);
  dims[0] = count;
  Tensor out = Tensor::uninitialized(t.dtype(), Shape(dims));
  const auto* src = static_cast<const uint8_t*>(t.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t i = 0; i < count; ++i) {
    std::memcpy(dst + static_cast<size_t>(i) * row_bytes, src + static_cast<size_t>(rows[i]) * row_bytes,
                row_bytes);
  }
  return out;
}

int64_t rows_of(const ImageSet& set, const char* what) {
  if (set.images.empty() || set.labels.empty() || set.images.shape().rank() < 1 ||
      set.labels.shape().rank() < 1 || set.images.shape().dim(0) != set.labels.shape().dim(0)) {
    throw InvalidArgumentError(
        std::string(what) + ": images " + (set.images.empty() ? "(none)" : set.images.shape().to_string()) +
        " and labels " + (set.labels.empty() ? "(none)" : set.labels.shape().to_string()) +
        " must have one row each, along their first dimension");
  }
  return set.images.shape().dim(0);
}

// A uniform integer in [0, bound) from 64 random bits: the same on every
// standard library (std::uniform_int_distribution is not specified exactly).
uint64_t below(std::mt19937_64& rng, uint64_t bound) {
  const uint64_t limit = ~uint64_t{0} - ~uint64_t{0} % bound;  // multiples of bound fit below it
  for (;;) {
    const uint64_t x = rng();
    if (x < limit) return x % bound;
  }
}

}  // namespace

Tensor read_idx(const std::string& path) { return detail::idx_to_tensor(read_contents(path), path); }

namespace fashion_mnist {
namespace {

detail::IdxContents read_part(const std::string& dir, const char* file) {
  const std::string path = dir + "/" + file;
  try {
    return read_contents(path);
  } catch (const NotFoundError&) {
    throw NotFoundError("Fashion-MNIST file " + path +
                        " not found: install it with `apt install dataset-fashion-mnist` (its files are in " +
                        kDefaultDir + "), or pass the folder that holds the four IDX files");
  }
}

ImageSet load_set(const std::string& dir, const char* images_file, const char* labels_file) {
  const detail::IdxContents images = read_part(dir, images_file);
  const std::string images_path = dir + "/" + images_file, labels_path = dir + "/" + labels_file;
  if (images.type != detail::kIdxUByte || images.dims.size() != 3 || images.dims[1] != 28 ||
      images.dims[2] != 28) {
    throw DataLossError("Fashion-MNIST file " + images_path +
                        " is not 28x28 unsigned-byte images: type code " + std::to_string(images.type) +
                        ", dims " + Shape(images.dims).to_string());
  }
  const detail::IdxContents labels = read_part(dir, labels_file);
  if (labels.type != detail::kIdxUByte || labels.dims.size() != 1 || labels.dims[0] != images.dims[0]) {
    throw DataLossError("Fashion-MNIST file " + labels_path +
                        " is not one unsigned-byte label per image of " + images_path + " (" +
                        std::to_string(images.dims[0]) + "): type code " + std::to_string(labels.type) +
                        ", dims " + Shape(labels.dims).to_string());
  }
  ImageSet set;
  set.labels = Tensor::uninitialized(int32, {labels.dims[0]});
  auto l = set.labels.data<int32_t>();
  for (size_t i = 0; i < l.size(); ++i) {
    if (labels.data[i] >= 10) {
      throw DataLossError("Fashion-MNIST file " + labels_path + " has label " +
                          std::to_string(labels.data[i]) + " at index " + std::to_string(i) +
                          "; labels go from 0 to 9");
    }
    l[i] = labels.data[i];
  }
  // x / 255.0 in double, then float32: what NumPy gives for keras' (x_train / 255.0).astype("float32").
  std::array<float, 256> scale{};
  for (size_t p = 0; p < scale.size(); ++p) scale[p] = static_cast<float>(static_cast<double>(p) / 255.0);
  set.images = Tensor::uninitialized(float32, {images.dims[0], 28, 28, 1});
  auto x = set.images.data<float>();
  for (size_t i = 0; i < x.size(); ++i) x[i] = scale[images.data[i]];
  return set;
}

}  // namespace

FashionMnist load_data(const std::string& dir) {
  try {
    FashionMnist data;
    data.train = load_set(dir, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
    data.test = load_set(dir, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
    return data;
  } catch (const std::bad_alloc&) {
    throw ResourceExhaustedError("Out of memory loading Fashion-MNIST from " + dir);
  }
}

}  // namespace fashion_mnist

Batches::Batches(const ImageSet& set, int64_t batch_size, uint64_t seed, bool drop_remainder)
    : set_(set),
      batch_size_(batch_size),
      rows_(rows_of(set, "Batches")),
      drop_remainder_(drop_remainder),
      rng_(seed) {
  if (batch_size < 1) {
    throw InvalidArgumentError("Batches: batch_size must be at least 1, got " + std::to_string(batch_size));
  }
}

int64_t Batches::batches_per_epoch() const {
  return drop_remainder_ ? rows_ / batch_size_ : (rows_ + batch_size_ - 1) / batch_size_;
}

bool Batches::next(Tensor& images, Tensor& labels) {
  if (!in_epoch_) {  // a new permutation, Fisher-Yates from the one generator
    order_.resize(static_cast<size_t>(rows_));
    for (int64_t i = 0; i < rows_; ++i) order_[static_cast<size_t>(i)] = i;
    for (int64_t i = rows_ - 1; i > 0; --i) {
      std::swap(order_[static_cast<size_t>(i)], order_[below(rng_, static_cast<uint64_t>(i) + 1)]);
    }
    position_ = 0;
    in_epoch_ = true;
  }
  const int64_t left = rows_ - position_;
  const int64_t count = std::min(left, batch_size_);
  if (count == 0 || (drop_remainder_ && count < batch_size_)) {
    in_epoch_ = false;
    return false;
  }
  const int64_t* rows = order_.data() + position_;
  images = gather_rows(set_.images, rows, count);
  labels = gather_rows(set_.labels, rows, count);
  position_ += count;
  return true;
}

ImageSet slice(const ImageSet& set, int64_t begin, int64_t count) {
  const int64_t n = rows_of(set, "slice");
  if (begin < 0 || count < 0 || begin > n || count > n - begin) {
    throw InvalidArgumentError("slice: rows [" + std::to_string(begin) + ", " + std::to_string(begin) + "+" +
                               std::to_string(count) + ") are not inside a set of " + std::to_string(n) +
                               " rows");
  }
  std::vector<int64_t> rows(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) rows[static_cast<size_t>(i)] = begin + i;
  return {gather_rows(set.images, rows.data(), count), gather_rows(set.labels, rows.data(), count)};
}

}  // namespace minitf::datasets
