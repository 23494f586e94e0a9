#pragma once
// A seam for the crash test: called after the temporary file is written and
// synced, before it is renamed over the checkpoint.
#include <string>

namespace minitf::train::testing {
extern void (*after_temp_written)(const std::string& temp_path);
}
