#pragma once
// winograd-convolutions: chooses Winograd's F(2x2, 3x3) expansion (passes/expansions/winograd.h)
// for the 3x3 convolutions where it runs faster than the direct one on the cpu target; the
// choice is the library node's Expansion, which expand-library-nodes reads.
#include <memory>

#include "ir/graph.h"
#include "passes/pass.h"

namespace conflux::passes {

/// Marks Expansion::Winograd on every top-level Conv of `graph` that Winograd's expansion
/// handles (expansions::winogradApplies) with at least kWinogradMinChannels input and output
/// channels; returns whether it marked any.
bool selectWinogradConvolutions(ir::Graph& graph);

/// The fewest input and output channels a convolution takes Winograd's expansion with. Its
/// 16 products per 2x2 output tile replace 36 multiply-adds per channel pair, but the transforms
/// cost per channel, the products reduce over the input channels alone, and the transformed
/// filter is 16/9 the weights' size: measured in ResNet-50 (`conflux report --measure`), the
/// three kernels of a 64-channel 3x3 at 56x56 took as long as the direct convolution (0.59 ms),
/// those of 128 channels at 28x28 0.43 ms against 0.58, of 256 at 14x14 0.49 against 0.58; the
/// UNet's convolutions of 16-64 channels, each fused with its neighbours when direct, ran 1.6x
/// slower in all.
inline constexpr int64_t kWinogradMinChannels = 128;

/// Makes the pass that runs selectWinogradConvolutions.
std::unique_ptr<Pass> makeWinogradSelectionPass();

}  // namespace conflux::passes
