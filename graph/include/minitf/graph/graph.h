#pragma once
// The dataflow graph: operations, their outputs, the name registry and collections.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>
#include <variant>
#include <vector>

#include <minitf/graph/dtype.h>
#include <minitf/graph/errors.h>
#include <minitf/graph/shape.h>
#include <minitf/graph/tensor.h>

namespace minitf {

namespace detail {
struct Node;
struct GraphState;
struct GraphAccess;  // graph/src's own way in
}  // namespace detail

class Graph;
class Output;
struct GraphDef;  // <minitf/graph/graph_def.h>

// An attribute value of an operation (TF's AttrValue, minus what we never use).
using AttrValue = std::variant<int64_t, float, bool, std::string, std::vector<int64_t>,
                               std::vector<std::string>, Shape, DType, Tensor>;
// An op's attributes by name.
using AttrMap = std::map<std::string, AttrValue>;
// A value's dtype and (possibly partial) shape.
using TensorSpec = std::pair<DType, Shape>;

// An op name as builders take it (`tf::relu(x, "r")`). It is made from a
// string only: a braced list of numbers, such as a misplaced strides or
// dilations argument, never converts to a name.
class OpName {
 public:
  OpName() = default;
  OpName(const char* name) : name_(name) {}             // NOLINT: implicit by design
  OpName(std::string name) : name_(std::move(name)) {}  // NOLINT
  OpName(std::string_view name) : name_(name) {}        // NOLINT
  const std::string& str() const { return name_; }
  operator const std::string&() const { return name_; }  // NOLINT
  bool empty() const { return name_.empty(); }

 private:
  std::string name_;
};

// A node of the graph. A cheap handle; a default-constructed one is empty.
class Operation {
 public:
  Operation() = default;

  bool empty() const { return !node_; }
  const std::string& name() const;
  const std::string& type() const;
  std::vector<Output> inputs() const;
  std::vector<Output> outputs() const;
  int num_outputs() const;
  Output output(int index) const;
  // Operations that must run before this one (TF's control inputs).
  std::vector<Operation> control_inputs() const;
  // The attribute `key`; throws ValueError naming the op when absent or of another type.
  template <class T>
  const T& attr(const std::string& key) const;
  bool has_attr(const std::string& key) const;
  // Every attribute, by name.
  const AttrMap& attrs() const;
  // Position in the graph's creation order (unique per graph).
  int64_t id() const;
  // True when this op belongs to `graph`.
  bool in_graph(const Graph& graph) const;

  friend bool operator==(const Operation& a, const Operation& b) { return a.node_ == b.node_; }

 private:
  friend class Graph;
  friend struct detail::GraphAccess;
  explicit Operation(std::shared_ptr<const detail::Node> node) : node_(std::move(node)) {}
  const detail::Node& node() const;
  const AttrValue& raw_attr(const std::string& key) const;
  std::shared_ptr<const detail::Node> node_;
};

// A symbolic tensor: output `index` of an operation. A default-constructed one is empty.
class Output {
 public:
  Output() = default;
  Output(Operation op, int index);

  bool empty() const { return op_.empty(); }
  const Operation& op() const { return op_; }
  int index() const { return index_; }
  // "foo/add:0"
  std::string name() const;
  const Shape& shape() const;
  DType dtype() const;

  friend bool operator==(const Output& a, const Output& b) { return a.op_ == b.op_ && a.index_ == b.index_; }

 private:
  Operation op_;
  int index_ = 0;
};

// What the graph records of a variable, as TF's VariableDef: its ops and flags.
struct VariableDef {
  Operation variable;     // the VariableV2 op, "foo/v"
  Operation initializer;  // the Assign op, "foo/v/Assign"
  Output snapshot;        // the Identity, "foo/v/read:0"
  Output initial_value;   // what Assign writes
  bool trainable = true;
  std::string defined_at;  // "file:line" of the call that created it
};

// What a new node is made of; the graph gives it its final name.
struct NodeSpec {
  std::string type;
  std::string name;  // a full name, already unique (see Graph::unique_name)
  std::vector<Output> inputs;
  std::vector<Operation> control_inputs;
  AttrMap attrs;
  std::vector<TensorSpec> outputs;
};

// Collection keys, as TF's GraphKeys.
inline constexpr const char* kGlobalVariables = "variables";
inline constexpr const char* kTrainableVariables = "trainable_variables";
// tf.GraphKeys.UPDATE_OPS: ops a training step must also run (batch normalization's moving averages).
inline constexpr const char* kUpdateOps = "update_ops";

// A dataflow graph. Copies are handles to the same graph; `Graph()` makes a new one.
class Graph {
 public:
  Graph();

  // Makes this graph the calling thread's default until the guard dies.
  // Guards destroyed out of order, or on another thread, each remove only
  // their own graph: the default is always the newest live guard's graph.
  class [[nodiscard]] DefaultGuard {
   public:
    explicit DefaultGuard(const Graph& g);
    ~DefaultGuard();
    DefaultGuard(const DefaultGuard&) = delete;
    DefaultGuard& operator=(const DefaultGuard&) = delete;

   private:
    std::shared_ptr<void> owner_;  // the thread's stack of default graphs
    uint64_t token_ = 0;
  };
  [[nodiscard]] DefaultGuard as_default() const { return DefaultGuard(*this); }

  Operation get_operation_by_name(std::string_view name) const;
  Output get_tensor_by_name(std::string_view name) const;
  // Every operation, in creation order.
  std::vector<Operation> operations() const;
  // The operation with creation id `id`.
  Operation operation_at(int64_t id) const;
  int64_t num_operations() const;

  // The name registry (TF's Graph.unique_name): prefixes the current name
  // scope, then appends _1, _2, ... until the name is free (case-insensitive).
  std::string unique_name(std::string_view name, bool mark_as_used = true);
  // The calling thread's current name scope, without trailing '/' ("" at the root).
  std::string name_scope_name() const;
  // Opens `scope` (a full name, "" for the root) as the calling thread's name
  // scope until pop_name_scope(token): what name_scope guards use. Popping
  // out of order, or from another thread, removes only that entry.
  uint64_t push_name_scope(std::string scope);
  void pop_name_scope(uint64_t token);

  // Adds a node; its name must be a valid op name not yet used as an op.
  Operation add_node(NodeSpec spec);

  void add_to_collection(const std::string& key, const VariableDef& var);
  std::vector<std::shared_ptr<const VariableDef>> get_collection(const std::string& key) const;
  // Collections of operations (TF's UPDATE_OPS), in the order added.
  void add_to_collection(const std::string& key, const Operation& op);
  std::vector<Operation> get_operation_collection(const std::string& key) const;
  // The variable whose VariableV2 op is `op`, or null.
  std::shared_ptr<const VariableDef> variable_of(const Operation& op) const;

  // Graph-level random seed (tf.set_random_seed); -1 when unset.
  int64_t seed() const;
  void set_seed(int64_t seed);
  // A fresh number for ops without their own seed (TF's graph._last_id use).
  int64_t next_seed_id();

  // A unique number for this graph, never reused in the process.
  uint64_t id() const;
  friend bool operator==(const Graph& a, const Graph& b) { return a.state_ == b.state_; }

  // The graph as TF's GraphDef: every op in creation order with its inputs
  // and attributes (TF's names). Include <minitf/graph/graph_def.h> to use it.
  GraphDef as_graph_def() const;

  // Per-graph state of another layer (the variable store lives here).
  template <class T>
  std::shared_ptr<T> extension() const {
    return std::static_pointer_cast<T>(extension_impl(
        typeid(T).name(), [] { return std::static_pointer_cast<void>(std::make_shared<T>()); }));
  }

 private:
  friend struct detail::GraphAccess;
  explicit Graph(std::shared_ptr<detail::GraphState> state) : state_(std::move(state)) {}
  std::shared_ptr<void> extension_impl(const char* key, std::shared_ptr<void> (*make)()) const;
  std::shared_ptr<detail::GraphState> state_;
};

// The graph of an operation.
Graph graph_of(const Operation& op);

// The calling thread's default graph (a per-thread global one when none is
// set). A handle: it stays valid after reset_default_graph() or after its
// as_default() guard dies, as a Python reference to a TF graph does.
Graph get_default_graph();
// Starts a new per-thread global graph. ValueError inside an as_default() guard.
void reset_default_graph();
// Sets the default graph's random seed.
void set_random_seed(int64_t seed);

// TF's op-name and scope-name rules.
bool is_valid_op_name(std::string_view name);
bool is_valid_scope_name(std::string_view name);

namespace detail {
// A number for the calling thread that is never reused in the process
// (std::thread::id is reused once a thread is joined, and per-thread state
// keyed by it would pass to the next thread).
uint64_t this_thread_key();
// Expires when the calling thread ends: per-thread entries kept elsewhere
// hold it, so they can be dropped once their thread is gone.
std::weak_ptr<const void> this_thread_alive();

}  // namespace detail

template <class T>
const T& Operation::attr(const std::string& key) const {
  const AttrValue& v = raw_attr(key);
  if (const T* p = std::get_if<T>(&v)) return *p;
  throw ValueError("Attribute '" + key + "' of op '" + name() + "' has another type");
}

}  // namespace minitf
