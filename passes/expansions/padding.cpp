// Padded copies: the guard for every windowed read that may fall outside its input (Conv,
// pooling, Pad). Instead of a select on the index bounds inside the consumer, the input is
// copied into the interior of a transient whose border is filled with the padding value; the
// consumer then reads it with affine memlets that later tiling passes can reason about.
#include <algorithm>

#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// Fills the part of `target`'s array outside the box [lo, hi] (inclusive, per dimension) with
/// `value`: per dimension d, the slab before and the slab after the box along d, spanning the
/// box in the dimensions before d and everything in those after (disjoint slabs, so the
/// border is written once and the interior not at all).
void fillBorder(Builder& b, NodeId target, const std::vector<int64_t>& lo, const std::vector<int64_t>& hi,
                const Expr& value, const std::string& role) {
  const std::vector<int64_t>& shape = b.descOf(target).shape;
  std::vector<std::string> params = paramNames("i", shape.size());
  auto fillSlab = [&](size_t d, int64_t from, int64_t to) {
    if (to < from) return;
    std::vector<int64_t> offset(shape.size()), extent(shape.size());
    for (size_t k = 0; k < shape.size(); ++k) {
      offset[k] = k < d ? lo[k] : 0;
      extent[k] = k < d ? hi[k] - lo[k] + 1 : shape[k];
    }
    offset[d] = from;
    extent[d] = to - from + 1;
    std::vector<AffineExpr> index = symbols(params);
    for (size_t k = 0; k < index.size(); ++k) index[k] = index[k] + offset[k];
    b.addMap({role, params, Subset::full(extent), {}, {{target, "out", point(index)}}, {value}, {}});
  };
  for (size_t d = 0; d < shape.size(); ++d) {
    fillSlab(d, 0, lo[d] - 1);
    fillSlab(d, hi[d] + 1, shape[d] - 1);
  }
}

}  // namespace

void copyPadded(Builder& b, NodeId src, NodeId dst, const std::vector<int64_t>& begin,
                const Expr& fill, const std::string& role) {
  const std::vector<int64_t>& inShape = b.descOf(src).shape;
  const std::vector<int64_t>& outShape = b.descOf(dst).shape;
  CONFLUX_ASSERT(inShape.size() == outShape.size() && begin.size() == inShape.size(),
                 "padded copy between different ranks");
  // The input indices j that land inside the output: 0 <= j + begin < out.
  Subset region;
  bool covers = true, empty = false;
  for (size_t d = 0; d < inShape.size(); ++d) {
    int64_t lo = std::max<int64_t>(0, -begin[d]);
    int64_t hi = std::min(inShape[d], outShape[d] - begin[d]);  // exclusive
    empty = empty || hi <= lo;
    covers = covers && lo + begin[d] == 0 && hi + begin[d] == outShape[d];
    region.ranges.push_back({lo, hi - 1, 1});
  }
  std::string fillRole = role.empty() ? "fill" : role + "_fill";
  if (empty) {  // nothing of the input survives: the output is all padding
    b.fill(dst, fill, fillRole);
    return;
  }
  std::vector<NodeId> after;
  if (!covers) {
    std::vector<int64_t> lo, hi;  // the interior the copy writes
    for (size_t d = 0; d < inShape.size(); ++d) {
      lo.push_back(region.ranges[d].begin.constant() + begin[d]);
      hi.push_back(region.ranges[d].end.constant() + begin[d]);
    }
    NodeId border = b.addAccess(b.arrayOf(dst));
    fillBorder(b, border, lo, hi, fill, fillRole);
    after.push_back(border);
  }
  std::vector<std::string> params = paramNames("i", inShape.size());
  std::vector<AffineExpr> index = symbols(params);
  std::vector<AffineExpr> shifted;
  for (size_t d = 0; d < index.size(); ++d) shifted.push_back(index[d] + begin[d]);
  b.addMap({role,
            params,
            region,
            {{src, "in", point(index)}},
            {{dst, "out", point(shifted)}},
            {ref("in", b.descOf(src).dtype)},
            after});
}

}  // namespace conflux::passes::expansions
