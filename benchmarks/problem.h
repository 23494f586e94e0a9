#pragma once
// The benchmarked model: the reference text's image filter, two layers of
// conv2d 5x5 32->32 SAME + bias + relu, one set of weights applied to two
// images. Every contestant computes it from the same data.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bench {

struct Problem {
  int64_t batch = 1, size = 32;
  static constexpr int64_t kChannels = 32, kKernel = 5;
  std::vector<float> image1, image2;  // NHWC [batch, size, size, 32]
  std::vector<float> w1, w2;          // HWIO [5, 5, 32, 32]
  std::vector<float> b1, b2;          // [32]

  Problem(int64_t batch, int64_t size, uint32_t seed);
  int64_t image_elements() const { return batch * size * size * kChannels; }
  // Multiply-adds count two flops: 2 images x 2 layers x 2*B*H*W*Cin*Cout*K*K.
  double flops() const;
  std::string shape_name() const;
};

// One way of computing the model. run() computes both images' outputs.
class Contestant {
 public:
  virtual ~Contestant() = default;
  virtual void run() = 0;
  // The two NHWC outputs of the last run().
  virtual std::vector<const float*> outputs() const = 0;
};

struct Entry {
  std::string name;
  std::function<std::unique_ptr<Contestant>(const Problem&, int threads)> make;
  bool small_only = false;  // too slow for big shapes (the naive loop)
};

std::vector<Entry> minitf_entries();
std::vector<Entry> onednn_entries();
std::vector<Entry> eigen_entries();
std::vector<Entry> torch_entries();  // empty when built without libtorch
std::vector<Entry> naive_entries();

// Measured FP32 peak in GFLOP/s with `threads` threads running FMAs.
double measure_fma_peak(int threads);

// Executor overhead: ns per op of a chain of `ops` adds of 16 floats.
struct OverheadResult {
  std::string name;
  double ns_per_op;
};
std::vector<OverheadResult> measure_overhead(int threads, int ops);
// libtorch eager torch::add on the same chain; empty without libtorch.
std::vector<OverheadResult> torch_overhead(int threads, int ops);

}  // namespace bench
