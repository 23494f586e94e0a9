// Guards used wrongly (destroyed out of order, on another thread) and graph
// handles held past a reset: never a stale scope, a wrong default or a crash.
#include <malloc.h>

#include <memory>
#include <thread>

#include "test_util.h"

TEST_CASE("scope guards destroyed out of order leave no dead scope behind") {
  FreshGraph f;
  auto a = std::make_unique<tf::variable_scope>("a");
  auto b = std::make_unique<tf::variable_scope>("b");
  a.reset();  // out of order: b is still alive, so b stays current
  CHECK(tf::get_variable_scope().name() == "a/b");
  b.reset();
  CHECK(tf::get_variable_scope().name() == "");
  CHECK(tf::get_variable("v", {1}).name() == "v:0");
  CHECK(tf::zeros({1}).op().name() == "zeros");

  auto n1 = std::make_unique<tf::name_scope>("n1");
  auto n2 = std::make_unique<tf::name_scope>("n2");
  n1.reset();
  CHECK(tf::zeros({1}).op().name() == "n1/n2/zeros");
  n2.reset();
  CHECK(tf::zeros({1}).op().name() == "zeros_1");
}

TEST_CASE("scope guards destroyed on another thread remove their own scope") {
  FreshGraph f;
  auto s = std::make_unique<tf::variable_scope>("t");
  CHECK(tf::get_variable("w", {1}).name() == "t/w:0");
  std::thread([&] { s.reset(); }).join();
  CHECK(tf::get_variable_scope().name() == "");
  CHECK(tf::get_variable("w", {1}).name() == "w:0");
  CHECK(tf::zeros({1}).op().name() == "zeros");
}

TEST_CASE("default-graph guards destroyed out of order or on another thread") {
  tf::reset_default_graph();
  const tf::Graph global = tf::get_default_graph();
  tf::Graph g1, g2;
  auto a = std::make_unique<tf::Graph::DefaultGuard>(g1);
  auto b = std::make_unique<tf::Graph::DefaultGuard>(g2);
  a.reset();
  CHECK(tf::get_default_graph() == g2);
  b.reset();
  CHECK(tf::get_default_graph() == global);
  auto c = std::make_unique<tf::Graph::DefaultGuard>(g1);
  CHECK(tf::get_default_graph() == g1);
  std::thread([&] { c.reset(); }).join();  // aborted with free(): invalid pointer before
  CHECK(tf::get_default_graph() == global);
}

TEST_CASE("a default graph handle outlives reset_default_graph and its guard") {
  tf::reset_default_graph();
  tf::Graph old = tf::get_default_graph();
  tf::constant(1.f, "x");
  tf::reset_default_graph();
  CHECK(!(tf::get_default_graph() == old));
  CHECK(old.get_operation_by_name("x").name() == "x");
  tf::Graph held;
  {
    tf::Graph g;
    auto guard = g.as_default();
    held = tf::get_default_graph();
    tf::constant(2.f, "y");
  }
  CHECK(held.get_operation_by_name("y").type() == "Const");
}

TEST_CASE("graphs made and dropped leave no per-thread scope state behind") {
  auto churn = [](int n) {
    for (int i = 0; i < n; ++i) {
      tf::Graph g;
      auto guard = g.as_default();
      tf::variable_scope s("layer");
      tf::name_scope inner("inner");
      tf::constant(1.f, "c");
    }
  };
  churn(200);  // warm up allocator caches
  const size_t before = mallinfo2().uordblks;
  churn(20000);
  const size_t after = mallinfo2().uordblks;
  // 444 bytes per graph stayed behind before (8.9 MB here); allow noise, not that.
  INFO("heap in use grew by " << (after > before ? after - before : 0) << " bytes");
  CHECK(after < before + 1'000'000);
}

TEST_CASE("5,000 nested scopes name their variables and ops, and close") {
  FreshGraph f;
  std::vector<std::unique_ptr<tf::variable_scope>> scopes;
  std::string path;
  for (int i = 0; i < 5000; ++i) {
    scopes.push_back(std::make_unique<tf::variable_scope>("s"));
    path += (i ? "/s" : "s");
  }
  CHECK(tf::get_variable("v", {1}).name() == path + "/v:0");
  CHECK(tf::zeros({1}).op().name() == path + "/zeros");
  while (!scopes.empty()) scopes.pop_back();
  CHECK(tf::get_variable_scope().name() == "");
  CHECK(tf::zeros({1}).op().name() == "zeros");
}

TEST_CASE("each new thread starts with fresh scope state, whatever thread id it gets") {
  // std::thread::id is reused once a thread is joined; per-thread state keyed
  // by it passed the first thread's default_name counts to the next.
  FreshGraph f;
  for (int i = 0; i < 4; ++i) {
    std::string name;
    std::thread([&] {
      auto guard = f.g.as_default();
      tf::variable_scope s(tf::VariableScopeOptions{.default_name = "layer"});
      name = s.name();
    }).join();
    CHECK(name == "layer");
  }
}
