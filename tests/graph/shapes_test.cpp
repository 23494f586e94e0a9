// Shapes, tensors, broadcasting and the shape functions of every op.
#include <limits>

#include "test_util.h"

TEST_CASE("Shape basics") {
  tf::Shape s{5, 5, 32, 32};
  CHECK(s.rank() == 4);
  CHECK(s.dims() == std::vector<int64_t>{5, 5, 32, 32});
  CHECK(s.num_elements() == 25600);
  CHECK(s.to_string() == "[5,5,32,32]");
  CHECK(tf::Shape{}.to_string() == "[]");
  CHECK(tf::Shape{}.num_elements() == 1);
  CHECK(tf::Shape{-1, 3}.to_string() == "[?,3]");
  CHECK(tf::Shape{-1, 3}.num_elements() == -1);
  CHECK(tf::Shape{-1, 3}.compatible_with(tf::Shape{7, 3}));
  CHECK_FALSE(tf::Shape{2, 3}.compatible_with(tf::Shape{3, 2}));
}

TEST_CASE("Tensor owns an aligned, zeroed buffer and checks its use") {
  tf::Tensor t(tf::float32, {2, 3});
  CHECK(reinterpret_cast<uintptr_t>(t.raw()) % 64 == 0);
  for (float v : t.data<float>()) CHECK(v == 0.f);
  auto u = tf::Tensor::from<float>({2, 2}, {1, 2, 3, 4});
  CHECK(u.data<float>()[3] == 4.f);
  CHECK(tf::Tensor::from<float>({}, {2.5f}).scalar<float>() == 2.5f);
  REQUIRE_THROWS_MATCHES(tf::Tensor::from<float>({2, 2}, {1, 2, 3}), tf::InvalidArgumentError,
                         Has("needs 4 values, got 3"));
  REQUIRE_THROWS_MATCHES(u.data<int32_t>(), tf::InvalidArgumentError, Has("read as int32"));
  REQUIRE_THROWS_MATCHES(u.scalar<float>(), tf::InvalidArgumentError, Has("[2,2]"));
  REQUIRE_THROWS_AS(tf::Tensor(tf::float32, {-1, 2}), tf::InvalidArgumentError);
  REQUIRE_THROWS_AS(tf::Tensor(tf::float32, {1 << 30, 1 << 30}), tf::InvalidArgumentError);
  auto c = u.clone();
  c.data<float>()[0] = 9;
  CHECK(u.data<float>()[0] == 1.f);
}

TEST_CASE("broadcasting follows NumPy") {
  struct Case {
    tf::Shape a, b, want;
  };
  const std::vector<Case> table = {
      {{2, 3}, {3}, {2, 3}},
      {{3}, {2, 3}, {2, 3}},
      {{1, 4, 1}, {5, 1, 6}, {5, 4, 6}},
      {{}, {7}, {7}},
      {{8, 1, 6, 1}, {7, 1, 5}, {8, 7, 6, 5}},
      {{-1, 32}, {32}, {-1, 32}},
      {{-1, 1}, {1, 5}, {-1, 5}},
      {{-1}, {4}, {4}},
  };
  for (const auto& c : table) {
    INFO(c.a.to_string() << " + " << c.b.to_string());
    CHECK(tf::broadcast_shapes(c.a, c.b, "test") == c.want);
  }
  REQUIRE_THROWS_MATCHES(
      tf::broadcast_shapes({2}, {3}, "'add'"), tf::ValueError,
      Has("Dimensions must be equal, but are 2 and 3 for 'add' with input shapes: [2], [3]."));
}

TEST_CASE("Conv2D output shapes follow TF for SAME and VALID") {
  FreshGraph f;
  // naive TF formulas: SAME ceil(in / s), VALID ceil((in - k + 1) / s)
  for (int64_t in : {1, 5, 7, 8, 13, 32}) {
    for (int64_t k : {1, 3, 4, 5}) {
      for (int64_t s : {1, 2, 3}) {
        auto x = tf::placeholder(tf::float32, {2, in, in + 2, 3});
        auto w = tf::zeros({k, k, 3, 4});
        auto same = tf::conv2d(x, w, {1, s, s, 1}, "SAME");
        INFO("in=" << in << " k=" << k << " s=" << s);
        CHECK(same.shape() == tf::Shape{2, (in + s - 1) / s, (in + 2 + s - 1) / s, 4});
        if (in >= k) {
          auto valid = tf::conv2d(x, w, {1, s, s, 1}, tf::Padding::Valid);
          CHECK(valid.shape() == tf::Shape{2, (in - k + s) / s, (in + 2 - k + s) / s, 4});
        } else {
          REQUIRE_THROWS_MATCHES(tf::conv2d(x, w, {1, s, s, 1}, "VALID"), tf::ValueError,
                                 Has("Negative dimension size caused by subtracting"));
        }
      }
    }
  }
}

TEST_CASE("SAME padding puts the odd cell after, as TF") {
  auto d = tf::conv_dim(5, 4, 1, tf::Padding::Same, "t");
  CHECK(d.out == 5);
  CHECK(d.pad_before == 1);
  CHECK(d.pad_after == 2);
  d = tf::conv_dim(7, 3, 2, tf::Padding::Same, "t");
  CHECK(d.out == 4);
  CHECK(d.pad_before == 1);
  CHECK(d.pad_after == 1);
  d = tf::conv_dim(8, 3, 2, tf::Padding::Same, "t");
  CHECK(d.pad_before == 0);
  CHECK(d.pad_after == 1);
  CHECK(tf::conv_dim(-1, 3, 2, tf::Padding::Same, "t").out == -1);
}

TEST_CASE("conv output sizes never overflow, whatever the stride and filter") {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  // TF: ceil(8 / INT64_MAX) = 1, one window at 0 that needs no padding beyond the filter.
  auto d = tf::conv_dim(8, 3, kMax, tf::Padding::Same, "t");
  CHECK(d.out == 1);
  CHECK(d.pad_before == 0);
  CHECK(d.pad_after == 0);
  d = tf::conv_dim(kMax, 3, kMax, tf::Padding::Same, "t");
  CHECK(d.out == 1);
  d = tf::conv_dim(kMax, kMax, 1, tf::Padding::Same, "t");
  CHECK(d.out == kMax);
  CHECK(d.pad_before == (kMax - 1) / 2);
  CHECK(d.pad_after == (kMax - 1) - (kMax - 1) / 2);
  d = tf::conv_dim(8, kMax, 2, tf::Padding::Same, "t");
  CHECK(d.out == 4);
  CHECK(d.pad_before + d.pad_after == kMax - 2);
  CHECK(tf::conv_dim(kMax, 2, kMax, tf::Padding::Valid, "t").out == 1);
  CHECK(tf::conv_dim(kMax, kMax, kMax, tf::Padding::Valid, "t").out == 1);
  REQUIRE_THROWS_MATCHES(tf::conv_dim(8, kMax, 1, tf::Padding::Valid, "t"), tf::ValueError,
                         Has("Negative dimension size caused by subtracting 9223372036854775807 from 8"));
  // The same through the builder: shapes inferred, no UB (UBSan aborts the asan preset on overflow).
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 8, 8, 1}, "x");
  auto w = tf::placeholder(tf::float32, {3, 3, 1, 1}, "w");
  CHECK(tf::conv2d(x, w, {1, kMax, kMax, 1}, "SAME").shape() == tf::Shape{1, 1, 1, 1});
}

TEST_CASE("shape errors name the op and both shapes") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 8, 8, 3}, "image");
  {
    tf::name_scope s("net");
    REQUIRE_THROWS_MATCHES(tf::conv2d(x, tf::zeros({3, 3, 4, 8}), {1, 1, 1, 1}, "SAME"), tf::ValueError,
                           Has("Dimensions must be equal, but are 3 and 4 for 'net/Conv2D' (op: 'Conv2D') "
                               "with input shapes: [1,8,8,3], [3,3,4,8]."));
    REQUIRE_THROWS_MATCHES(tf::add(tf::zeros({2}), tf::zeros({3})), tf::ValueError,
                           Has("for 'net/Add' (op: 'Add') with input shapes: [2], [3]."));
    // "add" collides with "Add" above: TF compares names case-insensitively
    REQUIRE_THROWS_MATCHES(tf::zeros({2}) + tf::zeros({3}), tf::ValueError, Has("'net/add_1' (op: 'AddV2')"));
    REQUIRE_THROWS_MATCHES(tf::bias_add(x, tf::zeros({4})), tf::ValueError,
                           Has("but are 3 and 4 for 'net/BiasAdd'"));
    REQUIRE_THROWS_MATCHES(tf::bias_add(tf::zeros({3}), tf::zeros({3})), tf::ValueError,
                           Has("at least rank 2"));
  }
  REQUIRE_THROWS_MATCHES(tf::conv2d(tf::zeros({8, 8, 3}), tf::zeros({3, 3, 3, 8}), {1, 1, 1, 1}, "SAME"),
                         tf::ValueError, Has("Shape must be rank 4 but is rank 3 for input"));
  REQUIRE_THROWS_MATCHES(tf::conv2d(x, tf::zeros({3, 3, 3, 8}), {1, 1, 1}, "SAME"), tf::ValueError,
                         Has("requires 4 strides"));
  REQUIRE_THROWS_MATCHES(tf::conv2d(x, tf::zeros({3, 3, 3, 8}), {2, 1, 1, 1}, "SAME"), tf::ValueError,
                         Has("batch and depth"));
  REQUIRE_THROWS_MATCHES(tf::conv2d(x, tf::zeros({3, 3, 3, 8}), {1, 0, 1, 1}, "SAME"), tf::ValueError,
                         Has("Strides must be positive"));
  REQUIRE_THROWS_MATCHES(tf::conv2d(x, tf::zeros({3, 3, 3, 8}), {1, 1, 1, 1}, "same"), tf::ValueError,
                         Has("Padding must be \"SAME\" or \"VALID\""));
  REQUIRE_THROWS_MATCHES(tf::relu(tf::constant(int32_t{3})), tf::ValueError, Has("computes in float32"));
  REQUIRE_THROWS_MATCHES(tf::random_uniform({2}, 1.f, 1.f), tf::ValueError, Has("minval < maxval"));
  REQUIRE_THROWS_MATCHES(tf::zeros({-1, 2}), tf::ValueError, Has("fully defined shape"));
}

TEST_CASE("builders give TF's default names and types") {
  FreshGraph f;
  auto p = tf::placeholder(tf::float32, {1, 4, 4, 2});
  auto w = tf::random_normal({3, 3, 2, 2});
  auto c = tf::conv2d(p, w, {1, 1, 1, 1}, "SAME");
  auto b = tf::bias_add(c, tf::zeros({2}));
  auto s = tf::add(b, tf::ones({2}));
  auto r = tf::relu(s + 1.0f);
  auto u = tf::random_uniform({2});
  auto t = tf::truncated_normal({2});
  auto k = tf::constant(3.f);
  auto n = tf::no_op();
  const std::vector<std::string> want = {"Placeholder (Placeholder)",
                                         "random_normal (RandomStandardNormal)",
                                         "Conv2D (Conv2D)",
                                         "zeros (Fill)",
                                         "BiasAdd (BiasAdd)",
                                         "ones (Fill)",
                                         "Add (Add)",
                                         "add_1/y (Const)",  // "Add" took "add": names are case-insensitive
                                         "add_1 (AddV2)",
                                         "Relu (Relu)",
                                         "random_uniform (RandomUniform)",
                                         "truncated_normal (TruncatedNormal)",
                                         "Const (Const)",
                                         "NoOp (NoOp)"};
  CHECK(op_names_and_types(f.g) == want);
  CHECK(r.shape() == tf::Shape{1, 4, 4, 2});
  CHECK(n.num_outputs() == 0);
  CHECK(k.op().attr<tf::Tensor>("value").scalar<float>() == 3.f);
}
