#pragma once
// The register tile of a contraction on the cpu target: which output dimension its vector lanes
// run along and how wide they are, which one its unrolled rows take, and how many columns a
// tile and its packed operands span. Plain decisions over shapes and operand uses; the Halide
// schedules that apply them are in schedules.h.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "ir/memlet.h"  // ir::Wcr

namespace conflux::targets::cpu {

/// Vectors along the innermost output dimension of a register tile: with up to kTileRows rows
/// of the next one, 16 of AVX-512's 32 zmm registers.
inline constexpr int kTileVectors = 2;
inline constexpr int kTileRows = 8;
/// Full-width vectors of a tile whose rows broadcast their operand (a GEMM's A, a 1x1
/// convolution's image): kTileRows x 3 accumulators, the 3 vectors of the packed operand and
/// the broadcast value take 28 of the 32 registers, and each reduction step makes 24
/// multiply-adds from 11 loads instead of 16 from 10.
inline constexpr int kBroadcastTileVectors = 3;
/// The widest vector of the target, in 32-bit lanes (AVX-512).
inline constexpr int kFullLanes = 16;

/// The Halide dimensions (0 = innermost) of a contraction's register tile.
struct Tile {
  size_t vector;  // along the vector lanes
  size_t rows;    // unrolled rows
  int lanes;      // the vector width: the target's, or half of it where that fills the dimension
  bool broadcastRows = false;  // the operands the rows read are loaded one value at a time
  /// The vectors run past the dimension's end to whole ones (24 channels: two of 16, the last
  /// half unused), where only constants, packed with zero columns to match, move along it.
  bool padded = false;
};

/// How the operands of a contraction depend on the dimensions of its output (Halide order).
struct OperandUse {
  std::vector<std::vector<size_t>> reads;  // per dimension: the operands whose index moves with it
  std::vector<bool> strided;               // per dimension: some operand index steps by more than one
  std::vector<bool> packsPerRun;           // per dimension: lanes along it need a per-run packed copy
  std::vector<bool> constantsOnly;         // per dimension: every operand whose index moves with it is a constant
};

/// The tile of a dense sum over map dimensions into an output of rank >= 2 (`shape` is the
/// region computed, outermost first), or nothing. Lanes run along a dimension that whole vectors
/// fill — the innermost if it does (with half-width vectors when only those fill it: 24
/// channels are three vectors of 8), else the widest (output channels of a row-major
/// convolution over a 28x28 image) — falling back to a partly filled innermost one, never along
/// a strided one (the output columns of a stride-2 convolution would gather). Dimensions whose lanes need no
/// per-run packed copy of an operand come first: a depthwise convolution runs its lanes along
/// the image columns rather than transpose its input each run. Rows run along the innermost other
/// dimension with more than one element that no vector-loaded operand depends on (a GEMM's
/// rows, a convolution's output channels when lanes run along its columns), so each reduction
/// step loads a few vectors and broadcasts one value per row; else along the innermost other.
/// Half-width vectors that would fill a dimension of more than one full vector but fewer than
/// kTileVectors (24 channels) become padded full-width ones when only constants move along it:
/// two vectors of 16 do the work of three of 8 in two multiply-adds.
std::optional<Tile> contractionTile(bool dense, ir::Wcr wcr, bool reduces, const std::vector<int64_t>& shape,
                                    const OperandUse& use, int lanes);

/// The most full-width vectors `tile` runs along its columns: more for a `singleRow` tile,
/// whose vectors are its only independent accumulators, and for one whose rows broadcast
/// (kBroadcastTileVectors), else kTileVectors. Half-width vectors (24 channels in three of 8)
/// stay within kTileVectors full ones' worth: their registers are as many.
int tileVectors(const Tile& tile, bool singleRow);

/// The columns of a tile of vectors of `lanes` along a dimension of `columns` elements: the
/// most whole vectors up to `vectors` full-width ones' worth that divide it, else one.
int tileColumns(int64_t columns, int lanes, int vectors = kTileVectors);

/// The columns of `tile`'s packed operands along a dimension of `columns` elements (`singleRow`
/// as for tileVectors): a padded tile's vectors, all of them, else tileColumns.
int packedColumns(const Tile& tile, int64_t columns, bool singleRow);

}  // namespace conflux::targets::cpu
