#pragma once
// The mode matrix's cases: mode_matrix_test.cpp holds the runner and the
// first cases; each op family adds its own in mode_matrix_<family>.cpp.
#include <functional>
#include <string>
#include <vector>

#include "test_util.h"

namespace mode_matrix {

// What a case builds into the default graph.
struct Built {
  Built(std::vector<tf::Output> feeds, std::vector<tf::Output> fetches,
        std::vector<tf::Operation> targets = {}, std::vector<tf::Variable> variables = {})
      : feeds(std::move(feeds)),
        fetches(std::move(fetches)),
        targets(std::move(targets)),
        variables(std::move(variables)) {}
  std::vector<tf::Output> feeds;  // placeholders; -1 dims are sized per run
  std::vector<tf::Output> fetches;
  std::vector<tf::Operation> targets;
  std::vector<tf::Variable> variables;  // given new values between some runs
};

struct Case {
  Case(std::string name, std::function<Built()> build, bool stateful = false, bool with_nans = false)
      : name(std::move(name)), build(std::move(build)), stateful(stateful), with_nans(with_nans) {}
  std::string name;
  std::function<Built()> build;
  // Stateful cases (random ops, assigns) give other values on every run of
  // one session: their reference is one plain session run in step. Every
  // other case is checked against a new plain session per run, which cannot
  // carry a stale cache from one run to the next.
  bool stateful = false;
  // Feed values: NaN at some places, to check that NaN propagates the same in every mode.
  bool with_nans = false;
};

inline tf::Variable var(const std::string& name, const tf::Shape& shape) {
  return tf::get_variable(name, shape, tf::random_normal_initializer(0.f, 1.f));
}

// Feeds of int32/int64 dtype get values in [0, 4), bool feeds random truth values.
std::vector<Case> array_cases();
std::vector<Case> math_cases();
std::vector<Case> nn_cases();
std::vector<Case> layer_cases();

}  // namespace mode_matrix
