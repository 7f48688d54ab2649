#pragma once
// Rectangular (strided) index ranges over arrays and map iteration spaces.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/affine_expr.h"

namespace conflux::ir {

/// One dimension's index range `begin:end:step`, both ends inclusive (as DaCe), step >= 1.
/// A single index is a range with begin == end.
struct Range {
  AffineExpr begin;
  AffineExpr end;
  int64_t step = 1;

  /// The single index `index`.
  static Range point(const AffineExpr& index) { return {index, index, 1}; }
  /// The whole of a dimension of `extent` elements: 0:extent-1.
  static Range full(int64_t extent) { return {AffineExpr(0), AffineExpr(extent - 1), 1}; }
  /// Number of indices when begin and end differ by a constant, nothing otherwise.
  std::optional<int64_t> size() const;
  /// "b", "b:e" or "b:e:s".
  std::string toString() const;
  bool operator==(const Range&) const = default;
};

/// A multi-dimensional range: one Range per array (or map) dimension.
struct Subset {
  std::vector<Range> ranges;

  /// The whole of an array of the given shape: 0:d-1 in every dimension.
  static Subset full(const std::vector<int64_t>& shape);
  /// Parses "i, 0:511, 2*j+k:2*j+k+1:2" (empty text is the 0-d subset); throws conflux::Error.
  static Subset parse(std::string_view text);

  size_t rank() const { return ranges.size(); }
  /// Number of elements when every dimension's size is constant.
  std::optional<int64_t> numElements() const;
  /// True when the two boxes of constant bounds share an element (unknown bounds count as shared).
  bool mayOverlap(const Subset& other) const;
  /// Replaces a symbol in every bound.
  Subset substitute(const std::string& name, const AffineExpr& value) const;
  /// Symbols used by any bound, sorted.
  std::vector<std::string> freeSymbols() const;
  /// Comma-separated ranges, e.g. "i, 0:511".
  std::string toString() const;
  bool operator==(const Subset&) const = default;
};

}  // namespace conflux::ir
