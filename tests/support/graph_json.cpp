#include "tests/support/graph_json.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/conflux.h"

namespace conflux::testing {

std::string constantTensorJson(const std::string& shape, int count) {
  std::ostringstream out;
  out << "{\"shape\": " << shape << ", \"dtype\": \"float32\", \"kind\": \"constant\", \"data\": [";
  for (int i = 0; i < count; ++i) out << (i ? ", " : "") << ((i * 37) % 19 - 9) / 16.0;
  out << "]}";
  return out.str();
}

std::string convBlockJson() {
  return R"({"format": "conflux-graph", "version": 1, "name": "convs",
    "tensors": {"x": {"shape": [1, 16, 14, 14], "dtype": "float32", "kind": "input"},
                "w1": )" +
         constantTensorJson("[32, 16, 1, 1]", 32 * 16) + R"(,
                "w2": )" +
         constantTensorJson("[32, 1, 3, 3]", 32 * 9) + R"(,
                "w3": {"shape": [24, 32, 3, 3], "dtype": "float32", "kind": "input"},
                "y": {"shape": [1, 24, 7, 7], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "expand", "op": "Conv", "inputs": ["x", "w1"], "outputs": ["e"]},
              {"name": "act", "op": "Relu", "inputs": ["e"], "outputs": ["e1"]},
              {"name": "dw", "op": "Conv", "inputs": ["e1", "w2"], "outputs": ["d"],
               "attrs": {"group": 32, "pads": [1, 1, 1, 1]}},
              {"name": "down", "op": "Conv", "inputs": ["d", "w3"], "outputs": ["y"],
               "attrs": {"strides": [2, 2], "pads": [1, 1, 1, 1]}}]})";
}

ir::Graph loadGraphJson(const std::string& json, const std::string& name) {
  namespace fs = std::filesystem;
  fs::path path = fs::temp_directory_path() /
                  ("conflux_test_" + name + "_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << json;
  ir::Graph graph = api::load(path.string());
  fs::remove(path);
  return graph;
}

}  // namespace conflux::testing
