#pragma once
// The training benchmark's contestants: TensorFlow's layers-tutorial convnet
// (conv 5x5x32, pool, conv 5x5x64, pool, dense 1024, dropout 0.4, dense 10,
// sparse softmax cross-entropy, Adam 1e-3) on 28x28x1 images, in minitf and
// in libtorch, starting from the same weights.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace train {

inline constexpr int64_t kImage = 28, kClasses = 10;

// Synthetic Fashion-MNIST-shaped data: images NHWC [batch, 28, 28, 1] in
// [0, 1), labels in [0, 10).
struct Batch {
  int64_t size = 0;
  std::vector<float> images;
  std::vector<int32_t> labels;
};
Batch make_batch(int64_t size, unsigned seed);

// Multiply-adds x 2 of the convolutions and matmuls of one training step:
// forward, gradients of every weight, gradients of every activation but the images.
double step_flops(int64_t batch);

// A weight or a gradient, by TF's variable name ("convnet/conv1/kernel"), in TF's layout.
struct Weight {
  std::vector<int64_t> shape;
  std::vector<float> values;
};
using Weights = std::map<std::string, Weight>;

// What one run() computes: the loss only; the loss and the gradient of the
// first convolution's output (every backward-data op, no weight gradient);
// every weight's gradient; a whole training step (gradients and Adam's updates).
enum class Part { Forward, BackwardData, Backward, Step };
inline constexpr Part kParts[] = {Part::Forward, Part::BackwardData, Part::Backward, Part::Step};
const char* part_name(Part p);

class Contestant {
 public:
  virtual ~Contestant() = default;
  virtual void run(Part part) = 0;
  // Without dropout (TF's evaluation tower, torch's eval()): the mean loss
  // and every weight's gradient, TF's names and layouts, for the check.
  virtual float eval_loss(Weights& gradients) = 0;
};

// minitf builds the model (training tower, evaluation tower sharing its
// variables, Adam) and initializes its variables with a seed; the weights it
// made are written to `weights` for the peers.
std::unique_ptr<Contestant> make_minitf(const Batch& batch, int threads, Weights& weights);
// libtorch 1.13 (torch::nn modules, torch::optim::Adam) with the same
// weights; null when built without libtorch.
std::unique_ptr<Contestant> make_torch(const Batch& batch, int threads, const Weights& weights);
// libtorch's build configuration (at::show_config()), or empty.
std::string torch_config();

}  // namespace train
