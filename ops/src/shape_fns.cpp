// Shape helpers and the builder plumbing the op families share.
#include "families.h"

namespace minitf {
namespace shape_fns {

OutputSpecs from_attrs(const InferenceContext& c) {
  return {{c.attr<DType>("dtype"), c.attr<Shape>("shape")}};
}

OutputSpecs same_as_first(const InferenceContext& c) { return {c.inputs[0]}; }

void require_rank(const InferenceContext& c, size_t i, int rank, const char* what) {
  if (c.shape(i).rank() != rank) {
    throw ValueError("Shape must be rank " + std::to_string(rank) + " but is rank " +
                     std::to_string(c.shape(i).rank()) + " for " + what + " of " + c.what() +
                     " with input shapes: " + c.input_shapes() + ".");
  }
}

void require_same_dtype(const InferenceContext& c) {
  for (const auto& in : c.inputs) {
    if (in.first != c.inputs[0].first) {
      throw ValueError("Op " + c.what() + " needs inputs of one dtype, got " + dtype_name(c.inputs[0].first) +
                       " and " + dtype_name(in.first));
    }
  }
}

}  // namespace shape_fns

Graph graph_for(const std::vector<Output>& inputs) {
  if (!inputs.empty() && !inputs[0].empty()) return graph_of(inputs[0].op());
  return get_default_graph();
}

Output make_op(const std::string& type, const std::string& name, const std::string& default_name,
               std::vector<Output> inputs, AttrMap attrs) {
  Graph g = graph_for(inputs);
  return create_op(g, type, name.empty() ? default_name : name, std::move(inputs), std::move(attrs))
      .output(0);
}

}  // namespace minitf
