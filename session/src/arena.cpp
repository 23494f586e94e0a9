#include "arena.h"

#include <algorithm>
#include <numeric>

namespace minitf::detail {

namespace {
constexpr std::size_t kAlign = 64;
std::size_t aligned(std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
}  // namespace

ArenaLayout plan_arena(const std::vector<ArenaRequest>& requests) {
  ArenaLayout layout;
  layout.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].first < requests[b].first; });
  std::vector<size_t> placed;
  for (size_t r : order) {
    const ArenaRequest& req = requests[r];
    // The placed buffers alive while this one is, by offset.
    std::vector<std::pair<std::size_t, std::size_t>> busy;
    for (size_t p : placed) {
      const ArenaRequest& q = requests[p];
      if (q.first <= req.last && req.first <= q.last) {
        busy.emplace_back(layout.offsets[p], layout.offsets[p] + aligned(q.bytes));
      }
    }
    std::sort(busy.begin(), busy.end());
    std::size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + aligned(req.bytes) <= begin) break;
      offset = std::max(offset, end);
    }
    layout.offsets[r] = offset;
    layout.total = std::max(layout.total, offset + aligned(req.bytes));
    placed.push_back(r);
  }
  return layout;
}

}  // namespace minitf::detail
