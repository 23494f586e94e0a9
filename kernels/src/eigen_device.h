#pragma once
// The Eigen side of CpuDevice; only kernel .cpp files that use Eigen include this.
#define EIGEN_USE_THREADS
#include <unsupported/Eigen/CXX11/Tensor>

#include <minitf/kernels/kernel.h>

namespace minitf::kernels {

struct CpuDevice::Impl {
  explicit Impl(int threads) : pool(threads), device(&pool, threads) {}
  Eigen::ThreadPool pool;
  Eigen::ThreadPoolDevice device;
};

}  // namespace minitf::kernels
