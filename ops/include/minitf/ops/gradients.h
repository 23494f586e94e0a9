#pragma once
// tf.gradients: the backward graph, built into the same graph as the forward one.
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf {

// The symbolic partial derivatives of sum(ys) with respect to each x, as TF
// 1.x's tf.gradients builds them: under a name scope "gradients" (made
// unique: "gradients_1", ...), each op's gradient function runs under
// "gradients/<op name>_grad" ("gradients/conv1/Conv2D_grad/Conv2DBackpropFilter"),
// and a tensor read by several ops gets the sum of their gradients
// ("gradients/AddN"): a variable shared by two towers gets both towers'.
// `grad_ys` holds the initial gradient of each y (default: ones of y's
// shape, "gradients/grad_ys_0"). The result has one Output per x, empty
// (`.empty()`) when x does not reach any y or only through ops without a
// gradient (tf::stop_gradient, ArgMax, Shape, comparisons, integer paths).
// A tf::Variable converts to its value, so `tf::gradients({loss}, {w})` works.
// Errors: ValueError when ys are empty or in different graphs, a grad_y does
// not match its y; UnimplementedError naming the op when a path to an x
// crosses an op type that has no gradient function.
std::vector<Output> gradients(const std::vector<Output>& ys, const std::vector<Output>& xs,
                              const std::vector<Output>& grad_ys = {});

}  // namespace minitf
