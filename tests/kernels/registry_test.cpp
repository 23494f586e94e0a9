// Every op the graph layer can build has a CPU kernel to run it.
#include <minitf/kernels/kernel.h>
#include <minitf/ops/op_def.h>

#include "test_util.h"

TEST_CASE("every registered op type has a built-in kernel") {
  const auto types = minitf::registered_op_types();
  REQUIRE(types.size() >= 15);
  for (const std::string& type : types) {
    INFO(type);
    CHECK(minitf::kernels::kernel_registry().has(type));
  }
  REQUIRE_THROWS_MATCHES(minitf::kernels::kernel_registry().create({"n", "NoSuchOp", {}, {}}),
                         tf::NotFoundError, Has("No CPU kernel for op 'n' of type NoSuchOp"));
}
