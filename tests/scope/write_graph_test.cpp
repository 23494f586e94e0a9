// Graph pictures: clusters per name scope, shared variables drawn once.
#include <sstream>

#include "test_util.h"

TEST_CASE("write_graph draws one cluster per name scope and each shared variable once") {
  FreshGraph f;
  auto image1 = tf::placeholder(tf::float32, {1, 8, 8, 3}, "image1");
  auto image2 = tf::placeholder(tf::float32, {1, 8, 8, 3}, "image2");
  {
    tf::variable_scope scope("image_filters");
    auto filter = [](const tf::Output& x) {
      tf::variable_scope c("conv1");
      auto w = tf::get_variable("weights", {3, 3, 3, 4});
      return tf::relu(tf::conv2d(x, w, {1, 1, 1, 1}, "SAME"));
    };
    filter(image1);
    scope.reuse_variables();
    filter(image2);
  }
  std::ostringstream dot;
  tf::write_graph(f.g, dot);
  const std::string s = dot.str();
  CHECK(s.rfind("digraph", 0) == 0);
  for (const char* label : {"label=\"image_filters/\"", "label=\"image_filters/conv1/\"",
                            "label=\"image_filters/conv1_1/\"", "label=\"image_filters/conv1/weights/\""}) {
    CHECK_THAT(s, Catch::Contains(label));
  }
  auto count = [&s](const std::string& needle) {
    size_t n = 0;
    for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
    return n;
  };
  CHECK(count("shape=cylinder") == 1);                            // one variable node for both towers
  CHECK(count("\"image_filters/conv1/weights/read\" -> ") == 2);  // used by both convolutions
  CHECK_THAT(s, Catch::Contains("[label=\"Conv2D\\nConv2D\"]"));
  REQUIRE_THROWS_AS(tf::write_graph(f.g, "/no/such/folder/g.dot"), tf::NotFoundError);
}
