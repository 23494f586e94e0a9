// Kernels that move values rather than compute them: Const, Placeholder,
// VariableV2, Assign, Identity, NoOp.
#include "kernels_internal.h"

namespace minitf::kernels {

const Tensor& float_input(const OpKernel& k, const KernelContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (t.empty() || t.dtype() != float32) {
    throw InvalidArgumentError(
        "Op " + k.what() + " needs float32 input " + std::to_string(i) +
        (t.empty() ? std::string(", got no value") : std::string(", got ") + dtype_name(t.dtype())));
  }
  return t;
}

void register_state_kernels(KernelRegistry& r) {
  r.add("Const", simple_kernel([](const OpKernel& k,
                                  KernelContext& ctx) { ctx.output(0) = k.op().attr<Tensor>("value"); },
                               {.allocates = false, .constant_outputs = true}));
  r.add("Placeholder",
        simple_kernel(
            [](const OpKernel& k, KernelContext&) {
              throw InvalidArgumentError("You must feed a value for placeholder tensor '" + k.op().name() +
                                         "' with dtype " + dtype_name(k.op().attr<DType>("dtype")) +
                                         " and shape " + k.op().attr<Shape>("shape").to_string());
            },
            {.allocates = false}));
  r.add("VariableV2", simple_kernel([](const OpKernel& k,
                                       KernelContext& ctx) { ctx.output(0) = ctx.variables.read(k.op()); },
                                    {.allocates = false, .constant_outputs = true}));
  r.add("Assign", simple_kernel(
                      [](const OpKernel& k, KernelContext& ctx) {
                        const Operation var = k.op().inputs()[0].op();
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
                      {.allocates = false}));
  r.add("Identity", simple_kernel([](const OpKernel&, KernelContext& ctx) { ctx.output(0) = ctx.input(0); },
                                  {.allocates = false, .forwards_input = 0}));
  r.add("NoOp", simple_kernel([](const OpKernel&, KernelContext&) {}, {.allocates = false}));
}

}  // namespace minitf::kernels
