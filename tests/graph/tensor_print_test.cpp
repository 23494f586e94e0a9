// operator<< for Tensor prints as TF's eager tensors (numpy's formatting).
#include <sstream>

#include "test_util.h"

namespace {

std::string print(const tf::Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

}  // namespace

TEST_CASE("Tensor prints like numpy: values aligned, shape and dtype") {
  const std::vector<std::pair<tf::Tensor, std::string>> table = {
      {tf::Tensor::from<float>({2, 2}, {1, 2, 3, 4}), "tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)"},
      {tf::Tensor::from<float>({3}, {0.5f, -1.25f, 3}), "tf.Tensor([ 0.5  -1.25  3.  ], shape=(3,), dtype=float32)"},
      {tf::Tensor::from<float>({2}, {0.1f, 1.f / 3}), "tf.Tensor([0.1        0.33333334], shape=(2,), dtype=float32)"},
      {tf::Tensor::from<float>({2}, {1e-5f, 1}), "tf.Tensor([1.e-05 1.e+00], shape=(2,), dtype=float32)"},
      {tf::Tensor::from<float>({}, {2.5f}), "tf.Tensor(2.5, shape=(), dtype=float32)"},
      {tf::Tensor::from<int32_t>({2, 3}, {1, -20, 3, 400, 5, 6}),
       "tf.Tensor(\n[[  1 -20   3]\n [400   5   6]], shape=(2, 3), dtype=int32)"},
      {tf::Tensor::from<int64_t>({2}, {7, 9000000000}), "tf.Tensor([         7 9000000000], shape=(2,), dtype=int64)"},
      {tf::Tensor::from<bool>({2}, {true, false}), "tf.Tensor([ True False], shape=(2,), dtype=bool)"},
      {tf::Tensor(tf::float32, {0, 3}), "tf.Tensor([], shape=(0, 3), dtype=float32)"},
      {tf::Tensor::from<float>({2}, {1.5e-5f, 1}), "tf.Tensor([1.5e-05 1.0e+00], shape=(2,), dtype=float32)"},
      {tf::Tensor::from<float>({2}, {0.001f, 2}), "tf.Tensor([1.e-03 2.e+00], shape=(2,), dtype=float32)"},
      {tf::Tensor::from<float>({1}, {0.00012345678f}), "tf.Tensor([0.00012346], shape=(1,), dtype=float32)"},
      {tf::Tensor::from<float>({}, {2.f}), "tf.Tensor(2.0, shape=(), dtype=float32)"},
      {tf::Tensor::from<float>({3}, {NAN, 1, -INFINITY}), "tf.Tensor([ nan   1. -inf], shape=(3,), dtype=float32)"},
  };
  for (const auto& [t, want] : table) CHECK(print(t) == want);
}

TEST_CASE("Tensor prints the first and last three values of each axis beyond 1000") {
  std::vector<int32_t> v(2000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int32_t>(i);
  CHECK(print(tf::Tensor::from<int32_t>({2000}, v)) ==
        "tf.Tensor([   0    1    2 ... 1997 1998 1999], shape=(2000,), dtype=int32)");
  const std::string big = print(tf::Tensor(tf::float32, {100, 100}));
  CHECK(big.find("...") != std::string::npos);
  CHECK(big.size() < 400);
  CHECK(big.ends_with("shape=(100, 100), dtype=float32)"));
}
