#pragma once
// Cache-local arrays on the cpu target (halo-tiling, passes/halo_tiling.h): a kernel with
// producers reads the arrays they write as functions, not memory. The producer that computes
// (a contraction tile) is defined over the whole array — its own box, and outside it the values
// of the producers that fill constants (a padded input's zero border) — and is computed per
// iteration of the reading kernel's threaded loop, stored per thread's chunk of it: Halide's
// bounds inference gives each iteration its halo, and its sliding-window pass computes each row
// once per chunk — where that loop reads bands of the array's rows; otherwise the producer is
// computed whole before the reader, inside its pipeline. Producers that only fill stay inlined.
#include <Halide.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ir/data_desc.h"
#include "targets/cpu/array_source.h"
#include "targets/cpu/packed_operand.h"
#include "targets/cpu/schedules.h"

namespace conflux::targets::cpu {

/// One output's function, defined and scheduled, before it is compiled.
struct DefinedOutput {
  Halide::Func func;
  /// Where it is written: the box it computes, dimensions in memory order.
  Halide::Buffer<> buffer;
  std::string name;
  std::vector<PackedOperand> packs;
  /// The loop its threads split, if any, and the map parameter it runs over ("" when none
  /// runs alone along it).
  std::optional<ThreadedLoop> threaded;
  std::string threadedParam;
  /// A producer's element-wise values, left to be inlined where they are read.
  bool inlined = false;
  /// The box of its array it writes, (offset, extent) per logical dimension; none when its
  /// writes scatter.
  std::optional<std::vector<std::pair<int64_t, int64_t>>> box;
};

/// Values of an array at coordinates in memory order (Halide dimension 0 the unit-stride one).
using MemoryOrderValues = std::function<Halide::Expr(const std::vector<Halide::Expr>& at)>;

/// The values `producers` (inlined ones: constant fills) give an array of `layout`: each element
/// from the first producer whose box holds it, read at coordinates clamped into that box.
/// Throws conflux::Error naming `where` when a producer's writes scatter.
MemoryOrderValues valuesInBoxes(const std::vector<const DefinedOutput*>& producers, const ir::Layout& layout,
                                const std::string& where);

/// Moves the parameters `params` (expressions of `rowMajorVars`, one per logical dimension)
/// of a function whose writes fill `box` to their values at the coordinates clamped into the
/// box: the function is then defined, without reading out of bounds, over the whole array.
void clampIntoBox(std::map<std::string, Halide::Expr>& params, const std::vector<Halide::Var>& rowMajorVars,
                  const std::vector<std::pair<int64_t, int64_t>>& box);

/// `value` at `vars` (memory order) of a function over a whole array of `layout` whose writes
/// fill `box`: itself inside the box, `outside` elsewhere.
Halide::Expr spanWholeArray(const Halide::Expr& value, const std::vector<Halide::Var>& vars,
                            const std::vector<std::pair<int64_t, int64_t>>& box, const ir::Layout& layout,
                            const MemoryOrderValues& outside);

/// How a kernel reads a cache-local array of `layout` whose values are `values`.
ArraySource::Values readInMemoryOrder(MemoryOrderValues values, const ir::Layout& layout);

/// Schedules the producers that are not inlined (each scheduled as a kernel of its own) inside
/// `reader`. Along rows (`alongRows`: passes::readsRowBands of the reader's threaded loop): that loop
/// is split into one chunk of iterations per thread (of `threads`), and each producer, its own
/// loops serial, is stored per chunk and computed per iteration. Otherwise, or without a
/// threaded loop, each is computed whole before the reader, on its own threads.
void scheduleProducers(DefinedOutput& reader, const std::vector<DefinedOutput>& producers, int threads, bool alongRows);

}  // namespace conflux::targets::cpu
