#pragma once
// MediaPipe's BlazeFace ("back" model, 256x256 input) as @vladmandic/human
// 3.3.6 runs it (src/face/blazeface.ts, src/face/facemeshutil.ts): the model
// imported from its TF.js files, the input prepared, and the 896 anchors
// decoded into scored boxes with six keypoints each, then non-max suppression.
#include <array>
#include <string>
#include <vector>

#include <minitf/minitf.h>

namespace faces {

namespace tf = minitf;

constexpr int kInputSize = 256;  // the model's input is [1, 256, 256, 3]
constexpr int kKeypoints = 6;    // eyes, nose tip, mouth, ear tragions (MediaPipe's order)

struct Point {
  float x, y;
};

// One detection. Coordinates are input pixels (0..256) from decode(), image
// pixels after to_image().
struct Face {
  float score;  // sigmoid of the anchor's logit
  Point top_left, bottom_right;
  std::array<Point, kKeypoints> keypoints;
};

// BlazeFace imported into the default graph under the name scope "blazeface".
struct Model {
  tf::Output input;                           // [1, 256, 256, 3], RGB in [-1, 1]
  tf::Output regressors_16x16, logits_16x16;  // Identity_2 [1, 512, 16], Identity [1, 512, 1]
  tf::Output regressors_8x8, logits_8x8;      // Identity_3 [1, 384, 16], Identity_1 [1, 384, 1]
  // What decode() takes, in this order.
  std::vector<tf::Output> fetches() const {
    return {regressors_16x16, logits_16x16, regressors_8x8, logits_8x8};
  }
};

// Reads the TF.js graph model (model.json with its weight shards beside it)
// and imports it; InvalidArgumentError when its outputs are not BlazeFace's shapes.
Model import_model(const std::string& path);

// The model's input from an RGB image ([1, H, W, 3], values in [0, 1]):
// resized to 256x256 as tf.image.resizeBilinear does by default (TF.js's
// align_corners=false, half_pixel_centers=false) and mapped to [-1, 1]
// (human: pixel / 127.5 - 1 on 0..255 pixels, the same as 2 * value - 1 here).
tf::Tensor preprocess(const tf::Tensor& rgb);

// The centres of the 896 anchors in input pixels, in the order of decode()'s rows.
std::vector<Point> anchors();

// One face per anchor (896), in input pixels, from the model's outputs in
// Model::fetches() order.
std::vector<Face> decode(const std::vector<tf::Tensor>& outputs);

// tf.image.non_max_suppression as human calls it: the faces scoring at least
// `min_score`, best first, each dropped when its box overlaps an already kept
// one by IoU > `iou`; at most `max_faces`.
std::vector<Face> non_max_suppression(std::vector<Face> faces, float min_score, float iou, int max_faces);

// A face in input pixels moved to an image of `width` x `height` pixels
// (the input is the whole image stretched to 256x256).
Face to_image(const Face& face, int width, int height);

}  // namespace faces
