#include "branch_pool.h"

#include <minitf/kernels/threads.h>

#include <algorithm>

namespace minitf::detail {

BranchPool::BranchPool(int workers) {
  threads_.reserve(
      static_cast<size_t>(std::max(0, workers)));  // push_back must not throw with a thread in hand
  try {
    for (int i = 0; i < workers; ++i) {
      threads_.push_back(kernels::start_thread([this] { work(); }, "the session's branch threads"));
    }
  } catch (...) {
    stop();  // joinable threads must not outlive a failed constructor
    throw;
  }
}

BranchPool::~BranchPool() { stop(); }

void BranchPool::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void BranchPool::drain() {
  for (int i = next_.fetch_add(1); i < count_; i = next_.fetch_add(1)) {
    try {
      (*task_)(i);
    } catch (...) {
      std::lock_guard lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

void BranchPool::work() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    drain();
    {
      std::lock_guard lock(mu_);
      ++finished_;
    }
    done_.notify_one();
  }
}

bool BranchPool::try_run(int n, const std::function<void(int)>& task) {
  std::unique_lock busy(busy_, std::try_to_lock);
  if (!busy.owns_lock()) return false;
  {
    std::lock_guard lock(mu_);
    task_ = &task;
    count_ = n;
    next_ = 0;
    finished_ = 0;
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  drain();
  std::exception_ptr error;
  {
    std::unique_lock lock(mu_);
    done_.wait(lock, [&] { return finished_ == static_cast<int>(threads_.size()); });
    error = error_;
  }
  if (error) std::rethrow_exception(error);
  return true;
}

}  // namespace minitf::detail
