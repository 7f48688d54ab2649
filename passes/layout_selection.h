#pragma once
// select-layouts: chooses the layout of every four-dimensional transient (N, C, H, W) — row-major
// or channels-last (N, H, W, C) — to minimise the layout cost model (layout_cost.h) summed over
// all kernels. A convolution over a 14x14 image vectorises along its channels only if its
// input and output keep channels innermost; the element-wise kernels between convolutions
// then follow, and conversions happen inside the kernels where the model says they pay.
//
// The choice is exact (layout_dp.h: dynamic programming over the kernels in order, the layouts
// of the arrays live between two kernels as its state) unless more than ten arrays are live at
// once. Then a local search starts from the better of all row-major and all channels-last and,
// while the total falls, flips single arrays and sets whole downstream chains (an array and
// every array computed from it) to one layout — a layout change placed at one point of the
// graph — re-pricing only the kernels touching the arrays a move changes.
// Graph inputs, outputs and constants keep their row-major layout: callers exchange them.
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/layout_cost.h"
#include "passes/pass.h"

namespace conflux::passes {

/// The channels-last layout of a rank-4 array: order (0, 2, 3, 1).
ir::Layout channelsLast();

/// The arrays whose layout the pass chooses: four-dimensional transients in memory with no
/// fixed value.
std::vector<std::string> layoutFreeArrays(const ir::Graph& graph);

/// The layouts chosen for the transients of `graph` whose layout is free to change, for vectors
/// of `lanes` 32-bit elements; arrays left row-major are included.
LayoutOf selectLayouts(const ir::Graph& graph, int lanes);
/// The same, given the accesses of the kernels the model prices (pricedKernels).
LayoutOf selectLayouts(const ir::Graph& graph, const std::vector<KernelAccesses>& kernels, int lanes);

/// Sets the chosen layouts in `graph`; returns how many arrays left row-major.
int applyLayouts(ir::Graph& graph, const LayoutOf& layouts);

/// Makes the pass running selectLayouts and applyLayouts for the target's vector width.
std::unique_ptr<Pass> makeSelectLayoutsPass();

}  // namespace conflux::passes
