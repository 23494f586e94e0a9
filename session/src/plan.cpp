#include "plan.h"

#include <algorithm>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "branches.h"
#include "rewrite.h"

namespace minitf::detail {
namespace {

// The ops the fetches and targets need, in creation order (a topological
// order); a fed tensor cuts off what computes it.
std::vector<Operation> prune(const std::set<ValueKey>& fed, const std::vector<Output>& fetches,
                             const std::vector<Operation>& targets) {
  std::map<int64_t, Operation> needed;
  std::vector<Operation> stack;
  for (const Output& f : fetches) {
    if (!fed.count(key_of(f))) stack.push_back(f.op());
  }
  stack.insert(stack.end(), targets.begin(), targets.end());
  while (!stack.empty()) {
    Operation op = stack.back();
    stack.pop_back();
    if (!needed.emplace(op.id(), op).second) continue;
    const OpDef& def = op_def(op.type());
    const auto inputs = op.inputs();
    for (size_t i = 0; i < inputs.size(); ++i) {
      const bool ref = is_ref_input(def, op.attrs(), i);  // the variable itself: nothing to compute
      if (!ref && !fed.count(key_of(inputs[i]))) stack.push_back(inputs[i].op());
    }
    for (const Operation& c : op.control_inputs()) stack.push_back(c);
  }
  std::vector<Operation> order;
  for (auto& [id, op] : needed) order.push_back(std::move(op));
  return order;
}

// An output that forwards an input is that input's buffer: the input lives
// as long as the alias does. Aliases come after their sources, so one pass
// from the end carries the lifetime down chains of aliases.
void extend_lifetimes_through_aliases(Plan& plan) {
  for (size_t s = plan.steps.size(); s-- > 0;) {
    const PlanStep& step = plan.steps[s];
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      const int j = step.def->forwarded_input(static_cast<int>(o));
      if (j < 0 || static_cast<size_t>(j) >= step.inputs.size() || step.inputs[static_cast<size_t>(j)] < 0)
        continue;
      auto& source = plan.last_use[static_cast<size_t>(step.inputs[static_cast<size_t>(j)])];
      source = std::max(source, plan.last_use[static_cast<size_t>(step.outputs[o])]);
    }
  }
}

// Which values hold the same buffer on every run (constants, variables'
// values, and what forwards them), so kernels may cache work derived from them.
void tell_constant_inputs(Plan& plan) {
  std::vector<bool> constant(static_cast<size_t>(plan.num_slots), false);  // fed values never are
  for (PlanStep& step : plan.steps) {
    std::vector<bool> inputs;
    for (int in : step.inputs) inputs.push_back(in >= 0 && constant[static_cast<size_t>(in)]);
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      const int j = step.def->forwarded_input(static_cast<int>(o));
      constant[static_cast<size_t>(step.outputs[o])] =
          step.def->constant_output ||
          (j >= 0 && static_cast<size_t>(j) < inputs.size() && inputs[static_cast<size_t>(j)]);
    }
    step.kernel->set_constant_inputs(inputs);
  }
}

std::unique_ptr<Plan> assemble(std::vector<PlanNode>& nodes, const std::vector<Output>& feeds,
                               const std::vector<Output>& fetches) {
  auto plan = std::make_unique<Plan>();
  std::map<ValueKey, int> slots;
  auto slot = [&](const Output& o) {
    return slots.emplace(key_of(o), static_cast<int>(slots.size())).first->second;
  };
  for (const Output& f : feeds) plan->feed_slots.push_back(slot(f));
  std::map<int, int> last_use;
  for (size_t s = 0; s < nodes.size(); ++s) {
    PlanNode& n = nodes[s];
    PlanStep step;
    step.kernel = kernels::kernel_registry().create(n.node);
    step.def = n.def;
    step.input_specs = std::move(n.input_specs);
    for (const Output& in : n.inputs) {
      step.inputs.push_back(in.empty() ? -1 : slot(in));
      if (!in.empty()) last_use[step.inputs.back()] = static_cast<int>(s);
    }
    for (const Output& out : n.outputs) step.outputs.push_back(slot(out));
    plan->writes_variables = plan->writes_variables || std::any_of(n.def->inputs.begin(), n.def->inputs.end(),
                                                                   [](const ArgDef& a) { return a.ref; });
    plan->description += (plan->description.empty() ? "" : ", ") + n.node.name;
    plan->steps.push_back(std::move(step));
  }
  for (const Output& f : fetches) plan->fetch_slots.push_back(slot(f));
  plan->num_slots = static_cast<int>(slots.size());
  plan->last_use.assign(slots.size(), -1);
  for (const auto& [s, step] : last_use) plan->last_use[static_cast<size_t>(s)] = step;
  for (int s : plan->fetch_slots)
    plan->last_use[static_cast<size_t>(s)] = static_cast<int>(plan->steps.size());
  return plan;
}

// Runs `f` for one step of a signature; a shape rule broken by the fed shapes
// is an InvalidArgumentError, and nothing untyped leaves (an outside op's
// shape function or kernel may throw anything).
template <class F>
void guard_step(const std::string& name, const std::string& type, F f) {
  try {
    f();
  } catch (const ValueError& e) {
    throw InvalidArgumentError(e.what());
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw ResourceExhaustedError("Out of memory planning op '" + name + "' (op: '" + type + "')");
  } catch (const std::exception& e) {
    throw Error("Planning op '" + name + "' (op: '" + type + "') failed: " + e.what());
  }
}

}  // namespace

std::unique_ptr<Plan> build_plan(const std::vector<Output>& feeds, const std::vector<Output>& fetches,
                                 const std::vector<Operation>& targets, const PlanOptions& options) {
  std::set<ValueKey> fed, pinned;
  for (const Output& f : feeds) fed.insert(key_of(f));
  pinned = fed;
  for (const Output& f : fetches) pinned.insert(key_of(f));
  std::vector<PlanNode> nodes = rewrite(prune(fed, fetches, targets), pinned, options.fuse);
  auto plan = assemble(nodes, feeds, fetches);
  find_branches(*plan);
  extend_lifetimes_through_aliases(*plan);
  tell_constant_inputs(*plan);
  spdlog::debug("plan: {} steps in {} independent branches: {}", plan->steps.size(), plan->num_branches,
                plan->description);
  return plan;
}

std::shared_ptr<const Signature> signature_for(Plan& plan, const std::vector<Shape>& feed_shapes,
                                               const kernels::CpuDevice& device,
                                               const std::vector<int>& thread_counts) {
  {
    std::lock_guard lock(plan.signatures_mu);
    for (const auto& sig : plan.signatures) {
      if (sig->feed_shapes == feed_shapes) return sig;
    }
  }
  auto sig = std::make_shared<Signature>();
  sig->feed_shapes = feed_shapes;
  sig->specs.assign(static_cast<size_t>(plan.num_slots), {float32, Shape{-1}});
  std::vector<bool> known(static_cast<size_t>(plan.num_slots), false);
  for (size_t i = 0; i < plan.feed_slots.size(); ++i) {
    const auto slot = static_cast<size_t>(plan.feed_slots[i]);
    known[slot] = true;
    sig->specs[slot].second = feed_shapes[i];
  }
  // Constants' values, for shape functions that read them (Reshape's shape, an axis).
  std::vector<const Tensor*> constant(static_cast<size_t>(plan.num_slots), nullptr);
  for (PlanStep& step : plan.steps) {
    OutputSpecs in = step.input_specs;
    std::vector<const Tensor*> values(in.size(), nullptr);
    for (size_t i = 0; i < in.size(); ++i) {
      const int s = step.inputs[i];
      if (s < 0) continue;
      if (known[static_cast<size_t>(s)]) in[i].second = sig->specs[static_cast<size_t>(s)].second;
      values[i] = constant[static_cast<size_t>(s)];
    }
    const kernels::NodeInfo& node = step.kernel->node();
    OutputSpecs out;
    guard_step(node.name, step.def->type,
               [&] { out = infer_shapes(*step.def, node.name, node.attrs, in, values); });
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      const auto slot = static_cast<size_t>(step.outputs[o]);
      if (known[slot]) continue;  // fed: the feed decides
      sig->specs[slot] = out[o];
      known[slot] = true;
      if (o == 0) constant[slot] = constant_value(*step.def, node.attrs);
      if (o == 0 && step.def->shape_of_input && in[0].second.fully_defined()) {
        // Shape of a tensor whose shape this signature knows: a constant from
        // here on, so a Reshape or Conv2DBackpropInput fed by it has a known shape.
        const Shape& dims = in[0].second;
        Tensor t(out[0].first, Shape{dims.rank()});
        for (int d = 0; d < dims.rank(); ++d) {
          if (t.dtype() == int32) {
            t.data<int32_t>()[static_cast<size_t>(d)] = static_cast<int32_t>(dims.dim(d));
          } else {
            t.data<int64_t>()[static_cast<size_t>(d)] = dims.dim(d);
          }
        }
        sig->folded.push_back(std::move(t));
        constant[slot] = &sig->folded.back();
      }
    }
    sig->out_specs.push_back(std::move(out));
    guard_step(node.name, step.def->type, [&] {
      step.kernel->prepare(kernels::PrepareContext{in, sig->out_specs.back(), device, thread_counts, values});
    });
  }
  std::lock_guard lock(plan.signatures_mu);
  // A plan fed many shapes keeps the newest few signatures (kernels bound their own caches).
  constexpr size_t kMaxSignatures = 16;
  if (plan.signatures.size() >= kMaxSignatures) plan.signatures.erase(plan.signatures.begin());
  plan.signatures.push_back(sig);
  return sig;
}

}  // namespace minitf::detail
