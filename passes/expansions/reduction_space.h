#pragma once
// The iteration space of a reduction of a library node's input in0 over some of its dimensions,
// and the maps every reducing expansion (Reduce*, ArgMax, Hardmax, softmax, the normalisations)
// builds over it: an accumulation with WCR into a reduced array initialised with the
// reduction's identity, and element-wise maps over the input or over the reduced shape that
// read reduced arrays back with broadcasting.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "passes/expansions/builder.h"

namespace conflux::passes::expansions {

/// A parameter per dimension of in0, and the element of the reduced shape each input element
/// reduces into (reduced dimensions at index 0, or dropped).
class ReductionSpace {
 public:
  /// Reduces dimensions `axes` of in0 (every dimension when empty), kept as size 1 in the
  /// reduced shape when `keepDims`, else dropped. Fails naming the node when an axis is out of
  /// range.
  ReductionSpace(const Builder& b, const std::vector<int64_t>& axes, bool keepDims);

  const std::vector<std::string>& params() const { return params_; }
  /// The affine symbols of params().
  const std::vector<ir::AffineExpr>& index() const { return index_; }
  const std::vector<int64_t>& inShape() const { return inShape_; }
  const std::vector<int64_t>& reducedShape() const { return reducedShape_; }
  /// Input elements reduced into each reduced element.
  int64_t count() const { return count_; }

  /// The input element at the space's point, read as connector "x".
  Port input() const { return {input_, "x", point(index_)}; }
  /// The element of reduced array `access` the point reduces into, read as `conn`.
  Port reduced(ir::NodeId access, const std::string& conn) const {
    return {access, conn, point(reducedIndex_)};
  }

 private:
  ir::NodeId input_;
  std::vector<std::string> params_;
  std::vector<ir::AffineExpr> index_, reducedIndex_;
  std::vector<int64_t> inShape_, reducedShape_;
  int64_t count_ = 1;
};

/// Fills `array` (of the reduced shape) with the identity of `wcr`, then accumulates `value`,
/// an expression of `reads`, at every point of the space into the element the point reduces
/// into. `role` labels the two maps ("" for the op's main map). Returns the access node the
/// accumulation writes.
ir::NodeId accumulate(Builder& b, const ReductionSpace& space, const std::string& array,
                      ir::Wcr wcr, std::vector<Port> reads, const ir::Expr& value,
                      const std::string& role);

/// Writes `value`, an expression of `reads`, into `target` (of the input's shape) at every
/// point of the space.
void mapOverInput(Builder& b, const ReductionSpace& space, const std::string& role,
                  std::vector<Port> reads, ir::NodeId target, const ir::Expr& value);

/// Writes `value`, an expression of the reduced arrays `reads` (access node, connector) read at
/// the same element, into `target` element by element over the reduced shape.
void mapOverReduced(Builder& b, const ReductionSpace& space, const std::string& role,
                    const std::vector<std::pair<ir::NodeId, std::string>>& reads, ir::NodeId target,
                    const ir::Expr& value);

}  // namespace conflux::passes::expansions
