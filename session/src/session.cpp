#include <minitf/session/session.h>

#include <cstdlib>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "arena.h"
#include "plan.h"

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

std::string name_list(const std::vector<Output>& outs) {
  std::string s;
  for (const Output& o : outs) s += o.name() + ",";
  return s;
}

// One run's values. A plan keeps a pool of these, so concurrent runs never
// share one, and a steady-state run reuses everything in it: the slots, the
// pointers kernels read through, and the arena its intermediate tensors live in.
struct RunState {
  explicit RunState(const detail::Plan& plan) : slots(static_cast<size_t>(plan.num_slots)) {
    static const Tensor kNoValue;
    for (const detail::PlanStep& step : plan.steps) {
      auto& in = inputs.emplace_back();
      for (int s : step.inputs) in.push_back(s >= 0 ? &slots[static_cast<size_t>(s)] : &kNoValue);
      auto& out = outputs.emplace_back();
      for (int s : step.outputs) out.push_back(&slots[static_cast<size_t>(s)]);
    }
  }

  std::vector<Tensor> slots;
  std::vector<std::vector<const Tensor*>> inputs;  // per step
  std::vector<std::vector<Tensor*>> outputs;       // per step
  std::vector<Shape> feed_shapes;                  // what the arena was planned for
  bool planned = false;
  std::vector<std::pair<size_t, Tensor>> views;  // slot -> its place in the arena
};

// Plans the arena from the sizes a first run produced: every tensor a kernel
// computed gets a place, shared with tensors whose lifetimes do not overlap.
void plan_arena(const detail::Plan& plan, RunState& state) {
  std::vector<detail::ArenaRequest> requests;
  std::vector<size_t> slots;
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    if (!plan.steps[s].kernel->allocates_outputs()) continue;
    for (int o : plan.steps[s].outputs) {
      const Tensor& t = state.slots[static_cast<size_t>(o)];
      if (t.empty()) continue;
      const int last = std::max(plan.last_use[static_cast<size_t>(o)], static_cast<int>(s));
      requests.push_back({t.num_bytes(), static_cast<int>(s), last});
      slots.push_back(static_cast<size_t>(o));
    }
  }
  const detail::ArenaLayout layout = detail::plan_arena(requests);
  void* memory = std::aligned_alloc(Tensor::kAlignment, std::max<size_t>(layout.total, Tensor::kAlignment));
  if (!memory) throw std::bad_alloc();
  std::shared_ptr<void> arena(memory, std::free);
  state.views.clear();
  for (size_t i = 0; i < slots.size(); ++i) {
    const Tensor& t = state.slots[slots[i]];
    state.views.emplace_back(slots[i], Tensor::view(t.dtype(), t.shape(), arena,
                                                    static_cast<char*>(memory) + layout.offsets[i]));
  }
  size_t naive = 0;
  for (const auto& r : requests) naive += r.bytes;
  spdlog::debug("plan: arena of {} bytes for {} tensors ({} bytes without sharing)", layout.total,
                requests.size(), naive);
  state.planned = true;
}

}  // namespace

struct Session::Impl final : kernels::VariableAccess {
  Impl(const Graph& g, SessionOptions o)
      : graph(g),
        options(o),
        device(o.num_threads > 0 ? o.num_threads
                                 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {}

  Tensor read(const Operation& var) override {
    std::shared_lock lock(vars_mu);
    auto it = values.find(var.id());
    if (it == values.end()) {
      throw FailedPreconditionError("Attempting to use uninitialized value " + var.name());
    }
    return it->second;
  }

  void assign(const Operation& var, Tensor value) override {
    std::unique_lock lock(vars_mu);
    values[var.id()] = std::move(value);
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
    std::vector<Output> fed;
    std::set<std::pair<int64_t, int>> seen;
    for (const auto& [out, value] : feeds) {
      if (out.empty()) throw ValueError("Cannot feed an empty Output");
      check_in_graph(out.op(), "Tensor");
      if (!seen.emplace(out.op().id(), out.index()).second) {
        throw ValueError("Tensor " + out.name() + " is fed twice");
      }
      fed.push_back(out);
    }
    for (const Output& f : fetches) {
      if (f.empty()) throw ValueError("Cannot fetch an empty Output");
      check_in_graph(f.op(), "Tensor");
    }
    std::string key = name_list(fed) + "|" + name_list(fetches) + "|";
    for (const Operation& t : targets) {
      check_in_graph(t, "Operation");
      key += t.name() + ",";
    }
    {
      std::shared_lock lock(plans_mu);
      if (auto it = plans.find(key); it != plans.end()) return *it->second;
    }
    auto plan = detail::build_plan(graph, fed, fetches, targets, {options.fuse_conv});
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
      }
      if (!state) state = std::make_unique<RunState>(plan);
    }
    ~StateLease() {
      std::lock_guard lock(impl.pools_mu);
      impl.pools[&plan].push_back(std::move(state));
    }
    StateLease(const StateLease&) = delete;
    StateLease& operator=(const StateLease&) = delete;
    Impl& impl;
    detail::Plan& plan;
    std::unique_ptr<RunState> state;
  };

  std::vector<Tensor> run(const FeedDict& feeds, const std::vector<Output>& fetches,
                          const std::vector<Operation>& targets) {
    detail::Plan& plan = plan_for(feeds, fetches, targets);
    for (const auto& [out, value] : feeds) check_feed(out, value);
    StateLease lease(*this, plan);
    RunState& state = *lease.state;
    if (state.planned) {
      bool same = state.feed_shapes.size() == feeds.size();
      for (size_t i = 0; same && i < feeds.size(); ++i) same = state.feed_shapes[i] == feeds[i].second.shape();
      if (!same) state.planned = false;
    }
    if (!state.planned) {
      state.feed_shapes.clear();
      for (const auto& feed : feeds) state.feed_shapes.push_back(feed.second.shape());
    }
    for (size_t i = 0; i < feeds.size(); ++i) state.slots[static_cast<size_t>(plan.feed_slots[i])] = feeds[i].second;
    if (state.planned) {
      for (auto& [slot, view] : state.views) state.slots[slot] = view;
    }
    for (size_t s = 0; s < plan.steps.size(); ++s) {
      detail::PlanStep& step = plan.steps[s];
      kernels::KernelContext ctx{state.inputs[s], state.outputs[s], *this, device};
      try {
        step.kernel->compute(ctx);
      } catch (const ValueError& e) {  // a shape rule broken by run-time values
        throw InvalidArgumentError(e.what());
      } catch (const Error&) {
        throw;
      } catch (const std::bad_alloc&) {
        throw InvalidArgumentError("Out of memory running op " + step.kernel->what());
      } catch (const std::exception& e) {
        throw Error("Op " + step.kernel->what() + " failed: " + e.what());
      }
    }
    std::vector<Tensor> results;
    for (int s : plan.fetch_slots) {
      const Tensor& t = state.slots[static_cast<size_t>(s)];
      // A fetch never aliases the arena, a variable's storage or a constant.
      results.push_back(t.is_view() || t.buffer_shared() ? t.clone() : t);
    }
    if (!state.planned && options.use_arena) plan_arena(plan, state);
    return results;
  }

  Graph graph;
  SessionOptions options;
  kernels::CpuDevice device;
  std::shared_mutex vars_mu;
  std::unordered_map<int64_t, Tensor> values;
  std::shared_mutex plans_mu;
  std::unordered_map<std::string, std::unique_ptr<detail::Plan>> plans;
  std::mutex pools_mu;
  std::unordered_map<const detail::Plan*, std::vector<std::unique_ptr<RunState>>> pools;
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

const Graph& Session::graph() const { return impl_->graph; }
int Session::num_threads() const { return impl_->device.num_threads(); }
size_t Session::num_cached_plans() const {
  std::shared_lock lock(impl_->plans_mu);
  return impl_->plans.size();
}

}  // namespace minitf
