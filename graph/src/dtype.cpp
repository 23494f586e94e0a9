#include <minitf/graph/dtype.h>
#include <minitf/graph/errors.h>

#include <cmath>

namespace minitf {

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "float32";
    case DType::kInt32:
      return "int32";
    case DType::kInt64:
      return "int64";
    case DType::kBool:
      return "bool";
  }
  return "invalid";
}

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
    case DType::kInt32:
      return 4;
    case DType::kInt64:
      return 8;
    case DType::kBool:
      return 1;
  }
  return 0;
}

void store_exact(double value, DType dtype, void* out, const std::string& what) {
  auto fail = [&] {
    throw ValueError(what + ": " + std::to_string(value) + " is not " +
                     (dtype == DType::kInt32 || dtype == DType::kInt64 ? "an " : "a ") + dtype_name(dtype) +
                     " value");
  };
  switch (dtype) {
    case DType::kFloat32:
      *static_cast<float*>(out) = static_cast<float>(value);
      return;
    case DType::kInt32:
      if (!(std::nearbyint(value) == value) || value < -2147483648.0 || value >= 2147483648.0) fail();
      *static_cast<int32_t*>(out) = static_cast<int32_t>(value);
      return;
    case DType::kInt64:
      if (!(std::nearbyint(value) == value) || value < -9223372036854775808.0 ||
          value >= 9223372036854775808.0) {
        fail();
      }
      *static_cast<int64_t*>(out) = static_cast<int64_t>(value);
      return;
    case DType::kBool:
      if (value != 0 && value != 1) fail();
      *static_cast<bool*>(out) = value != 0;
      return;
  }
  fail();
}

}  // namespace minitf
