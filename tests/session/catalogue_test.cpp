// The bad-input catalogue: every public entry point given wrong shapes,
// dtypes, names, empty and huge values, and foreign handles throws the
// documented tf::Error subclass, with a message that says what was wrong.
#include <filesystem>
#include <functional>

#include <minitf/kernels/threads.h>
#include <minitf/ops/op_def.h>

#include "test_util.h"

namespace {

struct Case {
  const char* what;
  std::function<void()> call;
  std::function<bool(const tf::Error&)> right_type;
  const char* words;
};

template <class E>
Case expect(const char* what, std::function<void()> call, const char* words) {
  return {what, std::move(call), [](const tf::Error& e) { return dynamic_cast<const E*>(&e) != nullptr; },
          words};
}

}  // namespace

TEST_CASE("every public entry point refuses bad input with a typed error") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 4, 4, 2}, "x");
  auto v = tf::get_variable("v", {2}, tf::zeros_initializer());
  auto w = tf::get_variable("w", {3, 3, 2, 2});
  tf::Graph other;
  tf::Output foreign;
  tf::Variable foreign_var;
  {
    auto guard = other.as_default();
    foreign = tf::constant(1.f, "c");
    foreign_var = tf::get_variable("fv", {1});
  }
  tf::Session sess(f.g);
  const std::string missing_dir = "/nonexistent-minitf-dir/x";

  const std::vector<Case> cases = {
      // values
      expect<tf::InvalidArgumentError>(
          "tensor of unknown shape", [] { tf::Tensor(tf::float32, {-1}); }, "fully defined"),
      expect<tf::InvalidArgumentError>(
          "huge tensor",
          [] {
            tf::Tensor(tf::float32, {1 << 20, 1 << 20, 1 << 20});
          },
          "too large"),
      expect<tf::InvalidArgumentError>(
          "too few values", [] { tf::Tensor::from<float>({3}, {1.f}); }, "needs 3 values"),
      expect<tf::InvalidArgumentError>(
          "wrong dtype read", [] { tf::Tensor(tf::int32, {1}).data<float>(); }, "read as float32"),
      expect<tf::InvalidArgumentError>(
          "empty tensor read", [] { tf::Tensor().data<float>(); }, "empty"),
      // graph lookups and handles
      expect<tf::ValueError>(
          "unknown op name", [&] { f.g.get_operation_by_name("nope"); }, "'nope'"),
      expect<tf::ValueError>(
          "bad tensor name", [&] { f.g.get_tensor_by_name("x:abc"); }, "bad output index"),
      expect<tf::ValueError>(
          "huge output index", [&] { f.g.get_tensor_by_name("x:99999999999"); }, "bad output index"),
      expect<tf::ValueError>(
          "output index out of range", [&] { tf::Output(x.op(), 3); }, "has 1 outputs"),
      expect<tf::ValueError>(
          "empty operation", [] { tf::Operation().name(); }, "empty"),
      expect<tf::ValueError>(
          "missing attribute", [&] { x.op().attr<float>("nothing"); }, "no attribute 'nothing'"),
      expect<tf::ValueError>(
          "attribute of another type", [&] { x.op().attr<float>("dtype"); }, "another type"),
      // builders
      expect<tf::ValueError>(
          "conv of rank 3",
          [&] {
            tf::conv2d(tf::zeros({4, 4, 2}), w, {1, 1, 1, 1}, "SAME");
          },
          "rank 4"),
      expect<tf::ValueError>(
          "conv channels",
          [&] {
            tf::conv2d(x, tf::zeros({3, 3, 5, 2}), {1, 1, 1, 1}, "SAME");
          },
          "but are 2 and 5"),
      expect<tf::ValueError>(
          "conv padding",
          [&] {
            tf::conv2d(x, w, {1, 1, 1, 1}, "FULL");
          },
          "Padding must be"),
      expect<tf::ValueError>(
          "conv window too big",
          [&] {
            tf::conv2d(x, tf::zeros({5, 5, 2, 2}), {1, 1, 1, 1}, "VALID");
          },
          "Negative dimension"),
      expect<tf::ValueError>(
          "add shapes", [&] { tf::add(x, tf::zeros({3})); }, "[1,4,4,2], [3]"),
      expect<tf::ValueError>(
          "relu of int32", [] { tf::relu(tf::constant(int32_t{1})); }, "float32"),
      expect<tf::ValueError>(
          "bias_add of a matrix bias",
          [&] {
            tf::bias_add(x, tf::zeros({2, 2}));
          },
          "rank 1"),
      expect<tf::ValueError>(
          "op name with a space", [] { tf::relu(tf::zeros({1}), "my relu"); }, "not a valid node name"),
      expect<tf::ValueError>(
          "inputs from two graphs", [&] { tf::add(tf::zeros({1}), foreign); }, "same graph"),
      expect<tf::ValueError>(
          "empty input", [] { tf::relu(tf::Output()); }, "empty"),
      expect<tf::ValueError>(
          "empty constant", [] { tf::constant(tf::Tensor()); }, "empty"),
      expect<tf::ValueError>(
          "fill of unknown shape", [] { tf::ones({-1}); }, "fully defined"),
      expect<tf::ValueError>(
          "int fill of a fraction", [] { tf::fill({1}, 0.5f, tf::int32); }, "not an int32"),
      expect<tf::ValueError>(
          "negative stddev", [] { tf::random_normal({1}, 0.f, -1.f); }, "stddev"),
      // scopes and variables
      expect<tf::ValueError>(
          "scope named _", [] { tf::variable_scope s("_"); }, "not a valid scope name"),
      expect<tf::ValueError>(
          "name scope with a space", [] { tf::name_scope s("a b"); }, "not a valid scope name"),
      expect<tf::ValueError>(
          "empty VariableScope", [] { tf::variable_scope s{tf::VariableScope()}; }, "empty VariableScope"),
      expect<tf::ValueError>(
          "empty VariableScope handle", [] { tf::VariableScope().name(); }, "empty"),
      expect<tf::ValueError>(
          "no name at all", [] { tf::variable_scope s{tf::VariableScopeOptions{}}; }, "needs a name"),
      expect<tf::ValueError>(
          "duplicate variable", [] { tf::get_variable("v", {2}); }, "already exists"),
      expect<tf::ValueError>(
          "variable of unknown shape", [] { tf::get_variable("u", {-1}); }, "fully defined"),
      expect<tf::ValueError>(
          "variable with a bad name", [] { tf::get_variable("a b", {1}); }, "not a valid"),
      expect<tf::ValueError>(
          "empty Variable", [] { tf::Variable().name(); }, "empty"),
      expect<tf::ValueError>(
          "Variable from nothing", [] { tf::Variable(tf::Output()); }, "initial value"),
      expect<tf::ValueError>(
          "assign of another shape", [&] { tf::assign(v, tf::zeros({3})); }, "incompatible"),
      // sessions
      expect<tf::FailedPreconditionError>(
          "uninitialized", [&] { sess.run(v); }, "uninitialized value v"),
      expect<tf::InvalidArgumentError>(
          "unfed placeholder", [&] { sess.run(tf::relu(x)); }, "placeholder tensor 'x'"),
      expect<tf::InvalidArgumentError>(
          "feed shape",
          [&] {
            sess.run(x, {{x, tf::Tensor(tf::float32, {1})}});
          },
          "[1] and dtype float32 for Tensor 'x:0'"),
      expect<tf::InvalidArgumentError>(
          "feed dtype",
          [&] {
            sess.run(x, {{x, tf::Tensor(tf::int32, {1, 4, 4, 2})}});
          },
          "dtype int32"),
      expect<tf::InvalidArgumentError>(
          "empty feed",
          [&] {
            sess.run(x, {{x, tf::Tensor()}});
          },
          "empty"),
      expect<tf::ValueError>(
          "foreign fetch", [&] { sess.run(foreign); }, "not an element of this graph"),
      expect<tf::ValueError>(
          "foreign target", [&] { sess.run(foreign.op()); }, "not an element of this graph"),
      expect<tf::ValueError>(
          "empty fetch", [&] { sess.run(tf::Output()); }, "empty"),
      expect<tf::ValueError>(
          "unknown name", [&] { sess.run("ghost:0"); }, "'ghost'"),
      expect<tf::ValueError>(
          "read a non-variable", [&] { sess.read_variable(x.op()); }, "not a variable"),
      expect<tf::ValueError>(
          "read a foreign variable", [&] { sess.read_variable(foreign_var.op()); }, "not an element"),
      expect<tf::InvalidArgumentError>(
          "assign wrong shape", [&] { sess.assign_variable(v.op(), tf::Tensor(tf::float32, {3})); }, "[2]"),
      // checkpoints and pictures
      expect<tf::ValueError>(
          "Saver of an empty Variable", [] { tf::train::Saver({tf::Variable()}); }, "empty Variable"),
      expect<tf::ValueError>(
          "Saver of one variable twice",
          [&] {
            tf::train::Saver({v, v});
          },
          "twice"),
      expect<tf::ValueError>(
          "Saver under the key __metadata__ (the file's own map)",
          [&] {
            tf::train::Saver(std::map<std::string, tf::Variable>{{"__metadata__", v}});
          },
          "__metadata__"),
      expect<tf::NotFoundError>(
          "save into a missing folder",
          [&] {
            sess.run(v.initializer());
            tf::train::Saver({v}).save(sess, missing_dir);
          },
          missing_dir.c_str()),
      expect<tf::NotFoundError>(
          "restore a missing file", [&] { tf::train::Saver({v}).restore(sess, missing_dir); }, "not found"),
      expect<tf::NotFoundError>(
          "graph into a missing folder", [&] { tf::write_graph(f.g, missing_dir); }, "Cannot write"),
      expect<tf::ValueError>(
          "reset inside a default guard", [] { tf::reset_default_graph(); }, "nested"),
      // attributes are honoured or refused, never ignored
      expect<tf::ValueError>(
          "conv2d padding neither SAME nor VALID",
          [&] {
            tf::create_op(f.g, "Conv2D", "c", {x, w},
                          {{"strides", std::vector<int64_t>{1, 1, 1, 1}},
                           {"padding", std::string("FULL")},
                           {"data_format", std::string("NHWC")}});
          },
          "padding must be \"SAME\" or \"VALID\", got \"FULL\""),
      expect<tf::UnimplementedError>(
          "conv2d NCHW",
          [&] {
            tf::create_op(f.g, "Conv2D", "nchw", {x, w},
                          {{"strides", std::vector<int64_t>{1, 1, 1, 1}},
                           {"padding", std::string("SAME")},
                           {"data_format", std::string("NCHW")}});
          },
          "'nchw' (op: 'Conv2D') with input shapes: [1,4,4,2], [3,3,2,2]: data_format NCHW is not supported"),
      expect<tf::ValueError>(
          "bias_add with an unknown data_format",
          [&] {
            tf::create_op(f.g, "BiasAdd", "b", {x, v}, {{"data_format", std::string("NWHC")}});
          },
          "data_format must be \"NHWC\" or \"NCHW\", got \"NWHC\""),
      expect<tf::UnimplementedError>(
          "assign with validate_shape=false",
          [&] {
            tf::create_op(f.g, "Assign", "a", {v, v}, {{"validate_shape", false}});
          },
          "validate_shape=false is not supported"),
      expect<tf::ValueError>(
          "an attribute the op does not have",
          [&] {
            tf::create_op(f.g, "Relu", "r", {x}, {{"alpha", 0.2f}});
          },
          "Op 'r' (op: 'Relu') has no attribute 'alpha' (its attributes: T)"),
      expect<tf::ValueError>(
          "a conv2d attribute misspelt",
          [&] {
            tf::create_op(f.g, "Conv2D", "c", {x, w}, {{"stride", std::vector<int64_t>{1, 1, 1, 1}}});
          },
          "has no attribute 'stride' (its attributes: strides, padding, data_format, dilations, "
          "explicit_paddings, "
          "use_cudnn_on_gpu, T)"),
      // state and resources
      expect<tf::InvalidArgumentError>(
          "assign_variables with one bad value",
          [&] {
            sess.assign_variables(
                {{v.op(), tf::Tensor(tf::float32, {2})}, {w.op(), tf::Tensor(tf::float32, {2})}});
          },
          "to variable w of float32 [3,3,2,2]; no variable was changed"),
      expect<tf::ValueError>(
          "assign_variables with a variable of another graph",
          [&] {
            sess.assign_variables({{foreign_var.op(), tf::Tensor(tf::float32, {1})}});
          },
          "is not an element of this session's graph"),
      expect<tf::ResourceExhaustedError>(
          "a session whose threads the system refuses",
          [] {
            tf::kernels::testing::limit_live_threads(0);
            struct Lift {
              ~Lift() { tf::kernels::testing::limit_live_threads(-1); }
            } lift;
            tf::Session s(tf::SessionOptions{.num_threads = 2});
          },
          "Cannot create a Session with 2 threads: Cannot start a thread for"),
      // names
      expect<tf::ValueError>(
          "get_variable with a space in its name", [] { tf::get_variable("a b", {1}); },
          "'a b' is not a valid variable name"),
      expect<tf::ValueError>(
          "get_variable with a bad name inside a variable scope",
          [] {
            tf::variable_scope s("outer");
            tf::get_variable("a b", {1});
          },
          "'outer/a b' is not a valid variable name"),
      expect<tf::ValueError>(
          "tf::Variable with a bad name", [] { tf::Variable(tf::zeros({1}), "no way"); },
          "'no way' is not a valid variable name"),
  };
  for (const Case& c : cases) {
    INFO(c.what);
    bool threw = false;
    try {
      c.call();
    } catch (const tf::Error& e) {
      threw = true;
      CHECK(c.right_type(e));
      CHECK_THAT(std::string(e.what()), Catch::Contains(c.words));
    }
    CHECK(threw);
  }
  CHECK(cases.size() >= 62);
  // and the session still works after all of that
  sess.run(v.initializer());
  CHECK(sess.run(v).num_elements() == 2);
}

// A braced list in the name's place (a misplaced dilations argument) must not
// compile: it would otherwise become the op's name, '\x01\x02\x02\x01'.
template <class X>
constexpr bool braced_list_names_conv = requires(X x) {
  tf::conv2d(x, x, {1, 1, 1, 1}, "SAME", {1, 2, 2, 1});
};
template <class X>
constexpr bool braced_list_names_relu = requires(X x) {
  tf::relu(x, {1, 2});
};
template <class X>
constexpr bool string_names_conv = requires(X x) {
  tf::conv2d(x, x, {1, 1, 1, 1}, "SAME", "c");
};
static_assert(!braced_list_names_conv<tf::Output>);
static_assert(!braced_list_names_relu<tf::Output>);
static_assert(string_names_conv<tf::Output>);

TEST_CASE("names come from strings only") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 3, 3, 1}, std::string("x"));
  auto k = tf::constant(tf::Tensor(tf::float32, {1, 1, 1, 1}), std::string_view("k"));
  CHECK(tf::conv2d(x, k, {1, 1, 1, 1}, "SAME", "c").op().name() == "c");
  CHECK(tf::relu(x).op().name() == "Relu");
  CHECK(x.op().name() == "x");
  CHECK(k.op().name() == "k");
}
