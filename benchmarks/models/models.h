#pragma once
// The model benchmark's contestants: TF's cifar10 inference model and an
// LSTM (128 units, 20 steps) in minitf and in libtorch, with the same weights.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace models {

struct Model {
  std::string name;  // "cifar10" or "lstm"
  int64_t batch;
  std::string label() const { return name + " b" + std::to_string(batch); }
  // Multiply-adds x 2 of the convolutions and matmuls.
  double flops() const;
};

inline constexpr int64_t kImage = 24, kClasses = 10;              // cifar10
inline constexpr int64_t kSteps = 20, kDepth = 32, kUnits = 128;  // lstm

// A weight: shape and values, by TF's variable name.
struct Weight {
  std::vector<int64_t> shape;
  std::vector<float> values;
};
using Weights = std::map<std::string, Weight>;

class Contestant {
 public:
  virtual ~Contestant() = default;
  virtual void run() = 0;
  // cifar10: the logits [batch, 10]; lstm: the final h [batch, 128].
  virtual std::vector<float> output() = 0;
};

// The input: cifar10 images NHWC [batch, 24, 24, 3], or lstm steps [20, batch, 32].
std::vector<float> make_input(const Model& m, unsigned seed);

// minitf builds the model and initializes its variables with a seed; the
// weights it made are written to `weights` for the peers.
std::unique_ptr<Contestant> make_minitf(const Model& m, int threads, const std::vector<float>& input,
                                        Weights& weights);
// libtorch 1.13 with the same weights; null when built without libtorch.
std::unique_ptr<Contestant> make_torch(const Model& m, int threads, const std::vector<float>& input,
                                       const Weights& weights);

}  // namespace models
