// BlazeFace (MediaPipe's face detector as a TF.js graph model, vendored in
// tests/data/blazeface) imported and run, against TensorFlow.js 4.22's cpu
// backend on the same input (tools/tfjs/blazeface_reference.mjs wrote the
// reference: every output whole, every intermediate node's output 0 whole or
// as 1024 strided samples).
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_util.h"

namespace {

std::string data_dir() {
  const char* root = std::getenv("MINITF_SOURCE_DIR");
  return std::string(root ? root : ".") + "/tests/data/blazeface/";
}

struct Reference {
  std::map<std::string, tf::Tensor> tensors;
  nlohmann::json meta;  // key -> parsed JSON of __metadata__
  std::vector<std::string> outputs;
};

Reference load_reference() {
  std::ifstream in(data_dir() + "reference.safetensors", std::ios::binary);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  const std::string bytes = s.str();
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  const char* data = bytes.data() + 8 + n;
  Reference r;
  for (const auto& [key, v] : header.items()) {
    if (key == "__metadata__") {
      for (const auto& [mk, mv] : v.items()) {
        // JSON text, except the plain strings (backend, rules in words).
        r.meta[mk] = nlohmann::json::parse(mv.get<std::string>(), nullptr, false);
        if (r.meta[mk].is_discarded()) r.meta[mk] = mv;
      }
      continue;
    }
    std::vector<int64_t> dims = v["shape"].get<std::vector<int64_t>>();
    tf::Tensor t(tf::float32, tf::Shape(dims));
    const auto begin = v["data_offsets"][0].get<size_t>();
    REQUIRE(v["data_offsets"][1].get<size_t>() - begin == t.num_bytes());
    std::memcpy(t.raw(), data + begin, t.num_bytes());
    r.tensors[key] = t;
  }
  r.outputs = r.meta["outputs"].get<std::vector<std::string>>();
  return r;
}

// Largest |got - want| over the reference's elements (strided samples of a
// large node), relative to the reference's largest magnitude over the full tensor.
double relative_error(const tf::Tensor& got, const tf::Tensor& want, const nlohmann::json& meta) {
  const auto g = got.data<float>();
  const auto w = want.data<float>();
  const auto stride = meta["stride"].get<size_t>();
  REQUIRE(static_cast<int64_t>(g.size()) == meta.value("numel", static_cast<int64_t>(g.size())));
  REQUIRE(got.shape().dims() == meta["shape"].get<std::vector<int64_t>>());
  double worst = 0;
  for (size_t k = 0; k < w.size(); ++k) {
    REQUIRE(k * stride < g.size());
    const double d = std::abs(static_cast<double>(g[k * stride]) - w[k]);
    worst = std::isnan(d) ? INFINITY : std::max(worst, d);
  }
  return worst / std::max(meta["maxabs"].get<double>(), 1e-30);
}

constexpr double kTolerance = 1e-4;

struct Imported {
  tf::Output input;
  std::vector<tf::Output> outputs;
};

Imported import_blazeface(const Reference& ref) {
  const tf::GraphDef gd = tf::read_graph_def(data_dir() + "blazeface.json");
  std::vector<std::string> names{"input:0"};
  for (const auto& o : ref.outputs) names.push_back(o + ":0");
  const auto r = tf::import_graph_def(gd, {.name = "blazeface", .return_elements = names});
  Imported m{r[0], {}};
  for (size_t i = 1; i < r.size(); ++i) m.outputs.push_back(r[i]);
  return m;
}

}  // namespace

TEST_CASE("BlazeFace imports from its TF.js files with TF's node names") {
  const tf::GraphDef gd = tf::read_graph_def(data_dir() + "blazeface.json");
  std::map<std::string, int> ops;
  for (const auto& n : gd.node) ++ops[n.op];
  CHECK(ops["_FusedConv2D"] > 0);
  CHECK(ops["DepthwiseConv2dNative"] > 0);
  FreshGraph fg;
  const Reference ref = load_reference();
  const Imported m = import_blazeface(ref);
  CHECK(m.input.shape() == tf::Shape{1, 256, 256, 3});
  CHECK(m.outputs[0].name() == "blazeface/Identity_3:0");
  CHECK(m.outputs[0].shape() == tf::Shape{1, 384, 16});
  CHECK(m.outputs[1].shape() == tf::Shape{1, 512, 1});
  CHECK(fg.g.get_operation_by_name("blazeface/StatefulPartitionedCall/functional_1/conv2d/Relu").type() ==
        "_FusedConv2D");
}

TEST_CASE("BlazeFace matches TensorFlow.js on every output and intermediate node in every session mode") {
  FreshGraph fg;
  const Reference ref = load_reference();
  const Imported m = import_blazeface(ref);
  std::vector<tf::Output> fetches = m.outputs;
  std::vector<std::string> keys;
  for (const auto& o : ref.outputs) keys.push_back("output:" + o);
  for (const auto& [key, t] : ref.tensors) {
    if (!key.starts_with("node:")) continue;
    fetches.push_back(fg.g.get_tensor_by_name("blazeface/" + key.substr(5) + ":0"));
    keys.push_back(key);
  }
  CHECK(keys.size() > 140);
  for (bool fuse : {false, true}) {
    for (bool arena : {false, true}) {
      for (auto branches : {tf::Branches::Serial, tf::Branches::Parallel}) {
        for (int threads : {1, 2}) {
          tf::Session s(fg.g, {threads, fuse, arena, branches});
          const auto got = s.run(fetches, {{m.input, ref.tensors.at("input")}});
          for (size_t i = 0; i < got.size(); ++i) {
            nlohmann::json meta = ref.meta[keys[i]];
            if (!meta.contains("stride")) meta["stride"] = 1;
            INFO(keys[i] << " fuse=" << fuse << " arena=" << arena
                         << " parallel=" << (branches == tf::Branches::Parallel) << " threads=" << threads);
            CHECK(relative_error(got[i], ref.tensors.at(keys[i]), meta) <= kTolerance);
          }
        }
      }
    }
  }
}

TEST_CASE("BlazeFace's outputs match TensorFlow.js in every mode of the mode matrix, run after run") {
  FreshGraph fg;
  const Reference ref = load_reference();
  const Imported m = import_blazeface(ref);
  const tf::Tensor& input = ref.tensors.at("input");
  for (bool fuse : {false, true}) {
    for (bool arena : {false, true}) {
      for (auto branches : {tf::Branches::Serial, tf::Branches::Parallel}) {
        for (int threads : {1, 2}) {
          tf::Session s(fg.g, {threads, fuse, arena, branches});
          // Run 0 on a new buffer, run 1 on the same buffer with other values,
          // run 2 on that buffer mutated back to the reference input.
          tf::Tensor feed = input.clone();
          for (int run = 0; run < 3; ++run) {
            auto v = feed.data<float>();
            const auto ref_v = input.data<float>();
            for (size_t i = 0; i < v.size(); ++i) v[i] = run == 1 ? -ref_v[i] : ref_v[i];
            const auto got = s.run(m.outputs, {{m.input, feed}});
            if (run == 1) continue;
            for (size_t i = 0; i < got.size(); ++i) {
              const std::string key = "output:" + ref.outputs[i];
              nlohmann::json meta = ref.meta[key];
              meta["stride"] = 1;
              INFO(key << " fuse=" << fuse << " arena=" << arena << " parallel="
                       << (branches == tf::Branches::Parallel) << " threads=" << threads << " run " << run);
              CHECK(relative_error(got[i], ref.tensors.at(key), meta) <= kTolerance);
            }
          }
        }
      }
    }
  }
}
