#pragma once
// TensorFlow graphs in and out: GraphDef files (binary .pb, text .pbtxt),
// TF.js graph models (model.json + weight shards), and import into a graph.
#include <map>
#include <string>
#include <vector>

#include <minitf/graph/graph.h>
#include <minitf/graph/graph_def.h>

namespace minitf {

// Reads a GraphDef: `path` ending in ".pbtxt" (or ".txt") is protobuf text,
// ".json" a TF.js graph model (model.json: the topology, with every weight
// of its manifest read from the shards beside it into its Const node), any
// other a binary GraphDef (.pb). NotFoundError when a file is missing,
// DataLossError when one is malformed or truncated, UnimplementedError for
// a dtype or attribute kind minitf has no value for (naming node and attribute).
GraphDef read_graph_def(const std::string& path);

// The same from bytes already in memory. `weights` is the TF.js shards'
// concatenation, in manifest order (ignored for the protobuf formats).
enum class GraphDefFormat { binary, text, tfjs };
GraphDef parse_graph_def(const std::string& bytes, GraphDefFormat format, const std::string& weights = {});

// A GraphDef as protobuf bytes: binary, or text when `as_text`.
std::string serialize_graph_def(const GraphDef& graph_def, bool as_text = false);

// What import_graph_def does (TF's tf.import_graph_def arguments).
struct ImportOptions {
  // The name scope every imported node lands under ("import/conv1/Conv2D"),
  // made unique as a name scope is ("import_1" the second time); "" imports
  // the names as they are, which must then be free.
  std::string name = "import";
  // Inputs to replace: "x:0" (or "x") of the GraphDef -> a tensor of the graph.
  std::map<std::string, Output> input_map = {};
  // What to return: "y:0" gives that output, "y" the operation.
  std::vector<std::string> return_elements = {};
  // Turns every float32 Const of rank >= 1 (a frozen graph's weights) into
  // a variable of the same name, made by get_variable (so get_variable with
  // reuse, global_variables() and train::Saver find it) and initialized to
  // the constant's value by global_variables_initializer().
  bool variables = false;
};

// One of return_elements: an output ("y:0") or an operation ("y").
class ImportedElement {
 public:
  explicit ImportedElement(Output output) : output_(std::move(output)), op_(output_.op()) {}
  explicit ImportedElement(Operation op) : op_(std::move(op)) {}
  bool is_output() const { return !output_.empty(); }
  // The output; ValueError when an operation was asked for.
  const Output& output() const;
  const Operation& op() const { return op_; }
  operator Output() const { return output(); }  // NOLINT: tf::Output y = import_graph_def(...)[0];

 private:
  Output output_;
  Operation op_;
};

// Adds `graph_def`'s nodes to the default graph, through the op definitions
// (so every attribute and shape is checked as a built op's is), and returns
// `options.return_elements` in their order. Nodes may come in any order.
// ValueError names the node for a dangling input, a cycle, an input_map key
// or return element the GraphDef lacks, a bad attribute or shape;
// UnimplementedError for an op type minitf does not have. On error the graph
// is left as it was: the import is tried on a scratch graph first.
std::vector<ImportedElement> import_graph_def(const GraphDef& graph_def, const ImportOptions& options = {});

namespace train {
// Writes `graph.as_graph_def()` to `dir`/`name` (binary, or text when
// `as_text`), making `dir` when missing; returns the file's path (TF's tf.train.write_graph).
std::string write_graph(const Graph& graph, const std::string& dir, const std::string& name,
                        bool as_text = true);
}  // namespace train

}  // namespace minitf
