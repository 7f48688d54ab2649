#pragma once
// ONNX model files -> the neutral model.
#include <string>

#include "frontends/model.h"

namespace conflux::frontends {

/// Reads an .onnx file: graph inputs (those with an initializer become constants), outputs,
/// initializers, value_info, and nodes of the default domain with their attributes. Unnamed
/// nodes are named `<op>_<index>`. Throws conflux::Error naming the tensor or node on anything
/// Conflux cannot represent (unsupported dtypes, external data, graph attributes, other domains).
Model readOnnxModel(const std::string& path);

}  // namespace conflux::frontends
