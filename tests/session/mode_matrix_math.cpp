// Mode-matrix cases of the math family (see mode_matrix.h).
#include <minitf/ops/op_def.h>

#include "mode_matrix.h"

namespace mode_matrix {

std::vector<Case> math_cases() {
  std::vector<Case> c;
  c.push_back({"reductions (Sum, Mean, Max, Min, Prod), float and int", [] {
                 auto x = tf::placeholder(tf::float32, {3, 5, 4}, "x");
                 auto n = tf::placeholder(tf::int32, {4, 6}, "n");
                 auto m = tf::placeholder(tf::int64, {2, 3}, "m");
                 return Built{{x, n, m},
                              {tf::reduce_sum(x), tf::reduce_sum(x, {1}), tf::reduce_mean(x, {0, 2}, true),
                               tf::reduce_max(x, {-1}), tf::reduce_min(x * 2.f, {1, 2}),
                               tf::reduce_prod(x, {0}), tf::reduce_sum(n, {0}), tf::reduce_prod(n, {1}, true),
                               tf::reduce_max(n), tf::reduce_mean(m, {1}), tf::reduce_min(m, {0})}};
               }});
  c.push_back({"reductions with fed axes and shapes", [] {
                 // Fed int32 values are in [0, 4): every one is an axis of a rank-4 input.
                 auto x = tf::placeholder(tf::float32, {-1, 4, 3, 2}, "x");
                 auto axes = tf::placeholder(tf::int32, {1}, "axes");
                 auto s = tf::create_op(tf::get_default_graph(), "Sum", "fed_sum", {x, axes}).output(0);
                 auto mx = tf::create_op(tf::get_default_graph(), "Max", "fed_max", {x, axes},
                                         {{"keep_dims", true}})
                               .output(0);
                 return Built{{x, axes}, {s, mx, tf::reduce_mean(x, {0}) + 1.f}};
               }});
  c.push_back({"Prelu and AddN",
               [] {
                 auto x = tf::placeholder(tf::float32, {-1, 4, 4, 3}, "x");
                 auto alpha = tf::placeholder(tf::float32, {1, 1, 3}, "alpha");
                 auto n = tf::placeholder(tf::int32, {5}, "n");
                 auto p = tf::create_op(tf::get_default_graph(), "Prelu", "prelu", {x, alpha}).output(0);
                 return Built{{x, alpha, n}, {p, tf::add_n({p, x, x * 2.f}), tf::add_n({n, n})}};
               },
               false, true});
  c.push_back({"ArgMax, ArgMin", [] {
                 auto x = tf::placeholder(tf::float32, {4, 7}, "x");
                 auto n = tf::placeholder(tf::int32, {3, 5, 2}, "n");
                 return Built{
                     {x, n},
                     {tf::argmax(x, 1), tf::argmin(x, 0, tf::int32), tf::argmax(n, -2), tf::argmin(n, 2)}};
               }});
  c.push_back({"Cast between float, int and bool", [] {
                 auto x = tf::placeholder(tf::float32, {3, 5}, "x");
                 auto n = tf::placeholder(tf::int32, {6}, "n");
                 auto b = tf::placeholder(tf::bool_, {6}, "b");
                 auto scaled = x * 3.f;
                 return Built{{x, n, b},
                              {tf::cast(scaled, tf::int32), tf::cast(scaled, tf::int64),
                               tf::cast(x, tf::bool_), tf::cast(n, tf::float32), tf::cast(n, tf::int64),
                               tf::cast(b, tf::float32), tf::cast(tf::cast(n, tf::bool_), tf::int32)}};
               }});
  c.push_back({"comparisons (broadcast, every dtype) and operators", [] {
                 auto x = tf::placeholder(tf::float32, {3, 1, 5}, "x");
                 auto y = tf::placeholder(tf::float32, {4, 5}, "y");
                 auto n = tf::placeholder(tf::int32, {2, 6}, "n");
                 auto m = tf::placeholder(tf::int64, {6}, "m");
                 auto b = tf::placeholder(tf::bool_, {2, 6}, "b");
                 auto b2 = tf::placeholder(tf::bool_, {6}, "b2");
                 return Built{{x, y, n, m, b, b2},
                              {x<y, x> y, x <= 0.f, 0.5f >= y, tf::equal(x, y), tf::not_equal(x, y), n < 2.f,
                               tf::greater(n, tf::constant(int32_t{1})), tf::equal(b, b2),
                               tf::not_equal(b, b2), tf::greater_equal(m, tf::cast(n, tf::int64)),
                               tf::less_equal(tf::cast(n, tf::int64), m)}};
               }});
  c.push_back({"BatchMatMulV2 (batch broadcast, adjoints)", [] {
                 auto a = tf::placeholder(tf::float32, {2, 3, 5, 4}, "a");
                 auto b = tf::placeholder(tf::float32, {3, 4, 6}, "b");
                 auto w = var("w", {6, 4});
                 return Built{{a, b},
                              {tf::matmul(a, b), tf::matmul(b, a, true, true), tf::matmul(a, w, false, true)},
                              {},
                              {w}};
               }});
  c.push_back({"dense layers: MatMul + bias + Relu (fusable), and an empty inner dimension",
               [] {
                 auto x = tf::placeholder(tf::float32, {4, 10}, "x");
                 auto e = tf::placeholder(tf::float32, {4, 0}, "e");
                 auto f = tf::placeholder(tf::float32, {0, 6}, "f");
                 auto w1 = var("w1", {10, 8});
                 auto b1 = var("b1", {8});
                 auto w2 = var("w2", {6, 8});
                 auto b2 = var("b2", {6});
                 auto h = tf::relu(tf::matmul(x, w1) + b1);
                 auto y = tf::relu(tf::bias_add(tf::matmul(h, w2, false, true), b2));
                 auto z = tf::relu(tf::matmul(e, f) + b2);
                 return Built{{x, e, f}, {y, z}, {}, {w1, b1, w2, b2}};
               },
               false, true});
  return c;
}

}  // namespace mode_matrix
