// The model benchmark: TF's cifar10 inference model (batch 1 and 32) and an
// LSTM of 128 units over 20 steps (batch 1 and 64) in minitf and libtorch,
// same weights, same threads, one run. Writes a Markdown table.
//
//   model_bench [--markdown=FILE] [--repetitions=N] [google benchmark flags]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "../problem.h"
#include "models.h"

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

}  // namespace

int main(int argc, char** argv) {
  std::string md_path = "model-results.md";
  int repetitions = 5;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--markdown=", 0) == 0) {
      md_path = a.substr(11);
    } else if (a.rfind("--repetitions=", 0) == 0) {
      repetitions = std::stoi(a.substr(14));
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());

  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<int> thread_counts{1};
  if (cores > 1) thread_counts.push_back(cores);
  const std::vector<models::Model> shapes{{"cifar10", 1}, {"cifar10", 32}, {"lstm", 1}, {"lstm", 64}};

  std::map<int, double> peak;
  for (int t : thread_counts) peak[t] = bench::measure_fma_peak(t);

  struct Key {
    models::Model model;
    int threads;
    std::string contestant;
  };
  std::vector<std::pair<std::string, Key>> keys;
  std::vector<std::shared_ptr<models::Contestant>> alive;
  for (const auto& m : shapes) {
    const auto input = models::make_input(m, 7);
    for (int t : thread_counts) {
      models::Weights weights;
      std::shared_ptr<models::Contestant> mine = models::make_minitf(m, t, input, weights);
      std::shared_ptr<models::Contestant> torch = models::make_torch(m, t, input, weights);
      mine->run();
      const auto want = mine->output();
      std::vector<std::pair<std::string, std::shared_ptr<models::Contestant>>> list{{"minitf", mine}};
      if (torch) {
        torch->run();
        const auto got = torch->output();
        double diff = 0, scale = 1e-30;
        for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
          diff = std::max(diff, double(std::fabs(got[i] - want[i])));
          scale = std::max(scale, double(std::fabs(want[i])));
        }
        if (got.size() != want.size() || diff / scale > 1e-4) {
          std::cerr << "libtorch differs from minitf on " << m.label() << ": " << diff / scale << "\n";
          return 1;
        }
        list.emplace_back("libtorch", torch);
      }
      for (auto& [name, c] : list) {
        alive.push_back(c);
        const std::string id = m.label() + " | " + std::to_string(t) + "t | " + name;
        keys.push_back({id, {m, t, name}});
        benchmark::RegisterBenchmark(id.c_str(),
                                     [c = c](benchmark::State& st) {
                                       for (auto _ : st) c->run();
                                     })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->MinWarmUpTime(0.2)
            ->MinTime(0.05)
            ->Repetitions(repetitions)
            ->ReportAggregatesOnly(true);
      }
    }
  }
  std::cerr << "libtorch (when built) matches minitf's outputs (max relative difference <= 1e-4)\n";
  MedianReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  std::map<std::string, double> minitf_ms;
  for (const auto& [id, k] : keys) {
    if (k.contestant == "minitf" && reporter.medians.count(id))
      minitf_ms[k.model.label() + std::to_string(k.threads)] = reporter.medians[id];
  }
  std::ofstream md(md_path);
  md << "| model | threads | contestant | ms / run | GFLOP/s (conv + matmul) | % of FMA peak | time vs "
        "minitf |\n"
     << "| --- | ---: | --- | ---: | ---: | ---: | ---: |\n";
  for (const auto& [id, k] : keys) {
    if (!reporter.medians.count(id)) continue;
    const double ms = reporter.medians[id];
    const double gflops = k.model.flops() / (ms * 1e-3) / 1e9;
    md << "| " << k.model.label() << " | " << k.threads << " | " << k.contestant << " | " << fixed(ms, 3)
       << " | " << fixed(gflops, 1) << " | " << fixed(100 * gflops / peak[k.threads], 0) << "% | "
       << fixed(ms / minitf_ms[k.model.label() + std::to_string(k.threads)], 2) << "x |\n";
  }
  md << "\nFMA peak measured in the same run:";
  for (int t : thread_counts) md << " " << fixed(peak[t], 1) << " GFLOP/s on " << t << " thread(s);";
  md << "\n";
  return 0;
}
