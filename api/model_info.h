#pragma once
// What `conflux info` prints: ops, tensors, parameters and FLOPs of a graph.
#include <cstdint>
#include <map>
#include <string>

#include "ir/graph.h"

namespace conflux::api {

/// Counts of a loaded graph.
struct ModelInfo {
  /// Library-node ops by name ("MatMul" -> 12); maps and tasklets under "map" / "tasklet".
  std::map<std::string, int64_t> ops;
  int64_t inputs = 0;
  int64_t outputs = 0;
  int64_t transients = 0;
  /// Elements of arrays with a known value (weights and constants).
  int64_t parameters = 0;
  /// Elements of graph inputs (for `.noweights` models this includes the weights).
  int64_t inputElements = 0;
  /// FLOPs of one run, counted on the expanded (maps and tasklets) form.
  double flops = 0;
};

/// Describes `graph`; expands a copy of it to count FLOPs.
ModelInfo describe(const ir::Graph& graph);

/// A human-readable multi-line rendering.
std::string formatInfo(const std::string& model, const ModelInfo& info);

}  // namespace conflux::api
