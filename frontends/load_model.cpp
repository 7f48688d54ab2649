#include "frontends/load_model.h"

#include <filesystem>
#include <fstream>

#include "frontends/graph_json_reader.h"
#include "frontends/known_inputs.h"
#include "frontends/lower_to_ir.h"
#include "frontends/model_checks.h"
#include "frontends/onnx_reader.h"
#include "frontends/shape_inference.h"
#include "ir/error.h"

namespace conflux::frontends {

namespace {

/// Graph JSON when the extension says so, or when the file starts (after blanks) with '{';
/// ONNX otherwise (a protobuf ModelProto never starts with '{').
bool isGraphJson(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".json") return true;
  if (extension == ".onnx") return false;
  std::ifstream in(path, std::ios::binary);
  char c = 0;
  while (in.get(c) && std::isspace(static_cast<unsigned char>(c))) {
  }
  return in && c == '{';
}

ir::Graph load(const std::string& path, const LoadOptions& options) {
  Model model = isGraphJson(path) ? readGraphJson(path) : readOnnxModel(path);
  fixInputDimensions(model, options.dimensions);
  checkAndSortModel(model);
  applyKnownInputs(model, options.knownInputs);
  InferredModel inferred = inferModel(model);
  return lowerToIr(model, inferred);
}

}  // namespace

ir::Graph loadModel(const std::string& path, const LoadOptions& options) {
  try {
    return load(path, options);
  } catch (const Error& e) {
    std::string message = e.what();
    if (message.rfind(path, 0) == 0) throw;  // already names the file
    throw Error(path + ": " + message);
  }
}

}  // namespace conflux::frontends
