// Comparisons (Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual),
// Cast and BatchMatMulV2 against naive references: broadcast, 0-size and
// 1-size dims, every dtype each allows; TF's errors and names.
#include <functional>
#include <limits>

#include <minitf/ops/op_def.h>

#include "reference.h"

namespace {

tf::Tensor random_values(tf::DType dtype, const tf::Shape& shape, std::mt19937& rng) {
  tf::Tensor t(dtype, shape);
  std::uniform_int_distribution<int> small(-2, 2);  // many equal pairs
  tf::with_dtype(dtype, [&](auto zero) {
    using T = decltype(zero);
    for (auto&& v : t.data<T>()) v = static_cast<T>(std::is_same_v<T, bool> ? small(rng) > 0 : small(rng));
  });
  return t;
}

double element(const tf::Tensor& t, int64_t i) {
  return tf::with_dtype(t.dtype(), [&](auto zero) { return double(t.data<decltype(zero)>()[i]); });
}

}  // namespace

TEST_CASE("comparisons broadcast like NumPy and match references for every dtype") {
  struct Op {
    const char* type;
    std::function<tf::Output(tf::Output, tf::Output)> build;
    std::function<bool(double, double)> ref;
    bool bools;
  };
  const std::vector<Op> ops = {
      {"Equal", [](auto a, auto b) { return tf::equal(a, b); }, std::equal_to<double>(), true},
      {"NotEqual", [](auto a, auto b) { return tf::not_equal(a, b); }, std::not_equal_to<double>(), true},
      {"Less", [](auto a, auto b) { return tf::less(a, b); }, std::less<double>(), false},
      {"LessEqual", [](auto a, auto b) { return tf::less_equal(a, b); }, std::less_equal<double>(), false},
      {"Greater", [](auto a, auto b) { return tf::greater(a, b); }, std::greater<double>(), false},
      {"GreaterEqual", [](auto a, auto b) { return tf::greater_equal(a, b); }, std::greater_equal<double>(),
       false},
  };
  const std::vector<std::pair<tf::Shape, tf::Shape>> shapes = {
      {{}, {}},         {{7, 5}, {7, 5}},    {{7, 5}, {}},         {{}, {7, 5}}, {{4, 1, 3}, {5, 1}},
      {{0, 3}, {1, 3}}, {{2, 1, 4}, {3, 1}}, {{3, 40000}, {40000}}};
  std::mt19937 rng(41);
  for (const Op& op : ops) {
    for (tf::DType dtype : {tf::float32, tf::int32, tf::int64, tf::bool_}) {
      if (dtype == tf::bool_ && !op.bools) continue;
      for (const auto& [as, bs] : shapes) {
        INFO(op.type << " " << tf::dtype_name(dtype) << " " << as.to_string() << ", " << bs.to_string());
        FreshGraph f;
        auto a = tf::placeholder(dtype, as);
        auto b = tf::placeholder(dtype, bs);
        auto y = op.build(a, b);
        REQUIRE(y.op().type() == op.type);
        REQUIRE(y.dtype() == tf::bool_);
        tf::Tensor av = random_values(dtype, as, rng), bv = random_values(dtype, bs, rng);
        if (dtype == tf::float32 && av.num_elements() > 2) av.data<float>()[1] = NAN;
        for (int threads : {1, 2}) {
          tf::Session sess(f.g, {.num_threads = threads});
          const auto got = sess.run(y, {{a, av}, {b, bv}});
          const tf::Shape out = tf::broadcast_shapes(as, bs, "test");
          REQUIRE(got.shape() == out);
          int64_t bad = 0;
          for (int64_t i = 0; i < got.num_elements(); ++i) {
            const bool want =
                op.ref(element(av, source_index(as, out, i)), element(bv, source_index(bs, out, i)));
            bad += got.data<bool>()[i] != want;
          }
          CHECK(bad == 0);
        }
      }
    }
  }
}

TEST_CASE(
    "Equal and NotEqual without incompatible_shape_error give a scalar for shapes that do not broadcast") {
  FreshGraph f;
  auto a = tf::placeholder(tf::int32, {2, 3}, "a");
  auto b = tf::placeholder(tf::int32, {4}, "b");
  REQUIRE_THROWS_MATCHES(tf::equal(a, b), tf::ValueError,
                         Has("Dimensions must be equal, but are 3 and 4 for 'Equal' (op: 'Equal')"));
  auto eq = tf::create_op(f.g, "Equal", "eq", {a, b}, {{"incompatible_shape_error", false}}).output(0);
  auto ne = tf::create_op(f.g, "NotEqual", "ne", {a, b}, {{"incompatible_shape_error", false}}).output(0);
  CHECK(eq.shape() == tf::Shape{});
  tf::Session sess;
  const auto got = sess.run({eq, ne}, {{a, tf::Tensor(tf::int32, {2, 3})}, {b, tf::Tensor(tf::int32, {4})}});
  CHECK(got[0].shape() == tf::Shape{});
  CHECK(got[0].data<bool>()[0] == false);
  CHECK(got[1].data<bool>()[0] == true);
  REQUIRE_THROWS_MATCHES(tf::less(a, tf::placeholder(tf::float32, {3})), tf::ValueError,
                         Has("(op: 'Less') needs inputs of one dtype, got int32 and float32"));
  REQUIRE_THROWS_MATCHES(
      tf::less(tf::placeholder(tf::bool_, {}), tf::placeholder(tf::bool_, {})), tf::ValueError,
      Has("(op: 'Less') computes in float32 or int32 or int64, got an input 'x' of dtype bool"));
}

TEST_CASE("Cast converts between every pair of dtypes, with defined results where C++ has none") {
  const std::vector<float> floats = {
      0.f, -0.f,     1.f,       -1.f,         2.7f,          -2.7f,        0.5f,    -0.5f,    1e10f, -1e10f,
      NAN, INFINITY, -INFINITY, 2147483520.f, -2147483648.f, 2147483648.f, 9.3e18f, -9.3e18f, 3.f,   1e-30f};
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {static_cast<int64_t>(floats.size())}, "x");
  auto i32 = tf::cast(x, tf::int32);
  auto i64 = tf::cast(x, tf::int64);
  auto b = tf::cast(x, tf::bool_);
  REQUIRE(i32.op().type() == "Cast");
  CHECK(i32.op().attr<tf::DType>("SrcT") == tf::float32);
  CHECK(i32.op().attr<tf::DType>("DstT") == tf::int32);
  CHECK(i32.op().attr<bool>("Truncate") == false);
  CHECK(tf::cast(x, tf::float32) == x);  // tf.cast to the same dtype adds nothing
  // and back, through every pair
  auto i32_f = tf::cast(i32, tf::float32), i32_i64 = tf::cast(i32, tf::int64),
       i32_b = tf::cast(i32, tf::bool_);
  auto i64_i32 = tf::cast(i64, tf::int32), i64_f = tf::cast(i64, tf::float32),
       i64_b = tf::cast(i64, tf::bool_);
  auto b_f = tf::cast(b, tf::float32), b_i32 = tf::cast(b, tf::int32), b_i64 = tf::cast(b, tf::int64);
  tf::Session sess;
  const auto got = sess.run({i32, i64, b, i32_f, i32_i64, i32_b, i64_i32, i64_f, i64_b, b_f, b_i32, b_i64},
                            {{x, tf::Tensor::from<float>(x.shape(), floats)}});
  const auto sat = [](float v, double lo, double hi) {
    if (std::isnan(v)) return 0.0;
    return v < lo ? lo : v >= hi ? hi : std::trunc(double(v));
  };
  constexpr double i32lo = -2147483648.0, i32hi = 2147483647.0;
  constexpr double i64lo = -9223372036854775808.0;
  for (size_t i = 0; i < floats.size(); ++i) {
    INFO("x = " << floats[i]);
    const int32_t want32 = static_cast<int32_t>(sat(floats[i], i32lo, i32hi));
    const int64_t want64 = floats[i] >= 9.2233720e18f ? std::numeric_limits<int64_t>::max()
                                                      : static_cast<int64_t>(sat(floats[i], i64lo, 9.2e18));
    CHECK(got[0].data<int32_t>()[i] == want32);
    CHECK(got[1].data<int64_t>()[i] == want64);
    CHECK(got[2].data<bool>()[i] == (floats[i] != 0.f));
    CHECK(got[3].data<float>()[i] == static_cast<float>(want32));
    CHECK(got[4].data<int64_t>()[i] == want32);
    CHECK(got[5].data<bool>()[i] == (want32 != 0));
    CHECK(got[6].data<int32_t>()[i] == static_cast<int32_t>(want64));  // modular, as static_cast
    CHECK(got[7].data<float>()[i] == static_cast<float>(want64));
    CHECK(got[8].data<bool>()[i] == (want64 != 0));
    CHECK(got[9].data<float>()[i] == (floats[i] != 0.f ? 1.f : 0.f));
    CHECK(got[10].data<int32_t>()[i] == (floats[i] != 0.f ? 1 : 0));
    CHECK(got[11].data<int64_t>()[i] == (floats[i] != 0.f ? 1 : 0));
  }
  REQUIRE_THROWS_MATCHES(tf::create_op(f.g, "Cast", "c", {x}, {{"SrcT", tf::int32}, {"DstT", tf::float32}}),
                         tf::ValueError,
                         Has("Op 'c' (op: 'Cast') has SrcT int32 but an input of dtype float32"));
}

TEST_CASE("BatchMatMulV2 broadcasts batch dimensions and matches a double reference") {
  struct Case {
    tf::Shape a, b;
    bool adj_x, adj_y;
  };
  const std::vector<Case> cases = {
      {{2, 3, 4}, {2, 4, 5}, false, false},   {{2, 4, 3}, {2, 4, 5}, true, false},
      {{2, 3, 4}, {2, 5, 4}, false, true},    {{2, 4, 3}, {1, 5, 4}, true, true},
      {{3, 4}, {2, 4, 5}, false, false},      {{2, 1, 3, 4}, {5, 4, 6}, false, false},
      {{1, 3, 4}, {7, 4, 2}, false, false},   {{0, 3, 4}, {1, 4, 5}, false, false},
      {{2, 3, 0}, {2, 0, 5}, false, false},   {{2, 1, 1}, {2, 1, 1}, false, true},
      {{4, 17, 33}, {4, 17, 9}, true, false},
  };
  std::mt19937 rng(43);
  for (const Case& c : cases) {
    INFO(c.a.to_string() << " x " << c.b.to_string() << " adj " << c.adj_x << c.adj_y);
    FreshGraph f;
    auto a = tf::placeholder(tf::float32, c.a);
    auto b = tf::placeholder(tf::float32, c.b);
    auto y = tf::matmul(a, b, c.adj_x, c.adj_y);
    REQUIRE(y.op().type() == "BatchMatMulV2");
    REQUIRE(y.op().name() == "MatMul");
    const auto av = random_tensor(c.a, rng), bv = random_tensor(c.b, rng);
    const int ra = c.a.rank(), rb = c.b.rank();
    const int64_t m = c.a.dim(c.adj_x ? ra - 1 : ra - 2), k = c.a.dim(c.adj_x ? ra - 2 : ra - 1);
    const int64_t n = c.b.dim(c.adj_y ? rb - 2 : rb - 1);
    const tf::Shape batch_a(std::vector<int64_t>(c.a.dims().begin(), c.a.dims().end() - 2));
    const tf::Shape batch_b(std::vector<int64_t>(c.b.dims().begin(), c.b.dims().end() - 2));
    const tf::Shape batch = tf::broadcast_shapes(batch_a, batch_b, "test");
    std::vector<int64_t> out_dims = batch.dims();
    out_dims.push_back(m);
    out_dims.push_back(n);
    REQUIRE(y.shape() == tf::Shape(out_dims));
    std::vector<RefValue> want;
    for (int64_t p = 0; p < std::max<int64_t>(batch.num_elements(), 0); ++p) {
      const int64_t pa = source_index(batch_a, batch, p), pb = source_index(batch_b, batch, p);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          RefValue r;
          for (int64_t q = 0; q < k; ++q) {
            const double x = av.data<float>()[pa * m * k + (c.adj_x ? q * m + i : i * k + q)];
            const double w = bv.data<float>()[pb * k * n + (c.adj_y ? j * k + q : q * n + j)];
            r.value += x * w;
            r.magnitude += std::fabs(x * w);
          }
          want.push_back(r);
        }
    }
    for (int threads : {1, 2}) {
      tf::Session sess(f.g, {.num_threads = threads});
      const auto got = sess.run(y, {{a, av}, {b, bv}});
      REQUIRE(got.shape() == tf::Shape(out_dims));
      check_close(got, want);
    }
  }
  FreshGraph f;
  auto a = tf::placeholder(tf::float32, {2, 3, 4}, "a");
  CHECK(tf::matmul(tf::placeholder(tf::float32, {3, 4}), tf::placeholder(tf::float32, {4, 2})).op().type() ==
        "MatMul");
  REQUIRE_THROWS_MATCHES(
      tf::matmul(a, tf::placeholder(tf::float32, {2, 5, 6})), tf::ValueError,
      Has("Dimensions must be equal, but are 4 and 5 for 'MatMul_1' (op: 'BatchMatMulV2') with "
          "input shapes: [2,3,4], [2,5,6]."));
  REQUIRE_THROWS_MATCHES(
      tf::matmul(a, tf::placeholder(tf::float32, {3, 4, 6})), tf::ValueError,
      Has("Batch dimensions [2] and [3] do not broadcast for 'MatMul_2' (op: 'BatchMatMulV2')"));
  REQUIRE_THROWS_MATCHES(tf::matmul(a, tf::placeholder(tf::float32, {4})), tf::ValueError,
                         Has("Shape must be at least rank 2 but is rank 1 for 'y' of 'MatMul_3' (op: "
                             "'BatchMatMulV2')"));
}

TEST_CASE("comparison operators and builders are named as TF names them") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2}, "x");
  auto n = tf::placeholder(tf::int32, {2}, "n");
  const std::vector<std::pair<tf::Output, std::string>> table = {
      {x < x, "Less"},
      {x > x, "Greater"},
      {x <= x, "LessEqual"},
      {x >= x, "GreaterEqual"},
      {x < 1.f, "Less_1"},
      {x > 2.f, "Greater_1"},
      {0.5f < x, "Greater_2"},
      {0.5f > x, "Less_2"},
      {x <= 1.f, "LessEqual_1"},
      {1.f >= x, "LessEqual_2"},
      {n < 3.f, "Less_3"},
      {tf::equal(x, x), "Equal"},
      {tf::not_equal(x, x), "NotEqual"},
      {tf::less(x, x), "Less_4"},
      {tf::greater(x, x, "g"), "g"},
      {tf::cast(x, tf::int32), "Cast"},
  };
  for (const auto& [out, name] : table) CHECK(out.op().name() == name);
  CHECK(table[4].first.op().inputs()[1].op().name() == "Less_1/y");
  CHECK(table[6].first.op().inputs()[1].op().name() ==
        "Greater_2/y");  // 0.5 < x is x > 0.5, as Python reflects it
  CHECK(table[6].first.op().inputs()[0] == x);
  CHECK(table[10].first.op().inputs()[1].dtype() == tf::int32);  // the float became the tensor's dtype
  REQUIRE_THROWS_MATCHES(n < 2.5f, tf::ValueError, Has("2.500000 is not an int32 value"));
  tf::Session sess;
  const auto got =
      sess.run({table[4].first, table[6].first, table[10].first},
               {{x, tf::Tensor::from<float>({2}, {0.f, 1.f})}, {n, tf::Tensor::from<int32_t>({2}, {2, 3})}});
  CHECK(got[0].data<bool>()[0] == true);
  CHECK(got[0].data<bool>()[1] == false);
  CHECK(got[1].data<bool>()[0] == false);
  CHECK(got[1].data<bool>()[1] == true);
  CHECK(got[2].data<bool>()[0] == true);
  CHECK(got[2].data<bool>()[1] == false);
}

TEST_CASE("MatMul + BiasAdd + Relu fused equals the unfused ops") {
  std::mt19937 rng(47);
  struct Case {
    tf::Shape x, w;
    bool ta, tb;
  };
  for (const Case& c : std::vector<Case>{{{5, 12}, {12, 7}, false, false},
                                         {{12, 5}, {7, 12}, true, true},
                                         {{3, 0}, {0, 4}, false, false},
                                         {{0, 6}, {6, 3}, false, false}}) {
    INFO(c.x.to_string() << " x " << c.w.to_string());
    FreshGraph f;
    auto x = tf::placeholder(tf::float32, c.x, "x");
    auto w = tf::placeholder(tf::float32, c.w, "w");
    const int64_t n = c.w.dim(c.tb ? 0 : 1);
    auto b = tf::placeholder(tf::float32, {n}, "b");
    auto mm = tf::matmul(x, w, c.ta, c.tb);
    const std::vector<tf::Output> fetches = {
        tf::relu(tf::bias_add(mm, b)), tf::relu(tf::matmul(x, w, c.ta, c.tb) + b),
        tf::matmul(x, w, c.ta, c.tb) + b, tf::relu(tf::matmul(x, w, c.ta, c.tb))};
    // The internal op itself, as the planner builds it.
    auto direct = tf::create_op(f.g, "_FusedMatMul", "direct", {x, w, b},
                                {{"transpose_a", c.ta},
                                 {"transpose_b", c.tb},
                                 {"fused_ops", std::vector<std::string>{"BiasAdd", "Relu"}},
                                 {"num_args", int64_t{1}}})
                      .output(0);
    auto xv = random_tensor(c.x, rng), wv = random_tensor(c.w, rng), bv = random_tensor({n}, rng);
    if (xv.num_elements() > 3) xv.data<float>()[3] = NAN;  // NaN stays NaN through Relu either way
    const tf::FeedDict feeds{{x, xv}, {w, wv}, {b, bv}};
    std::vector<tf::Output> all = fetches;
    all.push_back(direct);
    for (int threads : {1, 2}) {
      tf::Session plain(f.g, {.num_threads = threads, .fuse_conv = false});
      tf::Session fused(f.g, {.num_threads = threads, .fuse_conv = true});
      const auto want = plain.run(all, feeds);
      const auto got = fused.run(fetches, feeds);
      for (size_t i = 0; i < all.size(); ++i) {
        const tf::Tensor& g = i < got.size() ? got[i] : want[i];
        const tf::Tensor& ref = i < got.size() ? want[i] : want[0];
        REQUIRE(g.shape() == ref.shape());
        int64_t bad = 0;
        for (int64_t k = 0; k < g.num_elements(); ++k) {
          const float u = g.data<float>()[k], v = ref.data<float>()[k];
          bad += std::isnan(v) ? !std::isnan(u) : std::fabs(u - v) > 1e-5f * (1.f + std::fabs(v));
        }
        INFO("fetch " << i);
        CHECK(bad == 0);
      }
    }
  }
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2, 3}, "x");
  auto w = tf::placeholder(tf::float32, {3, 4}, "w");
  REQUIRE_THROWS_MATCHES(
      tf::create_op(f.g, "_FusedMatMul", "bad", {x, w, tf::placeholder(tf::float32, {5})},
                    {{"fused_ops", std::vector<std::string>{"BiasAdd"}}, {"num_args", int64_t{1}}}),
      tf::ValueError, Has("Dimensions must be equal, but are 4 and 5 for 'bad' (op: '_FusedMatMul')"));
  REQUIRE_THROWS_MATCHES(
      tf::create_op(f.g, "_FusedMatMul", "elu", {x, w}, {{"fused_ops", std::vector<std::string>{"Elu"}}}),
      tf::UnimplementedError, Has("fused_ops starting at \"Elu\" are not implemented"));
}
