#pragma once
// Views of an output buffer that a pipeline writes in place: the box one kernel computes (a
// piece of a Concat), and its dimensions in memory order (Halide's dimension 0 is the unit
// stride one, whatever the array's layout).
#include <Halide.h>

#include <cstdint>
#include <vector>

namespace conflux::targets::cpu {

/// A view of the box at `offsets` (row-major) of size `extents` of a buffer, in the buffer's
/// coordinates: realizing into it computes and writes only the box.
Halide::Buffer<> boxView(const Halide::Buffer<>& buffer, const std::vector<int64_t>& offsets,
                         const std::vector<int64_t>& extents);

/// The same storage as `buffer` (a view in logical order) with its dimensions in memory order:
/// Halide dimension j is logical dimension order[rank - 1 - j] (`order`: outermost first).
Halide::Buffer<> memoryOrderView(const Halide::Buffer<>& buffer, const std::vector<int>& order);

/// Fixes the bounds and strides of the output of `f` to those of `buffer`, where it is placed at
/// compile time: tiles keep their accumulators in registers and every address folds.
void placeOutput(Halide::Func f, const Halide::Buffer<>& buffer);

}  // namespace conflux::targets::cpu
