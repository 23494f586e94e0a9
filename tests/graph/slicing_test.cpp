// The slicing rules shared by shape functions and kernels (graph/slicing.h).
#include <minitf/graph/slicing.h>

#include <optional>

#include "test_util.h"

namespace {

using Ints = std::vector<int64_t>;

struct Dense {
  std::vector<Ints> dims;  // {begin, stride, size} per input dim, {size} when unknown
  Ints output;
};

Dense dense_of(const tf::Shape& in, const tf::StridedSliceSpec& spec) {
  const tf::DenseSlice d = tf::strided_slice_dense(in, spec);
  Dense out{{}, d.output_dims};
  for (const tf::SliceDim& s : d.dims)
    out.dims.push_back(!s.known ? Ints{s.size} : Ints{s.begin, s.stride, s.size});
  return out;
}

}  // namespace

TEST_CASE("strided_slice_dense makes TF's sparse specs dense") {
  struct Case {
    tf::Shape in;
    tf::StridedSliceSpec spec;
    std::vector<Ints> dims;
    Ints output;
  };
  const std::nullopt_t unknown = std::nullopt;
  const std::vector<Case> cases = {
      // x[1:3]: the second dim whole (the implicit ellipsis).
      {{4, 5}, {1, Ints{1}, Ints{3}, Ints{1}}, {{1, 1, 2}, {0, 1, 5}}, {2, 5}},
      // x[::-1, 1::2]
      {{4, 5}, {2, Ints{0, 1}, Ints{0, 0}, Ints{-1, 2}, 1, 3}, {{3, -1, 4}, {1, 2, 2}}, {4, 2}},
      // x[-1]: shrunk away
      {{4, 5}, {1, Ints{-1}, Ints{0}, Ints{1}, 0, 0, 0, 0, 1}, {{3, 1, 1}, {0, 1, 5}}, {5}},
      // x[..., tf.newaxis, 2:10]: ends clamp to the dim
      {{2, 3, 6},
       {3, Ints{0, 0, 2}, Ints{0, 0, 10}, Ints{1, 1, 1}, 0, 0, 1, 2},
       {{0, 1, 2}, {0, 1, 3}, {2, 1, 4}},
       {2, 3, 1, 4}},
      // x[3:1]: empty
      {{4}, {1, Ints{3}, Ints{1}, Ints{1}}, {{3, 1, 0}}, {0}},
      // unknown begin: the dims it decides are -1, shrunk ones stay 1
      {{4, 5}, {2, unknown, Ints{1, 1}, Ints{1, 1}, 0, 0, 0, 0, 2}, {{-1}, {1}}, {-1}},
      // unknown input dim
      {{-1, 5}, {1, Ints{0}, Ints{2}, Ints{1}}, {{-1}, {0, 1, 5}}, {-1, 5}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i);
    const Dense d = dense_of(cases[i].in, cases[i].spec);
    CHECK(d.dims == cases[i].dims);
    CHECK(d.output == cases[i].output);
  }
}

TEST_CASE("strided_slice_dense's errors name no op") {
  const tf::Shape in{2, 3};
  REQUIRE_THROWS_MATCHES(tf::strided_slice_dense(in, {1, Ints{0}, Ints{1}, Ints{0}}), tf::ValueError,
                         Has("strides[0] must be non-zero"));
  REQUIRE_THROWS_MATCHES(tf::strided_slice_dense(in, {1, Ints{2}, Ints{3}, Ints{1}, 0, 0, 0, 0, 1}),
                         tf::ValueError, Has("slice index 2 of dimension 0 out of bounds"));
  REQUIRE_THROWS_MATCHES(tf::strided_slice_dense(in, {2, Ints{0, 0}, Ints{1, 1}, Ints{1, 1}, 0, 0, 3}),
                         tf::ValueError, Has("Multiple ellipses in slice spec not allowed"));
  REQUIRE_THROWS_MATCHES(tf::strided_slice_dense(in, {3, Ints{0, 0, 0}, Ints{1, 1, 1}, Ints{1, 1, 1}}),
                         tf::ValueError, Has("Index out of range using input dim 2; input has only 2 dims"));
}

TEST_CASE("slice_sizes resolves -1 and checks the ranges") {
  CHECK(tf::slice_sizes({4, 5}, Ints{1, 2}, Ints{-1, 2}) == Ints{3, 2});
  CHECK(tf::slice_sizes({-1, 5}, Ints{1, 2}, Ints{-1, 2}) == Ints{-1, 2});
  CHECK(tf::slice_sizes({4, 5}, std::nullopt, Ints{-1, 2}) == Ints{-1, 2});
  CHECK(tf::slice_sizes({4, 5}, Ints{1, 2}, std::nullopt) == Ints{-1, -1});
  REQUIRE_THROWS_MATCHES(tf::slice_sizes({4, 5}, Ints{5, 0}, Ints{1, 1}), tf::ValueError,
                         Has("Expected begin[0] in [0, 4], but got 5"));
  REQUIRE_THROWS_MATCHES(tf::slice_sizes({4, 5}, Ints{1, 0}, Ints{4, 1}), tf::ValueError,
                         Has("Expected size[0] in [0, 3], but got 4"));
}

TEST_CASE("the array ops' small shared rules: axes, split sizes, paddings") {
  CHECK(tf::canonical_axis(-1, 3, "Split axis") == 2);
  REQUIRE_THROWS_MATCHES(tf::canonical_axis(3, 3, "Split axis"), tf::ValueError,
                         Has("Split axis 3 is out of range [-3, 3)"));
  CHECK(tf::concat_axis(-2, 2) == 0);
  REQUIRE_THROWS_MATCHES(tf::concat_axis(2, 2), tf::ValueError,
                         Has("ConcatOp : Expected concatenating dimensions in the range [-2, 2), but got 2"));
  CHECK(tf::expand_dims_index(-1, 2) == 2);
  CHECK(tf::expand_dims_index(2, 2) == 2);
  REQUIRE_THROWS_MATCHES(tf::expand_dims_index(-4, 2), tf::ValueError,
                         Has("Tried to expand dim index -4 for tensor with 2 dimensions"));
  CHECK(tf::split_size(6, 3) == 2);
  CHECK(tf::split_size(-1, 3) == -1);
  REQUIRE_THROWS_MATCHES(tf::split_size(7, 3), tf::ValueError, Has("evenly divisible by 3 but is 7"));
  tf::check_paddings(2, 2, 2, tf::PadMode::Symmetric);
  tf::check_paddings(5, 5, -1, tf::PadMode::Reflect);
  REQUIRE_THROWS_MATCHES(tf::check_paddings(2, 0, 2, tf::PadMode::Reflect), tf::ValueError,
                         Has("paddings must be less than the dimension size: 2, 0 not less than 2"));
  REQUIRE_THROWS_MATCHES(tf::check_paddings(0, -1, -1, tf::PadMode::Constant), tf::ValueError,
                         Has("Paddings must be non-negative: 0 -1"));
}
