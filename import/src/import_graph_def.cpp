// tf.import_graph_def: a GraphDef's nodes into the default graph, through
// create_op (so the op definitions check every attribute and shape).
#include <minitf/import/import.h>
#include <minitf/ops/array_ops.h>
#include <minitf/ops/op_def.h>
#include <minitf/scope/scopes.h>
#include <algorithm>
#include <map>
#include <queue>
#include <set>

namespace minitf {
namespace {

// TF.js's names for TF's fused ops.
std::string op_type_of(const std::string& op) {
  if (op == "FusedDepthwiseConv2dNative") return "_FusedDepthwiseConv2dNative";
  return op;
}

// One input of a NodeDef: "op", "op:1" or "^op".
struct InputRef {
  std::string node;
  int index = 0;
  bool control = false;
  std::string key() const { return control ? "^" + node : node + ":" + std::to_string(index); }
};

InputRef parse_input(const std::string& text, const std::string& node) {
  InputRef r;
  std::string_view s(text);
  if (!s.empty() && s[0] == '^') {
    r.control = true;
    s.remove_prefix(1);
  }
  const auto colon = s.rfind(':');
  if (!r.control && colon != std::string_view::npos) {
    const std::string_view digits = s.substr(colon + 1);
    if (digits.empty() || digits.size() > 6 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      throw ValueError("Node '" + node + "' has an input '" + text + "' whose output index is not a number");
    }
    r.index = std::stoi(std::string(digits));
    s = s.substr(0, colon);
  }
  if (s.empty()) throw ValueError("Node '" + node + "' has an empty input name");
  r.node = std::string(s);
  return r;
}

// "x" -> "x:0"; "x:1" and "^x" unchanged.
std::string tensor_key(const std::string& name) {
  if (!name.empty() && name[0] == '^') return name;
  return name.find(':') == std::string::npos ? name + ":0" : name;
}

// What import checks before adding anything: names, op types, inputs, the
// order (inputs first) and the options' names.
struct ImportPlan {
  std::vector<size_t> order;                  // node indices, inputs before their consumers
  std::vector<std::vector<InputRef>> inputs;  // per node
  std::map<std::string, size_t> index_of;     // node name -> index
};

ImportPlan plan_import(const GraphDef& gd, const ImportOptions& options) {
  ImportPlan p;
  const size_t n = gd.node.size();
  std::map<std::string, int> missing;  // op types minitf lacks -> how many nodes use them
  const NodeDef* first_missing = nullptr;
  for (size_t i = 0; i < n; ++i) {
    const NodeDef& node = gd.node[i];
    if (!is_valid_op_name(node.name))
      throw ValueError("GraphDef node name '" + node.name + "' is not a valid op name");
    if (!p.index_of.emplace(node.name, i).second)
      throw ValueError("Duplicate node name in GraphDef: '" + node.name + "'");
    if (!find_op_def(op_type_of(node.op))) {
      if (!first_missing) first_missing = &node;
      ++missing[node.op];
    }
  }
  if (first_missing) {
    std::string all;
    for (const auto& [op, count] : missing)
      all += (all.empty() ? "" : ", ") + op + " (" + std::to_string(count) + " nodes)";
    throw UnimplementedError("Node '" + first_missing->name + "' has op '" + first_missing->op +
                             "', which minitf does not implement; the GraphDef uses " +
                             std::to_string(missing.size()) + " op types minitf lacks: " + all +
                             " (README.md lists minitf's ops)");
  }
  std::set<std::string> mapped;
  for (const auto& [key, value] : options.input_map) {
    const std::string k = tensor_key(key);
    if (k[0] == '^') throw UnimplementedError("input_map key '" + key + "': control inputs cannot be mapped");
    const InputRef r = parse_input(k, "input_map");
    if (!p.index_of.count(r.node)) {
      throw ValueError("Attempted to map inputs that were not found in graph_def: [" + key + "]");
    }
    if (value.empty()) throw ValueError("input_map maps '" + key + "' to an empty Output");
    mapped.insert(r.key());
  }
  p.inputs.resize(n);
  std::vector<std::vector<size_t>> consumers(n);
  std::vector<size_t> pending(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const NodeDef& node = gd.node[i];
    for (const std::string& text : node.input) {
      InputRef r = parse_input(text, node.name);
      if (!r.control && mapped.count(r.key())) {
        p.inputs[i].push_back(r);
        continue;  // comes from the graph, not from a node of this GraphDef
      }
      auto it = p.index_of.find(r.node);
      if (it == p.index_of.end()) {
        throw ValueError("Node '" + node.name + "': input '" + text + "' not found in graph_def");
      }
      consumers[it->second].push_back(i);
      ++pending[i];
      p.inputs[i].push_back(std::move(r));
    }
  }
  // Kahn's order, lowest index first: a GraphDef already in order keeps it.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  while (!ready.empty()) {
    const size_t i = ready.top();
    ready.pop();
    p.order.push_back(i);
    for (size_t c : consumers[i]) {
      if (--pending[c] == 0) ready.push(c);
    }
  }
  if (p.order.size() != n) {
    for (size_t i = 0; i < n; ++i) {
      if (pending[i] != 0) {
        throw ValueError("GraphDef has a cycle: node '" + gd.node[i].name +
                         "' depends on itself through its inputs (minitf has no control flow loops)");
      }
    }
  }
  for (const std::string& e : options.return_elements) {
    const bool tensor = e.find(':') != std::string::npos;
    const std::string name = tensor ? e.substr(0, e.rfind(':')) : e;
    if (!p.index_of.count(name)) {
      throw ValueError(std::string("Requested return ") + (tensor ? "tensor" : "operation") + " '" + e +
                       "' not found in graph_def");
    }
  }
  return p;
}

// The node's attributes as its op definition types them: an empty list
// (which has no element type in a GraphDef) takes the declared one.
AttrMap typed_attrs(const NodeDef& node, const OpDef& def) {
  AttrMap attrs = node.attr;
  for (auto& [key, value] : attrs) {
    const AttrDef* a = def.find_attr(key);
    const auto* ints = std::get_if<std::vector<int64_t>>(&value);
    if (a && ints && ints->empty() && a->type == AttrType::kStrings) value = std::vector<std::string>{};
  }
  return attrs;
}

// TF.js's _FusedConv2D / FusedDepthwiseConv2dNative with fused_ops [BiasAdd, Prelu].
bool fused_with_prelu(const std::string& type, const AttrMap& attrs) {
  if (type != "_FusedConv2D" && type != "_FusedDepthwiseConv2dNative") return false;
  auto it = attrs.find("fused_ops");
  const auto* ops = it == attrs.end() ? nullptr : std::get_if<std::vector<std::string>>(&it->second);
  return ops && *ops == std::vector<std::string>{"BiasAdd", "Prelu"};
}

bool becomes_variable(const NodeDef& node, const ImportOptions& options) {
  if (!options.variables || node.op != "Const") return false;
  auto it = node.attr.find("value");
  const Tensor* t = it == node.attr.end() ? nullptr : std::get_if<Tensor>(&it->second);
  return t && t->dtype() == float32 && t->shape().rank() >= 1;
}

// Adds the nodes to the default graph under `prefix` ("" for none) with
// `input_map` standing for the mapped inputs.
struct Built {
  std::map<std::string, Operation> made;   // GraphDef name -> operation
  std::map<std::string, Output> replaced;  // "name:0" of a Const turned variable -> the variable's value
};

Built build(const GraphDef& gd, const ImportPlan& p, const std::string& prefix,
            const std::map<std::string, Output>& input_map, const ImportOptions& options,
            const std::string& var_scope) {
  Graph g = get_default_graph();
  Built b;
  auto& made = b.made;
  auto& replaced = b.replaced;
  for (size_t i : p.order) {
    const NodeDef& node = gd.node[i];
    const std::string full = prefix.empty() ? node.name : prefix + "/" + node.name;
    const std::string type = op_type_of(node.op);
    const OpDef& def = op_def(type);
    std::vector<Output> inputs;
    std::vector<Operation> controls;
    for (const InputRef& r : p.inputs[i]) {
      if (r.control) {
        controls.push_back(made.at(r.node));
        continue;
      }
      if (auto m = input_map.find(r.key()); m != input_map.end()) {
        inputs.push_back(m->second);
      } else if (auto v = replaced.find(r.key()); v != replaced.end()) {
        inputs.push_back(v->second);
      } else {
        const Operation& op = made.at(r.node);
        if (r.index >= op.num_outputs()) {
          throw ValueError("Node '" + node.name + "': input '" + r.key() + "' names output " +
                           std::to_string(r.index) + " of '" + r.node + "', which has " +
                           std::to_string(op.num_outputs()) + " outputs");
        }
        inputs.push_back(op.output(r.index));
      }
    }
    if (options.variables && node.op == "Identity" && p.inputs[i].size() == 1 && !p.inputs[i][0].control &&
        node.name == p.inputs[i][0].node + "/read" && replaced.count(p.inputs[i][0].key())) {
      // A frozen TF graph keeps the variable's "<name>/read": it is the new variable's own.
      const Output& value = replaced.at(p.inputs[i][0].key());
      replaced[node.name + ":0"] = value;
      made[node.name] = value.op();
      continue;
    }
    if (becomes_variable(node, options)) {
      // import_graph_def checked that `full` lies under the variable scope.
      const Tensor value = std::get<Tensor>(node.attr.at("value"));
      const Initializer init("constant(imported)", [value](const Shape&, DType) { return constant(value); });
      const Variable var =
          get_variable(var_scope.empty() ? full : full.substr(var_scope.size() + 1), value.shape(), init);
      replaced[node.name + ":0"] = var.value();
      made[node.name] = var.op();
      continue;
    }
    AttrMap attrs = typed_attrs(node, def);
    if (fused_with_prelu(type, attrs) && inputs.size() == 4) {
      // TF.js's conv + bias + Prelu (4 inputs): the fused conv with its bias, then a Prelu op named as the
      // node.
      const Output alpha = inputs.back();
      inputs.pop_back();
      attrs["fused_ops"] = std::vector<std::string>{"BiasAdd"};
      attrs["num_args"] = int64_t{1};
      const Operation conv =
          create_op(g, type, full + "/BiasAdd/", std::move(inputs), std::move(attrs), std::move(controls));
      made[node.name] = create_op(g, "Prelu", full + "/", {conv.output(0), alpha});
      continue;
    }
    made[node.name] =
        create_op(g, type, full + "/", std::move(inputs), std::move(attrs), std::move(controls));
  }
  return b;
}

std::vector<ImportedElement> returns(const Built& b, const ImportOptions& options) {
  std::vector<ImportedElement> out;
  for (const std::string& e : options.return_elements) {
    if (e.find(':') == std::string::npos) {
      out.emplace_back(b.made.at(e));
      continue;
    }
    const InputRef r = parse_input(e, "return_elements");
    const Operation& op = b.made.at(r.node);
    if (auto v = b.replaced.find(r.key()); v != b.replaced.end()) {
      out.emplace_back(v->second);
      continue;
    }
    if (r.index >= op.num_outputs()) {
      throw ValueError("Requested return tensor '" + e + "' not found in graph_def: '" + r.node + "' has " +
                       std::to_string(op.num_outputs()) + " outputs");
    }
    out.emplace_back(op.output(r.index));
  }
  return out;
}

}  // namespace

const Output& ImportedElement::output() const {
  if (output_.empty()) throw ValueError("Return element '" + op_.name() + "' is an operation, not an output");
  return output_;
}

std::vector<ImportedElement> import_graph_def(const GraphDef& graph_def, const ImportOptions& options) {
  const ImportPlan plan = plan_import(graph_def, options);
  Graph target = get_default_graph();
  std::map<std::string, Output> input_map;
  for (const auto& [key, value] : options.input_map) {
    if (!value.op().in_graph(target)) {
      throw ValueError("input_map maps '" + key + "' to " + value.name() +
                       ", which is not in the default graph");
    }
    input_map[parse_input(tensor_key(key), "input_map").key()] = value;
  }
  // The prefix this import will take, and the variable scope its variables go under.
  const std::string prefix = options.name.empty() ? std::string() : target.unique_name(options.name, false);
  const VariableScope scope = get_variable_scope();
  const std::string var_scope = options.variables ? scope.name() : std::string();
  if (options.variables && scope.reuse() == Reuse(true)) {
    throw ValueError("import_graph_def with variables=true makes new variables, but variable scope '" +
                     scope.name() + "' has reuse=true");
  }
  for (const NodeDef& node : graph_def.node) {
    const std::string full = prefix.empty() ? node.name : prefix + "/" + node.name;
    if (!var_scope.empty() && becomes_variable(node, options) && !full.starts_with(var_scope + "/")) {
      throw ValueError("import_graph_def with variables=true: node '" + full +
                       "' is not under the current variable scope '" + var_scope +
                       "'; open name and variable scopes together (tf::variable_scope)");
    }
  }
  {
    // A dry run on a scratch graph, with placeholders for the mapped inputs:
    // whatever fails fails there, and the default graph stays as it was.
    Graph scratch;
    auto guard = scratch.as_default();
    std::map<std::string, Output> stand_ins;
    for (const auto& [key, value] : input_map) {
      // A constant stays a constant: shape functions check known values (Reshape's shape, axes, paddings).
      const OpDef* def = find_op_def(value.op().type());
      const Tensor* known = def && value.index() == 0 ? constant_value(*def, value.op().attrs()) : nullptr;
      stand_ins[key] = known ? constant(*known) : placeholder(value.dtype(), value.shape());
    }
    name_scope root("");  // names are taken as given
    returns(build(graph_def, plan, prefix, stand_ins, options, std::string()), options);
  }
  if (options.name.empty()) {
    name_scope root("");
    for (const NodeDef& node : graph_def.node) {
      if (target.unique_name(node.name, false) != node.name) {
        throw ValueError("import_graph_def with name \"\": node '" + node.name +
                         "' is already taken in the graph");
      }
    }
  } else if (target.unique_name(options.name) != prefix) {
    throw ValueError("import_graph_def: name scope '" + prefix +
                     "' was taken while importing (another thread)");
  }
  name_scope root("");  // the root of the default graph: names are taken as given
  return returns(build(graph_def, plan, prefix, input_map, options, var_scope), options);
}

}  // namespace minitf
