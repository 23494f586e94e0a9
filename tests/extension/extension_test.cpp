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

TEST_CASE("an outside kernel out of step with its shape function is stopped before the next op reads it") {
  static const bool registered = [] {
    tf::register_op(
        tf::OpDef("TestLiar")
            .input("x", {tf::float32})
            .output("y")
            .shape_fn([](const tf::InferenceContext& c) { return tf::OutputSpecs{c.inputs[0]}; }));
    tf::kernels::register_kernel("TestLiar", [](const tf::kernels::NodeInfo& node) {
      struct Liar final : tf::kernels::OpKernel {
        using OpKernel::OpKernel;
        void compute(tf::kernels::KernelContext& ctx) override {
          ctx.allocate_output(0, tf::float32,
                              {ctx.input(0).num_elements() + 3});  // not what the definition says
        }
      };
      return std::make_unique<Liar>(node);
    });
    return true;
  }();
  (void)registered;
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2}, "x");
  auto y = tf::relu(tf::create_op(tf::get_default_graph(), "TestLiar", "liar", {x}).output(0));
  tf::Session s;
  REQUIRE_THROWS_MATCHES(
      s.run(y, {{x, tf::Tensor(tf::float32, {2})}}), tf::Error,
      Has("the kernel of op 'liar' (op: 'TestLiar') produced output 0 of float32 [5] where its "
          "shape function says float32 [2]"));
}

TEST_CASE(
    "bad registrations: empty or null kernel factories, defaults outside the allowed set, unsized lists") {
  REQUIRE_THROWS_MATCHES(tf::kernels::register_kernel("TestEmptyFactory", tf::kernels::KernelFactory()),
                         tf::ValueError, Has("factory registered for op type 'TestEmptyFactory' is empty"));
  REQUIRE_THROWS_MATCHES(
      tf::register_op(tf::OpDef("TestBadDefault")
                          .output("y")
                          .attr("mode", std::string("c"), {std::string("a"), std::string("b")})
                          .shape_fn([](const tf::InferenceContext&) { return tf::OutputSpecs{}; })),
      tf::ValueError, Has("the default of attribute 'mode' is not one of its allowed values"));
  REQUIRE_THROWS_MATCHES(
      tf::register_op(tf::OpDef("TestUnsizedList")
                          .input_list("xs", "N")
                          .output("y")
                          .shape_fn([](const tf::InferenceContext&) { return tf::OutputSpecs{}; })),
      tf::ValueError, Has("input list 'xs' is sized by 'N', which is not an int attribute"));
  static const bool registered = [] {
    tf::register_op(tf::OpDef("TestNullKernel").output("y").shape_fn([](const tf::InferenceContext&) {
      return tf::OutputSpecs{{tf::float32, tf::Shape{1}}};
    }));
    tf::kernels::register_kernel("TestNullKernel", [](const tf::kernels::NodeInfo&) { return nullptr; });
    tf::register_op(
        tf::OpDef("TestThrowingShape").input("x").output("y").shape_fn([](const tf::InferenceContext& c) {
          if (c.shape(0).fully_defined()) throw std::runtime_error("no shapes today");
          return tf::OutputSpecs{c.inputs[0]};
        }));
    tf::kernels::register_kernel("TestThrowingShape", [](const tf::kernels::NodeInfo& node) {
      return tf::kernels::kernel_registry().create({node.name, "Relu", {}, node.op});  // never runs
    });
    return true;
  }();
  (void)registered;
  FreshGraph f;
  tf::Graph g = tf::get_default_graph();
  tf::Session s;
  REQUIRE_THROWS_MATCHES(s.run(tf::create_op(g, "TestNullKernel", "nk", {}).output(0)), tf::NotFoundError,
                         Has("The CPU kernel factory for op 'nk' of type TestNullKernel made no kernel"));
  auto x = tf::placeholder(tf::float32, {-1}, "x");
  auto y = tf::create_op(g, "TestThrowingShape", "ts", {x}).output(0);
  REQUIRE_THROWS_MATCHES(s.run(y, {{x, tf::Tensor(tf::float32, {3})}}), tf::Error,
                         Has("Planning op 'ts' (op: 'TestThrowingShape') failed: no shapes today"));
}

TEST_CASE("a reference input after an input list is found by its place in the expanded list") {
  static const bool registered = [] {
    tf::register_op(
        tf::OpDef("TestSumThenRef")
            .input_list("xs", "N", {tf::float32})
            .ref_input("v")
            .output("y")
            .attr("N", tf::AttrType::kInt)
            .shape_fn([](const tf::InferenceContext& c) { return tf::OutputSpecs{c.inputs[0]}; }));
    tf::kernels::register_kernel("TestSumThenRef", [](const tf::kernels::NodeInfo& node) {
      struct SumThenRef final : tf::kernels::OpKernel {
        using OpKernel::OpKernel;
        void compute(tf::kernels::KernelContext& ctx) override {
          auto a = ctx.input(0).data<float>();
          auto b = ctx.input(1).data<float>();  // a value: the reference is input 2
          auto y = ctx.allocate_output(0).data<float>();
          for (size_t i = 0; i < y.size(); ++i) y[i] = a[i] + b[i] + static_cast<float>(ctx.input(2).empty());
        }
      };
      return std::make_unique<SumThenRef>(node);
    });
    return true;
  }();
  (void)registered;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::zeros_initializer());
  auto a = tf::constant(std::vector<float>{1, 2}, {2});
  auto b = tf::constant(std::vector<float>{10, 20}, {2});
  auto y = tf::create_op(tf::get_default_graph(), "TestSumThenRef", "s", {a, b, v.op().output(0)},
                         {{"N", int64_t{2}}})
               .output(0);
  tf::Session s;  // the variable is never initialized: a reference input is not read as a value
  const auto out = s.run(y);
  CHECK(out.data<float>()[0] == 12.f);  // 1 + 10, plus 1 for the reference passing no value
  CHECK(out.data<float>()[1] == 23.f);
}
