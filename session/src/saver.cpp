#include <minitf/session/saver.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "safetensors.h"
#include "saver_testing.h"

namespace minitf::train {

namespace testing {
void (*after_temp_written)(const std::string&) = nullptr;
}

namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += "\n  " + i;
  return s;
}

[[noreturn]] void io_error(const std::string& what, const std::string& path, int err) {
  const std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT || err == ENOTDIR) throw NotFoundError(msg);
  throw Error(msg);
}

void write_all(int fd, const uint8_t* data, size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) io_error("Cannot write checkpoint", path, n < 0 ? errno : EIO);
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void write_atomically(const std::string& path, const std::vector<uint8_t>& bytes) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string temp = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) io_error("Cannot create a temporary file for checkpoint", path, errno);
  try {
    write_all(fd, bytes.data(), bytes.size(), temp);
    if (::fsync(fd) != 0) io_error("Cannot sync checkpoint", temp, errno);
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    io_error("Cannot close checkpoint", temp, err);
  }
  if (testing::after_temp_written) testing::after_temp_written(temp);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    io_error("Cannot move the new checkpoint over", path, err);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {  // make the rename itself durable
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw NotFoundError("Checkpoint not found: " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NotFoundError("Cannot open checkpoint " + path);
  std::vector<uint8_t> bytes(fs::file_size(path, ec));
  if (ec) throw NotFoundError("Cannot read checkpoint " + path + ": " + ec.message());
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!in) throw DataLossError("Checkpoint " + path + " could not be read whole");
  return bytes;
}

}  // namespace

Saver::Saver() : Saver(global_variables()) {}

Saver::Saver(const std::vector<Variable>& variables) {
  for (const Variable& v : variables) {
    if (v.empty()) throw ValueError("Saver was given an empty Variable");
    if (!variables_.emplace(v.op().name(), v).second) {
      throw ValueError("Saver was given variable " + v.op().name() + " twice");
    }
  }
}

Saver::Saver(const std::map<std::string, Variable>& variables) : variables_(variables) {
  for (const auto& [key, v] : variables_) {
    if (v.empty()) throw ValueError("Saver was given an empty Variable for key '" + key + "'");
    if (key.empty()) throw ValueError("Saver keys must not be empty");
  }
}

std::string Saver::save(Session& session, const std::string& path) const {
  std::map<std::string, Tensor> values;
  for (const auto& [key, v] : variables_) {
    if (v.dtype() != float32) {
      throw ValueError("Saver writes float32 variables; " + v.op().name() + " is " + dtype_name(v.dtype()));
    }
    values.emplace(key, session.read_variable(v.op()));
  }
  write_atomically(path, detail::serialize_safetensors(values));
  return path;
}

void Saver::restore(Session& session, const std::string& path) const {
  const std::vector<uint8_t> bytes = read_file(path);
  const detail::SafetensorsFile file = detail::parse_safetensors(bytes, path);
  std::vector<std::string> missing, unexpected, mismatched;
  for (const auto& [key, v] : variables_) {
    auto it = file.entries.find(key);
    if (it == file.entries.end()) {
      missing.push_back(key + " (variable " + v.op().name() + ", shape " + v.shape().to_string() + ")");
      continue;
    }
    const Shape found(it->second.shape);
    if (it->second.dtype != "F32" || found != v.shape()) {
      mismatched.push_back(key + ": the checkpoint has " + it->second.dtype + " " + found.to_string() +
                           ", variable " + v.op().name() + " is F32 " + v.shape().to_string());
    }
  }
  for (const auto& [key, entry] : file.entries) {
    if (!variables_.count(key))
      unexpected.push_back(key + " (" + entry.dtype + " " + Shape(entry.shape).to_string() + ")");
  }
  if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
    std::string msg = "Restoring from checkpoint " + path + " failed; no variable was changed.";
    if (!missing.empty()) msg += "\nMissing keys:" + join(missing);
    if (!unexpected.empty()) msg += "\nUnexpected keys:" + join(unexpected);
    if (!mismatched.empty()) msg += "\nShape or dtype mismatches:" + join(mismatched);
    if (!missing.empty()) throw NotFoundError(msg);
    throw InvalidArgumentError(msg);
  }
  std::vector<std::pair<Operation, Tensor>> values;
  for (const auto& [key, v] : variables_) values.emplace_back(v.op(), detail::read_f32(file, key));
  for (auto& [op, value] : values) session.assign_variable(op, std::move(value));
}

}  // namespace minitf::train
