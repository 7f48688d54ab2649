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

std::string invertedResidualJson(int channels, int expanded, int size, int stride) {
  auto shape = [](std::initializer_list<int> dims) {
    std::string text;
    for (int d : dims) text += (text.empty() ? "[" : ", ") + std::to_string(d);
    return text + "]";
  };
  const int out = (size - 1) / stride + 1;
  const bool residual = stride == 1;
  return R"({"format": "conflux-graph", "version": 1, "name": "inverted_residual",
    "tensors": {"x": {"shape": )" + shape({1, channels, size, size}) + R"(, "dtype": "float32", "kind": "input"},
                "w1": )" + constantTensorJson(shape({expanded, channels, 1, 1}), expanded * channels) + R"(,
                "b1": )" + constantTensorJson(shape({expanded}), expanded) + R"(,
                "w2": )" + constantTensorJson(shape({expanded, 1, 3, 3}), expanded * 9) + R"(,
                "w3": )" + constantTensorJson(shape({channels, expanded, 1, 1}), channels * expanded) + R"(,
                "y": {"shape": )" + shape({1, channels, out, out}) + R"(, "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "expand", "op": "Conv", "inputs": ["x", "w1", "b1"], "outputs": ["e"]},
              {"name": "act1", "op": "Relu", "inputs": ["e"], "outputs": ["e1"]},
              {"name": "dw", "op": "Conv", "inputs": ["e1", "w2"], "outputs": ["d"],
               "attrs": {"group": )" + std::to_string(expanded) + R"(, "pads": [1, 1, 1, 1], "strides": )" +
         shape({stride, stride}) + R"(}},
              {"name": "act2", "op": "Relu", "inputs": ["d"], "outputs": ["d1"]},
              {"name": "project", "op": "Conv", "inputs": ["d1", "w3"], "outputs": [")" +
         (residual ? "p" : "y") + R"("]})" +
         (residual ? R"(,
              {"name": "residual", "op": "Add", "inputs": ["p", "x"], "outputs": ["y"]})" : "") + "]}";
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
