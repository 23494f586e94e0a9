// minitf's side of the training benchmark: the convnet as
// examples/fashion_mnist writes it (a training tower and an evaluation tower
// sharing variables, Adam minimizing the training loss with a global step).
#include <minitf/minitf.h>

#include "train.h"

namespace tf = minitf;

namespace train {
namespace {

struct Net {
  tf::Output conv1, logits;
};

// conv 5x5x32 SAME relu, max-pool 2, conv 5x5x64 SAME relu, max-pool 2,
// dense 1024 relu, dropout 0.4 (training only), dense 10: the logits.
Net convnet(const tf::Output& images, bool training, int64_t seed) {
  using tf::layers::Conv2DOptions, tf::layers::DenseOptions, tf::layers::PoolingOptions;
  auto conv1 = tf::layers::conv2d(images, 32, {5, 5},
                                  Conv2DOptions{.padding = "same", .activation = tf::nn::relu, .name = "conv1"});
  auto pool1 = tf::layers::max_pooling2d(conv1, {2, 2}, {2, 2}, PoolingOptions{.name = "pool1"});
  auto conv2 = tf::layers::conv2d(pool1, 64, {5, 5},
                                  Conv2DOptions{.padding = "same", .activation = tf::nn::relu, .name = "conv2"});
  auto pool2 = tf::layers::max_pooling2d(conv2, {2, 2}, {2, 2}, PoolingOptions{.name = "pool2"});
  auto flat = tf::reshape(pool2, tf::Shape{-1, 7 * 7 * 64});
  auto dense = tf::layers::dense(flat, 1024, DenseOptions{.activation = tf::nn::relu, .name = "dense"});
  auto dropped = tf::layers::dropout(dense, 0.4f, {.training = training, .seed = seed});
  return {conv1, tf::layers::dense(dropped, kClasses, DenseOptions{.name = "logits"})};
}

struct Tower {
  tf::Output images, labels, conv1, loss;
};

Tower make_tower(const std::string& scope, int64_t batch, bool training, int64_t seed) {
  tf::name_scope ns(scope);
  Tower t;
  t.images = tf::placeholder(tf::float32, {batch, kImage, kImage, 1}, "images");
  t.labels = tf::placeholder(tf::int32, {batch}, "labels");
  Net net;
  {
    tf::variable_scope vs("convnet", {.reuse = tf::Reuse(!training)});
    net = convnet(t.images, training, seed);
  }
  t.conv1 = net.conv1;
  t.loss = tf::losses::sparse_softmax_cross_entropy(t.labels, net.logits);
  return t;
}

tf::FeedDict feeds(const Tower& t, const Batch& b) {
  return {{t.images, tf::Tensor::from<float>(t.images.shape(), b.images)},
          {t.labels, tf::Tensor::from<int32_t>(t.labels.shape(), b.labels)}};
}

class Minitf final : public Contestant {
 public:
  Minitf(const Batch& b, int threads, Weights& weights) {
    auto guard = graph_.as_default();
    constexpr int64_t kSeed = 1;
    tf::set_random_seed(kSeed);
    const Tower train = make_tower("train", b.size, true, kSeed);
    const Tower eval = make_tower("eval", b.size, false, kSeed);
    auto global_step = tf::train::get_or_create_global_step();
    tf::train::AdamOptimizer adam(1e-3f);
    // minimize() split in two, so that the gradients it applies can be run alone.
    const auto grads_and_vars = adam.compute_gradients(train.loss);
    train_op_ = adam.apply_gradients(grads_and_vars, global_step);
    for (const auto& [g, v] : grads_and_vars) gradient_ops_.push_back(g.op());
    data_gradient_op_ = tf::gradients({train.loss}, {train.conv1})[0].op();
    loss_ = train.loss;
    eval_loss_ = eval.loss;
    for (const auto& v : tf::trainable_variables()) {
      names_.push_back(v.op().name());
      variables_.push_back(v);
    }
    eval_gradients_ = tf::gradients({eval.loss}, std::vector<tf::Output>(variables_.begin(), variables_.end()));
    train_feeds_ = feeds(train, b);
    eval_feeds_ = feeds(eval, b);
    session_ = std::make_unique<tf::Session>(graph_, tf::SessionOptions{.num_threads = threads});
    session_->run(tf::global_variables_initializer());
    for (const auto& v : variables_) {
      const tf::Tensor t = session_->read_variable(v.op());
      weights[v.op().name()] = {t.shape().dims(), {t.data<float>().begin(), t.data<float>().end()}};
    }
  }

  void run(Part part) override {
    switch (part) {
      case Part::Forward: session_->run(loss_, train_feeds_); break;
      case Part::BackwardData: session_->run({}, train_feeds_, {data_gradient_op_}); break;
      case Part::Backward: session_->run({}, train_feeds_, gradient_ops_); break;
      case Part::Step: session_->run({}, train_feeds_, {train_op_}); break;
    }
  }

  float eval_loss(Weights& gradients) override {
    std::vector<tf::Output> fetches{eval_loss_};
    fetches.insert(fetches.end(), eval_gradients_.begin(), eval_gradients_.end());
    const auto out = session_->run(fetches, eval_feeds_);
    for (size_t i = 0; i < names_.size(); ++i) {
      const tf::Tensor& g = out[i + 1];
      gradients[names_[i]] = {g.shape().dims(), {g.data<float>().begin(), g.data<float>().end()}};
    }
    return out[0].data<float>()[0];
  }

 private:
  tf::Graph graph_;
  std::unique_ptr<tf::Session> session_;
  tf::Output loss_, eval_loss_;
  tf::Operation train_op_, data_gradient_op_;
  std::vector<tf::Operation> gradient_ops_;
  std::vector<tf::Variable> variables_;
  std::vector<std::string> names_;
  std::vector<tf::Output> eval_gradients_;
  tf::FeedDict train_feeds_, eval_feeds_;
};

}  // namespace

std::unique_ptr<Contestant> make_minitf(const Batch& batch, int threads, Weights& weights) {
  return std::make_unique<Minitf>(batch, threads, weights);
}

}  // namespace train
