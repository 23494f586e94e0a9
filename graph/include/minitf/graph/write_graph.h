#pragma once
// Graph pictures: Graphviz DOT, one cluster per name scope.
#include <ostream>
#include <string>

#include <minitf/graph/graph.h>

namespace minitf {

// Writes `graph` as a Graphviz digraph: one (nested) cluster per name scope,
// as TensorBoard groups ops; nodes labelled with op name and type; variables
// drawn as cylinders, once, with an edge to every use; control inputs dashed.
void write_graph(const Graph& graph, std::ostream& out);
// The same to a file (`dot -Tpng file.dot -o file.png` draws it).
// NotFoundError when the file cannot be written.
void write_graph(const Graph& graph, const std::string& path);

}  // namespace minitf
