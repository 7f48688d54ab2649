#include "passes/loop_nest_traffic.h"

#include <algorithm>

#include "ir/error.h"
#include "ir/footprint.h"

namespace conflux::passes {
namespace {

/// The index of `param` in `space`; throws InternalError when it has none.
size_t paramIndex(const ir::Map& space, const std::string& param) {
  auto it = std::find(space.params.begin(), space.params.end(), param);
  CONFLUX_ASSERT(it != space.params.end(), "a loop over '" + param + "', which the map does not have");
  return static_cast<size_t>(it - space.params.begin());
}

/// `space` with the parameter of each of `loops` restricted to the values of its first iteration.
ir::Map firstIterations(const ir::Map& space, const std::vector<NestLoop>& loops) {
  ir::Map iteration = space;
  for (const NestLoop& loop : loops) {
    ir::Range& r = iteration.ranges.ranges[paramIndex(space, loop.param)];
    int64_t last = r.begin.constant() + (loop.step - 1) * r.step;
    if (last < r.end.constant()) r.end = ir::AffineExpr(last);
  }
  return iteration;
}

/// Iterations of `loop` over `space`.
int64_t trips(const ir::Map& space, const NestLoop& loop) {
  int64_t values = *space.ranges.ranges[paramIndex(space, loop.param)].size();
  return (values + loop.step - 1) / loop.step;
}

}  // namespace

std::optional<double> loopNestTraffic(const ir::Map& space, const std::vector<NestLoop>& loops,
                                      const std::vector<NestOperand>& operands, int64_t cacheBytes,
                                      int threads) {
  for (const ir::Range& r : space.ranges.ranges)
    if (!r.begin.constantValue() || !r.end.constantValue()) return std::nullopt;
  for (const NestLoop& loop : loops) CONFLUX_ASSERT(loop.step >= 1, "a loop over '" + loop.param + "' without steps");
  // Each thread runs the nest over its share of the first loop, with a cache of its own.
  ir::Map share = space;
  double shares = 1;
  if (threads > 1 && !loops.empty()) {
    int64_t first = trips(space, loops.front());
    int64_t perShare = (first + threads - 1) / threads;
    share = firstIterations(space, {{loops.front().param, perShare * loops.front().step}});
    shares = static_cast<double>((first + perShare - 1) / perShare);
  }
  // footprints[d][o]: bytes of operand o in one iteration of the loops outside depth d.
  std::vector<std::vector<double>> footprints;
  size_t fits = loops.size();
  for (size_t depth = 0; depth <= loops.size(); ++depth) {
    ir::Map iteration =
        firstIterations(share, std::vector<NestLoop>(loops.begin(), loops.begin() + static_cast<std::ptrdiff_t>(depth)));
    std::vector<double> bytes;
    for (const NestOperand& operand : operands) {
      std::optional<int64_t> elements = ir::footprintOverMaps({operand.access}, {&iteration}).distinctElements;
      if (!elements) return std::nullopt;
      bytes.push_back(static_cast<double>(*elements * operand.elementBytes));
    }
    double workingSet = 0;
    for (double b : bytes) workingSet += b;
    footprints.push_back(std::move(bytes));
    if (workingSet <= static_cast<double>(cacheBytes)) {
      fits = depth;
      break;
    }
  }
  // Each iteration of the loops outside fits - 1 loads the footprints over the whole of it.
  size_t reused = fits == 0 ? 0 : fits - 1;
  double iterations = 1;
  for (size_t i = 0; i < reused; ++i) iterations *= static_cast<double>(trips(share, loops[i]));
  double perShare = 0;
  for (double b : footprints[reused]) perShare += b * iterations;
  return perShare * shares;
}

}  // namespace conflux::passes
