#pragma once
// Naive reference loops, in double, that kernels are checked against.
#include <cmath>
#include <random>
#include <vector>

#include "test_util.h"

inline tf::Tensor random_tensor(const tf::Shape& shape, std::mt19937& rng, float lo = -1.f, float hi = 1.f) {
  tf::Tensor t(tf::float32, shape);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float& v : t.data<float>()) v = dist(rng);
  return t;
}

// The flat index into `shape` of the broadcast position `index` of `out` (NumPy rules).
inline int64_t source_index(const tf::Shape& shape, const tf::Shape& out, int64_t index) {
  int64_t src = 0, stride = 1;
  for (int d = out.rank() - 1, s = shape.rank() - 1; d >= 0; --d, --s) {
    const int64_t coord = index % out.dim(d);
    index /= out.dim(d);
    if (s >= 0) {
      if (shape.dim(s) != 1) src += coord * stride;
      stride *= shape.dim(s);
    }
  }
  return src;
}

// A reference value with the sum of |terms| that bounds its rounding error.
struct RefValue {
  double value = 0;
  double magnitude = 0;
};

// TF's Conv2D: NHWC input, HWIO filter, SAME pads (total / 2) before.
inline std::vector<RefValue> naive_conv2d(const tf::Tensor& x, const tf::Tensor& w, int64_t sh, int64_t sw,
                                          tf::Padding padding, tf::Shape* out_shape) {
  const auto& xd = x.shape().dims();
  const auto& wd = w.shape().dims();
  const int64_t n = xd[0], h = xd[1], wi = xd[2], c = xd[3], kh = wd[0], kw = wd[1], o = wd[3];
  auto dim = [&](int64_t in, int64_t k, int64_t s, int64_t* pad) {
    if (padding == tf::Padding::Same) {
      const int64_t out = (in + s - 1) / s;
      *pad = std::max<int64_t>((out - 1) * s + k - in, 0) / 2;
      return out;
    }
    *pad = 0;
    return (in - k) / s + 1;
  };
  int64_t ph, pw;
  const int64_t oh = dim(h, kh, sh, &ph), ow = dim(wi, kw, sw, &pw);
  *out_shape = tf::Shape{n, oh, ow, o};
  std::vector<RefValue> out(static_cast<size_t>(n * oh * ow * o));
  auto xv = x.data<float>();
  auto wv = w.data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t oc = 0; oc < o; ++oc) {
          RefValue r;
          for (int64_t di = 0; di < kh; ++di)
            for (int64_t dj = 0; dj < kw; ++dj) {
              const int64_t y = i * sh + di - ph, z = j * sw + dj - pw;
              if (y < 0 || y >= h || z < 0 || z >= wi) continue;
              for (int64_t ic = 0; ic < c; ++ic) {
                const double p = double(xv[static_cast<size_t>(((b * h + y) * wi + z) * c + ic)]) *
                                 double(wv[static_cast<size_t>(((di * kw + dj) * c + ic) * o + oc)]);
                r.value += p;
                r.magnitude += std::fabs(p);
              }
            }
          out[static_cast<size_t>(((b * oh + i) * ow + j) * o + oc)] = r;
        }
  return out;
}

// Checks every element: |got - want| <= rel * magnitude + abs.
inline void check_close(const tf::Tensor& got, const std::vector<RefValue>& want, double rel = 1e-5,
                        double abs = 1e-6) {
  REQUIRE(got.num_elements() == static_cast<int64_t>(want.size()));
  auto g = got.data<float>();
  size_t bad = 0;
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double err = std::fabs(double(g[i]) - want[i].value);
    const double bound = rel * want[i].magnitude + abs;
    if (err > bound) ++bad;
    worst = std::max(worst, err / bound);
  }
  INFO("worst error / bound = " << worst);
  CHECK(bad == 0);
}
