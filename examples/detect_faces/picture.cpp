#include "picture.h"

#include <algorithm>
#include <cmath>
#include <span>

namespace faces {

namespace {

struct Colour {
  float r, g, b;
};

// The pixels of a [1, H, W, 3] image, read and written by (x, y).
class Canvas {
 public:
  explicit Canvas(tf::Tensor& image)
      : px_(image.data<float>()),
        width_(static_cast<int>(image.shape().dim(2))),
        height_(static_cast<int>(image.shape().dim(1))) {}
  // Mixes `c` into pixel (x, y) with weight `alpha`; pixels outside are ignored.
  void blend(int x, int y, Colour c, float alpha = 1.f) {
    if (x < 0 || y < 0 || x >= width_ || y >= height_ || alpha <= 0) return;
    float* p = &px_[static_cast<size_t>((y * width_ + x) * 3)];
    p[0] += (c.r - p[0]) * alpha;
    p[1] += (c.g - p[1]) * alpha;
    p[2] += (c.b - p[2]) * alpha;
  }
  // Fills the pixels x0..x1, y0..y1 (inclusive).
  void fill(int x0, int y0, int x1, int y1, Colour c) {
    for (int y = std::max(y0, 0); y <= std::min(y1, height_ - 1); ++y)
      for (int x = std::max(x0, 0); x <= std::min(x1, width_ - 1); ++x) blend(x, y, c);
  }

 private:
  std::span<float> px_;
  int width_, height_;
};

// An ellipse with a one-pixel soft edge; `shade` darkens it towards its rim
// (0: flat colour).
void ellipse(Canvas& canvas, float cx, float cy, float rx, float ry, Colour c, float shade = 0.f) {
  for (int y = static_cast<int>(cy - ry) - 1; y <= static_cast<int>(cy + ry) + 1; ++y) {
    for (int x = static_cast<int>(cx - rx) - 1; x <= static_cast<int>(cx + rx) + 1; ++x) {
      const float dx = (static_cast<float>(x) - cx) / rx, dy = (static_cast<float>(y) - cy) / ry;
      const float q = std::sqrt(dx * dx + dy * dy);  // 1 on the rim
      const float alpha = std::clamp(0.5f - (q - 1.f) * std::min(rx, ry), 0.f, 1.f);
      const float dim = 1.f - shade * q * q;
      canvas.blend(x, y, {c.r * dim, c.g * dim, c.b * dim}, alpha);
    }
  }
}

}  // namespace

tf::Tensor demo_face(int width, int height) {
  tf::Tensor image(tf::float32, {1, height, width, 3});
  Canvas canvas(image);
  for (int y = 0; y < height; ++y) {  // a wall, a little lighter at the top
    const float light = 0.05f * (1.f - static_cast<float>(y) / static_cast<float>(height));
    canvas.fill(0, y, width - 1, y, {0.55f + light, 0.62f + light, 0.68f + light});
  }
  const float cx = static_cast<float>(width) / 2, cy = static_cast<float>(height) / 2;
  const float s = static_cast<float>(std::min(width, height)) / 384.f;  // the face's scale
  const Colour skin{0.87f, 0.68f, 0.55f}, hair{0.22f, 0.14f, 0.09f}, white{0.95f, 0.95f, 0.93f};
  const Colour iris{0.30f, 0.20f, 0.12f}, dark{0.05f, 0.04f, 0.04f}, lips{0.72f, 0.36f, 0.36f};
  canvas.fill(static_cast<int>(cx - 34 * s), static_cast<int>(cy + 60 * s), static_cast<int>(cx + 34 * s),
              height - 1, {skin.r * 0.8f, skin.g * 0.8f, skin.b * 0.8f});  // neck
  ellipse(canvas, cx, cy - 22 * s, 88 * s, 100 * s, hair);
  for (float side : {-1.f, 1.f}) ellipse(canvas, cx + side * 76 * s, cy + 2 * s, 12 * s, 22 * s, skin, 0.2f);
  ellipse(canvas, cx, cy, 76 * s, 98 * s, skin, 0.25f);
  ellipse(canvas, cx, cy - 70 * s, 70 * s, 34 * s, hair);  // fringe
  for (float side : {-1.f, 1.f}) {
    const float ex = cx + side * 30 * s, ey = cy - 14 * s;
    ellipse(canvas, ex, ey - 17 * s, 19 * s, 4 * s, hair);  // brow
    ellipse(canvas, ex, ey, 17 * s, 8 * s, white);
    ellipse(canvas, ex, ey, 7 * s, 7 * s, iris);
    ellipse(canvas, ex, ey, 3 * s, 3 * s, dark);
  }
  ellipse(canvas, cx, cy + 22 * s, 9 * s, 6 * s, {skin.r * 0.75f, skin.g * 0.7f, skin.b * 0.7f});  // nose
  ellipse(canvas, cx, cy + 52 * s, 24 * s, 7 * s, lips);
  ellipse(canvas, cx, cy + 52 * s, 20 * s, 1.5f * s, {0.35f, 0.12f, 0.12f});
  // 8 bits a channel, as a photo read from a file: the PNG this image is
  // written to, read back with --image, gives the same detections.
  for (float& v : image.data<float>()) v = std::round(v * 255.f) / 255.f;
  return image;
}

void draw_face(tf::Tensor& image, const Face& face) {
  Canvas canvas(image);
  const Colour green{0.f, 1.f, 0.f}, red{1.f, 0.f, 0.f};
  const int x0 = static_cast<int>(std::lround(face.top_left.x)),
            y0 = static_cast<int>(std::lround(face.top_left.y));
  const int x1 = static_cast<int>(std::lround(face.bottom_right.x));
  const int y1 = static_cast<int>(std::lround(face.bottom_right.y));
  canvas.fill(x0, y0, x1, y0 + 1, green);
  canvas.fill(x0, y1 - 1, x1, y1, green);
  canvas.fill(x0, y0, x0 + 1, y1, green);
  canvas.fill(x1 - 1, y0, x1, y1, green);
  for (const Point& p : face.keypoints) ellipse(canvas, p.x, p.y, 2.5f, 2.5f, red);
}

}  // namespace faces
