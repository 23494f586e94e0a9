#pragma once
// Buffer placement by liveness: each buffer of a plan gets an offset in one
// arena so that buffers alive at the same step never overlap.
#include <cstddef>
#include <vector>

namespace minitf::detail {

struct ArenaRequest {
  std::size_t bytes = 0;
  int first = 0;  // the step that writes it
  int last = 0;   // the last step that reads it (inclusive)
};

struct ArenaLayout {
  std::vector<std::size_t> offsets;  // one per request, 64-byte aligned
  std::size_t total = 0;
};

// First fit in order of first use: simple, and for the chains and towers of
// conv models it packs to the peak of live bytes or close to it.
ArenaLayout plan_arena(const std::vector<ArenaRequest>& requests);

}  // namespace minitf::detail
