#include "run_state.h"

#include <algorithm>
#include <string>

#include <spdlog/spdlog.h>

#include "arena.h"

namespace minitf::detail {
namespace {
size_t bytes_of(const TensorSpec& t) {
  return static_cast<size_t>(t.second.num_elements()) * dtype_size(t.first);
}
}  // namespace

// The arena is planned from the plan's shapes before the first run: every
// tensor a kernel computes gets a place, shared with tensors whose lifetimes do not overlap.
// Each independent branch gets a region of its own (branches may run side by
// side); within a region, tensors whose lifetimes do not overlap share memory.
// Tensors computed before the branches live for the whole run. Fetched
// tensors stay out: a kernel writes them into a buffer the caller then owns
// (reused next run if the caller has let go of it), so no copy is needed.
void place_in_arena(const Plan& plan, RunState& state) {
  const std::vector<TensorSpec>& specs = state.signature->specs;
  const int regions = plan.num_branches + 1;
  std::vector<std::vector<ArenaRequest>> requests(static_cast<size_t>(regions));
  std::vector<std::vector<size_t>> slots(static_cast<size_t>(regions));
  const int end = static_cast<int>(plan.steps.size());
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    if (!plan.steps[s].kernel->allocates_outputs()) continue;
    const auto region = static_cast<size_t>(plan.branch[s] + 1);
    for (int o : plan.steps[s].outputs) {
      const TensorSpec& t = specs[static_cast<size_t>(o)];
      // Fetched tensors go to the caller, so they get buffers of their own, not arena space.
      if (!t.second.fully_defined() || plan.last_use[static_cast<size_t>(o)] == end) continue;
      const size_t bytes = bytes_of(t);
      const int last = std::max(plan.last_use[static_cast<size_t>(o)], static_cast<int>(s));
      requests[region].push_back(region == 0 ? ArenaRequest{bytes, 0, end}
                                             : ArenaRequest{bytes, static_cast<int>(s), last});
      slots[region].push_back(static_cast<size_t>(o));
    }
  }
  std::vector<ArenaLayout> layouts;
  size_t total = 0;
  for (const auto& r : requests) {
    layouts.push_back(plan_arena(r));
    total += layouts.back().total;
  }
  void* memory = std::aligned_alloc(Tensor::kAlignment, std::max<size_t>(total, Tensor::kAlignment));
  if (!memory) {
    throw ResourceExhaustedError("Out of memory allocating a plan's arena of " + std::to_string(total) +
                                 " bytes (" + plan.description + ")");
  }
  std::shared_ptr<void> arena(memory, std::free);
  state.views.clear();
  size_t base = 0, naive = 0;
  for (size_t r = 0; r < requests.size(); ++r) {
    for (size_t i = 0; i < slots[r].size(); ++i) {
      const TensorSpec& t = specs[slots[r][i]];
      state.views.emplace_back(
          slots[r][i],
          Tensor::view(t.first, t.second, arena, static_cast<char*>(memory) + base + layouts[r].offsets[i]));
      naive += requests[r][i].bytes;
    }
    base += layouts[r].total;
  }
  spdlog::debug("plan: arena of {} bytes for {} tensors in {} regions ({} bytes without sharing)", total,
                state.views.size(), regions, naive);
  state.arena_bytes = total;
  // Values computed for the end of the run (fetched, or the source of a
  // fetched alias) come from a pool instead: the caller owns them afterwards.
  // A new plan gets a new pool, so idle buffers are always of today's sizes.
  state.to_end.clear();
  state.fetch_bytes = 0;
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    if (!plan.steps[s].kernel->allocates_outputs()) continue;
    for (int o : plan.steps[s].outputs) {
      const TensorSpec& t = specs[static_cast<size_t>(o)];
      if (!t.second.fully_defined() || plan.last_use[static_cast<size_t>(o)] != end) continue;
      state.to_end.push_back(static_cast<size_t>(o));
      state.fetch_bytes += bytes_of(t);
    }
  }
  state.fetch_pool = std::make_shared<BufferPool>(2 * state.to_end.size());
  state.planned = true;
}

}  // namespace minitf::detail
