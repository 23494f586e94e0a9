// Graph::as_graph_def: the graph's nodes as TF's GraphDef values.
#include <minitf/graph/graph_def.h>

namespace minitf {

const NodeDef* GraphDef::find_node(std::string_view name) const {
  for (const NodeDef& n : node) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

GraphDef Graph::as_graph_def() const {
  GraphDef def;
  for (const Operation& op : operations()) {
    NodeDef n{op.name(), op.type(), {}, {}, op.attrs()};
    for (const Output& in : op.inputs()) {
      n.input.push_back(in.index() == 0 ? in.op().name() : in.op().name() + ":" + std::to_string(in.index()));
    }
    for (const Operation& c : op.control_inputs()) n.input.push_back("^" + c.name());
    def.node.push_back(std::move(n));
  }
  return def;
}

}  // namespace minitf
