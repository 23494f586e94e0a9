#pragma once
// What the tf.nn op files (nn_ops.cpp, nn_grad_ops.cpp) share: TF's checks of
// convolution and pooling attributes and shapes, and the name scope guard of
// builders that open one.
#include <minitf/ops/op_def.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minitf::nn_detail {

// data_format: NHWC is what the CPU kernels compute; NCHW is valid TF but not implemented here.
void require_nhwc(const InferenceContext& c);
Padding padding_of(const InferenceContext& c);
// "SAME" or "VALID" (a builder's argument); ValueError otherwise.
Padding parse_padding(std::string_view padding);
// A known dim, or -1; ValueError naming the op when both are known and differ.
int64_t merge_dim(int64_t a, int64_t b, const InferenceContext& c);

// Strides, dilations and padding of a 2-D convolution over NHWC, checked as TF does.
struct ConvAttrs {
  int64_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  Padding padding = Padding::Valid;
};
ConvAttrs conv_attrs(const InferenceContext& c);
// The window a dilated kernel covers, (k - 1) * d + 1, as TF's SAME padding sees it.
int64_t dilated(int64_t kernel, int64_t dilation, const InferenceContext& c);
// ValueError unless the filter input's shape is fully known.
void require_known_filter(const InferenceContext& c, size_t input);
// A known constant shape input (input_sizes, filter_sizes, orig_input_shape)
// of `lengths` elements, checked to be non-negative; nullopt when its value is not known.
std::optional<std::vector<int64_t>> sizes_value(const InferenceContext& c, size_t input, const char* name,
                                                const std::vector<int64_t>& lengths);
// The forward convolution of `in` (NHWC) with a [kh, kw, ...] filter must give
// out_backprop `dy`'s height and width (where all three are known): ValueError
// in TF's words otherwise. `sizes_name` names the input that gave `in` or `f`.
void check_backprop_spatial(const InferenceContext& c, const ConvAttrs& a, const Shape& in, const Shape& f,
                            const Shape& dy, const char* sizes_name);

// MaxPool's and AvgPool's attributes checked (NHWC, ksize and strides {1, h, w, 1}), and
// the output shape of pooling `in` (NHWC) with them.
Shape pool_output(const InferenceContext& c, const Shape& in);

}  // namespace minitf::nn_detail

namespace minitf {
// The backward ops of nn (nn_grad_ops.cpp), registered by register_nn_ops.
void register_nn_grad_ops(const std::function<void(OpDef)>& add);
}  // namespace minitf
