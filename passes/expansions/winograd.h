#pragma once
// The Winograd expansion of 3x3 convolutions (winograd.cpp).
#include "passes/expansions/builder.h"

namespace conflux::passes::expansions {

/// True when `b`'s node is a float32 2-D Conv with a constant 3x3 filter, stride 1, no
/// dilation, one group and an even output height and width: what expandConvWinograd handles.
bool winogradApplies(const Builder& b);

/// Expands `b`'s Conv (winogradApplies) as Winograd's F(2x2, 3x3): an input transform, 16
/// matrix products against the filter transformed here, and an output transform adding the bias.
void expandConvWinograd(Builder& b);

}  // namespace conflux::passes::expansions
