#include "blazeface.h"

#include <algorithm>
#include <cmath>

namespace faces {

namespace {

// The two anchor grids, in the order human stacks the outputs (see decode()).
struct Grid {
  int stride;    // input pixels per cell
  int per_cell;  // anchors per cell
};
constexpr Grid kGrids[] = {{16, 2}, {32, 6}};  // 16x16 cells x 2 = 512 rows, 8x8 x 6 = 384
constexpr int kRegressors = 16;                // box centre dx, dy, width, height, then 6 keypoints' dx, dy

void require_shape(const tf::Output& output, const tf::Shape& shape) {
  if (output.shape() != shape) {
    throw tf::InvalidArgumentError("Not BlazeFace's back model: " + output.name() + " is " +
                                   output.shape().to_string() + ", want " + shape.to_string());
  }
}

float iou(const Face& a, const Face& b) {
  const float w = std::min(a.bottom_right.x, b.bottom_right.x) - std::max(a.top_left.x, b.top_left.x);
  const float h = std::min(a.bottom_right.y, b.bottom_right.y) - std::max(a.top_left.y, b.top_left.y);
  if (w <= 0 || h <= 0) return 0;
  const auto area = [](const Face& f) {
    return (f.bottom_right.x - f.top_left.x) * (f.bottom_right.y - f.top_left.y);
  };
  const float overlap = w * h;
  return overlap / (area(a) + area(b) - overlap);
}

}  // namespace

Model import_model(const std::string& path) {
  const tf::GraphDef gd = tf::read_graph_def(path);
  // Identity_3, Identity, Identity_1, Identity_2: the signature's order in model.json.
  const auto r = tf::import_graph_def(
      gd, {.name = "blazeface",
           .return_elements = {"input:0", "Identity_3:0", "Identity:0", "Identity_1:0", "Identity_2:0"}});
  const Model m{.input = r[0],
                .regressors_16x16 = r[4],
                .logits_16x16 = r[2],
                .regressors_8x8 = r[1],
                .logits_8x8 = r[3]};
  require_shape(m.input, {1, kInputSize, kInputSize, 3});
  require_shape(m.regressors_16x16, {1, 512, kRegressors});
  require_shape(m.logits_16x16, {1, 512, 1});
  require_shape(m.regressors_8x8, {1, 384, kRegressors});
  require_shape(m.logits_8x8, {1, 384, 1});
  return m;
}

tf::Tensor preprocess(const tf::Tensor& rgb) {
  const auto& d = rgb.shape().dims();
  const int64_t in_h = d[1], in_w = d[2];
  const float scale_y = static_cast<float>(in_h) / kInputSize,
              scale_x = static_cast<float>(in_w) / kInputSize;
  const auto in = rgb.data<float>();
  const auto pixel = [&](int64_t y, int64_t x, int c) {
    return in[static_cast<size_t>((y * in_w + x) * 3 + c)];
  };
  tf::Tensor t(tf::float32, {1, kInputSize, kInputSize, 3});
  auto out = t.data<float>();
  for (int y = 0; y < kInputSize; ++y) {
    // TF's legacy sampling: output pixel y reads input row y * in/out, no half-pixel shift.
    const float sy = static_cast<float>(y) * scale_y;
    const int64_t y0 = static_cast<int64_t>(std::floor(sy)), y1 = std::min(y0 + 1, in_h - 1);
    const float fy = sy - static_cast<float>(y0);
    for (int x = 0; x < kInputSize; ++x) {
      const float sx = static_cast<float>(x) * scale_x;
      const int64_t x0 = static_cast<int64_t>(std::floor(sx)), x1 = std::min(x0 + 1, in_w - 1);
      const float fx = sx - static_cast<float>(x0);
      for (int c = 0; c < 3; ++c) {
        const float top = pixel(y0, x0, c) + (pixel(y0, x1, c) - pixel(y0, x0, c)) * fx;
        const float bottom = pixel(y1, x0, c) + (pixel(y1, x1, c) - pixel(y1, x0, c)) * fx;
        out[static_cast<size_t>((y * kInputSize + x) * 3 + c)] = 2.f * (top + (bottom - top) * fy) - 1.f;
      }
    }
  }
  return t;
}

// human's generateAnchors (src/face/facemeshutil.ts) for a 256 input: for
// each grid in turn (stride 16, then 32), cells row by row, left to right,
// each cell's centre repeated once per anchor of the cell. This is MediaPipe's
// SSD anchor scheme for the back model (strides 16, 32, 32, 32 with two
// anchors per layer, the three stride-32 layers sharing one grid; anchor
// offset 0.5; fixed anchor size, so an anchor is only a centre) in input
// pixels rather than normalized to [0, 1].
std::vector<Point> anchors() {
  std::vector<Point> a;
  for (const Grid& g : kGrids) {
    const int cells = kInputSize / g.stride;
    for (int y = 0; y < cells; ++y) {
      for (int x = 0; x < cells; ++x) {
        const Point centre{(static_cast<float>(x) + 0.5f) * static_cast<float>(g.stride),
                           (static_cast<float>(y) + 0.5f) * static_cast<float>(g.stride)};
        a.insert(a.end(), static_cast<size_t>(g.per_cell), centre);
      }
    }
  }
  return a;
}

// As human's getBoxes and decodeBoxes (src/face/blazeface.ts) read the same
// four outputs: it sorts them by size, puts each logit output beside the
// regressor output with as many anchors, and stacks the 512-anchor pair (the
// 16x16 grid) above the 384-anchor pair (the 8x8 grid), so row i belongs to
// anchors()[i]. A box's centre is the anchor plus regressors 0 and 1, its
// width and height are regressors 2 and 3, all in input pixels; keypoint k
// is the anchor plus regressors 4 + 2k and 5 + 2k (added in
// scaleBoxCoordinates, src/face/facemeshutil.ts); the score is the sigmoid
// of the logit.
std::vector<Face> decode(const std::vector<tf::Tensor>& outputs) {
  const std::vector<Point> centres = anchors();
  std::vector<Face> faces;
  faces.reserve(centres.size());
  for (size_t pair = 0; pair < 2; ++pair) {
    const auto regressors = outputs.at(2 * pair).data<float>();
    const auto logits = outputs.at(2 * pair + 1).data<float>();
    for (size_t i = 0; i < logits.size(); ++i) {
      const Point anchor = centres[faces.size()];
      const float* r = &regressors[i * kRegressors];
      const Point centre{anchor.x + r[0], anchor.y + r[1]};
      Face f{.score = 1.f / (1.f + std::exp(-logits[i])),
             .top_left = {centre.x - r[2] / 2, centre.y - r[3] / 2},
             .bottom_right = {centre.x + r[2] / 2, centre.y + r[3] / 2},
             .keypoints = {}};
      for (int k = 0; k < kKeypoints; ++k)
        f.keypoints[k] = {anchor.x + r[4 + 2 * k], anchor.y + r[5 + 2 * k]};
      faces.push_back(f);
    }
  }
  return faces;
}

std::vector<Face> non_max_suppression(std::vector<Face> faces, float min_score, float iou_threshold,
                                      int max_faces) {
  std::erase_if(faces, [&](const Face& f) { return f.score < min_score; });
  std::stable_sort(faces.begin(), faces.end(),
                   [](const Face& a, const Face& b) { return a.score > b.score; });
  std::vector<Face> kept;
  for (const Face& f : faces) {
    if (static_cast<int>(kept.size()) == max_faces) break;
    if (std::none_of(kept.begin(), kept.end(), [&](const Face& k) { return iou(f, k) > iou_threshold; }))
      kept.push_back(f);
  }
  return kept;
}

Face to_image(const Face& face, int width, int height) {
  const float sx = static_cast<float>(width) / kInputSize, sy = static_cast<float>(height) / kInputSize;
  const auto scale = [&](Point p) { return Point{p.x * sx, p.y * sy}; };
  Face f{face.score, scale(face.top_left), scale(face.bottom_right), {}};
  for (int k = 0; k < kKeypoints; ++k) f.keypoints[k] = scale(face.keypoints[k]);
  return f;
}

}  // namespace faces
