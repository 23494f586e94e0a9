#pragma once
// The one place variables' ops are made, for tf::Variable and get_variable alike.
#include <functional>
#include <memory>
#include <string>

#include <minitf/graph/graph.h>
#include <minitf/scope/variable.h>

namespace minitf::detail {

// What a new variable starts from: a ready Output (tf::Variable) or a
// function called under "<name>/Initializer/" (get_variable).
struct InitialValue {
  Output value;
  std::function<Output()> make;
};

// Adds "<scope>" (VariableV2), "<scope>/Assign" and "<scope>/read" where
// <scope> is `name` made unique under the current name scope, and puts the
// variable in the global (and trainable) collections.
std::shared_ptr<const VariableDef> create_variable(Graph& g, const std::string& name,
                                                   const InitialValue& init, bool trainable, SourceLoc loc);

}  // namespace minitf::detail
