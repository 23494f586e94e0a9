// Variable scopes: names, reuse inheritance, reopening, default names, threads.
#include <thread>

#include "test_util.h"

TEST_CASE("variable scopes nest, a second open by string gets a new name scope") {
  FreshGraph f;
  std::vector<std::string> got;
  for (int i = 0; i < 2; ++i) {
    tf::variable_scope foo("foo", {.reuse = i == 1});
    tf::variable_scope bar("bar");
    auto v = tf::get_variable("v", {1});
    auto x = 1.0f + v;
    got.push_back(foo.name());
    got.push_back(foo.original_name_scope());
    got.push_back(bar.name());
    got.push_back(bar.original_name_scope());
    got.push_back(v.name());
    got.push_back(x.op().name());
  }
  const std::vector<std::string> want = {"foo",         "foo/",        "foo/bar",     "foo/bar/",
                                         "foo/bar/v:0", "foo/bar/add", "foo",         "foo_1/",
                                         "foo/bar",     "foo_1/bar/",  "foo/bar/v:0", "foo_1/bar/add"};
  CHECK(got == want);
}

TEST_CASE("reuse is inherited and cannot be switched off inside a reusing scope") {
  FreshGraph f;
  std::vector<bool> got;
  auto reuse = [] { return static_cast<bool>(tf::get_variable_scope().reuse()); };
  {
    tf::variable_scope root("root");
    got.push_back(reuse());
    {
      tf::variable_scope foo("foo", {.reuse = true});
      got.push_back(reuse());
      tf::variable_scope off("off", {.reuse = false});
      got.push_back(reuse());
    }
    got.push_back(reuse());
    {
      tf::variable_scope bar("bar");
      bar.reuse_variables();
      got.push_back(reuse());
      tf::variable_scope inner("inner");
      got.push_back(reuse());
    }
    got.push_back(reuse());
  }
  CHECK(got == std::vector<bool>{false, true, true, false, true, true, false});
}

TEST_CASE("reopening a scope by object jumps to its name, ops get its last component") {
  FreshGraph f;
  tf::VariableScope foo_scope;
  tf::Variable v, w;
  {
    tf::variable_scope foo("foo");
    foo_scope = foo.scope();
    v = tf::get_variable("v", {1});
  }
  std::vector<std::string> got;
  {
    tf::variable_scope bar("bar");
    {
      tf::variable_scope baz("baz");
      got.push_back(baz.name());
    }
    {
      tf::variable_scope again(foo_scope);
      got.push_back(again.name());
      got.push_back(again.original_name_scope());
      w = tf::get_variable("w", {1});
      got.push_back(w.name());
      got.push_back((1.0f + w).op().name());
      got.push_back(tf::get_variable_scope().name());
    }
  }
  {
    tf::variable_scope again(foo_scope, {.reuse = true});
    CHECK(again.reuse() == true);
    CHECK(tf::get_variable("v", {1}) == v);
    CHECK(tf::get_variable("w", {1}) == w);
  }
  CHECK(foo_scope.reuse() == false);  // a reopened copy's reuse is its own
  const std::vector<std::string> want = {"bar/baz", "foo", "foo/", "foo/w:0", "bar/foo/add", "foo"};
  CHECK(got == want);
}

TEST_CASE("reuse_variables on a scope is seen by every handle to it") {
  FreshGraph f;
  tf::variable_scope s("s");
  tf::VariableScope copy = tf::get_variable_scope();
  CHECK(copy == s.scope());
  copy.reuse_variables();
  CHECK(s.reuse() == true);
}

TEST_CASE("default_name numbering is per parent scope, reset and restored as TF") {
  FreshGraph f;
  std::vector<std::string> got;
  auto open_layer = [&] {
    tf::variable_scope layer({.default_name = "layer"});
    got.push_back(layer.name());
    got.push_back(layer.original_name_scope());
  };
  tf::VariableScope net_scope;
  {
    tf::variable_scope net("net");
    net_scope = net.scope();
    open_layer();
    open_layer();
    {
      tf::variable_scope reopened(net_scope);  // restores the counters it found
    }
    open_layer();
  }
  {
    tf::variable_scope net("net");  // leaving a scope opened by string resets its children
    open_layer();
  }
  const std::vector<std::string> want = {"net/layer",   "net/layer/",   "net/layer_1", "net/layer_1/",
                                         "net/layer_2", "net/layer_2/", "net/layer",   "net_1/layer/"};
  CHECK(got == want);
  REQUIRE_THROWS_MATCHES(tf::variable_scope({.default_name = "x", .reuse = true}), tf::ValueError,
                         Has("reuse=True cannot be used without a name_or_scope"));
  REQUIRE_THROWS_AS(tf::variable_scope(tf::VariableScopeOptions{}), tf::ValueError);
}

TEST_CASE("auxiliary_name_scope = false opens no name scope") {
  FreshGraph f;
  tf::name_scope outer("outer");
  tf::variable_scope quiet("q", {.auxiliary_name_scope = false});
  auto v = tf::get_variable("v", {1});
  auto x = v + 1.0f;
  CHECK(v.name() == "q/v:0");
  CHECK(x.op().name() == "outer/add");
  CHECK(quiet.original_name_scope() == "outer/");
}

TEST_CASE("variable scope names are validated like name scopes") {
  FreshGraph f;
  REQUIRE_THROWS_MATCHES(tf::variable_scope("_"), tf::ValueError, Has("'_' is not a valid scope name"));
  CHECK(tf::get_variable_scope().name().empty());  // a failed open leaves no trace
  tf::variable_scope ok("a");
  tf::variable_scope under("_b");
  CHECK(under.name() == "a/_b");
}

TEST_CASE("scope collections filter by the scope's prefix plus '/'") {
  FreshGraph f;
  tf::Variable a, b, c;
  tf::VariableScope foo_scope;
  {
    tf::variable_scope foo("foo");
    foo_scope = foo.scope();
    a = tf::get_variable("a", {1});
    b = tf::get_variable("b", {1}, tf::GetVariableOptions{.trainable = false});
  }
  {
    tf::variable_scope foobar("foobar");
    c = tf::get_variable("c", {1});
  }
  CHECK(foo_scope.global_variables() == std::vector<tf::Variable>{a, b});
  CHECK(foo_scope.trainable_variables() == std::vector<tf::Variable>{a});
}

TEST_CASE("the variable store is shared by threads, scope stacks are per thread") {
  FreshGraph f;
  constexpr int kThreads = 4;
  std::vector<std::string> names(kThreads), scopes(kThreads);
  std::vector<tf::Variable> shared(kThreads);
  std::vector<std::string> errors(kThreads);
  tf::Variable made;
  {
    tf::variable_scope s("shared");
    made = tf::get_variable("w", {2});
  }
  tf::variable_scope main_scope("main");  // other threads must not see it
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto guard = f.g.as_default();
      {
        tf::variable_scope mine("t" + std::to_string(t));
        names[t] = tf::get_variable("v", {1}).name();
        scopes[t] = tf::get_variable_scope().name();
      }
      {
        tf::variable_scope s("shared", {.reuse = true});
        shared[t] = tf::get_variable("w", {2});
      }
      try {
        tf::variable_scope dup("dup");
        tf::get_variable("x", {1});
      } catch (const tf::ValueError& e) {
        errors[t] = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  int dup_errors = 0;
  for (int t = 0; t < kThreads; ++t) {
    CHECK(names[t] == "t" + std::to_string(t) + "/v:0");
    CHECK(scopes[t] == "t" + std::to_string(t));
    CHECK(shared[t] == made);
    dup_errors += errors[t].find("Variable dup/x already exists") != std::string::npos;
  }
  CHECK(dup_errors == kThreads - 1);  // exactly one thread created dup/x
  CHECK(tf::get_variable_scope().name() == "main");
}

TEST_CASE("the GCC-ambiguity spelling of default_name compiles and works") {
  FreshGraph f;
  tf::variable_scope layer({.default_name = "layer"});
  CHECK(layer.name() == "layer");
  tf::variable_scope layer2(tf::VariableScopeOptions{.default_name = "layer"});
  CHECK(layer2.name() == "layer/layer");
}
