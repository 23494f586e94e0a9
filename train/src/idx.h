#pragma once
// The IDX decoder behind datasets::read_idx, apart from files so that the
// fuzzer (tests/fuzz/idx_fuzzer.cpp) feeds it bytes from memory.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <minitf/graph/tensor.h>

namespace minitf::detail {

// IDX type codes (the third magic byte).
enum IdxType : uint8_t {
  kIdxUByte = 0x08,
  kIdxSByte = 0x09,
  kIdxShort = 0x0B,
  kIdxInt = 0x0C,
  kIdxFloat = 0x0D,
  kIdxDouble = 0x0E
};

// One IDX file: its type code, dims and data bytes as stored (big-endian).
struct IdxContents {
  uint8_t type = 0;
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

// Fills a prefix of `out` and says how many bytes it filled; 0 at the end.
using ReadSome = std::function<size_t(std::span<uint8_t>)>;

// The most data bytes an IDX file may hold (after decompression).
inline constexpr uint64_t kMaxIdxDataBytes = uint64_t{1} << 30;

// Decodes the bytes `read` gives: a gzip stream (one or more members) when
// they start 1f 8b, raw IDX otherwise. DataLossError naming `name` for
// anything malformed; memory grows with the data that actually arrives and
// never past what the header claims, which must be at most `max_bytes`.
// `size_hint`: the input's size when known (a raw file's), to size the buffer once.
IdxContents decode_idx(const ReadSome& read, const std::string& name, uint64_t max_bytes = kMaxIdxDataBytes,
                       uint64_t size_hint = 0);

// The contents as a tensor of their dims: bytes, shorts and ints as int32,
// floats as float32; UnimplementedError for doubles.
Tensor idx_to_tensor(const IdxContents& idx, const std::string& name);

}  // namespace minitf::detail
