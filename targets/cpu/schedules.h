#pragma once
// Halide schedules of the cpu target's kernels: dense element-wise loops, register-blocked
// contraction tiles with packed operands, reductions into an accumulator, and race-free
// scatters. Each function only schedules; the definitions come from kernel_lowering.
#include <Halide.h>

#include <optional>
#include <string>
#include <vector>

#include "ir/data_desc.h"
#include "ir/memlet.h"
#include "ir/target_desc.h"
#include "targets/cpu/cache_budget.h"
#include "targets/cpu/contraction_tile.h"
#include "targets/cpu/tile_order.h"

namespace conflux::targets::cpu {

/// The lanes of a vector of `type` on `target` (whose vectorLanes counts 32-bit lanes).
int vectorLanes(const ir::TargetDesc& target, Halide::Type type);

/// Vectorises the innermost variable (`vars[0]`), parallelises the outermost one of more than
/// one element when the stage is large enough to pay for threads.
void scheduleDense(Halide::Func f, const std::vector<Halide::Var>& vars, const std::vector<int64_t>& shape,
                   int lanes);

/// A loop over tiles that threads split: its variable, the Halide dimension of the output it
/// runs along, and its iterations.
struct ThreadedLoop {
  Halide::Var var;
  size_t dim = 0;
  int64_t trips = 0;
};

/// Schedules out(vars) = epilogue(acc(vars)) with acc an update over `domain` accumulated in
/// registers per tile of rows x tileColumns(...) outputs in vectors of tile.lanes. The loops over
/// tiles and the one `threads` threads split are ordered by orderTiles; `budget` also sizes the
/// reduction blocks. `windowAlongRows` is the reduction dimension (of `domain`) that slides
/// along the rows, a convolution's window columns, if any. Returns the loop threads split when
/// it is not the one acc is computed in (other stages may then be computed inside it); with one
/// thread (a stage computed inside another's loop) none is split.
std::optional<ThreadedLoop> scheduleTile(Halide::Func out, Halide::Func acc, const std::vector<Halide::Var>& vars, const Tile& tile,
                  const std::vector<int64_t>& shape, const Halide::RDom& domain, int threads,
                  const CacheBudget& budget, const TileTraffic& traffic, std::optional<int> windowAlongRows);

/// The Halide dimension along which scheduleAccumulator runs vectors of `lanes` over an output
/// region of `shape` (outermost first): the innermost, or the next when each row reduces to one
/// value; nothing when neither fills half a vector.
std::optional<size_t> accumulatorLanes(const std::vector<int64_t>& shape, int lanes);

/// Schedules out(vars) = epilogue(acc(vars)) with acc an update over `domain` that is no
/// contraction tile (row maxima, sums, pooling windows): acc is computed per row of out,
/// vectorised along accumulatorLanes(shape, lanes), threads (of `threads`; one: none) over its
/// outermost dimension when the work pays for them. Returns that loop as scheduleTile does.
std::optional<ThreadedLoop> scheduleAccumulator(Halide::Func out, Halide::Func acc, const std::vector<Halide::Var>& vars,
                                                const std::vector<int64_t>& shape, const Halide::RDom& domain, int lanes,
                                                int threads);

/// Schedules a scatter update of `f` over `domain` (one RVar per entry of `params`, same
/// order) writing `write` (its ranges in memory order, unit stride last): lanes run along a
/// parameter that moves the innermost written index, threads along a parameter alone in some
/// written index, so the update is race-free although Halide cannot prove it.
void scheduleScatter(Halide::Func& f, const Halide::RDom& domain, const std::vector<std::string>& params,
                     const ir::Subset& write, ir::Wcr wcr, int lanes);

/// The dimension of a read whose index moves with `param` when it is not the unit-stride
/// dimension of the array's `layout` (the read would gather across vector lanes), or nothing.
std::optional<size_t> stridedDimension(const ir::Subset& read, const std::string& param, const ir::Layout& layout);

}  // namespace conflux::targets::cpu
