#include <minitf/layers/rnn_cell.h>

#include <minitf/ops/ops.h>
#include <minitf/scope/variable.h>

#include "layer_scope.h"

namespace minitf::nn {
namespace rnn_cell {
namespace {

Output weight(const std::string& name, const Shape& shape, const Initializer& initializer = {}) {
  return get_variable(name, shape, GetVariableOptions{.initializer = initializer, .dtype = float32});
}

Activation tanh_or(const Activation& a) {
  if (a) return a;
  return Activation([](const Output& x) { return minitf::tanh(x); });
}

// TF's class name of a cell, for its zero state's name scope ("BasicLSTMCellZeroState").
std::string class_name(const std::string& base_name) {
  if (base_name == "basic_lstm_cell") return "BasicLSTMCell";
  if (base_name == "gru_cell") return "GRUCell";
  return "BasicRNNCell";
}

}  // namespace

RNNCell::RNNCell(int64_t num_units, std::string base_name, Activation activation, Reuse reuse,
                 std::string name)
    : num_units_(num_units),
      activation_(tanh_or(activation)),
      base_name_(std::move(base_name)),
      reuse_(reuse),
      name_(std::move(name)) {
  // Bounded so that [input + units, 4 * units] cannot overflow.
  if (num_units <= 0 || num_units > (int64_t{1} << 40)) {
    throw ValueError("tf.nn.rnn_cell." + class_name(base_name_) + ": num_units must be in [1, 2^40], got " +
                     std::to_string(num_units));
  }
}

std::pair<Output, RNNState> RNNCell::operator()(const Output& inputs, const RNNState& state) {
  const std::string what =
      "tf.nn.rnn_cell." + class_name(base_name_) + "(" + std::to_string(num_units_) + ")";
  const Shape& s = inputs.shape();
  if (s.rank() != 2 || s.dim(1) < 0 || s.dim(1) > (int64_t{1} << 40)) {
    throw ValueError(what + ": inputs '" + inputs.name() +
                     "' must be [batch, depth] with a known depth, got " + s.to_string());
  }
  if (state.size() != static_cast<size_t>(state_parts())) {
    throw ValueError(what + ": the state has " + std::to_string(state.size()) + " parts, the cell takes " +
                     std::to_string(state_parts()));
  }
  for (const Output& part : state) {
    const Shape& p = part.shape();
    if (p.rank() != 2 || !Shape{s.dim(0), num_units_}.compatible_with(p)) {
      throw ValueError(what + ": state '" + part.name() + "' of shape " + p.to_string() +
                       " does not fit inputs " + s.to_string() + " and " + std::to_string(num_units_) +
                       " units");
    }
  }
  if (!scope_) {
    // The first call: TF's Layer opens the cell's scope and builds the variables.
    layers::detail::LayerScope scope(name_, base_name_, reuse_);
    build(s.dim(1));
    auto result = call(inputs, state);
    scope_ = scope.scope();  // built: only now, so a first call that throws can be retried
    return result;
  }
  // Built: TF re-enters the scope with reuse=True and its original name scope.
  variable_scope scope(*scope_, VariableScopeOptions{.reuse = true, .auxiliary_name_scope = false});
  name_scope ns(scope_->original_name_scope());
  return call(inputs, state);
}

RNNState RNNCell::zero_state(int64_t batch_size, DType dtype) const {
  if (batch_size < 0) {
    throw ValueError("tf.nn.rnn_cell." + class_name(base_name_) +
                     ".zero_state needs a known batch size, got " + std::to_string(batch_size));
  }
  name_scope ns(class_name(base_name_) + "ZeroState");
  RNNState state;
  for (int i = 0; i < state_parts(); ++i) state.push_back(zeros({batch_size, num_units_}, dtype, "zeros"));
  return state;
}

BasicRNNCell::BasicRNNCell(int64_t num_units, Activation activation, Reuse reuse, std::string name)
    : RNNCell(num_units, "basic_rnn_cell", std::move(activation), reuse, std::move(name)) {}

void BasicRNNCell::build(int64_t input_depth) {
  kernel_ = weight("kernel", {input_depth + num_units_, num_units_});
  bias_ = weight("bias", {num_units_}, zeros_initializer());
}

std::pair<Output, RNNState> BasicRNNCell::call(const Output& inputs, const RNNState& state) {
  Output h = activation_(bias_add(matmul(concat({inputs, state[0]}, 1), kernel_), bias_));
  return {h, {h}};
}

BasicLSTMCell::BasicLSTMCell(int64_t num_units, float forget_bias, Activation activation, Reuse reuse,
                             std::string name)
    : RNNCell(num_units, "basic_lstm_cell", std::move(activation), reuse, std::move(name)),
      forget_bias_(forget_bias) {}

void BasicLSTMCell::build(int64_t input_depth) {
  kernel_ = weight("kernel", {input_depth + num_units_, 4 * num_units_});
  bias_ = weight("bias", {4 * num_units_}, zeros_initializer());
}

std::pair<Output, RNNState> BasicLSTMCell::call(const Output& inputs, const RNNState& state) {
  const Output& c = state[0];
  const Output& h = state[1];
  Output gates = bias_add(matmul(concat({inputs, h}, 1), kernel_), bias_);
  const std::vector<Output> ijfo = split(gates, 4, 1);  // input, new input, forget, output gates
  const Output forget_bias = constant(forget_bias_);
  Output new_c =
      add(multiply(c, sigmoid(add(ijfo[2], forget_bias))), multiply(sigmoid(ijfo[0]), activation_(ijfo[1])));
  Output new_h = multiply(activation_(new_c), sigmoid(ijfo[3]));
  return {new_h, {new_c, new_h}};
}

GRUCell::GRUCell(int64_t num_units, Activation activation, Reuse reuse, std::string name)
    : RNNCell(num_units, "gru_cell", std::move(activation), reuse, std::move(name)) {}

void GRUCell::build(int64_t input_depth) {
  gate_kernel_ = weight("gates/kernel", {input_depth + num_units_, 2 * num_units_});
  gate_bias_ = weight("gates/bias", {2 * num_units_}, constant_initializer(1.f));
  candidate_kernel_ = weight("candidate/kernel", {input_depth + num_units_, num_units_});
  candidate_bias_ = weight("candidate/bias", {num_units_}, zeros_initializer());
}

std::pair<Output, RNNState> GRUCell::call(const Output& inputs, const RNNState& state) {
  const Output& h = state[0];
  Output gates = sigmoid(bias_add(matmul(concat({inputs, h}, 1), gate_kernel_), gate_bias_));
  const std::vector<Output> ru = split(gates, 2, 1);  // reset, update
  Output candidate = bias_add(matmul(concat({inputs, ru[0] * h}, 1), candidate_kernel_), candidate_bias_);
  Output c = activation_(candidate);
  Output new_h = ru[1] * h + (1.f - ru[1]) * c;
  return {new_h, {new_h}};
}

}  // namespace rnn_cell

StaticRNNResult static_rnn(rnn_cell::RNNCell& cell, const std::vector<Output>& inputs,
                           std::optional<RNNState> initial_state, const std::string& scope) {
  if (inputs.empty()) throw ValueError("tf.nn.static_rnn: inputs must not be empty");
  variable_scope vs(scope);
  StaticRNNResult result;
  result.state = initial_state
                     ? std::move(*initial_state)
                     : cell.zero_state(inputs[0].shape().dims().empty() ? -1 : inputs[0].shape().dim(0));
  for (size_t t = 0; t < inputs.size(); ++t) {
    if (t > 0) vs.reuse_variables();
    auto [output, state] = cell(inputs[t], result.state);
    result.outputs.push_back(output);
    result.state = std::move(state);
  }
  return result;
}

}  // namespace minitf::nn
