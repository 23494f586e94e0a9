// TF.js weight manifests: shard paths, dtypes, quantization.
#include "tfjs_weights.h"

#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

namespace minitf {
namespace {

using nlohmann::json;

// IEEE half to float, subnormals, infinities and NaN included.
float half_to_float(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1u;
  const int exp = (h >> 10) & 0x1f;
  const uint32_t mant = h & 0x3ffu;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    v = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400u), exp - 25);
  }
  return sign ? -v : v;
}

const json& field(const json& j, const char* key, const std::string& what) {
  if (!j.is_object() || !j.contains(key)) throw DataLossError("TF.js " + what + " has no \"" + key + "\"");
  return j[key];
}

double number(const json& j, const char* key, const std::string& what) {
  const json& v = field(j, key, what);
  if (!v.is_number()) throw DataLossError("TF.js " + what + ": \"" + key + "\" is not a number");
  return v.get<double>();
}

std::string text(const json& j, const char* key, const std::string& what) {
  const json& v = field(j, key, what);
  if (!v.is_string()) throw DataLossError("TF.js " + what + ": \"" + key + "\" is not a string");
  return v.get<std::string>();
}

Shape shape_of(const json& w, const std::string& what) {
  const json& s = field(w, "shape", what);
  if (!s.is_array()) throw DataLossError("TF.js " + what + ": \"shape\" is not a list");
  std::vector<int64_t> dims;
  for (const json& d : s) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0 || d.get<int64_t>() > (int64_t{1} << 31)) {
      throw DataLossError("TF.js " + what + ": \"shape\" holds a " + std::string(d.type_name()) +
                          " that is not a dimension (0 to 2^31)");
    }
    dims.push_back(d.get<int64_t>());
  }
  return Shape(std::move(dims));
}

// Reads `count` little-endian elements of `bytes` bytes each from `weights` at `offset`.
// Dequantized values as a tensor of the weight's dtype (int32 rounds, as TF.js does).
Tensor to_tensor(const std::vector<float>& values, DType dtype, const Shape& shape, const std::string& what) {
  Tensor t = Tensor::uninitialized(dtype, shape);
  if (dtype == float32) {
    std::copy(values.begin(), values.end(), t.data<float>().begin());
    return t;
  }
  auto out = t.data<int32_t>();
  for (size_t i = 0; i < values.size(); ++i) {
    const float r = std::round(values[i]);
    if (!(std::abs(r) <= 2147483520.f)) throw DataLossError("TF.js " + what + " holds an int32 out of range");
    out[i] = static_cast<int32_t>(r);
  }
  return t;
}

const unsigned char* take(const std::string& weights, size_t& offset, int64_t count, size_t bytes,
                          const std::string& what) {
  const auto need = static_cast<size_t>(count) * bytes;
  if (offset > weights.size() || weights.size() - offset < need) {
    throw DataLossError("TF.js weights end after " + std::to_string(weights.size()) + " bytes, but " + what +
                        " needs " + std::to_string(need) + " more at offset " + std::to_string(offset));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(weights.data()) + offset;
  offset += need;
  return p;
}

Tensor decode(const json& w, const std::string& name, const std::string& weights, size_t& offset) {
  const std::string what = "weight '" + name + "'";
  const std::string dtype_text = text(w, "dtype", what);
  const Shape shape = shape_of(w, what);
  int64_t n = 1;
  for (int64_t d : shape.dims()) {
    n *= d;
    if (n > (int64_t{1} << 31))
      throw DataLossError("TF.js " + what + " of shape " + shape.to_string() + " is too large");
  }
  DType dtype;
  if (dtype_text == "float32") {
    dtype = float32;
  } else if (dtype_text == "int32") {
    dtype = int32;
  } else if (dtype_text == "bool") {
    dtype = bool_;
  } else {
    throw UnimplementedError("TF.js " + what + " has dtype " + dtype_text +
                             "; minitf reads float32, int32 and bool weights");
  }
  if (!w.contains("quantization")) {
    const unsigned char* p = take(weights, offset, n, dtype_size(dtype), what);
    if (dtype == bool_) {
      for (int64_t i = 0; i < n; ++i) {
        if (p[i] > 1) throw DataLossError("TF.js " + what + " holds a bool byte that is neither 0 nor 1");
      }
    }
    Tensor t = Tensor::uninitialized(dtype, shape);
    if (n > 0) std::memcpy(t.raw(), p, static_cast<size_t>(n) * dtype_size(dtype));
    return t;
  }
  const json& q = w["quantization"];
  const std::string qtype = text(q, "dtype", what + "'s quantization");
  if (dtype == bool_) throw DataLossError("TF.js " + what + " is a quantized bool");
  if (qtype == "float16") {
    const unsigned char* p =
        take(weights, offset, n, 2, what);  // the bytes exist before anything is allocated
    std::vector<float> values(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      values[static_cast<size_t>(i)] = half_to_float(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
    }
    return to_tensor(values, dtype, shape, what);
  }
  if (qtype == "uint8" || qtype == "uint16") {
    const double scale = number(q, "scale", what + "'s quantization");
    const double min = number(q, "min", what + "'s quantization");
    const size_t bytes = qtype == "uint8" ? 1 : 2;
    const double top = min + scale * (bytes == 1 ? 255.0 : 65535.0);
    if (!std::isfinite(scale) || !std::isfinite(min) || !std::isfinite(top) ||
        std::max(std::abs(min), std::abs(top)) > (dtype == int32 ? 2147483647.0 : 3.0e38)) {
      throw DataLossError("TF.js " + what + " has a quantization min " + std::to_string(min) + " and scale " +
                          std::to_string(scale) + " whose values do not fit " + dtype_name(dtype));
    }
    const unsigned char* p = take(weights, offset, n, bytes, what);
    std::vector<float> values(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const unsigned v = bytes == 1 ? p[i] : static_cast<unsigned>(p[2 * i] | (p[2 * i + 1] << 8));
      values[static_cast<size_t>(i)] = static_cast<float>(v * scale + min);
    }
    return to_tensor(values, dtype, shape, what);
  }
  {
    throw UnimplementedError("TF.js " + what + " is quantized as " + qtype +
                             "; minitf reads uint8, uint16 and float16 quantization");
  }
}

}  // namespace

json parse_tfjs_json(const std::string& model_json) {
  // TF.js graph models nest about ten levels deep; a hostile file nested
  // deeper would overflow the stack in recursive code that walks it later.
  constexpr int kMaxDepth = 64;
  const json::parser_callback_t limit = [](int depth, json::parse_event_t, json&) {
    if (depth > kMaxDepth) throw DataLossError("TF.js model.json nests deeper than 64 levels");
    return true;
  };
  try {
    return json::parse(model_json, limit);
  } catch (const json::exception& e) {
    throw DataLossError(std::string("TF.js model.json is not JSON: ") + e.what());
  }
}

std::vector<std::string> tfjs_shard_paths(const std::string& model_json) {
  const json model = parse_tfjs_json(model_json);
  std::vector<std::string> paths;
  if (!model.is_object() || !model.contains("weightsManifest")) return paths;
  const json& manifest = model["weightsManifest"];
  if (!manifest.is_array()) throw DataLossError("TF.js weightsManifest is not a list");
  for (const json& group : manifest) {
    const json& ps = field(group, "paths", "weightsManifest group");
    if (!ps.is_array()) throw DataLossError("TF.js weightsManifest group: \"paths\" is not a list");
    for (const json& p : ps) {
      if (!p.is_string()) throw DataLossError("TF.js weightsManifest group: a path is not a string");
      const std::string path = p.get<std::string>();
      if (path.empty() || path[0] == '/' || path.find("..") != std::string::npos) {
        throw DataLossError("TF.js weight shard path '" + path + "' leaves the model's folder");
      }
      paths.push_back(path);
    }
  }
  return paths;
}

void apply_tfjs_weights(GraphDef& graph_def, const json& manifest, const std::string& weights) {
  if (!manifest.is_array()) throw DataLossError("TF.js weightsManifest is not a list");
  std::map<std::string, Tensor> decoded;
  size_t offset = 0;
  for (const json& group : manifest) {
    const json& ws = field(group, "weights", "weightsManifest group");
    if (!ws.is_array()) throw DataLossError("TF.js weightsManifest group: \"weights\" is not a list");
    for (const json& w : ws) {
      const std::string name = text(w, "name", "weightsManifest weight");
      decoded[name] = decode(w, name, weights, offset);
    }
  }
  for (NodeDef& node : graph_def.node) {
    if (node.op != "Const") continue;
    auto it = decoded.find(node.name);
    if (it == decoded.end()) {
      auto value = node.attr.find("value");
      const Tensor* t = value == node.attr.end() ? nullptr : std::get_if<Tensor>(&value->second);
      // TF.js writes every constant's value into the shards; an empty one here lost its weight.
      if (!t || t->num_elements() > 1) {
        throw DataLossError("TF.js Const node '" + node.name + "' has no weight in the manifest");
      }
      continue;
    }
    node.attr["value"] = it->second;
    node.attr["dtype"] = it->second.dtype();
  }
}

}  // namespace minitf
