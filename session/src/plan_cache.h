#pragma once
// A session's plans, one per (feeds, fetches, targets), built once each.
#include <memory>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include <minitf/session/session.h>

#include "plan.h"

namespace minitf::detail {

class PlanCache {
 public:
  PlanCache(Graph graph, PlanOptions options) : graph_(std::move(graph)), options_(options) {}

  // The plan for this call; ValueError for an empty, foreign or twice-fed
  // tensor. The key is made of op ids, so a hit costs no string.
  Plan& get(const FeedDict& feeds, const std::vector<Output>& fetches, const std::vector<Operation>& targets);
  size_t size() const;

 private:
  using Key = std::vector<int64_t>;
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  void check_in_graph(const Operation& op, const char* what) const;

  Graph graph_;
  PlanOptions options_;
  mutable std::shared_mutex mu_;
  std::unordered_map<Key, std::unique_ptr<Plan>, KeyHash> plans_;
};

}  // namespace minitf::detail
