#pragma once
// Variables: state that lives in a session, with its ops in the graph.
#include <memory>
#include <string>
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf {

// Where a call was made; std::source_location's job, spelled so that clang 14
// with libstdc++ 12 (which lacks <source_location>) builds it too.
struct SourceLoc {
  const char* file = "";
  int line = 0;
  static constexpr SourceLoc current(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return SourceLoc{file, line};
  }
  std::string to_string() const { return std::string(file) + ":" + std::to_string(line); }
};

// A handle to a variable (TF's RefVariable). A default-constructed one is empty.
class Variable {
 public:
  Variable() = default;
  // tf.Variable(initial_value, name): takes the current name scope, and a
  // taken name is made unique. Never enters the get_variable store.
  explicit Variable(const Output& initial_value, const std::string& name = "Variable", bool trainable = true,
                    SourceLoc loc = SourceLoc::current());
  explicit Variable(std::shared_ptr<const VariableDef> def) : def_(std::move(def)) {}

  bool empty() const { return !def_; }
  // "foo/v:0"
  std::string name() const;
  // The VariableV2 op, "foo/v".
  Operation op() const;
  const Shape& shape() const;
  DType dtype() const;
  // The Assign op, "foo/v/Assign".
  Operation initializer() const;
  // The "foo/v/read:0" output.
  Output value() const;
  Output initial_value() const;
  bool trainable() const;
  // "file:line" of the call that created it.
  const std::string& defined_at() const;
  operator Output() const { return value(); }  // NOLINT: converts like a TF variable

  const std::shared_ptr<const VariableDef>& def() const { return def_; }
  // The same variable: the same VariableV2 op.
  friend bool operator==(const Variable& a, const Variable& b) {
    return a.def_ == b.def_ || (a.def_ && b.def_ && a.def_->variable == b.def_->variable);
  }

 private:
  const VariableDef& checked() const;
  std::shared_ptr<const VariableDef> def_;
};

// tf.assign: an op that writes `value` into `var` and outputs the new value.
Output assign(const Variable& var, const Output& value, const OpName& name = {});

// Every global variable of the default graph, in creation order.
std::vector<Variable> global_variables();
// Every trainable variable of the default graph, in creation order.
std::vector<Variable> trainable_variables();
// A NoOp named "init" (then "init_1", ...) that runs every global variable's initializer.
Operation global_variables_initializer();
// The same for the variables given; TF's variables_initializer.
Operation variables_initializer(const std::vector<Variable>& vars, const std::string& name = "init");

}  // namespace minitf
