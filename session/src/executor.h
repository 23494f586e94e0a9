#pragma once
// Runs a plan's steps on a run state: one after the other, or the plan's
// independent branches side by side, as the options say or as timing decides.
#include <minitf/kernels/kernel.h>
#include <minitf/session/session.h>

#include "branch_pool.h"
#include "plan.h"
#include "run_state.h"

namespace minitf::detail {

class Executor {
 public:
  Executor(const kernels::CpuDevice& device, BranchPool& branch_pool, Branches branches)
      : device_(device), branch_pool_(branch_pool), branches_(branches) {}

  // Executes every step of `plan` on `state` (whose signature is set up).
  // Kernel errors come out as tf::Error subclasses naming the op.
  void run(Plan& plan, RunState& state);
  // Every thread count a step of `plan` may run with (kernels prepare for each).
  std::vector<int> thread_counts(const Plan& plan) const;

 private:
  // How a run executes, and whether it is one of the timed trials.
  struct Schedule {
    int mode;
    bool timed;
  };
  Schedule choose_schedule(Plan& plan, const RunState& state) const;
  static void record_timing(Plan& plan, int mode, double seconds);
  void execute(Plan& plan, RunState& state, size_t s, int threads) const;
  void run_branches(Plan& plan, RunState& state) const;

  const kernels::CpuDevice& device_;
  BranchPool& branch_pool_;
  Branches branches_;
};

}  // namespace minitf::detail
