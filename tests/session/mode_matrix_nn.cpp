// Mode-matrix cases of the nn family (see mode_matrix.h).
#include "mode_matrix.h"

namespace mode_matrix {

std::vector<Case> nn_cases() {
  std::vector<Case> c;
  return c;
}

}  // namespace mode_matrix
