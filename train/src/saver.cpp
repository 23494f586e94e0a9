#include <minitf/train/saver.h>

#include <new>
#include <stdexcept>
#include <system_error>

#include "safetensors.h"
#include "safetensors_io.h"

namespace minitf::train {
namespace {

// Problems listed in full in one message; the rest are counted.
constexpr size_t kListed = 10;

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (size_t i = 0; i < items.size() && i < kListed; ++i) s += "\n  " + items[i];
  if (items.size() > kListed) s += "\n  ... and " + std::to_string(items.size() - kListed) + " more";
  return s;
}

std::string shape_string(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

bool same_shape(const std::vector<uint64_t>& dims, const Shape& shape) {
  if (dims.size() != static_cast<size_t>(shape.rank())) return false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (shape.dims()[i] < 0 || dims[i] != static_cast<uint64_t>(shape.dims()[i])) return false;
  }
  return true;
}

// "F32 [3,3]": a variable's type as the file spells it.
std::string file_type(const Variable& v) {
  return detail::safetensors_dtype(v.dtype()).value_or(dtype_name(v.dtype())) + " " + v.shape().to_string();
}

// Runs `body`, letting minitf's errors through and turning anything else
// (std::bad_alloc, a filesystem_error) into one that names the checkpoint.
template <class F>
auto guarded(const std::string& action, const std::string& path, F&& body) {
  try {
    return body();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw ResourceExhaustedError("Out of memory " + action + " checkpoint " + path);
  } catch (const std::length_error&) {
    throw ResourceExhaustedError("Out of memory " + action + " checkpoint " + path);
  } catch (const std::system_error& e) {
    if (e.code().category() != std::generic_category() && e.code().category() != std::system_category()) {
      throw Error("Failed " + action + " checkpoint " + path + ": " + e.what());
    }
    detail::throw_io_error(e.code().value(), "Failed " + action + " checkpoint", path);
  } catch (const std::exception& e) {
    throw Error("Failed " + action + " checkpoint " + path + ": " + e.what());
  }
}

void check_key(const std::string& key, const Variable& v) {
  if (v.empty()) throw ValueError("Saver was given an empty Variable for key '" + key + "'");
  if (key.empty()) throw ValueError("Saver keys must not be empty (variable " + v.op().name() + ")");
  if (key == "__metadata__") {
    throw ValueError("Saver cannot save variable " + v.op().name() +
                     " under the key __metadata__: safetensors reserves it for the file's metadata");
  }
  if (!detail::valid_utf8(key)) {
    throw ValueError("Saver key " + detail::quote_key(key) + " of variable " + v.op().name() +
                     " is not valid UTF-8, which a safetensors header needs");
  }
}

// Every variable must be the session's (a Saver may hold another graph's).
void check_graph(const std::map<std::string, Variable>& variables, Session& session,
                 const std::string& failed) {
  std::vector<std::string> foreign;
  for (const auto& [key, v] : variables) {
    if (!v.op().in_graph(session.graph())) foreign.push_back(v.op().name() + " (key " + key + ")");
  }
  if (!foreign.empty()) throw ValueError(failed + "\nVariables not in this session's graph:" + join(foreign));
}

}  // namespace

Saver::Saver() : Saver(global_variables()) {}

Saver::Saver(const std::vector<Variable>& variables) {
  for (const Variable& v : variables) {
    if (v.empty()) throw ValueError("Saver was given an empty Variable");
    check_key(v.op().name(), v);
    if (!variables_.emplace(v.op().name(), v).second) {
      throw ValueError("Saver was given variable " + v.op().name() + " twice");
    }
  }
}

Saver::Saver(const std::map<std::string, Variable>& variables) : variables_(variables) {
  for (const auto& [key, v] : variables_) check_key(key, v);
}

std::string Saver::save(Session& session, const std::string& path) const {
  return guarded("saving", path, [&] {
    check_graph(variables_, session, "Cannot save checkpoint " + path + ".");
    std::map<std::string, Tensor> values;
    for (const auto& [key, v] : variables_) {
      if (!detail::safetensors_dtype(v.dtype())) {
        throw ValueError("Saver writes float32, int32, int64 and bool variables; " + v.op().name() + " is " +
                         dtype_name(v.dtype()));
      }
      values.emplace(key, session.read_variable(v.op()));
    }
    detail::write_checkpoint_atomically(
        path, [&](const detail::ByteSink& sink) { detail::write_safetensors(values, sink); });
    return path;
  });
}

void Saver::restore(Session& session, const std::string& path) const {
  guarded("restoring", path, [&] {
    const std::string failed = "Restoring from checkpoint " + path + " failed; no variable was changed.";
    check_graph(variables_, session, failed);
    const detail::CheckpointReader file(path);
    const detail::ReadAt read_at = [&file](uint64_t offset, std::span<uint8_t> out) {
      file.read_at(offset, out);
    };
    const detail::SafetensorsIndex index = detail::read_safetensors_index(file.size(), read_at, path);
    std::vector<std::string> missing, mismatched;
    for (const auto& [key, v] : variables_) {
      const auto it = index.entries.find(key);
      if (it == index.entries.end()) {
        missing.push_back(key + " (variable " + v.op().name() + ", shape " + v.shape().to_string() + ")");
        continue;
      }
      const detail::SafetensorsEntry& e = it->second;
      if (detail::safetensors_dtype(v.dtype()) != e.dtype || !same_shape(e.shape, v.shape())) {
        mismatched.push_back(key + ": the checkpoint has " + e.dtype + " " + shape_string(e.shape) +
                             ", variable " + v.op().name() + " is " + file_type(v));
      }
    }
    if (!missing.empty() || !mismatched.empty()) {
      std::string msg = failed;
      if (!missing.empty()) msg += "\nMissing keys:" + join(missing);
      if (!mismatched.empty()) msg += "\nShape or dtype mismatches:" + join(mismatched);
      if (!missing.empty()) throw NotFoundError(msg);
      throw InvalidArgumentError(msg);
    }
    // Every value is read before any is set, and all are set in one step.
    std::vector<std::pair<Operation, Tensor>> values;
    for (const auto& [key, v] : variables_) {
      values.emplace_back(v.op(), detail::read_safetensors_tensor(index, key, v.dtype(), read_at));
    }
    session.assign_variables(values);
  });
}

}  // namespace minitf::train
