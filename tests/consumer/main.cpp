// Builds against minitf with nothing but its installed headers (the one header
// users need, and the extension header), then checks a name and a value.
#include <minitf/extension.h>
#include <minitf/minitf.h>

#include <iostream>

namespace tf = minitf;

int main() {
  tf::Output x;
  tf::Variable v;
  {
    tf::variable_scope foo("foo", {.initializer = tf::constant_initializer(0.5f)});
    v = tf::get_variable("v", {1});
    x = 1.0f + v;
  }
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const float value = sess.run(x).scalar<float>();
  std::cout << x.op().name() << " = " << value << "\n";
  const bool extensible = tf::find_op_def("Conv2D") != nullptr && tf::kernels::kernel_registry().has("Conv2D");
  return x.op().name() == "foo/add" && v.name() == "foo/v:0" && value == 1.5f && extensible ? 0 : 1;
}
