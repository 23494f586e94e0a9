#include <minitf/kernels/threads.h>

#include <algorithm>

#include "eigen_device.h"

namespace minitf::kernels {
namespace {
thread_local const WorkerPool* current_pool = nullptr;
thread_local int current_id = -1;
}  // namespace

WorkerPool::WorkerPool(int threads) {
  threads_.reserve(
      static_cast<size_t>(std::max(0, threads)));  // push_back must not throw with a thread in hand
  try {
    for (int i = 0; i < threads; ++i) {
      threads_.push_back(start_thread([this, i] { work(i); }, "the session's elementwise thread pool"));
    }
  } catch (...) {
    stop();  // the threads already started end before the error leaves
    throw;
  }
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void WorkerPool::Schedule(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(fn));
  }
  wake_.notify_one();
}

int WorkerPool::CurrentThreadId() const { return current_pool == this ? current_id : -1; }

void WorkerPool::work(int id) {
  current_pool = this;
  current_id = id;
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to do
      fn = std::move(queue_.front());
      queue_.pop_front();
    }
    fn();
  }
}

CpuDevice::CpuDevice(int num_threads, size_t max_conv_primitives)
    : num_threads_(std::max(1, num_threads)),
      max_conv_primitives_(max_conv_primitives),
      impl_(std::make_unique<Impl>(std::max(1, num_threads))) {}

CpuDevice::~CpuDevice() = default;

}  // namespace minitf::kernels
