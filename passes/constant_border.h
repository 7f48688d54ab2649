#pragma once
// Constant borders: an array whose elements outside a box all hold one value, written once at
// load by kernels that fill constants (a padded input's zero border, a max pooling's -inf one),
// while other kernels compute the box each run. A target may skip the reduction steps that read
// only the border where its value leaves the reduction unchanged (a convolution's taps in the
// zero padding).
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "passes/kernels.h"

namespace conflux::passes {

/// The border of one array: every element outside `box` is `value`.
struct ConstantBorder {
  /// The box kernels compute each run: (first, last) index per dimension.
  std::vector<std::pair<int64_t, int64_t>> box;
  double value = 0;
};

/// The transient arrays of `graph` stored in memory whose elements outside the box that
/// kernels compute each run are written only by run-once kernels (`runOnce`, from
/// runOnceKernels over `kernels`) whose tasklets all write one constant, and are all written:
/// by name. An array filled whole, or with constants that differ, has none.
std::map<std::string, ConstantBorder> constantBorders(const ir::Graph& graph, const std::vector<Kernel>& kernels,
                                                      const std::vector<bool>& runOnce);

}  // namespace conflux::passes
