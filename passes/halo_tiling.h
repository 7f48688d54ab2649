#pragma once
// halo-tiling: the array between a kernel and the windowed kernel after it (MobileNet's
// expansion and its depthwise convolution, through the padded copy copy-elision made) is made
// cache-local (ir::Storage::CacheLocal) when it outgrows the private cache: it is never stored
// whole. Its writers become producers of its reader (passes/kernels.h), computed per tile of the
// reader's rows, each tile with the halo of rows its window reaches (overlapping tiles: results
// identical to untiled), so the array moves no bytes to or from memory. Writers that fill a
// constant (a padded copy's zero border) are computed with it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/kernels.h"
#include "passes/pass.h"

namespace conflux::passes {

/// Why the transient `array` cannot be made cache-local, or nothing when it can: one kernel
/// computes it (any others write only constants into it), one kernel after them reads it, a
/// nested reduction whose window moves with its output in every dimension it spans (a
/// depthwise convolution, not one that sums over channels), and it holds more than
/// `cacheBytes`. Each check is named in the message.
std::optional<std::string> whyNotHaloTiled(const ir::Graph& graph, const std::string& array, int64_t cacheBytes);

/// The arrays of `graph` halo-tiling makes cache-local, by name.
std::vector<std::string> findHaloTilingCandidates(const ir::Graph& graph, int64_t cacheBytes);

/// Makes every candidate cache-local; returns how many.
int tileHalos(ir::Graph& graph, int64_t cacheBytes);

/// True when the map parameter `param` of `reader` moves every read of `array` in it along the
/// array's outermost dimension in memory of more than one element, and along no other: each
/// iteration of a loop over `param` reads a band of the array's rows (a depthwise
/// convolution's output rows over a channels-last input), so producers computed per iteration
/// slide along the rows — what a target's loop over the reader's tiles needs for it.
bool readsRowBands(const ir::Graph& graph, const Kernel& reader, const std::string& array, const std::string& param);

/// The pass, with the target's private cache (its second memory level) as `cacheBytes`.
std::unique_ptr<Pass> makeHaloTilingPass();

}  // namespace conflux::passes
