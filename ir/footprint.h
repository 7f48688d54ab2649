#pragma once
// Exact data footprints through ISL: which elements a subset touches while the parameters of
// enclosing maps range over their iteration spaces. ISL stays behind this interface.
#include <cstdint>
#include <optional>
#include <vector>

#include "ir/node.h"
#include "ir/subset.h"

namespace conflux::ir {

/// The elements touched by a union of subsets over some map scopes.
struct Footprint {
  /// The bounding box (with strides where ISL finds them), in the symbols left free.
  Subset box;
  /// Exact number of distinct elements, when no free symbols remain.
  std::optional<int64_t> distinctElements;
};

/// Footprint of the union of `subsets` (all of one rank) while the parameters of `scopes`
/// (outermost first) range over their maps. Symbols bound by no scope stay free (parameters).
Footprint footprintOverMaps(const std::vector<Subset>& subsets, const std::vector<const Map*>& scopes);

/// Number of iterations of a map, when it does not depend on free symbols.
std::optional<int64_t> iterationCount(const Map& map);

}  // namespace conflux::ir
