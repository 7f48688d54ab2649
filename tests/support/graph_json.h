#pragma once
// Graph JSON (../shared/GRAPH_JSON.md) written inline by tests: constant tensors and loading.
#include <string>

#include "ir/graph.h"

namespace conflux::testing {

/// A float32 constant tensor entry of `shape` (JSON text, e.g. "[8, 4, 1, 1]") holding `count`
/// values that cycle through small fractions of both signs.
std::string constantTensorJson(const std::string& shape, int count);

/// Loads graph JSON text through a temporary file named after `name` and the process.
ir::Graph loadGraphJson(const std::string& json, const std::string& name);

}  // namespace conflux::testing
