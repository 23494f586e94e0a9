#pragma once
// Name scopes, variable scopes and get_variable: TF 1.x variable sharing.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <minitf/graph/graph.h>
#include <minitf/scope/initializers.h>
#include <minitf/scope/variable.h>

namespace minitf {

// A scope's reuse flag: false, true or AUTO_REUSE. Truthy like TF's (true and AUTO_REUSE).
class Reuse {
 public:
  constexpr Reuse() = default;
  constexpr Reuse(bool reuse) : value_(reuse ? kTrue : kFalse) {}  // NOLINT: {.reuse = true}
  static constexpr Reuse auto_reuse() {
    Reuse r;
    r.value_ = kAuto;
    return r;
  }
  constexpr bool is_auto() const { return value_ == kAuto; }
  constexpr explicit operator bool() const { return value_ != kFalse; }
  friend constexpr bool operator==(Reuse, Reuse) = default;
  friend std::ostream& operator<<(std::ostream& os, Reuse r);

 private:
  enum Value : uint8_t { kFalse, kTrue, kAuto };
  Value value_ = kFalse;
};

// Get the variable if it exists, create it otherwise.
inline constexpr Reuse AUTO_REUSE = Reuse::auto_reuse();

namespace detail {
struct ScopeData;
}

// A variable scope (TF's VariableScope): a copyable handle; reuse_variables()
// on any copy is seen by all of them.
class VariableScope {
 public:
  VariableScope() = default;
  // "foo/bar"
  const std::string& name() const;
  Reuse reuse() const;
  // Sets reuse to true, for this scope and the scopes opened inside it from now on.
  void reuse_variables();
  // The name scope the scope opened, with '/': "foo/", "foo_1/".
  const std::string& original_name_scope() const;
  Initializer initializer() const;
  void set_initializer(Initializer initializer);
  // The global (trainable) variables whose names start with name() + "/".
  std::vector<Variable> global_variables() const;
  std::vector<Variable> trainable_variables() const;

  friend bool operator==(const VariableScope& a, const VariableScope& b) { return a.data_ == b.data_; }

  explicit VariableScope(std::shared_ptr<detail::ScopeData> data) : data_(std::move(data)) {}
  const std::shared_ptr<detail::ScopeData>& data() const { return data_; }

 private:
  detail::ScopeData& checked() const;
  std::shared_ptr<detail::ScopeData> data_;
};

// The arguments of variable_scope besides its name.
struct VariableScopeOptions {
  // Used, made unique (layer, layer_1, ...), when no name is given.
  std::string default_name{};
  Reuse reuse{};
  Initializer initializer{};
  std::optional<DType> dtype{};
  // false: open no name scope of its own (ops keep the current one).
  bool auxiliary_name_scope = true;
};

// TF's name_scope: prefixes op names (never get_variable's). A name ending in
// '/' re-enters that scope exactly; "" goes back to the root.
class [[nodiscard]] name_scope {
 public:
  [[nodiscard]] explicit name_scope(std::string_view name);
  ~name_scope();
  name_scope(const name_scope&) = delete;
  name_scope& operator=(const name_scope&) = delete;

  // The full scope with a trailing '/' ("foo/bar/"), "" at the root.
  const std::string& name() const { return name_; }

 private:
  Graph graph_;
  uint64_t token_ = 0;  // this guard's entry in the graph's name-scope stack
  std::string name_;
};

// TF's variable_scope as an RAII guard: `tf::variable_scope foo("foo");`.
class [[nodiscard]] variable_scope {
 public:
  using Options = VariableScopeOptions;

  [[nodiscard]] explicit variable_scope(std::string_view name, Options options = {});
  [[nodiscard]] explicit variable_scope(const VariableScope& scope, Options options = {});
  [[nodiscard]] explicit variable_scope(Options options);
  ~variable_scope();
  variable_scope(const variable_scope&) = delete;
  variable_scope& operator=(const variable_scope&) = delete;

  const VariableScope& scope() const { return scope_; }
  const std::string& name() const { return scope_.name(); }
  Reuse reuse() const { return scope_.reuse(); }
  void reuse_variables() { scope_.reuse_variables(); }
  const std::string& original_name_scope() const { return scope_.original_name_scope(); }

 private:
  void open_name_scope(std::string_view name, bool auxiliary);
  void enter_prolonged(const std::string& name, const Options& options);

  Graph graph_;
  std::optional<name_scope> name_scope_;
  std::shared_ptr<void> owner_;  // the thread's variable-scope stack in graph_
  uint64_t token_ = 0;           // this guard's entry in it
  VariableScope scope_;
  bool reopened_ = false;
  std::map<std::string, int> saved_counts_;
};

// The calling thread's current variable scope in the default graph.
VariableScope get_variable_scope();

// What get_variable takes besides name and shape.
struct GetVariableOptions {
  Initializer initializer{};
  std::optional<DType> dtype{};
  bool trainable = true;
};

// tf.get_variable: creates or reuses "<scope>/<name>" by the current scope's reuse.
Variable get_variable(const std::string& name, const Shape& shape, SourceLoc loc = SourceLoc::current());
Variable get_variable(const std::string& name, const Shape& shape, const Initializer& initializer,
                      SourceLoc loc = SourceLoc::current());
Variable get_variable(const std::string& name, const Shape& shape, const Initializer& initializer,
                      DType dtype, SourceLoc loc = SourceLoc::current());
Variable get_variable(const std::string& name, const Shape& shape, const GetVariableOptions& options,
                      SourceLoc loc = SourceLoc::current());

}  // namespace minitf
