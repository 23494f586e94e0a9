#pragma once
// The plan's rewrite: ops of the graph become the nodes a plan runs, with the
// chains of the op registry's fusion table replaced by one internal op each.
#include <set>
#include <utility>
#include <vector>

#include <minitf/graph/graph.h>
#include <minitf/kernels/kernel.h>
#include <minitf/ops/op_def.h>

namespace minitf::detail {

using ValueKey = std::pair<int64_t, int>;  // (op id, output index)
inline ValueKey key_of(const Output& o) { return {o.op().id(), o.index()}; }

// One node a plan runs: an op of the graph, or an internal op standing for a chain.
struct PlanNode {
  kernels::NodeInfo node;
  const OpDef* def = nullptr;
  std::vector<Output> inputs;  // an empty Output: a reference input, which passes no value
  std::vector<TensorSpec> input_specs;
  std::vector<Output> outputs;
  int64_t position = 0;  // the id of the last op it stands for: all its inputs come before
};

// `order` (a topological order of the ops a plan needs) as plan nodes, in an
// order that keeps every input before its use. With `fuse`, a chain of the
// fusion table whose inner values nothing else reads (and that are not in
// `pinned`: fed or fetched) becomes one node.
std::vector<PlanNode> rewrite(const std::vector<Operation>& order, const std::set<ValueKey>& pinned,
                              bool fuse);

}  // namespace minitf::detail
