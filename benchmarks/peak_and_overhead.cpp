// The machine's FP32 peak (independent FMA chains on every thread) and the
// executor-overhead chain of tiny adds for minitf, oneDNN and a plain loop.
#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <oneapi/dnnl/dnnl.hpp>
#include <thread>

#include <minitf/minitf.h>

#include "problem.h"

namespace bench {
namespace {

namespace tf = minitf;
using Clock = std::chrono::steady_clock;

constexpr int kChains = 12;  // enough independent FMAs to cover latency x ports

__attribute__((target("avx2,fma"))) float fma_avx2(int64_t iters) {
  __m256 acc[kChains];
  for (int j = 0; j < kChains; ++j) acc[j] = _mm256_set1_ps(float(j));
  const __m256 a = _mm256_set1_ps(0.9999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iters; ++i) {
    for (int j = 0; j < kChains; ++j) acc[j] = _mm256_fmadd_ps(acc[j], a, b);
  }
  __m256 s = acc[0];
  for (int j = 1; j < kChains; ++j) s = _mm256_add_ps(s, acc[j]);
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0];
}

__attribute__((target("avx512f"))) float fma_avx512(int64_t iters) {
  __m512 acc[kChains];
  for (int j = 0; j < kChains; ++j) acc[j] = _mm512_set1_ps(float(j));
  const __m512 a = _mm512_set1_ps(0.9999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < iters; ++i) {
    for (int j = 0; j < kChains; ++j) acc[j] = _mm512_fmadd_ps(acc[j], a, b);
  }
  __m512 s = acc[0];
  for (int j = 1; j < kChains; ++j) s = _mm512_add_ps(s, acc[j]);
  return _mm512_reduce_add_ps(s);
}

template <class F>
double best_seconds(int repeats, F f) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

volatile float sink;

}  // namespace

double measure_fma_peak(int threads) {
  const bool wide = __builtin_cpu_supports("avx512f");
  const int lanes = wide ? 16 : 8;
  constexpr int64_t kIters = 200'000'000 / kChains;
  const double seconds = best_seconds(5, [&] {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] { sink = wide ? fma_avx512(kIters) : fma_avx2(kIters); });
    }
    for (auto& th : pool) th.join();
  });
  return double(threads) * double(kIters) * kChains * lanes * 2.0 / seconds / 1e9;
}

std::vector<OverheadResult> measure_overhead(int threads, int ops) {
  std::vector<OverheadResult> results;
  constexpr int kWidth = 16, kRepeats = 50;
  // minitf: a graph of `ops` chained adds, run as one Session::run.
  {
    tf::Graph g;
    auto guard = g.as_default();
    auto x = tf::placeholder(tf::float32, {kWidth}, "x");
    auto one = tf::constant(std::vector<float>(kWidth, 1.f), {kWidth});
    tf::Output y = x;
    for (int i = 0; i < ops; ++i) y = y + one;
    tf::Session sess(g, {.num_threads = threads});
    const tf::FeedDict feed{{x, tf::Tensor(tf::float32, {kWidth})}};
    sess.run(y, feed);
    const double s = best_seconds(kRepeats, [&] { sink = sess.run(y, feed).data<float>()[0]; });
    results.push_back({"minitf Session::run", s / ops * 1e9});
  }
  // oneDNN: a binary add primitive made once, executed `ops` times.
  {
    omp_set_num_threads(threads);
    dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(eng);
    dnnl::memory::desc md({kWidth}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
    dnnl::binary add(
        dnnl::binary::primitive_desc(dnnl::binary::desc(dnnl::algorithm::binary_add, md, md, md), eng));
    dnnl::memory a(md, eng), b(md, eng), c(md, eng);
    const double s = best_seconds(kRepeats, [&] {
      for (int i = 0; i < ops; ++i)
        add.execute(stream,
                    {{DNNL_ARG_SRC_0, i % 2 ? c : a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, i % 2 ? a : c}});
      stream.wait();
    });
    results.push_back({"oneDNN binary primitive", s / ops * 1e9});
  }
  // A plain loop: the floor.
  {
    std::vector<float> v(kWidth, 0.f), one(kWidth, 1.f);
    const double s = best_seconds(kRepeats, [&] {
      for (int i = 0; i < ops; ++i) {
        for (int j = 0; j < kWidth; ++j) v[j] += one[j];
        asm volatile("" : : "r"(v.data()) : "memory");
      }
    });
    results.push_back({"plain C++ loop", s / ops * 1e9});
  }
  return results;
}

}  // namespace bench
