// Mode-matrix cases of the array family (see mode_matrix.h).
#include <minitf/ops/op_def.h>

#include "mode_matrix.h"

namespace mode_matrix {

std::vector<Case> array_cases() {
  std::vector<Case> c;
  c.push_back(
      {"Reshape, Squeeze, ExpandDims, StopGradient (views of fed and computed values)", [] {
         auto x = tf::placeholder(tf::float32, {2, 3, 4}, "x");
         auto computed = tf::reshape(x + 1.f, {4, -1});  // a view of an intermediate, fetched and read
         auto e = tf::expand_dims(tf::relu(x), -2);
         return Built{{x},
                      {tf::reshape(x, {6, 4}), computed, computed * 2.f, tf::squeeze(e), e,
                       tf::squeeze(tf::expand_dims(x * 3.f, 0), {0}), tf::stop_gradient(x - 1.f),
                       tf::reshape(tf::stop_gradient(x), {-1}) + 0.5f}};
       }});
  c.push_back({"Transpose, Shape", [] {
                 auto x = tf::placeholder(tf::float32, {2, 3, 4}, "x");
                 auto y = tf::placeholder(tf::float32, {-1, 5}, "y");
                 return Built{
                     {x, y},
                     {tf::transpose(x), tf::transpose(x, {1, 0, 2}), tf::transpose(x + 1.f, {0, 2, 1}),
                      tf::transpose(y), tf::shape(x), tf::shape(y, tf::int64)}};
               }});
  c.push_back({"ConcatV2, Pack, Split, SplitV, Unpack", [] {
                 auto a = tf::placeholder(tf::float32, {2, 3}, "a");
                 auto b = tf::placeholder(tf::float32, {2, 5}, "b");
                 auto ab = tf::concat({a, b}, 1);
                 auto pieces = tf::split(b, {2, -1, 1}, 1);
                 auto halves = tf::split(ab, 2, 0);
                 auto columns = tf::unstack(a, 1);
                 return Built{{a, b},
                              {ab, tf::concat({a, a * 2.f, a}, -2), tf::stack({a, a + 1.f, a}, 1),
                               tf::stack({b}, -1), pieces[0], pieces[1], pieces[2], halves[0], halves[1],
                               columns[0], columns[2], tf::concat({pieces[2], pieces[0]}, 1)}};
               }});
  c.push_back({"Tile, Pad, PadV2, MirrorPad", [] {
                 auto x = tf::placeholder(tf::float32, {2, 3}, "x");
                 return Built{
                     {x},
                     {tf::tile(x, {2, 3}), tf::tile(x + 1.f, {1, 0}), tf::pad(x, {{1, 2}, {0, 1}}),
                      tf::pad(x, {{1, 0}, {2, 2}}, "CONSTANT", 1.5f), tf::pad(x, {{1, 1}, {2, 2}}, "reflect"),
                      tf::pad(x, {{2, 2}, {3, 1}}, "SYMMETRIC")}};
               }});
  c.push_back({"Slice, StridedSlice (masks, negative strides)", [] {
                 auto x = tf::placeholder(tf::float32, {4, 5, 6}, "x");
                 auto y = x * 2.f;
                 return Built{{x},
                              {tf::slice(x, {1, 0, 2}, {2, -1, 3}), tf::slice(y, {0, 0, 0}, {4, 5, 0}),
                               // x[::-1, 1:4:2, -1]
                               tf::strided_slice(x, {0, 1, -1}, {0, 4, 0}, {-1, 2, 1}, 1, 1, 0, 0, 4),
                               // y[..., tf.newaxis, 1:3]
                               tf::strided_slice(y, {0, 0, 1}, {0, 0, 3}, {1, 1, 1}, 0, 0, 1, 2),
                               // x[-2:, ::-2]
                               tf::strided_slice(x, {-2, 0}, {0, 0}, {1, -2}, 2, 3)}};
               }});
  c.push_back({"int32 and bool values through array ops", [] {
                 auto i = tf::placeholder(tf::int32, {3, 4}, "i");
                 auto b = tf::placeholder(tf::bool_, {2, 3}, "b");
                 auto parts = tf::split(i, 2, 1);
                 return Built{
                     {i, b},
                     {tf::transpose(i), tf::concat({i, i}, 0), tf::pad(i, {{1, 1}, {0, 2}}, "CONSTANT", 7),
                      tf::tile(i, {1, 2}), parts[1], tf::reshape(b, {3, 2}), tf::stack({b, b}, 2),
                      tf::strided_slice(b, {0, 2}, {2, 0}, {1, -1}, 0, 0, 0, 0, 0),
                      tf::pad(b, {{1, 1}, {1, 1}}, "REFLECT")}};
               }});
  c.push_back(
      {"fed shape tensors (shapes known only at run time)", [] {
         // x and y share their unknown dim (each run feeds 1 + run % 3), so x fits y's shape.
         auto x = tf::placeholder(tf::float32, {-1, 6}, "x");
         auto y = tf::placeholder(tf::float32, {6, -1}, "y");
         auto multiples = tf::placeholder(tf::int32, {2}, "multiples");  // fed in [0, 4)
         auto paddings = tf::placeholder(tf::int32, {2, 2}, "paddings");
         auto like_y = tf::reshape(x, tf::shape(y));
         auto tiled = tf::create_op(tf::get_default_graph(), "Tile", "tile", {x, multiples}).output(0);
         auto padded = tf::create_op(tf::get_default_graph(), "Pad", "pad", {x, paddings}).output(0);
         return Built{{x, y, multiples, paddings},
                      {like_y, tf::transpose(like_y), tiled, tf::concat({tiled, tiled}, 0), tf::shape(tiled),
                       padded, tf::reshape(padded, {-1})}};
       }});
  return c;
}

}  // namespace mode_matrix
