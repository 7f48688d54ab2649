#pragma once
// The order of the loops over a contraction's tiles and the loop threads split: by rule, or by
// the bytes each order moves through the cores' caches (passes::loopNestTraffic).
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "targets/cpu/cache_budget.h"

namespace conflux::targets::cpu {

/// A loop over tiles of a contraction's output: Halide dimension `dim` in steps of `step`.
struct TileLoop {
  size_t dim;
  int64_t step;
};

/// Bytes a nest of loops over a contraction's tiles (outermost first; the reduction runs inside
/// each tile) moves between memory and each core's cache of `cacheBytes` when `threads` threads
/// split the first loop (passes::loopNestTraffic over the kernel's footprints); nothing where
/// the model has no answer.
using TileTraffic =
    std::function<std::optional<double>(const std::vector<TileLoop>& loops, int64_t cacheBytes, int threads)>;

/// The loops over a contraction's tiles, innermost first, and which of them threads split.
struct TileOrder {
  std::vector<TileLoop> loops;
  size_t parallel = 0;
  bool panelsOutermost = false;
};

/// Orders the loops over a contraction's tiles — `memoryOrder` (innermost first: every output
/// dimension's but the vector one's) and the loop over column panels, `panels` — and picks the
/// one threads split (so that no two write one cache line). By rule: the panels' loop outermost
/// when `panelsStream` (each panel of a large vector-loaded operand, a GEMM's B, is reused from
/// the cache by every row tile), threads splitting the outermost loop they share evenly; else
/// the panels' loop at the vector dimension's place in memory order, with the
/// threads' loop moved outermost (threads start once per kernel: a 7x7 depthwise convolution
/// threading its channel tiles does not start them once per image row). The panels back in
/// place, or another loop for the threads, replace the rule's where `traffic` says they move
/// more than budget.streamed fewer bytes in and out of each core's L2 (budget.core):
/// a 16-channel convolution over a 1024x1024 row-major image has threads split its rows, not
/// its two channel tiles, each of which would stream the whole image. The rule stands where the
/// model has no answer.
TileOrder orderTiles(const std::vector<TileLoop>& memoryOrder, const TileLoop& panels,
                     const std::vector<int64_t>& shape, int threads, const TileTraffic& traffic,
                     const CacheBudget& budget, bool panelsStream);

}  // namespace conflux::targets::cpu
