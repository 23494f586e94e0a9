#pragma once
// Helpers shared by the tests: a fresh default graph per test, error matchers.
#include <minitf/minitf.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace tf = minitf;

// Each test builds in its own graph, made default for the test's lifetime.
struct FreshGraph {
  tf::Graph g;
  tf::Graph::DefaultGuard guard{g};
};

// Matches an exception whose what() contains the text:
// REQUIRE_THROWS_MATCHES(expr, tf::ValueError, Has("words")).
class Has : public Catch::MatcherBase<std::exception> {
 public:
  explicit Has(std::string text) : text_(std::move(text)) {}
  bool match(const std::exception& e) const override {
    return std::string(e.what()).find(text_) != std::string::npos;
  }
  std::string describe() const override { return "contains \"" + text_ + "\""; }

 private:
  std::string text_;
};

// A float tensor's values, for comparing with ==.
inline std::vector<float> values(const tf::Tensor& t) {
  return {t.data<float>().begin(), t.data<float>().end()};
}

inline std::vector<std::string> op_names(const tf::Graph& g) {
  std::vector<std::string> names;
  for (const auto& op : g.operations()) names.push_back(op.name());
  return names;
}

// "name (Type)" for every op, in creation order.
inline std::vector<std::string> op_names_and_types(const tf::Graph& g) {
  std::vector<std::string> out;
  for (const auto& op : g.operations()) out.push_back(op.name() + " (" + op.type() + ")");
  return out;
}
