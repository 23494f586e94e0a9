#include "problem.h"

#include <random>

namespace bench {

Problem::Problem(int64_t b, int64_t s, uint32_t seed) : batch(b), size(s) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> pixel(0.f, 1.f);
  // Glorot-like weights keep activations in a range where float error is small.
  std::uniform_real_distribution<float> weight(-0.05f, 0.05f), bias(-0.1f, 0.1f);
  auto fill = [&rng](std::vector<float>& v, size_t n, auto& dist) {
    v.resize(n);
    for (float& x : v) x = dist(rng);
  };
  fill(image1, static_cast<size_t>(image_elements()), pixel);
  fill(image2, static_cast<size_t>(image_elements()), pixel);
  const auto wn = static_cast<size_t>(kKernel * kKernel * kChannels * kChannels);
  fill(w1, wn, weight);
  fill(w2, wn, weight);
  fill(b1, kChannels, bias);
  fill(b2, kChannels, bias);
}

double Problem::flops() const {
  return 2.0 * 2.0 * 2.0 * double(batch * size * size) * double(kChannels * kChannels * kKernel * kKernel);
}

std::string Problem::shape_name() const {
  return "B=" + std::to_string(batch) + " " + std::to_string(size) + "x" + std::to_string(size);
}

}  // namespace bench
