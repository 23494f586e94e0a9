// Built when libtorch-dev is absent: no libtorch contestants.
#include "problem.h"

namespace bench {
std::vector<Entry> torch_entries() { return {}; }
std::vector<OverheadResult> torch_overhead(int, int) { return {}; }
}  // namespace bench
