#pragma once
// Element types of tensors.
#include <cstddef>
#include <cstdint>
#include <string>

namespace minitf {

// The element type of a tensor. Float kernels compute in float32; int32,
// int64 and bool carry shapes, axes, indices, labels and comparisons.
enum class DType : uint8_t { kFloat32, kInt32, kInt64, kBool };

inline constexpr DType float32 = DType::kFloat32;
inline constexpr DType int32 = DType::kInt32;
inline constexpr DType int64 = DType::kInt64;
inline constexpr DType bool_ = DType::kBool;

// TF's name for the type: "float32", "int32", "int64", "bool".
const char* dtype_name(DType dtype);
// Bytes per element.
std::size_t dtype_size(DType dtype);

// `value` converted to `dtype` exactly (whole numbers for the integer types,
// 0 or 1 for bool) and stored at `out`; ValueError naming `what` otherwise.
void store_exact(double value, DType dtype, void* out, const std::string& what);

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
template <>
constexpr DType dtype_of<int64_t>() {
  return int64;
}
template <>
constexpr DType dtype_of<bool>() {
  return bool_;
}

// Calls `f` with a value of the C++ type of `dtype` (float, int32_t,
// int64_t, bool), for code written once for every dtype:
//   with_dtype(t.dtype(), [&](auto zero) { using T = decltype(zero); ... });
template <class F>
decltype(auto) with_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kInt32:
      return f(int32_t{});
    case DType::kInt64:
      return f(int64_t{});
    case DType::kBool:
      return f(bool{});
    case DType::kFloat32:
      break;
  }
  return f(float{});
}

}  // namespace minitf
