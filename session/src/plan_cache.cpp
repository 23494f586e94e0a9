#include "plan_cache.h"

#include <mutex>
#include <set>

namespace minitf::detail {

size_t PlanCache::KeyHash::operator()(const Key& k) const {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the numbers
  for (int64_t v : k) h = (h ^ static_cast<uint64_t>(v)) * 1099511628211ull;
  return static_cast<size_t>(h);
}

void PlanCache::check_in_graph(const Operation& op, const char* what) const {
  if (op.empty()) throw ValueError(std::string("Cannot run an empty ") + what);
  if (!op.in_graph(graph_)) {
    throw ValueError("Fetch argument '" + op.name() + "' cannot be interpreted as a " + what + " (" +
                     op.name() + " is not an element of this graph.)");
  }
}

Plan& PlanCache::get(const FeedDict& feeds, const std::vector<Output>& fetches,
                     const std::vector<Operation>& targets) {
  Key key;
  key.reserve(2 * (feeds.size() + fetches.size()) + targets.size() + 2);
  for (const auto& [out, value] : feeds) {
    if (out.empty()) throw ValueError("Cannot feed an empty Output");
    check_in_graph(out.op(), "Tensor");
    key.push_back(out.op().id());
    key.push_back(out.index());
  }
  key.push_back(-1);
  for (const Output& f : fetches) {
    if (f.empty()) throw ValueError("Cannot fetch an empty Output");
    check_in_graph(f.op(), "Tensor");
    key.push_back(f.op().id());
    key.push_back(f.index());
  }
  key.push_back(-1);
  for (const Operation& t : targets) {
    check_in_graph(t, "Operation");
    key.push_back(t.id());
  }
  {
    std::shared_lock lock(mu_);
    if (auto it = plans_.find(key); it != plans_.end()) return *it->second;
  }
  std::vector<Output> fed;
  std::set<std::pair<int64_t, int>> seen;
  for (const auto& [out, value] : feeds) {
    if (!seen.emplace(out.op().id(), out.index()).second)
      throw ValueError("Tensor " + out.name() + " is fed twice");
    fed.push_back(out);
  }
  auto plan = build_plan(fed, fetches, targets, options_);
  std::unique_lock lock(mu_);
  return *plans_.emplace(std::move(key), std::move(plan)).first->second;  // a racing twin keeps the first
}

size_t PlanCache::size() const {
  std::shared_lock lock(mu_);
  return plans_.size();
}

}  // namespace minitf::detail
