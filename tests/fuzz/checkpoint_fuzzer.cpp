// libFuzzer target for the checkpoint reader: any bytes must give a validated
// index or a DataLossError, never a crash, a leak, a deep recursion or a huge
// allocation; and a validated index never points outside the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "../../train/src/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The file, read as restore reads it: only the ranges the reader asks for.
  const minitf::detail::ReadAt read_at = [&](uint64_t offset, std::span<uint8_t> out) {
    if (offset > size || out.size() > size - offset) std::abort();  // the reader's own checks failed
    if (!out.empty()) std::memcpy(out.data(), data + offset, out.size());
  };
  try {
    const auto index = minitf::detail::read_safetensors_index(size, read_at, "fuzz input");
    for (const auto& [key, entry] : index.entries) {
      if (entry.begin > entry.end || index.data_start + entry.end > size) std::abort();
      for (minitf::DType dtype : {minitf::float32, minitf::int32}) {
        if (minitf::detail::safetensors_dtype(dtype) != entry.dtype) continue;
        try {
          const minitf::Tensor t = minitf::detail::read_safetensors_tensor(index, key, dtype, read_at);
          volatile uint8_t sink = t.num_bytes() ? static_cast<const uint8_t*>(t.raw())[0] : 0;
          (void)sink;
        } catch (const minitf::InvalidArgumentError&) {  // an empty entry too large for a minitf Shape
        }
      }
    }
  } catch (const minitf::DataLossError&) {
  }
  return 0;
}
