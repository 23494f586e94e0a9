// tf.layers and tf.nn.rnn_cell: the variables TF creates (names, shapes,
// trainable), the ops' names, reuse across towers and steps, and the numbers
// against naive double-precision references.
#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>

#include "test_util.h"

namespace {

using VarRow = std::tuple<std::string, tf::Shape, bool>;  // name, shape, trainable

std::vector<VarRow> variable_table() {
  std::vector<VarRow> rows;
  for (const auto& v : tf::global_variables()) rows.emplace_back(v.op().name(), v.shape(), v.trainable());
  return rows;
}

bool has_op(const tf::Graph& g, const std::string& name, const std::string& type) {
  for (const auto& op : g.operations())
    if (op.name() == name) return op.type() == type;
  return false;
}

tf::Tensor random_tensor(const tf::Shape& shape, std::mt19937& rng) {
  tf::Tensor t(tf::float32, shape);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (float& x : t.data<float>()) x = normal(rng);
  return t;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// [x, h] W + b for one batch row, W of [in + units, cols].
std::vector<double> affine(const std::vector<double>& xh, const tf::Tensor& w, const tf::Tensor& b) {
  const int64_t rows = w.shape().dim(0), cols = w.shape().dim(1);
  std::vector<double> out(static_cast<size_t>(cols));
  for (int64_t j = 0; j < cols; ++j) {
    double s = b.data<float>()[static_cast<size_t>(j)];
    for (int64_t i = 0; i < rows; ++i)
      s += xh[static_cast<size_t>(i)] * w.data<float>()[static_cast<size_t>(i * cols + j)];
    out[static_cast<size_t>(j)] = s;
  }
  return out;
}

void require_close(const tf::Tensor& got, const std::vector<double>& want, const std::string& what) {
  INFO(what);
  REQUIRE(static_cast<size_t>(got.num_elements()) == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    REQUIRE(std::fabs(got.data<float>()[i] - want[i]) <= 1e-5 * (1 + std::fabs(want[i])));
  }
}

}  // namespace

TEST_CASE("layers: conv2d, pooling, flatten, dense and batch_normalization create TF's variables and ops") {
  FreshGraph fg;
  auto x = tf::placeholder(tf::float32, {2, 8, 8, 3}, "x");
  auto h = tf::layers::conv2d(x, 4, {3, 3}, {.padding = "same", .activation = tf::nn::relu});
  h = tf::layers::max_pooling2d(h, {2, 2}, {2, 2});
  h = tf::layers::conv2d(h, 5, {3, 3}, {.strides = {1, 1}, .name = "c"});
  h = tf::layers::batch_normalization(h);
  h = tf::layers::average_pooling2d(h, {2, 2}, {1, 1}, {.padding = "SAME"});
  auto flat = tf::layers::flatten(h);
  auto d = tf::layers::dense(flat, 7, {.activation = tf::nn::relu});
  auto logits = tf::layers::dense(tf::layers::dropout(d, 0.4f), 3, {.use_bias = false});

  const std::vector<VarRow> want = {
      {"conv2d/kernel", {3, 3, 3, 4}, true},
      {"conv2d/bias", {4}, true},
      {"c/kernel", {3, 3, 4, 5}, true},
      {"c/bias", {5}, true},
      {"batch_normalization/gamma", {5}, true},
      {"batch_normalization/beta", {5}, true},
      {"batch_normalization/moving_mean", {5}, false},
      {"batch_normalization/moving_variance", {5}, false},
      {"dense/kernel", {2 * 2 * 5, 7}, true},
      {"dense/bias", {7}, true},
      {"dense_1/kernel", {7, 3}, true},
  };
  CHECK(variable_table() == want);
  CHECK(h.shape() == tf::Shape{2, 2, 2, 5});
  CHECK(flat.shape() == tf::Shape{2, 20});
  CHECK(logits.shape() == tf::Shape{2, 3});
  const std::vector<std::pair<std::string, std::string>> ops = {
      {"conv2d/Conv2D", "Conv2D"},
      {"conv2d/BiasAdd", "BiasAdd"},
      {"conv2d/Relu", "Relu"},
      {"max_pooling2d/MaxPool", "MaxPool"},
      {"c/Conv2D", "Conv2D"},
      {"batch_normalization/FusedBatchNormV3", "FusedBatchNormV3"},
      {"average_pooling2d/AvgPool", "AvgPool"},
      {"flatten/Reshape", "Reshape"},
      {"dense/MatMul", "MatMul"},
      {"dense/Relu", "Relu"},
      {"dropout/Identity", "Identity"},
      {"dense_1/MatMul", "MatMul"},
  };
  for (const auto& [name, type] : ops) {
    INFO(name);
    CHECK(has_op(fg.g, name, type));
  }
  CHECK_FALSE(has_op(fg.g, "dense_1/BiasAdd", "BiasAdd"));
}

TEST_CASE("layers: two towers share every variable through reuse") {
  FreshGraph fg;
  auto tower = [](const tf::Output& x) {
    auto h = tf::layers::conv2d(x, 2, {3, 3}, {.activation = tf::nn::relu});
    return tf::layers::dense(tf::layers::flatten(h), 3);
  };
  auto a = tf::placeholder(tf::float32, {1, 5, 5, 1}, "a");
  auto b = tf::placeholder(tf::float32, {1, 5, 5, 1}, "b");
  tf::Output ya, yb;
  {
    tf::variable_scope s("model");
    ya = tower(a);
  }
  {
    tf::variable_scope s("model", {.reuse = true});
    yb = tower(b);
  }
  const std::vector<VarRow> want = {
      {"model/conv2d/kernel", {3, 3, 1, 2}, true},
      {"model/conv2d/bias", {2}, true},
      {"model/dense/kernel", {18, 3}, true},
      {"model/dense/bias", {3}, true},
  };
  CHECK(variable_table() == want);
  CHECK(has_op(fg.g, "model/conv2d/Conv2D", "Conv2D"));
  CHECK(has_op(fg.g, "model_1/conv2d/Conv2D", "Conv2D"));
  CHECK(has_op(fg.g, "model_1/dense/MatMul", "MatMul"));

  tf::Session s;
  s.run(tf::global_variables_initializer());
  std::mt19937 rng(5);
  auto v = random_tensor({1, 5, 5, 1}, rng);
  auto out = s.run({ya, yb}, {{a, v}, {b, v}});
  CHECK(values(out[0]) == values(out[1]));  // one set of weights
}

TEST_CASE("layers: a second layer without reuse in a reused scope is an error naming the variable") {
  FreshGraph fg;
  auto x = tf::placeholder(tf::float32, {1, 4}, "x");
  tf::layers::dense(x, 2, {.name = "fc"});
  REQUIRE_THROWS_MATCHES(tf::layers::dense(x, 2, {.name = "fc"}), tf::ValueError,
                         Has("fc/kernel already exists"));
  REQUIRE_THROWS_MATCHES(tf::layers::dense(x, 3, {.name = "fc", .reuse = true}), tf::ValueError,
                         Has("fc/kernel"));
  REQUIRE_THROWS_MATCHES(tf::layers::conv2d(x, 2, {3, 3}), tf::ValueError, Has("rank 4"));
  REQUIRE_THROWS_MATCHES(tf::layers::max_pooling2d(x, {2, 2}, {2, 2}, {.padding = "full"}), tf::ValueError,
                         Has("padding must be \"valid\" or \"same\""));
  REQUIRE_THROWS_MATCHES(tf::layers::batch_normalization(x, {.training = true}), tf::UnimplementedError,
                         Has("training=true"));
}

TEST_CASE("rnn_cell: static_rnn creates one set of TF's variables, reused at every step") {
  struct Row {
    std::function<std::unique_ptr<tf::nn::rnn_cell::RNNCell>()> make;
    std::vector<VarRow> variables;
    std::string first_matmul;
  };
  const std::vector<Row> rows = {
      {[] { return std::make_unique<tf::nn::rnn_cell::BasicLSTMCell>(6); },
       {{"rnn/basic_lstm_cell/kernel", {4 + 6, 24}, true}, {"rnn/basic_lstm_cell/bias", {24}, true}},
       "rnn/basic_lstm_cell/MatMul"},
      {[] { return std::make_unique<tf::nn::rnn_cell::GRUCell>(6); },
       {{"rnn/gru_cell/gates/kernel", {10, 12}, true},
        {"rnn/gru_cell/gates/bias", {12}, true},
        {"rnn/gru_cell/candidate/kernel", {10, 6}, true},
        {"rnn/gru_cell/candidate/bias", {6}, true}},
       "rnn/gru_cell/MatMul"},
      {[] { return std::make_unique<tf::nn::rnn_cell::BasicRNNCell>(6); },
       {{"rnn/basic_rnn_cell/kernel", {10, 6}, true}, {"rnn/basic_rnn_cell/bias", {6}, true}},
       "rnn/basic_rnn_cell/MatMul"},
  };
  for (const Row& row : rows) {
    FreshGraph fg;
    auto cell = row.make();
    std::vector<tf::Output> inputs;
    for (int t = 0; t < 5; ++t)
      inputs.push_back(tf::placeholder(tf::float32, {3, 4}, "x" + std::to_string(t)));
    auto [outputs, state] = tf::nn::static_rnn(*cell, inputs);
    INFO(row.first_matmul);
    CHECK(variable_table() == row.variables);
    CHECK(outputs.size() == 5);
    CHECK(outputs.back().shape() == tf::Shape{3, 6});
    CHECK(has_op(fg.g, row.first_matmul, "MatMul"));
    CHECK(has_op(fg.g, row.first_matmul + "_4", "MatMul"));  // step 5, same name scope
    REQUIRE(cell->scope().has_value());
    CHECK(cell->scope()->name() == "rnn/" + row.first_matmul.substr(4, row.first_matmul.rfind('/') - 4));
  }
}

TEST_CASE("rnn_cell: BasicLSTMCell and GRUCell match TF's equations in double precision") {
  for (bool lstm : {true, false}) {
    FreshGraph fg;
    const int64_t batch = 2, depth = 3, units = 4, steps = 3;
    std::unique_ptr<tf::nn::rnn_cell::RNNCell> cell;
    if (lstm) {
      cell = std::make_unique<tf::nn::rnn_cell::BasicLSTMCell>(units, 0.5f);
    } else {
      cell = std::make_unique<tf::nn::rnn_cell::GRUCell>(units);
    }
    std::vector<tf::Output> inputs;
    for (int t = 0; t < steps; ++t) inputs.push_back(tf::placeholder(tf::float32, {batch, depth}));
    auto [outputs, state] = tf::nn::static_rnn(*cell, inputs);
    tf::Session s;
    s.run(tf::global_variables_initializer());
    std::mt19937 rng(lstm ? 1 : 2);
    // Random biases too (TF starts them at zeros or ones), so that a swapped gate shows.
    std::vector<tf::Tensor> vars;
    for (const auto& v : tf::global_variables()) {
      vars.push_back(random_tensor(v.shape(), rng));
      s.assign_variable(v.op(), vars.back());
    }
    tf::FeedDict feeds;
    std::vector<tf::Tensor> xs;
    for (const auto& in : inputs) {
      xs.push_back(random_tensor({batch, depth}, rng));
      feeds.emplace_back(in, xs.back());
    }
    std::vector<tf::Output> fetches = outputs;
    for (const auto& part : state) fetches.push_back(part);
    const auto got = s.run(fetches, feeds);

    for (int64_t b = 0; b < batch; ++b) {
      std::vector<double> c(units, 0.0), h(units, 0.0);
      for (int t = 0; t < steps; ++t) {
        std::vector<double> xh;
        for (int64_t i = 0; i < depth; ++i)
          xh.push_back(xs[t].data<float>()[static_cast<size_t>(b * depth + i)]);
        xh.insert(xh.end(), h.begin(), h.end());
        if (lstm) {
          const auto z = affine(xh, vars[0], vars[1]);
          for (int64_t u = 0; u < units; ++u) {
            const double i = z[u], j = z[units + u], f = z[2 * units + u], o = z[3 * units + u];
            c[u] = c[u] * sigmoid(f + 0.5) + sigmoid(i) * std::tanh(j);
            h[u] = std::tanh(c[u]) * sigmoid(o);
          }
        } else {
          const auto g = affine(xh, vars[0], vars[1]);
          std::vector<double> xrh(xh.begin(), xh.begin() + depth);
          for (int64_t u = 0; u < units; ++u) xrh.push_back(sigmoid(g[u]) * h[u]);
          const auto cand = affine(xrh, vars[2], vars[3]);
          for (int64_t u = 0; u < units; ++u) {
            const double upd = sigmoid(g[units + u]);
            h[u] = upd * h[u] + (1 - upd) * std::tanh(cand[u]);
          }
        }
        std::vector<double> want_row(h.begin(), h.end());
        const tf::Tensor& out = got[static_cast<size_t>(t)];
        tf::Tensor row(tf::float32, {units});
        for (int64_t u = 0; u < units; ++u) row.data<float>()[u] = out.data<float>()[b * units + u];
        require_close(row, want_row, (lstm ? "lstm" : "gru") + std::string(" step ") + std::to_string(t));
      }
      if (lstm) {
        tf::Tensor row(tf::float32, {units});
        for (int64_t u = 0; u < units; ++u) row.data<float>()[u] = got[steps].data<float>()[b * units + u];
        require_close(row, c, "final c");
      }
    }
  }
}

TEST_CASE("layers: LeNet-5 and a ResNet block with batch norm are a few lines with TF's variables") {
  FreshGraph fg;
  auto images = tf::placeholder(tf::float32, {-1, 28, 28, 1}, "images");
  tf::Output logits;
  {
    tf::variable_scope s("lenet");
    auto h = tf::layers::conv2d(images, 6, {5, 5}, {.padding = "same", .activation = tf::nn::relu});
    h = tf::layers::max_pooling2d(h, {2, 2}, {2, 2});
    h = tf::layers::conv2d(h, 16, {5, 5}, {.activation = tf::nn::relu});
    h = tf::layers::max_pooling2d(h, {2, 2}, {2, 2});
    h = tf::layers::dense(tf::layers::flatten(h), 120, {.activation = tf::nn::relu});
    h = tf::layers::dense(h, 84, {.activation = tf::nn::relu});
    logits = tf::layers::dense(h, 10);
  }
  auto x = tf::placeholder(tf::float32, {2, 8, 8, 16}, "x");
  tf::Output block;
  {
    tf::variable_scope s("block");
    auto h = tf::layers::conv2d(x, 16, {3, 3}, {.padding = "same", .use_bias = false});
    h = tf::nn::relu(tf::layers::batch_normalization(h));
    h = tf::layers::conv2d(h, 16, {3, 3}, {.padding = "same", .use_bias = false});
    h = tf::layers::batch_normalization(h);
    block = tf::nn::relu(h + x);
  }
  const std::vector<VarRow> want = {
      {"lenet/conv2d/kernel", {5, 5, 1, 6}, true},
      {"lenet/conv2d/bias", {6}, true},
      {"lenet/conv2d_1/kernel", {5, 5, 6, 16}, true},
      {"lenet/conv2d_1/bias", {16}, true},
      {"lenet/dense/kernel", {400, 120}, true},
      {"lenet/dense/bias", {120}, true},
      {"lenet/dense_1/kernel", {120, 84}, true},
      {"lenet/dense_1/bias", {84}, true},
      {"lenet/dense_2/kernel", {84, 10}, true},
      {"lenet/dense_2/bias", {10}, true},
      {"block/conv2d/kernel", {3, 3, 16, 16}, true},
      {"block/batch_normalization/gamma", {16}, true},
      {"block/batch_normalization/beta", {16}, true},
      {"block/batch_normalization/moving_mean", {16}, false},
      {"block/batch_normalization/moving_variance", {16}, false},
      {"block/conv2d_1/kernel", {3, 3, 16, 16}, true},
      {"block/batch_normalization_1/gamma", {16}, true},
      {"block/batch_normalization_1/beta", {16}, true},
      {"block/batch_normalization_1/moving_mean", {16}, false},
      {"block/batch_normalization_1/moving_variance", {16}, false},
  };
  CHECK(variable_table() == want);
  CHECK(tf::trainable_variables().size() == 16);
  CHECK(logits.shape() == tf::Shape{-1, 10});

  tf::Session s;
  s.run(tf::global_variables_initializer());
  std::mt19937 rng(11);
  auto out = s.run({logits, block}, {{images, random_tensor({3, 28, 28, 1}, rng)}, {x, random_tensor({2, 8, 8, 16}, rng)}});
  CHECK(out[0].shape() == tf::Shape{3, 10});
  CHECK(out[1].shape() == tf::Shape{2, 8, 8, 16});
  // With fresh moving statistics (mean 0, variance 1, gamma 1, beta 0) batch
  // norm scales by 1/sqrt(1 + 0.001): the block is relu(conv(relu(conv x)) / (1 + eps) + x).
  for (float v : out[1].data<float>()) REQUIRE(v >= 0.f);
}

TEST_CASE("layers: dense matches a double-precision reference, rank 2 and rank 3") {
  FreshGraph fg;
  auto x2 = tf::placeholder(tf::float32, {3, 5}, "x2");
  auto x3 = tf::placeholder(tf::float32, {2, 3, 5}, "x3");
  auto y2 = tf::layers::dense(x2, 4, {.activation = tf::nn::relu, .name = "fc"});
  auto y3 = tf::layers::dense(x3, 4, {.activation = tf::nn::relu, .name = "fc", .reuse = true});
  CHECK(y3.shape() == tf::Shape{2, 3, 4});
  tf::Session s;
  s.run(tf::global_variables_initializer());
  std::mt19937 rng(3);
  auto vars = tf::global_variables();
  REQUIRE(vars.size() == 2);
  const tf::Tensor kernel = s.read_variable(vars[0].op());
  const tf::Tensor bias = random_tensor({4}, rng);
  s.assign_variable(vars[1].op(), bias);
  const tf::Tensor a = random_tensor({3, 5}, rng), b = random_tensor({2, 3, 5}, rng);
  auto out = s.run({y2, y3}, {{x2, a}, {x3, b}});
  auto reference = [&](const tf::Tensor& in) {
    std::vector<double> want;
    for (int64_t r = 0; r < in.num_elements() / 5; ++r) {
      std::vector<double> row(in.data<float>().begin() + r * 5, in.data<float>().begin() + r * 5 + 5);
      for (double v : affine(row, kernel, bias)) want.push_back(std::max(v, 0.0));
    }
    return want;
  };
  require_close(out[0], reference(a), "rank 2");
  require_close(out[1], reference(b), "rank 3");
}

TEST_CASE("layers and cells refuse bad arguments with a tf::Error and recover after one") {
  FreshGraph fg;
  auto x = tf::placeholder(tf::float32, {1, 6, 6, 2}, "x");
  REQUIRE_THROWS_MATCHES(tf::layers::conv2d(x, 2, {-3}), tf::ValueError,
                         Has("kernel_size must be one or two positive integers, got (-3)"));
  REQUIRE_THROWS_MATCHES(tf::layers::conv2d(x, 0, {3, 3}), tf::ValueError, Has("filters must be positive"));
  REQUIRE_THROWS_MATCHES(tf::layers::dropout(x, 1.f), tf::ValueError, Has("rate must be in [0, 1)"));
  REQUIRE_THROWS_MATCHES(tf::nn::rnn_cell::BasicLSTMCell(int64_t{1} << 62), tf::ValueError,
                         Has("num_units must be in [1, 2^40]"));
  auto huge = tf::placeholder(tf::float32, {-1, int64_t{1} << 32, int64_t{1} << 32}, "huge");
  REQUIRE_THROWS_MATCHES(tf::layers::flatten(huge), tf::ValueError, Has("the flattened size overflows int64"));
  // A null activation is none (TF's None), not a crash.
  tf::Output (*none)(const tf::Output&, const tf::OpName&) = nullptr;
  auto y = tf::layers::dense(tf::layers::flatten(x), 3, {.activation = none});
  CHECK(y.op().type() == "BiasAdd");

  // A cell whose first call fails (no variables to reuse) builds on the next call.
  tf::nn::rnn_cell::BasicRNNCell cell(4);
  auto in = tf::placeholder(tf::float32, {2, 3}, "in");
  {
    tf::variable_scope s("nothing_here", {.reuse = true});
    REQUIRE_THROWS_AS(cell(in, cell.zero_state(2)), tf::ValueError);
  }
  CHECK_FALSE(cell.scope().has_value());
  auto [out, state] = cell(in, cell.zero_state(2));
  CHECK(out.shape() == tf::Shape{2, 4});
  CHECK(cell.scope()->name() == "basic_rnn_cell");
}
