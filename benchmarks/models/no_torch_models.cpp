// Built when libtorch-dev is absent: no libtorch contestant.
#include "models.h"

namespace models {
std::unique_ptr<Contestant> make_torch(const Model&, int, const std::vector<float>&, const Weights&) {
  return nullptr;
}
}  // namespace models
