#pragma once
// Open dimensions of graph inputs fixed by the caller: a model exported with a dynamic batch or
// sequence length is compiled for one size of it (Conflux compiles static shapes).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "frontends/model.h"

namespace conflux::frontends {

/// Shapes for graph inputs and sizes for named dimensions.
struct InputDimensions {
  /// Graph input -> its whole shape.
  std::map<std::string, std::vector<int64_t>> shapes;
  /// Dimension name (an ONNX dim_param such as "batch") -> its size, in every graph input
  /// that has it.
  std::map<std::string, int64_t> named;
  /// The shape of a graph input when the caller can tell it (from the input's file), asked for
  /// each input still open after `named` and `shapes`; may be empty.
  std::function<std::optional<std::vector<int64_t>>(const std::string& input)> shapeOf;
};

/// Declares the graph inputs' shapes as `dims` gives them: first the named dimensions, then the
/// whole shapes, then the shapes `shapeOf` tells for inputs still open, each of the declared
/// rank and agreeing with every dimension already fixed.
/// Throws conflux::Error naming the input or dimension when a name is neither a graph input nor
/// a dimension name one has, a size is below 1, or a shape disagrees with the declaration.
void fixInputDimensions(Model& model, const InputDimensions& dims);

}  // namespace conflux::frontends
