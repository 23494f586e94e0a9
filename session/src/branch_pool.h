#pragma once
// Threads that run a plan's independent branches side by side.
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace minitf::detail {

class BranchPool {
 public:
  explicit BranchPool(int workers);
  ~BranchPool();
  BranchPool(const BranchPool&) = delete;
  BranchPool& operator=(const BranchPool&) = delete;

  // Runs task(0) .. task(n - 1) on the workers and the calling thread, then
  // rethrows the first exception a task threw. Returns false, running
  // nothing, when another call is using the pool.
  bool try_run(int n, const std::function<void(int)>& task);

 private:
  void work();
  void drain();
  void stop();

  std::mutex busy_;  // one try_run at a time
  std::mutex mu_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> threads_;
  const std::function<void(int)>* task_ = nullptr;
  int count_ = 0;
  std::atomic<int> next_{0};
  int finished_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace minitf::detail
