// GraphDef files: protobuf (binary and text) and TF.js graph models, to and
// from minitf's plain GraphDef values. The only file that sees protobuf.
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <minitf/import/import.h>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "import/proto/tf_graph.pb.h"
#include "tfjs_weights.h"

namespace minitf {
namespace {

namespace pb = tfproto;

// Tensors beyond this many bytes are refused before anything is allocated
// (protobuf's own limit on a message is 2 GiB).
constexpr int64_t kMaxTensorBytes = int64_t{1} << 31;
// A tensor given as a few repeated values (TF's `float_val: 0` with a large
// shape) is bounded tighter: a few bytes of input must not allocate gigabytes.
constexpr int64_t kMaxRepeatedBytes = int64_t{1} << 28;

std::string where(const std::string& node, const std::string& key) {
  return "attribute '" + key + "' of node '" + node + "'";
}

DType dtype_from(pb::DataType t, const std::string& what) {
  switch (t) {
    case pb::DT_FLOAT:
    case pb::DT_FLOAT_REF:
      return float32;
    case pb::DT_INT32:
    case pb::DT_INT32_REF:
      return int32;
    case pb::DT_INT64:
    case pb::DT_INT64_REF:
      return int64;
    case pb::DT_BOOL:
    case pb::DT_BOOL_REF:
      return bool_;
    default:
      break;
  }
  const std::string name = pb::DataType_IsValid(t) ? pb::DataType_Name(t) : "DataType " + std::to_string(t);
  throw UnimplementedError("The " + what + " has dtype " + name +
                           ", which minitf does not compute (it has float32, int32, int64 and bool)");
}

pb::DataType dtype_to(DType d) {
  switch (d) {
    case DType::kInt32:
      return pb::DT_INT32;
    case DType::kInt64:
      return pb::DT_INT64;
    case DType::kBool:
      return pb::DT_BOOL;
    case DType::kFloat32:
      break;
  }
  return pb::DT_FLOAT;
}

Shape shape_from(const pb::TensorShapeProto& s, const std::string& what) {
  if (s.unknown_rank()) {
    throw UnimplementedError("The " + what + " has an unknown rank; minitf shapes have a known rank");
  }
  std::vector<int64_t> dims;
  for (const auto& d : s.dim()) {
    if (d.size() < -1) throw DataLossError("The " + what + " has a dimension of " + std::to_string(d.size()));
    dims.push_back(d.size());
  }
  return Shape(std::move(dims));
}

void shape_to(const Shape& s, pb::TensorShapeProto* out) {
  for (int64_t d : s.dims()) out->add_dim()->set_size(d);
}

// Element count of a fully defined shape, refused beyond kMaxTensorBytes.
int64_t checked_count(const Shape& shape, DType dtype, const std::string& what) {
  for (int64_t d : shape.dims()) {
    if (d < 0)
      throw DataLossError("The " + what + " has a shape that is not fully defined: " + shape.to_string());
  }
  int64_t n = 1;
  for (int64_t d : shape.dims()) {
    if (d == 0) return 0;
    n = n > kMaxTensorBytes / d ? kMaxTensorBytes + 1 : std::min(n * d, kMaxTensorBytes + 1);
  }
  if (n * static_cast<int64_t>(dtype_size(dtype)) > kMaxTensorBytes) {
    throw DataLossError("The " + what + " of shape " + shape.to_string() + " would exceed 2 GiB");
  }
  return n;
}

template <class T, class Src>
void fill_values(Tensor& t, const Src& vals, const std::string& what) {
  auto out = t.data<T>();
  const auto n = static_cast<size_t>(vals.size());
  if (n > out.size()) {
    throw DataLossError("The " + what + " holds " + std::to_string(n) + " values for shape " +
                        t.shape().to_string());
  }
  for (size_t i = 0; i < out.size(); ++i) {
    // TF's rule: when fewer values are given, the last one repeats.
    out[i] = n == 0 ? T{} : static_cast<T>(vals[static_cast<int>(std::min(i, n - 1))]);
  }
}

Tensor tensor_from(const pb::TensorProto& p, const std::string& what) {
  const DType dtype = dtype_from(p.dtype(), what);
  const Shape shape = shape_from(p.tensor_shape(), what);
  const int64_t n = checked_count(shape, dtype, what);
  if (p.tensor_content().empty() && n * static_cast<int64_t>(dtype_size(dtype)) > kMaxRepeatedBytes) {
    throw DataLossError("The " + what + " of shape " + shape.to_string() +
                        " is given by repeated values and would exceed 256 MiB; give its tensor_content");
  }
  Tensor t(dtype, shape);
  if (!p.tensor_content().empty()) {
    const std::string& c = p.tensor_content();
    if (c.size() != static_cast<size_t>(n) * dtype_size(dtype)) {
      throw DataLossError("The " + what + " has " + std::to_string(c.size()) +
                          " bytes of content for shape " + shape.to_string() + " of " + dtype_name(dtype));
    }
    if (dtype == bool_) {
      for (char b : c) {
        if (b != 0 && b != 1)
          throw DataLossError("The " + what + " holds a bool byte that is neither 0 nor 1");
      }
    }
    if (n > 0) std::memcpy(t.raw(), c.data(), c.size());
    return t;
  }
  switch (dtype) {
    case DType::kFloat32:
      fill_values<float>(t, p.float_val(), what);
      break;
    case DType::kInt32:
      fill_values<int32_t>(t, p.int_val(), what);
      break;
    case DType::kInt64:
      fill_values<int64_t>(t, p.int64_val(), what);
      break;
    case DType::kBool:
      fill_values<bool>(t, p.bool_val(), what);
      break;
  }
  return t;
}

void tensor_to(const Tensor& t, pb::TensorProto* out) {
  out->set_dtype(dtype_to(t.dtype()));
  shape_to(t.shape(), out->mutable_tensor_shape());
  out->set_tensor_content(std::string(static_cast<const char*>(t.raw()), t.num_bytes()));
}

AttrValue attr_from(const pb::AttrValue& a, const std::string& what) {
  switch (a.value_case()) {
    case pb::AttrValue::kS:
      return a.s();
    case pb::AttrValue::kI:
      return static_cast<int64_t>(a.i());
    case pb::AttrValue::kF:
      return a.f();
    case pb::AttrValue::kB:
      return a.b();
    case pb::AttrValue::kType:
      return dtype_from(a.type(), what);
    case pb::AttrValue::kShape:
      return shape_from(a.shape(), what);
    case pb::AttrValue::kTensor:
      return tensor_from(a.tensor(), what);
    case pb::AttrValue::kList: {
      const auto& l = a.list();
      if (l.s_size() > 0) return std::vector<std::string>(l.s().begin(), l.s().end());
      if (l.f_size() + l.b_size() + l.type_size() + l.shape_size() + l.tensor_size() + l.func_size() > 0) {
        throw UnimplementedError("The " + what +
                                 " is a list of floats, bools, types, shapes, tensors or functions; minitf "
                                 "attributes hold lists of ints and strings");
      }
      // An empty list has no element type: import gives it the op's.
      return std::vector<int64_t>(l.i().begin(), l.i().end());
    }
    case pb::AttrValue::kFunc:
    case pb::AttrValue::kPlaceholder:
      throw UnimplementedError("The " + what + " is a function or a placeholder; minitf has no functions");
    case pb::AttrValue::VALUE_NOT_SET:
      break;
  }
  throw DataLossError("The " + what + " has no value");
}

void attr_to(const AttrValue& v, pb::AttrValue* out) {
  std::visit(
      [out](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          out->set_i(x);
        } else if constexpr (std::is_same_v<T, float>) {
          out->set_f(x);
        } else if constexpr (std::is_same_v<T, bool>) {
          out->set_b(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          out->set_s(x);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          auto* l = out->mutable_list();
          for (int64_t i : x) l->add_i(i);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          auto* l = out->mutable_list();
          for (const std::string& s : x) l->add_s(s);
        } else if constexpr (std::is_same_v<T, Shape>) {
          shape_to(x, out->mutable_shape());
        } else if constexpr (std::is_same_v<T, DType>) {
          out->set_type(dtype_to(x));
        } else {
          tensor_to(x, out->mutable_tensor());
        }
      },
      v);
}

GraphDef from_proto(const pb::GraphDef& p) {
  GraphDef g;
  g.producer = p.versions().producer();
  g.node.reserve(static_cast<size_t>(p.node_size()));
  for (const pb::NodeDef& n : p.node()) {
    NodeDef node{n.name(), n.op(), {n.input().begin(), n.input().end()}, n.device(), {}};
    for (const auto& [key, value] : n.attr()) {
      // "_output_shapes", "_class", ...: TF's internal annotations, not op attributes.
      if (!key.empty() && key[0] == '_') continue;
      node.attr.emplace(key, attr_from(value, where(n.name(), key)));
    }
    g.node.push_back(std::move(node));
  }
  return g;
}

pb::GraphDef to_proto(const GraphDef& g) {
  pb::GraphDef p;
  if (g.producer != 0) p.mutable_versions()->set_producer(g.producer);
  for (const NodeDef& n : g.node) {
    pb::NodeDef* out = p.add_node();
    out->set_name(n.name);
    out->set_op(n.op);
    for (const std::string& in : n.input) out->add_input(in);
    if (!n.device.empty()) out->set_device(n.device);
    for (const auto& [key, value] : n.attr) attr_to(value, &(*out->mutable_attr())[key]);
  }
  return p;
}

std::string read_file(const std::filesystem::path& path, const char* what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw NotFoundError(std::string(what) + " " + path.string() + " not found");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in && !in.eof()) throw DataLossError(std::string("Could not read ") + what + " " + path.string());
  return s.str();
}

GraphDef parse_tfjs(const std::string& json_text, const std::string& weights) {
  const nlohmann::json model = parse_tfjs_json(json_text);
  if (!model.is_object() || !model.contains("modelTopology")) {
    throw DataLossError("TF.js model.json has no modelTopology object");
  }
  if (model.contains("format") && model["format"] == "layers-model") {
    throw UnimplementedError(
        "TF.js model.json is a layers model (Keras); minitf reads graph models (format \"graph-model\")");
  }
  pb::GraphDef p;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(model["modelTopology"].dump(), &p, options);
  if (!status.ok()) {
    throw DataLossError("TF.js modelTopology is not a GraphDef: " + std::string(status.message()));
  }
  GraphDef g = from_proto(p);
  apply_tfjs_weights(
      g, model.contains("weightsManifest") ? model["weightsManifest"] : nlohmann::json::array(), weights);
  return g;
}

}  // namespace

GraphDef parse_graph_def(const std::string& bytes, GraphDefFormat format, const std::string& weights) {
  if (format == GraphDefFormat::tfjs) return parse_tfjs(bytes, weights);
  pb::GraphDef p;
  if (format == GraphDefFormat::text) {
    google::protobuf::TextFormat::Parser parser;
    parser.AllowUnknownField(true);
    parser.AllowUnknownExtension(true);
    struct Quiet : google::protobuf::io::ErrorCollector {
      std::string first;
      void AddError(int line, int column, const std::string& message) override {
        if (first.empty())
          first = std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
      }
    } errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(bytes, &p))
      throw DataLossError("GraphDef text does not parse: " + errors.first);
  } else if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
             !p.ParseFromString(bytes)) {
    throw DataLossError("GraphDef bytes do not parse as a binary GraphDef (" + std::to_string(bytes.size()) +
                        " bytes)");
  }
  return from_proto(p);
}

GraphDef read_graph_def(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string ext = p.extension().string();
  if (ext == ".json") {
    const std::string json_text = read_file(p, "TF.js model");
    std::string weights;
    for (const std::string& shard : tfjs_shard_paths(json_text)) {
      weights += read_file(p.parent_path() / shard, ("TF.js weight shard of " + path + ":").c_str());
    }
    try {
      return parse_graph_def(json_text, GraphDefFormat::tfjs, weights);
    } catch (const DataLossError& e) {
      throw DataLossError(path + ": " + e.what());
    }
  }
  const std::string bytes = read_file(p, "GraphDef file");
  try {
    return parse_graph_def(bytes,
                           ext == ".pbtxt" || ext == ".txt" ? GraphDefFormat::text : GraphDefFormat::binary);
  } catch (const DataLossError& e) {
    throw DataLossError(path + ": " + e.what());
  }
}

std::string serialize_graph_def(const GraphDef& graph_def, bool as_text) {
  const pb::GraphDef p = to_proto(graph_def);
  std::string out;
  if (as_text) {
    google::protobuf::TextFormat::PrintToString(p, &out);
  } else {
    p.SerializeToString(&out);
  }
  return out;
}

namespace train {

std::string write_graph(const Graph& graph, const std::string& dir, const std::string& name, bool as_text) {
  const std::filesystem::path d(dir);
  std::error_code ec;
  std::filesystem::create_directories(d, ec);
  if (ec) throw PermissionDeniedError("Could not make directory " + dir + ": " + ec.message());
  const std::filesystem::path path = d / name;
  const std::string bytes = serialize_graph_def(graph.as_graph_def(), as_text);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw PermissionDeniedError("Could not write " + path.string());
  return path.string();
}

}  // namespace train
}  // namespace minitf
