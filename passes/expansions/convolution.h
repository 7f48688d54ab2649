#pragma once
// Pieces shared by the convolution expansions: the direct one (convolution.cpp) and the
// Winograd one (winograd.cpp).
#include <string>
#include <vector>

#include "passes/expansions/window.h"

namespace conflux::passes::expansions {

/// The shapes of X, W and Y of a Conv or ConvTranspose (checked to share a rank of 3-5) and
/// its window.
struct ConvOperands {
  std::vector<int64_t> x, w, y;
  Window window;
};

/// Reads and checks the operands of `b`'s Conv or ConvTranspose; throws conflux::Error (via
/// Builder::fail) when the ranks or window attributes are wrong.
ConvOperands convOperands(const Builder& b);

/// Writes the bias b[m] (connector in2) or zeros into every element of `target` ([N, M, ...])
/// and returns `target`.
ir::NodeId initWithBias(Builder& b, ir::NodeId target, const std::string& role);

}  // namespace conflux::passes::expansions
