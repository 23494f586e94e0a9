#include "state_pool.h"

namespace minitf::detail {

StatePool::Lease::Lease(StatePool& pool, Plan& plan) : pool_(pool), plan_(plan) {
  {
    std::lock_guard lock(pool_.mu_);
    auto& idle = pool_.idle_[&plan];
    if (!idle.empty()) {
      state_ = std::move(idle.back());
      idle.pop_back();
      pool_.idle_bytes_ -= state_->idle_bytes_bound();
    }
  }
  if (!state_) state_ = std::make_unique<RunState>(plan);
}

StatePool::Lease::~Lease() {
  state_->clear();
  std::lock_guard lock(pool_.mu_);
  state_->last_used = ++pool_.tick_;
  pool_.idle_bytes_ += state_->idle_bytes_bound();
  pool_.idle_[&plan_].push_back(std::move(state_));
  pool_.evict();
}

void StatePool::evict() {
  while (idle_bytes_ > max_idle_bytes_) {
    std::vector<std::unique_ptr<RunState>>* oldest_pool = nullptr;
    size_t oldest = 0;
    for (auto& [p, pool] : idle_) {
      for (size_t i = 0; i < pool.size(); ++i) {
        // The state just returned stays: a plan bigger than the budget must
        // not pay for setting up its arena on every run.
        if (pool[i]->last_used == tick_) continue;
        if (!oldest_pool || pool[i]->last_used < (*oldest_pool)[oldest]->last_used) {
          oldest_pool = &pool;
          oldest = i;
        }
      }
    }
    if (!oldest_pool) return;
    idle_bytes_ -= (*oldest_pool)[oldest]->idle_bytes_bound();
    oldest_pool->erase(oldest_pool->begin() + static_cast<std::ptrdiff_t>(oldest));
  }
}

}  // namespace minitf::detail
