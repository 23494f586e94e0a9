// libtorch 1.13's side of the training benchmark, as a libtorch user writes
// the convnet (NCHW, torch::nn modules, torch::optim::Adam), with minitf's weights.
#include <torch/torch.h>

#include <mutex>
#include <sstream>

#include "train.h"

namespace nn = torch::nn;

namespace train {
namespace {

struct ConvnetImpl : nn::Module {
  ConvnetImpl()
      : conv1(register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 32, 5).padding(2)))),
        conv2(register_module("conv2", nn::Conv2d(nn::Conv2dOptions(32, 64, 5).padding(2)))),
        pool(register_module("pool", nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)))),
        dense(register_module("dense", nn::Linear(7 * 7 * 64, 1024))),
        dropout(register_module("dropout", nn::Dropout(0.4))),
        logits(register_module("logits", nn::Linear(1024, kClasses))) {}

  // The logits; `conv1_out` receives the first convolution's (relu) output.
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* conv1_out = nullptr) {
    auto h = torch::relu(conv1(x));
    if (conv1_out) *conv1_out = h;
    h = pool(h);
    h = pool(torch::relu(conv2(h)));
    h = torch::relu(dense(h.flatten(1)));
    return logits(dropout(h));
  }

  nn::Conv2d conv1, conv2;
  nn::MaxPool2d pool;
  nn::Linear dense;
  nn::Dropout dropout;
  nn::Linear logits;
};
TORCH_MODULE(Convnet);

torch::Tensor tensor(const Weight& w) {
  return torch::from_blob(const_cast<float*>(w.values.data()), w.shape).clone();
}

Weight weight(const torch::Tensor& t) {
  auto c = t.contiguous();
  return {c.sizes().vec(), {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()}};
}

// TF flattens NHWC (h, w, c), torch NCHW (c, h, w): the dense kernel's rows are permuted.
torch::Tensor dense_from_tf(const torch::Tensor& k) {  // [3136 hwc, 1024] -> [1024, 3136 chw]
  return k.view({7, 7, 64, 1024}).permute({2, 0, 1, 3}).reshape({7 * 7 * 64, 1024}).t().contiguous();
}
torch::Tensor dense_to_tf(const torch::Tensor& w) {  // [1024, 3136 chw] -> [3136 hwc, 1024]
  return w.t().reshape({64, 7, 7, 1024}).permute({1, 2, 0, 3}).reshape({7 * 7 * 64, 1024});
}

class Torch final : public Contestant {
 public:
  Torch(const Batch& b, int threads, const Weights& w) : threads_(threads) {
    // Images [B, 28, 28, 1] NHWC are NCHW [B, 1, 28, 28] as they are.
    x_ = torch::from_blob(const_cast<float*>(b.images.data()), {b.size, 1, kImage, kImage}).clone();
    labels_ = torch::from_blob(const_cast<int32_t*>(b.labels.data()), {b.size}, torch::kInt32).to(torch::kLong);
    torch::NoGradGuard no_grad;
    auto set = [&](torch::Tensor& param, const torch::Tensor& value) { param.copy_(value); };
    set(net_->conv1->weight, tensor(w.at("convnet/conv1/kernel")).permute({3, 2, 0, 1}));  // HWIO -> OIHW
    set(net_->conv1->bias, tensor(w.at("convnet/conv1/bias")));
    set(net_->conv2->weight, tensor(w.at("convnet/conv2/kernel")).permute({3, 2, 0, 1}));
    set(net_->conv2->bias, tensor(w.at("convnet/conv2/bias")));
    set(net_->dense->weight, dense_from_tf(tensor(w.at("convnet/dense/kernel"))));
    set(net_->dense->bias, tensor(w.at("convnet/dense/bias")));
    set(net_->logits->weight, tensor(w.at("convnet/logits/kernel")).t());
    set(net_->logits->bias, tensor(w.at("convnet/logits/bias")));
    adam_ = std::make_unique<torch::optim::Adam>(net_->parameters(), torch::optim::AdamOptions(1e-3));
  }

  void run(Part part) override {
    use_threads();
    net_->train();
    switch (part) {
      case Part::Forward: {
        // As in a training step: autograd records the graph, which is then dropped.
        auto loss = nn::functional::cross_entropy(net_->forward(x_), labels_);
        break;
      }
      case Part::BackwardData: {
        torch::Tensor h1;
        auto loss = nn::functional::cross_entropy(net_->forward(x_, &h1), labels_);
        // Only the nodes on the way to h1 run, and only their input gradients.
        auto g = torch::autograd::grad({loss}, {h1});
        break;
      }
      case Part::Backward: {
        adam_->zero_grad();
        nn::functional::cross_entropy(net_->forward(x_), labels_).backward();
        break;
      }
      case Part::Step: {
        adam_->zero_grad();
        nn::functional::cross_entropy(net_->forward(x_), labels_).backward();
        adam_->step();
        break;
      }
    }
  }

  float eval_loss(Weights& g) override {
    use_threads();
    net_->eval();
    net_->zero_grad();
    auto loss = nn::functional::cross_entropy(net_->forward(x_), labels_);
    loss.backward();
    g["convnet/conv1/kernel"] = weight(net_->conv1->weight.grad().permute({2, 3, 1, 0}));  // OIHW -> HWIO
    g["convnet/conv1/bias"] = weight(net_->conv1->bias.grad());
    g["convnet/conv2/kernel"] = weight(net_->conv2->weight.grad().permute({2, 3, 1, 0}));
    g["convnet/conv2/bias"] = weight(net_->conv2->bias.grad());
    g["convnet/dense/kernel"] = weight(dense_to_tf(net_->dense->weight.grad()));
    g["convnet/dense/bias"] = weight(net_->dense->bias.grad());
    g["convnet/logits/kernel"] = weight(net_->logits->weight.grad().t());
    g["convnet/logits/bias"] = weight(net_->logits->bias.grad());
    net_->zero_grad();
    return loss.item<float>();
  }

 private:
  // Only on a change: Debian's libtorch re-creates its pthreadpool in every
  // set_num_threads, whose new workers then spin beside the step (2x slower at 2 threads).
  void use_threads() {
    if (torch::get_num_threads() != threads_) torch::set_num_threads(threads_);
  }

  int threads_;
  Convnet net_;
  std::unique_ptr<torch::optim::Adam> adam_;
  torch::Tensor x_, labels_;
};

}  // namespace

std::unique_ptr<Contestant> make_torch(const Batch& batch, int threads, const Weights& weights) {
  // One inter-op thread, as in every libtorch row; settable once, before any parallel work.
  static std::once_flag once;
  std::call_once(once, [] { at::set_num_interop_threads(1); });
  return std::make_unique<Torch>(batch, threads, weights);
}

std::string torch_config() { return at::show_config(); }

}  // namespace train
