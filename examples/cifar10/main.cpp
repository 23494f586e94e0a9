// TensorFlow's cifar10 inference model (tutorials/image/cifar10/cifar10.py,
// inference()) in minitf, with TF's variable names, applied by two towers
// that share every variable through reuse_variables(), as cifar10_multi_gpu_train.py
// does. Prints the shared variables and each image's class probabilities.
//
//   cifar10 [--batch 4] [--threads 2] [--seed 7]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <minitf/minitf.h>
#include <CLI/CLI.hpp>

namespace tf = minitf;

namespace {

constexpr int64_t kImageSize = 24;  // cifar10_input.IMAGE_SIZE: 32x32 images cropped to 24x24
constexpr int64_t kClasses = 10;

tf::Variable weights(const tf::Shape& shape, float stddev) {
  return tf::get_variable("weights", shape, tf::truncated_normal_initializer(0.f, stddev));
}
tf::Variable biases(int64_t n, float value) {
  return tf::get_variable("biases", {n}, tf::constant_initializer(value));
}

// cifar10.inference(images): the logits.
tf::Output inference(const tf::Output& images) {
  tf::Output conv1, conv2, local3, local4, logits;
  {
    tf::variable_scope scope("conv1");
    auto conv = tf::nn::conv2d(images, weights({5, 5, 3, 64}, 5e-2f), {1, 1, 1, 1}, "SAME");
    conv1 = tf::nn::relu(tf::nn::bias_add(conv, biases(64, 0.f)), scope.name());
  }
  auto pool1 = tf::nn::max_pool(conv1, {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME", "pool1");
  auto norm1 = tf::nn::lrn(pool1, 4, 1.f, 0.001f / 9.f, 0.75f, "norm1");
  {
    tf::variable_scope scope("conv2");
    auto conv = tf::nn::conv2d(norm1, weights({5, 5, 64, 64}, 5e-2f), {1, 1, 1, 1}, "SAME");
    conv2 = tf::nn::relu(tf::nn::bias_add(conv, biases(64, 0.1f)), scope.name());
  }
  auto norm2 = tf::nn::lrn(conv2, 4, 1.f, 0.001f / 9.f, 0.75f, "norm2");
  auto pool2 = tf::nn::max_pool(norm2, {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME", "pool2");
  {
    tf::variable_scope scope("local3");
    auto reshape = tf::reshape(pool2, tf::Shape{pool2.shape().dim(0), -1});
    const int64_t dim = reshape.shape().dim(1);
    local3 = tf::nn::relu(tf::matmul(reshape, weights({dim, 384}, 0.04f)) + biases(384, 0.1f), scope.name());
  }
  {
    tf::variable_scope scope("local4");
    local4 = tf::nn::relu(tf::matmul(local3, weights({384, 192}, 0.04f)) + biases(192, 0.1f), scope.name());
  }
  {
    tf::variable_scope scope("softmax_linear");
    logits =
        tf::add(tf::matmul(local4, weights({192, kClasses}, 1 / 192.f)), biases(kClasses, 0.f), scope.name());
  }
  return logits;
}

// A synthetic batch: colour gradients with noise, standardized per image as
// cifar10_input does (per_image_standardization).
tf::Tensor images(int64_t batch, std::mt19937& rng) {
  tf::Tensor t(tf::float32, {batch, kImageSize, kImageSize, 3});
  std::normal_distribution<float> noise(0.f, 0.1f);
  auto v = t.data<float>();
  for (int64_t n = 0; n < batch; ++n) {
    double sum = 0, sq = 0;
    const int64_t base = n * kImageSize * kImageSize * 3;
    for (int64_t i = 0; i < kImageSize * kImageSize * 3; ++i) {
      const int64_t y = i / (kImageSize * 3), x = (i / 3) % kImageSize, c = i % 3;
      const float value = static_cast<float>((c + 1) * (x + (n + 1) * y)) / 100.f + noise(rng);
      v[static_cast<size_t>(base + i)] = value;
      sum += value;
      sq += double(value) * value;
    }
    const double count = kImageSize * kImageSize * 3;
    const double mean = sum / count;
    const double stddev = std::max(std::sqrt(sq / count - mean * mean), 1.0 / std::sqrt(count));
    for (int64_t i = 0; i < kImageSize * kImageSize * 3; ++i) {
      auto& x = v[static_cast<size_t>(base + i)];
      x = static_cast<float>((x - mean) / stddev);
    }
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("TensorFlow's cifar10 inference model: two towers sharing one set of variables");
  int64_t batch = 4;
  int threads = 2;
  unsigned seed = 7;
  app.add_option("--batch", batch, "images per tower")->check(CLI::Range(1, 256));
  app.add_option("--threads", threads, "session threads")->check(CLI::Range(1, 64));
  app.add_option("--seed", seed, "seed of the weights and the images");
  CLI11_PARSE(app, argc, argv);

  try {
    tf::Graph graph;
    auto guard = graph.as_default();
    tf::set_random_seed(seed);
    std::vector<tf::Output> inputs, probabilities;
    {
      // cifar10_multi_gpu_train.py: towers in name scopes, the variables at the root.
      tf::variable_scope root(tf::get_variable_scope());
      for (int tower = 0; tower < 2; ++tower) {
        tf::name_scope ns("tower_" + std::to_string(tower));
        inputs.push_back(tf::placeholder(tf::float32, {batch, kImageSize, kImageSize, 3}, "images"));
        probabilities.push_back(tf::nn::softmax(inference(inputs.back())));
        tf::get_variable_scope().reuse_variables();
      }
    }

    std::cout << "shared variables:\n";
    for (const auto& v : tf::global_variables()) {
      std::printf("  %-24s %s\n", v.op().name().c_str(), v.shape().to_string().c_str());
    }

    tf::Session session(graph, tf::SessionOptions{.num_threads = threads});
    session.run(tf::global_variables_initializer());
    std::mt19937 rng(seed);
    const tf::Tensor a = images(batch, rng), b = images(batch, rng);
    auto out = session.run(probabilities, {{inputs[0], a}, {inputs[1], b}});
    for (int tower = 0; tower < 2; ++tower) {
      std::cout << "tower_" << tower << " class probabilities:\n";
      for (int64_t n = 0; n < batch; ++n) {
        std::printf("  image %lld:", static_cast<long long>(n));
        for (int64_t k = 0; k < kClasses; ++k)
          std::printf(" %.4f", out[tower].data<float>()[n * kClasses + k]);
        std::printf("\n");
      }
    }
    // One set of weights: a tower fed the other's images gives the other's numbers.
    const tf::Tensor swapped = session.run(probabilities[1], {{inputs[0], a}, {inputs[1], a}});
    const bool same =
        swapped.shape() == out[0].shape() &&
        std::equal(out[0].data<float>().begin(), out[0].data<float>().end(), swapped.data<float>().begin());
    std::cout << "tower_1 on tower_0's images equals tower_0: " << (same ? "yes" : "NO") << "\n";
    return same ? 0 : 1;
  } catch (const tf::Error& e) {
    std::cerr << "cifar10: " << e.what() << "\n";
    return 1;
  }
}
