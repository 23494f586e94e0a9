#include "onednn.h"

#include <omp.h>

#include <cstdlib>
#include <cstring>

namespace minitf::kernels::onednn {
namespace {

// Per-thread memory that grows to the largest request and is reused.
struct Scratch {
  void* data = nullptr;
  size_t size = 0;
  ~Scratch() { std::free(data); }
  void* get(size_t bytes) {
    if (bytes > size) {
      std::free(data);
      size = (bytes + 63) / 64 * 64;
      data = std::aligned_alloc(64, size);
      if (!data) {
        size = 0;
        throw ResourceExhaustedError("Out of memory allocating " + std::to_string(bytes) +
                                     " bytes of oneDNN scratch space");
      }
    }
    return data;
  }
};

dnnl::stream& thread_stream() {
  thread_local dnnl::stream stream(engine());
  return stream;
}

}  // namespace

const dnnl::engine& engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

memory::desc f32(const memory::dims& dims, Tag tag) {
  return memory::desc(dims, memory::data_type::f32, tag);
}

memory wrap(const memory::desc& desc, const void* data) {
  return memory(desc, engine(), const_cast<void*>(data));
}

void execute(const dnnl::primitive& primitive, const dnnl::primitive_desc_base& pd,
             std::unordered_map<int, memory>& args) {
  thread_local Scratch scratch;
  const memory::desc scratch_md = pd.scratchpad_desc();
  args.insert_or_assign(DNNL_ARG_SCRATCHPAD, wrap(scratch_md, scratch.get(scratch_md.get_size())));
  primitive.execute(thread_stream(), args);
  thread_stream().wait();
}

memory reorder_to_thread_buffer(const memory& user, const memory::desc& want) {
  thread_local Scratch buffer;
  memory reordered(want, engine(), buffer.get(want.get_size()));
  memory source = user;  // a handle: execute() takes non-const ones
  dnnl::reorder(source, reordered).execute(thread_stream(), source, reordered);
  thread_stream().wait();
  return reordered;
}

memory thread_result_buffer(const memory::desc& desc) {
  thread_local Scratch buffer;
  return memory(desc, engine(), buffer.get(desc.get_size()));
}

void reorder(const memory& from, const memory& to) {
  memory source = from, dest = to;  // handles: execute() takes non-const ones
  dnnl::reorder(source, dest).execute(thread_stream(), source, dest);
  thread_stream().wait();
}

void set_team_size(int threads) { omp_set_num_threads(threads); }

dnnl::primitive_attr default_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

memory WeightCache::get(const Tensor& weights, const memory::desc& user, const memory::desc& want) {
  std::lock_guard lock(mu_);
  for (const Entry& e : entries_) {
    if (e.source.shares_buffer_with(weights) && e.want == want) return e.reordered;
  }
  // A new value of the weights: copies of any other buffer are stale.
  std::erase_if(entries_, [&](const Entry& e) { return !e.source.shares_buffer_with(weights); });
  memory src = wrap(user, weights.raw());
  memory reordered(want, engine());
  dnnl::stream stream(engine());
  dnnl::reorder(src, reordered).execute(stream, src, reordered);
  stream.wait();
  entries_.push_back(Entry{weights, want, reordered});
  return reordered;
}

std::shared_ptr<PrimitiveKernel::Made> PrimitiveKernel::get(const std::vector<Shape>& inputs, int threads,
                                                            const CpuDevice& device) {
  std::vector<int64_t> key;
  for (const Shape& s : inputs) {
    key.push_back(s.rank());
    key.insert(key.end(), s.dims().begin(), s.dims().end());
  }
  key.push_back(threads);
  return cache_.get(key, device.max_conv_primitives(), [&] {
    set_team_size(threads);  // oneDNN fixes a primitive's thread count when it is created
    dnnl::primitive_desc pd = describe(inputs);
    return Made{pd, dnnl::primitive(pd)};
  });
}

namespace {
std::string shapes_of(const std::vector<Shape>& shapes) {
  std::string s;
  for (const Shape& x : shapes) s += (s.empty() ? "" : ", ") + x.to_string();
  return s;
}
}  // namespace

void PrimitiveKernel::prepare(const PrepareContext& ctx) {
  std::vector<Shape> inputs;
  for (const TensorSpec& in : ctx.inputs) {
    if (!in.second.fully_defined() || in.second.num_elements() == 0) return;
    inputs.push_back(in.second);
  }
  for (const TensorSpec& out : ctx.outputs) {
    if (!out.second.fully_defined() || out.second.num_elements() == 0) return;
  }
  guarded([&] { return what() + " with input shapes " + shapes_of(inputs); },
          [&] {
            for (int threads : ctx.thread_counts) get(inputs, threads, ctx.device);
          });
}

void PrimitiveKernel::compute(KernelContext& ctx) {
  for (size_t i = 0; i < ctx.outputs.size(); ++i) {
    if (ctx.allocate_output(i).num_elements() == 0) return;
  }
  std::vector<Shape> inputs;
  inputs.reserve(ctx.inputs.size());
  for (const Tensor* in : ctx.inputs) {
    if (in->num_elements() == 0) {
      // A non-empty output from an empty input is a sum over nothing (MatMul
      // with an inner dimension of 0): zeros, as TF gives. oneDNN is not asked.
      for (size_t i = 0; i < ctx.outputs.size(); ++i)
        std::memset(ctx.output(i).raw(), 0, ctx.output(i).num_bytes());
      return;
    }
    inputs.push_back(in->shape());
  }
  guarded([&] { return what() + " with input shapes " + shapes_of(inputs); },
          [&] {
            set_team_size(ctx.num_threads);
            const std::shared_ptr<Made> made = get(inputs, ctx.num_threads, ctx.device);
            std::unordered_map<int, memory> args;
            bind(made->pd, ctx, args);
            execute(made->prim, made->pd, args);
          });
}

}  // namespace minitf::kernels::onednn
