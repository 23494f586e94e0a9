#include "branches.h"

#include <map>

namespace minitf::detail {

void find_branches(Plan& plan) {
  const size_t n = plan.steps.size();
  std::vector<int> producer(static_cast<size_t>(plan.num_slots), -1);
  std::vector<bool> work(n, false);
  std::vector<size_t> parent(n);
  for (size_t s = 0; s < n; ++s) parent[s] = s;
  auto root = [&](size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (size_t s = 0; s < n; ++s) {
    const PlanStep& step = plan.steps[s];
    bool reads_work = false;
    for (int in : step.inputs) {
      if (in < 0) continue;
      const int p = producer[static_cast<size_t>(in)];
      if (p >= 0 && work[static_cast<size_t>(p)]) {
        reads_work = true;
        parent[root(s)] = root(static_cast<size_t>(p));
      }
    }
    work[s] = reads_work || (step.kernel->allocates_outputs() && !step.inputs.empty());
    for (int out : step.outputs) producer[static_cast<size_t>(out)] = static_cast<int>(s);
  }
  std::map<size_t, int> ids;
  plan.branch.assign(n, -1);
  for (size_t s = 0; s < n; ++s) {
    if (!work[s]) continue;
    plan.branch[s] = ids.emplace(root(s), static_cast<int>(ids.size())).first->second;
  }
  plan.num_branches = static_cast<int>(ids.size());
  plan.branch_steps.assign(ids.size(), {});
  for (size_t s = 0; s < n; ++s) {
    if (plan.branch[s] < 0) {
      plan.source_steps.push_back(s);
    } else {
      plan.branch_steps[static_cast<size_t>(plan.branch[s])].push_back(s);
    }
  }
}

}  // namespace minitf::detail
