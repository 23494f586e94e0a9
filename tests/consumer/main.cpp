// Builds against minitf with nothing but its one header, then checks a name and a value.
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
  return x.op().name() == "foo/add" && v.name() == "foo/v:0" && value == 1.5f ? 0 : 1;
}
