#pragma once
// TF's GraphDef as plain C++ values: what import reads and as_graph_def() writes.
#include <string>
#include <string_view>
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf {

// One node, as TF's NodeDef: inputs are "op" (output 0), "op:1" or "^op" (a
// control input); attributes use TF's names, type attributes included ("T").
struct NodeDef {
  std::string name;
  std::string op;
  std::vector<std::string> input;
  std::string device;
  AttrMap attr;
};

// A graph, as TF's GraphDef: nodes in an order where every input comes first
// (as_graph_def() writes creation order; import accepts any order).
struct GraphDef {
  std::vector<NodeDef> node;
  int producer = 0;  // versions.producer

  // The node named `name`, or null.
  const NodeDef* find_node(std::string_view name) const;
};

}  // namespace minitf
