// Reductions (Sum, Mean, Max, Min, Prod) and ArgMax/ArgMin. The axes are
// read on every run (a constant's or a fed tensor's), checked as TF's
// ReductionHelper checks them, and the output is shaped from them. The
// input's dimensions are first collapsed to alternating runs of kept and
// reduced dimensions (dimensions of size 1 dropped), so [N,H,W,C] over {1,2}
// is [N, H*W, C]. float32 reduces through oneDNN's reduction primitive (one
// per collapsed shape and thread count); int32 and int64 (and any shape
// oneDNN declines) through a plain loop, wrapping on overflow as TF's do.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>

#include "eigen_device.h"
#include "kernels_internal.h"
#include "onednn.h"

namespace minitf::kernels {
namespace {

enum class Reduce { kSum, kMean, kMax, kMin, kProd };

// An input's dimensions as alternating runs: sizes[i], reduced[i].
struct Collapsed {
  std::vector<int64_t> sizes;
  std::vector<bool> reduced;
  Shape out;  // the output's shape (keep_dims applied)
};

std::vector<int64_t> read_ints(const Tensor& t) {
  std::vector<int64_t> v;
  if (t.dtype() == int32) {
    for (int32_t x : t.data<int32_t>()) v.push_back(x);
  } else {
    for (int64_t x : t.data<int64_t>()) v.push_back(x);
  }
  return v;
}

// TF's ReductionHelper::Simplify: axes in range, no duplicates.
Collapsed collapse(const Shape& in, const std::vector<int64_t>& axes, bool keep_dims, const std::string& what) {
  const int rank = in.rank();
  std::vector<bool> reduce(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) {
      throw InvalidArgumentError(what + ": Invalid reduction dimension (" + std::to_string(a) +
                                 " for input with " + std::to_string(rank) + " dimension(s), input shape " +
                                 in.to_string());
    }
    const auto d = static_cast<size_t>(a < 0 ? a + rank : a);
    if (reduce[d]) {
      throw InvalidArgumentError(what + ": Invalid reduction arguments: Axes contains duplicate dimension: " +
                                 std::to_string(d) + ", input shape " + in.to_string());
    }
    reduce[d] = true;
  }
  Collapsed c;
  std::vector<int64_t> out;
  for (int d = 0; d < rank; ++d) {
    const auto i = static_cast<size_t>(d);
    if (!reduce[i]) out.push_back(in.dim(d));
    if (reduce[i] && keep_dims) out.push_back(1);
    if (in.dim(d) == 1) continue;
    if (!c.sizes.empty() && c.reduced.back() == reduce[i]) {
      c.sizes.back() *= in.dim(d);
    } else {
      c.sizes.push_back(in.dim(d));
      c.reduced.push_back(reduce[i]);
    }
  }
  c.out = Shape(std::move(out));
  return c;
}

template <class T>
T empty_value(Reduce r) {
  switch (r) {
    case Reduce::kSum:
      return T(0);
    case Reduce::kProd:
      return T(1);
    case Reduce::kMean:
      if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::quiet_NaN();
      return T(0);  // TF divides by a count of 0 here; minitf gives 0
    case Reduce::kMax:
      if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
      return std::numeric_limits<T>::lowest();
    case Reduce::kMin:
      if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
      return std::numeric_limits<T>::max();
  }
  return T(0);
}

template <class T>
struct Accumulator {
  using type = T;
};
template <>
struct Accumulator<int32_t> {
  using type = uint32_t;
};
template <>
struct Accumulator<int64_t> {
  using type = uint64_t;
};

// out[o] = the reduction of every input element whose kept coordinates are o's.
template <class T>
void reduce_loop(const KernelContext& ctx, const Collapsed& c, Reduce r, const T* in, T* out, int64_t n_out) {
  struct Dim {
    int64_t size, stride;
  };
  std::vector<Dim> kept, red;
  int64_t stride = 1, n_red = 1;
  for (size_t i = c.sizes.size(); i-- > 0;) {
    (c.reduced[i] ? red : kept).insert((c.reduced[i] ? red : kept).begin(), Dim{c.sizes[i], stride});
    if (c.reduced[i]) n_red *= c.sizes[i];
    stride *= c.sizes[i];
  }
  // Integer sums and products wrap (two's complement) instead of overflowing.
  using Acc = typename Accumulator<T>::type;
  parallel_for(ctx, n_out, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> idx(red.size());
    for (int64_t o = begin; o < end; ++o) {
      int64_t base = 0;
      for (size_t k = kept.size(), rest = static_cast<size_t>(o); k-- > 0;) {
        base += static_cast<int64_t>(rest % static_cast<size_t>(kept[k].size)) * kept[k].stride;
        rest /= static_cast<size_t>(kept[k].size);
      }
      std::fill(idx.begin(), idx.end(), 0);
      Acc acc = static_cast<Acc>(r == Reduce::kProd ? T(1) : T(0));
      T best = empty_value<T>(r);
      int64_t off = base;
      for (int64_t j = 0; j < n_red; ++j) {
        const T v = in[off];
        switch (r) {
          case Reduce::kSum:
          case Reduce::kMean:
            acc = static_cast<Acc>(acc + static_cast<Acc>(v));
            break;
          case Reduce::kProd:
            acc = static_cast<Acc>(acc * static_cast<Acc>(v));
            break;
          case Reduce::kMax:
            best = v > best || std::isnan(static_cast<double>(v)) ? v : best;
            break;
          case Reduce::kMin:
            best = v < best || std::isnan(static_cast<double>(v)) ? v : best;
            break;
        }
        for (size_t k = red.size(); k-- > 0;) {  // the next reduced position (an odometer)
          off += red[k].stride;
          if (++idx[k] < red[k].size) break;
          off -= red[k].stride * red[k].size;
          idx[k] = 0;
        }
      }
      if (r == Reduce::kMax || r == Reduce::kMin) {
        out[o] = best;
      } else if (r == Reduce::kMean) {
        out[o] = static_cast<T>(static_cast<T>(acc) / static_cast<T>(n_red));
      } else {
        out[o] = static_cast<T>(acc);
      }
    }
  });
}

dnnl::algorithm algorithm_of(Reduce r) {
  switch (r) {
    case Reduce::kSum:
      return dnnl::algorithm::reduction_sum;
    case Reduce::kMean:
      return dnnl::algorithm::reduction_mean;
    case Reduce::kMax:
      return dnnl::algorithm::reduction_max;
    case Reduce::kMin:
      return dnnl::algorithm::reduction_min;
    case Reduce::kProd:
      return dnnl::algorithm::reduction_mul;
  }
  return dnnl::algorithm::reduction_sum;
}

class ReduceKernel final : public OpKernel {
 public:
  ReduceKernel(const NodeInfo& node, Reduce r)
      : OpKernel(node), reduce_(r), keep_dims_(node.attr<bool>("keep_dims")) {}

  // Constant axes (what the builders make) are known to the plan, so the
  // primitive is made here; any others are read when the kernel runs.
  void prepare(const PrepareContext& ctx) override {
    const Shape& in = ctx.inputs[0].second;
    const Tensor* axes = ctx.values.size() > 1 ? ctx.values[1] : nullptr;
    if (!axes || (axes->dtype() != int32 && axes->dtype() != int64) || ctx.inputs[0].first != float32 ||
        !in.fully_defined() || in.num_elements() == 0)
      return;
    const Collapsed c = collapse(in, read_ints(*axes), keep_dims_, what());
    if (c.out.num_elements() == 0 || !needs_reduction(c)) return;
    for (int threads : ctx.thread_counts) primitive(c, threads, ctx.device);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Collapsed c = collapse(x.shape(), read_ints(ctx.input(1)), keep_dims_, what());
    Tensor& out = ctx.allocate_output(0, x.dtype(), c.out);
    const int64_t n = out.num_elements();
    if (n == 0) return;
    with_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      if constexpr (!std::is_same_v<T, bool>) {
        T* o = out.data<T>().data();
        if (x.num_elements() == 0) {
          std::fill(o, o + n, empty_value<T>(reduce_));
        } else if (!needs_reduction(c)) {
          std::memcpy(o, x.raw(), out.num_bytes());
        } else if (!std::is_same_v<T, float> || !run_onednn(ctx, c, x, out)) {
          reduce_loop<T>(ctx, c, reduce_, x.data<T>().data(), o, n);
        }
      }
    });
  }

 private:
  struct Primitive {
    dnnl::reduction::primitive_desc pd;
    dnnl::reduction prim;
    bool ok = false;  // false: oneDNN declined this shape; the loop runs instead
  };

  static bool needs_reduction(const Collapsed& c) {
    return std::find(c.reduced.begin(), c.reduced.end(), true) != c.reduced.end();
  }

  std::shared_ptr<Primitive> primitive(const Collapsed& c, int threads, const CpuDevice& device) {
    std::vector<int64_t> key = c.sizes;
    for (bool r : c.reduced) key.push_back(r ? -1 : -2);
    key.push_back(threads);
    return cache_.get(key, device.max_conv_primitives(), [&] {
      onednn::set_team_size(threads);
      const onednn::memory::dims src = c.sizes;
      onednn::memory::dims dst = c.sizes;
      for (size_t i = 0; i < dst.size(); ++i) dst[i] = c.reduced[i] ? 1 : dst[i];
      try {
        dnnl::reduction::desc d(algorithm_of(reduce_), plain(src), plain(dst), 0.f, 0.f);
        dnnl::reduction::primitive_desc pd(d, onednn::default_attr(), onednn::engine());
        return Primitive{pd, dnnl::reduction(pd), true};
      } catch (const dnnl::error& e) {
        if (e.status != dnnl_unimplemented) throw;
        return Primitive{};
      }
    });
  }

  static onednn::memory::desc plain(const onednn::memory::dims& dims) {
    onednn::memory::dims strides(dims.size(), 1);
    for (size_t i = dims.size() - 1; i-- > 0;) strides[i] = strides[i + 1] * dims[i + 1];
    return onednn::memory::desc(dims, onednn::memory::data_type::f32, strides);
  }

  bool run_onednn(const KernelContext& ctx, const Collapsed& c, const Tensor& x, Tensor& out) {
    const auto describe = [&] { return what() + " with input shape " + x.shape().to_string(); };
    return onednn::guarded(describe, [&] {
      onednn::set_team_size(ctx.num_threads);
      const std::shared_ptr<Primitive> p = primitive(c, ctx.num_threads, ctx.device);
      if (!p->ok) return false;
      std::unordered_map<int, onednn::memory> args{{DNNL_ARG_SRC, onednn::wrap(p->pd.src_desc(), x.raw())},
                                                   {DNNL_ARG_DST, onednn::wrap(p->pd.dst_desc(), out.raw())}};
      onednn::execute(p->prim, p->pd, args);
      return true;
    });
  }

  Reduce reduce_;
  bool keep_dims_;
  onednn::PrimitiveCache<Primitive> cache_;
};

// ArgMax/ArgMin as TF's Eigen reducers scan: the first index of the largest
// (smallest) value; NaN compares false both ways and is never taken (all NaN: 0).
void arg_reduce(const OpKernel& k, KernelContext& ctx, bool is_max) {
  const Tensor& x = ctx.input(0);
  const Tensor& dim_t = ctx.input(1);
  const int64_t dim = dim_t.dtype() == int32 ? dim_t.scalar<int32_t>() : dim_t.scalar<int64_t>();
  const int rank = x.shape().rank();
  if (dim < -rank || dim >= rank) {
    throw InvalidArgumentError("Expected dimension in the range [" + std::to_string(-rank) + ", " +
                               std::to_string(rank) + "), but got " + std::to_string(dim) + " for " +
                               k.what());
  }
  const int axis = static_cast<int>(dim < 0 ? dim + rank : dim);
  if (x.shape().dim(axis) == 0) {
    throw InvalidArgumentError("Reduction axis " + std::to_string(dim) + " is empty in shape " +
                               x.shape().to_string() + " for " + k.what());
  }
  std::vector<int64_t> dims = x.shape().dims();
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < rank; ++d) (d < axis ? outer : inner) *= d == axis ? 1 : x.shape().dim(d);
  const int64_t n = dims[static_cast<size_t>(axis)];
  dims.erase(dims.begin() + axis);
  const DType out_type = k.node().attr<DType>("output_type");
  Tensor& out = ctx.allocate_output(0, out_type, Shape(dims));
  with_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (!std::is_same_v<T, bool>) {
      const T* in = x.data<T>().data();
      with_dtype(out_type, [&](auto izero) {
        using I = decltype(izero);
        if constexpr (std::is_integral_v<I> && !std::is_same_v<I, bool>) {
          I* o = out.data<I>().data();
          parallel_for(ctx, outer * inner, [&](int64_t begin, int64_t end) {
            for (int64_t p = begin; p < end; ++p) {
              const T* row = in + (p / inner) * n * inner + p % inner;
              int64_t best = 0;
              T value = row[0];
              for (int64_t j = 1; j < n; ++j) {
                const T v = row[j * inner];
                // NaN at 0 stays the answer only if nothing beats it; a later NaN never wins.
                const bool better = is_max ? (v > value || value != value) : (v < value || value != value);
                if (better && v == v) {
                  best = j;
                  value = v;
                }
              }
              o[p] = static_cast<I>(best);
            }
          });
        }
      });
    }
  });
}

}  // namespace

void register_reduction_kernels(KernelRegistry& r) {
  const std::pair<const char*, Reduce> reductions[] = {{"Sum", Reduce::kSum},
                                                       {"Mean", Reduce::kMean},
                                                       {"Max", Reduce::kMax},
                                                       {"Min", Reduce::kMin},
                                                       {"Prod", Reduce::kProd}};
  for (const auto& [type, reduce] : reductions) {
    r.add(type, [reduce](const NodeInfo& n) { return std::make_unique<ReduceKernel>(n, reduce); });
  }
  r.add("ArgMax", simple_kernel([](const OpKernel& k, KernelContext& ctx) { arg_reduce(k, ctx, true); }));
  r.add("ArgMin", simple_kernel([](const OpKernel& k, KernelContext& ctx) { arg_reduce(k, ctx, false); }));
}

}  // namespace minitf::kernels
