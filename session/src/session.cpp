#include <minitf/session/session.h>

#include <cstdlib>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

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

  std::vector<Tensor> run(const FeedDict& feeds, const std::vector<Output>& fetches,
                          const std::vector<Operation>& targets) {
    detail::Plan& plan = plan_for(feeds, fetches, targets);
    std::vector<Tensor> slots(static_cast<size_t>(plan.num_slots));
    for (size_t i = 0; i < feeds.size(); ++i) {
      check_feed(feeds[i].first, feeds[i].second);
      slots[static_cast<size_t>(plan.feed_slots[i])] = feeds[i].second;
    }
    std::vector<Tensor> inputs, outputs;
    for (detail::PlanStep& step : plan.steps) {
      inputs.clear();
      for (int s : step.inputs) inputs.push_back(s >= 0 ? slots[static_cast<size_t>(s)] : Tensor());
      outputs.assign(step.outputs.size(), Tensor());
      kernels::KernelContext ctx{inputs, outputs, *this, device};
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
      for (size_t j = 0; j < step.outputs.size(); ++j) {
        slots[static_cast<size_t>(step.outputs[j])] = std::move(outputs[j]);
      }
      for (int s : step.release) slots[static_cast<size_t>(s)] = Tensor();
    }
    std::vector<Tensor> results;
    for (int s : plan.fetch_slots) {
      const Tensor& t = slots[static_cast<size_t>(s)];
      // A fetch must not alias a variable's or a constant's storage.
      results.push_back(t.buffer_shared() ? t.clone() : t);
    }
    return results;
  }

  Graph graph;
  SessionOptions options;
  kernels::CpuDevice device;
  std::shared_mutex vars_mu;
  std::unordered_map<int64_t, Tensor> values;
  std::shared_mutex plans_mu;
  std::unordered_map<std::string, std::unique_ptr<detail::Plan>> plans;
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
