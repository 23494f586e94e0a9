#pragma once
// Element types of tensors.
#include <cstddef>
#include <cstdint>
#include <string>

namespace minitf {

// The element type of a tensor; float32 is what every kernel computes in.
enum class DType : uint8_t { kFloat32, kInt32 };

inline constexpr DType float32 = DType::kFloat32;
inline constexpr DType int32 = DType::kInt32;

// TF's name for the type: "float32", "int32".
const char* dtype_name(DType dtype);
// Bytes per element.
std::size_t dtype_size(DType dtype);

// `value` as an int32 when it is a whole number in range; ValueError naming `what` otherwise.
int32_t exact_int32(float value, const std::string& what);

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return float32;
}
template <>
constexpr DType dtype_of<int32_t>() {
  return int32;
}

}  // namespace minitf
