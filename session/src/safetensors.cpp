#include "safetensors.h"

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

namespace minitf::detail {
namespace {

// A header larger than this is refused: no checkpoint of ours comes close,
// and a hostile length must not turn into a huge allocation.
constexpr uint64_t kMaxHeader = 100u << 20;

const std::map<std::string, int> kDtypeSizes = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
                                                {"I32", 4}, {"I16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1}};

uint64_t read_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

[[noreturn]] void corrupt(const std::string& what, const std::string& why) {
  throw DataLossError("Checkpoint " + what + " is corrupt: " + why);
}

}  // namespace

SafetensorsFile parse_safetensors(std::span<const uint8_t> bytes, const std::string& what) {
  if (bytes.size() < 8)
    corrupt(what, "it has " + std::to_string(bytes.size()) + " bytes, fewer than the 8 of a header length");
  const uint64_t n = read_le64(bytes.data());
  if (n > kMaxHeader || n > bytes.size() - 8) {
    corrupt(what, "the header length " + std::to_string(n) + " does not fit in a file of " +
                      std::to_string(bytes.size()) + " bytes");
  }
  SafetensorsFile file;
  file.data = bytes.subspan(8 + n);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
  } catch (const nlohmann::json::exception& e) {
    corrupt(what, std::string("the header is not JSON (") + e.what() + ")");
  }
  if (!header.is_object()) corrupt(what, "the header is not a JSON object");
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") continue;
    const std::string where = "entry '" + key + "'";
    if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") ||
        !value.contains("data_offsets")) {
      corrupt(what, where + " needs dtype, shape and data_offsets");
    }
    SafetensorsEntry e;
    if (!value["dtype"].is_string() || !kDtypeSizes.count(value["dtype"].get<std::string>())) {
      corrupt(what, where + " has an unknown dtype " + value["dtype"].dump());
    }
    e.dtype = value["dtype"].get<std::string>();
    const auto& shape = value["shape"];
    const auto& offsets = value["data_offsets"];
    if (!shape.is_array() || shape.size() > 32) corrupt(what, where + " has a bad shape " + shape.dump());
    uint64_t elements = 1;
    for (const auto& d : shape) {
      if (!d.is_number_unsigned()) corrupt(what, where + " has a bad dimension " + d.dump());
      const uint64_t dim = d.get<uint64_t>();
      if (dim > (uint64_t{1} << 40) || (dim && elements > (uint64_t{1} << 40) / dim)) {
        corrupt(what, where + " has a shape too large: " + shape.dump());
      }
      elements *= dim;
      e.shape.push_back(static_cast<int64_t>(dim));
    }
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned()) {
      corrupt(what, where + " has bad data_offsets " + offsets.dump());
    }
    e.begin = offsets[0].get<uint64_t>();
    e.end = offsets[1].get<uint64_t>();
    if (e.begin > e.end || e.end > file.data.size()) {
      corrupt(what, where + " has data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                        "] outside the " + std::to_string(file.data.size()) + " bytes of data");
    }
    if (e.end - e.begin != elements * static_cast<uint64_t>(kDtypeSizes.at(e.dtype))) {
      corrupt(what, where + " has " + std::to_string(e.end - e.begin) + " bytes for shape " + shape.dump() +
                        " of " + e.dtype);
    }
    ranges.emplace_back(e.begin, e.end);
    file.entries.emplace(key, std::move(e));
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first < ranges[i - 1].second) corrupt(what, "two entries' data_offsets overlap");
  }
  return file;
}

Tensor read_f32(const SafetensorsFile& file, const std::string& key) {
  const SafetensorsEntry& e = file.entries.at(key);
  Tensor t = Tensor::uninitialized(float32, Shape(e.shape));
  const uint8_t* src = file.data.data() + e.begin;
  float* dst = t.data<float>().data();
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    uint32_t bits = 0;
    for (int b = 3; b >= 0; --b) bits = (bits << 8) | src[i * 4 + b];
    std::memcpy(&dst[i], &bits, 4);
  }
  return t;
}

std::vector<uint8_t> serialize_safetensors(const std::map<std::string, Tensor>& tensors) {
  nlohmann::json header = nlohmann::json::object();
  uint64_t offset = 0;
  for (const auto& [key, t] : tensors) {
    header[key] = {
        {"dtype", "F32"}, {"shape", t.shape().dims()}, {"data_offsets", {offset, offset + t.num_bytes()}}};
    offset += t.num_bytes();
  }
  header["__metadata__"] = {{"format", "minitf"}};
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // data starts 8-byte aligned, as safetensors writes it
  std::vector<uint8_t> out(8 + text.size() + offset);
  for (int i = 0; i < 8; ++i)
    out[static_cast<size_t>(i)] = static_cast<uint8_t>(uint64_t(text.size()) >> (8 * i));
  std::memcpy(out.data() + 8, text.data(), text.size());
  uint8_t* p = out.data() + 8 + text.size();
  for (const auto& [key, t] : tensors) {
    for (float v : t.data<float>()) {
      uint32_t bits;
      std::memcpy(&bits, &v, 4);
      for (int b = 0; b < 4; ++b) *p++ = static_cast<uint8_t>(bits >> (8 * b));
    }
  }
  return out;
}

}  // namespace minitf::detail
