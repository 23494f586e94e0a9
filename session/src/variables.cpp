#include "variables.h"

namespace minitf::detail {

std::shared_ptr<const VariableValues::Map> VariableValues::snapshot() const {
  std::lock_guard lock(mu_);
  return values_;
}

void VariableValues::publish(const std::vector<std::pair<int64_t, Tensor>>& changes) {
  std::lock_guard lock(mu_);
  auto next = std::make_shared<Map>(*values_);
  for (const auto& [id, value] : changes) (*next)[id] = value;
  values_ = std::move(next);
}

Tensor VariableValues::find(const Map& values, const Operation& var) {
  auto it = values.find(var.id());
  if (it == values.end())
    throw FailedPreconditionError("Attempting to use uninitialized value " + var.name());
  return it->second;
}

Tensor RunVariables::read(const Operation& var) {
  {
    std::lock_guard lock(mu_);
    if (auto it = written_.find(var.id()); it != written_.end()) return it->second;
  }
  return VariableValues::find(*snapshot_, var);
}

void RunVariables::assign(const Operation& var, Tensor value) {
  std::lock_guard lock(mu_);
  written_[var.id()] = std::move(value);
}

void RunVariables::commit() {
  std::lock_guard lock(mu_);
  if (written_.empty()) return;
  values_.publish(std::vector<std::pair<int64_t, Tensor>>(written_.begin(), written_.end()));
  written_.clear();
}

RunVariables::~RunVariables() {
  try {
    commit();
  } catch (...) {  // a run that failed, then out of memory copying the map: the old values stay, whole
  }
}

}  // namespace minitf::detail
