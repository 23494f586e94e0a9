// Fills: Fill (zeros, ones, constants) and the random ops, counter-based so a
// value depends on (seed, seed2, element index, run number) only.
#include <atomic>
#include <random>

#include "eigen_device.h"
#include "kernels_internal.h"
#include "philox.h"

namespace minitf::kernels {
namespace {

class RandomKernel final : public OpKernel {
 public:
  enum class Kind { kUniform, kNormal, kTruncated };

  RandomKernel(const NodeInfo& op, Kind kind) : OpKernel(op), kind_(kind) {
    int64_t seed = op.attr<int64_t>("seed");
    int64_t seed2 = op.attr<int64_t>("seed2");
    if (seed == 0 && seed2 == 0) {  // as TF: no seed given, so a fresh one per kernel
      std::random_device rd;
      seed = (int64_t{rd()} << 32) | rd();
      seed2 = (int64_t{rd()} << 32) | rd();
    }
    key_ = {static_cast<uint32_t>(seed) ^ static_cast<uint32_t>(uint64_t(seed) >> 32),
            static_cast<uint32_t>(seed2) ^ static_cast<uint32_t>(uint64_t(seed2) >> 32)};
    if (kind == Kind::kUniform) {
      a_ = op.attr<float>("minval");
      b_ = op.attr<float>("maxval");
    } else {
      a_ = op.attr<float>("mean");
      b_ = op.attr<float>("stddev");
    }
  }

  void compute(KernelContext& ctx) override {
    // Each run of the op draws new numbers, as a TF random op does.
    const auto run = static_cast<uint32_t>(runs_.fetch_add(1));
    Tensor& out = ctx.allocate_output(0);  // the dtype and shape the plan took from the attributes
    float* data = out.data<float>().data();
    parallel_for(ctx, out.num_elements(), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) data[i] = draw(static_cast<uint64_t>(i), run);
    });
  }

 private:
  float draw(uint64_t i, uint32_t run) const {
    auto block = [&](uint32_t attempt) {
      return philox4x32({static_cast<uint32_t>(i), static_cast<uint32_t>(i >> 32), run, attempt}, key_);
    };
    switch (kind_) {
      case Kind::kUniform: {
        const PhiloxBlock r = block(0);
        const float u = uint_to_unit_float(r[0]);
        const float v = a_ + (b_ - a_) * u;
        return v < b_ ? v : a_;  // rounding may reach maxval; the range is [a, b)
      }
      case Kind::kNormal: {
        const PhiloxBlock r = block(0);
        return a_ + b_ * box_muller(r[0], r[1]);
      }
      case Kind::kTruncated:
        for (uint32_t attempt = 0;; ++attempt) {
          const PhiloxBlock r = block(attempt);
          for (int pair = 0; pair < 2; ++pair) {
            const float z = box_muller(r[2 * pair], r[2 * pair + 1]);
            if (std::fabs(z) < 2.f) return a_ + b_ * z;
          }
        }
    }
    return 0.f;
  }

  Kind kind_;
  std::array<uint32_t, 2> key_{};
  float a_ = 0.f, b_ = 1.f;
  std::atomic<uint64_t> runs_{0};
};

}  // namespace

void register_random_kernels(KernelRegistry& r) {
  r.add("Fill", simple_kernel([](const OpKernel& k, KernelContext& ctx) {
          const float value = k.node().attr<float>("value");
          Tensor& out = ctx.allocate_output(0);
          with_dtype(out.dtype(), [&](auto zero) {
            using T = decltype(zero);
            T v{};
            store_exact(value, out.dtype(), &v, k.what());
            std::fill(out.data<T>().begin(), out.data<T>().end(), v);
          });
        }));
  for (const auto& [type, value] : {std::pair{"ZerosLike", 0}, std::pair{"OnesLike", 1}}) {
    const int fill = value;  // clang 14 cannot capture a structured binding
    r.add(type, simple_kernel([fill](const OpKernel&, KernelContext& ctx) {
            Tensor& out = ctx.allocate_output(0);
            with_dtype(out.dtype(), [&](auto zero) {
              using T = decltype(zero);
              std::fill(out.data<T>().begin(), out.data<T>().end(), static_cast<T>(fill));
            });
          }));
  }
  r.add("RandomUniform",
        [](const NodeInfo& op) { return std::make_unique<RandomKernel>(op, RandomKernel::Kind::kUniform); });
  r.add("RandomStandardNormal",
        [](const NodeInfo& op) { return std::make_unique<RandomKernel>(op, RandomKernel::Kind::kNormal); });
  r.add("TruncatedNormal", [](const NodeInfo& op) {
    return std::make_unique<RandomKernel>(op, RandomKernel::Kind::kTruncated);
  });
}

}  // namespace minitf::kernels
