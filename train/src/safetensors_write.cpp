// Writing safetensors: our own header (three levels deep, so dump() is safe
// here) and each tensor's bytes, streamed to a sink without a whole-file copy.
#include <algorithm>
#include <bit>
#include <cstring>

#include <nlohmann/json.hpp>

#include "safetensors.h"

namespace minitf::detail {

bool valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<uint8_t>(text[i]);
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > text.size()) return false;
    uint32_t code = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<uint8_t>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      code = (code << 6) | (cc & 0x3F);
    }
    // overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMin[len] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return false;
    i += len;
  }
  return true;
}

void write_safetensors(const std::map<std::string, Tensor>& tensors,
                       const std::function<void(std::span<const uint8_t>)>& sink) {
  nlohmann::json header = nlohmann::json::object();
  uint64_t offset = 0;
  for (const auto& [key, t] : tensors) {
    const auto dtype = safetensors_dtype(t.dtype());
    if (!dtype || key == "__metadata__" || !valid_utf8(key)) {
      throw ValueError("Cannot write " + quote_key(key) + " to a checkpoint");  // the Saver checked these
    }
    header[key] = {
        {"dtype", *dtype}, {"shape", t.shape().dims()}, {"data_offsets", {offset, offset + t.num_bytes()}}};
    offset += t.num_bytes();
  }
  header["__metadata__"] = {{"format", "minitf"}};
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // data starts 8-byte aligned, as safetensors writes it
  uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<uint8_t>(uint64_t(text.size()) >> (8 * i));
  sink(length);
  sink({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  for (const auto& [key, t] : tensors) {
    const auto* bytes = static_cast<const uint8_t*>(t.raw());
    if constexpr (std::endian::native == std::endian::little) {
      sink({bytes, t.num_bytes()});
    } else {
      const size_t width = dtype_size(t.dtype());
      std::vector<uint8_t> chunk;
      for (size_t i = 0; i < t.num_bytes(); i += chunk.size()) {
        chunk.assign(bytes + i, bytes + std::min(t.num_bytes(), i + (size_t{1} << 16)));
        for (size_t k = 0; k < chunk.size(); k += width)
          std::reverse(chunk.begin() + k, chunk.begin() + k + width);
        sink(chunk);
      }
    }
  }
}

std::vector<uint8_t> serialize_safetensors(const std::map<std::string, Tensor>& tensors) {
  std::vector<uint8_t> out;
  write_safetensors(
      tensors, [&](std::span<const uint8_t> piece) { out.insert(out.end(), piece.begin(), piece.end()); });
  return out;
}

}  // namespace minitf::detail
