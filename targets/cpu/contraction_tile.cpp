#include "targets/cpu/contraction_tile.h"

#include <algorithm>

namespace conflux::targets::cpu {
namespace {

/// Vectors of a single-row tile (a matrix-vector product): independent accumulators that hide
/// the multiply-add latency.
constexpr int kSingleRowVectors = 8;

/// The width of vectors that fill `extent` elements exactly: `lanes`, else half of it (24
/// channels are three vectors of 8), else nothing.
std::optional<int> wholeVectors(int64_t extent, int lanes) {
  if (extent % lanes == 0) return lanes;
  if (lanes > 1 && extent % (lanes / 2) == 0) return lanes / 2;
  return std::nullopt;
}

}  // namespace

std::optional<Tile> contractionTile(bool dense, ir::Wcr wcr, bool reduces, const std::vector<int64_t>& shape,
                                    const OperandUse& use, int lanes) {
  if (!dense || wcr != ir::Wcr::Sum || !reduces || shape.size() < 2) return std::nullopt;
  size_t rank = shape.size();
  auto extent = [&](size_t halideDim) { return shape[rank - 1 - halideDim]; };
  // A reduction to one value per row (softmax's max and sum: [.., rows, 1]) is no contraction.
  if (extent(0) == 1) return std::nullopt;
  auto flag = [](const std::vector<bool>& flags, size_t k) { return k < flags.size() && flags[k]; };
  // Whole vectors along the innermost dimension (half-width ones if only those fill it), else
  // the widest; then a partly filled innermost.
  auto choose = [&](bool allowPacking) -> std::optional<size_t> {
    auto allowed = [&](size_t k) { return !flag(use.strided, k) && (allowPacking || !flag(use.packsPerRun, k)); };
    if (allowed(0) && wholeVectors(extent(0), lanes)) return size_t{0};
    std::optional<size_t> vector;
    for (size_t k = 1; k < rank; ++k)
      if (allowed(k) && extent(k) % lanes == 0 && (!vector || extent(k) > extent(*vector))) vector = k;
    if (!vector && allowed(0) && extent(0) >= lanes / 2) vector = 0;
    return vector;
  };
  std::optional<size_t> vector = choose(false);
  if (!vector) vector = choose(true);
  if (!vector) return std::nullopt;
  auto reads = [&](size_t k) { return k < use.reads.size() ? use.reads[k] : std::vector<size_t>{}; };
  auto broadcastOnly = [&](size_t k) {
    std::vector<size_t> mine = reads(k), vectorLoaded = reads(*vector);
    return std::none_of(mine.begin(), mine.end(),
                        [&](size_t r) { return std::count(vectorLoaded.begin(), vectorLoaded.end(), r) > 0; });
  };
  int width = wholeVectors(extent(*vector), lanes).value_or(lanes);
  const bool padded = width < lanes && extent(*vector) > lanes && extent(*vector) < kTileVectors * lanes &&
                      flag(use.constantsOnly, *vector);
  if (padded) width = lanes;
  for (size_t k = 0; k < rank; ++k)
    if (k != *vector && extent(k) > 1 && broadcastOnly(k)) return Tile{*vector, k, width, true, padded};
  for (size_t k = 0; k < rank; ++k)
    if (k != *vector && extent(k) > 1) return Tile{*vector, k, width, false, padded};
  return Tile{*vector, *vector == 0 ? size_t{1} : size_t{0}, width, false, padded};  // a single row (Gemm of batch 1)
}

int tileVectors(const Tile& tile, bool singleRow) {
  if (singleRow) return kSingleRowVectors;
  return tile.broadcastRows && tile.lanes == kFullLanes ? kBroadcastTileVectors : kTileVectors;
}

int tileColumns(int64_t columns, int lanes, int vectors) {
  int widest = vectors * std::max(1, kFullLanes / lanes);
  for (int vectors = widest; vectors > 1; --vectors)
    if (columns % (vectors * lanes) == 0) return vectors * lanes;
  return lanes;
}

int packedColumns(const Tile& tile, int64_t columns, bool singleRow) {
  if (tile.padded) return static_cast<int>((columns + tile.lanes - 1) / tile.lanes * tile.lanes);
  return tileColumns(columns, tile.lanes, tileVectors(tile, singleRow));
}

}  // namespace conflux::targets::cpu
