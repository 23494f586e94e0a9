// The reference text's image filter with shared weights: my_image_filter built
// twice under variable_scope("image_filters") with reuse_variables() between,
// run on two images in one session.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "images.h"

namespace tf = minitf;

namespace {

constexpr int kChannels = 32;

tf::Output conv_relu(const tf::Output& input, const tf::Shape& kernel_shape, const tf::Shape& bias_shape) {
  auto weights = tf::get_variable("weights", kernel_shape, tf::random_normal_initializer());
  auto biases = tf::get_variable("biases", bias_shape, tf::constant_initializer(0.0f));
  auto conv = tf::conv2d(input, weights, {1, 1, 1, 1}, "SAME");
  return tf::relu(conv + biases);
}

tf::Output my_image_filter(const tf::Output& input_images) {
  tf::Output relu1;
  {
    tf::variable_scope scope("conv1");
    relu1 = conv_relu(input_images, {5, 5, kChannels, kChannels}, {kChannels});
  }
  tf::variable_scope scope("conv2");
  return conv_relu(relu1, {5, 5, kChannels, kChannels}, {kChannels});
}

void print_graph(const tf::Graph& g) {
  std::cout << "Variables (" << tf::global_variables().size() << ", shared by both images):\n";
  for (const auto& v : tf::global_variables()) {
    std::printf("  %-32s %-14s defined at %s\n", v.name().c_str(), v.shape().to_string().c_str(),
                std::filesystem::path(v.defined_at()).filename().c_str());
  }
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> by_scope;
  for (const auto& op : g.operations()) {
    const auto slash = op.name().rfind('/');
    const std::string scope = slash == std::string::npos ? "(root)" : op.name().substr(0, slash + 1);
    if (!by_scope.count(scope)) order.push_back(scope);
    by_scope[scope].push_back(op.name().substr(slash + 1) + ":" + op.type());
  }
  std::cout << "Ops by name scope:\n";
  for (const auto& scope : order) {
    std::cout << "  " << scope << "\n   ";
    for (const auto& op : by_scope[scope]) std::cout << " " << op;
    std::cout << "\n";
  }
}

// The picture format a --graph path asks for: "dot", or a format Graphviz renders ("png", "svg", "pdf").
std::string graph_format(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  for (const char* known : {".dot", ".png", ".svg", ".pdf"}) {
    if (ext == known) return ext.substr(1);
  }
  throw tf::InvalidArgumentError("--graph " + path + ": unknown extension '" + ext +
                                 "' (use .dot, .png, .svg or .pdf)");
}

// DOT as is, or rendered by Graphviz in the format the extension names.
void write_picture(const tf::Graph& g, const std::string& path) {
  const std::string format = graph_format(path);
  if (format == "dot") {
    tf::write_graph(g, path);
  } else {
    const std::string dot_file = path + ".dot";
    tf::write_graph(g, dot_file);
    const std::string cmd = "dot -T" + format + " -o '" + path + "' '" + dot_file + "'";
    if (path.find('\'') != std::string::npos || std::system(cmd.c_str()) != 0) {
      throw tf::NotFoundError("Could not render " + path +
                              " with Graphviz (apt-get install graphviz); the DOT is in " + dot_file);
    }
    std::filesystem::remove(dot_file);
  }
  std::cout << "Graph picture: " << path << "\n";
}

struct Stats {
  float min, max, mean;
};

Stats stats(const tf::Tensor& t) {
  auto v = t.data<float>();
  double sum = 0;
  for (float x : v) sum += x;
  return {*std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()),
          static_cast<float>(sum / double(v.size()))};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "minitf demo: the 'Sharing Variables' image filter (two conv 5x5 32->32 + bias + relu layers)\n"
      "applied with one set of weights to two images. Without image files it uses two built-in\n"
      "pictures. Writes each input and each output's 32 feature maps as PNG grids."};
  std::string image1_path, image2_path, out_dir = ".", graph_path;
  int size = 96, runs = 20, threads = 0;
  int64_t seed = 42;
  app.add_option("--image1", image1_path, "first image (PNG, JPEG, PPM, BMP, ...); default: built-in rings");
  app.add_option("--image2", image2_path, "second image; default: built-in checkerboard");
  app.add_option("--size", size, "side of the built-in images in pixels")->check(CLI::Range(8, 2048));
  app.add_option("--runs", runs, "timed runs after one warm-up run")->check(CLI::Range(1, 100000));
  app.add_option("--threads", threads, "threads for oneDNN and Eigen (0: every core)")
      ->check(CLI::Range(0, 1024));
  app.add_option("--seed", seed, "graph random seed for the weights");
  app.add_option("--out-dir", out_dir, "where the PNG files go");
  app.add_option("--graph", graph_path,
                 "also draw the graph: FILE.dot writes Graphviz DOT; FILE.png, FILE.svg or FILE.pdf renders "
                 "it with Graphviz's dot");
  CLI11_PARSE(app, argc, argv);

  try {
    // Refuse bad output paths before any work is done.
    if (!graph_path.empty()) graph_format(graph_path);
    std::filesystem::create_directories(out_dir);
    const tf::Tensor rgb1 =
        image1_path.empty() ? demo::builtin_image(0, size) : demo::read_image(image1_path);
    const tf::Tensor rgb2 =
        image2_path.empty() ? demo::builtin_image(1, size) : demo::read_image(image2_path);

    tf::set_random_seed(seed);
    auto image1 = tf::placeholder(tf::float32, {1, -1, -1, kChannels}, "image1");
    auto image2 = tf::placeholder(tf::float32, {1, -1, -1, kChannels}, "image2");
    tf::Output result1, result2;
    {
      tf::variable_scope scope("image_filters");
      result1 = my_image_filter(image1);
      scope.reuse_variables();
      result2 = my_image_filter(image2);
    }
    print_graph(tf::get_default_graph());
    if (!graph_path.empty()) write_picture(tf::get_default_graph(), graph_path);

    tf::Session sess(tf::SessionOptions{.num_threads = threads});
    sess.run(tf::global_variables_initializer());
    const tf::FeedDict feeds{{image1, demo::to_channels(rgb1, kChannels)},
                             {image2, demo::to_channels(rgb2, kChannels)}};
    auto outputs = sess.run({result1, result2}, feeds);  // warm-up: plans and primitives
    std::vector<double> ms;
    for (int r = 0; r < runs; ++r) {
      const auto start = std::chrono::steady_clock::now();
      outputs = sess.run({result1, result2}, feeds);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());

    const std::filesystem::path dir(out_dir);
    const tf::Tensor* rgbs[] = {&rgb1, &rgb2};
    for (int i = 0; i < 2; ++i) {
      const Stats s = stats(outputs[static_cast<size_t>(i)]);
      const std::string in_png = (dir / ("input" + std::to_string(i + 1) + ".png")).string();
      const std::string out_png = (dir / ("features" + std::to_string(i + 1) + ".png")).string();
      demo::write_rgb(*rgbs[i], in_png);
      demo::write_feature_grid(outputs[static_cast<size_t>(i)], out_png);
      std::printf("result%d %-18s min %.4f max %.4f mean %.4f -> %s (input: %s)\n", i + 1,
                  outputs[static_cast<size_t>(i)].shape().to_string().c_str(), s.min, s.max, s.mean,
                  out_png.c_str(), in_png.c_str());
    }
    std::printf("one run (both images, %d thread%s): median %.3f ms, min %.3f ms over %d runs\n",
                sess.num_threads(), sess.num_threads() == 1 ? "" : "s", ms[ms.size() / 2], ms.front(), runs);
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "image_filter: " << e.code().message() << ": " << e.path1().string() << "\n";
    return 1;
  } catch (const std::exception& e) {  // tf::Error and anything else: one line, exit code 1
    std::cerr << "image_filter: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
