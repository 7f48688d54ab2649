// Padded copies: the guard for every windowed read that may fall outside its input (Conv,
// pooling, Pad). Instead of a select on the index bounds inside the consumer, the input is
// copied into the interior of a transient filled with the padding value; the consumer then
// reads it with affine memlets that later tiling passes can reason about.
#include <algorithm>

#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

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
  if (!covers) after.push_back(b.fill(b.addAccess(b.arrayOf(dst)), fill, fillRole));
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
