#pragma once
// A session's variable values, and what one run sees of them.
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include <minitf/graph/graph.h>
#include <minitf/kernels/kernel.h>

namespace minitf::detail {

// Every variable's value at one moment, published whole (copy on write): a run
// that took one snapshot sees every variable from before a restore or every
// variable from after it, never a mix.
class VariableValues {
 public:
  using Map = std::unordered_map<int64_t, Tensor>;  // by VariableV2 op id

  std::shared_ptr<const Map> snapshot() const;
  // Sets every value in one step: runs that start later see all of them.
  void publish(const std::vector<std::pair<int64_t, Tensor>>& changes);
  // The value of `var` in `values`; FailedPreconditionError when it has none.
  static Tensor find(const Map& values, const Operation& var);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Map> values_ = std::make_shared<Map>();
};

// What one run's kernels see of the variables: the snapshot taken when the run
// started, plus what the run itself assigned. The run's assignments are
// published together when it ends (even by an error), in one copy of the map,
// so a run that initializes n variables costs O(n), not O(n^2).
class RunVariables final : public kernels::VariableAccess {
 public:
  explicit RunVariables(VariableValues& values) : values_(values), snapshot_(values.snapshot()) {}
  ~RunVariables() override;
  RunVariables(const RunVariables&) = delete;
  RunVariables& operator=(const RunVariables&) = delete;
  Tensor read(const Operation& var) override;
  void assign(const Operation& var, Tensor value) override;
  // Publishes this run's assignments (the destructor does it for a run that failed).
  void commit();

 private:
  VariableValues& values_;
  std::shared_ptr<const VariableValues::Map> snapshot_;
  std::mutex mu_;
  VariableValues::Map written_;
};

}  // namespace minitf::detail
