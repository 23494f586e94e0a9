// IDX files (LeCun's MNIST format), raw or gzipped: a magic of 00 00, a type
// code and a dimension count, the dims as big-endian u32s, then the data.
#include "idx.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <new>

#include <minitf/graph/errors.h>

namespace minitf::detail {
namespace {

constexpr size_t kMaxDims = 4;
constexpr size_t kChunk = size_t{1} << 16;

std::string hex_byte(uint8_t b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return {kDigits[b >> 4], kDigits[b & 15]};
}

size_t element_size(uint8_t type) {
  switch (type) {
    case kIdxUByte:
    case kIdxSByte:
      return 1;
    case kIdxShort:
      return 2;
    case kIdxInt:
    case kIdxFloat:
      return 4;
    case kIdxDouble:
      return 8;
    default:
      return 0;
  }
}

std::string dims_string(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

// Takes the decoded bytes as they come: the header first, checked as soon as
// it is whole, then the data, refused the moment it exceeds what the dims say.
class IdxSink {
 public:
  IdxSink(const std::string& name, uint64_t max_bytes, uint64_t size_hint)
      : name_(name), max_bytes_(max_bytes), size_hint_(size_hint) {}

  void add(const uint8_t* p, size_t n) {
    while (n > 0 && !header_done_) {
      const size_t take = std::min(header_size() - header_.size(), n);
      header_.insert(header_.end(), p, p + take);
      p += take;
      n -= take;
      if (header_.size() == 4) check_magic();  // before reading dims it counts
      if (header_.size() == header_size()) parse_dims();
    }
    if (n == 0) return;
    if (n > expected_ - out_.data.size()) {
      throw DataLossError(where() + "has more data than its dims " + dims_string(out_.dims) + " call for (" +
                          std::to_string(expected_) + " bytes)");
    }
    out_.data.insert(out_.data.end(), p, p + n);
  }

  IdxContents finish() {
    if (!header_done_) {
      throw DataLossError(where() + "ends inside its header, after " + std::to_string(header_.size()) +
                          " bytes");
    }
    if (out_.data.size() != expected_) {
      throw DataLossError(where() + "is truncated: its dims " + dims_string(out_.dims) + " call for " +
                          std::to_string(expected_) + " bytes of data, it has " +
                          std::to_string(out_.data.size()));
    }
    return std::move(out_);
  }

  std::string where() const { return "IDX file " + name_ + " "; }

 private:
  size_t header_size() const { return header_.size() < 4 ? 4 : 4 + 4 * size_t{header_[3]}; }

  void check_magic() const {
    if (header_[0] != 0 || header_[1] != 0 || element_size(header_[2]) == 0) {
      throw DataLossError(where() + "has bad magic bytes " + hex_byte(header_[0]) + " " +
                          hex_byte(header_[1]) + " " + hex_byte(header_[2]) + " " + hex_byte(header_[3]) +
                          " (an IDX file starts with 00 00, a type code of 08, 09, 0b, 0c, 0d or 0e, "
                          "and its number of dimensions)");
    }
    if (header_[3] > kMaxDims) {
      throw DataLossError(where() + "has " + std::to_string(header_[3]) + " dimensions; at most " +
                          std::to_string(kMaxDims) + " are supported");
    }
  }

  void parse_dims() {
    out_.type = header_[2];
    // The product of the nonzero dims, saturated past the limit instead of
    // overflowing: [4294967295, 4294967295, 0] holds nothing, but is refused too.
    uint64_t bytes = element_size(out_.type);
    bool empty = false;
    for (size_t i = 0; i < header_[3]; ++i) {
      const uint8_t* d = header_.data() + 4 + 4 * i;
      const uint64_t dim = uint64_t{d[0]} << 24 | uint64_t{d[1]} << 16 | uint64_t{d[2]} << 8 | d[3];
      out_.dims.push_back(static_cast<int64_t>(dim));
      empty = empty || dim == 0;
      if (dim != 0) bytes = bytes > max_bytes_ / dim ? max_bytes_ + 1 : bytes * dim;
    }
    if (bytes > max_bytes_) {
      throw DataLossError(where() + "claims dims " + dims_string(out_.dims) + " of " +
                          std::to_string(element_size(out_.type)) + "-byte elements, more than the " +
                          std::to_string(max_bytes_) + " bytes a file may hold");
    }
    if (empty) bytes = 0;
    expected_ = bytes;
    header_done_ = true;
    // A raw file's size is known: when it agrees, one allocation holds the data.
    if (size_hint_ >= header_.size()) {
      out_.data.reserve(std::min<uint64_t>(expected_, size_hint_ - header_.size()));
    }
  }

  const std::string& name_;
  uint64_t max_bytes_;
  uint64_t size_hint_;
  std::vector<uint8_t> header_;
  bool header_done_ = false;
  uint64_t expected_ = 0;
  IdxContents out_;
};

void inflate_into(const ReadSome& read, std::vector<uint8_t>& in, size_t in_size, IdxSink& sink) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    throw ResourceExhaustedError(sink.where() + ": out of memory");
  const std::unique_ptr<z_stream, int (*)(z_stream*)> end(&zs, inflateEnd);
  std::vector<uint8_t> out(kChunk);
  zs.next_in = in.data();
  zs.avail_in = static_cast<uInt>(in_size);
  bool member_ended = false;
  for (;;) {
    if (zs.avail_in == 0) {
      const size_t n = read(in);
      if (n == 0) break;
      zs.next_in = in.data();
      zs.avail_in = static_cast<uInt>(n);
    }
    if (member_ended) {  // another gzip member follows (as `cat a.gz b.gz` makes)
      if (inflateReset(&zs) != Z_OK) throw DataLossError(sink.where() + "has a corrupt gzip stream");
      member_ended = false;
    }
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    const int ret = inflate(&zs, Z_NO_FLUSH);
    sink.add(out.data(), out.size() - zs.avail_out);
    if (ret == Z_STREAM_END) {
      member_ended = true;
    } else if (ret == Z_MEM_ERROR) {
      throw ResourceExhaustedError(sink.where() + "could not be decompressed: out of memory");
    } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
      throw DataLossError(sink.where() + "has a corrupt gzip stream (" + (zs.msg ? zs.msg : "zlib error") +
                          ")");
    }
  }
  if (!member_ended) throw DataLossError(sink.where() + "is a truncated gzip stream");
}

template <class T>
Tensor convert(const IdxContents& idx, DType dtype, T (*element)(const uint8_t*)) {
  Tensor t = Tensor::uninitialized(dtype, Shape(idx.dims));
  const size_t size = element_size(idx.type);
  auto out = t.data<T>();
  for (size_t i = 0; i < out.size(); ++i) out[i] = element(idx.data.data() + i * size);
  return t;
}

uint32_t big_endian32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

}  // namespace

IdxContents decode_idx(const ReadSome& read, const std::string& name, uint64_t max_bytes,
                       uint64_t size_hint) {
  try {
    IdxSink sink(name, max_bytes, size_hint);
    std::vector<uint8_t> in(kChunk);
    size_t n = 0;
    while (n < 2) {  // the first two bytes tell gzip from raw
      const size_t got = read(std::span(in).subspan(n));
      if (got == 0) break;
      n += got;
    }
    if (n >= 2 && in[0] == 0x1f && in[1] == 0x8b) {
      inflate_into(read, in, n, sink);
    } else {
      for (; n > 0; n = read(in)) sink.add(in.data(), n);
    }
    return sink.finish();
  } catch (const std::bad_alloc&) {
    throw ResourceExhaustedError("IDX file " + name + ": out of memory reading it");
  }
}

Tensor idx_to_tensor(const IdxContents& idx, const std::string& name) {
  try {
    switch (idx.type) {
      case kIdxUByte:
        return convert<int32_t>(idx, int32, [](const uint8_t* p) { return int32_t{p[0]}; });
      case kIdxSByte:
        return convert<int32_t>(idx, int32,
                                [](const uint8_t* p) { return int32_t{static_cast<int8_t>(p[0])}; });
      case kIdxShort:
        return convert<int32_t>(idx, int32, [](const uint8_t* p) {
          return int32_t{static_cast<int16_t>(static_cast<uint16_t>(p[0] << 8 | p[1]))};
        });
      case kIdxInt:
        return convert<int32_t>(idx, int32,
                                [](const uint8_t* p) { return static_cast<int32_t>(big_endian32(p)); });
      case kIdxFloat:
        return convert<float>(idx, float32, [](const uint8_t* p) {
          const uint32_t bits = big_endian32(p);
          float f;
          std::memcpy(&f, &bits, sizeof f);
          return f;
        });
      default:
        throw UnimplementedError(
            "IDX file " + name + " holds " +
            (idx.type == kIdxDouble ? std::string("doubles") : "type " + hex_byte(idx.type)) +
            ", which minitf does not read (it has no float64)");
    }
  } catch (const std::bad_alloc&) {
    throw ResourceExhaustedError("IDX file " + name + ": out of memory making its tensor");
  }
}

}  // namespace minitf::detail
