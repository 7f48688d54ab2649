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

ir::Graph loadGraphJson(const std::string& json, const std::string& name) {
  namespace fs = std::filesystem;
  fs::path path = fs::temp_directory_path() / ("conflux_test_" + name + "_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << json;
  ir::Graph graph = api::load(path.string());
  fs::remove(path);
  return graph;
}

}  // namespace conflux::testing
