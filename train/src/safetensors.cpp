// Reading safetensors: the header through a SAX parser that knows the schema,
// so untrusted JSON is never built into a tree, dumped or recursed over.
#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "safetensors.h"

namespace minitf::detail {
namespace {

using json = nlohmann::json;

// Bits per element of every dtype safetensors defines, so that a file may hold
// entries of any of them (a subset restore reads only those it needs).
const std::map<std::string, uint64_t, std::less<>> kDtypeBits = {
    {"BOOL", 8},    {"F4", 4},      {"F6_E2M3", 6}, {"F6_E3M2", 6},     {"U8", 8},          {"I8", 8},
    {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"F8_E4M3FNUZ", 8}, {"F8_E5M2FNUZ", 8}, {"I16", 16},
    {"U16", 16},    {"F16", 16},    {"BF16", 16},   {"I32", 32},        {"U32", 32},        {"F32", 32},
    {"C64", 64},    {"F64", 64},    {"I64", 64},    {"U64", 64}};

constexpr std::string_view kMetadata = "__metadata__";

[[noreturn]] void corrupt(const std::string& what, const std::string& why) {
  throw DataLossError("Checkpoint " + what + " is corrupt: " + why);
}

std::string shape_string(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// Builds the index from parser events. Every value is checked as it arrives,
// against what its place in the schema allows; anything else stops the parse.
class HeaderHandler : public nlohmann::json_sax<json> {
 public:
  HeaderHandler(uint64_t data_size, const std::string& what) : data_size_(data_size), what_(what) {}

  bool null() override { return scalar("null"); }
  bool boolean(bool) override { return scalar("a boolean"); }
  bool number_integer(number_integer_t v) override {
    return v >= 0 ? number_unsigned(static_cast<uint64_t>(v)) : scalar("a negative number");
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (top() == Frame::kShape) {
      if (entry_.shape.size() == kMaxRank) {
        fail(where() + " has more than " + std::to_string(kMaxRank) + " dimensions");
      }
      entry_.shape.push_back(v);
      return true;
    }
    if (top() == Frame::kOffsets) {
      if (++offsets_ > 2) fail(where() + " has more than two data_offsets");
      (offsets_ == 1 ? entry_.begin : entry_.end) = v;
      return true;
    }
    return scalar("a number");
  }
  bool number_float(number_float_t, const string_t&) override { return scalar("a non-integer number"); }
  bool binary(binary_t&) override { return scalar("binary data"); }
  bool string(string_t& s) override {
    if (top() == Frame::kMetadata) return true;
    if (top() == Frame::kEntry && field_ == Field::kDtype) {
      if (!kDtypeBits.count(s)) fail(where() + " has an unknown dtype " + quote_key(s));
      entry_.dtype = std::move(s);
      return true;
    }
    return scalar("a string");
  }

  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    switch (top()) {
      case Frame::kHeader:
        count_key();
        if (k == kMetadata ? seen_metadata_ : index_.entries.count(k) > 0) {
          fail("duplicate key " + quote_key(k));
        }
        key_ = std::move(k);
        return true;
      case Frame::kMetadata:
        count_key();
        if (!metadata_keys_.insert(k).second) fail("__metadata__ has a duplicate key " + quote_key(k));
        return true;
      case Frame::kEntry: {
        field_ = k == "dtype"          ? Field::kDtype
                 : k == "shape"        ? Field::kShape
                 : k == "data_offsets" ? Field::kOffsets
                                       : Field::kOther;
        if (field_ == Field::kOther) return true;  // as safetensors' reader, other fields are ignored
        const auto bit = 1u << static_cast<unsigned>(field_);
        if (fields_ & bit) fail(where() + " has two '" + k + "' fields");
        fields_ |= bit;
        return true;
      }
      default:
        return true;  // inside an ignored value
    }
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    // e.what() quotes the last token, which may be megabytes long.
    std::string why = e.what();
    if (why.size() > 160) why = why.substr(0, 160) + "...";
    fail("the header is not valid JSON (at byte " + std::to_string(position) + "): " + why);
  }

  SafetensorsIndex take() { return std::move(index_); }

 private:
  enum class Frame { kNone, kHeader, kMetadata, kEntry, kShape, kOffsets, kIgnored };
  enum class Field { kDtype, kShape, kOffsets, kOther };

  [[noreturn]] void fail(const std::string& why) const { corrupt(what_, why); }

  Frame top() const { return stack_.empty() ? Frame::kNone : stack_.back(); }
  std::string where() const { return "entry " + quote_key(key_); }
  const char* field_name() const {
    return field_ == Field::kDtype ? "dtype" : field_ == Field::kShape ? "shape" : "data_offsets";
  }

  void count_key() {
    if (++keys_ > kMaxHeaderKeys) {
      fail("the header has more than " + std::to_string(kMaxHeaderKeys) + " keys, the limit");
    }
  }

  // A value that is not an object or an array, where `kind` describes it.
  bool scalar(const char* kind) {
    switch (top()) {
      case Frame::kHeader:
        if (key_ == kMetadata) fail(std::string("__metadata__ is ") + kind + ", not a map of strings");
        fail(where() + " is " + kind + ", not an object");
      case Frame::kMetadata:
        fail(std::string("a __metadata__ value is ") + kind + ", not a string");
      case Frame::kEntry:
        if (field_ == Field::kOther) return true;
        fail(where() + "'s " + field_name() + " is " + kind +
             (field_ == Field::kDtype ? ", not a string" : ", not an array"));
      case Frame::kShape:
        fail(where() + " has a dimension that is " + kind + ", not a non-negative integer");
      case Frame::kOffsets:
        fail(where() + " has a data offset that is " + kind + ", not a non-negative integer");
      default:
        return true;  // inside an ignored value
    }
  }

  bool open(bool object) {
    const char* kind = object ? "an object" : "an array";
    if (stack_.size() >= kMaxJsonDepth) {
      fail("the header nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    Frame frame = Frame::kIgnored;
    switch (top()) {
      case Frame::kNone:
        if (!object) fail("the header is an array, not an object");
        frame = Frame::kHeader;
        break;
      case Frame::kHeader:
        if (key_ == kMetadata) {
          if (!object) fail("__metadata__ is an array, not a map of strings");
          seen_metadata_ = true;
          frame = Frame::kMetadata;
        } else {
          if (!object) fail(where() + " is an array, not an object");
          entry_ = {};
          fields_ = 0;
          offsets_ = 0;
          frame = Frame::kEntry;
        }
        break;
      case Frame::kMetadata:
        fail(std::string("a __metadata__ value is ") + kind + ", not a string");
      case Frame::kEntry:
        if (field_ == Field::kOther) break;
        if (field_ == Field::kDtype || object) {
          fail(where() + "'s " + field_name() + " is " + kind +
               (field_ == Field::kDtype ? ", not a string" : ", not an array"));
        }
        frame = field_ == Field::kShape ? Frame::kShape : Frame::kOffsets;
        break;
      case Frame::kShape:
        fail(where() + " has a dimension that is " + kind + ", not a non-negative integer");
      case Frame::kOffsets:
        fail(where() + " has a data offset that is " + kind + ", not a non-negative integer");
      case Frame::kIgnored:
        break;
    }
    stack_.push_back(frame);
    return true;
  }

  bool close() {
    const Frame frame = top();
    stack_.pop_back();
    if (frame == Frame::kEntry) finish_entry();
    return true;
  }

  void finish_entry() {
    for (Field f : {Field::kDtype, Field::kShape, Field::kOffsets}) {
      field_ = f;
      if (!(fields_ & (1u << static_cast<unsigned>(f)))) fail(where() + " has no " + field_name());
    }
    SafetensorsEntry& e = entry_;
    if (offsets_ != 2) fail(where() + " has " + std::to_string(offsets_) + " data_offsets, not 2");
    if (e.begin > e.end || e.end > data_size_) {
      fail(where() + " has data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
           "] outside the " + std::to_string(data_size_) + " bytes of data");
    }
    // As safetensors counts: elements first (a 0 anywhere makes none), then bits.
    uint64_t elements = 1, bits = 0;
    for (uint64_t d : e.shape) {
      if (__builtin_mul_overflow(elements, d, &elements)) {
        fail(where() + " has a shape too large: " + shape_string(e.shape));
      }
    }
    if (__builtin_mul_overflow(elements, kDtypeBits.find(e.dtype)->second, &bits)) {
      fail(where() + " has a shape too large: " + shape_string(e.shape));
    }
    if (bits % 8) {
      fail(where() + "'s " + e.dtype + " " + shape_string(e.shape) + " does not end on a byte boundary");
    }
    if (e.end - e.begin != bits / 8) {
      fail(where() + " has " + std::to_string(e.end - e.begin) + " bytes for " + e.dtype + " " +
           shape_string(e.shape) + ", which needs " + std::to_string(bits / 8));
    }
    index_.entries.emplace(std::move(key_), std::move(e));
  }

  const uint64_t data_size_;
  const std::string& what_;
  SafetensorsIndex index_;
  std::vector<Frame> stack_;
  std::string key_;  // the current top-level key
  Field field_ = Field::kOther;
  SafetensorsEntry entry_;
  unsigned fields_ = 0;  // bits of the Fields seen in the current entry
  size_t offsets_ = 0;
  size_t keys_ = 0;
  bool seen_metadata_ = false;
  std::unordered_set<std::string> metadata_keys_;
};

// The format's rule: sorted by offset, the non-empty entries cover the data
// region exactly, back to back, from its first byte to its last.
void check_coverage(const SafetensorsIndex& index, const std::string& what) {
  std::vector<std::pair<const std::string*, const SafetensorsEntry*>> ranges;
  for (const auto& [key, e] : index.entries) {
    if (e.end > e.begin) ranges.emplace_back(&key, &e);  // an empty entry may sit anywhere in the data
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const auto& a, const auto& b) { return a.second->begin < b.second->begin; });
  uint64_t covered = 0;
  const std::string* previous = nullptr;
  for (const auto& [key, e] : ranges) {
    if (e->begin < covered) {
      corrupt(what, "entries " + quote_key(*previous) + " and " + quote_key(*key) + " overlap in bytes [" +
                        std::to_string(e->begin) + ", " + std::to_string(std::min(covered, e->end)) + ")");
    }
    if (e->begin > covered) {
      corrupt(what, "bytes [" + std::to_string(covered) + ", " + std::to_string(e->begin) +
                        ") of the data belong to no entry (a gap before " + quote_key(*key) + ")");
    }
    covered = e->end;
    previous = key;
  }
  if (covered != index.data_size) {
    corrupt(what, std::to_string(index.data_size - covered) +
                      " trailing bytes after the last entry's data (the " + std::to_string(index.data_size) +
                      " bytes of data must be covered exactly)");
  }
}

}  // namespace

std::string quote_key(std::string_view key) {
  constexpr size_t kShown = 120;
  std::string out = "'";
  size_t n = std::min(key.size(), kShown);
  while (n < key.size() && n > 0 && (static_cast<uint8_t>(key[n]) & 0xC0) == 0x80) --n;  // whole characters
  for (char c : key.substr(0, n)) {
    if (static_cast<uint8_t>(c) < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[static_cast<uint8_t>(c) >> 4];
      out += hex[c & 15];
    } else {
      out += c;
    }
  }
  out += "'";
  if (n < key.size()) out += "... (" + std::to_string(key.size()) + " bytes)";
  return out;
}

SafetensorsIndex parse_safetensors_header(std::string_view header, uint64_t data_size,
                                          const std::string& what) {
  if (header.empty() || header.front() != '{') corrupt(what, "the header does not begin with '{'");
  HeaderHandler handler(data_size, what);
  json::sax_parse(header.begin(), header.end(), &handler);  // strict: nothing but spaces after the object
  SafetensorsIndex index = handler.take();
  index.data_size = data_size;
  check_coverage(index, what);
  return index;
}

SafetensorsIndex read_safetensors_index(uint64_t file_size, const ReadAt& read_at, const std::string& what) {
  if (file_size < 8) {
    corrupt(what, "it has " + std::to_string(file_size) + " bytes, fewer than the 8 of a header length");
  }
  uint8_t length[8];
  read_at(0, length);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | length[i];
  if (n > kMaxHeaderBytes) {
    corrupt(what, "the header length " + std::to_string(n) + " exceeds the limit of " +
                      std::to_string(kMaxHeaderBytes) + " bytes");
  }
  if (n > file_size - 8) {
    corrupt(what, "the header length " + std::to_string(n) + " does not fit in a file of " +
                      std::to_string(file_size) + " bytes");
  }
  std::string header(n, '\0');
  read_at(8, {reinterpret_cast<uint8_t*>(header.data()), header.size()});
  SafetensorsIndex index = parse_safetensors_header(header, file_size - 8 - n, what);
  index.data_start = 8 + n;
  return index;
}

std::optional<std::string> safetensors_dtype(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "F32";
    case DType::kInt32:
      return "I32";
    case DType::kInt64:
      return "I64";
    case DType::kBool:
      return "BOOL";
  }
  return std::nullopt;
}

Tensor read_safetensors_tensor(const SafetensorsIndex& index, const std::string& key, DType dtype,
                               const ReadAt& read_at) {
  const SafetensorsEntry& e = index.entries.at(key);
  std::vector<int64_t> dims;
  for (uint64_t d : e.shape) {
    if (d > static_cast<uint64_t>(INT64_MAX))
      throw InvalidArgumentError("Entry " + quote_key(key) + " is too large");
    dims.push_back(static_cast<int64_t>(d));
  }
  if (safetensors_dtype(dtype) != e.dtype) {
    throw InvalidArgumentError("Entry " + quote_key(key) + " is " + e.dtype + ", not " + dtype_name(dtype));
  }
  Tensor t = Tensor::uninitialized(dtype, Shape(std::move(dims)));
  auto* bytes = static_cast<uint8_t*>(t.raw());
  read_at(index.data_start + e.begin, {bytes, t.num_bytes()});
  if constexpr (std::endian::native == std::endian::big) {
    const size_t width = dtype_size(dtype);
    for (size_t i = 0; i < t.num_bytes(); i += width) std::reverse(bytes + i, bytes + i + width);
  }
  if (dtype == bool_) {
    // A byte other than 0 or 1 is not a bool; reading it as one would be undefined.
    for (size_t i = 0; i < t.num_bytes(); ++i) {
      if (bytes[i] > 1) {
        throw InvalidArgumentError("Entry " + quote_key(key) + " is BOOL but holds the byte " +
                                   std::to_string(bytes[i]) + " at element " + std::to_string(i));
      }
    }
  }
  return t;
}

}  // namespace minitf::detail
