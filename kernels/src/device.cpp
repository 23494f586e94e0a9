#include <omp.h>

#include "eigen_device.h"

namespace minitf::kernels {

CpuDevice::CpuDevice(int num_threads)
    : num_threads_(std::max(1, num_threads)), impl_(std::make_unique<Impl>(std::max(1, num_threads))) {}

CpuDevice::~CpuDevice() = default;

void CpuDevice::bind_calling_thread() const { omp_set_num_threads(num_threads_); }

}  // namespace minitf::kernels
