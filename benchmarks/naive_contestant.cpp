// The floor: the textbook loop, in float, one thread.
#include <algorithm>

#include "problem.h"

namespace bench {
namespace {

void conv_bias_relu(const float* in, const float* w, const float* b, float* out, int64_t n, int64_t s) {
  constexpr int64_t c = Problem::kChannels, k = Problem::kKernel, pad = 2;
  for (int64_t bi = 0; bi < n; ++bi)
    for (int64_t y = 0; y < s; ++y)
      for (int64_t x = 0; x < s; ++x) {
        float acc[c];
        std::copy(b, b + c, acc);
        for (int64_t dy = 0; dy < k; ++dy)
          for (int64_t dx = 0; dx < k; ++dx) {
            const int64_t iy = y + dy - pad, ix = x + dx - pad;
            if (iy < 0 || iy >= s || ix < 0 || ix >= s) continue;
            const float* pin = in + ((bi * s + iy) * s + ix) * c;
            const float* pw = w + (dy * k + dx) * c * c;
            for (int64_t ic = 0; ic < c; ++ic)
              for (int64_t oc = 0; oc < c; ++oc) acc[oc] += pin[ic] * pw[ic * c + oc];
          }
        float* pout = out + ((bi * s + y) * s + x) * c;
        for (int64_t oc = 0; oc < c; ++oc) pout[oc] = std::max(0.f, acc[oc]);
      }
}

class NaiveContestant final : public Contestant {
 public:
  explicit NaiveContestant(const Problem& p)
      : p_(p), mid_(static_cast<size_t>(p.image_elements())), out1_(mid_.size()), out2_(mid_.size()) {}
  void run() override {
    for (auto [image, out] : {std::pair{&p_.image1, &out1_}, std::pair{&p_.image2, &out2_}}) {
      conv_bias_relu(image->data(), p_.w1.data(), p_.b1.data(), mid_.data(), p_.batch, p_.size);
      conv_bias_relu(mid_.data(), p_.w2.data(), p_.b2.data(), out->data(), p_.batch, p_.size);
    }
  }
  std::vector<const float*> outputs() const override { return {out1_.data(), out2_.data()}; }

 private:
  const Problem& p_;
  std::vector<float> mid_, out1_, out2_;
};

}  // namespace

std::vector<Entry> naive_entries() {
  return {{"naive loop (1 thread)",
           [](const Problem& p, int) { return std::make_unique<NaiveContestant>(p); }, true}};
}

}  // namespace bench
