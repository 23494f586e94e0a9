#pragma once
// What the kernel files share with each other, and nothing more.
#include <minitf/kernels/kernel.h>

namespace minitf::kernels {

void register_state_kernels(KernelRegistry& registry);
void register_random_kernels(KernelRegistry& registry);
void register_elementwise_kernels(KernelRegistry& registry);
void register_conv_kernels(KernelRegistry& registry);
void register_conv_grad_kernels(KernelRegistry& registry);
void register_nn_kernels(KernelRegistry& registry);
void register_nn_grad_kernels(KernelRegistry& registry);
void register_norm_kernels(KernelRegistry& registry);
void register_math_kernels(KernelRegistry& registry);
void register_array_kernels(KernelRegistry& registry);
void register_reduction_kernels(KernelRegistry& registry);

// A kernel made of a function, for ops with no state of their own.
// `allocates` false: its outputs alias a variable, a constant or an input.
template <class F>
KernelFactory simple_kernel(F f, bool allocates = true) {
  struct Fn final : OpKernel {
    Fn(const NodeInfo& node, F fn, bool allocates) : OpKernel(node), fn_(fn), allocates_(allocates) {}
    void compute(KernelContext& ctx) override { fn_(*this, ctx); }
    bool allocates_outputs() const override { return allocates_; }
    F fn_;
    bool allocates_;
  };
  return [f, allocates](const NodeInfo& node) { return std::make_unique<Fn>(node, f, allocates); };
}

}  // namespace minitf::kernels
