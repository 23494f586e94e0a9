// libtorch 1.13 (Debian's libtorch-dev) as users would write it: conv2d + relu
// under InferenceMode, in NCHW and in channels-last.
#include <torch/torch.h>

#include <chrono>

#include "problem.h"

namespace bench {
namespace {

class TorchContestant final : public Contestant {
 public:
  TorchContestant(const Problem& p, int threads, bool channels_last) : threads_(threads) {
    at::set_num_threads(threads_);
    const auto fmt = channels_last ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
    auto nhwc = [&](const std::vector<float>& v) {
      return torch::from_blob(const_cast<float*>(v.data()), {p.batch, p.size, p.size, 32})
          .permute({0, 3, 1, 2})
          .contiguous(fmt);
    };
    auto oihw = [&](const std::vector<float>& w) {
      return torch::from_blob(const_cast<float*>(w.data()), {5, 5, 32, 32})
          .permute({3, 2, 0, 1})
          .contiguous(fmt);
    };
    x1_ = nhwc(p.image1);
    x2_ = nhwc(p.image2);
    w1_ = oihw(p.w1);
    w2_ = oihw(p.w2);
    b1_ = torch::from_blob(const_cast<float*>(p.b1.data()), {32}).clone();
    b2_ = torch::from_blob(const_cast<float*>(p.b2.data()), {32}).clone();
  }

  void run() override {
    at::set_num_threads(threads_);
    torch::InferenceMode guard;
    auto filter = [&](const torch::Tensor& x) {
      auto y = torch::relu(torch::conv2d(x, w1_, b1_, 1, 2));
      return torch::relu(torch::conv2d(y, w2_, b2_, 1, 2));
    };
    y1_ = filter(x1_);
    y2_ = filter(x2_);
  }

  std::vector<const float*> outputs() const override {
    nhwc1_ = y1_.permute({0, 2, 3, 1}).contiguous();
    nhwc2_ = y2_.permute({0, 2, 3, 1}).contiguous();
    return {nhwc1_.data_ptr<float>(), nhwc2_.data_ptr<float>()};
  }

 private:
  int threads_;
  torch::Tensor x1_, x2_, w1_, w2_, b1_, b2_, y1_, y2_;
  mutable torch::Tensor nhwc1_, nhwc2_;
};

}  // namespace

std::vector<OverheadResult> torch_overhead(int threads, int ops) {
  at::set_num_threads(threads);
  torch::InferenceMode guard;
  auto x = torch::zeros({16});
  auto one = torch::ones({16});
  double best = 1e30;
  for (int r = 0; r < 50; ++r) {
    const auto start = std::chrono::steady_clock::now();
    auto y = x;
    for (int i = 0; i < ops; ++i) y = torch::add(y, one);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return {{"libtorch eager torch::add", best / ops * 1e9}};
}

std::vector<Entry> torch_entries() {
  return {{"libtorch NCHW",
           [](const Problem& p, int t) { return std::make_unique<TorchContestant>(p, t, false); }},
          {"libtorch channels-last",
           [](const Problem& p, int t) { return std::make_unique<TorchContestant>(p, t, true); }}};
}

}  // namespace bench
