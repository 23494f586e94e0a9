#pragma once
// Seams for the checkpoint tests.
#include <string>

namespace minitf::train::testing {

// Called after the temporary file is written and synced, before it is
// renamed over the checkpoint (the crash test kills the process here).
extern void (*after_temp_written)(const std::string& temp_path);

// The error save and restore throw for a failed system call with this errno
// (the table is tested directly: root cannot meet EACCES, nor anyone EROFS).
[[noreturn]] void throw_for_errno(int errno_value, const std::string& what, const std::string& path);

}  // namespace minitf::train::testing
