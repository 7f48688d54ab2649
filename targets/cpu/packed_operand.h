#pragma once
// The packed operand of a contraction tile: a copy of an array in panels as wide as the tile,
// the dimension the tile's vector lanes run along split into panel columns stored innermost and
// panels stored outermost, so a tile streams its whole reduction through contiguous memory
// instead of gathering. The storage is placed once at compile time and filled at load by a host
// copy when the array is a constant (weights that are initializers), before each run by its own
// pipeline otherwise — never allocated on the hot path.
#include <Halide.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/data_desc.h"
#include "ir/page_allocator.h"
#include "targets/cpu/array_source.h"
#include "targets/cpu/pipeline_library.h"

namespace conflux::targets::cpu {

/// A packed copy of one array and the pipeline that fills it.
class PackedOperand {
 public:
  /// Adds to `library` the copy of `source` (logical `shape` stored in `layout`, element `type`)
  /// in panels of `panel` elements of logical dimension `inner` (the whole dimension when
  /// `panel` does not divide it, or, `padded`, one panel of `panel` columns, those past the
  /// dimension's end zero: a padded tile's, contraction_tile.h; constants only), written in
  /// vectors of `lanes`; `name` names its pipeline.
  /// Within a panel, after its columns, the other logical dimensions are stored
  /// in the order of `nesting` (innermost first: the order the tile's loops walk them, so a
  /// tile reads its panel front to back).
  PackedOperand(const ArraySource& source, Halide::Type type, const std::vector<int64_t>& shape,
                const ir::Layout& layout, size_t inner, int panel, bool padded,
                const std::vector<size_t>& nesting, const std::string& name,
                PipelineLibrary& library, int lanes);

  PackedOperand(PackedOperand&&) = default;
  PackedOperand& operator=(PackedOperand&&) = default;
  PackedOperand(const PackedOperand&) = delete;  // buffer_ views storage_
  PackedOperand& operator=(const PackedOperand&) = delete;

  /// The element at `indices` (Halide order, innermost first, as for the array itself).
  Halide::Expr operator()(const std::vector<Halide::Expr>& indices) const;
  /// True when the copy is filled once at load: its source never changes.
  bool once() const { return once_; }
  /// Fills the copy from the source (once the library is loaded).
  void fill();
  /// The copy's storage, which its pipeline (when it has one) writes and the tile reads.
  const std::vector<std::byte, ir::PageAllocator<std::byte>>& storage() const { return storage_; }
  /// The pipeline that fills the copy before each run, or null for a copy filled once at load.
  const NativePipeline* pipeline() const { return pipeline_.get(); }

 private:
  /// Adds pipeline_, which fills the copy from `source` before each run.
  void addPackPipeline(const ArraySource& source, const std::vector<int64_t>& shape,
                       const ir::Layout& layout, const std::string& name, PipelineLibrary& library,
                       int lanes);

  std::vector<std::byte, ir::PageAllocator<std::byte>> storage_;
  Halide::Buffer<> buffer_;   // over storage_: panel column, the other dimensions, panel
  Halide::ImageParam param_;  // bound to buffer_
  size_t packedDim_;          // the Halide dimension split into panels
  int panel_;
  std::shared_ptr<const NativePipeline> pipeline_;  // fills a copy of an array that changes
  std::optional<Halide::Buffer<>>
      constantSource_;  // a constant's storage, viewed split like buffer_
  bool once_;
};

}  // namespace conflux::targets::cpu
