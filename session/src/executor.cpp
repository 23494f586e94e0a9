#include "executor.h"

#include <chrono>
#include <functional>
#include <string>

#include <spdlog/spdlog.h>

namespace minitf::detail {
namespace {

// Without an arena, a value is freed when it dies, so the run's peak is the
// plan's live bytes, not the sum of every value.
void release_dead_inputs(const Plan& plan, RunState& state, size_t s) {
  for (int in : plan.steps[s].inputs) {
    if (in >= 0 && plan.last_use[static_cast<size_t>(in)] == static_cast<int>(s)) {
      state.slots[static_cast<size_t>(in)] = Tensor();
    }
  }
}

}  // namespace

void Executor::run(Plan& plan, RunState& state) {
  const Schedule schedule = choose_schedule(plan, state);
  const auto start = std::chrono::steady_clock::now();
  if (schedule.mode == Plan::kBranches) {
    run_branches(plan, state);
  } else {
    for (size_t s = 0; s < plan.steps.size(); ++s) {
      execute(plan, state, s, device_.num_threads());
      if (!state.planned) release_dead_inputs(plan, state, s);
    }
  }
  if (schedule.timed) {
    record_timing(plan, schedule.mode,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

std::vector<int> Executor::thread_counts(const Plan& plan) const {
  std::vector<int> counts{device_.num_threads()};
  if (plan.num_branches >= 2 && device_.num_threads() >= 2 && branches_ != Branches::Serial) {
    const int per_branch = std::max(1, device_.num_threads() / plan.num_branches);
    if (per_branch != counts[0]) counts.push_back(per_branch);
  }
  return counts;
}

void Executor::execute(Plan& plan, RunState& state, size_t s, int threads) const {
  PlanStep& step = plan.steps[s];
  kernels::KernelContext ctx{state.inputs[s],  state.outputs[s], state.signature->out_specs[s],
                             *state.variables, device_,          threads};
  try {
    step.kernel->compute(ctx);
  } catch (const ValueError& e) {  // a shape rule broken by run-time values
    throw InvalidArgumentError(e.what());
  } catch (const UnimplementedError& e) {
    if (std::string(e.what()).find(step.kernel->what()) != std::string::npos) throw;
    throw UnimplementedError("Op " + step.kernel->what() + ": " + e.what());
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw ResourceExhaustedError("Out of memory running op " + step.kernel->what());
  } catch (const std::exception& e) {
    throw Error("Op " + step.kernel->what() + " failed: " + e.what());
  }
  // An output that disagrees with its op's shape function (a kernel registered
  // from outside, out of step with its definition) would hand the next kernel
  // a buffer of the wrong size: stop here, naming it.
  const auto& specs = state.signature->out_specs[s];
  for (size_t o = 0; o < step.outputs.size() && o < specs.size(); ++o) {
    const Tensor& t = state.slots[static_cast<size_t>(step.outputs[o])];
    if (t.empty() || !specs[o].second.fully_defined()) continue;
    if (t.dtype() != specs[o].first || !(t.shape() == specs[o].second)) {
      throw Error("Internal error: the kernel of op " + step.kernel->what() + " produced output " +
                  std::to_string(o) + " of " + dtype_name(t.dtype()) + " " + t.shape().to_string() +
                  " where its shape function says " + dtype_name(specs[o].first) + " " +
                  specs[o].second.to_string());
    }
  }
}

// The cheap steps, then each branch on a thread of its own with its share of the threads.
void Executor::run_branches(Plan& plan, RunState& state) const {
  for (size_t s : plan.source_steps) execute(plan, state, s, device_.num_threads());
  const int per_branch = std::max(1, device_.num_threads() / plan.num_branches);
  const std::function<void(int)> branch = [&](int c) {
    for (size_t s : plan.branch_steps[static_cast<size_t>(c)]) execute(plan, state, s, per_branch);
  };
  if (!branch_pool_.try_run(plan.num_branches, branch)) {  // another run holds the pool
    for (int c = 0; c < plan.num_branches; ++c) {
      for (size_t s : plan.branch_steps[static_cast<size_t>(c)])
        execute(plan, state, s, device_.num_threads());
    }
  }
}

// Serial or branches side by side: fixed by the options, else timed on the
// first runs with an arena (six each, alternating) and then fixed for the plan.
// Only those trial runs are timed; every other run takes no lock here.
Executor::Schedule Executor::choose_schedule(Plan& plan, const RunState& state) const {
  const bool possible = plan.num_branches >= 2 && device_.num_threads() >= 2 && !plan.writes_variables;
  if (!possible || branches_ == Branches::Serial) return {Plan::kSerial, false};
  if (branches_ == Branches::Parallel) return {Plan::kBranches, false};
  // A run without an arena allocates as it goes: not a fair timing.
  if (!state.planned) return {Plan::kSerial, false};
  const int decided = plan.mode.load();
  if (decided != Plan::kUndecided) return {decided, false};
  std::lock_guard lock(plan.timing_mu);
  const bool serial = plan.trials[Plan::kSerial] <= plan.trials[Plan::kBranches];
  return {serial ? Plan::kSerial : Plan::kBranches, true};
}

void Executor::record_timing(Plan& plan, int mode, double seconds) {
  constexpr int kTrials = 6;
  std::lock_guard lock(plan.timing_mu);
  plan.trials[mode] += 1;
  plan.best_seconds[mode] = std::min(plan.best_seconds[mode], seconds);
  if (plan.trials[Plan::kSerial] >= kTrials && plan.trials[Plan::kBranches] >= kTrials) {
    // Side by side must win clearly: on a noisy machine a near tie keeps the
    // simpler schedule, where every op gets every thread.
    const bool branches = plan.best_seconds[Plan::kBranches] < 0.95 * plan.best_seconds[Plan::kSerial];
    plan.mode = branches ? Plan::kBranches : Plan::kSerial;
    spdlog::debug("plan: {} branches run {} ({:.3f} ms side by side, {:.3f} ms one after the other)",
                  plan.num_branches, branches ? "side by side" : "one after the other",
                  plan.best_seconds[Plan::kBranches] * 1e3, plan.best_seconds[Plan::kSerial] * 1e3);
  }
}

}  // namespace minitf::detail
