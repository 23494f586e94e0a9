#pragma once
// What the kernel files share with each other, and nothing more.
#include <minitf/kernels/kernel.h>

namespace minitf::kernels {

void register_state_kernels(KernelRegistry& registry);
void register_random_kernels(KernelRegistry& registry);
void register_elementwise_kernels(KernelRegistry& registry);
void register_conv_kernels(KernelRegistry& registry);

// A kernel made of a function, for ops with no state of their own.
// `allocates` is false when its outputs alias other tensors.
template <class F>
KernelFactory simple_kernel(F f, bool allocates = true) {
  struct Fn final : OpKernel {
    Fn(const Operation& op, F fn, bool allocates) : OpKernel(op), fn_(fn), allocates_(allocates) {}
    void compute(KernelContext& ctx) override { fn_(*this, ctx); }
    bool allocates_outputs() const override { return allocates_; }
    F fn_;
    bool allocates_;
  };
  return [f, allocates](const Operation& op) { return std::make_unique<Fn>(op, f, allocates); };
}

// A float32 input of the op, or InvalidArgumentError naming it.
const Tensor& float_input(const OpKernel& k, const KernelContext& ctx, size_t i);

}  // namespace minitf::kernels
