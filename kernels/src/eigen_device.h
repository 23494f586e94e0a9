#pragma once
// The Eigen side of CpuDevice; only kernel .cpp files that use Eigen include this.
#define EIGEN_USE_THREADS
#include <unsupported/Eigen/CXX11/Tensor>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <minitf/kernels/kernel.h>

namespace minitf::kernels {

// The threads Eigen's expressions run on. Not Eigen::ThreadPool: its
// constructor deadlocks when the system refuses a thread midway. This one
// stops the threads it started and throws ResourceExhaustedError.
class WorkerPool final : public Eigen::ThreadPoolInterface {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  void Schedule(std::function<void()> fn) override;
  int NumThreads() const override { return static_cast<int>(threads_.size()); }
  int CurrentThreadId() const override;

 private:
  void stop();
  void work(int id);
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

struct CpuDevice::Impl {
  explicit Impl(int threads) : pool(threads), device(&pool, threads) {}
  WorkerPool pool;
  Eigen::ThreadPoolDevice device;
};

// Below this many elements a plain loop beats handing work to the thread pool
// (the executor-overhead benchmark: 16-float adds).
constexpr int64_t kInlineElements = 1 << 15;

template <int R>
using ConstMap = Eigen::TensorMap<Eigen::Tensor<const float, R, Eigen::RowMajor>, Eigen::Aligned>;
template <int R>
using Map = Eigen::TensorMap<Eigen::Tensor<float, R, Eigen::RowMajor>, Eigen::Aligned>;

inline ConstMap<1> flat(const Tensor& t) { return ConstMap<1>(t.data<float>().data(), t.num_elements()); }
inline Map<1> flat(Tensor& t) { return Map<1>(t.data<float>().data(), t.num_elements()); }

// dst = expr: on the session's thread pool, unless this call must stay on its
// thread or the tensor is too small to be worth handing out.
template <class Dst, class Expr>
void evaluate(const KernelContext& ctx, Dst&& dst, const Expr& expr) {
  if (ctx.num_threads > 1 && dst.size() > kInlineElements) {
    dst.device(ctx.device.impl().device) = expr;
  } else {
    dst = expr;
  }
}

// f(begin, end) over [0, n) in chunks on the session's thread pool (inline when
// small or when this call must stay on its thread): the one parallel loop of
// the kernels that are not oneDNN's. Chunking must never change a result.
template <class F>
void parallel_for(const KernelContext& ctx, int64_t n, F f) {
  if (ctx.num_threads <= 1 || n <= kInlineElements) {
    f(int64_t{0}, n);
    return;
  }
  ctx.device.impl().device.parallelFor(n, Eigen::TensorOpCost(0, 0, 20),
                                       [&f](Eigen::Index begin, Eigen::Index end) { f(begin, end); });
}

// Relu as TF's CPU kernel computes it (NaN stays NaN); the Relu kernel and the
// fused convolution both use it, so fusion never changes a result.
inline void relu_into(const KernelContext& ctx, const Tensor& x, Tensor& out) {
  evaluate(ctx, flat(out), flat(x).cwiseMax(0.f));
}

}  // namespace minitf::kernels
