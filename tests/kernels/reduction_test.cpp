// Reductions (Sum, Mean, Max, Min, Prod) and ArgMax/ArgMin against naive
// double-precision loops on random data: 0-size, 1-size and odd dims, axis
// sets with negative axes, keep_dims both ways, every dtype, constant and fed
// axes; TF's errors by type and message; TF's names.
#include <functional>
#include <limits>
#include <set>

#include <minitf/ops/op_def.h>

#include "reference.h"

namespace {

enum class R { Sum, Mean, Max, Min, Prod };

const std::vector<std::pair<R, const char*>> kReductions = {
    {R::Sum, "Sum"}, {R::Mean, "Mean"}, {R::Max, "Max"}, {R::Min, "Min"}, {R::Prod, "Prod"}};

tf::Output build(R r, const tf::Output& x, const std::vector<int64_t>& axes, bool keep) {
  switch (r) {
    case R::Sum:
      return tf::reduce_sum(x, axes, keep);
    case R::Mean:
      return tf::reduce_mean(x, axes, keep);
    case R::Max:
      return tf::reduce_max(x, axes, keep);
    case R::Min:
      return tf::reduce_min(x, axes, keep);
    case R::Prod:
      return tf::reduce_prod(x, axes, keep);
  }
  return {};
}

tf::Tensor random_of(tf::DType dtype, const tf::Shape& shape, std::mt19937& rng) {
  if (dtype == tf::float32) return random_tensor(shape, rng, 0.5f, 1.5f);  // products stay in range
  tf::Tensor t(dtype, shape);
  std::uniform_int_distribution<int> dist(-2, 2);  // products of a few stay in int32
  tf::with_dtype(dtype, [&](auto zero) {
    using T = decltype(zero);
    if constexpr (!std::is_same_v<T, bool>) {
      for (T& v : t.data<T>()) v = static_cast<T>(dist(rng));
    }
  });
  return t;
}

double element(const tf::Tensor& t, int64_t i) {
  return tf::with_dtype(t.dtype(), [&](auto zero) { return double(t.data<decltype(zero)>()[i]); });
}

// The reduction of `x` over `axes` (already normalized), in double; integer
// sums and products wrap as the integer type does.
struct Reference {
  tf::Shape shape;
  std::vector<double> values;
  std::vector<double> magnitude;  // sum of |terms|, for float rounding bounds
};

Reference reference(R r, const tf::Tensor& x, const std::set<int>& axes, bool keep) {
  const tf::Shape& s = x.shape();
  std::vector<int64_t> out_dims, kept_dims;
  for (int d = 0; d < s.rank(); ++d) {
    if (!axes.count(d)) out_dims.push_back(s.dim(d));
    if (!axes.count(d)) kept_dims.push_back(s.dim(d));
    if (axes.count(d) && keep) out_dims.push_back(1);
  }
  Reference ref{tf::Shape(out_dims), {}, {}};
  int64_t n_out = 1;
  for (int64_t d : kept_dims) n_out *= d;
  int64_t count = 1;
  for (int d : axes) count *= s.dim(d);
  const bool is_float = x.dtype() == tf::float32;
  const double lowest = is_float ? -INFINITY
                                 : (x.dtype() == tf::int32 ? double(std::numeric_limits<int32_t>::lowest())
                                                           : double(std::numeric_limits<int64_t>::lowest()));
  const double highest = is_float ? INFINITY
                                  : (x.dtype() == tf::int32 ? double(std::numeric_limits<int32_t>::max())
                                                            : double(std::numeric_limits<int64_t>::max()));
  std::vector<double> acc(static_cast<size_t>(n_out)), mag(static_cast<size_t>(n_out), 0.0);
  for (auto& a : acc) a = r == R::Prod ? 1 : r == R::Max ? lowest : r == R::Min ? highest : 0;
  std::vector<int64_t> idx(static_cast<size_t>(s.rank()), 0);
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    int64_t rest = i, o = 0, stride = 1;
    for (int d = s.rank() - 1; d >= 0; --d) {
      const int64_t c = rest % s.dim(d);
      rest /= s.dim(d);
      if (!axes.count(d)) {
        o += c * stride;
        stride *= s.dim(d);
      }
    }
    const double v = element(x, i);
    auto& a = acc[static_cast<size_t>(o)];
    if (r == R::Sum || r == R::Mean) a += v;
    if (r == R::Prod) a *= v;
    if (r == R::Max) a = std::max(a, v);
    if (r == R::Min) a = std::min(a, v);
    mag[static_cast<size_t>(o)] += std::fabs(v);
  }
  for (size_t o = 0; o < acc.size(); ++o) {
    if (r == R::Mean) {
      if (count == 0) {
        acc[o] = is_float ? NAN : 0;
      } else {
        acc[o] = is_float ? acc[o] / double(count) : std::trunc(acc[o] / double(count));
      }
      mag[o] /= std::max<double>(1, double(count));
    }
    if (r == R::Prod) mag[o] = std::fabs(acc[o]) * double(count);
  }
  ref.values = acc;
  ref.magnitude = mag;
  return ref;
}

void check(const tf::Tensor& got, const Reference& want, const std::string& what) {
  INFO(what);
  REQUIRE(got.shape() == want.shape);
  int64_t bad = 0, first = -1;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    const double g = element(got, i), w = want.values[static_cast<size_t>(i)];
    const bool ok = std::isnan(w) ? std::isnan(g)
                    : std::isinf(w)
                        ? g == w
                        : std::fabs(g - w) <= 2e-6 * want.magnitude[static_cast<size_t>(i)] + 1e-6;
    if (!ok && bad++ == 0) first = i;
  }
  INFO("first mismatch at " << first << ": got " << (bad ? element(got, first) : 0) << ", want "
                            << (bad ? want.values[static_cast<size_t>(first)] : 0));
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("reductions match double references over shapes, axes, keep_dims and dtypes") {
  struct Shaped {
    tf::Shape shape;
    std::vector<std::vector<int64_t>> axes;  // {} = every axis
  };
  const std::vector<Shaped> cases = {
      {{}, {{}}},
      {{7}, {{}, {0}, {-1}}},
      {{3, 4}, {{}, {0}, {1}, {-1, 0}}},
      {{2, 0, 3}, {{}, {1}, {0, 2}, {-3}}},
      {{1, 7, 1}, {{}, {0}, {1}, {2}, {0, 2}}},
      {{2, 3, 4, 5}, {{}, {1, 2}, {0, 2}, {-1, 1}, {3}, {0}}},
      {{3, 50000}, {{1}, {0}}},  // big enough for the thread pool
  };
  std::mt19937 rng(31);
  for (tf::DType dtype : {tf::float32, tf::int32, tf::int64}) {
    for (const Shaped& c : cases) {
      const tf::Tensor xv = random_of(dtype, c.shape, rng);
      for (const auto& axes : c.axes) {
        for (bool keep : {false, true}) {
          FreshGraph f;
          auto x = tf::placeholder(dtype, c.shape, "x");
          std::vector<tf::Output> ys;
          for (const auto& [r, type] : kReductions) {
            ys.push_back(build(r, x, axes, keep));
            REQUIRE(ys.back().op().type() == type);
          }
          std::set<int> norm;
          for (int64_t a : axes) norm.insert(static_cast<int>(a < 0 ? a + c.shape.rank() : a));
          if (axes.empty()) {
            for (int d = 0; d < c.shape.rank(); ++d) norm.insert(d);
          }
          for (int threads : {1, 2}) {
            tf::Session sess(f.g, {.num_threads = threads});
            const auto got = sess.run(ys, {{x, xv}});
            for (size_t k = 0; k < kReductions.size(); ++k) {
              std::string axes_text;
              for (int64_t a : axes) axes_text += std::to_string(a) + " ";
              check(got[k], reference(kReductions[k].first, xv, norm, keep),
                    std::string(kReductions[k].second) + " " + tf::dtype_name(dtype) + " " +
                        c.shape.to_string() + " axes {" + axes_text + "} keep_dims " +
                        (keep ? "true" : "false") + " threads " + std::to_string(threads));
              CHECK(got[k].dtype() == dtype);
            }
          }
        }
      }
    }
  }
}

TEST_CASE("reductions over nothing give TF's identities") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {0, 3});
  auto xi = tf::placeholder(tf::int32, {0, 2});
  tf::Session sess;
  const auto got = sess.run({tf::reduce_sum(x, {0}), tf::reduce_prod(x, {0}), tf::reduce_mean(x, {0}),
                             tf::reduce_max(x, {0}), tf::reduce_min(x, {0}), tf::reduce_max(xi, {0}),
                             tf::reduce_min(xi, {0}), tf::reduce_mean(xi, {0}), tf::reduce_sum(x)},
                            {{x, tf::Tensor(tf::float32, {0, 3})}, {xi, tf::Tensor(tf::int32, {0, 2})}});
  CHECK(values(got[0]) == std::vector<float>{0, 0, 0});
  CHECK(values(got[1]) == std::vector<float>{1, 1, 1});
  CHECK(std::isnan(got[2].data<float>()[0]));
  CHECK(got[3].data<float>()[0] == -INFINITY);
  CHECK(got[4].data<float>()[0] == INFINITY);
  CHECK(got[5].data<int32_t>()[0] == std::numeric_limits<int32_t>::lowest());
  CHECK(got[6].data<int32_t>()[0] == std::numeric_limits<int32_t>::max());
  CHECK(got[7].data<int32_t>()[0] == 0);
  CHECK(got[8].shape() == tf::Shape{});
  CHECK(got[8].data<float>()[0] == 0.f);
}

TEST_CASE("reductions with fed axes shape their output when they run") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2, 3, 4}, "x");
  auto axes = tf::placeholder(tf::int32, {2}, "axes");
  auto axis = tf::placeholder(tf::int64, {}, "axis");
  auto sum = tf::create_op(f.g, "Sum", "s", {x, axes}).output(0);
  auto kept = tf::create_op(f.g, "Max", "m", {x, axes}, {{"keep_dims", true}}).output(0);
  auto one = tf::create_op(f.g, "Mean", "one", {x, axis}).output(0);
  CHECK(sum.shape() == tf::Shape{-1});
  CHECK(kept.shape() == tf::Shape{-1, -1, -1});
  CHECK(one.shape() == tf::Shape{-1, -1});
  std::mt19937 rng(5);
  const auto xv = random_tensor({2, 3, 4}, rng);
  for (int threads : {1, 2}) {
    tf::Session sess(f.g, {.num_threads = threads});
    for (const std::vector<int32_t>& a : {std::vector<int32_t>{0, 2}, {-1, 1}, {2, 0}}) {
      std::set<int> norm;
      for (int32_t v : a) norm.insert(v < 0 ? v + 3 : v);
      const auto got = sess.run({sum, kept, one}, {{x, xv},
                                                   {axes, tf::Tensor::from<int32_t>({2}, {a[0], a[1]})},
                                                   {axis, tf::Tensor::from<int64_t>({}, {int64_t{a[0]}})}});
      check(got[0], reference(R::Sum, xv, norm, false), "fed Sum");
      check(got[1], reference(R::Max, xv, norm, true), "fed Max keep_dims");
      check(got[2], reference(R::Mean, xv, {a[0] < 0 ? a[0] + 3 : a[0]}, false), "fed scalar Mean");
    }
    REQUIRE_THROWS_MATCHES(sess.run(sum, {{x, xv}, {axes, tf::Tensor::from<int32_t>({2}, {1, -2})}}),
                           tf::InvalidArgumentError,
                           Has("Invalid reduction arguments: Axes contains duplicate dimension: 1"));
    REQUIRE_THROWS_MATCHES(sess.run(sum, {{x, xv}, {axes, tf::Tensor::from<int32_t>({2}, {0, 3})}}),
                           tf::InvalidArgumentError, Has("Invalid reduction dimension (3 for input with 3"));
    REQUIRE_THROWS_MATCHES(
        sess.run(one, {{x, xv}, {axis, tf::Tensor::from<int64_t>({}, {int64_t{1} << 40})}}),
        tf::InvalidArgumentError, Has("Invalid reduction dimension (1099511627776 for input with 3"));
  }
}

TEST_CASE("reduction errors name the op and the shapes") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2, 3}, "x");
  REQUIRE_THROWS_MATCHES(
      tf::reduce_sum(x, {2}), tf::ValueError,
      Has("Invalid reduction dimension 2 for input with 2 dimensions. for 'Sum' (op: 'Sum')"));
  REQUIRE_THROWS_MATCHES(
      tf::reduce_max(x, {-3}, true, "m"), tf::ValueError,
      Has("Invalid reduction dimension -3 for input with 2 dimensions. for 'm' (op: 'Max') "
          "with input shapes: [2,3], [1]."));
  REQUIRE_THROWS_MATCHES(tf::reduce_mean(x, {int64_t{1} << 40}), tf::ValueError,
                         Has("Invalid reduction dimension 1099511627776"));
  REQUIRE_THROWS_MATCHES(
      tf::create_op(f.g, "Sum", "bad", {x, tf::placeholder(tf::int32, {1, 1})}), tf::ValueError,
      Has("Shape must be at most rank 1 but is rank 2 for 'reduction_indices' of 'bad' (op: 'Sum')"));
  REQUIRE_THROWS_MATCHES(tf::create_op(f.g, "Sum", "open", {x, tf::placeholder(tf::int32, {-1})}),
                         tf::UnimplementedError, Has("reduction_indices of unknown length"));
  REQUIRE_THROWS_MATCHES(tf::create_op(f.g, "Sum", "f", {x, tf::placeholder(tf::float32, {1})}),
                         tf::ValueError, Has("computes in int32 or int64, got an input 'reduction_indices'"));
  REQUIRE_THROWS_MATCHES(
      tf::reduce_sum(tf::placeholder(tf::bool_, {2})), tf::ValueError,
      Has("(op: 'Sum') computes in float32 or int32 or int64, got an input 'input' of dtype bool"));
  // Duplicate constant axes pass the shape function (as TF's) and fail when run.
  auto dup = tf::reduce_sum(x, {1, -1});
  CHECK(dup.shape() == tf::Shape{2});
  tf::Session sess;
  REQUIRE_THROWS_MATCHES(sess.run(dup, {{x, tf::Tensor(tf::float32, {2, 3})}}), tf::InvalidArgumentError,
                         Has("Axes contains duplicate dimension: 1"));
}

TEST_CASE("ArgMax and ArgMin take the first extreme index, skip NaN, and check their axis") {
  std::mt19937 rng(17);
  const std::vector<tf::Shape> shapes = {{7}, {3, 4}, {2, 5, 3}, {1, 6, 1}, {2, 3, 40000}};
  for (tf::DType dtype : {tf::float32, tf::int32, tf::int64}) {
    for (const tf::Shape& s : shapes) {
      tf::Tensor xv(dtype, s);
      std::uniform_int_distribution<int> small(-3, 3);  // many ties
      tf::with_dtype(dtype, [&](auto zero) {
        using T = decltype(zero);
        if constexpr (!std::is_same_v<T, bool>) {
          for (T& v : xv.data<T>()) v = static_cast<T>(small(rng));
        }
      });
      if (dtype == tf::float32 && s.num_elements() > 5) {
        xv.data<float>()[0] = NAN;
        xv.data<float>()[4] = NAN;
      }
      for (int axis = -s.rank(); axis < s.rank(); ++axis) {
        for (tf::DType out_type : {tf::int64, tf::int32}) {
          FreshGraph f;
          auto x = tf::placeholder(dtype, s);
          auto mx = tf::argmax(x, axis, out_type);
          auto mn = tf::argmin(x, axis, out_type);
          REQUIRE(mx.op().type() == "ArgMax");
          REQUIRE(mn.op().type() == "ArgMin");
          tf::Session sess(f.g, {.num_threads = 2});
          const auto got = sess.run({mx, mn}, {{x, xv}});
          const int a = axis < 0 ? axis + s.rank() : axis;
          int64_t outer = 1, inner = 1;
          for (int d = 0; d < s.rank(); ++d) {
            if (d < a) outer *= s.dim(d);
            if (d > a) inner *= s.dim(d);
          }
          const int64_t n = s.dim(a);
          REQUIRE(got[0].dtype() == out_type);
          REQUIRE(got[0].num_elements() == outer * inner);
          int64_t bad = 0;
          for (int64_t p = 0; p < outer * inner; ++p) {
            int64_t best_max = -1, best_min = -1;
            double vmax = 0, vmin = 0;
            for (int64_t j = 0; j < n; ++j) {
              const double v = element(xv, (p / inner) * n * inner + j * inner + p % inner);
              if (std::isnan(v)) continue;
              if (best_max < 0 || v > vmax) best_max = j, vmax = v;
              if (best_min < 0 || v < vmin) best_min = j, vmin = v;
            }
            bad += element(got[0], p) != double(std::max<int64_t>(best_max, 0));
            bad += element(got[1], p) != double(std::max<int64_t>(best_min, 0));
          }
          INFO(tf::dtype_name(dtype) << " " << s.to_string() << " axis " << axis);
          CHECK(bad == 0);
        }
      }
    }
  }
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2, 0}, "x");
  REQUIRE_THROWS_MATCHES(
      tf::argmax(x, 2), tf::ValueError,
      Has("Dimension (2) must be in the range [-2, 2), where 2 is the number of dimensions in "
          "the input. for 'ArgMax' (op: 'ArgMax')"));
  REQUIRE_THROWS_MATCHES(tf::argmax(x, 0, tf::float32), tf::ValueError,
                         Has("output_type must be int32 or int64, got float32"));
  auto empty = tf::argmin(x, 1);
  auto dim = tf::placeholder(tf::int32, {}, "dim");
  auto fed = tf::create_op(f.g, "ArgMax", "fed", {x, dim}).output(0);
  CHECK(fed.shape() == tf::Shape{-1});
  tf::Session sess;
  REQUIRE_THROWS_MATCHES(sess.run(empty, {{x, tf::Tensor(tf::float32, {2, 0})}}), tf::InvalidArgumentError,
                         Has("Reduction axis 1 is empty in shape [2,0]"));
  REQUIRE_THROWS_MATCHES(
      sess.run(fed, {{x, tf::Tensor(tf::float32, {2, 0})}, {dim, tf::Tensor::from<int32_t>({}, {-3})}}),
      tf::InvalidArgumentError, Has("Expected dimension in the range [-2, 2), but got -3"));
  const auto along0 =
      sess.run(fed, {{x, tf::Tensor(tf::float32, {2, 0})}, {dim, tf::Tensor::from<int32_t>({}, {0})}});
  CHECK(along0.shape() == tf::Shape{0});
}

TEST_CASE("reductions and ArgMax are named as TF names them") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2, 3}, "x");
  const std::vector<std::pair<tf::Output, std::string>> table = {
      {tf::reduce_sum(x), "Sum"},
      {tf::reduce_sum(x, {1}), "Sum_1"},
      {tf::reduce_mean(x, {0}), "Mean"},
      {tf::reduce_max(x, {}, true), "Max"},
      {tf::reduce_min(x, {-1}), "Min"},
      {tf::reduce_prod(x, {0, 1}), "Prod"},
      {tf::argmax(x, 1), "ArgMax"},
      {tf::argmin(x, 0), "ArgMin"},
      {tf::reduce_sum(x, {0}, false, "total"), "total"},
  };
  for (const auto& [out, name] : table) CHECK(out.op().name() == name);
  CHECK(table[0].first.op().inputs()[1].op().name() == "Const");
  CHECK(table[1].first.op().inputs()[1].op().name() == "Sum_1/reduction_indices");
  CHECK(table[3].first.op().inputs()[1].op().name() == "Const_1");
  CHECK(table[6].first.op().inputs()[1].op().name() == "ArgMax/dimension");
  CHECK(table[6].first.op().inputs()[1].shape() == tf::Shape{});
  CHECK(table[8].first.op().inputs()[1].op().name() == "total/reduction_indices");
  CHECK(table[0].first.op().attr<bool>("keep_dims") == false);
  CHECK(table[3].first.op().attr<bool>("keep_dims") == true);
  CHECK(table[6].first.dtype() == tf::int64);
  CHECK(table[3].first.shape() == tf::Shape{1, 1});
  CHECK(table[0].first.shape() == tf::Shape{});
}
