#pragma once
// Control-flow builders.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <minitf/graph/graph.h>

namespace minitf {

// tf.no_op; runs `control_inputs` first.
Operation no_op(const OpName& name = {}, std::vector<Operation> control_inputs = {});
// tf.group: a NoOp that runs every one of `ops`.
Operation group(std::vector<Operation> ops, const OpName& name = {});

}  // namespace minitf
