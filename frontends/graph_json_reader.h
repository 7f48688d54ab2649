#pragma once
// Graph JSON files (shared/GRAPH_JSON.md, format "conflux-graph" version 1) -> the neutral model.
#include <string>

#include "frontends/model.h"

namespace conflux::frontends {

/// Reads a graph-JSON file. Graph inputs are the `input` tensors and the `weight` tensors without
/// data, outputs the `output` tensors, both in declaration order; `constant` tensors (and weights
/// with data) carry their value, inline or from "file:NAME.npy" next to the JSON file. Throws
/// conflux::Error on syntax errors, unknown keys, and missing or ill-typed fields, naming the
/// tensor or node.
Model readGraphJson(const std::string& path);

}  // namespace conflux::frontends
