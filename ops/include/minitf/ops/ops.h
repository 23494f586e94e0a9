#pragma once
// Builders: the functions users call to add ops to the default graph, one
// header per family (as TF's python/ops/*_ops.py).
#include <minitf/ops/array_ops.h>
#include <minitf/ops/control_flow_ops.h>
#include <minitf/ops/math_ops.h>
#include <minitf/ops/nn_ops.h>
#include <minitf/ops/random_ops.h>
#include <minitf/ops/state_ops.h>
