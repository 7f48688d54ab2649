#pragma once
// Map iteration spaces: a map's ranges resolved against the env slots, evaluated per
// execution (ranges may depend on outer parameters and symbols), and walked point by point or
// in batches of lanes along one vector parameter.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ir/node.h"
#include "targets/reference/linear_form.h"

namespace conflux::targets::reference {

/// A map's parameters (their env slots) and ranges, resolved once.
struct MapRanges {
  std::vector<int> slots;
  std::vector<LinearForm> begin;
  std::vector<LinearForm> end;
  std::vector<int64_t> step;

  /// Resolves `map` in `outer` (the names around the map) with parameter slots `slots`.
  static MapRanges of(const ir::Map& map, const NameScope& outer, std::vector<int> slots,
                      const std::string& where);
};

/// The concrete iteration space of one map execution (ranges inclusive, with steps).
struct IterationSpace {
  std::vector<int> slots;
  std::vector<int64_t> first;
  std::vector<int64_t> step;
  std::vector<int64_t> count;

  /// Evaluates `ranges` with the outer values in `env`.
  static IterationSpace evaluate(const MapRanges& ranges, const int64_t* env);
  bool empty() const;
  /// Each parameter's first and last value.
  std::vector<SlotRange> box() const;
  /// The dimension to vectorise: the largest count, ties to the later (inner) parameter;
  /// nothing for a map without parameters.
  std::optional<size_t> widestDim() const;
};

/// Walks `space` in lexicographic order with `vectorDim` innermost, in batches of up to
/// `maxLanes` consecutive values of it: sets the parameters in `env` (the vector parameter to
/// the batch's first value) and calls `body(lanes)`.
void forEachBatch(const IterationSpace& space, size_t vectorDim, int64_t maxLanes, int64_t* env,
                  const std::function<void(int64_t lanes)>& body);
/// Calls `body` at every point of `space` in lexicographic order, parameters set in `env`.
void forEachPoint(const IterationSpace& space, int64_t* env, const std::function<void()>& body);

}  // namespace conflux::targets::reference
