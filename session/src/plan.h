#pragma once
// A plan: what one (feeds, fetches, targets) combination runs, built once per session.
#include <atomic>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <minitf/graph/graph.h>
#include <minitf/kernels/kernel.h>

namespace minitf::detail {

struct PlanStep {
  std::unique_ptr<kernels::OpKernel> kernel;
  std::vector<int> inputs;  // value slots; -1 passes no value (Assign's variable input)
  std::vector<int> outputs;
};

struct Plan {
  std::vector<PlanStep> steps;
  std::vector<int> feed_slots;   // one per feed, in the order of the key
  std::vector<int> fetch_slots;  // one per fetch
  int num_slots = 0;
  // The last step that reads each slot (steps.size() for fetched slots, -1 for unread).
  std::vector<int> last_use;
  std::string description;  // for debug logs

  // Independent branches: steps that compute (conv, elementwise) fall into
  // groups that share no computed tensor, e.g. the two towers of a
  // shared-weight model. component[s] is the step's group, or -1 for the
  // cheap steps (reads, constants, fills) that run before the groups.
  std::vector<int> component;
  int num_components = 0;
  std::vector<size_t> source_steps;                  // component -1, in order
  std::vector<std::vector<size_t>> component_steps;  // each group's steps, in order
  bool has_assign = false;                           // branches never reorder around a write

  // Whether to run the groups side by side is measured on the first runs.
  enum Mode { kUndecided, kSerial, kBranches };
  std::atomic<int> mode{kUndecided};
  std::mutex timing_mu;
  double best_seconds[3] = {0, std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::infinity()};
  int trials[3] = {0, 0, 0};
};

struct PlanOptions {
  bool fuse_conv = true;
};

// Prunes the graph to what the fetches and targets need (fed tensors cut
// their inputs off), orders it, fuses Conv2D + bias + Relu when allowed,
// creates kernels, and works out when each value dies.
std::unique_ptr<Plan> build_plan(const Graph& graph, const std::vector<Output>& feeds,
                                 const std::vector<Output>& fetches, const std::vector<Operation>& targets,
                                 const PlanOptions& options);

}  // namespace minitf::detail
