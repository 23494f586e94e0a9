#pragma once
// The safetensors format: an 8-byte little-endian header length, a JSON
// header (dtype, shape, data_offsets per key), then raw little-endian data.
// The reader trusts nothing in the file and reads only what it is asked for.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <minitf/graph/tensor.h>

namespace minitf::detail {

// Limits that keep a hostile file's cost bounded: the header's size (as
// safetensors' own reader), its keys (entries plus __metadata__'s), the
// nesting of its JSON (a valid header nests 3 deep) and a shape's rank.
inline constexpr uint64_t kMaxHeaderBytes = 100'000'000;
inline constexpr size_t kMaxHeaderKeys = 100'000;
inline constexpr size_t kMaxJsonDepth = 64;
inline constexpr size_t kMaxRank = 64;

// One entry of a header, checked against the data region.
struct SafetensorsEntry {
  std::string dtype;  // as written: "F32", "I32", "F16", ...
  std::vector<uint64_t> shape;
  uint64_t begin = 0, end = 0;  // relative to the start of the data
};

// A validated header: every entry lies in the data region, and the non-empty
// ones cover it exactly, back to back.
struct SafetensorsIndex {
  std::map<std::string, SafetensorsEntry> entries;
  uint64_t data_start = 0;  // 8 + the header's length: where the data begins in the file
  uint64_t data_size = 0;
};

// Reads exactly out.size() bytes at `offset` of the file, or throws.
using ReadAt = std::function<void(uint64_t offset, std::span<uint8_t> out)>;

// Parses and validates the JSON header of a file whose data region has
// `data_size` bytes. DataLossError naming `what` (the file) for anything the
// format forbids: bad JSON, not an object, nesting deeper than kMaxJsonDepth,
// more than kMaxHeaderKeys keys, duplicate keys, an unknown dtype, a shape
// that disagrees with its bytes, offsets out of range, overlapping or leaving
// gaps or trailing bytes, a __metadata__ that is not a map of strings.
SafetensorsIndex parse_safetensors_header(std::string_view header, uint64_t data_size,
                                          const std::string& what);

// Reads the length and the header of a file of `file_size` bytes through
// `read_at` (nothing else), then validates it as above.
SafetensorsIndex read_safetensors_index(uint64_t file_size, const ReadAt& read_at, const std::string& what);

// The safetensors name of a minitf dtype ("F32", "I32"), or nullopt.
std::optional<std::string> safetensors_dtype(DType dtype);

// The values of entry `key`, whose dtype must be safetensors_dtype(dtype) and
// whose shape must fit an int64 Shape; reads only its bytes.
Tensor read_safetensors_tensor(const SafetensorsIndex& index, const std::string& key, DType dtype,
                               const ReadAt& read_at);

// `key` quoted for a message: control bytes escaped, long keys cut short.
std::string quote_key(std::string_view key);

// Writes a complete file to `sink` in pieces: the length, the header (padded
// so that the data starts 8-byte aligned) and each tensor's data, in key order.
// Keys must be valid UTF-8, not "__metadata__", and dtypes float32 or int32.
void write_safetensors(const std::map<std::string, Tensor>& tensors,
                       const std::function<void(std::span<const uint8_t>)>& sink);
std::vector<uint8_t> serialize_safetensors(const std::map<std::string, Tensor>& tensors);

// True when `text` is valid UTF-8 (what a JSON string must be).
bool valid_utf8(std::string_view text);

}  // namespace minitf::detail
