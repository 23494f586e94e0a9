// Built when libtorch-dev is absent: no libtorch contestant.
#include "train.h"

namespace train {
std::unique_ptr<Contestant> make_torch(const Batch&, int, const Weights&) { return nullptr; }
std::string torch_config() { return {}; }
}  // namespace train
