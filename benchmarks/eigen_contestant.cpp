// TensorFlow's own CPU Conv2D path without oneDNN: Eigen's image patches fed
// to a tensor contraction, the expression TF's SpatialConvolution builds
// (Debian's Eigen 3.4 ships the blocks, not TF's header), on a
// ThreadPoolDevice; then bias and relu as one more expression.
#define EIGEN_USE_THREADS
#include <unsupported/Eigen/CXX11/Tensor>

#include "problem.h"

namespace bench {
namespace {

using Index = Eigen::Index;
// Our NHWC row-major buffers read as column-major (C, W, H, N), which is how
// TF hands NHWC tensors to its Eigen kernels.
using Act = Eigen::TensorMap<Eigen::Tensor<float, 4>>;
using ConstAct = Eigen::TensorMap<Eigen::Tensor<const float, 4>>;
// HWIO row-major is column-major (O, I, KW, KH).
using ConstKernel = Eigen::TensorMap<Eigen::Tensor<const float, 4>>;

void conv_bias_relu(const Eigen::ThreadPoolDevice& dev, const float* in, const float* w, const float* b,
                    float* out, Index n, Index s, Index c) {
  ConstAct input(in, c, s, s, n);
  ConstKernel kernel(w, c, c, 5, 5);
  Act output(out, c, s, s, n);
  // patches: (C, 5, 5, S*S, N) -> (C*25, S*S*N); kernel: (O, C*25)
  const Eigen::array<Index, 2> patch_dims{c * 25, s * s * n};
  const Eigen::array<Index, 2> kernel_dims{c, c * 25};
  const Eigen::array<Eigen::IndexPair<Index>, 1> contract{Eigen::IndexPair<Index>(1, 0)};
  Eigen::TensorMap<Eigen::Tensor<float, 2>> out2(out, c, s * s * n);
  out2.device(dev) =
      kernel.reshape(kernel_dims)
          .contract(input.extract_image_patches(5, 5, 1, 1, 1, 1, Eigen::PADDING_SAME).reshape(patch_dims),
                    contract);
  Eigen::TensorMap<Eigen::Tensor<const float, 2>> bias(b, c, 1);
  out2.device(dev) = (out2 + bias.broadcast(Eigen::array<Index, 2>{1, s * s * n})).cwiseMax(0.f);
}

class EigenContestant final : public Contestant {
 public:
  EigenContestant(const Problem& p, int threads)
      : p_(p),
        pool_(threads),
        device_(&pool_, threads),
        mid_(static_cast<size_t>(p.image_elements())),
        out1_(static_cast<size_t>(p.image_elements())),
        out2_(static_cast<size_t>(p.image_elements())) {}

  void run() override {
    for (auto [image, out] : {std::pair{&p_.image1, &out1_}, std::pair{&p_.image2, &out2_}}) {
      conv_bias_relu(device_, image->data(), p_.w1.data(), p_.b1.data(), mid_.data(), p_.batch, p_.size, 32);
      conv_bias_relu(device_, mid_.data(), p_.w2.data(), p_.b2.data(), out->data(), p_.batch, p_.size, 32);
    }
  }

  std::vector<const float*> outputs() const override { return {out1_.data(), out2_.data()}; }

 private:
  const Problem& p_;
  Eigen::ThreadPool pool_;
  Eigen::ThreadPoolDevice device_;
  std::vector<float> mid_, out1_, out2_;
};

}  // namespace

std::vector<Entry> eigen_entries() {
  return {{"Eigen patches+contraction (TF's path)",
           [](const Problem& p, int t) { return std::make_unique<EigenContestant>(p, t); }}};
}

}  // namespace bench
