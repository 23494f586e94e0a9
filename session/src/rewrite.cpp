#include "rewrite.h"

#include <algorithm>
#include <map>
#include <optional>
#include <type_traits>
#include <variant>

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

  // Whether `value` is `want` (attribute values a rule asks for: no tensors).
  static bool same_attr(const AttrValue& value, const AttrValue& want) {
    if (value.index() != want.index()) return false;
    return std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, Tensor>) {
            return false;
          } else {
            return v == std::get<T>(want);
          }
        },
        value);
  }

  // The stage of `stages` that `op` is when it normalizes `out` (its input 0,
  // and no other input), has the required attributes, and only its output 0
  // is read or fetched; else null.
  const NormStage* norm_stage(const std::vector<NormStage>& stages, const Operation& op,
                              const Output& out) const {
    auto stage =
        std::find_if(stages.begin(), stages.end(), [&](const NormStage& s) { return s.type == op.type(); });
    if (stage == stages.end()) return nullptr;
    const auto in = op.inputs();
    if (in.empty() || !(in[0] == out) || std::count(in.begin(), in.end(), out) != 1) return nullptr;
    for (const auto& [name, want] : stage->required) {
      auto it = op.attrs().find(name);
      if (it == op.attrs().end() || !same_attr(it->second, want)) return nullptr;
    }
    for (int i = 1; i < op.num_outputs(); ++i) {
      const ValueKey key = key_of(op.output(i));
      if (pinned_.count(key) || consumers_.count(key)) return nullptr;
    }
    return &*stage;
  }

  std::optional<PlanNode> try_fuse(const Operation& root, const FusionRule& rule) {
    auto listed = [](const std::vector<std::string>& types, const Operation& op) {
      return std::find(types.begin(), types.end(), op.type()) != types.end();
    };
    Output out = root.output(0);
    std::vector<Output> inputs = root.inputs();
    std::vector<std::string> fused_ops;
    std::vector<Operation> chain{root};
    AttrMap carried;
    if (auto next = sole_consumer(out); next && listed(rule.bias_ops, *next)) {
      if (Output bias = bias_operand(*next, out); !bias.empty()) {
        inputs.push_back(bias);
        fused_ops.push_back(rule.bias_name);
        chain.push_back(*next);
        out = next->output(0);
      }
    } else if (next) {
      if (const NormStage* stage = norm_stage(rule.norm_ops, *next, out)) {
        const auto in = next->inputs();
        inputs.insert(inputs.end(), in.begin() + 1, in.end());
        fused_ops.push_back(stage->name);
        for (const std::string& name : stage->carried) {
          if (auto it = next->attrs().find(name); it != next->attrs().end()) carried[name] = it->second;
        }
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
    for (auto& [name, value] : carried) attrs[name] = std::move(value);
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
