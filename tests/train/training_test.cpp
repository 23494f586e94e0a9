// A short training run on real data: a small convnet on 300 Fashion-MNIST
// images learns (its loss falls by a stated factor in a fixed number of
// steps), and on one thread two runs from one seed are bit for bit equal.
#include <minitf/train/datasets.h>

#include "test_util.h"

namespace {

constexpr int64_t kImages = 300;
constexpr int64_t kBatch = 50;
constexpr int kEpochs = 5;  // 6 steps each

struct Run {
  float loss_before = 0, loss_after = 0;
  std::vector<float> kernel;  // conv/kernel after training
};

tf::Output small_convnet(const tf::Output& images) {
  auto h =
      tf::layers::conv2d(images, 8, {3, 3}, {.padding = "same", .activation = tf::nn::relu, .name = "conv"});
  h = tf::layers::max_pooling2d(h, {2, 2}, {2, 2});
  h = tf::layers::flatten(h);
  return tf::layers::dense(h, 10, {.name = "logits"});
}

Run train_once(const tf::datasets::ImageSet& data, int threads) {
  tf::Graph g;
  auto guard = g.as_default();
  tf::set_random_seed(42);
  auto images = tf::placeholder(tf::float32, {kBatch, 28, 28, 1}, "images");
  auto labels = tf::placeholder(tf::int32, {kBatch}, "labels");
  auto all_images = tf::placeholder(tf::float32, {kImages, 28, 28, 1}, "all_images");
  auto all_labels = tf::placeholder(tf::int32, {kImages}, "all_labels");
  tf::Output loss, all_loss;
  {
    tf::variable_scope s("model");
    loss = tf::losses::sparse_softmax_cross_entropy(labels, small_convnet(images));
  }
  {
    tf::variable_scope s("model", {.reuse = true});
    all_loss = tf::losses::sparse_softmax_cross_entropy(all_labels, small_convnet(all_images));
  }
  tf::train::AdamOptimizer adam(0.01f);
  auto train = adam.minimize(loss, tf::train::get_or_create_global_step());
  tf::Session sess(g, tf::SessionOptions{.num_threads = threads});
  sess.run(tf::global_variables_initializer());
  const tf::FeedDict everything = {{all_images, data.images}, {all_labels, data.labels}};
  Run r;
  r.loss_before = sess.run(all_loss, everything).data<float>()[0];
  tf::datasets::Batches batches(data, kBatch, 7);
  tf::Tensor x, y;
  for (int epoch = 0; epoch < kEpochs; ++epoch) {
    while (batches.next(x, y)) sess.run(train, {{images, x}, {labels, y}});
  }
  r.loss_after = sess.run(all_loss, everything).data<float>()[0];
  r.kernel = values(sess.read_variable(g.get_operation_by_name("model/conv/kernel")));
  return r;
}

}  // namespace

TEST_CASE("training: a small convnet on 300 Fashion-MNIST images learns, deterministically on one thread") {
  const auto dataset = tf::datasets::fashion_mnist::load_data();
  const auto data = tf::datasets::slice(dataset.train, 0, kImages);
  const Run a = train_once(data, 1);
  INFO("loss before " << a.loss_before << ", after 30 Adam steps " << a.loss_after);
  CHECK(a.loss_before > 2.f);  // about ln(10) for an untrained classifier
  CHECK(a.loss_after < a.loss_before / 3.f);
  const Run b = train_once(data, 1);
  CHECK(b.loss_before == a.loss_before);
  CHECK(b.loss_after == a.loss_after);
  CHECK(b.kernel == a.kernel);
  // Two threads: the same training, within rounding.
  const Run c = train_once(data, 2);
  CHECK(c.loss_after == Approx(a.loss_after).epsilon(0.05));
}
