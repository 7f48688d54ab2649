#pragma once
// What a loop nest over a kernel's iteration space moves between memory and a cache, from the
// exact footprints of its operands (ir::footprintOverMaps) in one iteration of each loop: the
// model by which a target orders its tile loops and picks the loop its threads split.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/node.h"
#include "ir/subset.h"

namespace conflux::passes {

/// One loop of a nest over a map's iteration space: it walks `param` in steps of `step` values
/// (a tile's extent; the loops inside a tile run innermost, with the parameters no loop names).
struct NestLoop {
  std::string param;
  int64_t step = 1;
};

/// An array a nest reads or writes: the elements one iteration of the map touches.
struct NestOperand {
  ir::Subset access;
  int64_t elementBytes = 4;
};

/// Bytes a nest of `loops` (outermost first) over the iteration space of `space` moves between
/// memory and a cache of `cacheBytes`, with `threads` threads, each with a cache of that size,
/// splitting the first loop into equal shares of consecutive iterations.
///
/// The model: the working set of one iteration of the loops outside loop d is every operand's
/// footprint while the loops from d inward run whole. Let d* be the outermost depth whose
/// working set fits. Inside one iteration of loop d*-1, elements are reused from the cache, and
/// from one of its iterations to the next (an invariant operand: a GEMM's A across its column
/// panels; the rows two output rows of a 3x3 convolution share), so each iteration of the loops
/// outside d*-1 loads the operands' footprints over the whole of loop d*-1. When everything
/// fits, that is each element once. Nothing when a footprint is not a constant number of
/// elements (ranges that depend on symbols).
std::optional<double> loopNestTraffic(const ir::Map& space, const std::vector<NestLoop>& loops,
                                      const std::vector<NestOperand>& operands, int64_t cacheBytes,
                                      int threads = 1);

}  // namespace conflux::passes
