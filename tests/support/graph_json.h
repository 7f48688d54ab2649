#pragma once
// Graph JSON (../shared/GRAPH_JSON.md) written inline by tests: constant tensors and loading.
#include <string>

#include "ir/graph.h"

namespace conflux::testing {

/// A float32 constant tensor entry of `shape` (JSON text, e.g. "[8, 4, 1, 1]") holding `count`
/// values that cycle through small fractions of both signs.
std::string constantTensorJson(const std::string& shape, int count);

/// The graph "convs": x [1, 16, 14, 14] through a 1x1 convolution with constant weights (packed
/// at load), Relu, a depthwise 3x3 one with constant weights, and a stride-2 3x3 one whose
/// weights w3 [24, 32, 3, 3] are a run-time input, to y [1, 24, 7, 7].
std::string convBlockJson();

/// MobileNet-V2's inverted residual block "inverted_residual": x [1, channels, size, size]
/// expanded by a 1x1 convolution with a bias to `expanded` channels, Relu, a depthwise 3x3
/// convolution of `stride` (padding 1), Relu, and a 1x1 convolution back to `channels`, plus
/// x when the stride is 1, into y. Weights and bias are constants.
std::string invertedResidualJson(int channels, int expanded, int size, int stride);

/// Loads graph JSON text through a temporary file named after `name` and the process.
ir::Graph loadGraphJson(const std::string& json, const std::string& name);

}  // namespace conflux::testing
