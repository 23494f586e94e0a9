// Mode-matrix cases of the nn family (see mode_matrix.h).
#include "mode_matrix.h"

namespace mode_matrix {

std::vector<Case> nn_cases() {
  std::vector<Case> c;
  c.push_back(
      {"LRN (default and AlexNet's parameters, radius past the channels)", [] {
         auto x = tf::placeholder(tf::float32, {-1, 5, 4, 7}, "x");
         return Built{{x}, {tf::nn::lrn(x), tf::nn::lrn(x, 2, 2.f, 1e-4f, 0.75f), tf::nn::lrn(x + 1.f, 100)}};
       }});
  c.push_back({"FusedBatchNormV3 (inference) after a conv", [] {
                 auto x = tf::placeholder(tf::float32, {-1, 6, 6, 3}, "x");
                 auto w = var("w", {3, 3, 3, 8});
                 auto scale = var("gamma", {8});
                 auto offset = var("beta", {8});
                 auto mean = var("moving_mean", {8});
                 auto variance = var("moving_variance", {8});
                 auto h = tf::conv2d(x, w, {1, 1, 1, 1}, "SAME");
                 auto [y, m, v] =
                     tf::nn::fused_batch_norm(h, scale, offset, mean, tf::square(variance) + 0.1f);
                 return Built{{x}, {tf::nn::relu6(y), m, v}, {}, {w, scale, offset, mean, variance}};
               }});
  // Run 2 assigns N(0, 1) values to every variable: a negative variance makes
  // its channel NaN in every mode (fused or not), which the matrix compares.
  c.push_back({"Conv2D/depthwise + FusedBatchNormV3 (variables) + Relu/Relu6 (fusable: folded)", [] {
                 auto x = tf::placeholder(tf::float32, {-1, 7, 6, 3}, "x");
                 auto w = var("w", {3, 3, 3, 8});
                 auto dw = var("dw", {3, 3, 8, 1});
                 auto positive = tf::random_uniform_initializer(0.5f, 1.5f);
                 auto scale = var("gamma", {8});
                 auto offset = var("beta", {8});
                 auto mean = var("moving_mean", {8});
                 auto variance = tf::get_variable("moving_variance", {8}, positive);
                 auto scale2 = var("gamma2", {8});
                 auto variance2 = tf::get_variable("moving_variance2", {8}, positive);
                 auto h = tf::conv2d(x, w, {1, 1, 1, 1}, "SAME");
                 auto y = tf::relu(tf::nn::fused_batch_norm(h, scale, offset, mean, variance).y);
                 auto d = tf::nn::depthwise_conv2d_native(y, dw, {1, 2, 2, 1}, "VALID");
                 auto z =
                     tf::nn::relu6(tf::nn::fused_batch_norm(d, scale2, offset, mean, variance2, 0.01f).y);
                 // A computed variance: folded on every run.
                 auto u = tf::nn::fused_batch_norm(tf::conv2d(x, w, {1, 2, 2, 1}, "VALID"), scale, offset,
                                                   mean, tf::square(variance) + 0.1f)
                              .y;
                 return Built{{x}, {z, u}, {}, {w, dw, scale, offset, mean, variance, scale2, variance2}};
               }});
  c.push_back(
      {"Conv2D dilated + bias + Relu6 (fusable), and dilated alone", [] {
         auto x = tf::placeholder(tf::float32, {1, 9, 9, 4}, "x");
         auto w = var("w", {3, 3, 4, 6});
         auto b = var("b", {6});
         auto conv = tf::nn::conv2d(x, w, {1, 1, 1, 1}, "SAME", {.dilations = {1, 2, 2, 1}});
         auto strided = tf::nn::conv2d(x, w, {1, 2, 2, 1}, "VALID", {.dilations = {1, 1, 3, 1}});
         return Built{
             {x}, {tf::nn::relu6(tf::bias_add(conv, b) * 4.f), tf::nn::relu6(strided + b)}, {}, {w, b}};
       }});
  c.push_back(
      {"DepthwiseConv2dNative (multiplier 2, strides, dilations) + bias + Relu/Relu6 (fusable)", [] {
         auto x = tf::placeholder(tf::float32, {-1, 8, 7, 5}, "x");
         auto w = var("w", {3, 3, 5, 2});
         auto b = var("b", {10});
         auto d1 = tf::nn::depthwise_conv2d_native(x, w, {1, 1, 1, 1}, "SAME");
         auto d2 = tf::nn::depthwise_conv2d_native(x, w, {1, 2, 1, 1}, "VALID", {.dilations = {1, 1, 2, 1}});
         auto d3 = tf::nn::depthwise_conv2d(x, w, {1, 2, 2, 1}, "SAME");
         return Built{{x}, {tf::nn::relu6(d1 + b), tf::relu(tf::bias_add(d2, b)), d3}, {}, {w, b}};
       }});
  c.push_back({"NaN through depthwise + bias + Relu6 and conv + bias + Relu6 (fused and not)",
               [] {
                 auto x = tf::placeholder(tf::float32, {1, 5, 5, 4}, "x");
                 auto w = var("w", {3, 3, 4, 1});
                 auto wc = var("wc", {3, 3, 4, 4});
                 auto b = var("b", {4});
                 auto d = tf::nn::relu6(tf::nn::depthwise_conv2d_native(x, w, {1, 1, 1, 1}, "SAME") + b);
                 auto y = tf::nn::relu6(tf::nn::conv2d(d, wc, {1, 1, 1, 1}, "SAME") + b);
                 return Built{{x}, {y}, {}, {w, wc, b}};
               },
               false, true});
  c.push_back({"Conv2DBackpropInput (conv2d_transpose, SAME and VALID, strides)", [] {
                 auto dy = tf::placeholder(tf::float32, {2, 4, 4, 6}, "dy");
                 auto w = var("w", {3, 3, 3, 6});
                 auto up = tf::nn::conv2d_transpose(dy, w, {2, 8, 8, 3}, {1, 2, 2, 1}, "SAME");
                 auto valid = tf::nn::conv2d_transpose(dy, w, {2, 13, 10, 3}, {1, 3, 2, 1}, "VALID");
                 return Built{{dy}, {tf::relu(up), valid}, {}, {w}};
               }});
  return c;
}

}  // namespace mode_matrix
