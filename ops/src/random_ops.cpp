// Random fills (RandomUniform, RandomStandardNormal, TruncatedNormal), TF's
// seed rules and the builders.
#include <minitf/ops/ops.h>

#include "families.h"

namespace minitf {
namespace {

// TF's default graph seed, used when only an op seed is given.
constexpr int64_t kDefaultGraphSeed = 87654321;

OutputSpecs random_shape(const InferenceContext& c) {
  const Shape& s = c.attr<Shape>("shape");
  if (!s.fully_defined()) {
    throw ValueError("Op " + c.what() + " needs a fully defined shape, got " + s.to_string());
  }
  return shape_fns::from_attrs(c);
}

Output make_random(const std::string& type, const Shape& shape, float a, float b, std::optional<int64_t> seed,
                   const std::string& name, const std::string& default_name) {
  Graph g = get_default_graph();
  auto [seed1, seed2] = get_seed(g, seed);
  const bool uniform = type == "RandomUniform";
  if (uniform ? !(b > a) : !(b >= 0.f)) {
    throw ValueError(uniform ? "random_uniform needs minval < maxval, got [" + std::to_string(a) + ", " +
                                   std::to_string(b) + ")"
                             : "A normal distribution needs stddev >= 0, got " + std::to_string(b));
  }
  return make_op(type, name, default_name, {},
                 {{"shape", shape},
                  {"dtype", float32},
                  {uniform ? "minval" : "mean", a},
                  {uniform ? "maxval" : "stddev", b},
                  {"seed", seed1},
                  {"seed2", seed2}});
}

}  // namespace

void register_random_ops(const AddOp& add) {
  auto def = [](const char* type, const char* a, float a_default, const char* b, float b_default) {
    return OpDef(type)
        .output("output")
        .attr("shape", AttrType::kShape)
        .attr("dtype", float32, {float32})
        .attr("seed", int64_t{0})
        .attr("seed2", int64_t{0})
        .attr(a, a_default)
        .attr(b, b_default)
        .set_stateful()
        .shape_fn(random_shape);
  };
  add(def("RandomUniform", "minval", 0.f, "maxval", 1.f));
  add(def("RandomStandardNormal", "mean", 0.f, "stddev", 1.f));
  add(def("TruncatedNormal", "mean", 0.f, "stddev", 1.f));
}

std::pair<int64_t, int64_t> get_seed(Graph& g, std::optional<int64_t> op_seed) {
  const int64_t graph_seed = g.seed();
  std::pair<int64_t, int64_t> seeds{0, 0};
  if (graph_seed >= 0) {
    seeds = {graph_seed, op_seed ? *op_seed : g.next_seed_id()};
  } else if (op_seed) {
    seeds = {kDefaultGraphSeed, *op_seed};
  } else {
    return {0, 0};
  }
  if (seeds.first == 0 && seeds.second == 0) seeds.second = 0x7fffffff;  // as TF: (0, 0) means random
  return seeds;
}

Output random_normal(const Shape& shape, float mean, float stddev, std::optional<int64_t> seed,
                     const OpName& name) {
  return make_random("RandomStandardNormal", shape, mean, stddev, seed, name, "random_normal");
}
Output random_uniform(const Shape& shape, float minval, float maxval, std::optional<int64_t> seed,
                      const OpName& name) {
  return make_random("RandomUniform", shape, minval, maxval, seed, name, "random_uniform");
}
Output truncated_normal(const Shape& shape, float mean, float stddev, std::optional<int64_t> seed,
                        const OpName& name) {
  return make_random("TruncatedNormal", shape, mean, stddev, seed, name, "truncated_normal");
}

}  // namespace minitf
