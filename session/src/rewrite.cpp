#include "rewrite.h"

#include <algorithm>
#include <map>
#include <optional>

#include <spdlog/spdlog.h>

namespace minitf::detail {
namespace {

class Rewriter {
 public:
  Rewriter(const std::vector<Operation>& order, const std::set<ValueKey>& pinned) : pinned_(pinned) {
    for (const Operation& op : order) {
      const OpDef& def = op_def(op.type());
      const auto inputs = op.inputs();
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (!is_ref_input(def, op.attrs(), i)) consumers_[key_of(inputs[i])].push_back(op);
      }
    }
    for (FusionRule& rule : fusion_rules()) rules_.emplace(rule.root, std::move(rule));
  }

  std::vector<PlanNode> run(const std::vector<Operation>& order, bool fuse) {
    std::vector<PlanNode> nodes;
    for (const Operation& op : order) {
      if (absorbed_.count(op.id())) continue;
      if (fuse) {
        if (auto rule = rules_.find(op.type()); rule != rules_.end()) {
          if (auto fused = try_fuse(op, rule->second)) {
            nodes.push_back(std::move(*fused));
            continue;
          }
        }
      }
      nodes.push_back(plain(op));
    }
    std::stable_sort(nodes.begin(), nodes.end(),
                     [](const PlanNode& a, const PlanNode& b) { return a.position < b.position; });
    return nodes;
  }

 private:
  static PlanNode plain(const Operation& op) {
    const OpDef& def = op_def(op.type());
    PlanNode n{{op.name(), op.type(), op.attrs(), op}, &def, op.inputs(), {}, op.outputs(), op.id()};
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      n.input_specs.emplace_back(n.inputs[i].dtype(), n.inputs[i].shape());
      if (is_ref_input(def, op.attrs(), i)) n.inputs[i] = Output();
    }
    return n;
  }

  // The single op that reads `out`, when nothing else reads it and it is neither fed nor fetched.
  std::optional<Operation> sole_consumer(const Output& out) const {
    if (pinned_.count(key_of(out))) return std::nullopt;
    auto it = consumers_.find(key_of(out));
    if (it == consumers_.end() || it->second.size() != 1) return std::nullopt;
    return it->second[0];
  }

  // `op` adds a [C] vector to `out` of shape [..., C] (and nothing more): the other operand, or empty.
  static Output bias_operand(const Operation& op, const Output& out) {
    const auto in = op.inputs();
    if (in.size() != 2 || in[0] == in[1] || !(op.output(0).shape() == out.shape())) return {};
    Output other;
    if (in[0] == out) {
      other = in[1];
    } else if (in[1] == out && op_def(op.type()).commutative) {
      other = in[0];
    } else {
      return {};
    }
    const Shape& s = out.shape();
    const int64_t channels = s.rank() > 0 ? s.dim(s.rank() - 1) : -1;
    if (channels < 0 || other.dtype() != out.dtype() || !(other.shape() == Shape{channels})) return {};
    return other;
  }

  std::optional<PlanNode> try_fuse(const Operation& root, const FusionRule& rule) {
    auto listed = [](const std::vector<std::string>& types, const Operation& op) {
      return std::find(types.begin(), types.end(), op.type()) != types.end();
    };
    Output out = root.output(0);
    std::vector<Output> inputs = root.inputs();
    std::vector<std::string> fused_ops;
    std::vector<Operation> chain{root};
    if (auto next = sole_consumer(out); next && listed(rule.bias_ops, *next)) {
      if (Output bias = bias_operand(*next, out); !bias.empty()) {
        inputs.push_back(bias);
        fused_ops.push_back(rule.bias_name);
        chain.push_back(*next);
        out = next->output(0);
      }
    }
    if (auto next = sole_consumer(out); next && listed(rule.activations, *next)) {
      fused_ops.push_back(next->type());
      chain.push_back(*next);
      out = next->output(0);
    }
    if (chain.size() == 1) return std::nullopt;
    const OpDef& def = op_def(rule.fused);
    AttrMap attrs = root.attrs();
    attrs["fused_ops"] = fused_ops;
    attrs["num_args"] = static_cast<int64_t>(inputs.size() - root.inputs().size());
    const std::string& name = chain.back().name();
    PlanNode n{{name, rule.fused, complete_attrs(def, name, std::move(attrs)), root},
               &def,
               inputs,
               {},
               {out},
               chain.back().id()};
    for (const Output& in : inputs) n.input_specs.emplace_back(in.dtype(), in.shape());
    std::string names;
    for (const Operation& op : chain) {
      absorbed_.insert(op.id());
      names += (names.empty() ? "" : " + ") + op.name();
    }
    spdlog::debug("plan: rewrote {} as one {}", names, rule.fused);
    return n;
  }

  const std::set<ValueKey>& pinned_;
  std::map<ValueKey, std::vector<Operation>> consumers_;
  std::map<std::string, FusionRule> rules_;
  std::set<int64_t> absorbed_;
};

}  // namespace

std::vector<PlanNode> rewrite(const std::vector<Operation>& order, const std::set<ValueKey>& pinned,
                              bool fuse) {
  return Rewriter(order, pinned).run(order, fuse);
}

}  // namespace minitf::detail
