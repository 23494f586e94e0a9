// Imported TF.js graph models on minitf: import each model, run it at the
// given batches and thread counts, print one CSV line per row in the format
// of benchmarks/tfjs/bench.mjs (so benchmarks/import/run.sh can put both in
// one table), plus the FMA peak and the convolution part's GFLOP/s.
//
//   import_bench [--runs N] [--warmup N] [--batches 1,8] [--threads 1,2] [--check DIR] name=model.json ...
//
// --check DIR compares each model's outputs, at batch 1, with TensorFlow.js's
// on the same input (tools/tfjs/model_outputs.mjs writes DIR/<name>.json,
// <name>.input.bin and <name>.out<k>.bin) and prints the largest difference
// relative to each output's largest magnitude.
#include <minitf/minitf.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "../problem.h"

namespace tf = minitf;

namespace {

std::vector<int> ints(const std::string& csv) {
  std::vector<int> out;
  std::stringstream s(csv);
  for (std::string item; std::getline(s, item, ',');) out.push_back(std::stoi(item));
  return out;
}

// Multiply-adds x2 of the convolutions and matmuls, from the planned shapes.
double conv_flops(const tf::Graph& g) {
  double flops = 0;
  for (const tf::Operation& op : g.operations()) {
    const std::string& t = op.type();
    if (t == "Conv2D" || t == "_FusedConv2D" || t == "DepthwiseConv2dNative" ||
        t == "_FusedDepthwiseConv2dNative") {
      const tf::Shape& out = op.output(0).shape();
      const tf::Shape& filter = op.inputs()[1].shape();
      const bool depthwise = t.find("Depthwise") != std::string::npos;
      flops += 2.0 * double(out.num_elements()) * double(filter.dim(0) * filter.dim(1)) *
               (depthwise ? 1.0 : double(filter.dim(2)));
    } else if (t == "MatMul" || t == "_FusedMatMul") {
      const tf::Shape& a = op.inputs()[0].shape();
      flops += 2.0 * double(op.output(0).shape().num_elements()) * double(a.dim(a.rank() - 1));
    }
  }
  return flops;
}

struct Row {
  std::string note;
  double median_ms = 0, min_ms = 0, gflop = 0;
};

Row run_model(const tf::GraphDef& gd, int batch, int threads, int warmup, int runs) {
  tf::Graph g;
  auto guard = g.as_default();
  std::string input_name;
  tf::Shape input_shape;
  for (const tf::NodeDef& n : gd.node) {
    if (n.op != "Placeholder") continue;
    input_name = n.name;
    input_shape = std::get<tf::Shape>(n.attr.at("shape"));
    break;
  }
  std::vector<int64_t> dims = input_shape.dims();
  if (dims.empty()) return {"no input placeholder"};
  if (dims[0] != -1 && dims[0] != batch) {
    return {"input shape fixed at " + input_shape.to_string() + " in the graph"};
  }
  dims[0] = batch;
  auto x = tf::placeholder(tf::float32, tf::Shape(dims), "x");
  std::vector<std::string> outputs;
  std::vector<bool> consumed(gd.node.size(), false);
  // The model's outputs: the nodes nobody reads (TF.js graph models end in Identity nodes).
  for (const tf::NodeDef& n : gd.node) {
    for (const std::string& in : n.input) {
      const std::string name = in.substr(in[0] == '^' ? 1 : 0, in.find(':') == std::string::npos
                                                                   ? std::string::npos
                                                                   : in.find(':') - (in[0] == '^' ? 1 : 0));
      for (size_t i = 0; i < gd.node.size(); ++i) {
        if (gd.node[i].name == name) consumed[i] = true;
      }
    }
  }
  for (size_t i = 0; i < gd.node.size(); ++i) {
    if (!consumed[i] && gd.node[i].op != "Const" && gd.node[i].op != "Placeholder")
      outputs.push_back(gd.node[i].name + ":0");
  }
  std::vector<tf::Output> fetches;
  try {
    for (const auto& e : tf::import_graph_def(
             gd, {.name = "m", .input_map = {{input_name + ":0", x}}, .return_elements = outputs})) {
      fetches.push_back(e.output());
    }
  } catch (const tf::Error& e) {
    return {std::string("import failed: ") + e.what()};
  }
  tf::Tensor input(tf::float32, tf::Shape(dims));
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (float& v : input.data<float>()) v = u(rng);
  tf::Session sess(g, {.num_threads = threads});
  std::vector<double> ms;
  for (int r = 0; r < warmup + runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    const auto outs = sess.run(fetches, {{x, input}});
    const double t =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (r >= warmup) ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  return {"", ms[ms.size() / 2], ms[0], conv_flops(g) / 1e9};
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One model against TF.js's outputs of DIR/<name>.*: prints "# check,name,output,relative error".
void check_model(const std::string& name, const tf::GraphDef& gd, const std::string& dir) {
  std::ifstream manifest_file(dir + "/" + name + ".json");
  if (!manifest_file) {
    std::printf("# check,%s,,no reference in %s\n", name.c_str(), dir.c_str());
    return;
  }
  const nlohmann::json m = nlohmann::json::parse(manifest_file);
  tf::Graph g;
  auto guard = g.as_default();
  const tf::Shape shape(m["input"]["shape"].get<std::vector<int64_t>>());
  auto x = tf::placeholder(tf::float32, shape, "x");
  std::vector<std::string> names;
  for (const auto& o : m["outputs"]) names.push_back(o["name"].get<std::string>() + ":0");
  std::vector<tf::Output> fetches;
  try {
    for (const auto& e :
         tf::import_graph_def(gd, {.name = "m",
                                  .input_map = {{m["input"]["name"].get<std::string>() + ":0", x}},
                                  .return_elements = names})) {
      fetches.push_back(e.output());
    }
  } catch (const tf::Error& e) {
    std::printf("# check,%s,,import failed\n", name.c_str());
    return;
  }
  tf::Tensor input(tf::float32, shape);
  const std::string in_bytes = read_bytes(dir + "/" + name + ".input.bin");
  if (in_bytes.size() != input.num_bytes()) {
    std::printf("# check,%s,,input file has %zu bytes for %s\n", name.c_str(), in_bytes.size(),
                shape.to_string().c_str());
    return;
  }
  std::memcpy(input.raw(), in_bytes.data(), in_bytes.size());
  tf::Session sess(g, {.num_threads = 1});
  const auto outs = sess.run(fetches, {{x, input}});
  for (size_t k = 0; k < outs.size(); ++k) {
    const auto& o = m["outputs"][k];
    const std::string want_bytes = read_bytes(dir + "/" + name + ".out" + std::to_string(k) + ".bin");
    tf::Tensor got = outs[k];
    if (got.dtype() != tf::float32) got = tf::Session(g).run(tf::cast(fetches[k], tf::float32), {{x, input}});
    double worst = 0;
    if (want_bytes.size() != got.num_bytes()) {
      worst = INFINITY;
    } else {
      const auto* want = reinterpret_cast<const float*>(want_bytes.data());
      const auto v = got.data<float>();
      for (size_t i = 0; i < v.size(); ++i) {
        const double d = std::abs(double(v[i]) - want[i]);
        worst = std::isnan(d) ? INFINITY : std::max(worst, d);
      }
      worst /= std::max(o["maxabs"].get<double>(), 1e-30);
    }
    std::printf("# check,%s,%s %s,%.3g\n", name.c_str(), o["name"].get<std::string>().c_str(),
                got.shape().to_string().c_str(), worst);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 30, warmup = 5;
  std::vector<int> batches{1, 8}, threads{1, 2};
  std::vector<std::pair<std::string, std::string>> models;
  std::string check_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--runs") {
      runs = std::stoi(next());
    } else if (a == "--warmup") {
      warmup = std::stoi(next());
    } else if (a == "--batches") {
      batches = ints(next());
    } else if (a == "--threads") {
      threads = ints(next());
    } else if (a == "--check") {
      check_dir = next();
    } else if (a.find('=') != std::string::npos) {
      models.emplace_back(a.substr(0, a.find('=')), a.substr(a.find('=') + 1));
    } else {
      std::cerr << "import_bench: unknown argument " << a << "\n";
      return 1;
    }
  }
  for (int t : threads) std::printf("# fma_peak_gflops,%d,%.1f\n", t, bench::measure_fma_peak(t));
  std::printf("model,batch,backend,threads,runs,median_ms,min_ms,note,conv_gflop\n");
  for (const auto& [name, path] : models) {
    tf::GraphDef gd;
    try {
      gd = tf::read_graph_def(path);
    } catch (const tf::Error& e) {
      std::printf("%s,,minitf,,0,,,read failed: %s,\n", name.c_str(), e.what());
      continue;
    }
    if (!check_dir.empty()) check_model(name, gd, check_dir);
    for (int b : batches) {
      for (int t : threads) {
        const Row r = run_model(gd, b, t, warmup, runs);
        if (!r.note.empty()) {
          std::string note = r.note;
          std::replace(note.begin(), note.end(), ',', ';');
          std::replace(note.begin(), note.end(), '\n', ' ');
          std::printf("%s,%d,minitf,%d,0,,,%s,\n", name.c_str(), b, t, note.c_str());
        } else {
          std::printf("%s,%d,minitf,%d,%d,%.3f,%.3f,,%.4f\n", name.c_str(), b, t, runs, r.median_ms, r.min_ms,
                      r.gflop);
        }
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
