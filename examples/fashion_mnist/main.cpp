// TensorFlow's layers-tutorial convnet (the model of Debian's
// dataset-fashion-mnist benchmark/convnet.py), trained on Fashion-MNIST in C++:
// a training tower and an evaluation tower share every variable through
// reuse, Adam trains, the test set is evaluated after each epoch, a
// checkpoint is saved, and `--restore` evaluates it in a fresh process.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include <minitf/minitf.h>
#include <minitf/train/datasets.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

namespace tf = minitf;

namespace {

constexpr int64_t kEvalBatch = 500;

// conv 5x5x32 SAME relu, max-pool 2, conv 5x5x64 SAME relu, max-pool 2,
// dense 1024 relu, dropout 0.4 (training only), dense 10: the logits.
tf::Output convnet(const tf::Output& images, bool training, int64_t seed) {
  using tf::layers::Conv2DOptions, tf::layers::DenseOptions, tf::layers::PoolingOptions;
  auto conv1 = tf::layers::conv2d(
      images, 32, {5, 5}, Conv2DOptions{.padding = "same", .activation = tf::nn::relu, .name = "conv1"});
  auto pool1 = tf::layers::max_pooling2d(conv1, {2, 2}, {2, 2}, PoolingOptions{.name = "pool1"});
  auto conv2 = tf::layers::conv2d(
      pool1, 64, {5, 5}, Conv2DOptions{.padding = "same", .activation = tf::nn::relu, .name = "conv2"});
  auto pool2 = tf::layers::max_pooling2d(conv2, {2, 2}, {2, 2}, PoolingOptions{.name = "pool2"});
  auto flat = tf::reshape(pool2, tf::Shape{-1, 7 * 7 * 64});
  auto dense = tf::layers::dense(flat, 1024, DenseOptions{.activation = tf::nn::relu, .name = "dense"});
  auto dropped = tf::layers::dropout(dense, 0.4f, {.training = training, .seed = seed});
  return tf::layers::dense(dropped, 10, DenseOptions{.name = "logits"});
}

struct Tower {
  tf::Output images, labels, logits, loss, correct;
};

Tower make_tower(const std::string& scope, int64_t batch, bool training, int64_t seed) {
  tf::name_scope ns(scope);
  Tower t;
  t.images = tf::placeholder(tf::float32, {batch, 28, 28, 1}, "images");
  t.labels = tf::placeholder(tf::int32, {batch}, "labels");
  {
    // Both towers open the variable scope "convnet"; the second one reuses every variable.
    tf::variable_scope vs("convnet", {.reuse = tf::Reuse(!training)});
    t.logits = convnet(t.images, training, seed);
  }
  t.loss = tf::losses::sparse_softmax_cross_entropy(t.labels, t.logits);
  t.correct = tf::reduce_sum(tf::cast(tf::equal(tf::argmax(t.logits, 1, tf::int32), t.labels), tf::float32));
  return t;
}

// Test-set accuracy through the evaluation tower.
double evaluate(tf::Session& session, const Tower& eval, const tf::datasets::ImageSet& test) {
  const int64_t n = test.labels.shape().dim(0);
  double correct = 0;
  int64_t seen = 0;
  for (int64_t begin = 0; begin + kEvalBatch <= n; begin += kEvalBatch) {
    const auto part = tf::datasets::slice(test, begin, kEvalBatch);
    correct +=
        session.run(eval.correct, {{eval.images, part.images}, {eval.labels, part.labels}}).data<float>()[0];
    seen += kEvalBatch;
  }
  return seen ? correct / static_cast<double>(seen) : 0.0;
}

void progress(int epoch, int epochs, int64_t step, int64_t steps, double loss, double acc, double ips,
              bool tty) {
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * step / std::max<int64_t>(steps, 1));
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kWidth) bar += '>' + std::string(static_cast<size_t>(kWidth - filled - 1), ' ');
  std::printf("%sepoch %d/%d [%s] %lld/%lld loss %.4f acc %.3f %.0f images/s%s", tty ? "\r" : "", epoch,
              epochs, bar.c_str(), static_cast<long long>(step), static_cast<long long>(steps), loss, acc,
              ips, tty ? "" : "\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "TensorFlow's convnet trained on Fashion-MNIST: a training and an evaluation tower sharing variables");
  int epochs = 2;
  int64_t batch = 100;
  int threads = 0;
  int64_t seed = 1;
  int64_t limit = 0;
  float learning_rate = 1e-3f;
  std::string data = tf::datasets::fashion_mnist::kDefaultDir;
  std::string checkpoint = "fashion_mnist.safetensors";
  bool restore = false;
  app.add_option("--epochs", epochs, "passes over the training set")->check(CLI::Range(0, 1000));
  app.add_option("--batch", batch, "training images per step")->check(CLI::Range(1, 10000));
  app.add_option("--threads", threads, "session threads (0: every core)")->check(CLI::Range(0, 256));
  app.add_option("--seed", seed, "seed of the weights, the shuffling and dropout");
  app.add_option("--learning-rate", learning_rate, "Adam's learning rate");
  app.add_option("--train-images", limit, "train on the first N training images only (0: all)");
  app.add_option("--data", data, "folder of the IDX files");
  app.add_option("--checkpoint", checkpoint,
                 "where to save the trained variables (or read them with --restore)");
  app.add_flag("--restore", restore, "evaluate the checkpoint on the test set, without training");
  CLI11_PARSE(app, argc, argv);

  try {
    const auto dataset = tf::datasets::fashion_mnist::load_data(data);
    tf::datasets::ImageSet train_set = dataset.train;
    if (limit > 0)
      train_set = tf::datasets::slice(train_set, 0, std::min(limit, train_set.labels.shape().dim(0)));

    tf::Graph graph;
    auto guard = graph.as_default();
    tf::set_random_seed(seed);
    const Tower train = make_tower("train", batch, true, seed);
    const Tower eval = make_tower("eval", kEvalBatch, false, seed);
    auto global_step = tf::train::get_or_create_global_step();
    tf::train::AdamOptimizer adam(learning_rate);
    const tf::Operation train_op = adam.minimize(train.loss, global_step);
    tf::train::Saver saver;
    tf::Session session(graph, tf::SessionOptions{.num_threads = threads});

    if (restore) {
      saver.restore(session, checkpoint);
      const auto step = session.read_variable(global_step).data<int64_t>()[0];
      std::printf("restored %s (global_step %lld): test accuracy %.4f\n", checkpoint.c_str(),
                  static_cast<long long>(step), evaluate(session, eval, dataset.test));
      return 0;
    }
    std::printf("variables shared by the towers:\n");
    for (const auto& v : tf::trainable_variables()) {
      std::printf("  %-24s %s\n", v.op().name().c_str(), v.shape().to_string().c_str());
    }
    session.run(tf::global_variables_initializer());
    tf::datasets::Batches batches(train_set, batch, static_cast<uint64_t>(seed));
    const int64_t steps = batches.batches_per_epoch();
    const bool tty = isatty(STDOUT_FILENO);
    const int64_t report_every = tty ? 1 : std::max<int64_t>(steps / 10, 1);
    double accuracy = 0;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      const auto start = std::chrono::steady_clock::now();
      double loss_sum = 0, correct_sum = 0;
      int64_t step = 0;
      tf::Tensor images, labels;
      while (batches.next(images, labels)) {
        auto out = session.run({train.loss, train.correct}, {{train.images, images}, {train.labels, labels}},
                               {train_op});
        ++step;
        loss_sum += out[0].data<float>()[0];
        correct_sum += out[1].data<float>()[0];
        if (step % report_every == 0 || step == steps) {
          const double seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          progress(epoch, epochs, step, steps, loss_sum / static_cast<double>(step),
                   correct_sum / static_cast<double>(step * batch),
                   static_cast<double>(step * batch) / seconds, tty);
        }
      }
      if (tty) std::printf("\n");
      accuracy = evaluate(session, eval, dataset.test);
      std::printf("epoch %d: test accuracy %.4f\n", epoch, accuracy);
    }
    saver.save(session, checkpoint);
    std::printf("saved %s; evaluate it in a fresh process with: %s --restore --checkpoint %s\n",
                checkpoint.c_str(), argv[0], checkpoint.c_str());
    std::printf("final test accuracy %.4f\n", accuracy);
  } catch (const tf::Error& e) {
    std::cerr << "fashion_mnist: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
