#pragma once
// The ops layer's own name-scope guard (tf::name_scope lives a layer up, in scope/).
#include <string>
#include <utility>

#include <minitf/graph/graph.h>

namespace minitf {

// TF's name_scope inside the ops layer: opens `scope`, a full scope name
// already made unique (g.unique_name("gradients")), on `g` for the calling
// thread, and closes it however the block is left.
class NameScopeGuard {
 public:
  NameScopeGuard(Graph g, const std::string& scope) : g_(std::move(g)), token_(g_.push_name_scope(scope)) {}
  ~NameScopeGuard() { g_.pop_name_scope(token_); }
  NameScopeGuard(const NameScopeGuard&) = delete;
  NameScopeGuard& operator=(const NameScopeGuard&) = delete;

 private:
  Graph g_;
  uint64_t token_;
};

}  // namespace minitf
