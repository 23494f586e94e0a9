#include "safetensors_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <system_error>

#include <minitf/graph/errors.h>

#include "saver_testing.h"

namespace minitf {

namespace train::testing {
void (*after_temp_written)(const std::string&) = nullptr;

void throw_for_errno(int errno_value, const std::string& what, const std::string& path) {
  detail::throw_io_error(errno_value, what, path);
}
}  // namespace train::testing

namespace detail {
namespace {

namespace fs = std::filesystem;

// A temporary nobody holds whose writer's pid is alive is left alone for this
// long: the pid may have been reused, or belong to another host or pid namespace.
constexpr time_t kStaleSeconds = 600;

std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a file";
}

// umask() can only be read by setting it, and a file another thread creates
// in between would get the temporary value; /proc/self/status shows it without
// changing it (Linux 4.7+), and follows later umask() calls. Only without
// /proc do we read it the racy way, once per process (a static's initializer
// runs once, as under std::call_once), keeping the window to one moment.
mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Umask:", 0) == 0)
      return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8) & 0777);
  }
  static const mode_t once = [] {
    const mode_t old = ::umask(0);
    ::umask(old);
    return old;
  }();
  return once;
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return h;
}

// Temporaries this process is writing now: another saver of ours must not
// take one for a dead process's (they all carry our pid).
std::mutex live_temps_mu;
std::set<std::string> live_temps;

bool is_temp_of(std::string_view name, const std::string& prefix, pid_t* pid) {
  if (name.substr(0, prefix.size()) != prefix) return false;
  name.remove_prefix(prefix.size());
  const size_t dash = name.find('-');
  if (dash == 0 || dash > 10 || dash == std::string_view::npos || name.size() != dash + 7) return false;
  long long value = 0;
  for (char c : name.substr(0, dash)) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  for (char c : name.substr(dash + 1)) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  if (value <= 0 || value > INT_MAX) return false;
  *pid = static_cast<pid_t>(value);
  return true;
}

// A killed save leaves its temporary behind; remove those of this checkpoint
// whose writer is gone: nobody holds its lock, and it is not one of ours in
// flight, and its pid is dead or it is older than kStaleSeconds.
void remove_stale_temps(const fs::path& dir, const std::string& prefix) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  const int dfd = ::dirfd(d);
  while (const dirent* e = ::readdir(d)) {
    pid_t pid = 0;
    if (!is_temp_of(e->d_name, prefix, &pid)) continue;
    std::unique_lock lock(live_temps_mu);
    if (pid == ::getpid() && live_temps.count((dir / e->d_name).string())) continue;
    const int fd = ::openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st {};
    bool stale = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (stale && pid != ::getpid()) {
      const bool dead = ::kill(pid, 0) != 0 && errno == ESRCH;
      stale = dead || std::time(nullptr) - st.st_mtime > kStaleSeconds;
    }
    if (stale) ::unlinkat(dfd, e->d_name, 0);
    ::close(fd);
  }
  ::closedir(d);
}

void write_all(int fd, std::span<const uint8_t> bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_io_error(n < 0 ? errno : EIO, "Cannot write checkpoint", path);
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
}

// The file a save replaces: `path`, or the end of its chain of symbolic links.
fs::path resolve_target(const std::string& path) {
  if (path.empty()) throw InvalidArgumentError("Cannot save a checkpoint to an empty path");
  fs::path p(path);
  for (int hops = 0;; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) {
      if (errno == ENOENT) break;  // a new file, or a dangling link's target (a missing folder fails later)
      throw_io_error(errno, "Cannot save checkpoint", path);
    }
    if (S_ISDIR(st.st_mode)) throw_io_error(EISDIR, "Cannot save checkpoint", path);
    if (S_ISREG(st.st_mode)) break;
    if (!S_ISLNK(st.st_mode)) {
      throw FailedPreconditionError("Cannot save checkpoint " + path + ": it is not a regular file but " +
                                    file_kind(st.st_mode));
    }
    if (hops == 40) throw_io_error(ELOOP, "Cannot save checkpoint", path);
    std::error_code ec;
    const fs::path link = fs::read_symlink(p, ec);
    if (ec) throw_io_error(ec.value(), "Cannot save checkpoint", path);
    p = link.is_absolute() ? link : p.parent_path() / link;
  }
  const std::string name = p.filename().string();
  if (name.empty() || name == "." || name == "..") {
    throw FailedPreconditionError("Cannot save checkpoint " + path + ": the path names a directory");
  }
  return p;
}

}  // namespace

void throw_io_error(int errno_value, const std::string& what, const std::string& path) {
  std::string msg = what + " " + path + ": ";
  msg +=
      errno_value == EISDIR ? std::string("it is a directory") : std::generic_category().message(errno_value);
  switch (errno_value) {
    case ENOENT:
    case ENOTDIR:
      throw NotFoundError(msg);
    case EACCES:
    case EPERM:
    case EROFS:
      throw PermissionDeniedError(msg);
    case ENOSPC:
    case EDQUOT:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
    case EFBIG:
    case ENOBUFS:
      throw ResourceExhaustedError(msg);
    case EISDIR:
    case EBUSY:
    case ETXTBSY:
      throw FailedPreconditionError(msg);
    case EEXIST:
      throw AlreadyExistsError(msg);
    case ELOOP:
    case ENAMETOOLONG:
    case EINVAL:
      throw InvalidArgumentError(msg);
    case EIO:
      throw DataLossError(msg);
    case ENOSYS:
    case EOPNOTSUPP:
      throw UnimplementedError(msg);
    default:
      throw Error(msg);
  }
}

CheckpointReader::CheckpointReader(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd_ < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      throw NotFoundError("Checkpoint not found: " + path + " (" + std::generic_category().message(err) +
                          ")");
    }
    throw_io_error(err, "Cannot open checkpoint", path);
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int err = errno;
    ::close(fd_);
    throw_io_error(err, "Cannot read checkpoint", path);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw FailedPreconditionError("Checkpoint " + path + " is not a regular file: it is " +
                                  file_kind(st.st_mode));
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

CheckpointReader::~CheckpointReader() { ::close(fd_); }

void CheckpointReader::read_at(uint64_t offset, std::span<uint8_t> out) const {
  while (!out.empty()) {
    const ssize_t n = ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_io_error(errno, "Cannot read checkpoint", path_);
    if (n == 0) {
      throw DataLossError("Checkpoint " + path_ + " ended at byte " + std::to_string(offset) +
                          " while being read: it was truncated since it was opened");
    }
    out = out.subspan(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
}

std::string temp_name_prefix(const std::string& file_name) {
  // NAME_MAX (255) less ".", ".tmp-", a pid of up to 10 digits, "-" and mkstemp's 6 characters.
  constexpr size_t kMaxBase = 255 - 1 - 5 - 10 - 1 - 6;
  if (file_name.size() <= kMaxBase) return "." + file_name + ".tmp-";
  size_t keep = kMaxBase - 17;  // room for "~" and 16 hex digits of the whole name's hash
  while (keep > 0 && (static_cast<uint8_t>(file_name[keep]) & 0xC0) == 0x80)
    --keep;  // whole UTF-8 characters
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(file_name)));
  return "." + file_name.substr(0, keep) + "~" + hash + ".tmp-";
}

void write_checkpoint_atomically(const std::string& path,
                                 const std::function<void(const ByteSink&)>& produce) {
  const fs::path target = resolve_target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = temp_name_prefix(target.filename().string());
  remove_stale_temps(dir, prefix);

  std::string temp = (dir / (prefix + std::to_string(::getpid()) + "-XXXXXX")).string();
  int fd = -1;
  {
    std::lock_guard lock(live_temps_mu);
    fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) throw_io_error(errno, "Cannot create a temporary file for checkpoint", path);
    live_temps.insert(temp);
  }
  // Other processes' cleaners see the lock; a file system without locks leaves the pid and age rules.
  (void)::flock(fd, LOCK_EX | LOCK_NB);
  auto forget = [&] {
    std::lock_guard lock(live_temps_mu);
    live_temps.erase(temp);
  };
  try {
    if (::fchmod(fd, 0666 & ~current_umask()) != 0)
      throw_io_error(errno, "Cannot set the mode of checkpoint", temp);
    produce([&](std::span<const uint8_t> bytes) { write_all(fd, bytes, temp); });
    if (::fsync(fd) != 0) throw_io_error(errno, "Cannot sync checkpoint", temp);
    const int closed = ::close(fd);
    fd = -1;
    if (closed != 0) throw_io_error(errno, "Cannot close checkpoint", temp);
    if (train::testing::after_temp_written) train::testing::after_temp_written(temp);
    if (::rename(temp.c_str(), target.c_str()) != 0)
      throw_io_error(errno, "Cannot move the new checkpoint over", path);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(temp.c_str());
    forget();
    throw;
  }
  forget();
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {  // make the rename itself durable
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace detail
}  // namespace minitf
