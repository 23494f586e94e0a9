#pragma once
// Checkpoint files on disk: reads by pread from one open descriptor, sized by
// fstat of that descriptor; writes by atomic replacement of the real target.
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace minitf::detail {

// The error for a failed system call on a checkpoint: errno decides the kind
// (NotFoundError, PermissionDeniedError, ResourceExhaustedError, ...), and
// the message is "<what> <path>: <the system's words>".
[[noreturn]] void throw_io_error(int errno_value, const std::string& what, const std::string& path);

// A checkpoint opened for reading. Opening never blocks (a FIFO is refused,
// not waited on); anything but a regular file is a FailedPreconditionError.
class CheckpointReader {
 public:
  explicit CheckpointReader(const std::string& path);
  ~CheckpointReader();
  CheckpointReader(const CheckpointReader&) = delete;
  CheckpointReader& operator=(const CheckpointReader&) = delete;

  // The size of the file that was opened, whatever has since replaced it by name.
  uint64_t size() const { return size_; }
  // Exactly out.size() bytes at `offset`; DataLossError when the file ends first.
  void read_at(uint64_t offset, std::span<uint8_t> out) const;

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

using ByteSink = std::function<void(std::span<const uint8_t>)>;

// Replaces the file `path` names (through symbolic links: the link stays, its
// target is replaced) with what `produce` writes to its sink: a temporary
// file next to the target, mode 0666 & ~umask, written, synced and renamed
// over the target, then the folder synced. First removes temporaries of the
// same checkpoint whose writer is gone.
void write_checkpoint_atomically(const std::string& path,
                                 const std::function<void(const ByteSink&)>& produce);

// "." + the file name (shortened to fit NAME_MAX, with a hash of the whole
// name) + ".tmp-": temporaries are this, the writer's pid, "-" and 6 characters.
std::string temp_name_prefix(const std::string& file_name);

}  // namespace minitf::detail
