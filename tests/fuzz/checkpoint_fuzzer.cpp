// libFuzzer target for the checkpoint reader: any bytes must give a parsed
// file or a DataLossError, never a crash, a leak or a huge allocation.
#include <cstddef>
#include <cstdint>
#include <span>

#include "../../session/src/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto file = minitf::detail::parse_safetensors(std::span<const uint8_t>(data, size), "fuzz input");
    for (const auto& [key, entry] : file.entries) {
      if (entry.dtype == "F32") {
        const minitf::Tensor t = minitf::detail::read_f32(file, key);
        volatile float sink = t.num_elements() ? t.data<float>()[0] : 0.f;
        (void)sink;
      }
    }
  } catch (const minitf::DataLossError&) {
  } catch (const minitf::InvalidArgumentError&) {  // a valid header whose tensor exceeds our size limit
  }
  return 0;
}
