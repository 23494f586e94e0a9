#pragma once
// What the oneDNN convolution kernels (conv_kernels.cpp, conv_grad_kernels.cpp)
// share: a convolution's geometry as TF's attributes give it, and TF's filter
// layouts as oneDNN weights.
#include <string>
#include <vector>

#include "onednn.h"

namespace minitf::kernels {

namespace conv {

using onednn::memory;
using onednn::Tag;

// Strides, dilations (as TF counts them: 1 is dense) and padding of a 2-D convolution.
struct ConvGeometry {
  int64_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  Padding padding = Padding::Same;

  explicit ConvGeometry(const NodeInfo& node) {
    const auto& strides = node.attr<std::vector<int64_t>>("strides");
    const auto& dilations = node.attr<std::vector<int64_t>>("dilations");
    stride_h = strides.at(1);
    stride_w = strides.at(2);
    dilation_h = dilations.at(1);
    dilation_w = dilations.at(2);
    padding = node.attr<std::string>("padding") == "SAME" ? Padding::Same : Padding::Valid;
  }
  // One spatial dimension: TF's SAME pads for the window the dilated kernel covers.
  ConvDim dim(int64_t in, int64_t kernel, bool height, const std::string& what) const {
    const int64_t d = height ? dilation_h : dilation_w;
    return conv_dim(in, (kernel - 1) * d + 1, height ? stride_h : stride_w, padding, what);
  }
  // Whether a convolution of `in` with `kernel` taps gives `out` (VALID needs the window to fit).
  bool gives(int64_t in, int64_t kernel, bool height, int64_t out, const std::string& what) const {
    const int64_t window = (kernel - 1) * (height ? dilation_h : dilation_w) + 1;
    if (kernel < 1 || (padding == Padding::Valid && in < window)) return false;
    return dim(in, kernel, height, what).out == out;
  }
  memory::dims strides() const { return {stride_h, stride_w}; }
  memory::dims dilates() const { return {dilation_h - 1, dilation_w - 1}; }  // oneDNN's 0 is dense
};

// TF's filter as oneDNN weights. Conv2D's [kh, kw, in, out] is hwio of
// {out, in, kh, kw}; a depthwise [kh, kw, C, M] is {C groups, M, 1, kh, kw}
// with output channel c * M + m, described by its strides.
inline memory::desc user_weights(const Shape& w, bool depthwise) {
  const int64_t kh = w.dim(0), kw = w.dim(1), c = w.dim(2), m = w.dim(3);
  if (!depthwise) return onednn::f32({m, c, kh, kw}, Tag::hwio);
  return memory::desc({c, m, 1, kh, kw}, memory::data_type::f32, {m, 1, 1, kw * c * m, c * m});
}
inline memory::desc any_weights(const Shape& w, bool depthwise) {
  const int64_t kh = w.dim(0), kw = w.dim(1), c = w.dim(2), m = w.dim(3);
  return depthwise ? onednn::f32({c, m, 1, kh, kw}, Tag::any) : onednn::f32({m, c, kh, kw}, Tag::any);
}

// The weights in the primitive's layout: cached for a constant filter,
// reordered on every run otherwise (see onednn::WeightCache).
inline memory weights_in(const memory::desc& user, const memory::desc& want, const Tensor& w, bool constant,
                         onednn::WeightCache& cache) {
  if (want == user) return onednn::wrap(user, w.raw());
  if (!constant) return onednn::reorder_to_thread_buffer(onednn::wrap(user, w.raw()), want);
  return cache.get(w, user, want);
}

// The values of an int32 shape input (input_sizes, filter_sizes) for messages: "[2,8,8,3]".
inline std::string list_of(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return "[" + s + "]";
}

}  // namespace conv
}  // namespace minitf::kernels
