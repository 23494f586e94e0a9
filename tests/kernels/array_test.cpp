// The array ops against naive index loops on random data of every dtype,
// StridedSlice against a table worked out by hand from TF's rules, TF's
// builder names, errors when built and when run, and the views' aliasing.
#include <minitf/kernels/kernel.h>
#include <minitf/ops/op_def.h>

#include <functional>
#include <numeric>
#include <random>

#include "reference.h"

namespace {

using Ints = std::vector<int64_t>;
const tf::DType kDTypes[] = {tf::float32, tf::int32, tf::int64, tf::bool_};

tf::Tensor random_of(tf::DType dtype, const tf::Shape& shape, std::mt19937& rng) {
  tf::Tensor t(dtype, shape);
  std::uniform_int_distribution<int> d(-1000, 1000);
  tf::with_dtype(dtype, [&](auto zero) {
    using T = decltype(zero);
    for (auto&& v : t.data<T>()) {
      if constexpr (std::is_same_v<T, bool>) {
        v = d(rng) % 2 != 0;
      } else if constexpr (std::is_same_v<T, float>) {
        v = static_cast<float>(d(rng)) * 0.01f;
      } else {
        v = static_cast<T>(d(rng)) * 1000003;  // int64 values beyond int32 catch a narrowing copy
      }
    }
  });
  return t;
}

double at(const tf::Tensor& t, int64_t i) {
  return tf::with_dtype(t.dtype(), [&](auto zero) {
    using T = decltype(zero);
    return static_cast<double>(t.data<T>()[static_cast<size_t>(i)]);
  });
}

Ints unravel(int64_t i, const tf::Shape& s) {
  Ints c(static_cast<size_t>(s.rank()));
  for (int d = s.rank() - 1; d >= 0; --d) {
    c[static_cast<size_t>(d)] = i % s.dim(d);
    i /= s.dim(d);
  }
  return c;
}

int64_t ravel(const Ints& c, const tf::Shape& s) {
  int64_t i = 0;
  for (int d = 0; d < s.rank(); ++d) i = i * s.dim(d) + c[static_cast<size_t>(d)];
  return i;
}

// Every element of `got` equals want(its coordinates); the shape is `shape`.
void check_each(const tf::Tensor& got, const tf::Shape& shape,
                const std::function<double(const Ints&)>& want) {
  REQUIRE(got.shape() == shape);
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    const Ints c = unravel(i, shape);
    if (at(got, i) != want(c)) {
      FAIL("element " << i << " of " << shape.to_string() << ": got " << at(got, i) << ", want " << want(c));
    }
  }
}

tf::Tensor run(const tf::Graph& g, const tf::Output& y, const tf::FeedDict& feeds = {}, int threads = 1) {
  tf::Session sess(g, {.num_threads = threads});
  return sess.run(y, feeds);
}

std::vector<tf::Tensor> run(const tf::Graph& g, const std::vector<tf::Output>& ys,
                            const tf::FeedDict& feeds = {}) {
  tf::Session sess(g);
  return sess.run(ys, feeds);
}

tf::Tensor ints32(const Ints& v, tf::Shape shape = {}) {
  if (shape.rank() == 0 && v.size() != 1) shape = tf::Shape{static_cast<int64_t>(v.size())};
  return tf::Tensor::from<int32_t>(shape, std::vector<int32_t>(v.begin(), v.end()));
}

}  // namespace

TEST_CASE("array: Reshape, Squeeze and ExpandDims keep the row-major order, every dtype") {
  std::mt19937 rng(1);
  for (tf::DType dtype : kDTypes) {
    INFO(tf::dtype_name(dtype));
    FreshGraph f;
    auto x = tf::placeholder(dtype, {2, 3, 4});
    const tf::Tensor xv = random_of(dtype, {2, 3, 4}, rng);
    const std::vector<std::pair<tf::Output, tf::Shape>> cases = {
        {tf::reshape(x, {6, 4}), {6, 4}},
        {tf::reshape(x, {-1}), {24}},
        {tf::reshape(x, {2, -1, 3}), {2, 4, 3}},
        {tf::reshape(x, tf::constant(tf::Tensor::from<int64_t>({2}, {4, -1}))), {4, 6}},
        {tf::squeeze(tf::reshape(x, {1, 24, 1})), {24}},
        {tf::squeeze(tf::reshape(x, {1, 24, 1}), {-1}), {1, 24}},
        {tf::expand_dims(x, 0), {1, 2, 3, 4}},
        {tf::expand_dims(x, 3), {2, 3, 4, 1}},
        {tf::expand_dims(x, -1), {2, 3, 4, 1}},
        {tf::expand_dims(x, -4), {1, 2, 3, 4}},
        {tf::expand_dims(x, 2), {2, 3, 1, 4}},
        {tf::stop_gradient(x), {2, 3, 4}},
    };
    for (const auto& [y, shape] : cases) {
      INFO(y.name());
      REQUIRE(y.shape() == shape);
      const tf::Tensor got = run(f.g, y, {{x, xv}});
      check_each(got, shape, [&](const Ints& c) { return at(xv, ravel(c, shape)); });
    }
  }
  // 0-size and scalar shapes.
  FreshGraph f;
  auto e = tf::constant(tf::Tensor(tf::float32, {0, 3}));
  REQUIRE(run(f.g, tf::reshape(e, {3, 0, 5})).shape() == tf::Shape{3, 0, 5});
  auto s = tf::placeholder(tf::float32, {1, 1});
  REQUIRE(tf::squeeze(s).shape() == tf::Shape{});
  REQUIRE(values(run(f.g, tf::reshape(s, tf::Shape{}), {{s, tf::Tensor::from<float>({1, 1}, {7})}})) ==
          std::vector<float>{7});
  REQUIRE(run(f.g, tf::expand_dims(tf::constant(3.f), 0)).shape() == tf::Shape{1});
}

TEST_CASE("array: Reshape, Squeeze and ExpandDims outputs are views of their input (kernel level)") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2, 6});
  tf::kernels::CpuDevice device(1);
  struct NoVariables final : tf::kernels::VariableAccess {
    tf::Tensor read(const tf::Operation&) override { return {}; }
    void assign(const tf::Operation&, tf::Tensor) override {}
  } variables;
  std::mt19937 rng(3);
  const tf::Tensor xv = random_tensor({2, 6}, rng);
  struct Case {
    tf::Output y;
    tf::Tensor second;
  };
  const std::vector<Case> cases = {
      {tf::reshape(x, {3, 4}), ints32({3, 4})},
      {tf::expand_dims(x, 1), ints32({1})},
      {tf::squeeze(tf::reshape(x, {1, 12})), {}},
      {tf::stop_gradient(x), {}},
  };
  for (const Case& c : cases) {
    const tf::Operation op = c.y.op();
    INFO(op.type());
    const tf::kernels::NodeInfo node{op.name(), op.type(), op.attrs(), op};
    auto kernel = tf::kernels::kernel_registry().create(node);
    REQUIRE_FALSE(kernel->allocates_outputs());
    REQUIRE(tf::op_def(op.type()).forwarded_input(0) == 0);
    tf::Tensor input = op.type() == "Squeeze" ? xv.reshaped({1, 12}) : xv;
    std::vector<const tf::Tensor*> ins{&input};
    if (!c.second.empty()) ins.push_back(&c.second);
    tf::Tensor out;
    std::vector<tf::Tensor*> outs{&out};
    const std::vector<tf::TensorSpec> specs{{tf::float32, c.y.shape()}};
    tf::kernels::KernelContext ctx{ins, outs, specs, variables, device, 1};
    kernel->compute(ctx);
    REQUIRE(out.shares_buffer_with(input));
    REQUIRE(out.shape() == c.y.shape());
  }
}

TEST_CASE("array: a fetched view shares nothing with later runs or with the feed") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2, 3});
  auto view = tf::reshape(x + 1.f, {3, 2});
  auto feed_view = tf::reshape(x, {6});
  tf::Session sess(f.g);
  tf::Tensor a = tf::Tensor::from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  const auto first = sess.run({view, feed_view}, {{x, a}});
  a.data<float>()[0] = 100;  // the caller's feed, changed after the run
  const auto second = sess.run({view, feed_view}, {{x, tf::Tensor::from<float>({2, 3}, {0, 0, 0, 0, 0, 0})}});
  REQUIRE(values(first[0]) == std::vector<float>{2, 3, 4, 5, 6, 7});
  REQUIRE(values(first[1]) == std::vector<float>{1, 2, 3, 4, 5, 6});
  REQUIRE(values(second[0]) == std::vector<float>{1, 1, 1, 1, 1, 1});
}

TEST_CASE("array: Transpose matches an index loop for every permutation, dtype and 0-size dims") {
  std::mt19937 rng(2);
  const std::vector<tf::Shape> shapes = {{2, 3, 4}, {1, 5, 1}, {3, 0, 2}, {2, 3, 1, 2}};
  for (const tf::Shape& shape : shapes) {
    for (tf::DType dtype : kDTypes) {
      FreshGraph f;
      auto x = tf::placeholder(dtype, shape);
      const tf::Tensor xv = random_of(dtype, shape, rng);
      Ints perm(static_cast<size_t>(shape.rank()));
      std::iota(perm.begin(), perm.end(), 0);
      do {
        INFO(shape.to_string() << " " << tf::dtype_name(dtype) << " perm " << perm[0] << perm[1] << perm[2]);
        Ints dims;
        for (int64_t p : perm) dims.push_back(shape.dim(static_cast<int>(p)));
        const tf::Tensor got = run(f.g, tf::transpose(x, perm), {{x, xv}});
        check_each(got, tf::Shape(dims), [&](const Ints& c) {
          Ints src(c.size());
          for (size_t i = 0; i < c.size(); ++i) src[static_cast<size_t>(perm[i])] = c[i];
          return at(xv, ravel(src, shape));
        });
      } while (std::next_permutation(perm.begin(), perm.end()));
    }
  }
  FreshGraph f;
  auto m = tf::placeholder(tf::float32, {300, 257});  // large enough for the thread pool
  const tf::Tensor mv = random_tensor({300, 257}, rng);
  const tf::Tensor got = run(f.g, tf::transpose(m), {{m, mv}}, 2);
  check_each(got, {257, 300}, [&](const Ints& c) { return at(mv, c[1] * 257 + c[0]); });
  REQUIRE(run(f.g, tf::transpose(tf::constant(2.f))).shape() == tf::Shape{});
}

TEST_CASE("array: ConcatV2 and Pack match index loops along every axis, negative ones too") {
  std::mt19937 rng(4);
  for (tf::DType dtype : kDTypes) {
    for (int64_t axis = -3; axis < 3; ++axis) {
      INFO(tf::dtype_name(dtype) << " axis " << axis);
      const auto a = static_cast<size_t>(axis < 0 ? axis + 3 : axis);
      FreshGraph f;
      std::vector<tf::Output> xs;
      std::vector<tf::Tensor> vs;
      tf::FeedDict feeds;
      Ints offsets{0};
      for (int64_t size : {2, 0, 3, 1}) {
        Ints dims{2, 3, 4};
        dims[a] = size;
        vs.push_back(random_of(dtype, tf::Shape(dims), rng));
        xs.push_back(tf::placeholder(dtype, tf::Shape(dims)));
        feeds.emplace_back(xs.back(), vs.back());
        offsets.push_back(offsets.back() + size);
      }
      Ints out{2, 3, 4};
      out[a] = offsets.back();
      check_each(run(f.g, tf::concat(xs, axis), feeds), tf::Shape(out), [&](const Ints& c) {
        size_t k = 0;
        while (c[a] >= offsets[k + 1]) ++k;
        Ints src = c;
        src[a] -= offsets[k];
        return at(vs[k], ravel(src, vs[k].shape()));
      });
      // Pack: three values of one shape, along every axis of the result.
      FreshGraph g;
      std::vector<tf::Output> ps;
      std::vector<tf::Tensor> pv;
      tf::FeedDict pfeeds;
      for (int i = 0; i < 3; ++i) {
        pv.push_back(random_of(dtype, {2, 3}, rng));
        ps.push_back(tf::placeholder(dtype, {2, 3}));
        pfeeds.emplace_back(ps.back(), pv.back());
      }
      Ints pdims{2, 3};
      pdims.insert(pdims.begin() + (axis < 0 ? axis + 3 : axis), 3);
      check_each(run(g.g, tf::stack(ps, axis), pfeeds), tf::Shape(pdims), [&](const Ints& c) {
        Ints src = c;
        const auto pa = static_cast<size_t>(axis < 0 ? axis + 3 : axis);
        const int64_t k = src[pa];
        src.erase(src.begin() + static_cast<int64_t>(pa));
        return at(pv[static_cast<size_t>(k)], ravel(src, {2, 3}));
      });
    }
  }
  FreshGraph f;
  auto big = tf::placeholder(tf::float32, {400, 100});
  const tf::Tensor bv = random_tensor({400, 100}, rng);
  const tf::Tensor got = run(f.g, tf::concat({big, big}, 1), {{big, bv}}, 2);
  check_each(got, {400, 200}, [&](const Ints& c) { return at(bv, c[0] * 100 + c[1] % 100); });
}

TEST_CASE("array: Split, SplitV and Unpack match index loops, and a braced list picks SplitV") {
  std::mt19937 rng(5);
  for (tf::DType dtype : kDTypes) {
    INFO(tf::dtype_name(dtype));
    FreshGraph f;
    auto x = tf::placeholder(dtype, {4, 6, 3});
    const tf::Tensor xv = random_of(dtype, {4, 6, 3}, rng);
    const auto piece = [&](const tf::Tensor& got, size_t axis, int64_t offset, int64_t size) {
      Ints dims{4, 6, 3};
      dims[axis] = size;
      check_each(got, tf::Shape(dims), [&](const Ints& c) {
        Ints src = c;
        src[axis] += offset;
        return at(xv, ravel(src, {4, 6, 3}));
      });
    };
    const auto thirds = tf::split(x, 3, 1);
    REQUIRE(thirds.size() == 3);
    REQUIRE(thirds[0].op().type() == "Split");
    const auto got = run(f.g, thirds, {{x, xv}});
    for (size_t i = 0; i < 3; ++i) piece(got[i], 1, 2 * static_cast<int64_t>(i), 2);
    const auto sized = tf::split(x, {1, -1, 0, 2}, -2);
    REQUIRE(sized[0].op().type() == "SplitV");
    REQUIRE(sized[1].shape() == tf::Shape{4, 3, 3});
    const auto sgot = run(f.g, sized, {{x, xv}});
    const Ints offsets{0, 1, 4, 4}, sizes{1, 3, 0, 2};
    for (size_t i = 0; i < 4; ++i) piece(sgot[i], 1, offsets[i], sizes[i]);
    const auto one = tf::split(x, {4});  // a braced list of one size is SplitV with one piece
    REQUIRE(one.size() == 1);
    REQUIRE(one[0].op().type() == "SplitV");
    piece(run(f.g, one[0], {{x, xv}}), 0, 0, 4);
    for (int64_t axis : {0, 2, -1}) {
      const auto a = static_cast<size_t>(axis < 0 ? axis + 3 : axis);
      const auto rows = tf::unstack(x, axis);
      const auto ugot = run(f.g, rows, {{x, xv}});
      REQUIRE(ugot.size() == static_cast<size_t>(xv.shape().dim(static_cast<int>(a))));
      for (size_t i = 0; i < ugot.size(); ++i) {
        Ints dims{4, 6, 3};
        dims.erase(dims.begin() + static_cast<int64_t>(a));
        check_each(ugot[i], tf::Shape(dims), [&](const Ints& c) {
          Ints src = c;
          src.insert(src.begin() + static_cast<int64_t>(a), static_cast<int64_t>(i));
          return at(xv, ravel(src, {4, 6, 3}));
        });
      }
    }
  }
}

TEST_CASE("array: Tile matches an index loop, multiples of 0 and 1 included") {
  std::mt19937 rng(6);
  const std::vector<std::pair<tf::Shape, Ints>> cases = {
      {{2, 3}, {2, 3}}, {{3}, {4}}, {{2, 1, 3}, {1, 5, 2}}, {{2, 3}, {0, 2}}, {{0, 2}, {3, 1}}, {{}, {}}};
  for (tf::DType dtype : kDTypes) {
    for (const auto& [shape, m] : cases) {
      INFO(tf::dtype_name(dtype) << " " << shape.to_string());
      FreshGraph f;
      auto x = tf::placeholder(dtype, shape);
      const tf::Tensor xv = random_of(dtype, shape, rng);
      Ints dims;
      for (size_t d = 0; d < m.size(); ++d) dims.push_back(shape.dims()[d] * m[d]);
      check_each(run(f.g, tf::tile(x, m), {{x, xv}}), tf::Shape(dims), [&](const Ints& c) {
        Ints src(c.size());
        for (size_t d = 0; d < c.size(); ++d) src[d] = c[d] % shape.dims()[d];
        return at(xv, ravel(src, shape));
      });
    }
  }
}

namespace {

// The input index each padded position reads, built by listing the pieces:
// `before` positions mirrored, the input, `after` positions mirrored (-1: the constant).
Ints padded_sources(int64_t n, int64_t before, int64_t after, const std::string& mode) {
  Ints out;
  for (int64_t k = before; k >= 1; --k) {
    out.push_back(mode == "CONSTANT" ? -1 : mode == "REFLECT" ? k : k - 1);
  }
  for (int64_t i = 0; i < n; ++i) out.push_back(i);
  for (int64_t k = 1; k <= after; ++k) {
    out.push_back(mode == "CONSTANT" ? -1 : mode == "REFLECT" ? n - 1 - k : n - k);
  }
  return out;
}

}  // namespace

TEST_CASE("array: Pad, PadV2 and MirrorPad (REFLECT, SYMMETRIC) match index lists built by hand") {
  std::mt19937 rng(7);
  const std::vector<std::vector<std::pair<int64_t, int64_t>>> paddings = {
      {{1, 2}, {0, 1}}, {{0, 0}, {2, 2}}, {{2, 1}, {1, 0}}, {{1, 1}, {2, 1}}};
  for (tf::DType dtype : kDTypes) {
    for (const std::string mode : {"CONSTANT", "REFLECT", "SYMMETRIC"}) {
      for (const auto& p : paddings) {
        for (float value : {0.f, 1.f}) {
          INFO(tf::dtype_name(dtype) << " " << mode << " value " << value);
          FreshGraph f;
          auto x = tf::placeholder(dtype, {3, 4});
          const tf::Tensor xv = random_of(dtype, {3, 4}, rng);
          auto y = tf::pad(x, p, mode == "REFLECT" ? "reflect" : mode, value);
          REQUIRE(y.op().type() == (mode != "CONSTANT" ? "MirrorPad" : value == 0.f ? "Pad" : "PadV2"));
          const Ints rows = padded_sources(3, p[0].first, p[0].second, mode);
          const Ints cols = padded_sources(4, p[1].first, p[1].second, mode);
          check_each(run(f.g, y, {{x, xv}}),
                     {static_cast<int64_t>(rows.size()), static_cast<int64_t>(cols.size())},
                     [&](const Ints& c) {
                       const int64_t r = rows[static_cast<size_t>(c[0])], k = cols[static_cast<size_t>(c[1])];
                       return r < 0 || k < 0 ? (mode == "CONSTANT" ? value : -1e300) : at(xv, r * 4 + k);
                     });
        }
      }
    }
  }
  FreshGraph f;
  auto e = tf::constant(tf::Tensor(tf::float32, {0, 2}));
  check_each(run(f.g, tf::pad(e, {{1, 1}, {1, 0}}, "CONSTANT", 2.5f)), {2, 3},
             [](const Ints&) { return 2.5; });
  auto s = tf::placeholder(tf::int32, {});
  REQUIRE(run(f.g, tf::pad(s, {}), {{s, ints32({4})}}).scalar<int32_t>() == 4);
}

TEST_CASE("array: Slice matches an index loop, size -1 and 0-size slices included") {
  std::mt19937 rng(8);
  const std::vector<std::pair<Ints, Ints>> cases = {{{1, 0, 2}, {2, -1, 3}},
                                                    {{0, 0, 0}, {4, 5, 6}},
                                                    {{3, 4, 5}, {1, 1, 1}},
                                                    {{2, 5, 0}, {2, 0, -1}},
                                                    {{0, 1, 6}, {-1, 3, 0}}};
  for (tf::DType dtype : kDTypes) {
    for (const auto& [begin, size] : cases) {
      INFO(tf::dtype_name(dtype));
      FreshGraph f;
      const tf::Shape shape{4, 5, 6};
      auto x = tf::placeholder(dtype, shape);
      const tf::Tensor xv = random_of(dtype, shape, rng);
      Ints dims;
      for (size_t d = 0; d < 3; ++d) dims.push_back(size[d] < 0 ? shape.dims()[d] - begin[d] : size[d]);
      check_each(run(f.g, tf::slice(x, begin, size), {{x, xv}}), tf::Shape(dims), [&](const Ints& c) {
        Ints src(3);
        for (size_t d = 0; d < 3; ++d) src[d] = c[d] + begin[d];
        return at(xv, ravel(src, shape));
      });
    }
  }
}

TEST_CASE("array: StridedSlice masks, ellipsis, new axes and negative strides give TF's results (by hand)") {
  // x = arange(24) as [2,3,4]: x[a,b,c] = 12a + 4b + c.
  struct Row {
    const char* python;
    Ints begin, end, strides;
    int begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask;
    tf::Shape shape;
    std::vector<float> values;  // all of them
  };
  const std::vector<Row> table = {
      {"x[1]", {1}, {2}, {1}, 0, 0, 0, 0, 1, {3, 4}, {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}},
      {"x[:, ::-1, 1:3]",
       {0, 0, 1},
       {0, 0, 3},
       {1, -1, 1},
       3,
       3,
       0,
       0,
       0,
       {2, 3, 2},
       {9, 10, 5, 6, 1, 2, 21, 22, 17, 18, 13, 14}},
      {"x[..., 0]", {0, 0}, {0, 1}, {1, 1}, 0, 0, 1, 0, 2, {2, 3}, {0, 4, 8, 12, 16, 20}},
      {"x[tf.newaxis, 0, :, -1]",
       {0, 0, 0, -1},
       {0, 1, 0, 0},
       {1, 1, 1, 1},
       4,
       4,
       0,
       1,
       10,
       {1, 3},
       {3, 7, 11}},
      {"x[-1:, 1:-1, ::3]", {-1, 1, 0}, {0, -1, 0}, {1, 1, 3}, 4, 5, 0, 0, 0, {1, 1, 2}, {16, 19}},
      {"x[::-2, ..., ::-3]",
       {0, 0, 0},
       {0, 0, 0},
       {-2, 1, -3},
       5,
       5,
       2,
       0,
       0,
       {1, 3, 2},
       {15, 12, 19, 16, 23, 20}},
      {"x[:, 1:100, -100:2]",
       {0, 1, -100},
       {0, 100, 2},
       {1, 1, 1},
       1,
       1,
       0,
       0,
       0,
       {2, 2, 2},
       {4, 5, 8, 9, 16, 17, 20, 21}},
      {"x[:, 2:1]", {0, 2}, {0, 1}, {1, 1}, 1, 1, 0, 0, 0, {2, 0, 4}, {}},
      {"x[1, 2:0:-1, 3:0:-2]", {1, 2, 3}, {2, 0, 0}, {1, -1, -2}, 0, 0, 0, 0, 1, {2, 2}, {23, 21, 19, 17}},
      {"x[..., tf.newaxis] (first values)", {0, 0}, {0, 0}, {1, 1}, 0, 0, 1, 2, 0, {2, 3, 4, 1}, {}},
      {"x[tf.newaxis] with shrink on the same bit (new axis wins)",
       {0},
       {0},
       {1},
       0,
       0,
       0,
       1,
       1,
       {1, 2, 3, 4},
       {}},
      {"x[-1, -1, -1]", {-1, -1, -1}, {0, 0, 0}, {1, 1, 1}, 0, 0, 0, 0, 7, {}, {23}},
      {"x[0, ..., 1]", {0, 0, 1}, {1, 0, 2}, {1, 1, 1}, 0, 0, 2, 0, 5, {3}, {1, 5, 9}},
      {"x[::-1, ::-1, ::-1] (first values)",
       {0, 0, 0},
       {0, 0, 0},
       {-1, -1, -1},
       7,
       7,
       0,
       0,
       0,
       {2, 3, 4},
       {23, 22, 21, 20}},
      {"x[5:, -7:-5]: clamped empty ranges", {5, -7}, {0, -5}, {1, 1}, 0, 1, 0, 0, 0, {0, 0, 4}, {}},
  };
  std::vector<float> arange(24);
  std::iota(arange.begin(), arange.end(), 0.f);
  for (const Row& r : table) {
    INFO(r.python);
    FreshGraph f;
    auto x = tf::constant(arange, {2, 3, 4});
    auto y = tf::strided_slice(x, r.begin, r.end, r.strides, r.begin_mask, r.end_mask, r.ellipsis_mask,
                               r.new_axis_mask, r.shrink_axis_mask);
    REQUIRE(y.shape() == r.shape);
    const tf::Tensor got = run(f.g, y);
    REQUIRE(got.shape() == r.shape);
    const std::vector<float> v = values(got);
    REQUIRE(v.size() >= r.values.size());  // rows marked "(first values)" give a prefix
    REQUIRE(std::vector<float>(v.begin(), v.begin() + static_cast<int64_t>(r.values.size())) == r.values);
    if (std::string(r.python).starts_with("x[..., tf.newaxis]") ||
        std::string(r.python).starts_with("x[tf.newaxis]")) {
      REQUIRE(v == arange);
    }
  }
}

TEST_CASE("array: StridedSlice matches Python's slice rules on random ranges, every dtype") {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int64_t> index(-8, 8), stride(-3, 3), bit(0, 3);
  // Python's slice.indices(n) for one dim, written as the Python reference does it.
  const auto indices = [](int64_t n, std::optional<int64_t> start, std::optional<int64_t> stop,
                          int64_t step) {
    const int64_t lower = step < 0 ? -1 : 0, upper = step < 0 ? n - 1 : n;
    const auto fix = [&](std::optional<int64_t> v, int64_t fallback) {
      if (!v) return fallback;
      const int64_t x = *v < 0 ? std::max(*v + n, lower) : std::min(*v, upper);
      return x;
    };
    const int64_t s = fix(start, step < 0 ? upper : lower), e = fix(stop, step < 0 ? lower : upper);
    Ints out;
    for (int64_t i = s; step > 0 ? i < e : i > e; i += step) out.push_back(i);
    return out;
  };
  const tf::Shape shape{4, 5, 6};
  for (tf::DType dtype : kDTypes) {
    FreshGraph f;
    auto x = tf::placeholder(dtype, shape);
    const tf::Tensor xv = random_of(dtype, shape, rng);
    for (int trial = 0; trial < 40; ++trial) {
      Ints begin, end, strides;
      int begin_mask = 0, end_mask = 0;
      std::vector<Ints> picks;
      for (int d = 0; d < 3; ++d) {
        int64_t st = 0;
        while (st == 0) st = stride(rng);
        begin.push_back(index(rng));
        end.push_back(index(rng));
        strides.push_back(st);
        const bool bm = bit(rng) == 0, em = bit(rng) == 0;
        begin_mask |= bm << d;
        end_mask |= em << d;
        picks.push_back(indices(shape.dim(d), bm ? std::nullopt : std::optional(begin.back()),
                                em ? std::nullopt : std::optional(end.back()), st));
      }
      INFO("begin " << begin[0] << "," << begin[1] << "," << begin[2] << " end " << end[0] << "," << end[1]
                    << "," << end[2] << " strides " << strides[0] << "," << strides[1] << "," << strides[2]
                    << " masks " << begin_mask << "," << end_mask);
      auto y = tf::strided_slice(x, begin, end, strides, begin_mask, end_mask);
      const tf::Shape want{static_cast<int64_t>(picks[0].size()), static_cast<int64_t>(picks[1].size()),
                           static_cast<int64_t>(picks[2].size())};
      REQUIRE(y.shape() == want);
      check_each(run(f.g, y, {{x, xv}}), want, [&](const Ints& c) {
        return at(xv, ravel({picks[0][static_cast<size_t>(c[0])], picks[1][static_cast<size_t>(c[1])],
                             picks[2][static_cast<size_t>(c[2])]},
                            shape));
      });
    }
  }
}

TEST_CASE("array: Shape gives int32 or int64 dims, of fed shapes too") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {-1, 3, 0});
  auto s32 = tf::shape(x);
  auto s64 = tf::shape(x, tf::int64);
  REQUIRE(s32.dtype() == tf::int32);
  REQUIRE(s32.shape() == tf::Shape{3});
  const auto got = run(f.g, {s32, s64}, {{x, tf::Tensor(tf::float32, {5, 3, 0})}});
  REQUIRE(std::vector<int32_t>(got[0].data<int32_t>().begin(), got[0].data<int32_t>().end()) ==
          std::vector<int32_t>{5, 3, 0});
  REQUIRE(std::vector<int64_t>(got[1].data<int64_t>().begin(), got[1].data<int64_t>().end()) ==
          std::vector<int64_t>{5, 3, 0});
  REQUIRE(run(f.g, tf::shape(tf::constant(1.f))).shape() == tf::Shape{0});
}

TEST_CASE("array: shapes that depend on fed values are -1 when built and right when run") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {3, 4});
  std::mt19937 rng(10);
  const tf::Tensor xv = random_tensor({3, 4}, rng);
  auto g = tf::get_default_graph();
  auto shape = tf::placeholder(tf::int32, {2});
  auto dim = tf::placeholder(tf::int32, {});
  auto perm = tf::placeholder(tf::int64, {2});
  auto begin = tf::placeholder(tf::int32, {2});
  auto size = tf::placeholder(tf::int32, {2});
  auto multiples = tf::placeholder(tf::int32, {2});
  auto paddings = tf::placeholder(tf::int64, {2, 2});
  auto axis = tf::placeholder(tf::int32, {});
  auto reshaped = tf::reshape(x, shape);
  auto expanded = tf::create_op(g, "ExpandDims", "e", {x, dim}).output(0);
  auto transposed = tf::create_op(g, "Transpose", "t", {x, perm}).output(0);
  auto sliced = tf::create_op(g, "Slice", "s", {x, begin, size}).output(0);
  auto strided = tf::create_op(g, "StridedSlice", "ss", {x, begin, size, tf::constant(ints32({1, -1}))},
                               {{"end_mask", int64_t{2}}})
                     .output(0);
  auto tiled = tf::create_op(g, "Tile", "tile", {x, multiples}).output(0);
  auto padded = tf::create_op(g, "Pad", "pad", {x, paddings}).output(0);
  auto concat = tf::create_op(g, "ConcatV2", "c", {x, tiled, axis}, {{"N", int64_t{2}}}).output(0);
  auto split =
      tf::create_op(g, "SplitV", "sp", {x, tf::constant(ints32({1, -1})), axis}, {{"num_split", int64_t{2}}})
          .outputs();
  REQUIRE(reshaped.shape() == tf::Shape{-1, -1});
  REQUIRE(expanded.shape() == tf::Shape{-1, -1, -1});
  REQUIRE(transposed.shape() == tf::Shape{-1, -1});
  REQUIRE(sliced.shape() == tf::Shape{-1, -1});
  REQUIRE(tiled.shape() == tf::Shape{-1, -1});
  REQUIRE(concat.shape() == tf::Shape{-1, -1});
  REQUIRE(split[0].shape() == tf::Shape{-1, -1});
  const tf::FeedDict feeds = {{x, xv},
                              {shape, ints32({4, 3})},
                              {dim, ints32({1})},
                              {perm, tf::Tensor::from<int64_t>({2}, {1, 0})},
                              {begin, ints32({1, 3})},
                              {size, ints32({2, -1})},
                              {multiples, ints32({2, 1})},
                              {paddings, tf::Tensor::from<int64_t>({2, 2}, {0, 1, 2, 0})},
                              {axis, ints32({0})}};
  for (bool arena : {false, true}) {
    tf::Session sess(f.g, {.use_arena = arena});
    for (int repeat = 0; repeat < 2; ++repeat) {
      const auto got = sess.run(
          {reshaped, expanded, transposed, sliced, strided, tiled, padded, concat, split[0], split[1]},
          feeds);
      check_each(got[0], {4, 3}, [&](const Ints& c) { return at(xv, c[0] * 3 + c[1]); });
      check_each(got[1], {3, 1, 4}, [&](const Ints& c) { return at(xv, c[0] * 4 + c[2]); });
      check_each(got[2], {4, 3}, [&](const Ints& c) { return at(xv, c[1] * 4 + c[0]); });
      check_each(got[3], {2, 1}, [&](const Ints& c) { return at(xv, (c[0] + 1) * 4 + 3); });
      // x[1:2, 3::-1]: size's -1 is StridedSlice's end here, masked
      check_each(got[4], {1, 4}, [&](const Ints& c) { return at(xv, 4 + 3 - c[1]); });
      check_each(got[5], {6, 4}, [&](const Ints& c) { return at(xv, (c[0] % 3) * 4 + c[1]); });
      check_each(got[6], {4, 6},
                 [&](const Ints& c) { return c[0] >= 3 || c[1] < 2 ? 0.0 : at(xv, c[0] * 4 + c[1] - 2); });
      check_each(got[7], {9, 4}, [&](const Ints& c) { return at(xv, (c[0] % 3) * 4 + c[1]); });
      check_each(got[8], {1, 4}, [&](const Ints& c) { return at(xv, c[1]); });
      check_each(got[9], {2, 4}, [&](const Ints& c) { return at(xv, (c[0] + 1) * 4 + c[1]); });
    }
  }
}

TEST_CASE("array: bad shapes and values are ValueErrors naming the op when built") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2, 3});
  auto e = tf::placeholder(tf::float32, {0, 3});
  using tf::ValueError;
  REQUIRE_THROWS_MATCHES(
      tf::reshape(x, {4}), ValueError,
      Has("Cannot reshape a tensor with 6 elements to shape [4] (4 elements) for 'Reshape' "
          "(op: 'Reshape') with input shapes: [2,3], [1]."));
  REQUIRE_THROWS_MATCHES(tf::reshape(x, {-1, -1}), ValueError, Has("Only one input size may be -1"));
  REQUIRE_THROWS_MATCHES(tf::reshape(x, {4, -1}), ValueError, Has("evenly divisible by 4 but is 6"));
  REQUIRE_THROWS_MATCHES(tf::reshape(x, {-2, -3}), ValueError, Has("Size 0 must be non-negative, not -2"));
  REQUIRE_THROWS_MATCHES(tf::reshape(e, {-1, 0}), ValueError, Has("cannot infer the missing input size"));
  REQUIRE_THROWS_MATCHES(tf::reshape(x, {int64_t{1} << 40, int64_t{1} << 40, 8}), ValueError,
                         Has("overflows"));
  REQUIRE_THROWS_MATCHES(tf::squeeze(x, {1}), ValueError,
                         Has("Can not squeeze dim[1], expected a dimension of 1, got 3"));
  REQUIRE_THROWS_MATCHES(tf::squeeze(x, {2}), ValueError,
                         Has("Tried to squeeze dim index 2 for tensor with 2"));
  REQUIRE_THROWS_MATCHES(tf::squeeze(tf::placeholder(tf::float32, {-1, 3})), tf::UnimplementedError,
                         Has("name the axes to squeeze"));
  REQUIRE(tf::squeeze(tf::placeholder(tf::float32, {-1, 1}), {1}).shape() == tf::Shape{-1});
  REQUIRE_THROWS_MATCHES(tf::expand_dims(x, 3), ValueError,
                         Has("Tried to expand dim index 3 for tensor with 2"));
  REQUIRE_THROWS_MATCHES(tf::expand_dims(x, -4), ValueError, Has("Tried to expand dim index -4"));
  REQUIRE_THROWS_MATCHES(tf::transpose(x, {0, 0}), ValueError, Has("is not a permutation"));
  REQUIRE_THROWS_MATCHES(tf::transpose(x, {0, 2}), ValueError, Has("2 is out of range [0 .. 2)"));
  REQUIRE_THROWS_MATCHES(tf::transpose(x, {0, 1, 2}), ValueError, Has("Dimension must be 2 but is 3"));
  REQUIRE_THROWS_MATCHES(tf::concat({x, tf::placeholder(tf::float32, {3, 3})}, 1), ValueError,
                         Has("Dimension 0 in both shapes must be equal, but are 2 and 3"));
  REQUIRE_THROWS_MATCHES(tf::concat({x, x}, 2), ValueError,
                         Has("ConcatOp : Expected concatenating dimensions in the range [-2, 2), but got 2"));
  REQUIRE_THROWS_MATCHES(tf::concat({x, tf::placeholder(tf::float32, {2, 3, 1})}, 0), ValueError,
                         Has("Shape must be rank 2 but is rank 3"));
  REQUIRE_THROWS_MATCHES(tf::concat({x, tf::placeholder(tf::int32, {2, 3})}, 0), ValueError,
                         Has("one dtype"));
  REQUIRE_THROWS_MATCHES(tf::concat({tf::constant(1.f), tf::constant(2.f)}, 0), ValueError,
                         Has("Can't concatenate scalars"));
  REQUIRE_THROWS_MATCHES(tf::split(x, 2, 1), ValueError, Has("evenly divisible by 2 but is 3"));
  REQUIRE_THROWS_MATCHES(tf::split(x, 0, 1), ValueError, Has("must be at least minimum 1"));
  REQUIRE_THROWS_MATCHES(tf::split(x, int64_t{1} << 40, 1), ValueError, Has("num_split"));
  REQUIRE_THROWS_MATCHES(tf::split(x, 2, 5), ValueError, Has("Split axis 5 is out of range [-2, 2)"));
  REQUIRE_THROWS_MATCHES(tf::split(x, {-1, -1}, 1), ValueError,
                         Has("Only one dimensions can have a value of -1"));
  REQUIRE_THROWS_MATCHES(tf::split(x, {1, 1}, 1), ValueError, Has("Determined shape must either match"));
  REQUIRE_THROWS_MATCHES(tf::split(x, {2, 2, -1}, 1), ValueError, Has("Got: 4"));
  REQUIRE_THROWS_MATCHES(tf::split(x, {4, -2}, 1), ValueError, Has("Split size at index 1 must be >= 0"));
  REQUIRE_THROWS_MATCHES(tf::stack({x, tf::placeholder(tf::float32, {2, 4})}), ValueError,
                         Has("Dimension 1 in both shapes must be equal, but are 3 and 4"));
  REQUIRE_THROWS_MATCHES(tf::stack({x, x}, 3), ValueError, Has("axis = 3 not in [-3, 3)"));
  REQUIRE_THROWS_MATCHES(tf::stack({}), ValueError, Has("at least one value"));
  REQUIRE_THROWS_MATCHES(tf::unstack(tf::placeholder(tf::float32, {-1, 3})), ValueError,
                         Has("Cannot infer num from shape [?,3]"));
  REQUIRE_THROWS_MATCHES(tf::unstack(x, 2), ValueError, Has("axis = 2 not in [-2, 2)"));
  REQUIRE_THROWS_MATCHES(tf::tile(x, {1, -1}), ValueError, Has("multiples[1] = -1"));
  REQUIRE_THROWS_MATCHES(tf::tile(x, {1}), ValueError, Has("Dimension must be 2 but is 1"));
  REQUIRE_THROWS_MATCHES(tf::tile(x, {int64_t{1} << 62, 4}), ValueError, Has("overflows"));
  REQUIRE_THROWS_MATCHES(tf::tile(x, {int64_t{1} << 31, int64_t{1} << 31}), ValueError, Has("too large"));
  REQUIRE_THROWS_MATCHES(tf::pad(x, {{1, -1}, {0, 0}}), ValueError,
                         Has("Paddings must be non-negative: 1 -1"));
  REQUIRE_THROWS_MATCHES(tf::pad(x, {{0, 0}}), ValueError, Has("paddings must be a matrix [2,2]"));
  REQUIRE_THROWS_MATCHES(tf::pad(x, {{2, 0}, {0, 0}}, "REFLECT"), ValueError,
                         Has("paddings must be less than the dimension size: 2, 0 not less than 2"));
  REQUIRE_THROWS_MATCHES(tf::pad(x, {{3, 0}, {0, 0}}, "SYMMETRIC"), ValueError,
                         Has("paddings must be no greater than the dimension size: 3, 0 greater than 2"));
  REQUIRE_THROWS_MATCHES(tf::pad(x, {{0, 0}, {0, 0}}, "WRAP"), ValueError, Has("Unknown padding mode: WRAP"));
  REQUIRE_THROWS_MATCHES(tf::pad(tf::placeholder(tf::int32, {2}), {{1, 1}}, "CONSTANT", 0.5f), ValueError,
                         Has("is not an int32"));
  REQUIRE_THROWS_MATCHES(tf::slice(x, {0, 4}, {1, -1}), ValueError,
                         Has("Expected begin[1] in [0, 3], but got 4"));
  REQUIRE_THROWS_MATCHES(tf::slice(x, {1, 1}, {2, 1}), ValueError,
                         Has("Expected size[0] in [0, 1], but got 2"));
  REQUIRE_THROWS_MATCHES(tf::slice(x, {0}, {1}), ValueError, Has("1-D tensors of size 2"));
  REQUIRE_THROWS_MATCHES(tf::strided_slice(x, {2}, {3}, {1}, 0, 0, 0, 0, 1), ValueError,
                         Has("slice index 2 of dimension 0 out of bounds"));
  REQUIRE_THROWS_MATCHES(tf::strided_slice(x, {0}, {1}, {0}), ValueError, Has("strides[0] must be non-zero"));
  REQUIRE_THROWS_MATCHES(tf::strided_slice(x, {0, 0}, {1, 1}, {1, 1}, 0, 0, 3), ValueError,
                         Has("Multiple ellipses in slice spec not allowed"));
  REQUIRE_THROWS_MATCHES(tf::strided_slice(x, {0, 0, 0}, {1, 1, 1}, {1, 1, 1}), ValueError,
                         Has("Index out of range using input dim 2; input has only 2 dims"));
  REQUIRE_THROWS_MATCHES(tf::strided_slice(x, {0, 0}, {1, 1}, {1}), ValueError,
                         Has("Expected begin, end, and strides to be 1D equal size tensors"));
  REQUIRE_THROWS_MATCHES(tf::strided_slice(x, {0}, {1}, {-1}, 0, 0, 0, 0, 1), ValueError,
                         Has("only stride 1 allowed on non-range indexing"));
  REQUIRE_THROWS_MATCHES(tf::reshape(x, tf::placeholder(tf::int32, {-1})), tf::UnimplementedError,
                         Has("the length of shape is unknown"));
  REQUIRE_THROWS_MATCHES(tf::reshape(x, tf::placeholder(tf::float32, {2})), ValueError,
                         Has("int32 or int64"));
}

TEST_CASE("array: bad fed values are InvalidArgumentErrors naming the op when run, and never crash") {
  FreshGraph f;
  auto g = tf::get_default_graph();
  auto x = tf::placeholder(tf::float32, {2, 3});
  const tf::Tensor xv(tf::float32, {2, 3});
  auto shape = tf::placeholder(tf::int32, {2});
  auto i64 = tf::placeholder(tf::int64, {2});
  auto scalar = tf::placeholder(tf::int32, {});
  auto pads = tf::placeholder(tf::int32, {2, 2});
  auto u = tf::placeholder(tf::float32, {-1, 3});
  struct Bad {
    tf::Output y;
    tf::FeedDict feeds;
    const char* message;
  };
  const std::vector<Bad> cases = {
      {tf::reshape(x, shape, "r"),
       {{x, xv}, {shape, ints32({4, 2})}},
       "Cannot reshape a tensor with 6 elements to shape [4,2] (8 elements) for 'r' (op: 'Reshape')"},
      {tf::reshape(x, shape), {{x, xv}, {shape, ints32({-1, -1})}}, "Only one input size may be -1"},
      {tf::reshape(x, shape), {{x, xv}, {shape, ints32({-3, 2})}}, "Size 0 must be non-negative, not -3"},
      {tf::reshape(x, shape), {{x, xv}, {shape, ints32({4, -1})}}, "Cannot reshape a tensor with 6 elements"},
      {tf::create_op(g, "Tile", "t", {x, i64}).output(0),
       {{x, xv}, {i64, tf::Tensor::from<int64_t>({2}, {int64_t{1} << 62, 4})}},
       "overflows"},
      {tf::create_op(g, "Tile", "t", {x, shape}).output(0),
       {{x, xv}, {shape, ints32({1, -2})}},
       "multiples[1] = -2"},
      {tf::create_op(g, "ExpandDims", "e", {x, scalar}).output(0),
       {{x, xv}, {scalar, ints32({3})}},
       "Tried to expand dim index 3"},
      {tf::create_op(g, "Transpose", "p", {x, shape}).output(0),
       {{x, xv}, {shape, ints32({1, 1})}},
       "is not a permutation"},
      {tf::create_op(g, "Pad", "pad", {x, pads}).output(0),
       {{x, xv}, {pads, ints32({0, -1, 0, 0}, {2, 2})}},
       "Paddings must be non-negative"},
      {tf::create_op(g, "MirrorPad", "m", {x, pads}, {{"mode", std::string("REFLECT")}}).output(0),
       {{x, xv}, {pads, ints32({0, 0, 3, 0}, {2, 2})}},
       "paddings must be less than the dimension size"},
      {tf::create_op(g, "Slice", "s", {x, shape, tf::constant(ints32({1, 1}))}).output(0),
       {{x, xv}, {shape, ints32({2, 0})}},
       "Expected size[0] in [0, 0], but got 1"},
      {tf::create_op(g, "StridedSlice", "ss",
                     {x, shape, tf::constant(ints32({1, 1})), tf::constant(ints32({1, 1}))},
                     {{"shrink_axis_mask", int64_t{1}}})
           .output(0),
       {{x, xv}, {shape, ints32({-3, 0})}},
       "slice index -3 of dimension 0 out of bounds"},
      {tf::create_op(g, "ConcatV2", "c", {x, x, scalar}, {{"N", int64_t{2}}}).output(0),
       {{x, xv}, {scalar, ints32({-3})}},
       "Expected concatenating dimensions in the range [-2, 2), but got -3"},
      // Checked when the plan is made for the fed shapes:
      {tf::concat({x, u}, 1),
       {{x, xv}, {u, tf::Tensor(tf::float32, {3, 3})}},
       "Dimension 0 in both shapes must be equal"},
      // Shapes that only the run knows, checked by the kernel:
      {tf::concat({x, tf::reshape(x, shape)}, 1),
       {{x, xv}, {shape, ints32({3, 2})}},
       "ConcatOp : Dimensions of inputs should match: shape[0] = [2,3] vs. shape[1] = [3,2]"},
      {tf::stack({x, tf::reshape(x, shape)}),
       {{x, xv}, {shape, ints32({3, 2})}},
       "Shapes of all inputs must match"},
      {tf::split(u, 2, 0)[0], {{u, tf::Tensor(tf::float32, {3, 3})}}, "evenly divisible by 2 but is 3"},
      {tf::split(u, {1, -1}, 0)[0],
       {{u, tf::Tensor(tf::float32, {0, 3})}},
       "Determined shape must either match"},
      {tf::create_op(g, "Split", "sp", {scalar, x}, {{"num_split", int64_t{1}}}).output(0),
       {{x, xv}, {scalar, ints32({2})}},
       "Split axis 2 is out of range"},
      {tf::create_op(g, "Unpack", "u", {tf::reshape(x, shape)}, {{"num", int64_t{1}}}).output(0),
       {{x, xv}, {shape, ints32({3, 2})}},
       "must equal 1"},
  };
  for (const Bad& b : cases) {
    INFO(b.message);
    tf::Session sess(f.g);
    REQUIRE_THROWS_MATCHES(sess.run(b.y, b.feeds), tf::InvalidArgumentError, Has(b.message));
  }
}

TEST_CASE("array: builders name ops and their constants as TF's Python does") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2, 4}, "x");
  tf::reshape(x, {4, 2});
  tf::reshape(x, {8}, "flat");
  tf::squeeze(tf::expand_dims(x, 0));
  tf::transpose(x);
  tf::concat({x, x}, 0);
  tf::split(x, 2, 1);
  tf::split(x, {1, 3}, 1);
  tf::stack({x, x});
  tf::unstack(x);
  tf::pad(x, {{1, 1}, {0, 0}});
  tf::pad(x, {{1, 1}, {0, 0}}, "CONSTANT", 2.f);
  tf::pad(x, {{1, 1}, {0, 0}}, "Reflect");
  tf::slice(x, {0, 0}, {1, 1});
  tf::strided_slice(x, {0}, {1}, {1});
  tf::tile(x, {1, 2});
  tf::shape(x);
  tf::stop_gradient(x);
  tf::concat({x}, 0);
  const std::vector<std::string> want = {"x (Placeholder)",
                                         "Reshape/shape (Const)",
                                         "Reshape (Reshape)",
                                         "flat/shape (Const)",
                                         "flat (Reshape)",
                                         "ExpandDims/dim (Const)",
                                         "ExpandDims (ExpandDims)",
                                         "Squeeze (Squeeze)",
                                         "transpose/perm (Const)",
                                         "transpose (Transpose)",
                                         "concat/axis (Const)",
                                         "concat (ConcatV2)",
                                         "split/split_dim (Const)",
                                         "split (Split)",
                                         "Const (Const)",
                                         "split_1/split_dim (Const)",
                                         "split_1 (SplitV)",
                                         "stack (Pack)",
                                         "unstack (Unpack)",
                                         "Pad/paddings (Const)",
                                         "Pad (Pad)",
                                         "PadV2/paddings (Const)",
                                         "PadV2/constant_values (Const)",
                                         "PadV2 (PadV2)",
                                         "MirrorPad/paddings (Const)",
                                         "MirrorPad (MirrorPad)",
                                         "Slice/begin (Const)",
                                         "Slice/size (Const)",
                                         "Slice (Slice)",
                                         "StridedSlice/begin (Const)",
                                         "StridedSlice/end (Const)",
                                         "StridedSlice/strides (Const)",
                                         "StridedSlice (StridedSlice)",
                                         "Tile/multiples (Const)",
                                         "Tile (Tile)",
                                         "Shape (Shape)",
                                         "StopGradient (StopGradient)",
                                         "concat_1/concat_dim (Const)",
                                         "concat_1 (Identity)"};
  REQUIRE(op_names_and_types(f.g) == want);
  const tf::Operation perm = f.g.get_operation_by_name("transpose/perm");
  const tf::Tensor& p = perm.attr<tf::Tensor>("value");
  REQUIRE(p.dtype() == tf::int32);
  REQUIRE(std::vector<int32_t>(p.data<int32_t>().begin(), p.data<int32_t>().end()) ==
          std::vector<int32_t>{1, 0});
  REQUIRE(f.g.get_operation_by_name("MirrorPad").attr<std::string>("mode") == "REFLECT");
  REQUIRE(f.g.get_operation_by_name("Squeeze").attr<std::vector<int64_t>>("squeeze_dims").empty());
}
