// Variables: tf::Variable, get_variable's reuse rules, initializers, collections.
#include "test_util.h"

TEST_CASE("tf::Variable takes the name scope and is uniquified") {
  FreshGraph f;
  tf::Variable a(tf::random_normal({5, 5, 32, 32}), "conv1_weights");
  tf::Variable b(tf::random_normal({5, 5, 32, 32}), "conv1_weights");
  tf::Variable c(tf::zeros({32}));
  tf::Variable d;
  {
    tf::name_scope s("tower");
    d = tf::Variable(tf::zeros({32}), "bias");
  }
  CHECK(a.name() == "conv1_weights:0");
  CHECK(b.name() == "conv1_weights_1:0");
  CHECK(c.name() == "Variable:0");
  CHECK(d.name() == "tower/bias:0");
  CHECK(a.op().type() == "VariableV2");
  CHECK(a.initializer().name() == "conv1_weights/Assign");
  CHECK(a.value().name() == "conv1_weights/read:0");
  CHECK(a.shape() == tf::Shape{5, 5, 32, 32});
  CHECK(a.trainable());
  const std::vector<std::string> want = {
      "random_normal",   "conv1_weights",   "conv1_weights/Assign",   "conv1_weights/read",
      "random_normal_1", "conv1_weights_1", "conv1_weights_1/Assign", "conv1_weights_1/read",
      "zeros",           "Variable",        "Variable/Assign",        "Variable/read",
      "tower/zeros",     "tower/bias",      "tower/bias/Assign",      "tower/bias/read"};
  CHECK(op_names(f.g) == want);
  // tf::Variable never enters the get_variable store
  REQUIRE_THROWS_MATCHES(
      [] {
        tf::variable_scope s("", {.reuse = true});
        return tf::get_variable("conv1_weights", {5, 5, 32, 32});
      }(),
      tf::ValueError, Has("Variable conv1_weights does not exist"));
}

TEST_CASE("get_variable names its ops after the variable scope only") {
  FreshGraph f;
  tf::Variable v;
  {
    tf::variable_scope foo("foo");
    tf::name_scope bar("bar");
    v = tf::get_variable("v", {1}, tf::constant_initializer(0.4f));
  }
  CHECK(v.name() == "foo/v:0");
  const std::vector<std::string> want = {"foo/v/Initializer/Const (Const)", "foo/v (VariableV2)",
                                         "foo/v/Assign (Assign)", "foo/v/read (Identity)"};
  CHECK(op_names_and_types(f.g) == want);
  CHECK(v.initializer().inputs()[1].op().name() == "foo/v/Initializer/Const");
}

TEST_CASE("default initializers: glorot for floats, zeros for ints") {
  FreshGraph f;
  auto w = tf::get_variable("w", {3, 3, 2, 4});
  auto n = tf::get_variable("n", {2}, tf::Initializer(), tf::int32);
  CHECK(w.initial_value().op().name() == "w/Initializer/random_uniform");
  auto limit = std::sqrt(6.0 / (3 * 3 * 2 + 3 * 3 * 4));
  CHECK(w.initial_value().op().attr<float>("maxval") == Approx(limit));
  CHECK(w.initial_value().op().attr<float>("minval") == Approx(-limit));
  CHECK(n.initial_value().op().name() == "n/Initializer/zeros");
  CHECK(n.dtype() == tf::int32);
}

TEST_CASE("reuse false: a duplicate says where the first was defined") {
  FreshGraph f;
  int first_line = 0;
  {
    tf::variable_scope s("foo");
    first_line = __LINE__ + 1;
    tf::get_variable("v", {1});
  }
  tf::variable_scope s("foo");
  try {
    tf::get_variable("v", {1});
    FAIL("no error");
  } catch (const tf::ValueError& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("Variable foo/v already exists, disallowed."));
    CHECK_THAT(msg, Catch::Contains("reuse=true"));
    CHECK_THAT(msg, Catch::Contains("Originally defined at"));
    CHECK_THAT(msg, Catch::Contains("variables_test.cpp:" + std::to_string(first_line)));
  }
}

TEST_CASE("reuse true: finds, or says it does not exist, checks shape and dtype") {
  FreshGraph f;
  tf::Variable v;
  {
    tf::variable_scope s("foo");
    v = tf::get_variable("v", {1});
  }
  tf::variable_scope s("foo", {.reuse = true});
  CHECK(tf::get_variable("v", {1}) == v);
  CHECK(tf::get_variable("v", {1}, tf::constant_initializer(9.f)) == v);  // initializer ignored
  REQUIRE_THROWS_MATCHES(tf::get_variable("w", {1}), tf::ValueError,
                         Has("Variable foo/w does not exist, or was not created with get_variable()"));
  REQUIRE_THROWS_MATCHES(tf::get_variable("v", {2}), tf::ValueError,
                         Has("Trying to share variable foo/v, but specified shape [2] and found shape [1]."));
  REQUIRE_THROWS_MATCHES(
      tf::get_variable("v", {1}, tf::zeros_initializer(), tf::int32), tf::ValueError,
      Has("Trying to share variable foo/v, but specified dtype int32 and found dtype float32."));
}

TEST_CASE("AUTO_REUSE creates once, then returns the same variable") {
  FreshGraph f;
  tf::Variable a, b;
  {
    tf::variable_scope s("foo", {.reuse = tf::AUTO_REUSE});
    a = tf::get_variable("v", {1});
    CHECK(s.reuse() == tf::AUTO_REUSE);
  }
  {
    tf::variable_scope s("foo", {.reuse = tf::AUTO_REUSE});
    b = tf::get_variable("v", {1});
    REQUIRE_THROWS_MATCHES(tf::get_variable("v", {3}), tf::ValueError, Has("Trying to share variable foo/v"));
  }
  CHECK(a == b);
  CHECK(tf::global_variables().size() == 1);
}

TEST_CASE("a new variable needs a fully defined shape and a name") {
  FreshGraph f;
  REQUIRE_THROWS_MATCHES(tf::get_variable("v", {-1, 2}), tf::ValueError,
                         Has("Shape of a new variable (v) must be fully defined, but instead was [?,2]."));
  REQUIRE_THROWS_AS(tf::get_variable("", {1}), tf::ValueError);
  REQUIRE_THROWS_MATCHES(tf::get_variable("v", {2}, tf::random_normal_initializer(), tf::int32),
                         tf::ValueError, Has("float32 values only"));
  REQUIRE_THROWS_MATCHES(tf::get_variable("n", {2}, tf::constant_initializer(0.5f), tf::int32),
                         tf::ValueError, Has("0.500000 is not an int32 value"));
  REQUIRE_THROWS_MATCHES(tf::fill({2}, 3e9f, tf::int32), tf::ValueError, Has("is not an int32 value"));
}

TEST_CASE("GetVariableOptions: trainable false stays out of trainable_variables") {
  FreshGraph f;
  auto a = tf::get_variable("a", {1});
  auto b =
      tf::get_variable("b", {1},
                       tf::GetVariableOptions{
                           .initializer = tf::ones_initializer(), .dtype = tf::float32, .trainable = false});
  tf::Variable c(tf::zeros({1}), "c", /*trainable=*/false);
  CHECK(tf::global_variables() == std::vector<tf::Variable>{a, b, c});
  CHECK(tf::trainable_variables() == std::vector<tf::Variable>{a});
  CHECK_FALSE(b.trainable());
  CHECK(b.initial_value().op().name() == "b/Initializer/ones");
}

TEST_CASE("global_variables_initializer is a NoOp named init, init_1") {
  FreshGraph f;
  auto a = tf::get_variable("a", {1});
  auto b = tf::get_variable("b", {1});
  auto init = tf::global_variables_initializer();
  CHECK(init.name() == "init");
  CHECK(init.type() == "NoOp");
  CHECK(init.control_inputs() == std::vector<tf::Operation>{a.initializer(), b.initializer()});
  CHECK(tf::global_variables_initializer().name() == "init_1");
}

TEST_CASE("scope initializers: inherited, overridden, and beaten by get_variable's") {
  FreshGraph f;
  auto kind = [](const tf::Variable& v) { return v.initial_value().op().name(); };
  tf::variable_scope foo("foo", {.initializer = tf::constant_initializer(0.4f)});
  CHECK(foo.scope().initializer().kind() == "constant(0.4)");
  auto v = tf::get_variable("v", {1});
  auto w = tf::get_variable("w", {1}, tf::ones_initializer());
  CHECK(kind(v) == "foo/v/Initializer/Const");
  CHECK(kind(w) == "foo/w/Initializer/ones");
  {
    tf::variable_scope bar("bar");
    CHECK(bar.scope().initializer().kind() == "constant(0.4)");
  }
  {
    tf::variable_scope baz("baz", {.initializer = tf::constant_initializer(0.2f)});
    CHECK(baz.scope().initializer().kind() == "constant(0.2)");
  }
}
