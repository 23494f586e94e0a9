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
  }
  return "invalid";
}

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
    case DType::kInt32:
      return 4;
  }
  return 0;
}

int32_t exact_int32(float value, const std::string& what) {
  if (!(std::nearbyint(value) == value) || value < -2147483648.f || value >= 2147483648.f) {
    throw ValueError(what + ": " + std::to_string(value) + " is not an int32 value");
  }
  return static_cast<int32_t>(value);
}

}  // namespace minitf
