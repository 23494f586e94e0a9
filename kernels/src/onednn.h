#pragma once
// The one boundary between minitf and oneDNN: the engine, per-thread streams,
// scratchpads and buffers, the OpenMP team size, a bounded primitive cache,
// the cache of constant weights in a primitive's layout, and the mapping of
// dnnl::error to tf::Error. A oneDNN kernel is its descriptors and little else.
// Only kernel .cpp files that call oneDNN include this.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include <minitf/kernels/kernel.h>

namespace minitf::kernels::onednn {

using dnnl::memory;
using Tag = memory::format_tag;

const dnnl::engine& engine();

// A plain f32 descriptor of `dims` in layout `tag`.
memory::desc f32(const memory::dims& dims, Tag tag);
// `data` seen through `desc` (no copy).
memory wrap(const memory::desc& desc, const void* data);
// Runs `primitive` on this thread's stream with this thread's scratchpad
// (sized by `pd`) and waits for it.
void execute(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& pd,
             std::unordered_map<int, memory>& args);
// `user` in layout `want`, in this thread's reorder buffer: valid until this
// thread's next call.
memory reorder_to_thread_buffer(const memory& user, const memory::desc& want);
// A buffer of this thread holding `desc` (a result in a primitive's own
// layout, reordered out afterwards): valid until this thread's next call.
memory thread_result_buffer(const memory::desc& desc);
// Copies `from` into `to`, in `to`'s layout, on this thread's stream.
void reorder(const memory& from, const memory& to);
// The OpenMP team the primitives created or executed next on this thread use.
void set_team_size(int threads);
// Attributes every minitf primitive uses (a user-provided scratchpad).
dnnl::primitive_attr default_attr();

// Runs `f`; a dnnl::error becomes a tf::Error naming the op and shapes, as
// `describe()` gives them (called only on error: runs pay nothing):
// ResourceExhaustedError for out of memory, UnimplementedError for what
// oneDNN does not implement, InvalidArgumentError otherwise.
template <class Describe, class F>
auto guarded(Describe describe, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const dnnl::error& e) {
    const std::string message = "oneDNN failed in " + describe() + ": " + e.what();
    if (e.status == dnnl_out_of_memory) throw ResourceExhaustedError(message);
    if (e.status == dnnl_unimplemented) throw UnimplementedError(message);
    throw InvalidArgumentError(message);
  }
}

// Primitives of one kernel by key (input shapes and thread count), created
// once per key and dropped least recently used beyond `limit`, so a server fed
// images of many sizes stays flat. Thread-safe.
template <class P>
class PrimitiveCache {
 public:
  template <class Make>
  std::shared_ptr<P> get(const std::vector<int64_t>& key, size_t limit, Make make) {
    std::lock_guard lock(mu_);
    auto found = cache_.find(key);
    if (found != cache_.end()) {
      found->second.last_used = ++tick_;
      return found->second.primitive;
    }
    while (!cache_.empty() && cache_.size() >= std::max<size_t>(1, limit)) {
      auto oldest = cache_.begin();
      for (auto it = cache_.begin(); it != cache_.end(); ++it) {
        if (it->second.last_used < oldest->second.last_used) oldest = it;
      }
      cache_.erase(oldest);  // a run still using it holds its own reference
    }
    auto made = std::make_shared<P>(make());
    cache_.emplace(key, Entry{made, ++tick_});
    return made;
  }

 private:
  struct Entry {
    std::shared_ptr<P> primitive;
    uint64_t last_used = 0;
  };
  std::mutex mu_;
  std::map<std::vector<int64_t>, Entry> cache_;
  uint64_t tick_ = 0;
};

// Constant weights (a Const, a variable's value) in a primitive's layout,
// reordered once per buffer: an assign or restore gives a variable a new
// buffer, which drops the copies of the old one. Weights that are not
// constant (computed, fed) must go through reorder_to_thread_buffer on every
// run instead, as TF's oneDNN kernels do (`is_filter_const_`). Thread-safe.
class WeightCache {
 public:
  memory get(const Tensor& weights, const memory::desc& user, const memory::desc& want);

 private:
  struct Entry {
    Tensor source;  // holding it keeps the buffer (and so its identity) alive
    memory::desc want;
    memory reordered;
  };
  std::mutex mu_;
  std::vector<Entry> entries_;
};

// A kernel that runs one oneDNN primitive made from its input shapes (pooling,
// softmax, matmul, ...): what a kernel writes is the primitive descriptor for
// given input shapes and how its arguments bind; primitives are made when the
// plan is prepared, one per input shapes and thread count, and found in the
// cache when the kernel runs.
class PrimitiveKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void prepare(const PrepareContext& ctx) override;
  void compute(KernelContext& ctx) override;

 protected:
  // The primitive descriptor for inputs of these shapes (the plan has checked them).
  virtual dnnl::primitive_desc describe(const std::vector<Shape>& inputs) const = 0;
  // Binds inputs and outputs to the primitive's arguments.
  virtual void bind(const dnnl::primitive_desc& pd, const KernelContext& ctx,
                    std::unordered_map<int, memory>& args) const = 0;

 private:
  struct Made {
    dnnl::primitive_desc pd;
    dnnl::primitive prim;
  };
  std::shared_ptr<Made> get(const std::vector<Shape>& inputs, int threads, const CpuDevice& device);
  PrimitiveCache<Made> cache_;
};

}  // namespace minitf::kernels::onednn
