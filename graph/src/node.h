#pragma once
// What a graph is made of inside: nodes and edges. Private to graph/.
#include <minitf/graph/graph.h>

namespace minitf::detail {

// An edge inside the graph. Nodes point at each other with plain pointers
// (the graph owns them all), so the graph holds no handle to itself.
struct NodeOut {
  const Node* node;
  int index;
};

// A node: immutable once added to the graph.
struct Node {
  GraphState* graph = nullptr;
  int64_t id = 0;
  std::string name;
  std::string type;
  std::vector<NodeOut> inputs;
  std::vector<const Node*> control_inputs;
  AttrMap attrs;
  std::vector<std::pair<DType, Shape>> outputs;
};

// How graph/src reaches the private parts of the public handles.
struct GraphAccess {
  static Operation op(std::shared_ptr<const Node> node) { return Operation(std::move(node)); }
  static const Node& node(const Operation& op) { return op.node(); }
  static Graph graph(std::shared_ptr<GraphState> state) { return Graph(std::move(state)); }
  static const std::shared_ptr<GraphState>& state(const Graph& g) { return g.state_; }
};

}  // namespace minitf::detail
