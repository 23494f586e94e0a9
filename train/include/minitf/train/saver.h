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
  // Every global variable of the default graph, as it is now. Keys must be
  // valid UTF-8 and not "__metadata__" (the format's own key): ValueError.
  Saver();
  explicit Saver(const std::vector<Variable>& variables);
  // Saver({a, b}): spelled out so that a braced pair is never read as a map's iterators.
  Saver(std::initializer_list<Variable> variables) : Saver(std::vector<Variable>(variables)) {}
  // Checkpoint key -> variable: restores one model's weights into another's.
  explicit Saver(const std::map<std::string, Variable>& variables);

  // Writes the variables' values (float32 as F32, int32 as I32) to `path`,
  // atomically: a temporary file next to the file `path` names (through
  // symbolic links, which stay links), flushed and synced, then renamed over
  // it, so a save that fails or dies midway leaves the previous checkpoint
  // whole. The file gets mode 0666 & ~umask; temporaries left by killed saves
  // of this checkpoint are removed. Returns `path`.
  std::string save(Session& session, const std::string& path) const;

  // Reads the Saver's variables from `path` and sets them all in one step
  // (Session::assign_variables): a concurrent run sees all old or all new
  // values, and on any error no variable was changed. Keys of the file the
  // Saver does not name are ignored (TF's partial restore). Missing keys are
  // a NotFoundError (with any other problems listed too), dtype or shape
  // mismatches an InvalidArgumentError; a file that breaks the safetensors
  // format a DataLossError. Reads only the header and the entries it needs.
  // Needs no prior initialization.
  //
  // Both throw only minitf errors: a system call's errno picks the kind
  // (NotFoundError, PermissionDeniedError, ResourceExhaustedError for a full
  // disk or memory, FailedPreconditionError for a directory or a FIFO), and
  // every message names the checkpoint.
  void restore(Session& session, const std::string& path) const;

  const std::map<std::string, Variable>& variables() const { return variables_; }

 private:
  std::map<std::string, Variable> variables_;
};

}  // namespace minitf::train
