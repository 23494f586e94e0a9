#pragma once
// What every doc snippet may assume: minitf as `tf`, <iostream>, and
// assert() that reports through Catch2 (and is never compiled out).
#include <cassert>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "test_util.h"

#undef assert
#define assert(...) REQUIRE(__VA_ARGS__)

// Each snippet runs in a graph of its own, as each block of the tutorial does.
struct SnippetGraph {
  tf::Graph g;
  tf::Graph::DefaultGuard guard{g};
};
