#include "eigen_device.h"

namespace minitf::kernels {

CpuDevice::CpuDevice(int num_threads)
    : num_threads_(std::max(1, num_threads)), impl_(std::make_unique<Impl>(std::max(1, num_threads))) {}

CpuDevice::~CpuDevice() = default;

}  // namespace minitf::kernels
