#pragma once
// TF 1.x's tf.nn.rnn_cell cells and tf.nn.static_rnn, on get_variable. A cell
// is a layer: its first call opens its variable scope ("basic_lstm_cell" in
// the current one, made unique) and creates its variables; every later call
// re-enters that scope with reuse and puts its ops in the same name scope, as
// TF does ("rnn/basic_lstm_cell/MatMul", "rnn/basic_lstm_cell/MatMul_1", ...).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <minitf/graph/graph.h>
#include <minitf/layers/layers.h>
#include <minitf/scope/scopes.h>

namespace minitf::nn {

// A cell's state: {h} for BasicRNNCell and GRUCell, {c, h} for BasicLSTMCell
// (TF's LSTMStateTuple order).
using RNNState = std::vector<Output>;

namespace rnn_cell {

class RNNCell {
 public:
  virtual ~RNNCell() = default;
  // (output, new state) for one step.
  std::pair<Output, RNNState> operator()(const Output& inputs, const RNNState& state);
  int64_t output_size() const { return num_units_; }
  // Zeros of [batch_size, units] per state part.
  RNNState zero_state(int64_t batch_size, DType dtype = float32) const;
  // The scope the first call opened ("rnn/basic_lstm_cell"); empty before it.
  const std::optional<VariableScope>& scope() const { return scope_; }

 protected:
  RNNCell(int64_t num_units, std::string base_name, Activation activation, Reuse reuse, std::string name);
  virtual int state_parts() const { return 1; }
  // Creates the variables (first call, inside the cell's scope).
  virtual void build(int64_t input_depth) = 0;
  // One step, inside the cell's scope, after build.
  virtual std::pair<Output, RNNState> call(const Output& inputs, const RNNState& state) = 0;

  int64_t num_units_;
  Activation activation_;

 private:
  std::string base_name_;
  Reuse reuse_;
  std::string name_;
  std::optional<VariableScope> scope_;
};

// h' = activation(W [x, h] + b): kernel [input + units, units], bias [units].
class BasicRNNCell : public RNNCell {
 public:
  explicit BasicRNNCell(int64_t num_units, Activation activation = {}, Reuse reuse = {},
                        std::string name = {});

 protected:
  void build(int64_t input_depth) override;
  std::pair<Output, RNNState> call(const Output& inputs, const RNNState& state) override;

 private:
  Output kernel_, bias_;
};

// TF's BasicLSTMCell: kernel [input + units, 4 * units], bias [4 * units],
// gates i, j, f, o; c' = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j),
// h' = tanh(c') * sigmoid(o). State {c, h}.
class BasicLSTMCell : public RNNCell {
 public:
  explicit BasicLSTMCell(int64_t num_units, float forget_bias = 1.0f, Activation activation = {},
                         Reuse reuse = {}, std::string name = {});

 protected:
  int state_parts() const override { return 2; }
  void build(int64_t input_depth) override;
  std::pair<Output, RNNState> call(const Output& inputs, const RNNState& state) override;

 private:
  float forget_bias_;
  Output kernel_, bias_;
};

// TF's GRUCell: gates/kernel [input + units, 2 * units], gates/bias (ones),
// candidate/kernel [input + units, units], candidate/bias (zeros); r, u =
// sigmoid(gates); h' = u * h + (1 - u) * tanh(candidate([x, r * h])).
class GRUCell : public RNNCell {
 public:
  explicit GRUCell(int64_t num_units, Activation activation = {}, Reuse reuse = {}, std::string name = {});

 protected:
  void build(int64_t input_depth) override;
  std::pair<Output, RNNState> call(const Output& inputs, const RNNState& state) override;

 private:
  Output gate_kernel_, gate_bias_, candidate_kernel_, candidate_bias_;
};

}  // namespace rnn_cell

struct StaticRNNResult {
  std::vector<Output> outputs;
  RNNState state;
};

// tf.nn.static_rnn: runs `cell` over `inputs` (one [batch, depth] tensor per
// step) inside variable scope `scope` ("rnn"), reusing its variables from the
// second step on. Without an initial state the cell's zero state is used
// (the batch size must then be known).
StaticRNNResult static_rnn(rnn_cell::RNNCell& cell, const std::vector<Output>& inputs,
                           std::optional<RNNState> initial_state = std::nullopt,
                           const std::string& scope = "rnn");

}  // namespace minitf::nn
