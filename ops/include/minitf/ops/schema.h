#pragma once
// Op schemas: one per op type, with a shape/dtype function run at build time
// (on partial shapes) and again by the session (on the fed shapes).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf {

// What a shape function sees of one op.
struct InferenceContext {
  const std::string& op_name;
  const std::string& type;
  const std::vector<std::pair<DType, Shape>>& inputs;
  const std::map<std::string, AttrValue>& attrs;

  // "'foo/add' (op: 'AddV2')", the way errors name an op.
  std::string what() const { return "'" + op_name + "' (op: '" + type + "')"; }
  template <class T>
  const T& attr(const std::string& key) const {
    auto it = attrs.find(key);
    if (it == attrs.end() || !std::holds_alternative<T>(it->second)) {
      throw ValueError("Op " + what() + " is missing attribute '" + key + "'");
    }
    return std::get<T>(it->second);
  }
};

using OutputSpecs = std::vector<std::pair<DType, Shape>>;

// The schema of one op type.
struct OpSchema {
  std::string type;
  int num_inputs = 0;
  std::function<OutputSpecs(const InferenceContext&)> infer;
  // The attribute names an op of this type may carry; create_op refuses others.
  std::vector<std::string> attrs;
};

// The schema of `type`; ValueError when minitf has no such op.
const OpSchema& op_schema(const std::string& type);
// Every registered op type.
std::vector<std::string> registered_op_types();

// Creates an op in `g`: `name` ending in '/' is taken exactly (without the
// '/'), anything else is made unique under the current name scope.
Operation create_op(Graph& g, const std::string& type, const std::string& name, std::vector<Output> inputs,
                    std::map<std::string, AttrValue> attrs = {}, std::vector<Operation> control_inputs = {});

// Runs the shape function of `op` on concrete input specs (the session's use).
OutputSpecs infer_outputs(const Operation& op, const OutputSpecs& inputs);

}  // namespace minitf
