#pragma once
// Random builders. A seed of nullopt follows TF: the graph seed decides, else
// values differ per session.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf {

Output random_normal(const Shape& shape, float mean = 0.f, float stddev = 1.f,
                     std::optional<int64_t> seed = std::nullopt, const OpName& name = {});
Output random_uniform(const Shape& shape, float minval = 0.f, float maxval = 1.f,
                      std::optional<int64_t> seed = std::nullopt, const OpName& name = {});
Output truncated_normal(const Shape& shape, float mean = 0.f, float stddev = 1.f,
                        std::optional<int64_t> seed = std::nullopt, const OpName& name = {});

// TF's (seed, seed2) for an op: graph seed and op seed, (0, 0) when random.
std::pair<int64_t, int64_t> get_seed(Graph& g, std::optional<int64_t> op_seed);

}  // namespace minitf
