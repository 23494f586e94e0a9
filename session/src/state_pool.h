#pragma once
// Idle run states by plan, kept for later runs within a memory budget.
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "run_state.h"

namespace minitf::detail {

class StatePool {
 public:
  explicit StatePool(size_t max_idle_bytes) : max_idle_bytes_(max_idle_bytes) {}

  // A run state of `plan` for one run alone, given back (cleared) when it dies, even after an error.
  class Lease {
   public:
    Lease(StatePool& pool, Plan& plan);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    RunState& operator*() const { return *state_; }

   private:
    StatePool& pool_;
    Plan& plan_;
    std::unique_ptr<RunState> state_;
  };

 private:
  // Idle states beyond the budget go, least recently used first, so plans
  // that are no longer run (one-shot fetch lists) do not pin their arenas.
  // Called with mu_ held.
  void evict();

  size_t max_idle_bytes_;
  std::mutex mu_;
  std::unordered_map<const Plan*, std::vector<std::unique_ptr<RunState>>> idle_;
  size_t idle_bytes_ = 0;  // bound on what idle states hold
  uint64_t tick_ = 0;
};

}  // namespace minitf::detail
