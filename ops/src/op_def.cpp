// The op registry: definitions by type, checked attributes, shape inference
// and create_op, the one way an op enters a graph.
#include <minitf/ops/op_def.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>

#include "families.h"

namespace minitf {
namespace {

struct Registry {
  std::shared_mutex mu;
  std::map<std::string, std::unique_ptr<const OpDef>> defs;  // nodes never move: references stay valid
  std::vector<FusionRule> fusions;
  std::map<std::string, GradFn> gradients;  // nodes never move: pointers stay valid
  std::set<std::string> not_differentiable;
};

void add_gradient(Registry& r, const std::string& type, GradFn fn) {
  if (!r.defs.count(type)) throw ValueError("register_gradient: op type not registered: '" + type + "'");
  if (r.gradients.count(type) || r.not_differentiable.count(type)) {
    throw AlreadyExistsError("register_gradient: op type '" + type + "' already has a gradient");
  }
  r.gradients.emplace(type, std::move(fn));
}

void add_not_differentiable(Registry& r, const std::string& type) {
  if (!r.defs.count(type))
    throw ValueError("register_not_differentiable: op type not registered: '" + type + "'");
  if (r.gradients.count(type) || r.not_differentiable.count(type)) {
    throw AlreadyExistsError("register_not_differentiable: op type '" + type + "' already has a gradient");
  }
  r.not_differentiable.insert(type);
}

void add_def(Registry& r, OpDef def);

Registry& registry() {
  static Registry* r = [] {
    auto* made = new Registry;  // never destroyed: sessions may outlive static destruction order
    register_array_ops([made](OpDef d) { add_def(*made, std::move(d)); });
    register_control_flow_ops([made](OpDef d) { add_def(*made, std::move(d)); });
    register_math_ops([made](OpDef d) { add_def(*made, std::move(d)); },
                      [made](FusionRule f) { made->fusions.push_back(std::move(f)); });
    register_nn_ops([made](OpDef d) { add_def(*made, std::move(d)); },
                    [made](FusionRule f) { made->fusions.push_back(std::move(f)); });
    register_random_ops([made](OpDef d) { add_def(*made, std::move(d)); });
    register_state_ops([made](OpDef d) { add_def(*made, std::move(d)); });
    const GradRegistrar grads{
        [made](const std::string& t, GradFn f) { add_gradient(*made, t, std::move(f)); },
        [made](const std::string& t) { add_not_differentiable(*made, t); }};
    register_array_gradients(grads);
    register_math_gradients(grads);
    register_nn_gradients(grads);
    return made;
  }();
  return *r;
}

AttrType type_of(const AttrValue& v) {
  static constexpr AttrType kTypes[] = {AttrType::kInt,    AttrType::kFloat, AttrType::kBool,
                                        AttrType::kString, AttrType::kInts,  AttrType::kStrings,
                                        AttrType::kShape,  AttrType::kType,  AttrType::kTensor};
  return kTypes[v.index()];
}

std::string describe(const AttrValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return "\"" + x + "\"";
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, float>) {
          return std::to_string(x);
        } else if constexpr (std::is_same_v<T, Shape>) {
          return x.to_string();
        } else if constexpr (std::is_same_v<T, DType>) {
          return dtype_name(x);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          std::string s;
          for (int64_t i : x) s += (s.empty() ? "" : ", ") + std::to_string(i);
          return "[" + s + "]";
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::string s;
          for (const auto& i : x) s += (s.empty() ? "\"" : ", \"") + i + "\"";
          return "[" + s + "]";
        } else {
          return "a tensor";
        }
      },
      v);
}

bool equal(const AttrValue& a, const AttrValue& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Tensor>) {
          return false;  // allowed values are never tensors
        } else {
          return x == std::get<T>(b);
        }
      },
      a);
}

void add_def(Registry& r, OpDef def) {
  if (def.type.empty()) throw ValueError("An op definition needs a type name");
  if (!def.shape) throw ValueError("Op definition '" + def.type + "' has no shape function");
  for (const AttrDef& a : def.attrs) {
    for (const AttrValue& v : a.allowed) {
      if (type_of(v) != a.type) {
        throw ValueError("Op definition '" + def.type + "': an allowed value of attribute '" + a.name +
                         "' is not of its type " + attr_type_name(a.type));
      }
    }
  }
  for (const AttrDef& a : def.attrs) {
    if (a.default_value && !a.allowed.empty() &&
        std::none_of(a.allowed.begin(), a.allowed.end(),
                     [&](const AttrValue& v) { return equal(v, *a.default_value); })) {
      throw ValueError("Op definition '" + def.type + "': the default of attribute '" + a.name +
                       "' is not one of its allowed values");
    }
  }
  std::vector<std::pair<const ArgDef*, const char*>> args;
  for (const ArgDef& a : def.inputs) args.emplace_back(&a, "input");
  for (const ArgDef& a : def.outputs) args.emplace_back(&a, "output");
  for (const auto& [arg, kind] : args) {
    const ArgDef& in = *arg;
    if (in.number_attr.empty()) continue;
    const auto a = std::find_if(def.attrs.begin(), def.attrs.end(),
                                [&](const AttrDef& d) { return d.name == in.number_attr; });
    if (a == def.attrs.end() || a->type != AttrType::kInt) {
      throw ValueError("Op definition '" + def.type + "': " + kind + " list '" + in.name + "' is sized by '" +
                       in.number_attr + "', which is not an int attribute of the op");
    }
  }
  for (const auto& [o, i] : def.forwards) {
    if (o < 0 || i < 0 || static_cast<size_t>(o) >= def.outputs.size() ||
        static_cast<size_t>(i) >= def.inputs.size()) {
      throw ValueError("Op definition '" + def.type + "' forwards an input or output it does not have");
    }
  }
  const std::string type = def.type;
  if (!r.defs.emplace(type, std::make_unique<const OpDef>(std::move(def))).second) {
    throw AlreadyExistsError("Op type '" + type + "' is already registered");
  }
}

}  // namespace

namespace {

std::vector<const ArgDef*> expand(const std::vector<ArgDef>& list, const AttrMap& attrs) {
  std::vector<const ArgDef*> args;
  for (const ArgDef& a : list) {
    int64_t n = 1;
    if (!a.number_attr.empty()) {
      auto it = attrs.find(a.number_attr);
      n = it != attrs.end() && std::holds_alternative<int64_t>(it->second) ? std::get<int64_t>(it->second)
                                                                           : 0;
      n = std::max<int64_t>(0, std::min<int64_t>(n, 1 << 16));
    }
    for (int64_t i = 0; i < n; ++i) args.push_back(&a);
  }
  return args;
}

}  // namespace

std::vector<const ArgDef*> expand_inputs(const OpDef& def, const AttrMap& attrs) {
  return expand(def.inputs, attrs);
}

size_t num_outputs(const OpDef& def, const AttrMap& attrs) { return expand(def.outputs, attrs).size(); }

const Tensor* constant_value(const OpDef& def, const AttrMap& attrs) {
  if (!def.constant_output) return nullptr;
  auto it = attrs.find("value");
  return it != attrs.end() ? std::get_if<Tensor>(&it->second) : nullptr;
}

std::optional<std::vector<int64_t>> InferenceContext::ints(size_t input) const {
  const Tensor* t = value(input);
  if (!t) return std::nullopt;
  std::vector<int64_t> v;
  if (t->dtype() == int32) {
    for (int32_t x : t->data<int32_t>()) v.push_back(x);
  } else if (t->dtype() == int64) {
    for (int64_t x : t->data<int64_t>()) v.push_back(x);
  } else {
    throw ValueError("Op " + what() + " needs input " + std::to_string(input) +
                     " of dtype int32 or int64, got " + dtype_name(t->dtype()));
  }
  return v;
}

bool is_ref_input(const OpDef& def, const AttrMap& attrs, size_t i) {
  bool any_ref = false;
  for (const ArgDef& a : def.inputs) any_ref = any_ref || a.ref;
  if (!any_ref) return false;  // the common case, without expanding lists
  const std::vector<const ArgDef*> args = expand_inputs(def, attrs);
  return i < args.size() && args[i]->ref;
}

namespace {

// The type attribute names of `def`'s inputs that the op does not declare itself.
std::vector<std::string> type_attr_names(const OpDef& def) {
  std::vector<std::string> names;
  for (const ArgDef& a : def.inputs) {
    if (a.type_attr.empty() || def.find_attr(a.type_attr)) continue;
    if (std::find(names.begin(), names.end(), a.type_attr) == names.end()) names.push_back(a.type_attr);
  }
  return names;
}

bool is_type_attr(const OpDef& def, const std::string& name) {
  const std::vector<std::string> names = type_attr_names(def);
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Sets each input's type attribute to its dtype, as TF's NodeDef carries it;
// ValueError when two inputs of one type attribute, or a given value, disagree.
void record_type_attrs(const OpDef& def, const std::string& op_name, const OutputSpecs& inputs,
                       AttrMap& attrs) {
  const std::vector<const ArgDef*> args = expand_inputs(def, attrs);
  std::map<std::string, std::pair<DType, std::string>> seen;  // attr -> (dtype, input that set it)
  for (size_t i = 0; i < args.size() && i < inputs.size(); ++i) {
    const std::string& name = args[i]->type_attr;
    if (name.empty() || def.find_attr(name)) continue;
    const DType dtype = inputs[i].first;
    auto [it, fresh] = seen.emplace(name, std::make_pair(dtype, args[i]->name));
    if (!fresh && it->second.first != dtype) {
      throw ValueError("Op '" + op_name + "' (op: '" + def.type + "'): input '" + args[i]->name +
                       "' has dtype " + dtype_name(dtype) + " but input '" + it->second.second +
                       "' has dtype " + dtype_name(it->second.first) + " (both are of type attribute " +
                       name + ")");
    }
  }
  for (const auto& [name, v] : seen) {
    auto given = attrs.find(name);
    if (given != attrs.end() && std::get<DType>(given->second) != v.first) {
      throw ValueError("Op '" + op_name + "' (op: '" + def.type + "'): attribute " + name + " is " +
                       dtype_name(std::get<DType>(given->second)) + " but input '" + v.second +
                       "' has dtype " + dtype_name(v.first));
    }
    attrs[name] = v.first;
  }
}

}  // namespace

const char* attr_type_name(AttrType type) {
  switch (type) {
    case AttrType::kInt:
      return "int";
    case AttrType::kFloat:
      return "float";
    case AttrType::kBool:
      return "bool";
    case AttrType::kString:
      return "string";
    case AttrType::kInts:
      return "list(int)";
    case AttrType::kStrings:
      return "list(string)";
    case AttrType::kShape:
      return "shape";
    case AttrType::kType:
      return "type";
    case AttrType::kTensor:
      return "tensor";
  }
  return "?";
}

std::string InferenceContext::input_shapes() const {
  std::string s;
  for (size_t i = 0; i < inputs.size(); ++i) s += (i ? ", " : "") + inputs[i].second.to_string();
  return s;
}

OpDef&& OpDef::output_list(std::string name, std::string number_attr) && {
  outputs.push_back(ArgDef{std::move(name), {}, false, std::move(number_attr)});
  return std::move(*this);
}
OpDef&& OpDef::input(std::string name, std::vector<DType> dtypes) && {
  inputs.push_back(ArgDef{std::move(name), std::move(dtypes), false, {}});
  return std::move(*this);
}
OpDef&& OpDef::ref_input(std::string name) && {
  inputs.push_back(ArgDef{std::move(name), {}, true, {}});
  return std::move(*this);
}
OpDef&& OpDef::input_list(std::string name, std::string number_attr, std::vector<DType> dtypes) && {
  inputs.push_back(ArgDef{std::move(name), std::move(dtypes), false, std::move(number_attr)});
  return std::move(*this);
}
OpDef&& OpDef::output(std::string name) && {
  outputs.push_back(ArgDef{std::move(name), {}, false, {}});
  return std::move(*this);
}
OpDef&& OpDef::attr(std::string name, AttrType t, std::vector<AttrValue> allowed) && {
  attrs.push_back(AttrDef{std::move(name), t, std::nullopt, std::move(allowed)});
  return std::move(*this);
}
OpDef&& OpDef::attr(std::string name, AttrValue default_value, std::vector<AttrValue> allowed) && {
  const AttrType t = type_of(default_value);
  attrs.push_back(AttrDef{std::move(name), t, std::move(default_value), std::move(allowed)});
  return std::move(*this);
}
OpDef&& OpDef::shape_fn(ShapeFn fn) && {
  shape = std::move(fn);
  return std::move(*this);
}
OpDef&& OpDef::set_stateful() && {
  stateful = true;
  return std::move(*this);
}
OpDef&& OpDef::set_variable() && {
  variable = stateful = constant_output = true;
  return std::move(*this);
}
OpDef&& OpDef::set_constant_output() && {
  constant_output = true;
  return std::move(*this);
}
OpDef&& OpDef::set_elementwise() && {
  elementwise = true;
  return std::move(*this);
}
OpDef&& OpDef::set_commutative() && {
  commutative = true;
  return std::move(*this);
}

OpDef&& OpDef::set_shape_of_input() && {
  shape_of_input = true;
  return std::move(*this);
}
OpDef&& OpDef::type_attr(const std::string& input, std::string attr_name) && {
  auto it = std::find_if(inputs.begin(), inputs.end(), [&](const ArgDef& a) { return a.name == input; });
  if (it == inputs.end()) throw ValueError("Op definition '" + type + "' has no input '" + input + "'");
  it->type_attr = std::move(attr_name);
  return std::move(*this);
}
OpDef&& OpDef::set_forwards(int out, int in) && {
  forwards.emplace_back(out, in);
  return std::move(*this);
}

const AttrDef* OpDef::find_attr(const std::string& name) const {
  for (const AttrDef& a : attrs) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

int OpDef::forwarded_input(int out) const {
  for (const auto& [o, i] : forwards) {
    if (o == out) return i;
  }
  return -1;
}

void register_op(OpDef def) {
  Registry& r = registry();
  std::unique_lock lock(r.mu);
  add_def(r, std::move(def));
}

void register_fusion(FusionRule rule) {
  Registry& r = registry();
  std::unique_lock lock(r.mu);
  for (const std::string* t : {&rule.root, &rule.fused}) {
    if (!r.defs.count(*t)) throw ValueError("Fusion rule names an unregistered op type '" + *t + "'");
  }
  for (const NormStage& n : rule.norm_ops) {
    if (!r.defs.count(n.type)) throw ValueError("Fusion rule names an unregistered op type '" + n.type + "'");
  }
  r.fusions.push_back(std::move(rule));
}

void register_gradient(const std::string& type, GradFn fn) {
  Registry& r = registry();
  std::unique_lock lock(r.mu);
  add_gradient(r, type, std::move(fn));
}

void register_not_differentiable(const std::string& type) {
  Registry& r = registry();
  std::unique_lock lock(r.mu);
  add_not_differentiable(r, type);
}

const GradFn* find_gradient(const std::string& type) {
  Registry& r = registry();
  std::shared_lock lock(r.mu);
  auto it = r.gradients.find(type);
  return it == r.gradients.end() ? nullptr : &it->second;
}

bool is_not_differentiable(const std::string& type) {
  Registry& r = registry();
  std::shared_lock lock(r.mu);
  return r.not_differentiable.count(type) > 0;
}

const OpDef* find_op_def(const std::string& type) {
  Registry& r = registry();
  std::shared_lock lock(r.mu);
  auto it = r.defs.find(type);
  return it == r.defs.end() ? nullptr : it->second.get();
}

const OpDef& op_def(const std::string& type) {
  if (const OpDef* d = find_op_def(type)) return *d;
  throw ValueError("Op type not registered: '" + type + "'");
}

std::vector<std::string> registered_op_types() {
  Registry& r = registry();
  std::shared_lock lock(r.mu);
  std::vector<std::string> types;
  for (const auto& [k, v] : r.defs) types.push_back(k);
  return types;
}

std::vector<FusionRule> fusion_rules() {
  Registry& r = registry();
  std::shared_lock lock(r.mu);
  return r.fusions;
}

AttrMap complete_attrs(const OpDef& def, const std::string& op_name, AttrMap attrs) {
  const std::string what = "Op '" + op_name + "' (op: '" + def.type + "')";
  for (const auto& entry : attrs) {
    const auto& [key, value] = entry;
    const AttrValue& given = entry.second;  // a lambda may capture this (clang 14 cannot capture bindings)
    const AttrDef* a = def.find_attr(key);
    if (!a && is_type_attr(def, key)) {
      if (!std::holds_alternative<DType>(value)) {
        throw ValueError(what + ": attribute '" + key + "' must be of type type, got " +
                         attr_type_name(type_of(value)) + " " + describe(value));
      }
      continue;
    }
    if (!a) {
      std::string known;
      for (const AttrDef& d : def.attrs) known += (known.empty() ? "" : ", ") + d.name;
      for (const std::string& t : type_attr_names(def)) known += (known.empty() ? "" : ", ") + t;
      throw ValueError(what + " has no attribute '" + key +
                       "' (its attributes: " + (known.empty() ? std::string("none") : known) + ")");
    }
    if (type_of(value) != a->type) {
      throw ValueError(what + ": attribute '" + key + "' must be of type " + attr_type_name(a->type) +
                       ", got " + attr_type_name(type_of(value)) + " " + describe(value));
    }
    if (!a->allowed.empty() && std::none_of(a->allowed.begin(), a->allowed.end(),
                                            [&](const AttrValue& v) { return equal(v, given); })) {
      std::string allowed;
      for (const AttrValue& v : a->allowed) allowed += (allowed.empty() ? "" : " or ") + describe(v);
      throw ValueError(what + ": " + key + " must be " + allowed + ", got " + describe(value));
    }
  }
  for (const AttrDef& a : def.attrs) {
    if (attrs.count(a.name)) continue;
    if (!a.default_value) throw ValueError(what + " is missing attribute '" + a.name + "'");
    attrs.emplace(a.name, *a.default_value);
  }
  return attrs;
}

OutputSpecs infer_shapes(const OpDef& def, const std::string& op_name, const AttrMap& attrs,
                         const OutputSpecs& inputs, const std::vector<const Tensor*>& values) {
  const InferenceContext c{op_name, def.type, inputs, attrs, &values};
  const std::vector<const ArgDef*> args = expand_inputs(def, attrs);
  if (inputs.size() != args.size()) {
    throw ValueError("Op " + c.what() + " takes " + std::to_string(args.size()) + " inputs, got " +
                     std::to_string(inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto& allowed = args[i]->dtypes;
    if (allowed.empty() || std::find(allowed.begin(), allowed.end(), inputs[i].first) != allowed.end())
      continue;
    std::string names;
    for (DType d : allowed) names += (names.empty() ? "" : " or ") + std::string(dtype_name(d));
    throw ValueError("Op " + c.what() + " computes in " + names + ", got an input '" + args[i]->name +
                     "' of dtype " + dtype_name(inputs[i].first) + " and shape " +
                     inputs[i].second.to_string());
  }
  OutputSpecs outs = def.shape(c);
  if (outs.size() != num_outputs(def, attrs)) {
    throw ValueError("The shape function of op type '" + def.type + "' gave " + std::to_string(outs.size()) +
                     " outputs for " + c.what() + ", which has " + std::to_string(num_outputs(def, attrs)));
  }
  return outs;
}

Operation create_op(Graph g, const std::string& type, const std::string& name, std::vector<Output> inputs,
                    AttrMap attrs, std::vector<Operation> control_inputs) {
  const OpDef& def = op_def(type);
  std::string full = !name.empty() && name.back() == '/' ? name.substr(0, name.size() - 1)
                                                         : g.unique_name(name.empty() ? type : name);
  OutputSpecs in_specs;
  std::vector<const Tensor*> values;
  for (const Output& in : inputs) {
    if (in.empty()) throw ValueError("Op '" + full + "' (op: '" + type + "') got an empty input");
    in_specs.emplace_back(in.dtype(), in.shape());
    const Operation producer = in.op();
    const OpDef* producer_def = find_op_def(producer.type());
    values.push_back(producer_def ? constant_value(*producer_def, producer.attrs()) : nullptr);
  }
  attrs = complete_attrs(def, full, std::move(attrs));
  OutputSpecs outs = infer_shapes(def, full, attrs, in_specs, values);
  record_type_attrs(def, full, in_specs, attrs);
  return g.add_node(NodeSpec{type, std::move(full), std::move(inputs), std::move(control_inputs),
                             std::move(attrs), std::move(outs)});
}

}  // namespace minitf
