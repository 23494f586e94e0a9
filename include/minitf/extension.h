#pragma once
// Adding an op from outside the library: an op definition (register_op, with
// its attributes, traits and shape function) and a CPU kernel for it
// (register_kernel). docs/adding_an_op.md walks through it; examples/custom_op.cpp
// is a whole one.
#include <minitf/kernels/kernel.h>
#include <minitf/minitf.h>
#include <minitf/ops/op_def.h>
