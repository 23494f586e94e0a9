// The training benchmark: TF's layers-tutorial convnet on 28x28x1 images,
// one training step (forward, backward, Adam) in minitf and libtorch, batch
// 100 and 32, 1 and every thread, one run; plus sub-graph runs (loss only,
// backward data, all gradients) that split a step's time. Writes a Markdown table.
//
//   train_bench [--markdown=FILE] [--repetitions=N] [--batches=100,32] [google benchmark flags]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>
#include <tuple>

#include "../problem.h"
#include "train.h"

namespace train {

Batch make_batch(int64_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> pixel(0.f, 1.f);
  std::uniform_int_distribution<int32_t> label(0, kClasses - 1);
  Batch b{size, std::vector<float>(static_cast<size_t>(size * kImage * kImage)),
          std::vector<int32_t>(static_cast<size_t>(size))};
  for (float& p : b.images) p = pixel(rng);
  for (int32_t& l : b.labels) l = label(rng);
  return b;
}

double step_flops(int64_t batch) {
  const double conv1 = 2.0 * kImage * kImage * 25 * 1 * 32, conv2 = 2.0 * 14 * 14 * 25 * 32 * 64,
               dense = 2.0 * 7 * 7 * 64 * 1024, logits = 2.0 * 1024 * kClasses;
  const double forward = conv1 + conv2 + dense + logits;
  // Weight gradients cost a forward; data gradients too, except the images' (conv1).
  return static_cast<double>(batch) * (forward + forward + (forward - conv1));
}

const char* part_name(Part p) {
  switch (p) {
    case Part::Forward: return "loss only";
    case Part::BackwardData: return "+ backward data";
    case Part::Backward: return "+ all gradients";
    case Part::Step: return "train step";
  }
  return "?";
}

}  // namespace train

namespace {

class MedianReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.aggregate_name == "median") medians[r.run_name.function_name] = r.GetAdjustedRealTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> medians;  // ms
};

std::string fixed(double v, int digits) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(digits);
  os << v;
  return os.str();
}

// max |a - b| / max |a| over one tensor.
double relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double diff = 0, scale = 1e-30;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, double(std::fabs(a[i] - b[i])));
    scale = std::max(scale, double(std::fabs(a[i])));
  }
  return diff / scale;
}

std::vector<int64_t> parse_list(const std::string& s) {
  std::vector<int64_t> out;
  std::istringstream is(s);
  for (std::string item; std::getline(is, item, ',');) out.push_back(std::stoll(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string md_path = "train-results.md";
  int repetitions = 5;
  std::vector<int64_t> batches{100, 32};
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--markdown=", 0) == 0) {
      md_path = a.substr(11);
    } else if (a.rfind("--repetitions=", 0) == 0) {
      repetitions = std::stoi(a.substr(14));
    } else if (a.rfind("--batches=", 0) == 0) {
      batches = parse_list(a.substr(10));
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());

  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<int> thread_counts{1};
  if (cores > 1) thread_counts.push_back(cores);

  std::map<int, double> peak;
  for (int t : thread_counts) peak[t] = bench::measure_fma_peak(t);

  struct Key {
    int64_t batch;
    int threads;
    std::string contestant;
    train::Part part;
  };
  std::vector<std::pair<std::string, Key>> keys;
  std::vector<std::shared_ptr<train::Contestant>> alive;
  for (int64_t b : batches) {
    const auto data = train::make_batch(b, 7);
    for (int t : thread_counts) {
      train::Weights weights;
      std::shared_ptr<train::Contestant> mine = train::make_minitf(data, t, weights);
      std::shared_ptr<train::Contestant> torch = train::make_torch(data, t, weights);
      std::vector<std::pair<std::string, std::shared_ptr<train::Contestant>>> list{{"minitf", mine}};
      if (torch) {
        // Same model, same weights: the loss and every gradient without dropout agree.
        train::Weights want, got;
        const float want_loss = mine->eval_loss(want), got_loss = torch->eval_loss(got);
        double worst = std::fabs(got_loss - want_loss) / std::fabs(want_loss);
        std::string worst_name = "loss";
        for (const auto& [name, g] : want) {
          const double d = got.count(name) ? relative_difference(g.values, got[name].values) : INFINITY;
          if (d > worst) worst = d, worst_name = name;
        }
        std::cerr << "b" << b << " " << t << "t: loss " << want_loss << " (minitf) " << got_loss
                  << " (libtorch); largest relative difference " << worst << " (" << worst_name << ")\n";
        if (worst > 1e-3) {
          std::cerr << "libtorch differs from minitf\n";
          return 1;
        }
        list.emplace_back("libtorch", torch);
      }
      for (auto& [name, c] : list) {
        alive.push_back(c);
        for (train::Part p : train::kParts) {
          const std::string id =
              "b" + std::to_string(b) + " | " + std::to_string(t) + "t | " + name + " | " + train::part_name(p);
          keys.push_back({id, {b, t, name, p}});
          benchmark::RegisterBenchmark(id.c_str(),
                                       [c = c, p](benchmark::State& st) {
                                         for (auto _ : st) c->run(p);
                                       })
              ->Unit(benchmark::kMillisecond)
              ->UseRealTime()
              ->MinWarmUpTime(0.5)
              ->MinTime(0.2)
              ->Repetitions(repetitions)
              ->ReportAggregatesOnly(true);
        }
      }
    }
  }
  if (const std::string config = train::torch_config(); !config.empty()) std::cerr << config << "\n";
  MedianReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  // ms[batch, threads, contestant][part]
  std::map<std::tuple<int64_t, int, std::string>, std::map<train::Part, double>> ms;
  for (const auto& [id, k] : keys) {
    if (reporter.medians.count(id)) ms[{k.batch, k.threads, k.contestant}][k.part] = reporter.medians[id];
  }
  auto get = [&](int64_t b, int t, const std::string& c, train::Part p) -> double {
    auto it = ms.find({b, t, c});
    if (it == ms.end() || !it->second.count(p)) return NAN;
    return it->second[p];
  };
  std::ofstream md(md_path);
  md << "| batch | threads | contestant | ms / step | images/s | GFLOP/s (conv + matmul) | % of FMA peak | "
        "time vs minitf |\n"
     << "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& [key, parts] : ms) {
    const auto& [b, t, c] = key;
    const double step = get(b, t, c, train::Part::Step);
    if (std::isnan(step)) continue;
    const double gflops = train::step_flops(b) / (step * 1e-3) / 1e9;
    md << "| " << b << " | " << t << " | " << c << " | " << fixed(step, 2) << " | "
       << fixed(static_cast<double>(b) / (step * 1e-3), 0) << " | " << fixed(gflops, 1) << " | "
       << fixed(100 * gflops / peak[t], 0) << "% | " << fixed(step / get(b, t, "minitf", train::Part::Step), 2)
       << "x |\n";
  }
  md << "\nFMA peak measured in the same run:";
  for (int t : thread_counts) md << " " << fixed(peak[t], 1) << " GFLOP/s on " << t << " thread(s);";
  md << "\n\nWhere a step's time goes (ms; medians of sub-graph runs, the parts by subtraction: "
        "forward = loss only; backward data = (+ backward data) - (loss only); backward weights = "
        "(+ all gradients) - (+ backward data); optimizer = (train step) - (+ all gradients)):\n\n"
     << "| batch | threads | contestant | loss only | + backward data | + all gradients | train step | "
        "forward | backward data | backward weights | optimizer |\n"
     << "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& [key, parts] : ms) {
    const auto& [b, t, c] = key;
    const double f = get(b, t, c, train::Part::Forward), bd = get(b, t, c, train::Part::BackwardData),
                 bw = get(b, t, c, train::Part::Backward), s = get(b, t, c, train::Part::Step);
    auto share = [&](double v) { return fixed(v, 2) + " (" + fixed(100 * v / s, 0) + "%)"; };
    md << "| " << b << " | " << t << " | " << c << " | " << fixed(f, 2) << " | " << fixed(bd, 2) << " | "
       << fixed(bw, 2) << " | " << fixed(s, 2) << " | " << share(f) << " | " << share(bd - f) << " | "
       << share(bw - bd) << " | " << share(s - bw) << " |\n";
  }
  return 0;
}
