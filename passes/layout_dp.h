#pragma once
// The exact layout assignment: dynamic programming over the kernels in execution order, in the
// spirit of "Data Movement is All You Need" (shortest path over layout configurations), extended
// from chains to graphs with branches. Between two consecutive kernels the state is the layouts
// of the arrays live across that point (written before, read after: a residual connection's
// input while its branch runs); each kernel's cost depends only on the layouts of the arrays it
// touches, so the cheapest total to reach a state is the cheapest over the states before it plus
// the kernel's cost. An array's layout is chosen at its first kernel and dropped from the state
// after its last. The state space is exponential in the number of live arrays, so the programme
// declines graphs where more than a bound of them are live at once.
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/layout_cost.h"

namespace conflux::passes {

/// The assignment of one of `choices` to each of `arrays` that minimises the summed layoutCost
/// of `kernels` (in execution order) for vectors of `lanes` elements, exactly; arrays no kernel
/// touches get choices[0]. Nothing when more than `maxLive` arrays are live at once.
std::optional<LayoutOf> exactLayouts(const ir::Graph& graph, const std::vector<KernelAccesses>& kernels,
                                     const std::vector<std::string>& arrays, const std::vector<ir::Layout>& choices,
                                     int lanes, size_t maxLive = 10);

}  // namespace conflux::passes
