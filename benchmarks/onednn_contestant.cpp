// Hand-written oneDNN: the best the library can do for this model. Primitives
// and weights reorders are made once; bias and relu are post-ops. Variants:
// plain NHWC or oneDNN's choice of layout (format_tag::any, with reorders at
// the ends), and the two images as two calls or as one batch of two.
#include <omp.h>

#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>

#include "problem.h"

namespace bench {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using DT = memory::data_type;

class OnednnContestant final : public Contestant {
 public:
  OnednnContestant(const Problem& p, int threads, bool any_layout, bool batched)
      : p_(p),
        threads_(threads),
        any_(any_layout),
        batched_(batched),
        engine_(dnnl::engine::kind::cpu, 0),
        stream_(engine_) {
    omp_set_num_threads(threads_);
    const int64_t n = batched ? 2 * p.batch : p.batch, s = p.size, c = Problem::kChannels;
    const memory::dims act{n, c, s, s}, wdims{c, c, 5, 5}, bdims{c}, strides{1, 1}, pad{2, 2};
    const memory::desc user_act(act, DT::f32, Tag::nhwc);
    const memory::desc act_md = any_ ? memory::desc(act, DT::f32, Tag::any) : user_act;
    const memory::desc w_any(wdims, DT::f32, Tag::any), b_md(bdims, DT::f32, Tag::a);
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                      act_md, w_any, b_md, act_md, strides, pad, pad);
    pd_ = dnnl::convolution_forward::primitive_desc(d, attr, engine_);
    conv_ = dnnl::convolution_forward(pd_);
    impl_ = pd_.impl_info_str();
    // Weights: reordered once from TF's HWIO into the primitive's layout.
    const memory::desc user_w(wdims, DT::f32, Tag::hwio);
    for (const auto* w : {&p.w1, &p.w2}) {
      memory user(user_w, engine_, const_cast<float*>(w->data()));
      memory mine(pd_.weights_desc(), engine_);
      dnnl::reorder(user, mine).execute(stream_, user, mine);
      weights_.push_back(mine);
    }
    biases_ = {memory(b_md, engine_, const_cast<float*>(p.b1.data())),
               memory(b_md, engine_, const_cast<float*>(p.b2.data()))};
    const int calls = batched ? 1 : 2;
    for (int i = 0; i < calls; ++i) {
      in_.push_back(memory(user_act, engine_));   // NHWC input (the batch copies both images in)
      out_.push_back(memory(user_act, engine_));  // NHWC output
      a_.push_back(memory(pd_.src_desc(), engine_));
      b_.push_back(memory(pd_.dst_desc(), engine_));
      c_.push_back(memory(pd_.dst_desc(), engine_));
    }
    const size_t image = static_cast<size_t>(p.image_elements());
    if (batched) {
      std::memcpy(static_cast<float*>(in_[0].get_data_handle()), p.image1.data(), image * sizeof(float));
      std::memcpy(static_cast<float*>(in_[0].get_data_handle()) + image, p.image2.data(),
                  image * sizeof(float));
    } else {
      std::memcpy(in_[0].get_data_handle(), p.image1.data(), image * sizeof(float));
      std::memcpy(in_[1].get_data_handle(), p.image2.data(), image * sizeof(float));
    }
    stream_.wait();
  }

  void run() override {
    omp_set_num_threads(threads_);
    if (batched_) {  // the batch is assembled from the two images on every run
      const size_t image = static_cast<size_t>(p_.image_elements()) * sizeof(float);
      std::memcpy(in_[0].get_data_handle(), p_.image1.data(), image);
      std::memcpy(static_cast<char*>(in_[0].get_data_handle()) + image, p_.image2.data(), image);
    }
    for (size_t i = 0; i < in_.size(); ++i) {
      memory src = in_[i];
      if (any_ && pd_.src_desc() != in_[i].get_desc()) {
        dnnl::reorder(in_[i], a_[i]).execute(stream_, in_[i], a_[i]);
        src = a_[i];
      }
      memory mid = b_[i];
      memory dst = any_ && pd_.dst_desc() != out_[i].get_desc() ? c_[i] : out_[i];
      conv_.execute(stream_, {{DNNL_ARG_SRC, src},
                              {DNNL_ARG_WEIGHTS, weights_[0]},
                              {DNNL_ARG_BIAS, biases_[0]},
                              {DNNL_ARG_DST, mid}});
      conv_.execute(stream_, {{DNNL_ARG_SRC, mid},
                              {DNNL_ARG_WEIGHTS, weights_[1]},
                              {DNNL_ARG_BIAS, biases_[1]},
                              {DNNL_ARG_DST, dst}});
      if (dst != out_[i]) dnnl::reorder(dst, out_[i]).execute(stream_, dst, out_[i]);
    }
    stream_.wait();
  }

  std::vector<const float*> outputs() const override {
    const auto* first = static_cast<const float*>(out_[0].get_data_handle());
    if (batched_) return {first, first + p_.image_elements()};
    return {first, static_cast<const float*>(out_[1].get_data_handle())};
  }

 private:
  const Problem& p_;
  int threads_;
  bool any_, batched_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward conv_;
  std::string impl_;
  std::vector<memory> weights_, biases_, in_, out_, a_, b_, c_;
};

Entry entry(const std::string& name, bool any, bool batched) {
  return {name, [any, batched](const Problem& p, int t) {
            return std::make_unique<OnednnContestant>(p, t, any, batched);
          }};
}

}  // namespace

std::vector<Entry> onednn_entries() {
  return {entry("oneDNN NHWC, 2 calls", false, false), entry("oneDNN NHWC, batch of 2", false, true),
          entry("oneDNN any, 2 calls", true, false), entry("oneDNN any, batch of 2", true, true)};
}

}  // namespace bench
