#include <minitf/scope/scopes.h>

#include <algorithm>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "create_variable.h"

namespace minitf {
namespace detail {

// TF's VariableScope object.
struct ScopeData {
  std::string name;
  Reuse reuse;
  Initializer initializer;
  std::optional<DType> dtype;
  std::string name_scope;  // original_name_scope
};

}  // namespace detail

namespace {

using detail::ScopeData;

// The calling thread's variable-scope state in one graph (TF's _VariableScopeStore).
// Open scopes are a stack of (token, scope): a guard removes its own entry, so
// guards destroyed out of order never leave a dead scope current.
struct ThreadScopes {
  std::mutex mu;  // a guard may die on another thread
  const std::shared_ptr<ScopeData> root = std::make_shared<ScopeData>();
  std::vector<std::pair<uint64_t, std::shared_ptr<ScopeData>>> open;
  std::map<std::string, int> counts;  // variable_scopes_count
  uint64_t next_token = 1;

  std::shared_ptr<ScopeData> current() {
    std::lock_guard lock(mu);
    return open.empty() ? root : open.back().second;
  }
  uint64_t push(std::shared_ptr<ScopeData> scope) {
    std::lock_guard lock(mu);
    open.emplace_back(next_token, std::move(scope));
    return next_token++;
  }
  void pop(uint64_t token) {
    std::lock_guard lock(mu);
    auto it = std::find_if(open.begin(), open.end(), [&](const auto& e) { return e.first == token; });
    if (it != open.end()) open.erase(it);
  }
};

// Every thread's ThreadScopes in one graph. It lives in the graph (and dies
// with it), keyed by a thread key that is never reused; an entry goes when
// its thread has ended (TF keeps this store in threading.local).
struct GraphScopes {
  struct Entry {
    std::weak_ptr<const void> alive;
    std::shared_ptr<ThreadScopes> scopes;
  };
  std::mutex mu;
  std::unordered_map<uint64_t, Entry> threads;
};

std::shared_ptr<ThreadScopes> thread_scopes(const Graph& g) {
  auto all = g.extension<GraphScopes>();
  std::lock_guard lock(all->mu);
  const uint64_t key = detail::this_thread_key();
  if (auto it = all->threads.find(key); it != all->threads.end()) return it->second.scopes;
  std::erase_if(all->threads, [](const auto& e) { return e.second.alive.expired(); });
  auto scopes = std::make_shared<ThreadScopes>();
  all->threads.emplace(key, GraphScopes::Entry{detail::this_thread_alive(), scopes});
  return scopes;
}

// The per-graph map from full names to the VariableV2 op ids of variables made
// by get_variable. Ids, not handles: the graph owns this store, and a handle
// would keep the graph alive forever.
struct VariableStore {
  std::recursive_mutex mu;  // initializers may call get_variable
  std::map<std::string, int64_t> vars;
};

std::string join(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "/" + std::string(name);
}

std::vector<Variable> filter(const std::string& key, const std::string& scope_name) {
  std::vector<Variable> out;
  const std::string prefix = scope_name + "/";
  for (const auto& def : get_default_graph().get_collection(key)) {
    if (scope_name.empty() || def->variable.name().starts_with(prefix)) out.emplace_back(def);
  }
  return out;
}

// Puts the calling thread at the root name scope until it dies.
class NameScopeReset {
 public:
  explicit NameScopeReset(Graph& g) : g_(g), token_(g.push_name_scope("")) {}
  ~NameScopeReset() { g_.pop_name_scope(token_); }
  NameScopeReset(const NameScopeReset&) = delete;
  NameScopeReset& operator=(const NameScopeReset&) = delete;

 private:
  Graph& g_;
  uint64_t token_;
};

}  // namespace

std::ostream& operator<<(std::ostream& os, Reuse r) {
  return os << (r.is_auto() ? "AUTO_REUSE" : r ? "true" : "false");
}

// ---- VariableScope ----

ScopeData& VariableScope::checked() const {
  if (!data_) throw ValueError("VariableScope handle is empty");
  return *data_;
}
const std::string& VariableScope::name() const { return checked().name; }
Reuse VariableScope::reuse() const { return checked().reuse; }
void VariableScope::reuse_variables() { checked().reuse = true; }
const std::string& VariableScope::original_name_scope() const { return checked().name_scope; }
Initializer VariableScope::initializer() const { return checked().initializer; }
void VariableScope::set_initializer(Initializer initializer) {
  checked().initializer = std::move(initializer);
}
std::vector<Variable> VariableScope::global_variables() const {
  return filter(kGlobalVariables, checked().name);
}
std::vector<Variable> VariableScope::trainable_variables() const {
  return filter(kTrainableVariables, checked().name);
}

VariableScope get_variable_scope() { return VariableScope(thread_scopes(get_default_graph())->current()); }

// ---- name_scope ----

name_scope::name_scope(std::string_view name) : graph_(get_default_graph()) {
  const std::string current = graph_.name_scope_name();
  if (!name.empty()) {
    const bool valid = current.empty() ? is_valid_op_name(name) : is_valid_scope_name(name);
    if (!valid) throw ValueError("'" + std::string(name) + "' is not a valid scope name");
  }
  std::string scope;
  if (name.empty()) {
    scope = "";
  } else if (name.back() == '/') {
    scope = std::string(name.substr(0, name.size() - 1));
  } else {
    scope = graph_.unique_name(name);
  }
  name_ = scope.empty() ? "" : scope + "/";
  token_ = graph_.push_name_scope(std::move(scope));
}

name_scope::~name_scope() { graph_.pop_name_scope(token_); }

// ---- variable_scope ----

void variable_scope::open_name_scope(std::string_view name, bool auxiliary) {
  if (!auxiliary) {
    const std::string current = graph_.name_scope_name();
    name_scope_.emplace(current.empty() ? std::string_view() : std::string_view(current + "/"));
  } else if (!name.empty()) {
    name_scope_.emplace(name);
  }
}

void variable_scope::enter_prolonged(const std::string& name, const Options& options) {
  auto ts = thread_scopes(graph_);
  const std::shared_ptr<ScopeData> current = ts->current();
  auto data = std::make_shared<ScopeData>(
      ScopeData{join(current->name, name), options.reuse ? options.reuse : current->reuse,
                options.initializer ? options.initializer : current->initializer,
                options.dtype ? options.dtype : current->dtype, name_scope_ ? name_scope_->name() : name});
  {
    std::lock_guard lock(ts->mu);
    ts->counts[data->name] += 1;
  }
  token_ = ts->push(data);
  owner_ = ts;
  scope_ = VariableScope(data);
}

variable_scope::variable_scope(std::string_view name, Options options) : graph_(get_default_graph()) {
  open_name_scope(name, options.auxiliary_name_scope);
  enter_prolonged(std::string(name), options);
}

variable_scope::variable_scope(Options options) : graph_(get_default_graph()) {
  if (options.default_name.empty()) {
    throw ValueError("variable_scope needs a name, a VariableScope or a default_name");
  }
  if (options.reuse) throw ValueError("reuse=True cannot be used without a name_or_scope");
  open_name_scope(options.default_name, options.auxiliary_name_scope);
  auto ts = thread_scopes(graph_);
  const std::string base = join(ts->current()->name, options.default_name);
  std::string unique = options.default_name;
  {
    std::lock_guard lock(ts->mu);
    if (ts->counts[base] > 0) {
      int i = 1;
      while (ts->counts[base + "_" + std::to_string(i)] > 0) ++i;
      unique += "_" + std::to_string(i);
    }
  }
  enter_prolonged(unique, options);
}

variable_scope::variable_scope(const VariableScope& scope, Options options) : graph_(get_default_graph()) {
  if (!scope.data()) throw ValueError("variable_scope was given an empty VariableScope");
  const std::string& full = scope.name();
  open_name_scope(std::string_view(full).substr(full.rfind('/') + 1), options.auxiliary_name_scope);
  auto ts = thread_scopes(graph_);
  const ScopeData& from = *scope.data();
  auto data =
      std::make_shared<ScopeData>(ScopeData{from.name, options.reuse ? options.reuse : from.reuse,
                                            options.initializer ? options.initializer : from.initializer,
                                            options.dtype ? options.dtype : from.dtype, from.name_scope});
  {
    std::lock_guard lock(ts->mu);
    ts->counts[data->name] += 1;
    saved_counts_ = ts->counts;
  }
  reopened_ = true;
  token_ = ts->push(data);
  owner_ = ts;
  scope_ = VariableScope(data);
}

variable_scope::~variable_scope() {
  auto ts = std::static_pointer_cast<ThreadScopes>(owner_);
  if (!ts) return;
  {
    std::lock_guard lock(ts->mu);
    if (reopened_) {
      ts->counts = std::move(saved_counts_);
    } else {
      // TF sets the counts of every scope under this one to 0; a key that is
      // gone counts 0 too, and erasing them keeps closing n nested scopes
      // linear in n (keys under the prefix sort together, right after it).
      const std::string prefix = scope_.name() + "/";
      auto first = ts->counts.lower_bound(prefix);
      auto last = first;
      while (last != ts->counts.end() && last->first.starts_with(prefix)) ++last;
      ts->counts.erase(first, last);
    }
  }
  ts->pop(token_);
}

// ---- get_variable ----

Variable get_variable(const std::string& name, const Shape& shape, const GetVariableOptions& options,
                      SourceLoc loc) {
  Graph g = get_default_graph();
  const std::shared_ptr<ScopeData> scope_ref = thread_scopes(g)->current();  // kept alive while we build
  const ScopeData& scope = *scope_ref;
  if (name.empty()) throw ValueError("get_variable needs a name (scope '" + scope.name + "')");
  const std::string full = join(scope.name, name);
  const DType dtype = options.dtype ? *options.dtype : scope.dtype.value_or(float32);
  auto store = g.extension<VariableStore>();
  std::lock_guard lock(store->mu);
  if (auto found = store->vars.find(full); found != store->vars.end()) {
    const std::shared_ptr<const VariableDef> def = g.variable_of(g.operation_at(found->second));
    const VariableDef& var = *def;
    if (!scope.reuse) {
      throw ValueError("Variable " + full +
                       " already exists, disallowed. Did you mean to set reuse=true or "
                       "reuse=tf::AUTO_REUSE in VarScope? Originally defined at:\n\n  " +
                       var.defined_at);
    }
    const Output out = var.variable.output(0);
    if (!shape.compatible_with(out.shape())) {
      throw ValueError("Trying to share variable " + full + ", but specified shape " + shape.to_string() +
                       " and found shape " + out.shape().to_string() + ".");
    }
    if (dtype != out.dtype()) {
      throw ValueError("Trying to share variable " + full + ", but specified dtype " + dtype_name(dtype) +
                       " and found dtype " + dtype_name(out.dtype()) + ".");
    }
    return Variable(def);
  }
  if (scope.reuse == Reuse(true)) {
    throw ValueError("Variable " + full +
                     " does not exist, or was not created with get_variable(). Did you mean to "
                     "set reuse=tf::AUTO_REUSE in VarScope?");
  }
  if (!shape.fully_defined()) {
    throw ValueError("Shape of a new variable (" + full + ") must be fully defined, but instead was " +
                     shape.to_string() + ".");
  }
  Initializer init = options.initializer ? options.initializer
                     : scope.initializer ? scope.initializer
                     : dtype == float32  ? glorot_uniform_initializer()
                                         : zeros_initializer();
  NameScopeReset at_root(g);  // variable names depend on variable scopes only
  auto def = detail::create_variable(g, full, detail::InitialValue{{}, [&] { return init(shape, dtype); }},
                                     options.trainable, loc);
  store->vars.emplace(full, def->variable.id());
  return Variable(def);
}

Variable get_variable(const std::string& name, const Shape& shape, SourceLoc loc) {
  return get_variable(name, shape, GetVariableOptions{}, loc);
}

Variable get_variable(const std::string& name, const Shape& shape, const Initializer& initializer,
                      SourceLoc loc) {
  return get_variable(name, shape, GetVariableOptions{initializer, std::nullopt, true}, loc);
}

Variable get_variable(const std::string& name, const Shape& shape, const Initializer& initializer,
                      DType dtype, SourceLoc loc) {
  return get_variable(name, shape, GetVariableOptions{initializer, dtype, true}, loc);
}

}  // namespace minitf
