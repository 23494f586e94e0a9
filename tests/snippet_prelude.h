#pragma once
// What every doc snippet may assume: minitf as `tf`, <iostream>, and
// assert() that reports through Catch2 (and is never compiled out).
#include <algorithm>
#include <cassert>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <minitf/extension.h>  // before any snippet: a snippet's own #include then adds nothing

#include "test_util.h"

#undef assert
// One argument, as the standard assert: a snippet that compiles here compiles
// with <cassert> in a reader's program (a comma outside parentheses does not).
#define assert(expr) REQUIRE(expr)

// Each snippet runs in a graph of its own, as each block of the tutorial does.
struct SnippetGraph {
  tf::Graph g;
  tf::Graph::DefaultGuard guard{g};
};
