// Adds an op from outside the library: Swish, x * sigmoid(beta * x), with a
// typed attribute, a shape function and a CPU kernel, then builds a graph
// with it, runs it, and shows the errors its definition gives for free.
#include <minitf/extension.h>

#include <cmath>
#include <iostream>

namespace tf = minitf;

namespace {

// The definition: one float input, one output of its shape, an optional
// `beta` attribute. Registered once per process.
void register_swish() {
  tf::register_op(tf::OpDef("Swish")
                      .input("features", {tf::float32})
                      .output("activations")
                      .attr("beta", 1.0f)
                      .set_elementwise()
                      .shape_fn([](const tf::InferenceContext& c) { return tf::OutputSpecs{c.inputs[0]}; }));
  tf::kernels::register_kernel("Swish", [](const tf::kernels::NodeInfo& node) {
    struct Swish final : tf::kernels::OpKernel {
      explicit Swish(const tf::kernels::NodeInfo& n) : OpKernel(n), beta(n.attr<float>("beta")) {}
      void compute(tf::kernels::KernelContext& ctx) override {
        auto x = ctx.input(0).data<float>();
        auto y = ctx.allocate_output(0).data<float>();  // the dtype and shape the plan worked out
        for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] / (1.f + std::exp(-beta * x[i]));
      }
      float beta;
    };
    return std::make_unique<Swish>(node);
  });
}

// The builder a user calls, like tf::relu.
tf::Output swish(const tf::Output& x, float beta = 1.f, const tf::OpName& name = {}) {
  tf::Graph g = tf::graph_of(x.op());
  return tf::create_op(g, "Swish", name.empty() ? "Swish" : name.str(), {x}, {{"beta", beta}}).output(0);
}

}  // namespace

int main() {
  register_swish();
  auto x = tf::placeholder(tf::float32, {-1, 3}, "x");
  auto y = swish(tf::relu(x) + 1.f, 2.f);
  tf::Session sess;
  const auto in = tf::Tensor::from<float>({2, 3}, {-1, 0, 1, 2, 3, 4});
  const tf::Tensor out = sess.run(y, {{x, in}});
  int wrong = 0;
  for (size_t i = 0; i < 6; ++i) {
    const float r = std::max(in.data<float>()[i], 0.f) + 1.f;
    const float want = r / (1.f + std::exp(-2.f * r));
    wrong += std::abs(out.data<float>()[i] - want) > 1e-6f * std::abs(want);
  }
  std::cout << y.name() << " " << out.shape().to_string() << ": " << out.data<float>()[0] << " ... "
            << out.data<float>()[5] << (wrong ? " (WRONG)" : "") << "\n";
  // The definition checks what users pass, before anything runs.
  try {
    tf::create_op(tf::get_default_graph(), "Swish", "s", {x}, {{"alpha", 1.f}});
    return 1;
  } catch (const tf::ValueError& e) {
    std::cout << "ValueError: " << e.what() << "\n";
  }
  try {
    swish(tf::constant(int32_t{3}));
    return 1;
  } catch (const tf::ValueError& e) {
    std::cout << "ValueError: " << e.what() << "\n";
  }
  return wrong == 0 ? 0 : 1;
}
