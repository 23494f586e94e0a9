#include <minitf/graph/graph.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "node.h"

namespace minitf {
namespace detail {

// What the graph keeps of a variable: plain pointers to its nodes.
struct VariableRecord {
  const Node* variable;
  const Node* initializer;
  NodeOut snapshot;
  NodeOut initial_value;
  bool trainable;
  std::string defined_at;
};

struct GraphState : std::enable_shared_from_this<GraphState> {
  mutable std::mutex mu;
  uint64_t id = 0;
  std::deque<Node> nodes;
  std::unordered_map<std::string, int64_t> by_name;
  std::unordered_map<std::string, int> names_in_use;  // lower-cased, as TF 1.15
  std::vector<VariableRecord> variables;
  std::map<std::string, std::vector<size_t>> collections;      // indices into variables
  std::map<std::string, std::vector<int64_t>> op_collections;  // op ids, in insertion order
  std::unordered_map<int64_t, size_t> variables_by_op;
  std::map<std::string, std::shared_ptr<void>> extensions;
  int64_t seed = -1;
  int64_t last_seed_id = 0;
  // Each thread's stack of open name scopes, (token, full scope), innermost
  // last. Kept here, not in thread_local storage, so it dies with the graph;
  // a thread's entry goes when its stack empties.
  std::mutex scopes_mu;
  std::unordered_map<uint64_t, std::vector<std::pair<uint64_t, std::string>>> name_scopes;  // by thread key
  uint64_t next_scope_token = 1;
};

}  // namespace detail

namespace {

std::atomic<uint64_t> next_graph_id{1};

Operation handle(const std::shared_ptr<detail::GraphState>& state, const detail::Node* node) {
  return detail::GraphAccess::op(std::shared_ptr<const detail::Node>(state, node));
}

std::shared_ptr<const VariableDef> make_def(const std::shared_ptr<detail::GraphState>& state,
                                            const detail::VariableRecord& r) {
  return std::make_shared<VariableDef>(VariableDef{
      handle(state, r.variable), handle(state, r.initializer),
      Output(handle(state, r.snapshot.node), r.snapshot.index),
      Output(handle(state, r.initial_value.node), r.initial_value.index), r.trainable, r.defined_at});
}

detail::NodeOut edge(const Output& o) { return {&detail::GraphAccess::node(o.op()), o.index()}; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A thread's default graphs: the stack of as_default() guards and the global
// one. Guards hold it by shared_ptr, so one destroyed on another thread (or
// after this thread ended) still removes exactly its own entry.
struct DefaultGraphs {
  std::mutex mu;
  Graph global = detail::GraphAccess::graph(nullptr);  // made on first use
  std::vector<std::pair<uint64_t, Graph>> stack;
  uint64_t next_token = 1;
};

const std::shared_ptr<DefaultGraphs>& default_graphs() {
  thread_local const std::shared_ptr<DefaultGraphs> d = std::make_shared<DefaultGraphs>();
  return d;
}

bool is_op_char(char c, bool first) {
  const bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
  if (first) return alnum || c == '.';
  return alnum || c == '_' || c == '.' || c == '\\' || c == '/' || c == '>' || c == '-';
}

}  // namespace

bool is_valid_op_name(std::string_view name) {
  if (name.empty() || !is_op_char(name[0], true)) return false;
  return std::all_of(name.begin() + 1, name.end(), [](char c) { return is_op_char(c, false); });
}

bool is_valid_scope_name(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) { return is_op_char(c, false); });
}

// ---- Operation and Output ----

const detail::Node& Operation::node() const {
  if (!node_) throw ValueError("Operation handle is empty");
  return *node_;
}
const std::string& Operation::name() const { return node().name; }
const std::string& Operation::type() const { return node().type; }
std::vector<Output> Operation::inputs() const {
  std::vector<Output> outs;
  for (const detail::NodeOut& in : node().inputs) {
    outs.emplace_back(Operation(std::shared_ptr<const detail::Node>(node_, in.node)), in.index);
  }
  return outs;
}
int Operation::num_outputs() const { return static_cast<int>(node().outputs.size()); }
std::vector<Output> Operation::outputs() const {
  std::vector<Output> outs;
  for (int i = 0; i < num_outputs(); ++i) outs.emplace_back(*this, i);
  return outs;
}
Output Operation::output(int index) const { return Output(*this, index); }
std::vector<Operation> Operation::control_inputs() const {
  std::vector<Operation> ops;
  for (const detail::Node* c : node().control_inputs)
    ops.push_back(detail::GraphAccess::op(std::shared_ptr<const detail::Node>(node_, c)));
  return ops;
}
int64_t Operation::id() const { return node().id; }
bool Operation::in_graph(const Graph& graph) const {
  return node_ && node_->graph == detail::GraphAccess::state(graph).get();
}
bool Operation::has_attr(const std::string& key) const { return node().attrs.count(key) > 0; }
const AttrMap& Operation::attrs() const { return node().attrs; }
const AttrValue& Operation::raw_attr(const std::string& key) const {
  auto it = node().attrs.find(key);
  if (it == node().attrs.end()) {
    throw ValueError("Op '" + name() + "' of type " + type() + " has no attribute '" + key + "'");
  }
  return it->second;
}

Output::Output(Operation op, int index) : op_(std::move(op)), index_(index) {
  if (index < 0 || index >= op_.num_outputs()) {
    throw ValueError("Op '" + op_.name() + "' has " + std::to_string(op_.num_outputs()) +
                     " outputs, no output " + std::to_string(index));
  }
}
std::string Output::name() const { return op_.name() + ":" + std::to_string(index_); }
const Shape& Output::shape() const {
  return detail::GraphAccess::node(op_).outputs[static_cast<size_t>(index_)].second;
}
DType Output::dtype() const {
  return detail::GraphAccess::node(op_).outputs[static_cast<size_t>(index_)].first;
}

// ---- Graph ----

Graph::Graph() : state_(std::make_shared<detail::GraphState>()) { state_->id = next_graph_id.fetch_add(1); }

uint64_t Graph::id() const { return state_->id; }

Graph graph_of(const Operation& op) {
  return detail::GraphAccess::graph(detail::GraphAccess::node(op).graph->shared_from_this());
}

Operation Graph::get_operation_by_name(std::string_view name) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->by_name.find(std::string(name));
  if (it == state_->by_name.end()) {
    throw ValueError("The name '" + std::string(name) + "' refers to an Operation not in the graph.");
  }
  return handle(state_, &state_->nodes[static_cast<size_t>(it->second)]);
}

Output Graph::get_tensor_by_name(std::string_view name) const {
  const auto colon = name.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == name.size()) {
    throw ValueError("The name '" + std::string(name) +
                     "' looks like an Operation name, not a Tensor name ('op:0').");
  }
  const std::string_view index_text = name.substr(colon + 1);
  if (!std::all_of(index_text.begin(), index_text.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
      index_text.size() > 6) {
    throw ValueError("The name '" + std::string(name) + "' has a bad output index.");
  }
  Operation op = get_operation_by_name(name.substr(0, colon));
  const int index = std::stoi(std::string(index_text));
  if (index >= op.num_outputs()) {
    throw ValueError("The name '" + std::string(name) +
                     "' refers to a Tensor which does not exist. The operation, '" + op.name() +
                     "', exists but only has " + std::to_string(op.num_outputs()) + " outputs.");
  }
  return Output(op, index);
}

std::vector<Operation> Graph::operations() const {
  std::lock_guard lock(state_->mu);
  std::vector<Operation> ops;
  ops.reserve(state_->nodes.size());
  for (auto& n : state_->nodes) ops.push_back(Operation(std::shared_ptr<const detail::Node>(state_, &n)));
  return ops;
}

Operation Graph::operation_at(int64_t id) const {
  std::lock_guard lock(state_->mu);
  if (id < 0 || id >= static_cast<int64_t>(state_->nodes.size())) {
    throw ValueError("No operation with id " + std::to_string(id));
  }
  return Operation(std::shared_ptr<const detail::Node>(state_, &state_->nodes[static_cast<size_t>(id)]));
}

int64_t Graph::num_operations() const {
  std::lock_guard lock(state_->mu);
  return static_cast<int64_t>(state_->nodes.size());
}

std::string Graph::unique_name(std::string_view name, bool mark_as_used) {
  const std::string stack = name_scope_name();
  std::string full = stack.empty() ? std::string(name) : stack + "/" + std::string(name);
  const std::string base_key = lower(full);
  std::lock_guard lock(state_->mu);
  auto& in_use = state_->names_in_use;
  auto found = in_use.find(base_key);
  int i = found == in_use.end() ? 0 : found->second;
  if (mark_as_used) in_use[base_key] = i + 1;
  if (i > 0) {
    std::string key = base_key;
    while (in_use.count(key)) key = base_key + "_" + std::to_string(i++);
    if (mark_as_used) in_use[key] = 1;
    full += "_" + std::to_string(i - 1);
  }
  return full;
}

std::string Graph::name_scope_name() const {
  std::lock_guard lock(state_->scopes_mu);
  auto it = state_->name_scopes.find(detail::this_thread_key());
  return it == state_->name_scopes.end() || it->second.empty() ? std::string() : it->second.back().second;
}

uint64_t Graph::push_name_scope(std::string scope) {
  std::lock_guard lock(state_->scopes_mu);
  const uint64_t token = state_->next_scope_token++;
  state_->name_scopes[detail::this_thread_key()].emplace_back(token, std::move(scope));
  return token;
}

void Graph::pop_name_scope(uint64_t token) {
  std::lock_guard lock(state_->scopes_mu);
  // Usually the top of this thread's stack; a guard destroyed out of order or
  // on another thread removes its own entry wherever it is, and nothing else.
  auto remove_from = [&](auto it) {
    auto& stack = it->second;
    for (auto e = stack.rbegin(); e != stack.rend(); ++e) {
      if (e->first != token) continue;
      stack.erase(std::next(e).base());
      if (stack.empty()) state_->name_scopes.erase(it);
      return true;
    }
    return false;
  };
  if (auto it = state_->name_scopes.find(detail::this_thread_key());
      it != state_->name_scopes.end() && remove_from(it)) {
    return;
  }
  for (auto it = state_->name_scopes.begin(); it != state_->name_scopes.end(); ++it) {
    if (remove_from(it)) return;
  }
}

Operation Graph::add_node(NodeSpec spec) {
  if (!is_valid_op_name(spec.name)) {
    throw ValueError("'" + spec.name + "' is not a valid node name");
  }
  for (const Output& in : spec.inputs) {
    if (in.empty() || in.op().node().graph != state_.get()) {
      throw ValueError("Input to op '" + spec.name + "' (" + spec.type + ") " +
                       (in.empty() ? std::string("is empty")
                                   : "'" + in.name() + "' must be from the same graph as the op"));
    }
  }
  for (const Operation& c : spec.control_inputs) {
    if (c.empty() || c.node().graph != state_.get()) {
      throw ValueError("Control input of op '" + spec.name + "' is empty or from another graph");
    }
  }
  std::lock_guard lock(state_->mu);
  if (state_->by_name.count(spec.name)) {
    throw ValueError("Duplicate node name in graph: '" + spec.name + "'");
  }
  const auto id = static_cast<int64_t>(state_->nodes.size());
  detail::Node& n = state_->nodes.emplace_back();
  n.graph = state_.get();
  n.id = id;
  n.name = std::move(spec.name);
  n.type = std::move(spec.type);
  for (const Output& in : spec.inputs) n.inputs.push_back(edge(in));
  for (const Operation& c : spec.control_inputs) n.control_inputs.push_back(&c.node());
  n.attrs = std::move(spec.attrs);
  n.outputs = std::move(spec.outputs);
  state_->by_name.emplace(n.name, id);
  // Mark the exact name as used so that a later unique_name never returns it.
  auto& count = state_->names_in_use[lower(n.name)];
  count = std::max(count, 1);
  return Operation(std::shared_ptr<const detail::Node>(state_, &n));
}

void Graph::add_to_collection(const std::string& key, const VariableDef& var) {
  for (const Operation& op : {var.variable, var.initializer, var.snapshot.op(), var.initial_value.op()}) {
    if (!op.in_graph(*this)) throw ValueError("A variable's ops must belong to the graph of its collection");
  }
  std::lock_guard lock(state_->mu);
  auto [it, added] = state_->variables_by_op.emplace(var.variable.id(), state_->variables.size());
  if (added) {
    state_->variables.push_back(detail::VariableRecord{&var.variable.node(), &var.initializer.node(),
                                                       edge(var.snapshot), edge(var.initial_value),
                                                       var.trainable, var.defined_at});
  }
  state_->collections[key].push_back(it->second);
}

std::vector<std::shared_ptr<const VariableDef>> Graph::get_collection(const std::string& key) const {
  std::lock_guard lock(state_->mu);
  std::vector<std::shared_ptr<const VariableDef>> defs;
  if (auto it = state_->collections.find(key); it != state_->collections.end()) {
    for (size_t i : it->second) defs.push_back(make_def(state_, state_->variables[i]));
  }
  return defs;
}

void Graph::add_to_collection(const std::string& key, const Operation& op) {
  if (op.empty() || !op.in_graph(*this)) {
    throw ValueError("An op added to collection '" + key + "' must belong to the graph");
  }
  std::lock_guard lock(state_->mu);
  state_->op_collections[key].push_back(op.id());
}

std::vector<Operation> Graph::get_operation_collection(const std::string& key) const {
  std::vector<int64_t> ids;
  {
    std::lock_guard lock(state_->mu);
    if (auto it = state_->op_collections.find(key); it != state_->op_collections.end()) ids = it->second;
  }
  std::vector<Operation> ops;
  for (int64_t id : ids) ops.push_back(operation_at(id));
  return ops;
}

std::shared_ptr<const VariableDef> Graph::variable_of(const Operation& op) const {
  if (!op.in_graph(*this)) return nullptr;
  std::lock_guard lock(state_->mu);
  auto it = state_->variables_by_op.find(op.id());
  return it == state_->variables_by_op.end() ? nullptr : make_def(state_, state_->variables[it->second]);
}

int64_t Graph::seed() const {
  std::lock_guard lock(state_->mu);
  return state_->seed;
}
void Graph::set_seed(int64_t seed) {
  std::lock_guard lock(state_->mu);
  state_->seed = seed;
}
int64_t Graph::next_seed_id() {
  std::lock_guard lock(state_->mu);
  return ++state_->last_seed_id;
}

std::shared_ptr<void> Graph::extension_impl(const char* key, std::shared_ptr<void> (*make)()) const {
  std::lock_guard lock(state_->mu);
  auto& slot = state_->extensions[key];
  if (!slot) slot = make();
  return slot;
}

// ---- Threads ----

namespace {
std::atomic<uint64_t> next_thread_key{1};
}  // namespace

uint64_t detail::this_thread_key() {
  thread_local const uint64_t key = next_thread_key.fetch_add(1);
  return key;
}

std::weak_ptr<const void> detail::this_thread_alive() {
  thread_local const std::shared_ptr<const char> alive = std::make_shared<const char>('\0');
  return alive;
}

// ---- Default graph ----

Graph::DefaultGuard::DefaultGuard(const Graph& g) : owner_(default_graphs()) {
  auto& d = *std::static_pointer_cast<DefaultGraphs>(owner_);
  std::lock_guard lock(d.mu);
  token_ = d.next_token++;
  d.stack.emplace_back(token_, g);
}

Graph::DefaultGuard::~DefaultGuard() {
  // Removes this guard's own entry, so guards destroyed out of order (or on
  // another thread) leave the right graph default.
  auto& d = *std::static_pointer_cast<DefaultGraphs>(owner_);
  std::lock_guard lock(d.mu);
  auto it = std::find_if(d.stack.begin(), d.stack.end(), [&](const auto& e) { return e.first == token_; });
  if (it != d.stack.end()) d.stack.erase(it);
}

Graph get_default_graph() {
  DefaultGraphs& d = *default_graphs();
  std::lock_guard lock(d.mu);
  if (!d.stack.empty()) return d.stack.back().second;
  if (!detail::GraphAccess::state(d.global)) d.global = Graph();
  return d.global;
}

void reset_default_graph() {
  DefaultGraphs& d = *default_graphs();
  std::lock_guard lock(d.mu);
  if (!d.stack.empty()) {
    throw ValueError(
        "Do not use reset_default_graph() to clear nested graphs: a Graph::as_default() guard is alive");
  }
  d.global = Graph();
}

void set_random_seed(int64_t seed) { get_default_graph().set_seed(seed); }

}  // namespace minitf
