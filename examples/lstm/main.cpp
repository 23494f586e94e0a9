// A BasicLSTMCell unrolled over 20 steps with tf.nn.static_rnn: one set of
// variables ("rnn/basic_lstm_cell/kernel" and "bias"), reused at every step,
// and a second, evaluation unroll that shares them through reuse. Prints the
// variables and the final state.
//
//   lstm [--units 16] [--steps 20] [--batch 3] [--seed 3]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <minitf/minitf.h>
#include <CLI/CLI.hpp>

namespace tf = minitf;

int main(int argc, char** argv) {
  CLI::App app("An LSTM unrolled over time, with one set of shared variables");
  int64_t units = 16, steps = 20, batch = 3, depth = 2;
  unsigned seed = 3;
  app.add_option("--units", units, "LSTM units")->check(CLI::Range(1, 4096));
  app.add_option("--steps", steps, "time steps")->check(CLI::Range(1, 1000));
  app.add_option("--batch", batch, "sequences per batch")->check(CLI::Range(1, 1024));
  app.add_option("--seed", seed, "graph seed (the variables' initial values)");
  CLI11_PARSE(app, argc, argv);

  try {
    tf::Graph graph;
    auto guard = graph.as_default();
    tf::set_random_seed(seed);
    std::vector<tf::Output> inputs;
    for (int64_t t = 0; t < steps; ++t) {
      inputs.push_back(tf::placeholder(tf::float32, {batch, depth}, "x_" + std::to_string(t)));
    }
    // The first unroll creates the variables (its steps after the first reuse
    // them); a second unroll with a new cell in the same scope, reused, shares them.
    tf::nn::rnn_cell::BasicLSTMCell cell(units), eval_cell(units);
    tf::nn::StaticRNNResult train, eval;
    {
      tf::variable_scope scope("model");
      train = tf::nn::static_rnn(cell, inputs);
    }
    {
      tf::variable_scope scope("model", {.reuse = true});
      eval = tf::nn::static_rnn(eval_cell, inputs);
    }

    std::cout << "variables (" << tf::global_variables().size() << "):\n";
    for (const auto& v : tf::global_variables()) {
      std::printf("  %-28s %s\n", v.op().name().c_str(), v.shape().to_string().c_str());
    }

    tf::Session session(graph);
    session.run(tf::global_variables_initializer());
    // Each sequence: a sine wave and its cosine, a different phase per sequence.
    tf::FeedDict feeds;
    for (int64_t t = 0; t < steps; ++t) {
      tf::Tensor x(tf::float32, {batch, depth});
      for (int64_t b = 0; b < batch; ++b) {
        const double phase = 0.3 * static_cast<double>(t) + static_cast<double>(b);
        x.data<float>()[static_cast<size_t>(b * depth)] = static_cast<float>(std::sin(phase));
        x.data<float>()[static_cast<size_t>(b * depth + 1)] = static_cast<float>(std::cos(phase));
      }
      feeds.emplace_back(inputs[static_cast<size_t>(t)], x);
    }
    auto final_state = session.run({train.state[0], train.state[1], eval.state[1]}, feeds);
    std::cout << "final c:\n" << final_state[0] << "\nfinal h:\n" << final_state[1] << "\n";
    const auto h = final_state[1].data<float>(), eval_h = final_state[2].data<float>();
    const bool same = std::equal(h.begin(), h.end(), eval_h.begin(), eval_h.end());
    std::cout << "the second unroll (model_1/rnn/...) gives the same h: " << (same ? "yes" : "NO") << "\n";
    return same ? 0 : 1;
  } catch (const tf::Error& e) {
    std::cerr << "lstm: " << e.what() << "\n";
    return 1;
  }
}
