#pragma once
// What the kernel files share with each other, and nothing more.
#include <minitf/kernels/kernel.h>

namespace minitf::kernels {

void register_state_kernels(KernelRegistry& registry);
void register_random_kernels(KernelRegistry& registry);
void register_elementwise_kernels(KernelRegistry& registry);
void register_conv_kernels(KernelRegistry& registry);

// How a simple kernel's outputs relate to other tensors (see OpKernel).
struct KernelTraits {
  bool allocates = true;    // false: its outputs alias a variable, a constant or an input
  int forwards_input = -1;  // output 0 is this input itself
  bool constant_outputs = false;
};

// A kernel made of a function, for ops with no state of their own.
template <class F>
KernelFactory simple_kernel(F f, KernelTraits traits = {}) {
  struct Fn final : OpKernel {
    Fn(const Operation& op, F fn, KernelTraits traits) : OpKernel(op), fn_(fn), traits_(traits) {}
    void compute(KernelContext& ctx) override { fn_(*this, ctx); }
    bool allocates_outputs() const override { return traits_.allocates; }
    int forwarded_input(size_t i) const override { return i == 0 ? traits_.forwards_input : -1; }
    bool outputs_constant_between_runs() const override { return traits_.constant_outputs; }
    F fn_;
    KernelTraits traits_;
  };
  return [f, traits](const Operation& op) { return std::make_unique<Fn>(op, f, traits); };
}

// A float32 input of the op, or InvalidArgumentError naming it.
const Tensor& float_input(const OpKernel& k, const KernelContext& ctx, size_t i);

}  // namespace minitf::kernels
