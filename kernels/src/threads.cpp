#include <minitf/kernels/threads.h>

#include <atomic>
#include <memory>
#include <system_error>

#include <minitf/graph/errors.h>

namespace minitf::kernels {
namespace {
std::atomic<int> live_limit{-1};  // < 0: no limit of our own (the tests set one)
std::atomic<int> live{0};         // threads started here and not yet finished
}  // namespace

std::thread start_thread(std::function<void()> body, const char* what) {
  const std::string refused = std::string("Cannot start a thread for ") + what + ": ";
  const std::string hint =
      " (a pids cgroup or `ulimit -u` below what the session needs; SessionOptions::num_threads sets fewer)";
  if (const int limit = live_limit.load(); limit >= 0 && live.fetch_add(1) >= limit) {
    live.fetch_sub(1);
    throw ResourceExhaustedError(refused + "Resource temporarily unavailable (the tests' limit)" + hint);
  } else if (limit < 0) {
    live.fetch_add(1);
  }
  try {
    return std::thread([body = std::move(body)] {
      struct Done {
        ~Done() { live.fetch_sub(1); }
      } done;
      body();
    });
  } catch (const std::system_error& e) {
    live.fetch_sub(1);
    throw ResourceExhaustedError(refused + e.what() + hint);
  }
}

namespace testing {
void limit_live_threads(int count) { live_limit.store(count); }
}  // namespace testing

}  // namespace minitf::kernels
