#include <minitf/session/session.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "branch_pool.h"
#include "plan.h"
#include "run_state.h"
#include "variables.h"

namespace minitf {
namespace {

// MINITF_LOG_LEVEL=debug shows plan decisions; quiet (warn) by default.
void init_logging() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* level = std::getenv("MINITF_LOG_LEVEL");
    spdlog::set_level(level ? spdlog::level::from_str(level) : spdlog::level::warn);
  });
}

// A plan's key: the (op id, index) of each feed and fetch and the id of each
// target, with separators; numbers, not names, so a lookup costs no strings.
using PlanKey = std::vector<int64_t>;
struct PlanKeyHash {
  size_t operator()(const PlanKey& k) const {
    uint64_t h = 1469598103934665603ull;
    for (int64_t v : k) h = (h ^ static_cast<uint64_t>(v)) * 1099511628211ull;
    return static_cast<size_t>(h);
  }
};

}  // namespace

struct Session::Impl {
  Impl(const Graph& g, SessionOptions o) : graph(g), options(o) { start_threads(); }

  // The device's pool and the branch threads. When the system refuses threads
  // (a pids cgroup, `ulimit -u`), an explicit thread count is an error; the
  // default (every core) falls back to fewer threads, with a warning.
  void start_threads() {
    const int wanted = options.num_threads > 0
                           ? options.num_threads
                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int n = wanted;; n /= 2) {
      try {
        device = std::make_unique<kernels::CpuDevice>(n, options.max_conv_primitives);
        branch_pool = std::make_unique<detail::BranchPool>(n - 1);
        if (n < wanted) {
          spdlog::warn("Session: the system refused threads; running on {} instead of {}", n, wanted);
        }
        return;
      } catch (const ResourceExhaustedError& e) {
        branch_pool.reset();
        device.reset();
        if (options.num_threads > 0 || n <= 1) {
          throw ResourceExhaustedError("Cannot create a Session with " + std::to_string(n) + " thread" +
                                       (n == 1 ? "" : "s") + ": " + e.what());
        }
      }
    }
  }

  void check_in_graph(const Operation& op, const std::string& what) const {
    if (op.empty()) throw ValueError("Cannot run an empty " + what);
    if (!op.in_graph(graph)) {
      throw ValueError("Fetch argument '" + op.name() + "' cannot be interpreted as a " + what + " (" +
                       op.name() + " is not an element of this graph.)");
    }
  }

  detail::Plan& plan_for(const FeedDict& feeds, const std::vector<Output>& fetches,
                         const std::vector<Operation>& targets) {
    PlanKey key;
    key.reserve(2 * (feeds.size() + fetches.size()) + targets.size() + 2);
    for (const auto& [out, value] : feeds) {
      if (out.empty()) throw ValueError("Cannot feed an empty Output");
      check_in_graph(out.op(), "Tensor");
      key.push_back(out.op().id());
      key.push_back(out.index());
    }
    key.push_back(-1);
    for (const Output& f : fetches) {
      if (f.empty()) throw ValueError("Cannot fetch an empty Output");
      check_in_graph(f.op(), "Tensor");
      key.push_back(f.op().id());
      key.push_back(f.index());
    }
    key.push_back(-1);
    for (const Operation& t : targets) {
      check_in_graph(t, "Operation");
      key.push_back(t.id());
    }
    {
      std::shared_lock lock(plans_mu);
      if (auto it = plans.find(key); it != plans.end()) return *it->second;
    }
    std::vector<Output> fed;
    std::set<std::pair<int64_t, int>> seen;
    for (const auto& [out, value] : feeds) {
      if (!seen.emplace(out.op().id(), out.index()).second) {
        throw ValueError("Tensor " + out.name() + " is fed twice");
      }
      fed.push_back(out);
    }
    auto plan = detail::build_plan(fed, fetches, targets, {options.fuse_conv});
    std::unique_lock lock(plans_mu);
    return *plans.emplace(key, std::move(plan)).first->second;
  }

  static void check_feed(const Output& out, const Tensor& value) {
    if (value.empty()) throw InvalidArgumentError("The value fed for " + out.name() + " is empty");
    if (value.dtype() != out.dtype() || !value.shape().compatible_with(out.shape())) {
      throw InvalidArgumentError("Cannot feed value of shape " + value.shape().to_string() + " and dtype " +
                                 dtype_name(value.dtype()) + " for Tensor '" + out.name() +
                                 "', which has shape " + out.shape().to_string() + " and dtype " +
                                 dtype_name(out.dtype()));
    }
  }

  // A RunState of `plan` for this call alone, returned to the pool when the guard dies.
  struct StateLease {
    StateLease(Impl& impl, detail::Plan& plan) : impl(impl), plan(plan) {
      std::lock_guard lock(impl.pools_mu);
      auto& pool = impl.pools[&plan];
      if (!pool.empty()) {
        state = std::move(pool.back());
        pool.pop_back();
        impl.idle_bytes -= state->idle_bytes_bound();
      }
      if (!state) state = std::make_unique<detail::RunState>(plan);
    }
    ~StateLease() {
      state->clear();
      std::lock_guard lock(impl.pools_mu);
      state->last_used = ++impl.tick;
      impl.idle_bytes += state->idle_bytes_bound();
      impl.pools[&plan].push_back(std::move(state));
      impl.evict_idle_states();
    }
    StateLease(const StateLease&) = delete;
    StateLease& operator=(const StateLease&) = delete;
    Impl& impl;
    detail::Plan& plan;
    std::unique_ptr<detail::RunState> state;
  };

  // Idle run states beyond the budget go, least recently used first, so plans
  // that are no longer run (one-shot fetch lists) do not pin their arenas.
  // Called with pools_mu held.
  void evict_idle_states() {
    while (idle_bytes > options.max_idle_bytes) {
      std::vector<std::unique_ptr<detail::RunState>>* oldest_pool = nullptr;
      size_t oldest = 0;
      for (auto& [p, pool] : pools) {
        for (size_t i = 0; i < pool.size(); ++i) {
          // The state just returned stays: a plan bigger than the budget must
          // not pay for a first run every time.
          if (pool[i]->last_used == tick) continue;
          if (!oldest_pool || pool[i]->last_used < (*oldest_pool)[oldest]->last_used) {
            oldest_pool = &pool;
            oldest = i;
          }
        }
      }
      if (!oldest_pool) return;
      idle_bytes -= (*oldest_pool)[oldest]->idle_bytes_bound();
      oldest_pool->erase(oldest_pool->begin() + static_cast<std::ptrdiff_t>(oldest));
    }
  }

  std::vector<Tensor> run(const FeedDict& feeds, const std::vector<Output>& fetches,
                          const std::vector<Operation>& targets) {
    detail::Plan& plan = plan_for(feeds, fetches, targets);
    for (const auto& [out, value] : feeds) check_feed(out, value);
    StateLease lease(*this, plan);  // its state is cleared when it goes back, even after an error
    detail::RunState& state = *lease.state;
    if (!same_feed_shapes(state, feeds)) set_up(plan, state, feeds);
    for (size_t i = 0; i < feeds.size(); ++i)
      state.slots[static_cast<size_t>(plan.feed_slots[i])] = feeds[i].second;
    if (state.planned) {
      for (auto& [slot, view] : state.views) state.slots[slot] = view;
      for (size_t s : state.to_end) {
        Tensor& t = state.slots[s];
        const TensorSpec& spec = state.signature->specs[s];
        if (t.empty()) t = Tensor::pooled(spec.first, spec.second, state.fetch_pool);
      }
    }
    detail::RunVariables variables(values);
    state.variables = &variables;
    const Schedule schedule = choose_schedule(plan, state);
    const auto start = std::chrono::steady_clock::now();
    if (schedule.mode == detail::Plan::kBranches) {
      run_branches(plan, state);
    } else {
      for (size_t s = 0; s < plan.steps.size(); ++s) {
        execute(plan, state, s, device->num_threads());
        // Without an arena, a value is freed when it dies, so the run's
        // peak is the plan's live bytes, not the sum of every value.
        if (!state.planned) release_dead_inputs(plan, state, s);
      }
    }
    variables.commit();
    if (schedule.timed) {
      record_timing(plan, schedule.mode,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    // The fetched values leave the state first, and the state lets go of
    // everything else; a value still held elsewhere after that (a variable, a
    // constant, a feed, an arena view) is copied, anything else is handed over.
    const size_t n = plan.fetch_slots.size();
    std::vector<Tensor> results(n);
    for (size_t i = 0; i < n; ++i)
      results[i] = std::move(state.slots[static_cast<size_t>(plan.fetch_slots[i])]);
    state.clear();
    for (size_t i = 0; i < n; ++i) {
      if (results[i].empty()) {  // fetched twice: the first fetch took it
        const auto first = std::find(plan.fetch_slots.begin(), plan.fetch_slots.end(), plan.fetch_slots[i]);
        results[i] = results[static_cast<size_t>(first - plan.fetch_slots.begin())].clone();
      } else if (results[i].is_view() || results[i].buffer_shared()) {
        results[i] = results[i].clone();
      }
    }
    return results;
  }

  static bool same_feed_shapes(const detail::RunState& state, const FeedDict& feeds) {
    if (!state.signature || state.signature->feed_shapes.size() != feeds.size()) return false;
    for (size_t i = 0; i < feeds.size(); ++i) {
      if (!(state.signature->feed_shapes[i] == feeds[i].second.shape())) return false;
    }
    return true;
  }

  // Sets `state` up for these fed shapes: the plan's shapes (kernels prepared)
  // and, with the arena on, every computed value's place in it.
  void set_up(detail::Plan& plan, detail::RunState& state, const FeedDict& feeds) {
    std::vector<Shape> shapes;
    for (const auto& feed : feeds) shapes.push_back(feed.second.shape());
    state.planned = false;
    state.views.clear();
    state.signature.reset();
    state.signature = detail::signature_for(plan, shapes, *device, thread_counts(plan));
    if (!options.use_arena) return;
    try {
      detail::place_in_arena(plan, state);
    } catch (const ResourceExhaustedError& e) {  // this state runs without an arena
      spdlog::warn("plan: {}; running without an arena", e.what());
    }
  }

  // Every thread count a step of `plan` may run with (kernels prepare for each).
  std::vector<int> thread_counts(const detail::Plan& plan) const {
    std::vector<int> counts{device->num_threads()};
    if (plan.num_branches >= 2 && device->num_threads() >= 2 && options.branches != Branches::Serial) {
      const int per_branch = std::max(1, device->num_threads() / plan.num_branches);
      if (per_branch != counts[0]) counts.push_back(per_branch);
    }
    return counts;
  }

  static void release_dead_inputs(const detail::Plan& plan, detail::RunState& state, size_t s) {
    for (int in : plan.steps[s].inputs) {
      if (in >= 0 && plan.last_use[static_cast<size_t>(in)] == static_cast<int>(s)) {
        state.slots[static_cast<size_t>(in)] = Tensor();
      }
    }
  }

  void execute(detail::Plan& plan, detail::RunState& state, size_t s, int threads) {
    detail::PlanStep& step = plan.steps[s];
    kernels::KernelContext ctx{state.inputs[s],  state.outputs[s], state.signature->out_specs[s],
                               *state.variables, *device,          threads};
    try {
      step.kernel->compute(ctx);
    } catch (const ValueError& e) {  // a shape rule broken by run-time values
      throw InvalidArgumentError(e.what());
    } catch (const Error&) {
      throw;
    } catch (const std::bad_alloc&) {
      throw ResourceExhaustedError("Out of memory running op " + step.kernel->what());
    } catch (const std::exception& e) {
      throw Error("Op " + step.kernel->what() + " failed: " + e.what());
    }
  }

  // The cheap steps, then each branch on a thread of its own with its share of the threads.
  void run_branches(detail::Plan& plan, detail::RunState& state) {
    for (size_t s : plan.source_steps) execute(plan, state, s, device->num_threads());
    const int per_branch = std::max(1, device->num_threads() / plan.num_branches);
    const std::function<void(int)> branch = [&](int c) {
      for (size_t s : plan.branch_steps[static_cast<size_t>(c)]) execute(plan, state, s, per_branch);
    };
    if (!branch_pool->try_run(plan.num_branches, branch)) {  // another run holds the pool
      for (int c = 0; c < plan.num_branches; ++c) {
        for (size_t s : plan.branch_steps[static_cast<size_t>(c)])
          execute(plan, state, s, device->num_threads());
      }
    }
  }

  // How this run executes, and whether it is one of the timed trials.
  struct Schedule {
    int mode;
    bool timed;
  };

  // Serial or branches side by side: fixed by the options, else timed on the
  // first steady-state runs (six each, alternating) and then fixed for the plan.
  // Only those trial runs are timed; every other run takes no lock here.
  Schedule choose_schedule(detail::Plan& plan, const detail::RunState& state) {
    const bool possible = plan.num_branches >= 2 && device->num_threads() >= 2 && !plan.writes_variables;
    if (!possible || options.branches == Branches::Serial) return {detail::Plan::kSerial, false};
    if (options.branches == Branches::Parallel) return {detail::Plan::kBranches, false};
    // A run without its arena allocates as it goes: not a fair timing.
    if (!state.planned) return {detail::Plan::kSerial, false};
    const int decided = plan.mode.load();
    if (decided != detail::Plan::kUndecided) return {decided, false};
    std::lock_guard lock(plan.timing_mu);
    const bool serial = plan.trials[detail::Plan::kSerial] <= plan.trials[detail::Plan::kBranches];
    return {serial ? detail::Plan::kSerial : detail::Plan::kBranches, true};
  }

  static void record_timing(detail::Plan& plan, int mode, double seconds) {
    constexpr int kTrials = 6;
    std::lock_guard lock(plan.timing_mu);
    plan.trials[mode] += 1;
    plan.best_seconds[mode] = std::min(plan.best_seconds[mode], seconds);
    if (plan.trials[detail::Plan::kSerial] >= kTrials && plan.trials[detail::Plan::kBranches] >= kTrials) {
      // Side by side must win clearly: on a noisy machine a near tie keeps the
      // simpler schedule, where every op gets every thread.
      const bool branches =
          plan.best_seconds[detail::Plan::kBranches] < 0.95 * plan.best_seconds[detail::Plan::kSerial];
      plan.mode = branches ? detail::Plan::kBranches : detail::Plan::kSerial;
      spdlog::debug("plan: {} branches run {} ({:.3f} ms side by side, {:.3f} ms one after the other)",
                    plan.num_branches, branches ? "side by side" : "one after the other",
                    plan.best_seconds[detail::Plan::kBranches] * 1e3,
                    plan.best_seconds[detail::Plan::kSerial] * 1e3);
    }
  }

  Graph graph;
  SessionOptions options;
  std::unique_ptr<kernels::CpuDevice> device;
  std::unique_ptr<detail::BranchPool> branch_pool;
  detail::VariableValues values;
  std::shared_mutex plans_mu;
  std::unordered_map<PlanKey, std::unique_ptr<detail::Plan>, PlanKeyHash> plans;
  std::mutex pools_mu;
  std::unordered_map<const detail::Plan*, std::vector<std::unique_ptr<detail::RunState>>> pools;
  size_t idle_bytes = 0;  // bound on what idle states hold
  uint64_t tick = 0;
};

Session::Session(SessionOptions options) : Session(get_default_graph(), options) {}

Session::Session(const Graph& graph, SessionOptions options) {
  init_logging();
  impl_ = std::make_unique<Impl>(graph, options);
}

Session::~Session() = default;

void Session::run(const Operation& target, const FeedDict& feeds) { impl_->run(feeds, {}, {target}); }

Tensor Session::run(const Output& fetch, const FeedDict& feeds) {
  return std::move(impl_->run(feeds, {fetch}, {})[0]);
}

std::vector<Tensor> Session::run(const std::vector<Output>& fetches, const FeedDict& feeds,
                                 const std::vector<Operation>& targets) {
  return impl_->run(feeds, fetches, targets);
}

Tensor Session::run(std::string_view name, const FeedDict& feeds) {
  if (name.find(':') == std::string_view::npos) {
    run(impl_->graph.get_operation_by_name(name), feeds);
    return {};
  }
  return run(impl_->graph.get_tensor_by_name(name), feeds);
}

namespace {
void check_variable(const Graph& g, const Operation& variable) {
  if (variable.empty() || !variable.in_graph(g)) {
    throw ValueError("Variable op " + (variable.empty() ? std::string("(empty)") : variable.name()) +
                     " is not an element of this session's graph");
  }
  if (!op_def(variable.type()).variable) {
    throw ValueError("Op " + variable.name() + " is a " + variable.type() + ", not a variable");
  }
}
}  // namespace

Tensor Session::read_variable(const Operation& variable) {
  check_variable(impl_->graph, variable);
  return detail::VariableValues::find(*impl_->values.snapshot(), variable).clone();
}

void Session::assign_variable(const Operation& variable, const Tensor& value) {
  assign_variables({{variable, value}});
}

void Session::assign_variables(const std::vector<std::pair<Operation, Tensor>>& values) {
  std::vector<std::pair<int64_t, Tensor>> changes;
  for (const auto& [variable, value] : values) {
    check_variable(impl_->graph, variable);
    const Shape& shape = variable.attr<Shape>("shape");
    const DType dtype = variable.attr<DType>("dtype");
    if (value.empty() || value.dtype() != dtype || value.shape() != shape) {
      throw InvalidArgumentError(
          "Cannot assign a value of " +
          (value.empty() ? std::string("nothing")
                         : std::string(dtype_name(value.dtype())) + " " + value.shape().to_string()) +
          " to variable " + variable.name() + " of " + dtype_name(dtype) + " " + shape.to_string() +
          (values.size() > 1 ? "; no variable was changed" : ""));
    }
    changes.emplace_back(variable.id(), Tensor());
  }
  // Copies are made only once every value is known to fit.
  for (size_t i = 0; i < values.size(); ++i) changes[i].second = values[i].second.clone();
  impl_->values.publish(changes);
}

const Graph& Session::graph() const { return impl_->graph; }
int Session::num_threads() const { return impl_->device->num_threads(); }
size_t Session::num_cached_plans() const {
  std::shared_lock lock(impl_->plans_mu);
  return impl_->plans.size();
}

}  // namespace minitf
