// libFuzzer target for the IDX reader (datasets::read_idx without the file):
// any bytes, raw or gzipped, must give contents that agree with their dims or
// a DataLossError (UnimplementedError for IDX doubles), never a crash, a leak
// or an allocation beyond what the data holds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "../../train/src/idx.h"

namespace {
constexpr uint64_t kMaxBytes = uint64_t{16} << 20;  // the reader's limit here: 16 MiB of data
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t pos = 0;
  // Uneven pieces, as short reads give them, so every header and gzip boundary is crossed somewhere.
  const minitf::detail::ReadSome read = [&](std::span<uint8_t> out) {
    const size_t n = std::min({out.size(), size - pos, size_t{1} + (pos * 7919) % 4099});
    if (n) std::memcpy(out.data(), data + pos, n);
    pos += n;
    return n;
  };
  try {
    const minitf::detail::IdxContents idx = minitf::detail::decode_idx(read, "fuzz input", kMaxBytes);
    uint64_t elements = 1;
    for (int64_t d : idx.dims) elements *= static_cast<uint64_t>(d);
    const size_t element_size = idx.type == 0x08 || idx.type == 0x09 ? 1
                                : idx.type == 0x0B                   ? 2
                                : idx.type == 0x0E                   ? 8
                                                                     : 4;
    if (idx.dims.size() > 4 || idx.data.size() > kMaxBytes || idx.data.size() != elements * element_size)
      std::abort();
    try {
      const minitf::Tensor t = minitf::detail::idx_to_tensor(idx, "fuzz input");
      if (static_cast<uint64_t>(t.num_elements()) != elements) std::abort();
    } catch (const minitf::UnimplementedError&) {
      if (idx.type != 0x0E) std::abort();
    }
  } catch (const minitf::DataLossError&) {
  }
  return 0;
}
