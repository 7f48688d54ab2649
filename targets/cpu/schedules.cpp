#include "targets/cpu/schedules.h"

#include <algorithm>
#include <map>

namespace conflux::targets::cpu {
namespace {

/// The fewest loop iterations one parallel task runs.
constexpr int64_t kMinTaskIterations = 1 << 15;

const Halide::TailStrategy kGuard = Halide::TailStrategy::GuardWithIf;

/// Rows per tile of at most `most`: all of them when there are no more, else the largest count
/// from `most` down to half of it that divides them (no guarded partial tiles), else `most`.
int tileRows(int64_t rows, int most) {
  if (rows <= most) return static_cast<int>(rows);
  for (int r = most; r >= most / 2; --r)
    if (rows % r == 0) return r;
  return most;
}

/// The extent of each RDom dimension, by parameter.
std::map<std::string, int> domainExtents(const Halide::RDom& domain, const std::vector<std::string>& params) {
  std::map<std::string, int> extents;
  for (size_t i = 0; i < params.size(); ++i)
    if (auto e = Halide::Internal::as_const_int(domain[static_cast<int>(i)].extent())) extents[params[i]] = static_cast<int>(*e);
  return extents;
}

/// `first`, then every other RVar of `domain`, then `vars` other than the excluded ones.
std::vector<Halide::VarOrRVar> updateOrder(const std::vector<Halide::VarOrRVar>& first, const Halide::RDom& domain,
                                           const std::vector<Halide::Var>& vars, const std::vector<size_t>& excluded) {
  std::vector<Halide::VarOrRVar> order = first;
  for (int i = 0; i < domain.dimensions(); ++i)
    if (std::none_of(first.begin(), first.end(),
                     [&](const Halide::VarOrRVar& v) { return v.is_rvar && v.rvar.name() == domain[i].name(); }))
      order.emplace_back(domain[i]);
  for (size_t k = 0; k < vars.size(); ++k)
    if (!std::count(excluded.begin(), excluded.end(), k)) order.emplace_back(vars[k]);
  return order;
}

/// Schedules acc of a contraction tile blocked along its reduction (GotoBLAS): acc is computed
/// per column panel of out (loop `panel`) and holds the panel's columns of every row; each block
/// of the reduction runs over all row tiles, with the tile's accumulators in registers, before
/// the next block, so the slices of both operands it reads stay in L2. A block is
/// `reductionBlock` steps of the reduction's one long dimension `along`, or, without a block
/// size, all of `along` for one step of the other dimensions (a convolution's window taps).
void scheduleBlockedAccumulator(Halide::Func out, Halide::Func acc, const Halide::Var& panel,
                                const std::vector<Halide::Var>& vars, const Tile& tile, const Halide::RDom& domain,
                                int along, const std::vector<Halide::Var>& storage, int rowsPerTile, int lanes,
                                std::optional<int> reductionBlock) {
  const Halide::Var& x = vars[tile.vector];
  const Halide::Var& y = vars[tile.rows];
  Halide::RVar ko("ko"), ki("ki");
  Halide::Var ya("ya"), yb("yb");
  std::vector<Halide::VarOrRVar> order{x, yb};
  if (reductionBlock) {
    order.emplace_back(ki);
  } else {
    order.emplace_back(domain[along]);
  }
  order.emplace_back(ya);
  for (size_t k = 0; k < vars.size(); ++k)
    if (k != tile.vector && k != tile.rows) order.emplace_back(vars[k]);
  for (int i = 0; i < domain.dimensions(); ++i)
    if (i != along) order.emplace_back(domain[i]);
  acc.compute_at(out, panel).reorder_storage(storage).align_storage(x, lanes).vectorize(x, lanes, kGuard).unroll(x);
  Halide::Stage update = acc.update();
  if (reductionBlock) {
    update.split(domain[along], ko, ki, *reductionBlock);
    order.emplace_back(ko);
  }
  update.split(y, ya, yb, rowsPerTile, kGuard).reorder(order).vectorize(x, lanes, kGuard).unroll(x).unroll(yb);
}

/// `threaded`, unless acc is computed at its loop (`accLevel`): splitting that loop for stages
/// computed inside it would lose acc's place.
std::optional<ThreadedLoop> splittable(const std::optional<ThreadedLoop>& threaded, const Halide::Var& accLevel) {
  return threaded && !threaded->var.same_as(accLevel) ? threaded : std::nullopt;
}

}  // namespace

int vectorLanes(const ir::TargetDesc& target, Halide::Type type) {
  return std::max(1, target.vectorLanes * 32 / std::max(8, type.bits()));
}

void scheduleDense(Halide::Func f, const std::vector<Halide::Var>& vars, const std::vector<int64_t>& shape,
                   int lanes) {
  if (vars.empty()) return;
  if (shape.back() >= lanes / 2) f.vectorize(vars.front(), lanes, kGuard);
  int64_t elements = 1;
  for (int64_t d : shape) elements *= d;
  if (elements < 4096) return;
  // Threads over the outermost dimension with more than one element (a batch of one has none).
  for (size_t k = vars.size(); k-- > 1;)
    if (shape[vars.size() - 1 - k] > 1) {
      f.parallel(vars[k]);
      return;
    }
}

std::optional<ThreadedLoop> scheduleTile(Halide::Func out, Halide::Func acc, const std::vector<Halide::Var>& vars, const Tile& tile,
                  const std::vector<int64_t>& shape, const Halide::RDom& domain, int threads,
                  const CacheBudget& budget, const TileTraffic& traffic, std::optional<int> windowAlongRows) {
  const int lanes = tile.lanes;
  Halide::Var xo("xo"), xi("xi"), yo("yo"), yi("yi");
  const Halide::Var& x = vars[tile.vector];
  const Halide::Var& y = vars[tile.rows];
  int64_t rows = shape[shape.size() - 1 - tile.rows];
  int64_t columns = shape[shape.size() - 1 - tile.vector];
  // A padded tile covers the whole dimension; its output is stored in the half-width vectors
  // that fill it, its accumulators computed in full ones past the end (RoundUp).
  int columnsPerTile = tile.padded ? static_cast<int>(columns) : tileColumns(columns, lanes, tileVectors(tile, rows == 1));
  const int storeLanes = tile.padded ? lanes / 2 : lanes;
  const Halide::TailStrategy accTail = tile.padded ? Halide::TailStrategy::RoundUp : kGuard;
  // A tile one vector wide whose rows broadcast their operand (a 16-channel convolution's image)
  // takes twice the rows: as many accumulators as two vectors, to hide the multiply-adds'
  // latency; its window columns, unrolled inside the tile, share the values each row broadcasts
  // (LLVM merges the equal loads): 18 image values serve three window columns of 16 rows.
  const bool narrow = columnsPerTile == lanes && tile.broadcastRows;
  int rowsPerTile = tileRows(rows, narrow ? 2 * kTileRows : kTileRows);
  const int window = narrow ? windowAlongRows.value_or(-1) : -1;  // the RDom dimension unrolled
  out.split(x, xo, xi, columnsPerTile, kGuard).split(y, yo, yi, rowsPerTile, kGuard);
  // Loops, innermost first: the tile, then the loops over tiles and the other output
  // dimensions, ordered by the bytes they move (orderTiles). Threads split an outer loop: they
  // write far apart, never into one cache line (a convolution's output channels, a GEMM's rows).
  std::vector<TileLoop> memoryOrder;
  for (size_t k = 0; k < vars.size(); ++k)
    if (k != tile.vector) memoryOrder.push_back({k, k == tile.rows ? rowsPerTile : 1});
  // Without a model, the column panels go outermost when the vector-loaded operand (about
  // reduction x columns elements: a GEMM's B) outgrows budget.streamed.
  int64_t reduction = 1;
  for (int i = 0; i < domain.dimensions(); ++i)
    if (auto e = Halide::Internal::as_const_int(domain[i].extent())) reduction *= *e;
  int64_t elementBytes = acc.output_types().front().bytes();
  const TileOrder order = orderTiles(memoryOrder, {tile.vector, columnsPerTile}, shape, threads, traffic,
                                     budget, reduction * columns * elementBytes >= budget.streamed);
  std::vector<Halide::VarOrRVar> loops{xi, yi};
  for (const TileLoop& loop : order.loops)
    loops.emplace_back(loop.dim == tile.vector ? xo : loop.dim == tile.rows ? yo : vars[loop.dim]);
  const size_t parallel = 2 + order.parallel;
  // The loop just outside the tile: acc is computed there, so it holds one tile.
  Halide::Var perTile = loops[2].var;
  out.reorder(loops).vectorize(xi, storeLanes, kGuard).unroll(xi).unroll(yi);
  std::optional<ThreadedLoop> threaded;
  if (threads > 1) {
    const TileLoop& split = order.loops[order.parallel];
    int64_t extent = shape[shape.size() - 1 - split.dim];
    threaded = ThreadedLoop{loops[parallel].var, split.dim, (extent + split.step - 1) / split.step};
    out.parallel(threaded->var);
  }
  // acc lives in registers for one tile; guarded like out, so that at the edges it neither
  // computes nor reads past the output.
  std::vector<Halide::Var> storage{x, y};
  for (size_t k = 0; k < vars.size(); ++k)
    if (k != tile.vector && k != tile.rows) storage.push_back(vars[k]);
  // A long single reduction over an outermost panel whose rows' accumulators fit budget.block
  // runs in blocks, each reading a slice of a full-width panel of that many bytes.
  const int reductionBlock = std::max<int>(1, static_cast<int>(budget.block / (kTileVectors * kFullLanes * 4)));
  int64_t blockRows = 1;
  for (size_t k = 0; k < vars.size(); ++k)
    if (k != tile.vector) blockRows *= shape[shape.size() - 1 - k];
  std::vector<int> longSteps;  // reduction dimensions of more than one step
  for (int i = 0; i < domain.dimensions(); ++i)
    if (auto e = Halide::Internal::as_const_int(domain[i].extent()); !e || *e > 1) longSteps.push_back(i);
  bool rowsFit = order.panelsOutermost && !tile.padded && blockRows * columnsPerTile * elementBytes <= budget.block;
  if (rowsFit && longSteps.size() == 1 && reduction >= 2 * reductionBlock && reduction % reductionBlock == 0) {
    scheduleBlockedAccumulator(out, acc, xo, vars, tile, domain, longSteps.front(), storage, rowsPerTile, lanes,
                               reductionBlock);
    return splittable(threaded, xo);
  }
  // A panel that outgrows half of L2 and is walked in window taps (ResNet's last 3x3
  // convolutions: 589 KiB of weights a panel, over 7 image rows) is walked tap by tap for all
  // rows: each tap's slice is read from memory once, then from L1 by the other rows.
  if (rowsFit && longSteps.size() >= 2 && window < 0 && reduction * columnsPerTile * elementBytes > budget.streamed) {
    scheduleBlockedAccumulator(out, acc, xo, vars, tile, domain, longSteps.front(), storage, rowsPerTile, lanes,
                               std::nullopt);
    return splittable(threaded, xo);
  }
  // The tile's vectors and rows are unrolled: up to tileVectors x rowsPerTile accumulators in
  // registers, one fused multiply-add each per reduction step. Rows are stored in whole vectors:
  // a row of 14 columns would otherwise overlap the next one's vector, and the overlapping
  // accumulators would live in memory.
  acc.compute_at(out, perTile)
      .reorder_storage(storage)
      .align_storage(x, lanes)
      .vectorize(x, lanes, accTail)
      .unroll(x)
      .unroll(y, rowsPerTile, kGuard);
  std::vector<Halide::VarOrRVar> first{x, y};
  if (window >= 0) first.emplace_back(domain[window]);
  Halide::Stage update = acc.update();
  update.reorder(updateOrder(first, domain, vars, {tile.vector, tile.rows}))
      .vectorize(x, lanes, accTail)
      .unroll(x)
      .unroll(y, rowsPerTile, kGuard);
  if (window >= 0) update.unroll(domain[window]);
  return splittable(threaded, perTile);
}

std::optional<size_t> accumulatorLanes(const std::vector<int64_t>& shape, int lanes) {
  size_t rank = shape.size();
  if (rank == 0) return std::nullopt;
  auto extent = [&](size_t halideDim) { return shape[rank - 1 - halideDim]; };
  // The innermost output dimension, or across rows when each row reduces to one value (row
  // maxima and sums of softmax and layer norm).
  size_t dim = extent(0) < lanes / 2 && rank >= 2 && extent(1) >= lanes ? 1 : 0;
  if (extent(dim) < lanes / 2) return std::nullopt;
  return dim;
}

std::optional<ThreadedLoop> scheduleAccumulator(Halide::Func out, Halide::Func acc, const std::vector<Halide::Var>& vars,
                                                const std::vector<int64_t>& shape, const Halide::RDom& domain, int lanes,
                                                int threads) {
  size_t rank = vars.size();
  if (rank == 0) {
    acc.compute_root();
    return std::nullopt;
  }
  auto extent = [&](size_t halideDim) { return shape[rank - 1 - halideDim]; };
  int64_t work = 1;
  for (int64_t d : shape) work *= d;
  for (int i = 0; i < domain.dimensions(); ++i)
    if (auto e = Halide::Internal::as_const_int(domain[i].extent())) work *= *e;
  std::optional<size_t> lanesAlong = accumulatorLanes(shape, lanes);
  size_t lanesDim = lanesAlong.value_or(0);
  bool vectorize = lanesAlong.has_value();
  Halide::Var outer("vo"), inner("vi");
  // acc is computed per row of out (per group of lanes rows when lanes run across rows).
  Halide::Var at = rank >= 2 ? vars[1] : Halide::Var::outermost();
  if (vectorize) {
    out.split(vars[lanesDim], outer, inner, lanes, kGuard).vectorize(inner);
    if (lanesDim == 1 || rank == 1) at = outer;
  }
  // Threads over the outermost dimension with more than one element.
  std::optional<size_t> parallel;
  for (size_t k = rank; k-- > 0;)
    if (!parallel && extent(k) > 1) parallel = k;
  std::optional<ThreadedLoop> threaded;
  if (parallel && threads > 1 && work >= kMinTaskIterations) {
    bool alongLanes = *parallel == lanesDim && vectorize;
    threaded = ThreadedLoop{alongLanes ? outer : vars[*parallel], *parallel,
                            alongLanes ? (extent(*parallel) + lanes - 1) / lanes : extent(*parallel)};
    out.parallel(threaded->var);
  }
  acc.compute_at(out, at);
  acc.update().reorder(updateOrder({vars[lanesDim]}, domain, vars, {lanesDim}));
  if (vectorize) {
    acc.vectorize(vars[lanesDim], lanes, kGuard);
    acc.update().vectorize(vars[lanesDim], lanes, kGuard);
  }
  return splittable(threaded, at);
}

void scheduleScatter(Halide::Func& f, const Halide::RDom& domain, const std::vector<std::string>& params,
                     const ir::Subset& write, ir::Wcr wcr, int lanes) {
  if (params.empty() || write.rank() == 0) return;
  std::map<std::string, int> extents = domainExtents(domain, params);
  auto index = [&](const std::string& p) {
    return static_cast<int>(std::find(params.begin(), params.end(), p) - params.begin());
  };
  std::optional<std::string> vector, parallel;
  for (const auto& [p, coefficient] : write.ranges.back().begin.terms())
    if (coefficient != 0 && extents[p] >= lanes / 2 && (!vector || extents[p] > extents[*vector])) vector = p;
  for (const ir::Range& r : write.ranges)
    if (r.begin.terms().size() == 1) {
      const std::string& p = r.begin.terms().begin()->first;
      if (p != vector && extents.count(p) && extents[p] > 1 && (!parallel || extents[p] > extents[*parallel])) parallel = p;
    }
  // A plain write (no WCR) is not associative: Halide keeps its loop order, so lanes can only
  // run along the innermost RVar.
  if (wcr == ir::Wcr::None && vector && index(*vector) != 0) vector.reset();
  if (!vector && !parallel) return;
  // Innermost first: the lanes, then the parameters the written index does not move with (the
  // same elements accumulate across them, in registers), then the rest, threads outermost.
  auto moves = [&](const std::string& p) {
    return std::any_of(write.ranges.begin(), write.ranges.end(), [&](const ir::Range& r) { return r.begin.coefficient(p) != 0; });
  };
  std::vector<Halide::VarOrRVar> order;
  if (vector) order.emplace_back(domain[index(*vector)]);
  for (bool moving : {false, true})
    for (const std::string& p : params)
      if (p != vector && p != parallel && moves(p) == moving) order.emplace_back(domain[index(p)]);
  if (parallel) order.emplace_back(domain[index(*parallel)]);
  Halide::Stage update = f.update();
  update.allow_race_conditions();
  if (wcr != ir::Wcr::None) update.reorder(order);
  if (vector) update.vectorize(domain[index(*vector)], lanes, kGuard);
  if (parallel) {
    // Tasks of at least kMinTaskIterations iterations, or the thread pool's overhead dominates.
    int64_t perValue = 1;
    for (const auto& [p, e] : extents)
      if (p != *parallel) perValue *= e;
    int taskSize = static_cast<int>(std::max<int64_t>(1, (kMinTaskIterations + perValue - 1) / perValue));
    if (taskSize < extents[*parallel]) update.parallel(domain[index(*parallel)], taskSize);
  }
}

std::optional<size_t> stridedDimension(const ir::Subset& read, const std::string& param, const ir::Layout& layout) {
  if (read.rank() == 0 || read.ranges[static_cast<size_t>(layout.innermost())].begin.coefficient(param) != 0)
    return std::nullopt;
  for (size_t k = 0; k < read.rank(); ++k)
    if (read.ranges[k].begin.coefficient(param) != 0) return k;
  return std::nullopt;
}

}  // namespace conflux::targets::cpu
