// Face detection with MediaPipe's BlazeFace, imported from the TF.js graph
// model that @vladmandic/human ships (tests/data/blazeface): finds faces in
// a photo, prints each one's score and box, and writes the photo with the
// boxes and keypoints drawn on it.
//
//   detect_faces --image photo.jpg [--out faces.png] [--min-score 0.5] [--runs 20]
//   detect_faces --demo             (a drawn face instead of a photo)
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <minitf/minitf.h>

#include "blazeface.h"
#include "images.h"  // image_filter's read_image and write_rgb
#include "picture.h"

namespace tf = minitf;

namespace {

constexpr int kDemoWidth = 512, kDemoHeight = 384;

// The vendored model: under $MINITF_SOURCE_DIR when set, else under the
// source tree this example was built from.
std::string default_model() {
  const char* root = std::getenv("MINITF_SOURCE_DIR");
  return std::string(root && *root ? root : DETECT_FACES_SOURCE_DIR) + "/tests/data/blazeface/blazeface.json";
}

// Runs the model `runs` times after one warm-up run; the outputs of the last
// run, and the sorted times of the timed runs in milliseconds.
std::vector<tf::Tensor> run_timed(tf::Session& session, const faces::Model& model, const tf::Tensor& input,
                                  int runs, std::vector<double>& ms) {
  const tf::FeedDict feed{{model.input, input}};
  auto outputs = session.run(model.fetches(), feed);  // warm-up: plans and oneDNN primitives
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    outputs = session.run(model.fetches(), feed);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return outputs;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "minitf example: finds faces with MediaPipe's BlazeFace (imported from its TF.js graph model) and\n"
      "writes the image with a box and six keypoints drawn on each face."};
  std::string image_path, model_path = default_model(), out_path = "faces.png";
  bool demo_image = false;
  float min_score = 0.5f, iou = 0.3f;
  int max_faces = 10, threads = 0, runs = 1;
  auto* image_option =
      app.add_option("--image", image_path, "the photo (PNG, JPEG, BMP, ...: what stb_image reads)");
  app.add_flag("--demo", demo_image, "use a drawn face (512x384) instead of a photo")->excludes(image_option);
  app.add_option("--model", model_path, "BlazeFace's TF.js model.json (its .bin beside it)")
      ->capture_default_str();
  app.add_option("--out", out_path, "the PNG to write")->capture_default_str();
  app.add_option("--min-score", min_score, "lowest score kept")
      ->check(CLI::Range(0.f, 1.f))
      ->capture_default_str();
  app.add_option("--iou", iou, "non-max suppression: overlap (IoU) above which the lower-scored box goes")
      ->check(CLI::Range(0.f, 1.f))
      ->capture_default_str();
  app.add_option("--max-faces", max_faces, "most faces kept")
      ->check(CLI::Range(1, 896))
      ->capture_default_str();
  app.add_option("--threads", threads, "threads for oneDNN and Eigen (0: every core)")
      ->check(CLI::Range(0, 1024));
  app.add_option("--runs", runs, "timed runs of the model after one warm-up run")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    if (image_path.empty() && !demo_image) {
      throw tf::InvalidArgumentError("No image: give --image PATH, or --demo for a drawn face");
    }
    tf::Tensor image = demo_image ? faces::demo_face(kDemoWidth, kDemoHeight) : demo::read_image(image_path);
    const int width = static_cast<int>(image.shape().dim(2)), height = static_cast<int>(image.shape().dim(1));

    tf::Graph graph;
    auto guard = graph.as_default();
    const faces::Model model = faces::import_model(model_path);
    tf::Session session(graph, tf::SessionOptions{.num_threads = threads});
    std::vector<double> ms;
    const auto outputs = run_timed(session, model, faces::preprocess(image), runs, ms);

    const std::vector<faces::Face> candidates = faces::decode(outputs);
    std::vector<faces::Face> found = faces::non_max_suppression(candidates, min_score, iou, max_faces);
    for (faces::Face& face : found) {
      face = faces::to_image(face, width, height);
      faces::draw_face(image, face);
    }
    demo::write_rgb(image, out_path);

    std::printf("%s (%dx%d): %zu face%s\n", demo_image ? "drawn demo face" : image_path.c_str(), width,
                height, found.size(), found.size() == 1 ? "" : "s");
    for (size_t i = 0; i < found.size(); ++i) {
      const faces::Face& f = found[i];
      std::printf("face %zu: score %.4f box x %ld..%ld y %ld..%ld\n", i + 1, f.score,
                  std::lround(f.top_left.x), std::lround(f.bottom_right.x), std::lround(f.top_left.y),
                  std::lround(f.bottom_right.y));
    }
    if (found.empty()) {
      const auto best = std::max_element(candidates.begin(), candidates.end(),
                                         [](const auto& a, const auto& b) { return a.score < b.score; });
      std::printf("no face: best anchor score %.4f < --min-score %.2f\n", best->score, min_score);
    }
    std::printf("wrote %s\n", out_path.c_str());
    std::printf("BlazeFace run (%d thread%s): median %.3f ms, min %.3f ms over %d run%s\n",
                session.num_threads(), session.num_threads() == 1 ? "" : "s", ms[ms.size() / 2], ms.front(),
                runs, runs == 1 ? "" : "s");
  } catch (const std::exception& e) {  // tf::Error and anything else: one line, exit code 1
    std::cerr << "detect_faces: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
