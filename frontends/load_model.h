#pragma once
// The frontend entry point: an .onnx or graph-JSON file -> an IR graph of library nodes.
#include <map>
#include <string>

#include "frontends/input_dimensions.h"
#include "ir/graph.h"
#include "ir/tensor.h"

namespace conflux::frontends {

/// Options of loadModel.
struct LoadOptions {
  /// Values for some graph inputs (e.g. all inputs of an ONNX conformance test). An input whose
  /// VALUE the frontend needs (it decides a shape or an attribute: a Reshape's shape, Slice
  /// starts, Clip min...) becomes a constant; every other input stays a run-time graph input
  /// (its shape fills open dimensions).
  std::map<std::string, ir::Tensor> knownInputs;
  /// Sizes for the graph inputs' open dimensions (a dynamic batch or sequence length).
  InputDimensions dimensions;
};

/// Reads a .onnx or graph-JSON file (chosen by content and extension) into an ir::Graph of
/// library nodes as docs/library_nodes.md specifies: checks the model, infers static shapes,
/// folds shape arithmetic and lowers. Throws conflux::Error naming the file and the node or
/// tensor on any bad input.
ir::Graph loadModel(const std::string& path, const LoadOptions& options = {});

}  // namespace conflux::frontends
