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
  return c;
}

}  // namespace mode_matrix
