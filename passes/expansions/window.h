#pragma once
// The sliding window of convolutions and pools, with ONNX defaults resolved.
#include <cstdint>
#include <vector>

#include "passes/expansions/builder.h"

namespace conflux::passes::expansions {

/// Kernel, strides, dilations and pads of a window over `spatial` dimensions.
struct Window {
  size_t spatial = 0;
  std::vector<int64_t> kernel, strides, dilations, padBegin, padEnd;

  /// The extent of one window along dimension `d`: (kernel - 1) * dilation + 1.
  int64_t extent(size_t d) const { return (kernel[d] - 1) * dilations[d] + 1; }
};

/// Resolves the window of `b`'s node over the spatial dimensions of in0 (all after N, C):
/// empty strides and dilations are 1, empty pads 0 ([begin..., end...]). Throws
/// conflux::Error (via Builder::fail) when a list has the wrong length.
Window resolveWindow(const Builder& b, std::vector<int64_t> kernel,
                     const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations,
                     const std::vector<int64_t>& pads);

}  // namespace conflux::passes::expansions
