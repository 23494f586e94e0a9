#pragma once
// The variable scope a layer opens, as TF's Layer does on its first call:
// the given name (exactly, re-entered), or with reuse and no name the base
// name exactly, or else the base name made unique ("dense", "dense_1").
#include <optional>
#include <string>

#include <minitf/scope/scopes.h>

namespace minitf::layers::detail {

class LayerScope {
 public:
  LayerScope(const std::string& name, const std::string& base_name, Reuse reuse) {
    if (!name.empty()) {
      scope_.emplace(name, VariableScopeOptions{.reuse = reuse});
    } else if (reuse) {
      scope_.emplace(base_name, VariableScopeOptions{.reuse = reuse});
    } else {
      scope_.emplace(VariableScopeOptions{.default_name = base_name});
    }
  }
  const VariableScope& scope() const { return scope_->scope(); }

 private:
  std::optional<variable_scope> scope_;
};

}  // namespace minitf::layers::detail
