#pragma once
// Freezing graph inputs of an ONNX model into initializers: the `.noweights` models carry their
// weights as graph inputs; a model with the same weights stored as initializers is what a
// deployment runs, and lets every runtime pre-pack them at load.
#include <map>
#include <string>

#include "ir/tensor.h"

namespace conflux::frontends {

/// Writes the ONNX model at `modelPath` to `outPath` with each graph input named in `values`
/// turned into an initializer holding its tensor. Throws conflux::Error naming the file for an
/// unreadable model, a name that is no graph input, a tensor whose dtype or shape differs from
/// the input's declaration, or an unwritable output.
void freezeInputs(const std::string& modelPath, const std::map<std::string, ir::Tensor>& values,
                  const std::string& outPath);

}  // namespace conflux::frontends
