#include "arena.h"

#include <algorithm>
#include <numeric>
#include <queue>
#include <set>

namespace minitf::detail {

namespace {
constexpr std::size_t kAlign = 64;
std::size_t aligned(std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
}  // namespace

// Buffers are placed in order of first use. Only the buffers still alive
// matter when placing the next one, so those are kept by offset (for the
// first fit) and by death (to drop them once dead): a chain of 100,000 ops
// costs about n log n, not n^2.
ArenaLayout plan_arena(const std::vector<ArenaRequest>& requests) {
  ArenaLayout layout;
  layout.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].first < requests[b].first; });
  std::set<std::pair<std::size_t, size_t>> live;  // (offset, request) of buffers alive so far
  using Death = std::pair<int, size_t>;           // (last step, request)
  std::priority_queue<Death, std::vector<Death>, std::greater<>> deaths;
  for (size_t r : order) {
    const ArenaRequest& req = requests[r];
    while (!deaths.empty() && deaths.top().first < req.first) {
      live.erase({layout.offsets[deaths.top().second], deaths.top().second});
      deaths.pop();
    }
    // Every buffer in `live` starts no later than this one and ends at or
    // after its first step, so all of them overlap it in time.
    std::size_t offset = 0;
    const std::size_t size = aligned(req.bytes);
    for (const auto& [begin, p] : live) {
      if (offset + size <= begin) break;
      offset = std::max(offset, begin + aligned(requests[p].bytes));
    }
    layout.offsets[r] = offset;
    layout.total = std::max(layout.total, offset + size);
    live.emplace(offset, r);
    deaths.emplace(req.last, r);
  }
  return layout;
}

}  // namespace minitf::detail
