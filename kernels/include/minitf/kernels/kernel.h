#pragma once
// CPU kernels: one per op type, registered explicitly, run by the session.
#include <functional>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf::kernels {

// How kernels reach variable values; the session implements it.
class VariableAccess {
 public:
  virtual ~VariableAccess() = default;
  // The current value; FailedPreconditionError when never assigned.
  virtual Tensor read(const Operation& variable) = 0;
  virtual void assign(const Operation& variable, Tensor value) = 0;
};

// The threads kernels may use: an Eigen thread pool and oneDNN's OpenMP team size.
class CpuDevice {
 public:
  // ResourceExhaustedError when the system refuses the threads.
  explicit CpuDevice(int num_threads, size_t max_conv_primitives = 16);
  ~CpuDevice();
  CpuDevice(const CpuDevice&) = delete;
  CpuDevice& operator=(const CpuDevice&) = delete;
  int num_threads() const { return num_threads_; }
  // How many oneDNN primitives (one per input shape) a convolution keeps.
  size_t max_conv_primitives() const { return max_conv_primitives_; }

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  int num_threads_;
  size_t max_conv_primitives_;
  std::unique_ptr<Impl> impl_;
};

// What a kernel is made for: one node of a plan. Usually an op of the graph;
// after a rewrite, an internal op (`_FusedConv2D`) standing for several.
struct NodeInfo {
  std::string name;  // the graph op's name (for a fusion, its last op's)
  std::string type;
  AttrMap attrs;  // complete: defaults filled in
  Operation op;   // the graph op it was made from (for a fusion, its first)

  template <class T>
  const T& attr(const std::string& key) const {
    auto it = attrs.find(key);
    if (it == attrs.end() || !std::holds_alternative<T>(it->second)) {
      throw ValueError("Op '" + name + "' (op: '" + type + "') has no attribute '" + key + "' of that type");
    }
    return std::get<T>(it->second);
  }
};

// What one kernel invocation sees. An output may arrive holding a buffer of
// the right dtype and shape (from the session's arena); a kernel that
// computes into its output then writes there instead of allocating.
struct KernelContext {
  std::span<const Tensor* const> inputs;
  std::span<Tensor* const> outputs;
  // The plan's dtype and shape of each output, from the op's shape function
  // on this run's fed shapes (a dim is -1 only where a value decides it).
  std::span<const TensorSpec> output_specs;
  VariableAccess& variables;
  const CpuDevice& device;
  // Threads this invocation may use: the device's, or fewer when the session
  // runs independent branches side by side (then 1 means: stay on this thread).
  int num_threads;

  const Tensor& input(size_t i) const { return *inputs[i]; }
  Tensor& output(size_t i) const { return *outputs[i]; }
  // Output i as a tensor of this dtype and shape: the arena's buffer when it
  // fits and no one else holds it, a new buffer otherwise.
  Tensor& allocate_output(size_t i, DType dtype, const Shape& shape) const;
  // Output i with the plan's dtype and shape.
  Tensor& allocate_output(size_t i) const;
};

// What a kernel learns once per plan and fed-shape signature, before it runs.
struct PrepareContext {
  std::span<const TensorSpec> inputs;
  std::span<const TensorSpec> outputs;
  const CpuDevice& device;
  std::span<const int> thread_counts;  // every num_threads compute() may be called with
  // The values of inputs that are constants (a Const's value), null where not known.
  std::span<const Tensor* const> values = {};
};

// One node's kernel. A plan creates one per node and may call compute() from
// several threads at once, so compute() must be thread-safe. A kernel may
// throw ValueError for run-time shapes that break an op's shape rule (the
// shared rules in graph/ do); the session reports those as InvalidArgumentError.
class OpKernel {
 public:
  explicit OpKernel(NodeInfo node) : node_(std::move(node)) {}
  virtual ~OpKernel() = default;
  virtual void compute(KernelContext& ctx) = 0;
  // Work that depends only on shapes (oneDNN primitives), done when a plan is
  // made for a new fed-shape signature, before its first run. Thread-safe.
  // (A kernel whose bounded cache has since dropped that work redoes it in
  // compute(): a plan fed more shapes than the cache holds.)
  virtual void prepare(const PrepareContext& /*ctx*/) {}
  // False for kernels whose outputs alias something else (a variable, a
  // constant, an input): the session gives their outputs no arena space.
  virtual bool allocates_outputs() const { return true; }
  // Which inputs are constant between runs in the plan that owns this kernel
  // (a Const, a variable's value, or what forwards them: see OpDef). Called
  // once, before prepare(). Kernels may cache work derived from such inputs,
  // keyed by their buffer (an assign or restore gives a variable a new
  // buffer); anything else (computed, fed) must be read afresh every run.
  virtual void set_constant_inputs(const std::vector<bool>& /*constant*/) {}
  const NodeInfo& node() const { return node_; }
  // "'foo/Conv2D' (op: 'Conv2D')", for error messages.
  std::string what() const { return "'" + node_.name + "' (op: '" + node_.type + "')"; }

 private:
  NodeInfo node_;
};

using KernelFactory = std::function<std::unique_ptr<OpKernel>(const NodeInfo&)>;

// Kernels by op type: the built-in ones and any a user registers.
class KernelRegistry {
 public:
  void add(const std::string& type, KernelFactory factory);
  bool has(const std::string& type) const;
  // A kernel for `node`; NotFoundError when no kernel handles its type.
  std::unique_ptr<OpKernel> create(const NodeInfo& node) const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, KernelFactory> factories_;
};

// The process's registry: every built-in kernel (registered explicitly on
// first use, never by static initializers) plus those added by register_kernel.
KernelRegistry& kernel_registry();
// Adds a CPU kernel for `type`; AlreadyExistsError when the type has one.
void register_kernel(const std::string& type, KernelFactory factory);

}  // namespace minitf::kernels
