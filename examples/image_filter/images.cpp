#include "images.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

namespace demo {

tf::Tensor builtin_image(int which, int size) {
  tf::Tensor t(tf::float32, {1, size, size, 3});
  auto px = t.data<float>();
  const double c = (size - 1) / 2.0;
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      float* p = &px[static_cast<size_t>((y * size + x) * 3)];
      const double dx = (x - c) / size, dy = (y - c) / size;
      if (which == 0) {  // rings on a gradient
        const double r = std::sqrt(dx * dx + dy * dy);
        const float ring = 0.5f + 0.5f * static_cast<float>(std::cos(r * 40.0));
        p[0] = ring;
        p[1] = static_cast<float>(x) / float(size);
        p[2] = 1.f - ring * 0.5f;
      } else {  // a checkerboard with a diagonal bar
        const bool check = ((x * 8 / size) + (y * 8 / size)) % 2 == 0;
        const bool bar = std::abs(x - y) < size / 10;
        p[0] = bar ? 1.f : (check ? 0.8f : 0.1f);
        p[1] = check ? 0.2f : 0.7f;
        p[2] = bar ? 0.f : static_cast<float>(y) / float(size);
      }
    }
  }
  return t;
}

tf::Tensor read_image(const std::string& path) {
  if (!std::filesystem::exists(path)) throw tf::NotFoundError("No such image file: " + path);
  int w = 0, h = 0, n = 0;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &n, 3);
  if (!data) {
    throw tf::DataLossError("Cannot decode image " + path + ": " + stbi_failure_reason());
  }
  tf::Tensor t(tf::float32, {1, h, w, 3});
  auto px = t.data<float>();
  for (size_t i = 0; i < px.size(); ++i) px[i] = data[i] / 255.f;
  stbi_image_free(data);
  return t;
}

tf::Tensor to_channels(const tf::Tensor& rgb, int channels) {
  const auto& d = rgb.shape().dims();
  tf::Tensor t(tf::float32, {d[0], d[1], d[2], channels});
  auto in = rgb.data<float>();
  auto out = t.data<float>();
  const int64_t pixels = d[0] * d[1] * d[2];
  for (int64_t p = 0; p < pixels; ++p) {
    for (int c = 0; c < channels; ++c)
      out[static_cast<size_t>(p * channels + c)] = in[static_cast<size_t>(p * 3 + c % 3)];
  }
  return t;
}

void write_feature_grid(const tf::Tensor& maps, const std::string& path) {
  const auto& d = maps.shape().dims();
  const int h = static_cast<int>(d[1]), w = static_cast<int>(d[2]), c = static_cast<int>(d[3]);
  const int cols = static_cast<int>(std::ceil(std::sqrt(double(c)))), rows = (c + cols - 1) / cols;
  const int gw = cols * (w + 1) + 1, gh = rows * (h + 1) + 1;
  std::vector<unsigned char> grid(static_cast<size_t>(gw * gh), 255);
  auto v = maps.data<float>();
  for (int ch = 0; ch < c; ++ch) {
    float lo = 1e30f, hi = -1e30f;
    for (int i = 0; i < h * w; ++i) {
      lo = std::min(lo, v[static_cast<size_t>(i * c + ch)]);
      hi = std::max(hi, v[static_cast<size_t>(i * c + ch)]);
    }
    const float scale = hi > lo ? 255.f / (hi - lo) : 0.f;
    const int ox = 1 + (ch % cols) * (w + 1), oy = 1 + (ch / cols) * (h + 1);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const float value = (v[static_cast<size_t>((y * w + x) * c + ch)] - lo) * scale;
        grid[static_cast<size_t>((oy + y) * gw + ox + x)] =
            static_cast<unsigned char>(std::clamp(value, 0.f, 255.f));
      }
    }
  }
  if (!stbi_write_png(path.c_str(), gw, gh, 1, grid.data(), gw)) {
    throw tf::NotFoundError("Cannot write " + path);
  }
}

void write_rgb(const tf::Tensor& rgb, const std::string& path) {
  const auto& d = rgb.shape().dims();
  std::vector<unsigned char> bytes(static_cast<size_t>(rgb.num_elements()));
  auto v = rgb.data<float>();
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<unsigned char>(std::clamp(v[i], 0.f, 1.f) * 255.f);
  if (!stbi_write_png(path.c_str(), static_cast<int>(d[2]), static_cast<int>(d[1]), 3, bytes.data(),
                      static_cast<int>(d[2] * 3))) {
    throw tf::NotFoundError("Cannot write " + path);
  }
}

}  // namespace demo
