#include "plan.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <spdlog/spdlog.h>

namespace minitf::detail {
namespace {

using Key = std::pair<int64_t, int>;  // (op id, output index)
Key key_of(const Output& o) { return {o.op().id(), o.index()}; }

// Assign's first input is the variable itself, not its value.
bool is_ref_input(const Operation& op, size_t i) { return op.type() == "Assign" && i == 0; }

// One thing to execute: an op, or a fusion standing for several.
struct Item {
  Operation op;
  std::unique_ptr<kernels::OpKernel> kernel;
  std::vector<Output> inputs;  // empty Output: no value
  std::vector<Output> outputs;
  int64_t position = 0;  // the id of the last op it stands for: all its inputs come before
};

class Builder {
 public:
  Builder(const std::vector<Output>& feeds, const std::vector<Output>& fetches,
          const std::vector<Operation>& targets, const PlanOptions& options)
      : feeds_(feeds), fetches_(fetches), targets_(targets), options_(options) {
    for (const Output& f : feeds) fed_.insert(key_of(f));
  }

  std::unique_ptr<Plan> build() {
    for (const Output& f : fetches_) {
      if (!fed_.count(key_of(f))) visit(f.op());
    }
    for (const Operation& t : targets_) visit(t);
    std::vector<Operation> order;
    for (const auto& [id, op] : needed_) order.push_back(op);  // ids are a topological order
    count_consumers(order);
    std::vector<Item> items = make_items(order);
    return assemble(items);
  }

 private:
  void visit(const Operation& root) {
    std::vector<Operation> stack{root};
    while (!stack.empty()) {
      Operation op = stack.back();
      stack.pop_back();
      if (!needed_.emplace(op.id(), op).second) continue;
      const auto inputs = op.inputs();
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (!is_ref_input(op, i) && !fed_.count(key_of(inputs[i]))) stack.push_back(inputs[i].op());
      }
      for (const Operation& c : op.control_inputs()) stack.push_back(c);
    }
  }

  void count_consumers(const std::vector<Operation>& order) {
    for (const Operation& op : order) {
      const auto inputs = op.inputs();
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (!is_ref_input(op, i)) consumers_[key_of(inputs[i])].push_back(op);
      }
    }
    for (const Output& f : fetches_) pinned_.insert(key_of(f));
    for (const Output& f : feeds_) pinned_.insert(key_of(f));
  }

  // The single op that consumes `out` and nothing else does, when nothing pins it.
  std::optional<Operation> sole_consumer(const Output& out) const {
    if (pinned_.count(key_of(out))) return std::nullopt;
    auto it = consumers_.find(key_of(out));
    if (it == consumers_.end() || it->second.size() != 1) return std::nullopt;
    return it->second[0];
  }

  // Conv2D -> (BiasAdd | Add of a [C] tensor)? -> Relu? as one oneDNN primitive.
  bool try_fuse(const Operation& conv, std::vector<Item>& items) {
    Output out = conv.output(0);
    const int64_t channels = conv.inputs()[1].shape().dim(3);
    std::vector<Output> inputs = conv.inputs();
    std::vector<Operation> fused{conv};
    if (auto next = sole_consumer(out)) {
      const Operation& b = *next;
      const auto bin = b.inputs();
      if (b.type() == "BiasAdd" && bin[0] == out) {
        inputs.push_back(bin[1]);
      } else if ((b.type() == "Add" || b.type() == "AddV2") && b.output(0).shape() == out.shape()) {
        const Output other = bin[0] == out ? bin[1] : bin[0];
        if (other.shape() == Shape{channels} && !(bin[0] == bin[1])) inputs.push_back(other);
      }
      if (inputs.size() == 3) {
        fused.push_back(b);
        out = b.output(0);
      }
    }
    bool relu = false;
    if (auto next = sole_consumer(out); next && next->type() == "Relu") {
      relu = true;
      fused.push_back(*next);
      out = next->output(0);
    }
    if (fused.size() == 1) return false;
    for (const Operation& op : fused) skipped_.insert(op.id());
    std::string names;
    for (const Operation& op : fused) names += (names.empty() ? "" : " + ") + op.name();
    spdlog::debug("plan: fused {} into one oneDNN convolution", names);
    items.push_back(Item{
        conv, kernels::make_fused_conv2d(conv, inputs.size() == 3, relu), inputs, {out}, fused.back().id()});
    return true;
  }

  std::vector<Item> make_items(const std::vector<Operation>& order) {
    std::vector<Item> items;
    for (const Operation& op : order) {
      if (skipped_.count(op.id())) continue;
      if (options_.fuse_conv && op.type() == "Conv2D" && try_fuse(op, items)) continue;
      Item item{op, kernels::builtin_kernels().create(op), op.inputs(), op.outputs(), op.id()};
      for (size_t i = 0; i < item.inputs.size(); ++i) {
        if (is_ref_input(op, i)) item.inputs[i] = Output();
      }
      items.push_back(std::move(item));
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const Item& a, const Item& b) { return a.position < b.position; });
    return items;
  }

  // Union-find over the steps that compute: two are in one group when one reads what the other computed.
  static void find_components(Plan& plan) {
    const size_t n = plan.steps.size();
    std::vector<int> producer(static_cast<size_t>(plan.num_slots), -1);
    std::vector<bool> work(n, false);
    std::vector<size_t> parent(n);
    for (size_t s = 0; s < n; ++s) parent[s] = s;
    auto root = [&](size_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    for (size_t s = 0; s < n; ++s) {
      const PlanStep& step = plan.steps[s];
      plan.has_assign = plan.has_assign || step.kernel->op().type() == "Assign";
      bool reads_work = false;
      for (int in : step.inputs) {
        if (in >= 0 && producer[static_cast<size_t>(in)] >= 0 &&
            work[static_cast<size_t>(producer[static_cast<size_t>(in)])]) {
          reads_work = true;
          parent[root(s)] = root(static_cast<size_t>(producer[static_cast<size_t>(in)]));
        }
      }
      work[s] = reads_work || (step.kernel->allocates_outputs() && !step.inputs.empty());
      for (int out : step.outputs) producer[static_cast<size_t>(out)] = static_cast<int>(s);
    }
    std::map<size_t, int> ids;
    plan.component.assign(n, -1);
    for (size_t s = 0; s < n; ++s) {
      if (!work[s]) continue;
      auto [it, added] = ids.emplace(root(s), static_cast<int>(ids.size()));
      plan.component[s] = it->second;
    }
    plan.num_components = static_cast<int>(ids.size());
    plan.component_steps.assign(ids.size(), {});
    for (size_t s = 0; s < n; ++s) {
      if (plan.component[s] < 0) {
        plan.source_steps.push_back(s);
      } else {
        plan.component_steps[static_cast<size_t>(plan.component[s])].push_back(s);
      }
    }
  }

  std::unique_ptr<Plan> assemble(std::vector<Item>& items) {
    auto plan = std::make_unique<Plan>();
    std::map<Key, int> slots;
    auto slot = [&](const Output& o) {
      auto [it, inserted] = slots.emplace(key_of(o), static_cast<int>(slots.size()));
      return it->second;
    };
    for (const Output& f : feeds_) plan->feed_slots.push_back(slot(f));
    std::map<int, int> last_use;
    for (size_t s = 0; s < items.size(); ++s) {
      PlanStep step;
      step.kernel = std::move(items[s].kernel);
      for (const Output& in : items[s].inputs) {
        step.inputs.push_back(in.empty() ? -1 : slot(in));
        if (!in.empty()) last_use[step.inputs.back()] = static_cast<int>(s);
      }
      for (const Output& out : items[s].outputs) step.outputs.push_back(slot(out));
      plan->steps.push_back(std::move(step));
      plan->description += (plan->description.empty() ? "" : ", ") + items[s].op.name();
    }
    for (const Output& f : fetches_) plan->fetch_slots.push_back(slot(f));
    plan->num_slots = static_cast<int>(slots.size());
    find_components(*plan);
    plan->last_use.assign(slots.size(), -1);
    for (const auto& [s, step] : last_use) plan->last_use[static_cast<size_t>(s)] = step;
    for (int s : plan->fetch_slots)
      plan->last_use[static_cast<size_t>(s)] = static_cast<int>(plan->steps.size());
    extend_lifetimes_through_aliases(*plan);
    tell_constant_inputs(*plan);
    return plan;
  }

  // An output that forwards an input is that input's buffer: the input lives
  // as long as the alias does. Aliases come after their sources, so one pass
  // from the end carries the lifetime down chains of aliases.
  static void extend_lifetimes_through_aliases(Plan& plan) {
    for (size_t s = plan.steps.size(); s-- > 0;) {
      const PlanStep& step = plan.steps[s];
      for (size_t o = 0; o < step.outputs.size(); ++o) {
        const int j = step.kernel->forwarded_input(o);
        if (j < 0 || static_cast<size_t>(j) >= step.inputs.size() || step.inputs[static_cast<size_t>(j)] < 0)
          continue;
        auto& source = plan.last_use[static_cast<size_t>(step.inputs[static_cast<size_t>(j)])];
        source = std::max(source, plan.last_use[static_cast<size_t>(step.outputs[o])]);
      }
    }
  }

  // Which values hold the same buffer on every run (constants, variables'
  // values, and what forwards them), so kernels may cache work derived from them.
  static void tell_constant_inputs(Plan& plan) {
    std::vector<bool> constant(static_cast<size_t>(plan.num_slots), false);  // fed values never are
    for (PlanStep& step : plan.steps) {
      std::vector<bool> inputs;
      for (int in : step.inputs) inputs.push_back(in >= 0 && constant[static_cast<size_t>(in)]);
      for (size_t o = 0; o < step.outputs.size(); ++o) {
        const int j = step.kernel->forwarded_input(o);
        constant[static_cast<size_t>(step.outputs[o])] =
            step.kernel->outputs_constant_between_runs() ||
            (j >= 0 && static_cast<size_t>(j) < inputs.size() && inputs[static_cast<size_t>(j)]);
      }
      step.kernel->set_constant_inputs(inputs);
    }
  }

  const std::vector<Output>& feeds_;
  const std::vector<Output>& fetches_;
  const std::vector<Operation>& targets_;
  PlanOptions options_;
  std::set<Key> fed_, pinned_;
  std::map<int64_t, Operation> needed_;
  std::map<Key, std::vector<Operation>> consumers_;
  std::set<int64_t> skipped_;
};

}  // namespace

std::unique_ptr<Plan> build_plan(const Graph&, const std::vector<Output>& feeds,
                                 const std::vector<Output>& fetches, const std::vector<Operation>& targets,
                                 const PlanOptions& options) {
  auto plan = Builder(feeds, fetches, targets, options).build();
  spdlog::debug("plan: {} steps in {} independent branches: {}", plan->steps.size(), plan->num_components,
                plan->description);
  return plan;
}

}  // namespace minitf::detail
