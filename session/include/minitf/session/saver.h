#pragma once
// Checkpoints by variable name, in the safetensors format.
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include <minitf/scope/variable.h>
#include <minitf/session/session.h>

namespace minitf::train {

// TF's tf.train.Saver: saves and restores variables by name. Keys are the
// variables' op names ("image_filters/conv1/weights"), or the keys you give.
class Saver {
 public:
  // Every global variable of the default graph, as it is now.
  Saver();
  explicit Saver(const std::vector<Variable>& variables);
  // Saver({a, b}): spelled out so that a braced pair is never read as a map's iterators.
  Saver(std::initializer_list<Variable> variables) : Saver(std::vector<Variable>(variables)) {}
  // Checkpoint key -> variable: restores one model's weights into another's.
  explicit Saver(const std::map<std::string, Variable>& variables);

  // Writes the variables' values to `path`, atomically: a temporary file in
  // the same folder, flushed and synced, then renamed over `path`, so a save
  // that fails or dies midway leaves the previous checkpoint whole. Returns `path`.
  std::string save(Session& session, const std::string& path) const;

  // Reads every variable from `path`, strictly: all missing keys, unexpected
  // keys and shape or dtype mismatches are reported together, in a
  // NotFoundError when keys are missing, else an InvalidArgumentError, and
  // then no variable is changed. A missing file is a NotFoundError, a
  // malformed one a DataLossError. Needs no prior initialization.
  void restore(Session& session, const std::string& path) const;

  const std::map<std::string, Variable>& variables() const { return variables_; }

 private:
  std::map<std::string, Variable> variables_;
};

}  // namespace minitf::train
