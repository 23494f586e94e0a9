#pragma once
// TF.js graph models' weights: the manifest's shards, dequantized into Const nodes.
#include <minitf/graph/graph_def.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace minitf {

// model.json parsed, refusing nesting deeper than 64 levels; DataLossError when it is not JSON.
nlohmann::json parse_tfjs_json(const std::string& model_json);

// The shard paths of model.json's weightsManifest, in the order their bytes
// concatenate (relative to model.json's folder). DataLossError when the
// JSON or manifest is malformed; a path leaving that folder is refused.
std::vector<std::string> tfjs_shard_paths(const std::string& model_json);

// Decodes every weight of `manifest` from `weights` (the shards' bytes,
// concatenated) and stores it as the value of the Const node of its name:
// float32, int32 and bool weights, uint8/uint16 affine quantization
// (q * scale + min, rounded for int32) and float16. DataLossError when the
// bytes run short or a Const node has no weight.
void apply_tfjs_weights(GraphDef& graph_def, const nlohmann::json& manifest, const std::string& weights);

}  // namespace minitf
