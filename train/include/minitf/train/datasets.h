#pragma once
// Data sets for training: IDX files (MNIST's format) and Fashion-MNIST, with
// seeded shuffled batches (TF's dataset.shuffle(n).batch(b), one pass per epoch).
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <minitf/graph/tensor.h>

namespace minitf::datasets {

// An IDX file as a tensor of the file's dims: gzipped or raw (told apart by
// their first bytes); unsigned and signed bytes, shorts and ints become
// int32 (minitf has no uint8), floats float32. NotFoundError (or another
// tf::Error for the system's reason) when it cannot be opened; DataLossError
// naming the file and what is wrong when it is malformed (bad magic, more
// than 4 dims, dims that overflow or disagree with the data, a truncated or
// corrupt gzip stream, more than 1 GiB of data); UnimplementedError for
// IDX doubles.
Tensor read_idx(const std::string& path);

// Images and their labels, one row each.
struct ImageSet {
  Tensor images;  // float32 [N, 28, 28, 1], pixel / 255
  Tensor labels;  // int32 [N]
};

struct FashionMnist {
  ImageSet train, test;
};

namespace fashion_mnist {
// Where Debian's dataset-fashion-mnist package puts the four files.
inline constexpr const char* kDefaultDir = "/usr/share/datasets/fashion-mnist";
// The ten class names, by label.
inline constexpr const char* kClassNames[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
// keras.datasets.fashion_mnist.load_data() from train-images-idx3-ubyte.gz,
// train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
// t10k-labels-idx1-ubyte.gz in `dir`, images scaled to [0, 1]. NotFoundError
// naming a missing file (and the package that has them); DataLossError naming
// the file when it is not 28x28 images or labels from 0 to 9, one per image.
FashionMnist load_data(const std::string& dir = kDefaultDir);
}  // namespace fashion_mnist

// Seeded shuffled batches over an ImageSet: each epoch is one pass over a new
// permutation of the rows, drawn from one generator seeded once, so the same
// seed gives the same batches on every run and every machine.
class Batches {
 public:
  // InvalidArgumentError when batch_size < 1 or images and labels differ in rows.
  Batches(const ImageSet& set, int64_t batch_size, uint64_t seed, bool drop_remainder = true);
  // The next batch of the current epoch into images and labels (new
  // tensors); false at the end of an epoch, and then the next call starts a
  // new epoch. With drop_remainder, rows past the last whole batch are
  // skipped that epoch; without, the last batch is smaller.
  bool next(Tensor& images, Tensor& labels);
  int64_t batches_per_epoch() const;
  // Rows per batch, and rows in the set.
  int64_t batch_size() const { return batch_size_; }
  int64_t size() const { return rows_; }

 private:
  ImageSet set_;
  int64_t batch_size_;
  int64_t rows_;
  bool drop_remainder_;
  std::mt19937_64 rng_;
  std::vector<int64_t> order_;
  int64_t position_ = 0;
  bool in_epoch_ = false;
};

// Rows [begin, begin + count) of a set, in order (for evaluation), as new
// tensors; InvalidArgumentError when the range is not inside the set.
ImageSet slice(const ImageSet& set, int64_t begin, int64_t count);

}  // namespace minitf::datasets
