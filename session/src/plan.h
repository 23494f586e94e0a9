#pragma once
// A plan: what one (feeds, fetches, targets) combination runs, built once per
// session, and its shapes, made once per signature of fed shapes.
#include <atomic>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <minitf/graph/graph.h>
#include <minitf/kernels/kernel.h>
#include <minitf/ops/op_def.h>

namespace minitf::detail {

struct PlanStep {
  std::unique_ptr<kernels::OpKernel> kernel;
  const OpDef* def = nullptr;
  std::vector<int> inputs;  // value slots; -1 passes no value (a reference input: the variable itself)
  std::vector<TensorSpec> input_specs;  // the graph's dtypes and shapes (partial), of every input
  std::vector<int> outputs;
};

// Everything a plan fixes for one signature of fed shapes: every value's dtype
// and shape, from the op definitions' shape functions. Kernels are prepared
// (oneDNN primitives created) when it is made, before the first run.
struct Signature {
  std::vector<Shape> feed_shapes;
  std::vector<TensorSpec> specs;                   // per slot
  std::vector<std::vector<TensorSpec>> out_specs;  // per step, what KernelContext::output_specs shows
  // Values known once the fed shapes are (a Shape of a fully known input),
  // which later shape functions read as constants; a deque keeps them in place.
  std::deque<Tensor> folded;
};

struct Plan {
  std::vector<PlanStep> steps;
  std::vector<int> feed_slots;   // one per feed, in the order of the key
  std::vector<int> fetch_slots;  // one per fetch
  int num_slots = 0;
  // The last step that reads each slot (steps.size() for fetched slots, -1 for
  // unread), extended through aliases: a value lives as long as what forwards it.
  std::vector<int> last_use;
  std::string description;  // for debug logs

  // Independent branches: steps that compute (conv, elementwise) fall into
  // branches that share no computed tensor, e.g. the two towers of a
  // shared-weight model. branch[s] is the step's branch, or -1 for the cheap
  // steps (reads, constants, fills) that run before the branches.
  std::vector<int> branch;
  int num_branches = 0;
  std::vector<size_t> source_steps;               // branch -1, in order
  std::vector<std::vector<size_t>> branch_steps;  // each branch's steps, in order
  bool writes_variables = false;                  // branches never reorder around a write

  // Whether to run the branches side by side is measured on the first runs.
  enum Mode { kUndecided, kSerial, kBranches };
  std::atomic<int> mode{kUndecided};
  std::mutex timing_mu;
  double best_seconds[3] = {0, std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::infinity()};
  int trials[3] = {0, 0, 0};

  std::mutex signatures_mu;
  std::vector<std::shared_ptr<const Signature>> signatures;  // oldest first
};

struct PlanOptions {
  bool fuse = true;
};

// Prunes the graph to what the fetches and targets need (fed tensors cut
// their inputs off), orders it, rewrites chains by the fusion table when
// allowed, creates kernels, and works out when each value dies.
std::unique_ptr<Plan> build_plan(const std::vector<Output>& feeds, const std::vector<Output>& fetches,
                                 const std::vector<Operation>& targets, const PlanOptions& options);

// The plan's shapes for these fed shapes, made (and its kernels prepared for
// `thread_counts`) on first use. InvalidArgumentError when the fed shapes
// break an op's shape rule.
std::shared_ptr<const Signature> signature_for(Plan& plan, const std::vector<Shape>& feed_shapes,
                                               const kernels::CpuDevice& device,
                                               const std::vector<int>& thread_counts);

}  // namespace minitf::detail
