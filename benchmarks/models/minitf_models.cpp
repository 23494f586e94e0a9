// minitf's side of the model benchmark: the models as a user writes them.
#include <random>

#include <minitf/minitf.h>

#include "models.h"

namespace tf = minitf;

namespace models {
namespace {

// TF's cifar10.inference(), as examples/cifar10 writes it.
tf::Output cifar10(const tf::Output& images) {
  auto weights = [](const tf::Shape& s, float stddev) {
    return tf::get_variable("weights", s, tf::truncated_normal_initializer(0.f, stddev));
  };
  auto biases = [](int64_t n, float v) {
    return tf::get_variable("biases", {n}, tf::constant_initializer(v));
  };
  tf::Output h;
  {
    tf::variable_scope s("conv1");
    h = tf::nn::relu(tf::nn::bias_add(
        tf::nn::conv2d(images, weights({5, 5, 3, 64}, 5e-2f), {1, 1, 1, 1}, "SAME"), biases(64, 0.f)));
  }
  h = tf::nn::max_pool(h, {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME", "pool1");
  h = tf::nn::lrn(h, 4, 1.f, 0.001f / 9.f, 0.75f, "norm1");
  {
    tf::variable_scope s("conv2");
    h = tf::nn::relu(tf::nn::bias_add(tf::nn::conv2d(h, weights({5, 5, 64, 64}, 5e-2f), {1, 1, 1, 1}, "SAME"),
                                      biases(64, 0.1f)));
  }
  h = tf::nn::lrn(h, 4, 1.f, 0.001f / 9.f, 0.75f, "norm2");
  h = tf::nn::max_pool(h, {1, 3, 3, 1}, {1, 2, 2, 1}, "SAME", "pool2");
  {
    tf::variable_scope s("local3");
    auto flat = tf::reshape(h, tf::Shape{h.shape().dim(0), -1});
    h = tf::nn::relu(tf::matmul(flat, weights({flat.shape().dim(1), 384}, 0.04f)) + biases(384, 0.1f));
  }
  {
    tf::variable_scope s("local4");
    h = tf::nn::relu(tf::matmul(h, weights({384, 192}, 0.04f)) + biases(192, 0.1f));
  }
  tf::variable_scope s("softmax_linear");
  return tf::add(tf::matmul(h, weights({192, kClasses}, 1 / 192.f)), biases(kClasses, 0.f));
}

class Minitf final : public Contestant {
 public:
  Minitf(const Model& m, int threads, const std::vector<float>& input, Weights& weights) {
    auto guard = graph_.as_default();
    tf::set_random_seed(42);
    if (m.name == "cifar10") {
      auto x = tf::placeholder(tf::float32, {m.batch, kImage, kImage, 3}, "images");
      fetch_ = cifar10(x);
      feeds_.emplace_back(x, tf::Tensor::from<float>(x.shape(), input));
    } else {
      std::vector<tf::Output> steps;
      for (int64_t t = 0; t < kSteps; ++t) {
        steps.push_back(tf::placeholder(tf::float32, {m.batch, kDepth}, "x"));
        const auto begin = input.begin() + t * m.batch * kDepth;
        feeds_.emplace_back(steps.back(),
                            tf::Tensor::from<float>(steps.back().shape(),
                                                    std::vector<float>(begin, begin + m.batch * kDepth)));
      }
      tf::nn::rnn_cell::BasicLSTMCell cell(kUnits);
      fetch_ = tf::nn::static_rnn(cell, steps).state[1];
    }
    session_ = std::make_unique<tf::Session>(graph_, tf::SessionOptions{.num_threads = threads});
    session_->run(tf::global_variables_initializer());
    for (const auto& v : tf::global_variables()) {
      const tf::Tensor t = session_->read_variable(v.op());
      weights[v.op().name()] = {t.shape().dims(), {t.data<float>().begin(), t.data<float>().end()}};
    }
  }
  void run() override { out_ = session_->run(fetch_, feeds_); }
  std::vector<float> output() override { return {out_.data<float>().begin(), out_.data<float>().end()}; }

 private:
  tf::Graph graph_;
  std::unique_ptr<tf::Session> session_;
  tf::Output fetch_;
  tf::FeedDict feeds_;
  tf::Tensor out_;
};

}  // namespace

double Model::flops() const {
  const double b = static_cast<double>(batch);
  if (name == "cifar10") {
    return 2 * b *
           (24.0 * 24 * 25 * 3 * 64 + 12.0 * 12 * 25 * 64 * 64 + 6.0 * 6 * 64 * 384 + 384.0 * 192 +
            192.0 * 10);
  }
  return 2 * b * kSteps * static_cast<double>(kDepth + kUnits) * 4 * kUnits;
}

std::vector<float> make_input(const Model& m, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  const int64_t n = m.name == "cifar10" ? m.batch * kImage * kImage * 3 : kSteps * m.batch * kDepth;
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = normal(rng);
  return v;
}

std::unique_ptr<Contestant> make_minitf(const Model& m, int threads, const std::vector<float>& input,
                                        Weights& weights) {
  return std::make_unique<Minitf>(m, threads, input, weights);
}

}  // namespace models
