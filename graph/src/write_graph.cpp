#include <minitf/graph/write_graph.h>

#include <fstream>
#include <map>
#include <vector>

namespace minitf {
namespace {

std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string quoted(const std::string& s) { return "\"" + escaped(s) + "\""; }

std::string scope_of(const std::string& name) {
  const auto slash = name.rfind('/');
  return slash == std::string::npos ? "" : name.substr(0, slash);
}

// A name scope and what is drawn inside it.
struct Cluster {
  std::vector<Operation> ops;
  std::map<std::string, Cluster> children;  // by last component
};

void draw(const Graph& graph, const Cluster& c, const std::string& path, int depth, int& counter,
          std::ostream& out) {
  const std::string indent(static_cast<size_t>(2 * depth), ' ');
  for (const Operation& op : c.ops) {
    const bool variable = graph.variable_of(op) != nullptr;
    const std::string short_name = op.name().substr(op.name().rfind('/') + 1);
    out << indent << quoted(op.name()) << " [label=\"" << escaped(short_name) << "\\n"
        << escaped(op.type()) << "\""
        << (variable ? ", shape=cylinder, style=filled, fillcolor=\"#ffe9a8\"" : "") << "];\n";
  }
  for (const auto& [name, child] : c.children) {
    const std::string full = path.empty() ? name : path + "/" + name;
    out << indent << "subgraph cluster_" << counter++ << " {\n"
        << indent << "  label=" << quoted(full + "/") << ";\n"
        << indent << "  style=rounded; color=\"#7a8ca3\";\n";
    draw(graph, child, full, depth + 1, counter, out);
    out << indent << "}\n";
  }
}

}  // namespace

void write_graph(const Graph& graph, std::ostream& out) {
  Cluster root;
  const std::vector<Operation> ops = graph.operations();
  for (const Operation& op : ops) {
    Cluster* c = &root;
    const std::string scope = scope_of(op.name());
    size_t start = 0;
    while (start < scope.size()) {
      const size_t slash = scope.find('/', start);
      const std::string part =
          scope.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      c = &c->children[part];
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    c->ops.push_back(op);
  }
  out << "digraph minitf {\n  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", "
         "fontsize=10];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=8];\n";
  int counter = 0;
  draw(graph, root, "", 1, counter, out);
  for (const Operation& op : ops) {
    for (const Output& in : op.inputs()) {
      out << "  " << quoted(in.op().name()) << " -> " << quoted(op.name())
          << " [label=" << quoted(in.shape().to_string()) << "];\n";
    }
    for (const Operation& c : op.control_inputs()) {
      out << "  " << quoted(c.name()) << " -> " << quoted(op.name()) << " [style=dashed];\n";
    }
  }
  out << "}\n";
}

void write_graph(const Graph& graph, const std::string& path) {
  std::ofstream file(path);
  if (!file) throw NotFoundError("Cannot write the graph to " + path);
  write_graph(graph, file);
  if (!file.flush()) throw NotFoundError("Cannot write the graph to " + path);
}

}  // namespace minitf
