// The name registry: TF 1.15's unique_name, name scopes and name validation.
#include "test_util.h"

TEST_CASE("unique_name numbers taken names as TF does") {
  tf::Graph g;
  const std::vector<std::pair<std::string, std::string>> table = {
      {"add", "add"}, {"add", "add_1"}, {"add", "add_2"},     {"add_1", "add_1_1"}, {"ADD", "ADD_3"},
      {"foo", "foo"}, {"Foo", "Foo_1"}, {"add_3", "add_3_1"}, {"a/b", "a/b"},       {"a/b", "a/b_1"},
  };
  for (const auto& [in, want] : table) {
    INFO(in);
    CHECK(g.unique_name(in) == want);
  }
}

TEST_CASE("unique_name skips names already taken by earlier suffixes") {
  tf::Graph g;
  CHECK(g.unique_name("x_1") == "x_1");
  CHECK(g.unique_name("x") == "x");
  CHECK(g.unique_name("x") == "x_2");  // x_1 is taken
  CHECK(g.unique_name("y", /*mark_as_used=*/false) == "y");
  CHECK(g.unique_name("y") == "y");
}

TEST_CASE("ops and name scopes share one case-insensitive namespace") {
  FreshGraph f;
  auto a = tf::constant(1.f, "add");
  {
    tf::name_scope s("Add");
    CHECK(s.name() == "Add_1/");
    auto c = tf::constant(2.f);
    CHECK(c.op().name() == "Add_1/Const");
  }
  auto b = a + a;
  CHECK(b.op().name() == "add_2");
  CHECK(b.op().type() == "AddV2");
}

TEST_CASE("name scopes nest, re-enter exactly with '/', and reset with an empty name") {
  FreshGraph f;
  std::vector<std::pair<std::string, std::string>> seen;
  {
    tf::name_scope foo("foo");
    seen.emplace_back("foo", foo.name());
    {
      tf::name_scope bar("bar");
      seen.emplace_back("bar", bar.name());
      seen.emplace_back("Relu", tf::relu(tf::constant(1.f)).op().name());
    }
    {
      tf::name_scope bar("bar");
      seen.emplace_back("bar again", bar.name());
    }
    {
      tf::name_scope exact("foo/bar/");
      seen.emplace_back("exact", exact.name());
      seen.emplace_back("Const in exact", tf::constant(1.f).op().name());
    }
    {
      tf::name_scope root("");
      seen.emplace_back("root", root.name());
      seen.emplace_back("Const at root", tf::constant(1.f).op().name());
    }
  }
  {
    tf::name_scope foo("foo");
    seen.emplace_back("foo again", foo.name());
  }
  const std::vector<std::pair<std::string, std::string>> want = {
      {"foo", "foo/"},
      {"bar", "foo/bar/"},
      {"Relu", "foo/bar/Relu"},
      {"bar again", "foo/bar_1/"},
      {"exact", "foo/bar/"},
      {"Const in exact", "foo/bar/Const_1"},
      {"root", ""},
      {"Const at root", "Const"},
      {"foo again", "foo_1/"},
  };
  CHECK(seen == want);
}

TEST_CASE("scope and op names are validated as TF does") {
  FreshGraph f;
  REQUIRE_THROWS_MATCHES(tf::name_scope("_"), tf::ValueError, Has("'_' is not a valid scope name"));
  REQUIRE_THROWS_MATCHES(tf::name_scope("a b"), tf::ValueError, Has("not a valid scope name"));
  {
    tf::name_scope outer("outer");
    tf::name_scope inner("_inner");  // a leading '_' is fine below the root
    CHECK(inner.name() == "outer/_inner/");
  }
  REQUIRE_THROWS_MATCHES(tf::constant(1.f, "bad name"), tf::ValueError,
                         Has("'bad name' is not a valid node name"));
  CHECK(tf::is_valid_op_name("a.b-c/d>e_f"));
  CHECK_FALSE(tf::is_valid_op_name("-a"));
  CHECK_FALSE(tf::is_valid_op_name(""));
  CHECK(tf::is_valid_scope_name("_a"));
}

TEST_CASE("graph lookups by name, and their errors") {
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {2, 3}, "x");
  auto y = tf::relu(x);
  CHECK(f.g.get_operation_by_name("Relu") == y.op());
  CHECK(f.g.get_tensor_by_name("Relu:0") == y);
  CHECK(y.name() == "Relu:0");
  CHECK(y.op().inputs() == std::vector<tf::Output>{x});
  REQUIRE_THROWS_MATCHES(f.g.get_operation_by_name("nope"), tf::ValueError,
                         Has("The name 'nope' refers to an Operation not in the graph."));
  REQUIRE_THROWS_MATCHES(f.g.get_tensor_by_name("Relu"), tf::ValueError, Has("looks like an Operation name"));
  REQUIRE_THROWS_MATCHES(f.g.get_tensor_by_name("Relu:1"), tf::ValueError, Has("only has 1 outputs"));
  CHECK(op_names(f.g) == std::vector<std::string>{"x", "Relu"});
}

TEST_CASE("ops take the graph of their inputs, and refuse inputs from two graphs") {
  tf::Graph a, b;
  tf::Output xa, xb;
  {
    auto guard = a.as_default();
    xa = tf::constant(1.f, "x");
  }
  {
    auto guard = b.as_default();
    xb = tf::constant(1.f, "x");
    auto r = tf::relu(xa);
    CHECK(r.op().in_graph(a));
    REQUIRE_THROWS_MATCHES(tf::add(xb, xa), tf::ValueError, Has("must be from the same graph"));
  }
}

TEST_CASE("default graphs nest and reset") {
  tf::reset_default_graph();
  tf::Graph global = tf::get_default_graph();
  tf::Graph g;
  {
    auto guard = g.as_default();
    CHECK(tf::get_default_graph() == g);
    REQUIRE_THROWS_AS(tf::reset_default_graph(), tf::ValueError);
    tf::Graph h;
    {
      auto inner = h.as_default();
      CHECK(tf::get_default_graph() == h);
    }
    CHECK(tf::get_default_graph() == g);
  }
  CHECK(tf::get_default_graph() == global);
  const auto before = global.id();
  tf::reset_default_graph();
  CHECK(tf::get_default_graph().id() != before);
}

TEST_CASE("empty handles throw instead of crashing") {
  tf::Operation op;
  tf::Output out;
  CHECK(op.empty());
  CHECK(out.empty());
  REQUIRE_THROWS_AS(op.name(), tf::ValueError);
  REQUIRE_THROWS_AS(out.shape(), tf::ValueError);
  FreshGraph f;
  REQUIRE_THROWS_MATCHES(tf::relu(out), tf::ValueError, Has("empty"));
}
