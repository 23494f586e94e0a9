#pragma once
// Starting threads so that a failure is a typed error, never a hang or an abort.
#include <functional>
#include <thread>

namespace minitf::kernels {

// Starts a thread running `body`; ResourceExhaustedError (naming `what`) when
// the system refuses one (a pids cgroup, `ulimit -u`), instead of the
// std::system_error that would otherwise escape half-built thread pools.
std::thread start_thread(std::function<void()> body, const char* what);

namespace testing {
// When >= 0, start_thread() refuses a thread while this many it started are
// still running, as a pids limit would (for tests; -1 lifts the limit).
void limit_live_threads(int count);
}  // namespace testing

}  // namespace minitf::kernels
