// The extension point: an op definition and a kernel registered from outside
// the library take part in planning like built-in ones (shapes, arena, fusion
// table untouched), and bad registrations are refused with typed errors.
#include <minitf/extension.h>

#include "test_util.h"

namespace {

// Scale: y = x * factor, with a required float attribute. Registered once per process.
void register_scale_once() {
  static const bool done = [] {
    tf::register_op(
        tf::OpDef("TestScale")
            .input("x", {tf::float32})
            .output("y")
            .attr("factor", tf::AttrType::kFloat)
            .shape_fn([](const tf::InferenceContext& c) { return tf::OutputSpecs{c.inputs[0]}; }));
    tf::kernels::register_kernel("TestScale", [](const tf::kernels::NodeInfo& node) {
      struct Scale final : tf::kernels::OpKernel {
        explicit Scale(const tf::kernels::NodeInfo& n) : OpKernel(n), factor(n.attr<float>("factor")) {}
        void compute(tf::kernels::KernelContext& ctx) override {
          auto x = ctx.input(0).data<float>();
          auto y = ctx.allocate_output(0).data<float>();
          for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * factor;
        }
        float factor;
      };
      return std::make_unique<Scale>(node);
    });
    return true;
  }();
  (void)done;
}

}  // namespace

TEST_CASE("an op registered from outside runs in a session, in every arena and thread mode") {
  register_scale_once();
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {-1, 4}, "x");
  tf::Graph g = tf::get_default_graph();
  auto y = tf::create_op(g, "TestScale", "scale", {tf::relu(x)}, {{"factor", 3.f}}).output(0);
  auto z = tf::create_op(g, "TestScale", "scale2", {y + 1.f}, {{"factor", 0.5f}}).output(0);
  CHECK(z.shape() == tf::Shape{-1, 4});
  for (bool arena : {false, true}) {
    for (int threads : {1, 2}) {
      tf::Session s(g, {.num_threads = threads, .use_arena = arena});
      for (int64_t rows : {2, 5, 2}) {
        tf::Tensor in(tf::float32, {rows, 4});
        for (int64_t i = 0; i < rows * 4; ++i) in.data<float>()[static_cast<size_t>(i)] = float(i) - 3.f;
        const tf::Tensor out = s.run(z, {{x, in}});
        REQUIRE(out.shape() == tf::Shape{rows, 4});
        for (int64_t i = 0; i < rows * 4; ++i) {
          const double want = (std::max(double(i) - 3.0, 0.0) * 3.0 + 1.0) * 0.5;
          CHECK(out.data<float>()[static_cast<size_t>(i)] == Approx(want));
        }
      }
    }
  }
}

TEST_CASE("an outside op's definition checks attributes and dtypes when the op is built") {
  register_scale_once();
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2}, "x");
  tf::Graph g = tf::get_default_graph();
  REQUIRE_THROWS_MATCHES(tf::create_op(g, "TestScale", "a", {x}), tf::ValueError,
                         Has("Op 'a' (op: 'TestScale') is missing attribute 'factor'"));
  REQUIRE_THROWS_MATCHES(tf::create_op(g, "TestScale", "b", {x}, {{"factor", int64_t{2}}}), tf::ValueError,
                         Has("attribute 'factor' must be of type float, got int 2"));
  REQUIRE_THROWS_MATCHES(tf::create_op(g, "TestScale", "c", {tf::constant(int32_t{1})}, {{"factor", 2.f}}),
                         tf::ValueError, Has("computes in float32, got an input 'x' of dtype int32"));
  REQUIRE_THROWS_MATCHES(tf::create_op(g, "TestScale", "d", {x, x}, {{"factor", 2.f}}), tf::ValueError,
                         Has("takes 1 inputs, got 2"));
}

TEST_CASE("registrations that would be ambiguous or incomplete are refused") {
  register_scale_once();
  REQUIRE_THROWS_MATCHES(tf::register_op(tf::OpDef("TestScale").shape_fn([](const tf::InferenceContext&) {
                           return tf::OutputSpecs{};
                         })),
                         tf::AlreadyExistsError, Has("Op type 'TestScale' is already registered"));
  REQUIRE_THROWS_MATCHES(tf::register_op(tf::OpDef("Conv2D").shape_fn(
                             [](const tf::InferenceContext&) { return tf::OutputSpecs{}; })),
                         tf::AlreadyExistsError, Has("'Conv2D' is already registered"));
  REQUIRE_THROWS_MATCHES(tf::register_op(tf::OpDef("TestNoShape").output("y")), tf::ValueError,
                         Has("Op definition 'TestNoShape' has no shape function"));
  REQUIRE(tf::find_op_def("TestNoShape") == nullptr);
  REQUIRE_THROWS_MATCHES(
      tf::kernels::register_kernel("TestScale", [](const tf::kernels::NodeInfo&) { return nullptr; }),
      tf::AlreadyExistsError, Has("A CPU kernel for op type 'TestScale' is already registered"));
  REQUIRE_THROWS_MATCHES(tf::register_fusion({"TestScale", "_NoSuchFused", {}, {}}), tf::ValueError,
                         Has("unregistered op type '_NoSuchFused'"));
}

TEST_CASE("an op without a kernel fails when a session plans it, naming the op") {
  static const bool registered = [] {
    tf::register_op(
        tf::OpDef("TestNoKernel").input("x").output("y").shape_fn([](const tf::InferenceContext& c) {
          return tf::OutputSpecs{c.inputs[0]};
        }));
    return true;
  }();
  (void)registered;
  FreshGraph f;
  tf::Graph g = tf::get_default_graph();
  auto y = tf::create_op(g, "TestNoKernel", "nk", {tf::constant(1.f)}).output(0);
  tf::Session s;
  REQUIRE_THROWS_MATCHES(s.run(y), tf::NotFoundError, Has("No CPU kernel for op 'nk' of type TestNoKernel"));
}
