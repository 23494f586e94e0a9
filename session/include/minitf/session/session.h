#pragma once
// Sessions: run a graph on CPU with feeds, fetches and variable state.
#include <concepts>
#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf {

// How a run executes independent branches (e.g. the towers of a shared-weight model).
enum class Branches {
  Auto,      // measure both ways on the first runs of each plan and keep the faster
  Serial,    // one after the other, each using every thread
  Parallel,  // side by side, the threads split between them
};

struct SessionOptions {
  // Threads for oneDNN and Eigen; 0 means every core.
  int num_threads = 0;
  // Apply the fusion table of the op definitions when planning: Conv2D or
  // DepthwiseConv2dNative + bias or FusedBatchNormV3 (folded into the
  // weights) + Relu/Relu6, and MatMul + bias + Relu, each run as one fused op
  // (one oneDNN primitive). The name is older than the MatMul rule.
  bool fuse_conv = true;
  // Keep intermediate tensors in an arena planned by liveness from the op
  // definitions' shapes before the first run, so no run allocates tensor
  // buffers for them (false: allocate each time, free at last use).
  bool use_arena = true;
  Branches branches = Branches::Auto;
  // Memory idle run states may keep for later runs (their arenas and fetch
  // buffers); beyond it the least recently run plans' states are freed.
  size_t max_idle_bytes = size_t{1} << 30;
  // oneDNN primitives each oneDNN kernel keeps (convolutions, pooling,
  // softmax, matmul), one per input shapes and thread count; beyond it the
  // least recently used one is dropped.
  size_t max_conv_primitives = 16;
};

// Values fed for tensors of the graph, usually placeholders.
using FeedDict = std::vector<std::pair<Output, Tensor>>;

// TF's Session: variable values live here; two sessions over one graph are independent.
// run() may be called from several threads at once.
class Session {
 public:
  explicit Session(SessionOptions options = {});  // over the default graph
  explicit Session(const Graph& graph, SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs an operation (e.g. global_variables_initializer()).
  void run(const Operation& target, const FeedDict& feeds = {});
  Tensor run(const Output& fetch, const FeedDict& feeds = {});
  std::vector<Tensor> run(const std::vector<Output>& fetches, const FeedDict& feeds = {},
                          const std::vector<Operation>& targets = {});
  // Fetches "foo/add:0"; a name without ":i" runs that operation and returns an empty Tensor.
  Tensor run(std::string_view name, const FeedDict& feeds = {});

  // A variable's current value (a copy), by its VariableV2 op; like running
  // the op, FailedPreconditionError when it was never initialized.
  Tensor read_variable(const Operation& variable);
  // Sets a variable's value (TF's Variable.load); the dtype and shape must
  // be the variable's. Cached copies of its weights (oneDNN layouts) are
  // dropped with the old value.
  void assign_variable(const Operation& variable, const Tensor& value);
  // Sets several variables in one step, as a restore does: every value is
  // checked first (graph, dtype, shape), so a bad one changes nothing, and a
  // run sees either all of the old values or all of the new ones.
  void assign_variables(const std::vector<std::pair<Operation, Tensor>>& values);
  // The same, given a tf::Variable (anything with an op() that is its VariableV2 op).
  template <class V>
  requires requires(const V& v) {
    { v.op() } -> std::convertible_to<Operation>;
  }
  Tensor read_variable(const V& variable) { return read_variable(Operation(variable.op())); }
  template <class V>
  requires requires(const V& v) {
    { v.op() } -> std::convertible_to<Operation>;
  }
  void assign_variable(const V& variable, const Tensor& value) {
    assign_variable(Operation(variable.op()), value);
  }

  const Graph& graph() const;
  int num_threads() const;
  // How many distinct (feeds, fetches, targets) plans this session has built.
  size_t num_cached_plans() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace minitf
