#pragma once
// The safetensors format: an 8-byte little-endian header length, a JSON
// header (dtype, shape, data_offsets per key), then raw little-endian data.
// The reader trusts nothing in the file.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <minitf/graph/tensor.h>

namespace minitf::detail {

// One entry of a header, checked against the file's size.
struct SafetensorsEntry {
  std::string dtype;  // as written: "F32", "I32", "F16", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // relative to the start of the data
};

struct SafetensorsFile {
  std::map<std::string, SafetensorsEntry> entries;
  std::span<const uint8_t> data;  // the bytes after the header
};

// Parses and validates a whole file held in memory; DataLossError (naming
// `what`, the file) for a bad length, bad JSON, an unknown dtype, a shape
// that disagrees with its byte range, offsets out of range or overlapping.
SafetensorsFile parse_safetensors(std::span<const uint8_t> bytes, const std::string& what);

// The values of entry `key`, which must be F32 (little-endian on disk).
Tensor read_f32(const SafetensorsFile& file, const std::string& key);

// A complete file: header (padded to 8 bytes) and data, keys in order.
std::vector<uint8_t> serialize_safetensors(const std::map<std::string, Tensor>& tensors);

}  // namespace minitf::detail
