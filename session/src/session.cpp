#include <minitf/session/session.h>

#include <minitf/ops/op_def.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "branch_pool.h"
#include "executor.h"
#include "plan_cache.h"
#include "run_state.h"
#include "state_pool.h"
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

}  // namespace

struct Session::Impl {
  Impl(const Graph& g, SessionOptions o)
      : graph(g), options(o), plans(g, {o.fuse_conv}), states(o.max_idle_bytes) {
    start_threads();
    executor = std::make_unique<detail::Executor>(*device, *branch_pool, options.branches);
  }

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

  static void check_feed(const Output& out, const Tensor& value) {
    if (value.empty()) throw InvalidArgumentError("The value fed for " + out.name() + " is empty");
    if (value.dtype() != out.dtype() || !value.shape().compatible_with(out.shape())) {
      throw InvalidArgumentError("Cannot feed value of shape " + value.shape().to_string() + " and dtype " +
                                 dtype_name(value.dtype()) + " for Tensor '" + out.name() +
                                 "', which has shape " + out.shape().to_string() + " and dtype " +
                                 dtype_name(out.dtype()));
    }
  }

  std::vector<Tensor> run(const FeedDict& feeds, const std::vector<Output>& fetches,
                          const std::vector<Operation>& targets) {
    detail::Plan& plan = plans.get(feeds, fetches, targets);
    for (const auto& [out, value] : feeds) check_feed(out, value);
    detail::StatePool::Lease lease(states, plan);
    detail::RunState& state = *lease;
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
    executor->run(plan, state);
    variables.commit();
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
    state.signature = detail::signature_for(plan, shapes, *device, executor->thread_counts(plan));
    if (!options.use_arena) return;
    try {
      detail::place_in_arena(plan, state);
    } catch (const ResourceExhaustedError& e) {  // this state runs without an arena
      spdlog::warn("plan: {}; running without an arena", e.what());
    }
  }

  Graph graph;
  SessionOptions options;
  std::unique_ptr<kernels::CpuDevice> device;
  std::unique_ptr<detail::BranchPool> branch_pool;
  std::unique_ptr<detail::Executor> executor;
  detail::VariableValues values;
  detail::PlanCache plans;
  detail::StatePool states;
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
size_t Session::num_cached_plans() const { return impl_->plans.size(); }

}  // namespace minitf
