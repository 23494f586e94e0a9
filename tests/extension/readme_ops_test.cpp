// The README's list of ops is the registry's: an op added without a line in
// the README (or a line left after an op is gone) fails here.
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <minitf/ops/op_def.h>

#include "test_util.h"

TEST_CASE("README lists every registered op type, and only those") {
  const char* root = std::getenv("MINITF_SOURCE_DIR");
  REQUIRE(root != nullptr);
  std::ifstream in(std::string(root) + "/README.md");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const auto begin = readme.find("<!-- ops: begin -->");
  const auto end = readme.find("<!-- ops: end -->");
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  const std::string list = readme.substr(begin, end - begin);
  std::set<std::string> listed;
  // Every `Name` in backticks (no <regex>: it costs a minute of compile time under ASan).
  for (size_t open = list.find('`'); open != std::string::npos; open = list.find('`', open + 1)) {
    const size_t close = list.find('`', open + 1);
    if (close == std::string::npos) break;
    listed.insert(list.substr(open + 1, close - open - 1));
    open = close;
  }
  std::set<std::string> registered;
  for (const std::string& type : tf::registered_op_types()) registered.insert(type);
  for (const auto& type : registered) {
    INFO("op type " << type << " is registered but not listed in README.md");
    CHECK(listed.count(type) == 1);
  }
  for (const auto& type : listed) {
    INFO("README.md lists " << type << ", which is not a registered op type");
    CHECK(registered.count(type) == 1);
  }
}
