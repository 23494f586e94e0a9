// Conv2D through oneDNN: NHWC activations and HWIO filters as TF stores them,
// one primitive per input shape (created once, executed many times), weights
// reordered into the primitive's layout once per constant filter value, bias
// fused into the primitive and relu applied in the same kernel when the
// session's plan asks for it.
#include <omp.h>

#include <map>
#include <mutex>

#include <spdlog/spdlog.h>
#include <oneapi/dnnl/dnnl.hpp>

#include "eigen_device.h"
#include "kernels_internal.h"

namespace minitf::kernels {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// Per-thread scratch memory that grows to the largest request and is reused.
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
        throw std::bad_alloc();
      }
    }
    return data;
  }
};

// Scratch memory for the primitive being executed by this thread.
void* thread_scratchpad(size_t bytes) {
  thread_local Scratch scratch;
  return scratch.get(bytes);
}

// This thread's buffer for weights reordered on every run (filters that are not constant).
void* thread_weights_buffer(size_t bytes) {
  thread_local Scratch scratch;
  return scratch.get(bytes);
}

class ConvKernel final : public OpKernel {
 public:
  ConvKernel(const Operation& conv, bool with_bias, bool with_relu)
      : OpKernel(conv), with_bias_(with_bias), with_relu_(with_relu) {
    const auto& strides = conv.attr<std::vector<int64_t>>("strides");
    stride_h_ = strides.at(1);
    stride_w_ = strides.at(2);
    padding_ = conv.attr<std::string>("padding") == "SAME" ? Padding::Same : Padding::Valid;
  }

  void set_constant_inputs(const std::vector<bool>& constant) override {
    filter_constant_ = constant.size() > 1 && constant[1];
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = float_input(*this, ctx, 0);
    const Tensor& w = float_input(*this, ctx, 1);
    const Shape& xs = x.shape();
    const Shape& ws = w.shape();
    if (xs.rank() != 4 || ws.rank() != 4 || xs.dim(3) != ws.dim(2)) {
      throw InvalidArgumentError("Conv2D " + what() + " needs input [N,H,W,C] and filter [KH,KW,C,O], got " +
                                 xs.to_string() + " and " + ws.to_string());
    }
    const Tensor* bias = nullptr;
    if (with_bias_) {
      bias = &float_input(*this, ctx, 2);
      if (bias->shape() != Shape{ws.dim(3)}) {
        throw InvalidArgumentError("Conv2D " + what() + " with fused bias needs bias of shape [" +
                                   std::to_string(ws.dim(3)) + "], got " + bias->shape().to_string());
      }
    }
    // A window that does not fit throws ValueError; the session reports it as InvalidArgumentError.
    const ConvDim h = conv_dim(xs.dim(1), ws.dim(0), stride_h_, padding_, what());
    const ConvDim wd = conv_dim(xs.dim(2), ws.dim(1), stride_w_, padding_, what());
    Tensor& out = ctx.allocate_output(0, float32, Shape{xs.dim(0), h.out, wd.out, ws.dim(3)});
    if (out.num_elements() == 0) return;
    try {
      // oneDNN fixes a primitive's thread count when it is created, so the
      // primitive is made (and cached) for the threads this call may use.
      omp_set_num_threads(ctx.num_threads);
      const std::shared_ptr<Primitive> held = primitive(xs, ws, h, wd, ctx.num_threads, ctx.device);
      Primitive& p = *held;
      memory weights = weights_for(p, w);
      const dnnl::engine& eng = cpu_engine();
      memory src(p.src_md, eng, const_cast<void*>(x.raw()));
      memory dst(p.dst_md, eng, out.raw());
      memory scratch(p.pd.scratchpad_desc(), eng, thread_scratchpad(p.pd.scratchpad_desc().get_size()));
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src},
                                           {DNNL_ARG_WEIGHTS, weights},
                                           {DNNL_ARG_DST, dst},
                                           {DNNL_ARG_SCRATCHPAD, scratch}};
      if (bias) args.emplace(DNNL_ARG_BIAS, memory(p.bias_md, eng, const_cast<void*>(bias->raw())));
      thread_local dnnl::stream stream(eng);
      p.prim.execute(stream, args);
      stream.wait();
      if (with_relu_) relu_into(ctx, out, out);
    } catch (const dnnl::error& e) {
      throw InvalidArgumentError("oneDNN failed in Conv2D " + what() + " with input shapes " +
                                 xs.to_string() + ", " + ws.to_string() + ": " + e.what());
    }
  }

 private:
  struct Primitive {
    memory::desc src_md, user_weights_md, dst_md, bias_md;
    dnnl::convolution_forward::primitive_desc pd;
    dnnl::convolution_forward prim;
    // The last weights seen and their copy in the primitive's layout.
    Tensor weights_source;
    memory weights_reordered;
  };

  // The primitive for these shapes, created on first use. The cache keeps the
  // device's limit of them, dropping the least recently used (each holds a
  // copy of the weights), so a server fed images of many sizes stays flat.
  std::shared_ptr<Primitive> primitive(const Shape& xs, const Shape& ws, const ConvDim& h, const ConvDim& w,
                                       int threads, const CpuDevice& device) {
    std::vector<int64_t> key = xs.dims();
    key.insert(key.end(), ws.dims().begin(), ws.dims().end());
    key.push_back(threads);
    std::lock_guard lock(mu_);
    auto found = cache_.find(key);
    if (found != cache_.end()) {
      found->second.last_used = ++tick_;
      return found->second.primitive;
    }
    while (!cache_.empty() && cache_.size() >= std::max<size_t>(1, device.max_conv_primitives())) {
      auto oldest = cache_.begin();
      for (auto it = cache_.begin(); it != cache_.end(); ++it) {
        if (it->second.last_used < oldest->second.last_used) oldest = it;
      }
      cache_.erase(oldest);  // a run still using it holds its own reference
    }
    const memory::dims src_dims{xs.dim(0), xs.dim(3), xs.dim(1), xs.dim(2)};
    const memory::dims w_dims{ws.dim(3), ws.dim(2), ws.dim(0), ws.dim(1)};
    const memory::dims dst_dims{xs.dim(0), ws.dim(3), h.out, w.out};
    memory::desc src_md(src_dims, memory::data_type::f32, Tag::nhwc);
    memory::desc user_w_md(w_dims, memory::data_type::f32, Tag::hwio);
    memory::desc any_w_md(w_dims, memory::data_type::f32, Tag::any);
    memory::desc dst_md(dst_dims, memory::data_type::f32, Tag::nhwc);
    memory::desc bias_md({ws.dim(3)}, memory::data_type::f32, Tag::a);
    const memory::dims strides{stride_h_, stride_w_};
    const memory::dims pad_l{h.pad_before, w.pad_before}, pad_r{h.pad_after, w.pad_after};
    auto desc = with_bias_ ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                             dnnl::algorithm::convolution_direct, src_md,
                                                             any_w_md, bias_md, dst_md, strides, pad_l, pad_r)
                           : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                             dnnl::algorithm::convolution_direct, src_md,
                                                             any_w_md, dst_md, strides, pad_l, pad_r);
    // Relu is not a oneDNN post-op: oneDNN's relu turns NaN into 0 where TF's
    // gives NaN, and a result must not depend on whether fusion is on. It runs
    // right after the convolution, on the output while it is still in cache.
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::convolution_forward::primitive_desc pd(desc, attr, cpu_engine());
    spdlog::debug("{}: oneDNN conv {} -> {} (bias {}, relu {}, {} threads) uses {}", op().name(),
                  xs.to_string(), Shape{xs.dim(0), h.out, w.out, ws.dim(3)}.to_string(), with_bias_,
                  with_relu_, threads, pd.impl_info_str());
    auto made = std::make_shared<Primitive>(
        Primitive{src_md, user_w_md, dst_md, bias_md, pd, dnnl::convolution_forward(pd), {}, {}});
    cache_.emplace(key, Cached{made, ++tick_});
    return made;
  }

  // The weights in the primitive's layout. A constant filter (a variable's
  // value, a Const) is reordered once per buffer: an assign or restore gives
  // the variable a new buffer. Any other filter may change between runs in the
  // same buffer (a computed filter in the arena, a fed one mutated in place),
  // so it is reordered on every run, as TF's oneDNN kernel does.
  memory weights_for(Primitive& p, const Tensor& w) {
    const dnnl::engine& eng = cpu_engine();
    if (p.pd.weights_desc() == p.user_weights_md) {
      return memory(p.user_weights_md, eng, const_cast<void*>(w.raw()));
    }
    if (!filter_constant_) {
      memory user(p.user_weights_md, eng, const_cast<void*>(w.raw()));
      memory reordered(p.pd.weights_desc(), eng, thread_weights_buffer(p.pd.weights_desc().get_size()));
      thread_local dnnl::stream stream(eng);
      dnnl::reorder(user, reordered).execute(stream, user, reordered);
      stream.wait();
      return reordered;
    }
    std::lock_guard lock(mu_);
    if (!p.weights_source.shares_buffer_with(w)) {
      // A new value of the filter: every shape's copy of the old one is stale,
      // and dropping them keeps one reordered copy of the weights, not one per shape.
      for (auto& [key, cached] : cache_) {
        if (cached.primitive->weights_source.shares_buffer_with(w)) continue;
        cached.primitive->weights_source = Tensor();
        cached.primitive->weights_reordered = memory();
      }
      memory user(p.user_weights_md, eng, const_cast<void*>(w.raw()));
      memory reordered(p.pd.weights_desc(), eng);
      dnnl::stream stream(eng);
      dnnl::reorder(user, reordered).execute(stream, user, reordered);
      stream.wait();
      p.weights_source = w;  // holding it keeps the buffer (and so the identity) alive
      p.weights_reordered = reordered;
    }
    return p.weights_reordered;
  }

  bool with_bias_, with_relu_;
  bool filter_constant_ = false;  // until the plan says otherwise, reorder every run
  int64_t stride_h_ = 1, stride_w_ = 1;
  Padding padding_ = Padding::Same;
  struct Cached {
    std::shared_ptr<Primitive> primitive;
    uint64_t last_used = 0;
  };
  std::mutex mu_;
  std::map<std::vector<int64_t>, Cached> cache_;
  uint64_t tick_ = 0;
};

}  // namespace

std::unique_ptr<OpKernel> make_fused_conv2d(const Operation& conv, bool with_bias, bool with_relu) {
  return std::make_unique<ConvKernel>(conv, with_bias, with_relu);
}

void register_conv_kernels(KernelRegistry& r) {
  r.add("Conv2D", [](const Operation& op) { return make_fused_conv2d(op, false, false); });
}

}  // namespace minitf::kernels
