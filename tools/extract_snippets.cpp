// Turns the C++ code blocks of a Markdown doc into a Catch2 test source, so
// that every snippet in docs/ is compiled and run by the tests.
//
//   extract_snippets DOC.md OUT.cpp LABEL
//
// A ```cpp block becomes the body of one TEST_CASE, run in a fresh default
// graph; a ```cpp global block goes to namespace scope (helper functions).
// `<!-- section: NAME -->` starts a new namespace, so sections may define
// the same function differently. `assert(...)` in snippets is a REQUIRE. A
// global block that defines `int main()` is a whole program: a test runs it
// and requires it to return 0.
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Block {
  bool global = false;
  int line = 0;  // the first code line
  std::string section, heading, code;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::vector<Block> parse(std::istream& in) {
  std::vector<Block> blocks;
  std::string line, section = "main", heading;
  int number = 0;
  Block* open = nullptr;
  while (std::getline(in, line)) {
    ++number;
    const std::string t = trim(line);
    if (open) {
      if (t == "```") {
        open = nullptr;
      } else {
        open->code += line + "\n";
      }
      continue;
    }
    if (t.rfind("<!-- section:", 0) == 0) {
      section = trim(t.substr(13, t.find("-->") - 13));
    } else if (t.rfind("#", 0) == 0) {
      heading = trim(t.substr(t.find_first_not_of('#')));
    } else if (t == "```cpp" || t == "```cpp global") {
      blocks.push_back(Block{t == "```cpp global", number + 1, section, heading, ""});
      open = &blocks.back();
    }
  }
  return blocks;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: extract_snippets DOC.md OUT.cpp LABEL\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "extract_snippets: cannot read " << argv[1] << "\n";
    return 1;
  }
  const std::vector<Block> blocks = parse(in);
  std::ostringstream out;
  out << "// Generated from " << argv[3] << " by tools/extract_snippets.cpp. Do not edit.\n"
      << "#include \"snippet_prelude.h\"\n\n";
  int tests = 0;
  for (const Block& b : blocks) {
    const std::string ns = "section_" + b.section;
    for (char c : ns) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
        std::cerr << "extract_snippets: section names are identifiers, got '" << b.section << "'\n";
        return 1;
      }
    }
    if (b.global) {
      out << "namespace " << ns << " {\n#line " << b.line << " \"" << argv[3] << "\"\n"
          << b.code << "}  // namespace " << ns << "\n\n";
      if (b.code.find("int main()") != std::string::npos) {
        out << "TEST_CASE(\"" << escape(argv[3]) << ":" << b.line << ": the program returns 0\") {\n"
            << "  SnippetGraph fresh_graph;\n  REQUIRE(" << ns << "::main() == 0);\n}\n\n";
        ++tests;
      }
    } else {
      out << "namespace " << ns << " {}\n"
          << "TEST_CASE(\"" << escape(argv[3]) << ":" << b.line << ": " << escape(b.heading) << "\") {\n"
          << "  SnippetGraph fresh_graph;\n  using namespace " << ns << ";\n"
          << "#line " << b.line << " \"" << argv[3] << "\"\n"
          << b.code << "}\n\n";
      ++tests;
    }
  }
  if (tests == 0) {
    std::cerr << "extract_snippets: no ```cpp blocks in " << argv[1] << "\n";
    return 1;
  }
  std::ofstream file(argv[2]);
  file << out.str();
  return file ? 0 : 1;
}
