// Kernels that move values rather than compute them: Const, Placeholder,
// VariableV2, Assign, Identity, NoOp; and, through training_kernels.cpp, the
// ops that update a variable (AssignAdd, AssignSub, Apply*).
#include "kernels_internal.h"

namespace minitf::kernels {

void register_training_kernels(KernelRegistry& registry);  // training_kernels.cpp

void register_state_kernels(KernelRegistry& r) {
  r.add("Const", simple_kernel([](const OpKernel& k,
                                  KernelContext& ctx) { ctx.output(0) = k.node().attr<Tensor>("value"); },
                               false));
  r.add("Placeholder",
        simple_kernel(
            [](const OpKernel& k, KernelContext&) {
              throw InvalidArgumentError("You must feed a value for placeholder tensor '" + k.node().name +
                                         "' with dtype " + dtype_name(k.node().attr<DType>("dtype")) +
                                         " and shape " + k.node().attr<Shape>("shape").to_string());
            },
            false));
  r.add("VariableV2",
        simple_kernel(
            [](const OpKernel& k, KernelContext& ctx) { ctx.output(0) = ctx.variables.read(k.node().op); },
            false));
  r.add("Assign", simple_kernel(
                      [](const OpKernel& k, KernelContext& ctx) {
                        const Operation var = k.node().op.inputs()[0].op();
                        const Tensor& value = ctx.input(1);
                        const Shape& want = var.attr<Shape>("shape");
                        if (value.dtype() != var.attr<DType>("dtype") || value.shape() != want) {
                          throw InvalidArgumentError("Assign " + k.what() + " to variable " + var.name() +
                                                     " of shape " + want.to_string() +
                                                     " got a value of shape " + value.shape().to_string() +
                                                     " and dtype " + dtype_name(value.dtype()));
                        }
                        Tensor stored = value.clone();  // the variable never aliases a caller's buffer
                        ctx.variables.assign(var, stored);
                        ctx.output(0) = stored;
                      },
                      false));
  r.add("Identity",
        simple_kernel([](const OpKernel&, KernelContext& ctx) { ctx.output(0) = ctx.input(0); }, false));
  r.add("NoOp", simple_kernel([](const OpKernel&, KernelContext&) {}, false));
  register_training_kernels(r);
}

}  // namespace minitf::kernels
