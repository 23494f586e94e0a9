// libFuzzer target for GraphDef reading and import: any bytes, as a binary
// GraphDef, a text GraphDef or a TF.js model.json (with the same bytes as its
// weights), must give a GraphDef or a typed tf::Error; a GraphDef must then
// import into a graph or be refused with a typed tf::Error. Never a crash, a
// leak, a hang or a huge allocation.
#include <cstddef>
#include <cstdint>
#include <minitf/import/import.h>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto format = static_cast<minitf::GraphDefFormat>(data[0] % 3);
  const bool variables = (data[0] & 4) != 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const minitf::GraphDef gd = minitf::parse_graph_def(bytes, format, bytes);
    minitf::Graph g;
    auto guard = g.as_default();
    minitf::ImportOptions options;
    options.variables = variables;
    for (const auto& node : gd.node) options.return_elements.push_back(node.name);
    minitf::import_graph_def(gd, options);
  } catch (const minitf::Error&) {
  }
  return 0;
}
