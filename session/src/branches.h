#pragma once
// Independent branches of a plan: what may run side by side.
#include "plan.h"

namespace minitf::detail {

// Fills plan.branch, branch_steps and source_steps: union-find over the steps
// that compute, two in one branch when one reads what the other computed.
void find_branches(Plan& plan);

}  // namespace minitf::detail
