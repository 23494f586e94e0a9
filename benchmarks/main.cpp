// minitf's benchmark: the reference text's shared-weight image filter on every
// contestant, side by side, in one run on one machine. Writes a Markdown table
// and gnuplot data. Run it through benchmarks/run.sh.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "problem.h"

namespace {

using bench::Entry;
using bench::Problem;

struct Row {
  std::string shape;
  int threads;
  std::string contestant;
  double ms, gflops, peak_pct, ratio;
};

// Collects the median of each benchmark's repetitions.
class MedianReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.aggregate_name == "median") medians[r.run_name.function_name] = r.GetAdjustedRealTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> medians;  // in ms
};

// Largest |a - b| over max |b|: the outputs must agree before anything is timed.
double max_rel_diff(const float* a, const float* b, int64_t n) {
  double diff = 0, scale = 1e-30;
  for (int64_t i = 0; i < n; ++i) {
    diff = std::max(diff, double(std::fabs(a[i] - b[i])));
    scale = std::max(scale, double(std::fabs(b[i])));
  }
  return diff / scale;
}

std::string fixed(double v, int digits) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(digits);
  os << v;
  return os.str();
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string md_path = "benchmark-results.md", data_prefix = "benchmark";
  int repetitions = 6;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a.rfind("--markdown=", 0) == 0) {
      md_path = a.substr(11);
    } else if (a.rfind("--data=", 0) == 0) {
      data_prefix = a.substr(7);
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
  std::vector<std::pair<int64_t, int64_t>> shapes{{1, 32}, {1, 64}, {1, 128}, {8, 32}, {8, 64}, {8, 128}};
  if (quick) shapes = {{1, 32}};

  std::vector<Entry> entries;
  for (auto list : {bench::minitf_entries(), bench::onednn_entries(), bench::torch_entries(),
                    bench::eigen_entries(), bench::naive_entries()}) {
    entries.insert(entries.end(), list.begin(), list.end());
  }

  std::map<int, double> peak;
  for (int t : thread_counts) {
    peak[t] = bench::measure_fma_peak(t);
    std::cerr << "FMA peak, " << t << " thread(s): " << fixed(peak[t], 1) << " GFLOP/s\n";
  }

  std::vector<std::unique_ptr<Problem>> problems;
  std::vector<std::shared_ptr<bench::Contestant>> alive;
  struct Key {
    std::string shape;
    int threads;
    std::string contestant;
    double flops;
  };
  std::map<std::string, Key> keys;
  for (auto [batch, size] : shapes) {
    problems.push_back(std::make_unique<Problem>(batch, size, 1234));
    const Problem& p = *problems.back();
    for (int t : thread_counts) {
      std::vector<const float*> reference;
      std::shared_ptr<bench::Contestant> first;
      for (const Entry& e : entries) {
        if (e.small_only && !(batch == 1 && size <= 32)) continue;
        std::shared_ptr<bench::Contestant> c = e.make(p, t);
        c->run();  // warm-up, and the outputs to compare
        const auto outs = c->outputs();
        if (!first) {
          first = c;
          reference = outs;
        } else {
          for (int i = 0; i < 2; ++i) {
            const double d = max_rel_diff(outs[static_cast<size_t>(i)], reference[static_cast<size_t>(i)],
                                          p.image_elements());
            if (d > 1e-4) {
              std::cerr << e.name << " differs from minitf on " << p.shape_name() << ": " << d << "\n";
              return 1;
            }
          }
        }
        alive.push_back(c);
        const std::string name = p.shape_name() + " | " + std::to_string(t) + "t | " + e.name;
        keys[name] = {p.shape_name(), t, e.name, p.flops()};
        benchmark::RegisterBenchmark(name.c_str(),
                                     [c](benchmark::State& st) {
                                       for (auto _ : st) c->run();
                                     })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->MinWarmUpTime(0.2)  // threads left spinning by the previous contestant settle first
            ->MinTime(0.05)
            ->Repetitions(repetitions)
            ->ReportAggregatesOnly(true);
      }
    }
  }
  std::cerr << "every contestant matches minitf's outputs (max relative difference <= 1e-4)\n";

  MedianReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  std::vector<Row> rows;
  std::map<std::pair<std::string, int>, double> minitf_ms;
  for (const auto& [name, k] : keys) {
    auto median = reporter.medians.find(name);
    if (k.contestant == "minitf" && median != reporter.medians.end()) {
      minitf_ms[{k.shape, k.threads}] = median->second;
    }
  }
  for (auto [batch, size] : shapes) {
    const std::string shape = Problem(batch, size, 0).shape_name();
    for (int t : thread_counts) {
      for (const Entry& e : entries) {
        const std::string name = shape + " | " + std::to_string(t) + "t | " + e.name;
        if (!keys.count(name) || !reporter.medians.count(name)) continue;  // filtered out
        const double ms = reporter.medians[name];
        const double gflops = keys[name].flops / (ms * 1e-3) / 1e9;
        rows.push_back({shape, t, e.name, ms, gflops, 100.0 * gflops / peak[t], ms / minitf_ms[{shape, t}]});
      }
    }
  }

  std::ofstream md(md_path);
  md << "| shape | threads | contestant | ms / run | GFLOP/s | % of peak | time vs minitf |\n"
     << "| --- | ---: | --- | ---: | ---: | ---: | ---: |\n";
  for (const Row& r : rows) {
    md << "| " << r.shape << " | " << r.threads << " | " << r.contestant << " | " << fixed(r.ms, 3) << " | "
       << fixed(r.gflops, 1) << " | " << fixed(r.peak_pct, 0) << "% | " << fixed(r.ratio, 2) << "x |\n";
  }
  md << "\nFMA peak measured in the same run:";
  for (int t : thread_counts)
    md << " " << fixed(peak[t], 1) << " GFLOP/s on " << t << " thread" << (t > 1 ? "s" : "") << ";";
  md << "\n\n### Executor overhead: a chain of 1,000 adds of 16 floats\n\n"
     << "| threads | contestant | ns per op |\n| ---: | --- | ---: |\n";
  for (int t : thread_counts) {
    auto results = bench::measure_overhead(t, 1000);
    for (auto& r : bench::torch_overhead(t, 1000)) results.push_back(r);
    for (const auto& r : results)
      md << "| " << t << " | " << r.name << " | " << fixed(r.ns_per_op, 0) << " |\n";
  }

  // gnuplot data: one file per thread count, a row per shape, a column per contestant.
  for (int t : thread_counts) {
    std::ofstream dat(data_prefix + "-" + std::to_string(t) + "t.dat");
    dat << "shape";
    for (const Entry& e : entries) {
      if (!e.small_only) dat << " \"" << e.name << "\"";
    }
    dat << "\n";
    for (auto [batch, size] : shapes) {
      const std::string shape = Problem(batch, size, 0).shape_name();
      dat << "\"" << shape << "\"";
      for (const Entry& e : entries) {
        if (e.small_only) continue;
        for (const Row& r : rows) {
          if (r.shape == shape && r.threads == t && r.contestant == e.name) dat << " " << fixed(r.gflops, 2);
        }
      }
      dat << "\n";
    }
  }
  return 0;
}
