#pragma once
// One run's values and the arena they live in.
#include <memory>
#include <vector>

#include <minitf/graph/graph.h>
#include <minitf/kernels/kernel.h>

#include "plan.h"

namespace minitf::detail {

// One run's values. A plan keeps a pool of these, so concurrent runs never
// share one, and a steady-state run reuses everything in it: the slots, the
// pointers kernels read through, and the arena its intermediate tensors live in.
struct RunState {
  explicit RunState(const Plan& plan) : slots(static_cast<size_t>(plan.num_slots)) {
    static const Tensor kNoValue;
    for (const PlanStep& step : plan.steps) {
      auto& in = inputs.emplace_back();
      for (int s : step.inputs) in.push_back(s >= 0 ? &slots[static_cast<size_t>(s)] : &kNoValue);
      auto& out = outputs.emplace_back();
      for (int s : step.outputs) out.push_back(&slots[static_cast<size_t>(s)]);
    }
  }

  // Between runs a state holds its arena and its pool of fetch buffers, and
  // no tensor: not a caller's feed, not a fetched value, not an intermediate.
  void clear() {
    for (Tensor& t : slots) t = Tensor();
    variables = nullptr;
  }
  // What this state may hold while idle: the arena and at most two buffers per fetch.
  size_t idle_bytes_bound() const { return arena_bytes + 2 * fetch_bytes; }

  std::vector<Tensor> slots;
  std::vector<std::vector<const Tensor*>> inputs;  // per step
  std::vector<std::vector<Tensor*>> outputs;       // per step
  // The shapes of every value for the fed shapes this state is set up for.
  std::shared_ptr<const Signature> signature;
  bool planned = false;                          // the arena is placed for `signature`
  std::vector<std::pair<size_t, Tensor>> views;  // slot -> its place in the arena
  size_t arena_bytes = 0, fetch_bytes = 0;
  std::vector<size_t> to_end;  // computed slots that live to the end of the run (fetched)
  // Fetched values are computed into buffers from here (once planned); the
  // caller owns them and they come back when the caller lets go.
  std::shared_ptr<BufferPool> fetch_pool;
  kernels::VariableAccess* variables = nullptr;  // this run's view of the variables
  uint64_t last_used = 0;                        // for evicting idle states, least recent first
};

// Gives every value the kernels compute a place in one arena (see arena.h),
// from the shapes of state.signature, and makes `state` planned: runs with
// those fed shapes compute into it, the first one included.
void place_in_arena(const Plan& plan, RunState& state);

}  // namespace minitf::detail
