// libtorch 1.13's side of the model benchmark, as a libtorch user writes the
// same models (NCHW, torch::nn::functional, InferenceMode), with minitf's weights.
#include <torch/torch.h>

#include "models.h"

namespace F = torch::nn::functional;

namespace models {
namespace {

torch::Tensor tensor(const Weight& w) {
  return torch::from_blob(const_cast<float*>(w.values.data()), w.shape).clone();
}

// TF's SAME max pooling 3x3 stride 2 pads only after (24 -> 12: one cell at the end).
torch::Tensor pool_same(const torch::Tensor& x) {
  return F::max_pool2d(F::pad(x, F::PadFuncOptions({0, 1, 0, 1}).value(-INFINITY)),
                       F::MaxPool2dFuncOptions(3).stride(2));
}

// TF's LRN with depth_radius 4, alpha 0.001/9: torch's size 9, alpha 0.001 (it divides by size).
torch::Tensor lrn(const torch::Tensor& x) {
  return F::local_response_norm(x, F::LocalResponseNormFuncOptions(9).alpha(0.001).beta(0.75).k(1.0));
}

class TorchCifar10 final : public Contestant {
 public:
  TorchCifar10(const Model& m, int threads, const std::vector<float>& input, const Weights& w)
      : threads_(threads) {
    x_ = torch::from_blob(const_cast<float*>(input.data()), {m.batch, kImage, kImage, 3})
             .permute({0, 3, 1, 2})
             .contiguous();
    c1_ = tensor(w.at("conv1/weights")).permute({3, 2, 0, 1}).contiguous();  // HWIO -> OIHW
    b1_ = tensor(w.at("conv1/biases"));
    c2_ = tensor(w.at("conv2/weights")).permute({3, 2, 0, 1}).contiguous();
    b2_ = tensor(w.at("conv2/biases"));
    l3_ = tensor(w.at("local3/weights"));
    b3_ = tensor(w.at("local3/biases"));
    l4_ = tensor(w.at("local4/weights"));
    b4_ = tensor(w.at("local4/biases"));
    l5_ = tensor(w.at("softmax_linear/weights"));
    b5_ = tensor(w.at("softmax_linear/biases"));
  }
  void run() override {
    at::set_num_threads(threads_);
    torch::InferenceMode guard;
    auto h = torch::relu(F::conv2d(x_, c1_, F::Conv2dFuncOptions().bias(b1_).padding(2)));
    h = lrn(pool_same(h));
    h = torch::relu(F::conv2d(h, c2_, F::Conv2dFuncOptions().bias(b2_).padding(2)));
    h = pool_same(lrn(h));
    h = h.permute({0, 2, 3, 1}).reshape({h.size(0), -1});  // TF flattens NHWC
    h = torch::relu(torch::addmm(b3_, h, l3_));
    h = torch::relu(torch::addmm(b4_, h, l4_));
    out_ = torch::addmm(b5_, h, l5_);
  }
  std::vector<float> output() override {
    auto c = out_.contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
  }

 private:
  int threads_;
  torch::Tensor x_, c1_, b1_, c2_, b2_, l3_, b3_, l4_, b4_, l5_, b5_, out_;
};

// torch::lstm_cell with TF's BasicLSTMCell weights: TF's kernel [in + units,
// 4 units] in gate order i, j, f, o becomes torch's w_ih [4 units, in] and
// w_hh [4 units, units] in order i, f, g(=j), o; TF's forget_bias 1.0 goes into b_ih.
class TorchLstm final : public Contestant {
 public:
  TorchLstm(const Model& m, int threads, const std::vector<float>& input, const Weights& w)
      : threads_(threads) {
    const auto kernel = tensor(w.at("rnn/basic_lstm_cell/kernel"));  // [in + units, 4u]
    const auto bias = tensor(w.at("rnn/basic_lstm_cell/bias"));
    auto gates = [&](const torch::Tensor& t, int64_t dim) {
      auto parts = t.chunk(4, dim);  // i, j, f, o
      return torch::cat({parts[0], parts[2], parts[1], parts[3]}, dim);
    };
    const auto k = gates(kernel, 1).t().contiguous();  // [4u, in + units]
    w_ih_ = k.slice(1, 0, kDepth).contiguous();
    w_hh_ = k.slice(1, kDepth).contiguous();
    auto b = gates(bias, 0).clone();
    b.slice(0, kUnits, 2 * kUnits) += 1.0f;
    b_ih_ = b;
    b_hh_ = torch::zeros({4 * kUnits});
    for (int64_t t = 0; t < kSteps; ++t) {
      steps_.push_back(
          torch::from_blob(const_cast<float*>(input.data()) + t * m.batch * kDepth, {m.batch, kDepth})
              .clone());
    }
    batch_ = m.batch;
  }
  void run() override {
    at::set_num_threads(threads_);
    torch::InferenceMode guard;
    auto h = torch::zeros({batch_, kUnits}), c = torch::zeros({batch_, kUnits});
    for (const auto& x : steps_) std::tie(h, c) = torch::lstm_cell(x, {h, c}, w_ih_, w_hh_, b_ih_, b_hh_);
    out_ = h;
  }
  std::vector<float> output() override {
    auto c = out_.contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
  }

 private:
  int threads_;
  int64_t batch_ = 0;
  torch::Tensor w_ih_, w_hh_, b_ih_, b_hh_, out_;
  std::vector<torch::Tensor> steps_;
};

}  // namespace

std::unique_ptr<Contestant> make_torch(const Model& m, int threads, const std::vector<float>& input,
                                       const Weights& weights) {
  if (m.name == "cifar10") return std::make_unique<TorchCifar10>(m, threads, input, weights);
  return std::make_unique<TorchLstm>(m, threads, input, weights);
}

}  // namespace models
