#pragma once
// Op definitions: one per op type, the single truth about it (TF's REGISTER_OP
// in our own words). Builders, the session's planner and importers all read
// an op's inputs, attributes, traits and shapes from here.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf {

using OutputSpecs = std::vector<TensorSpec>;

// The type of an attribute, one per alternative of AttrValue.
enum class AttrType { kInt, kFloat, kBool, kString, kInts, kStrings, kShape, kType, kTensor };
// "int", "list(string)", ... as TF's op definitions spell them.
const char* attr_type_name(AttrType type);

// One declared attribute: name, type, default (none: required) and allowed values.
struct AttrDef {
  std::string name;
  AttrType type = AttrType::kInt;
  std::optional<AttrValue> default_value;
  std::vector<AttrValue> allowed;  // empty: any value of the type
};

// One input or output. An input with `ref` is the variable itself, not its value.
struct ArgDef {
  std::string name;
  std::vector<DType> dtypes;  // allowed dtypes; empty: any
  bool ref = false;
  std::string number_attr;  // when set, a list of this many tensors (an int attribute)
  // TF's type attribute for this argument ("T", "Tidx", ...): create_op
  // records the input's dtype under this name, as TF's NodeDef carries it,
  // and checks a given one. Empty: a fixed dtype, no attribute (TF's
  // `input_sizes: int32`). An attribute the op declares itself (Cast's SrcT) is left to it.
  std::string type_attr = "T";
};

// What a shape function sees of one op.
struct InferenceContext {
  const std::string& op_name;
  const std::string& type;
  const OutputSpecs& inputs;
  const AttrMap& attrs;  // complete: create_op fills in defaults
  // The values of inputs that are constants (a Const's value) while the
  // graph is built or planned; null entries (or no vector) when not known.
  const std::vector<const Tensor*>* values = nullptr;

  // "'foo/add' (op: 'AddV2')", the way errors name an op.
  std::string what() const { return "'" + op_name + "' (op: '" + type + "')"; }
  // "[1,4,4,2], [3,3,2,2]", for error messages.
  std::string input_shapes() const;
  const Shape& shape(size_t input) const { return inputs[input].second; }
  // The value of input `input` when it is a known constant, else null.
  const Tensor* value(size_t input) const {
    return values && input < values->size() ? (*values)[input] : nullptr;
  }
  // A known int32 or int64 constant input as int64s (shapes, axes, paddings); nullopt when not known.
  std::optional<std::vector<int64_t>> ints(size_t input) const;
  template <class T>
  const T& attr(const std::string& key) const {
    auto it = attrs.find(key);
    if (it == attrs.end() || !std::holds_alternative<T>(it->second)) {
      throw ValueError("Op " + what() + " is missing attribute '" + key + "'");
    }
    return std::get<T>(it->second);
  }
};

// Output dtypes and shapes from input specs and attributes; throws ValueError
// (UnimplementedError for valid TF that minitf does not compute) naming the op.
using ShapeFn = std::function<OutputSpecs(const InferenceContext&)>;

// The definition of one op type. Written as a chain:
//   OpDef("BiasAdd").input("value", {float32}).input("bias", {float32}).output("output")
//       .attr("data_format", std::string("NHWC"), {std::string("NHWC"), std::string("NCHW")})
//       .shape_fn(bias_add_shape)
struct OpDef {
  explicit OpDef(std::string type_name) : type(std::move(type_name)) {}

  std::string type;
  std::vector<ArgDef> inputs;
  std::vector<ArgDef> outputs;
  std::vector<AttrDef> attrs;
  ShapeFn shape;
  // Traits the planner reads; none of them names a kernel.
  bool stateful = false;         // results differ between runs with equal inputs (random ops, variables)
  bool variable = false;         // output 0 is a variable the session holds (VariableV2)
  bool constant_output = false;  // the same buffer, unchanged, on every run until an assign or restore
  bool elementwise = false;      // each output element depends on the same element of each input
  bool commutative = false;      // binary, and the two inputs may be swapped
  bool shape_of_input = false;   // output 0 is input 0's dims (Shape): known once that shape is
  std::vector<std::pair<int, int>> forwards;  // (output i, input j): output i is input j's buffer

  OpDef&& input(std::string name, std::vector<DType> dtypes = {}) &&;
  // A reference input: the op reads or writes the variable itself (Assign's `ref`).
  OpDef&& ref_input(std::string name) &&;
  // A list of inputs, as many as the int attribute `number_attr` says (declare that attribute too).
  OpDef&& input_list(std::string name, std::string number_attr, std::vector<DType> dtypes = {}) &&;
  OpDef&& output(std::string name) &&;
  // A list of outputs, as many as the int attribute `number_attr` says (Split, Unpack).
  OpDef&& output_list(std::string name, std::string number_attr) &&;
  // A required attribute of `type`; `allowed` empty means any value.
  OpDef&& attr(std::string name, AttrType type, std::vector<AttrValue> allowed = {}) &&;
  // An optional attribute: its type is the default's; `allowed` empty means any value.
  OpDef&& attr(std::string name, AttrValue default_value, std::vector<AttrValue> allowed = {}) &&;
  OpDef&& shape_fn(ShapeFn fn) &&;
  OpDef&& set_stateful() &&;
  OpDef&& set_variable() &&;
  OpDef&& set_constant_output() &&;
  OpDef&& set_elementwise() &&;
  OpDef&& set_commutative() &&;
  OpDef&& set_shape_of_input() &&;
  OpDef&& set_forwards(int output, int input) &&;
  // Names input `input`'s TF type attribute ("Tidx"); "" for a fixed dtype. Every input defaults to "T".
  OpDef&& type_attr(const std::string& input, std::string attr_name) &&;

  const AttrDef* find_attr(const std::string& name) const;
  // The input that output `i` forwards, or -1.
  int forwarded_input(int output) const;
};

// A normalization a fusion may take in place of the bias stage
// (FusedBatchNormV3): an op of `type` whose input 0 is the root's output,
// whose other inputs become the fused op's args, whose attributes have the
// `required` values, and of whose outputs only output 0 is used (read or
// fetched). The attributes named in `carried` are copied onto the fused op.
struct NormStage {
  std::string type;
  std::string name;  // how fused_ops names it ("FusedBatchNorm")
  AttrMap required;
  std::vector<std::string> carried;
};

// A chain a plan may run as one op: `root`, then optionally a bias-like op
// that adds a [C] vector along the last dimension (BiasAdd, or Add/AddV2 of
// a rank-1 tensor) or one of `norm_ops`, then optionally an activation. The
// planner replaces the chain by an op of type `fused` with the root's
// attributes plus `fused_ops` (TF's spelling: {"BiasAdd", "Relu"}),
// `num_args` and any carried attributes, whose inputs are the root's inputs
// followed by the bias (or the normalization's other inputs).
struct FusionRule {
  std::string root;
  std::string fused;
  std::vector<std::string> bias_ops;
  std::vector<std::string> activations;
  std::string bias_name = "BiasAdd";     // how fused_ops names the bias stage
  std::vector<NormStage> norm_ops = {};  // normalizations that may stand where the bias does
};

// Adds an op definition; AlreadyExistsError when the type is taken, ValueError
// when the definition is incomplete (no shape function, a bad default).
// Thread-safe; definitions are never removed.
void register_op(OpDef def);
// Adds a rewrite rule; the root and fused types must be registered.
void register_fusion(FusionRule rule);

// The definition of `type`; NotFoundError-like ValueError when minitf has no such op.
const OpDef& op_def(const std::string& type);
// Null when `type` is not registered.
const OpDef* find_op_def(const std::string& type);
// Every registered op type, sorted.
std::vector<std::string> registered_op_types();
std::vector<FusionRule> fusion_rules();

// Checks `attrs` against `def` (unknown names, types, allowed values; type
// attributes of the inputs must be dtypes) and fills in defaults; ValueError
// naming the op otherwise.
AttrMap complete_attrs(const OpDef& def, const std::string& op_name, AttrMap attrs);
// The input arguments of an op of `def` with these attributes, lists expanded (one per input tensor).
std::vector<const ArgDef*> expand_inputs(const OpDef& def, const AttrMap& attrs);
// How many outputs an op of `def` with these attributes has, lists expanded.
size_t num_outputs(const OpDef& def, const AttrMap& attrs);
// The tensor an op of `def` with these attributes always outputs (a Const's
// `value`: a constant_output op with a tensor attribute `value`), or null.
const Tensor* constant_value(const OpDef& def, const AttrMap& attrs);
// Whether input `i` of an op of `def` with these attributes is a reference
// input (the variable itself), lists expanded.
bool is_ref_input(const OpDef& def, const AttrMap& attrs, size_t i);
// Runs the shape function of `def` on `inputs`, after checking their count and
// dtypes; `values` holds the inputs' constant values where known (or is empty).
OutputSpecs infer_shapes(const OpDef& def, const std::string& op_name, const AttrMap& attrs,
                         const OutputSpecs& inputs, const std::vector<const Tensor*>& values = {});

// A gradient function (TF's @ops.RegisterGradient): given a forward op and the
// gradient of each of its outputs (an empty Output where no gradient flows
// and the output is not a float), returns one gradient per input, an empty
// Output where the input gets none (indices, shapes, labels). It builds ops
// in the op's graph under the name scope tf::gradients opened for it
// ("gradients/conv1/Conv2D_grad").
using GradFn = std::function<std::vector<Output>(const Operation& op, const std::vector<Output>& grads)>;
// Registers the gradient of `type`: ValueError for an unregistered type,
// AlreadyExistsError when it already has one or is not differentiable.
void register_gradient(const std::string& type, GradFn fn);
// Marks `type` as having no gradient (TF's ops.NotDifferentiable: ArgMax,
// Shape, comparisons): tf::gradients passes no gradient through it.
void register_not_differentiable(const std::string& type);
// The gradient of `type`, or null: not differentiable, or no gradient yet.
const GradFn* find_gradient(const std::string& type);
bool is_not_differentiable(const std::string& type);

// Creates an op in `g` (a handle: tf::get_default_graph() will do): `name` ending in '/' is taken exactly
// (without the
// '/'), anything else is made unique under the current name scope.
Operation create_op(Graph g, const std::string& type, const std::string& name, std::vector<Output> inputs,
                    AttrMap attrs = {}, std::vector<Operation> control_inputs = {});

}  // namespace minitf
