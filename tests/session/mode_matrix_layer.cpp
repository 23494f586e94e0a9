// Mode-matrix cases built from tf::layers and RNN cells (see mode_matrix.h):
// whole small models, whose fusions, aliases and shared variables the modes
// must not change.
#include "mode_matrix.h"

namespace mode_matrix {

std::vector<Case> layer_cases() {
  std::vector<Case> c;
  c.push_back({"layers: conv, batch norm, pool, flatten, dense in two towers sharing variables", [] {
                 auto a = tf::placeholder(tf::float32, {-1, 6, 6, 2}, "a");
                 auto b = tf::placeholder(tf::float32, {2, 6, 6, 2}, "b");
                 auto tower = [](const tf::Output& x) {
                   auto h = tf::layers::conv2d(x, 3, {3, 3}, {.padding = "same", .activation = tf::nn::relu});
                   h = tf::layers::batch_normalization(h);
                   h = tf::layers::max_pooling2d(h, {2, 2}, {2, 2});
                   h = tf::layers::flatten(h);
                   return tf::layers::dense(h, 4, {.activation = tf::nn::relu});
                 };
                 tf::Output ya, yb;
                 {
                   tf::variable_scope s("m");
                   ya = tower(a);
                 }
                 {
                   tf::variable_scope s("m", {.reuse = true});
                   yb = tower(b);
                 }
                 return Built{{a, b}, {ya, yb}, {}, tf::trainable_variables()};
               }});
  c.push_back({"rnn: BasicLSTMCell and GRUCell unrolled by static_rnn", [] {
                 std::vector<tf::Output> xs;
                 for (int t = 0; t < 3; ++t) xs.push_back(tf::placeholder(tf::float32, {2, 3}, "x"));
                 tf::nn::rnn_cell::BasicLSTMCell lstm(4);
                 tf::nn::rnn_cell::GRUCell gru(3);
                 auto l = tf::nn::static_rnn(lstm, xs, std::nullopt, "lstm");
                 auto g = tf::nn::static_rnn(gru, xs, std::nullopt, "gru");
                 return Built{xs,
                              {l.outputs[0], l.state[0], l.state[1], g.outputs[1], g.state[0]},
                              {},
                              tf::global_variables()};
               }});
  // Training: the backward graph of two towers sharing variables (every
  // backward kernel of a convnet, gradients summed by AddN), and a whole
  // Adam step, whose variable updates must be the same in every mode.
  auto convnet_loss = [](const tf::Output& x, const tf::Output& labels) {
    auto h =
        tf::layers::conv2d(x, 4, {3, 3}, {.padding = "same", .activation = tf::nn::relu, .name = "conv1"});
    h = tf::layers::max_pooling2d(h, {2, 2}, {2, 2}, {.padding = "same"});
    h = tf::layers::conv2d(h, 3, {3, 3}, {.strides = {2, 2}, .activation = tf::nn::relu6, .name = "conv2"});
    h = tf::layers::average_pooling2d(h, {1, 1}, {1, 1});
    h = tf::layers::flatten(h);
    h = tf::layers::dense(h, 5, {.activation = tf::nn::relu, .name = "dense"});
    return tf::losses::sparse_softmax_cross_entropy(labels, h);
  };
  c.push_back({"gradients: two convnet towers sharing variables", [convnet_loss] {
                 auto a = tf::placeholder(tf::float32, {3, 7, 7, 2}, "a");
                 auto b = tf::placeholder(tf::float32, {2, 7, 7, 2}, "b");
                 auto la = tf::constant(tf::Tensor::from<int32_t>({3}, {0, 4, 2}));
                 auto lb = tf::constant(tf::Tensor::from<int32_t>({2}, {1, 3}));
                 tf::Output loss;
                 {
                   tf::variable_scope s("m");
                   loss = convnet_loss(a, la);
                 }
                 {
                   tf::variable_scope s("m", {.reuse = true});
                   loss = loss + convnet_loss(b, lb);
                 }
                 auto vars = tf::trainable_variables();
                 std::vector<tf::Output> fetches = tf::gradients({loss}, {vars.begin(), vars.end()});
                 auto dx = tf::gradients({loss}, {a, b});
                 fetches.insert(fetches.end(), dx.begin(), dx.end());
                 fetches.push_back(loss);
                 return Built{{a, b}, fetches, {}, vars};
               }});
  // (Momentum, not Adam: Adam's first steps move a weight by about the
  // learning rate whatever its gradient's size, so a gradient of 1e-9 in one
  // mode and -1e-9 in another would differ by far more than rounding.)
  c.push_back({"train: a Momentum step with a global step (stateful)",
               [convnet_loss] {
                 auto a = tf::placeholder(tf::float32, {3, 7, 7, 2}, "a");
                 auto la = tf::constant(tf::Tensor::from<int32_t>({3}, {0, 4, 2}));
                 auto loss = convnet_loss(a, la);
                 auto step = tf::train::get_or_create_global_step();
                 tf::train::MomentumOptimizer momentum(0.05f, 0.9f);
                 auto train = momentum.minimize(loss, step);
                 auto vars = tf::trainable_variables();
                 std::vector<tf::Output> fetches{loss, step.value()};
                 for (const auto& v : tf::global_variables()) fetches.push_back(v.value());
                 return Built{{a}, fetches, {train}, vars};
               },
               true});
  c.push_back({"ZerosLike, OnesLike", [] {
                 auto x = tf::placeholder(tf::float32, {-1, 3}, "x");
                 auto i = tf::placeholder(tf::int64, {2}, "i");
                 return Built{{x, i}, {tf::zeros_like(x), tf::ones_like(x) + x, tf::ones_like(i)}};
               }});
  c.push_back(
      {"gradients: batch normalization in training (FusedBatchNormGradV3), moving averages (stateful)",
       [] {
         auto x = tf::placeholder(tf::float32, {4, 3, 3, 2}, "x");
         auto y = tf::layers::batch_normalization(tf::layers::conv2d(x, 3, {2, 2}, {.name = "conv"}),
                                                  {.training = true});
         auto loss = tf::reduce_sum(tf::square(y) * tf::constant(std::vector<float>{1.f, 2.f, 3.f}, {3}));
         auto vars = tf::trainable_variables();
         std::vector<tf::Output> fetches = tf::gradients({loss}, {vars.begin(), vars.end()});
         fetches.push_back(tf::gradients({loss}, {x})[0]);
         auto updates = tf::get_default_graph().get_operation_collection(tf::kUpdateOps);
         for (const auto& v : tf::global_variables()) fetches.push_back(v.value());
         return Built{{x}, fetches, updates, vars};
       },
       true});
  return c;
}

}  // namespace mode_matrix
