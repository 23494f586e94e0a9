#pragma once
// The one header a minitf user needs. Spell the namespace as TF: `namespace tf = minitf;`.
#include <minitf/graph/dtype.h>
#include <minitf/graph/errors.h>
#include <minitf/graph/graph.h>
#include <minitf/graph/shape.h>
#include <minitf/graph/slicing.h>
#include <minitf/graph/tensor.h>
#include <minitf/graph/write_graph.h>
#include <minitf/layers/layers.h>
#include <minitf/layers/rnn_cell.h>
#include <minitf/ops/ops.h>
#include <minitf/scope/initializers.h>
#include <minitf/scope/scopes.h>
#include <minitf/scope/variable.h>
#include <minitf/session/session.h>
#include <minitf/train/saver.h>
