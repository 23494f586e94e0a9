#include <minitf/kernels/kernel.h>

#include "kernels_internal.h"

namespace minitf::kernels {

Tensor& KernelContext::allocate_output(size_t i, DType dtype, const Shape& shape) const {
  Tensor& t = *outputs[i];
  const bool fits = !t.empty() && t.dtype() == dtype && t.shape() == shape;
  if (!fits || (!t.is_view() && t.buffer_shared())) t = Tensor::uninitialized(dtype, shape);
  return t;
}

void KernelRegistry::add(const std::string& type, KernelFactory factory) {
  factories_[type] = std::move(factory);
}

std::unique_ptr<OpKernel> KernelRegistry::create(const Operation& op) const {
  auto it = factories_.find(op.type());
  if (it == factories_.end()) {
    throw ValueError("No CPU kernel for op '" + op.name() + "' of type " + op.type());
  }
  return it->second(op);
}

void register_builtin_kernels(KernelRegistry& registry) {
  register_state_kernels(registry);
  register_random_kernels(registry);
  register_elementwise_kernels(registry);
  register_conv_kernels(registry);
}

const KernelRegistry& builtin_kernels() {
  static const KernelRegistry registry = [] {
    KernelRegistry r;
    register_builtin_kernels(r);
    return r;
  }();
  return registry;
}

}  // namespace minitf::kernels
