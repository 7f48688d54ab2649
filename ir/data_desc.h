#pragma once
// Data descriptors: the named arrays a graph reads, writes and keeps as transients.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/dtype.h"

namespace conflux::ir {

/// Where an array lives. Global memory is the default; the others are chosen by passes.
enum class Storage { Global, CacheLocal, Register, GpuShared, RduOnChip };

std::string_view storageName(Storage storage);
/// Parses a storage name; throws conflux::Error naming `what` when unknown.
Storage parseStorage(std::string_view name, const std::string& what);

/// One blocked dimension: logical dimension `dim` is split into an outer part, kept at its
/// place in the order, and an innermost block of `size` elements (nChw16c blocks dim 1 by 16).
struct DimBlock {
  int dim = 0;
  int64_t size = 1;
  bool operator==(const DimBlock&) const = default;
};

/// Physical layout of an array: the order of logical dimensions from outermost to innermost,
/// then the blocks (outermost block first) appended as the innermost physical dimensions.
struct Layout {
  std::vector<int> order;
  std::vector<DimBlock> blocks;

  /// Row-major layout of a rank-`rank` array.
  static Layout rowMajor(size_t rank);
  /// True for the identity order without blocks.
  bool isRowMajor() const;
  /// Physical dimensions in storage order (outer parts then blocks).
  std::vector<int64_t> physicalShape(const std::vector<int64_t>& shape) const;
  /// Element stride of each logical dimension (a permutation without blocks; throws
  /// conflux::Error for a blocked layout, whose dimensions have no single stride).
  std::vector<int64_t> strides(const std::vector<int64_t>& shape) const;
  /// The logical dimension of unit stride (the last of `order`; -1 for a scalar).
  int innermost() const { return order.empty() ? -1 : order.back(); }
  /// Element offset of a logical index.
  int64_t offset(const std::vector<int64_t>& shape, const std::vector<int64_t>& index) const;
  /// "row_major", or e.g. "order(0,2,3,1)" / "order(0,1,2,3) block(1:16)".
  std::string toString() const;
  /// Parses the text form of toString(); throws conflux::Error naming `what`.
  static Layout parse(std::string_view text, size_t rank, const std::string& what);
  bool operator==(const Layout&) const = default;
};

/// A named array: element type, static shape, layout, storage and lifetime.
struct DataDesc {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  Layout layout;
  Storage storage = Storage::Global;
  /// Transient arrays live only inside the graph; the others are graph inputs/outputs/weights.
  bool transient = false;

  /// Number of elements (1 for a scalar).
  int64_t numElements() const;
  /// Size in bytes.
  int64_t bytes() const { return numElements() * dtypeBytes(dtype); }
  bool operator==(const DataDesc&) const = default;
};

}  // namespace conflux::ir
