#include "targets/cpu/tile_order.h"

#include <algorithm>

namespace conflux::targets::cpu {
namespace {

/// The loops of `trips` iterations (innermost first) threads may split, outermost first: those
/// whose iterations `threads` share evenly or that have many, else the outermost with several,
/// else the outermost.
std::vector<size_t> threadLoops(const std::vector<int64_t>& trips, int threads) {
  std::vector<size_t> even;
  for (size_t i = trips.size(); i-- > 0;)
    if (trips[i] >= 2 && (trips[i] % threads == 0 || trips[i] >= 4 * threads)) even.push_back(i);
  if (!even.empty()) return even;
  for (size_t i = trips.size(); i-- > 0;)
    if (trips[i] >= 2) return {i};
  return {trips.size() - 1};
}

}  // namespace

TileOrder orderTiles(const std::vector<TileLoop>& memoryOrder, const TileLoop& panels,
                     const std::vector<int64_t>& shape, int threads, const TileTraffic& traffic,
                     const CacheBudget& budget, bool panelsStream) {
  auto trips = [&](const std::vector<TileLoop>& loops) {
    std::vector<int64_t> result;
    for (const TileLoop& loop : loops) result.push_back((shape[shape.size() - 1 - loop.dim] + loop.step - 1) / loop.step);
    return result;
  };
  auto withPanelsAt = [&](size_t place) {
    std::vector<TileLoop> loops = memoryOrder;
    loops.insert(loops.begin() + static_cast<std::ptrdiff_t>(place), panels);
    return loops;
  };
  TileOrder streamed{withPanelsAt(memoryOrder.size()), 0, true};
  streamed.parallel = threadLoops(trips(streamed.loops), threads).front();
  std::vector<TileOrder> inPlace;  // threads splitting each loop they may, outermost first
  // In memory order the panels' loop sits after the loops of the dimensions inside its own.
  const std::vector<TileLoop> memory = withPanelsAt(static_cast<size_t>(std::count_if(
      memoryOrder.begin(), memoryOrder.end(), [&](const TileLoop& loop) { return loop.dim < panels.dim; })));
  for (size_t split : threadLoops(trips(memory), threads)) {
    TileOrder order{memory, memory.size() - 1, false};
    std::rotate(order.loops.begin() + static_cast<std::ptrdiff_t>(split),
                order.loops.begin() + static_cast<std::ptrdiff_t>(split) + 1, order.loops.end());
    order.panelsOutermost = order.loops.back().dim == panels.dim;
    inPlace.push_back(std::move(order));
  }
  // Threads splitting a loop inside the panels' would start once per panel and each read every
  // panel, which the model does not weigh.
  const TileOrder& byRule = panelsStream ? streamed : inPlace.front();
  if (!traffic || (panelsStream && streamed.parallel != streamed.loops.size() - 1)) return byRule;
  auto bytesMoved = [&](const TileOrder& order) {
    return traffic({order.loops.rbegin(), order.loops.rend()}, budget.core, threads);
  };
  // The model does not see which core's cache the kernel before left its rows in (threads
  // splitting kernels alike find them there): another order must save more than half a cache.
  std::optional<double> byRuleBytes = bytesMoved(byRule), least;
  const TileOrder* best = &byRule;
  // Nor does it count cache lines: the panels of an operand not packed are strips of its rows, a
  // few lines each with short prefetch streams, so it moves no panels outermost the rule keeps
  // in place (a 16-channel convolution's image, vector-loaded along its columns).
  std::vector<const TileOrder*> candidates;
  if (panelsStream) candidates.push_back(&streamed);
  for (const TileOrder& order : inPlace) candidates.push_back(&order);
  for (const TileOrder* order : candidates) {
    std::optional<double> bytes = bytesMoved(*order);
    if (!bytes || !byRuleBytes) return byRule;
    if (!least || *bytes < *least) {
      least = bytes;
      best = order;
    }
  }
  if (*least + static_cast<double>(budget.streamed) >= *byRuleBytes) return byRule;
  return *best;
}

}  // namespace conflux::targets::cpu
