#include <minitf/kernels/kernel.h>

#include <mutex>

#include "kernels_internal.h"

namespace minitf::kernels {

Tensor& KernelContext::allocate_output(size_t i, DType dtype, const Shape& shape) const {
  Tensor& t = *outputs[i];
  const bool fits = !t.empty() && t.dtype() == dtype && t.shape() == shape;
  if (!fits || (!t.is_view() && t.buffer_shared())) t = Tensor::uninitialized(dtype, shape);
  return t;
}

Tensor& KernelContext::allocate_output(size_t i) const {
  const TensorSpec& spec = output_specs[i];
  if (!spec.second.fully_defined()) {
    throw UnimplementedError(
        "the plan does not know this output's shape before the run (" + spec.second.to_string() +
        ": an input's shape depends on values), and the kernel takes its shape from the plan");
  }
  return allocate_output(i, spec.first, spec.second);
}

void KernelRegistry::add(const std::string& type, KernelFactory factory) {
  if (!factory) throw ValueError("The CPU kernel factory registered for op type '" + type + "' is empty");
  std::unique_lock lock(mu_);
  if (!factories_.emplace(type, std::move(factory)).second) {
    throw AlreadyExistsError("A CPU kernel for op type '" + type + "' is already registered");
  }
}

bool KernelRegistry::has(const std::string& type) const {
  std::shared_lock lock(mu_);
  return factories_.count(type) > 0;
}

std::unique_ptr<OpKernel> KernelRegistry::create(const NodeInfo& node) const {
  KernelFactory factory;
  {
    std::shared_lock lock(mu_);
    auto it = factories_.find(node.type);
    if (it == factories_.end()) {
      throw NotFoundError("No CPU kernel for op '" + node.name + "' of type " + node.type);
    }
    factory = it->second;
  }
  std::unique_ptr<OpKernel> kernel = factory(node);
  if (!kernel) {
    throw NotFoundError("The CPU kernel factory for op '" + node.name + "' of type " + node.type +
                        " made no kernel");
  }
  return kernel;
}

KernelRegistry& kernel_registry() {
  static KernelRegistry* registry = [] {
    auto* r = new KernelRegistry;  // never destroyed: sessions may outlive static destruction order
    register_state_kernels(*r);
    register_random_kernels(*r);
    register_elementwise_kernels(*r);
    register_conv_kernels(*r);
    register_conv_grad_kernels(*r);
    register_nn_kernels(*r);
    register_nn_grad_kernels(*r);
    register_norm_kernels(*r);
    register_math_kernels(*r);
    register_array_kernels(*r);
    register_reduction_kernels(*r);
    return r;
  }();
  return *registry;
}

void register_kernel(const std::string& type, KernelFactory factory) {
  kernel_registry().add(type, std::move(factory));
}

}  // namespace minitf::kernels
