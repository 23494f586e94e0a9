// minitf itself: the tutorial's graph run through Session::run, both images
// fetched in one run.
#include <minitf/minitf.h>

#include "problem.h"

namespace bench {
namespace {

namespace tf = minitf;

tf::Tensor tensor(const tf::Shape& shape, const std::vector<float>& values) {
  return tf::Tensor::from<float>(shape, values);
}

// The weights are the problem's: an initializer that returns them as a constant.
tf::Initializer given(const std::vector<float>& values) {
  return tf::Initializer(
      "given", [values](const tf::Shape& shape, tf::DType) { return tf::constant(tensor(shape, values)); });
}

class MinitfContestant final : public Contestant {
 public:
  MinitfContestant(const Problem& p, tf::SessionOptions options) {
    auto guard = graph_.as_default();
    const tf::Shape image_shape{p.batch, p.size, p.size, Problem::kChannels};
    auto image1 = tf::placeholder(tf::float32, image_shape, "image1");
    auto image2 = tf::placeholder(tf::float32, image_shape, "image2");
    auto layer = [&](const tf::Output& in, const char* scope, const std::vector<float>& w,
                     const std::vector<float>& b) {
      tf::variable_scope s(scope);
      auto weights = tf::get_variable("weights", {5, 5, 32, 32}, given(w));
      auto biases = tf::get_variable("biases", {32}, given(b));
      return tf::relu(tf::conv2d(in, weights, {1, 1, 1, 1}, "SAME") + biases);
    };
    auto filter = [&](const tf::Output& in) {
      return layer(layer(in, "conv1", p.w1, p.b1), "conv2", p.w2, p.b2);
    };
    {
      tf::variable_scope scope("image_filters");
      fetches_.push_back(filter(image1));
      scope.reuse_variables();
      fetches_.push_back(filter(image2));
    }
    session_ = std::make_unique<tf::Session>(graph_, options);
    session_->run(tf::global_variables_initializer());
    feeds_ = {{image1, tensor(image_shape, p.image1)}, {image2, tensor(image_shape, p.image2)}};
  }

  void run() override { results_ = session_->run(fetches_, feeds_); }

  std::vector<const float*> outputs() const override {
    return {results_[0].data<float>().data(), results_[1].data<float>().data()};
  }

 private:
  tf::Graph graph_;
  std::unique_ptr<tf::Session> session_;
  std::vector<tf::Output> fetches_;
  tf::FeedDict feeds_;
  std::vector<tf::Tensor> results_;
};

Entry entry(const std::string& name, tf::SessionOptions options) {
  return {name, [options](const Problem& p, int t) {
            tf::SessionOptions o = options;
            o.num_threads = t;
            return std::make_unique<MinitfContestant>(p, o);
          }};
}

}  // namespace

std::vector<Entry> minitf_entries() {
  return {
      entry("minitf", {}),
      entry("minitf unfused", {.fuse_conv = false}),
      entry("minitf towers serial", {.branches = tf::Branches::Serial}),
      entry("minitf towers side by side", {.branches = tf::Branches::Parallel}),
  };
}

}  // namespace bench
