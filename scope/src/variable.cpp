#include <minitf/ops/ops.h>
#include <minitf/scope/scopes.h>
#include <minitf/scope/variable.h>

#include "create_variable.h"

namespace minitf {
namespace detail {

std::shared_ptr<const VariableDef> create_variable(Graph& g, const std::string& name,
                                                   const InitialValue& init, bool trainable, SourceLoc loc) {
  const std::string current = g.name_scope_name();
  if (current.empty() ? !is_valid_op_name(name) : !is_valid_scope_name(name)) {
    throw ValueError("'" + name + "' is not a valid variable name" +
                     (current.empty() ? std::string() : " (in name scope '" + current + "')") +
                     ": use letters, digits and '.', '_', '-', '/', starting with a letter, digit or '.'");
  }
  name_scope scope(name);
  const std::string var_name = scope.name().substr(0, scope.name().size() - 1);
  Output initial = init.value;
  if (init.make) {
    name_scope initializer("Initializer");
    initial = init.make();
  }
  if (initial.empty()) throw ValueError("Variable " + var_name + " has no initial value");
  if (!initial.shape().fully_defined()) {
    throw ValueError("initial_value of variable " + var_name + " must have a fully defined shape, got " +
                     initial.shape().to_string());
  }
  Operation var = raw_ops::variable_v2(initial.shape(), initial.dtype(), scope.name());
  Operation assign = raw_ops::assign(var.output(0), initial).op();
  Output read = identity(var.output(0), "read");
  auto def =
      std::make_shared<VariableDef>(VariableDef{var, assign, read, initial, trainable, loc.to_string()});
  g.add_to_collection(kGlobalVariables, *def);
  if (trainable) g.add_to_collection(kTrainableVariables, *def);
  return def;
}

}  // namespace detail

namespace {
std::vector<Variable> wrap(const std::vector<std::shared_ptr<const VariableDef>>& defs) {
  return {defs.begin(), defs.end()};
}
}  // namespace

Variable::Variable(const Output& initial_value, const std::string& name, bool trainable, SourceLoc loc) {
  if (initial_value.empty()) throw ValueError("Variable '" + name + "' needs an initial value");
  Graph g = graph_of(initial_value.op());
  auto guard = g.as_default();
  def_ = detail::create_variable(g, name.empty() ? "Variable" : name, detail::InitialValue{initial_value, {}},
                                 trainable, loc);
}

const VariableDef& Variable::checked() const {
  if (!def_) throw ValueError("Variable handle is empty");
  return *def_;
}
std::string Variable::name() const { return checked().variable.name() + ":0"; }
Operation Variable::op() const { return checked().variable; }
const Shape& Variable::shape() const { return checked().variable.output(0).shape(); }
DType Variable::dtype() const { return checked().variable.output(0).dtype(); }
Operation Variable::initializer() const { return checked().initializer; }
Output Variable::value() const { return checked().snapshot; }
Output Variable::initial_value() const { return checked().initial_value; }
bool Variable::trainable() const { return checked().trainable; }
const std::string& Variable::defined_at() const { return checked().defined_at; }

Output assign(const Variable& var, const Output& value, const OpName& name) {
  return raw_ops::assign(var.op().output(0), value, name);
}

std::vector<Variable> global_variables() {
  return wrap(get_default_graph().get_collection(kGlobalVariables));
}
std::vector<Variable> trainable_variables() {
  return wrap(get_default_graph().get_collection(kTrainableVariables));
}

Operation variables_initializer(const std::vector<Variable>& vars, const std::string& name) {
  std::vector<Operation> inits;
  for (const Variable& v : vars) inits.push_back(v.initializer());
  return no_op(name, std::move(inits));
}

Operation global_variables_initializer() { return variables_initializer(global_variables(), "init"); }

}  // namespace minitf
