#pragma once
// Small graphs built through the IR API, shared by the IR tests.
#include <cstdint>

#include "ir/graph.h"

namespace conflux::testing {

/// y = relu(x · w + b) for x[8,16], w[16,32], b[32] as maps and tasklets: state "init" zeroes
/// the accumulator h, state "compute" runs the MatMul map (WCR sum into h) and the fused
/// bias+ReLU map. Memlets are propagated.
ir::Graph matmulBiasRelu();

/// A 3x3 convolution of one padded input tile as a single map with a stencil memlet:
/// x[c, h+r, w+s] for c < channels, h < height, w < width, r, s < 3; y[k, h, w] with `filters`.
ir::Graph conv3x3Tile(int64_t channels, int64_t height, int64_t width, int64_t filters);

}  // namespace conflux::testing
