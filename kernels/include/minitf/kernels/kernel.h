#pragma once
// CPU kernels: one per op type, registered explicitly, run by the session.
#include <functional>
#include <memory>
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

// What one kernel invocation sees. An output may arrive holding a buffer of
// the right dtype and shape (from the session's arena); a kernel that
// computes into its output then writes there instead of allocating.
struct KernelContext {
  std::span<const Tensor* const> inputs;
  std::span<Tensor* const> outputs;
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
};

// One op's kernel. A plan creates one per op and may call compute() from
// several threads at once, so compute() must be thread-safe. A kernel may
// throw ValueError for run-time shapes that break an op's shape rule (the
// shared rules in graph/ do); the session reports those as InvalidArgumentError.
class OpKernel {
 public:
  explicit OpKernel(Operation op) : op_(std::move(op)) {}
  virtual ~OpKernel() = default;
  virtual void compute(KernelContext& ctx) = 0;
  // False for kernels whose outputs alias something else (a variable, a
  // constant, an input): the session gives their outputs no arena space.
  virtual bool allocates_outputs() const { return true; }
  // The input whose buffer output `i` is (Identity forwards input 0), or -1
  // when the kernel does not forward one. The plan keeps that input's buffer
  // alive, and out of reuse, for as long as the output is needed.
  virtual int forwarded_input(size_t /*i*/) const { return -1; }
  // True when every output holds the same buffer, unchanged, on every run until
  // a variable is assigned or restored (which gives it a new buffer): a
  // constant or a variable's value.
  virtual bool outputs_constant_between_runs() const { return false; }
  // Which inputs are constant between runs in the plan that owns this kernel
  // (see above; a forwarded constant is constant). Called once, before the
  // first compute(). Kernels may cache work derived from such inputs, keyed by
  // their buffer; anything else (computed, fed) must be read afresh every run.
  virtual void set_constant_inputs(const std::vector<bool>& /*constant*/) {}
  const Operation& op() const { return op_; }
  // "'foo/Conv2D' (op: 'Conv2D')", for error messages.
  std::string what() const { return "'" + op_.name() + "' (op: '" + op_.type() + "')"; }

 private:
  Operation op_;
};

using KernelFactory = std::function<std::unique_ptr<OpKernel>(const Operation&)>;

// Kernels by op type. Filled by register_builtin_kernels(), never by static initializers.
class KernelRegistry {
 public:
  void add(const std::string& type, KernelFactory factory);
  bool has(const std::string& type) const { return factories_.count(type) > 0; }
  // A kernel for `op`; ValueError when no kernel handles its type.
  std::unique_ptr<OpKernel> create(const Operation& op) const;

 private:
  std::unordered_map<std::string, KernelFactory> factories_;
};

void register_builtin_kernels(KernelRegistry& registry);
// The registry with every built-in kernel, made on first use.
const KernelRegistry& builtin_kernels();

// A convolution with bias and relu fused into it (the session's rewrite of
// Conv2D -> BiasAdd/Add -> Relu). `conv` is the Conv2D op; inputs are
// (input, filter[, bias]).
std::unique_ptr<OpKernel> make_fused_conv2d(const Operation& conv, bool with_bias, bool with_relu);

}  // namespace minitf::kernels
